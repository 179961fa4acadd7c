import AgentsMeshCanonical
import AgentsMeshGeneration
import AgentsMeshPacks
import Foundation
import SharedCore
import TestSupport
import Testing

/// Builders for fixture repositories, archives and projects used by the pack tests.
enum PackFixtures {
    static func tempDir(_ label: String = "pk") throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("am-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return FileSystem.realPath(url.path) ?? url.path
    }

    static func write(_ root: String, _ files: [String: String]) throws {
        for (path, text) in files {
            let url = URL(fileURLWithPath: root + "/" + path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
    }

    @discardableResult
    static func sh(_ command: String, in directory: String) throws -> String {
        let (status, text) = try shell(command, in: directory)
        guard status == 0 else { throw FixtureError(message: "`\(command)` failed: \(text)") }
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    struct FixtureError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// A bare repository with `main` (3 commits), tag `v1` (first commit, annotated) and branch `next`.
    struct Repo {
        let bare: String
        let work: String
        let commits: [String]

        var url: String { "git+file://\(bare)" }

        func commit(_ files: [String: String], message: String, remove: [String] = []) throws -> String {
            try PackFixtures.write(work, files)
            for path in remove { try FileManager.default.removeItem(atPath: work + "/" + path) }
            try PackFixtures.sh("git add -A && git commit -q -m '\(message)' && git push -q origin HEAD:main", in: work)
            return try PackFixtures.sh("git rev-parse HEAD", in: work)
        }
    }

    static func makeRepo() throws -> Repo {
        let base = try tempDir("repo")
        let work = base + "/work"
        let bare = base + "/origin.git"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        try sh("git init -q -b main", in: work)
        try write(
            work,
            [
                ".agentsmesh/rules/style.md": "---\ndescription: Style v1\n---\nStyle one.\n",
                ".agentsmesh/commands/lint.md": "---\ndescription: Lint\n---\nRun the linter.\n",
                ".agentsmesh/hooks.yaml": "PostToolUse:\n  - matcher: Write\n    type: command\n    command: echo from-pack\n",
            ])
        try sh("git add -A && git commit -q -m one && git tag -a v1 -m v1", in: work)
        let first = try sh("git rev-parse HEAD", in: work)
        try write(work, [".agentsmesh/rules/style.md": "---\ndescription: Style v2\n---\nStyle two.\n"])
        try sh("git commit -q -am two && git branch next", in: work)
        let second = try sh("git rev-parse HEAD", in: work)
        try write(work, [".agentsmesh/rules/extra.md": "Extra rule.\n"])
        try sh("git add -A && git commit -q -m three", in: work)
        let third = try sh("git rev-parse HEAD", in: work)
        try sh("git clone -q --bare . \(bare) && git remote add origin \(bare)", in: work)
        return Repo(bare: bare, work: work, commits: [first, second, third])
    }

    /// A project with a root rule, generated once.
    static func makeProject() async throws -> String {
        let root = try tempDir("proj")
        try write(
            root,
            [
                "agentsmesh.yaml": "version: 1\ntargets: [claude-code, cursor, gemini-cli]\n",
                ".agentsmesh/rules/_root.md": "---\nroot: true\n---\n# Project\n",
                ".agentsmesh/rules/mine.md": "---\ndescription: Mine\n---\nProject rule.\n",
            ])
        _ = try await Generator(root: root).generate(GenerateOptions(lockTimeout: 5))
        return root
    }

    static func environment(cache: String) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        env["AGENTSMESH_ALLOW_LOCAL_GIT"] = "1"
        env["AGENTSMESH_CACHE"] = cache
        return env
    }

    /// `lockTimeout` bounds the wait for another install's lock (seconds).
    static func installer(_ root: String, cache: String, lockTimeout: Double = 10) -> PackInstaller {
        PackInstaller(root: root, environment: environment(cache: cache), lockTimeout: lockTimeout) {
            () throws(ToolError) -> [Diagnostic] in
            try await Generator(root: root).generate(GenerateOptions(lockTimeout: lockTimeout)).warnings
        }
    }

    static func read(_ root: String, _ path: String) -> String? {
        FileManager.default.contents(atPath: root + "/" + path).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Every file under a folder with its bytes (for byte-identical comparisons).
    static func snapshot(_ root: String) -> [String: Data] {
        var out: [String: Data] = [:]
        // `.agentsmeshcache` is the stat cache of generate (inodes, ctimes): it always differs between runs.
        for path in FileSystem.walkFiles(root)
        where !path.hasPrefix(".agentsmesh/.staging") && !path.hasSuffix(".lock") && path != ".agentsmeshcache" {
            out[path] = FileManager.default.contents(atPath: root + "/" + path)
        }
        return out
    }

    /// Runs a Python tarfile script that writes archives into `folder`.
    static func python(_ script: String, in folder: String) throws {
        let path = folder + "/make.py"
        try Data(script.utf8).write(to: URL(fileURLWithPath: path))
        try sh("python3 make.py", in: folder)
    }
}
