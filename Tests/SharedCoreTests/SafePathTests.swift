import Foundation
import Testing

@testable import SharedCore

/// A scratch folder holding `root/` (the project) and `outside/`, removed on deinit.
private final class SafePathSandbox {
    let base: String
    let root: String
    let outside: String

    init() throws {
        let made = FileManager.default.temporaryDirectory.path + "/safepath-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: made + "/root", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: made + "/outside", withIntermediateDirectories: true)
        base = try #require(FileSystem.realPath(made))
        root = base + "/root"
        outside = base + "/outside"
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: root + "/" + relative, withIntermediateDirectories: true)
    }

    func file(_ absolute: String, _ text: String = "x") throws {
        try text.write(toFile: absolute, atomically: false, encoding: .utf8)
    }

    /// Creates a symlink at `root/relative` whose stored target is exactly `target`.
    func link(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: root + "/" + relative, withDestinationPath: target)
    }
}

/// Resolves expecting a ToolError; records an issue when it resolves.
private func resolveError(_ safe: SafePath, _ relative: String) -> ToolError? {
    do {
        let path = try safe.resolve(relative)
        Issue.record("expected PATH_TRAVERSAL for \(relative.debugDescription), got \(path)")
        return nil
    } catch {
        return error
    }
}

@Suite("SafePath")
struct SafePathTests {
    @Test(arguments: ["/etc/passwd", "/", "//x"])
    func rejectsAbsolutePaths(relative: String) throws {
        let box = try SafePathSandbox()
        let error = resolveError(SafePath(root: box.root), relative)
        #expect(error?.code == "PATH_TRAVERSAL")
        #expect(error?.message == "path '\(relative)' is not a project-relative path")
    }

    @Test(arguments: ["..", "../x", "a/../b", "a/..", "./../x", "a/b/../../..", "a//../b"])
    func rejectsDotDotSegments(relative: String) throws {
        let box = try SafePathSandbox()
        let error = resolveError(SafePath(root: box.root), relative)
        #expect(error?.code == "PATH_TRAVERSAL")
        #expect(error?.message == "path '\(relative)' escapes the project")
    }

    @Test(arguments: ["a\\b", "..\\x", "\\", "C:\\x", "a\u{0}b"])
    func rejectsBackslashAndNUL(relative: String) throws {
        let box = try SafePathSandbox()
        let error = resolveError(SafePath(root: box.root), relative)
        #expect(error?.code == "PATH_TRAVERSAL")
        #expect(error?.message == "path '\(relative)' is not a project-relative path")
    }

    @Test func returnsTheAbsolutePathForExistingAndMissingPaths() throws {
        let box = try SafePathSandbox()
        try box.mkdir(".claude/rules")
        try box.file(box.root + "/.claude/rules/a.md")
        let safe = SafePath(root: box.root)
        #expect(safe.root == box.root)
        #expect(try safe.resolve(".claude/rules/a.md") == box.root + "/.claude/rules/a.md")
        #expect(try safe.resolve("new/dir/file.json") == box.root + "/new/dir/file.json")
        #expect(try safe.resolve("a//b/") == box.root + "/a/b")
        #expect(try safe.resolve("") == box.root)
        #expect(try safe.resolve("..foo/...") == box.root + "/..foo/...")
        #expect(try safe.resolve(".hidden..") == box.root + "/.hidden..")
    }

    @Test func rootGivenThroughASymlinkIsResolved() throws {
        let box = try SafePathSandbox()
        let alias = box.base + "/root-alias"
        try FileManager.default.createSymbolicLink(atPath: alias, withDestinationPath: box.root)
        let safe = SafePath(root: alias)
        #expect(safe.root == box.root)
        #expect(try safe.resolve("x/y.md") == box.root + "/x/y.md")
    }

    @Test func symlinkedAncestorPointingOutsideIsRejected() throws {
        let box = try SafePathSandbox()
        try box.link("escape", to: box.outside)
        let error = resolveError(SafePath(root: box.root), "escape/file.md")
        #expect(error?.code == "PATH_TRAVERSAL")
        #expect(error?.message == "'escape' is a symlink that leads outside the project")
        // Nothing was created outside.
        #expect(FileSystem.list(box.outside).isEmpty)
    }

    @Test func deepSymlinkedAncestorWithRelativeTargetIsRejected() throws {
        let box = try SafePathSandbox()
        try box.mkdir(".agentsmesh/rules")
        try box.link(".agentsmesh/rules/shared", to: "../../../outside")
        let error = resolveError(SafePath(root: box.root), ".agentsmesh/rules/shared/deep/x.md")
        #expect(error?.code == "PATH_TRAVERSAL")
        #expect(error?.message == "'.agentsmesh/rules/shared' is a symlink that leads outside the project")
    }

    @Test func symlinkChainLeadingOutsideIsRejected() throws {
        let box = try SafePathSandbox()
        try box.link("b", to: box.outside)
        try box.link("a", to: box.root + "/b")
        let error = resolveError(SafePath(root: box.root), "a/x.md")
        #expect(error?.code == "PATH_TRAVERSAL")
        #expect(error?.message == "'a' is a symlink that leads outside the project")
    }

    @Test func siblingFolderSharingTheRootPrefixIsOutside() throws {
        let box = try SafePathSandbox()
        let evil = box.root + "-evil"
        try FileManager.default.createDirectory(atPath: evil, withIntermediateDirectories: true)
        try box.link("sneaky", to: evil)
        let error = resolveError(SafePath(root: box.root), "sneaky/x.md")
        #expect(error?.code == "PATH_TRAVERSAL")
    }

    @Test func finalSymlinkToAFolderOutsideIsRejected() throws {
        let box = try SafePathSandbox()
        try box.mkdir(".cursor")
        try box.link(".cursor/rules", to: box.outside)
        let error = resolveError(SafePath(root: box.root), ".cursor/rules")
        #expect(error?.code == "PATH_TRAVERSAL")
        #expect(error?.message == "'.cursor/rules' is a symlink that leads outside the project")
    }

    @Test func brokenSymlinkAncestorIsRejected() throws {
        let box = try SafePathSandbox()
        try box.link("dangling", to: box.base + "/does-not-exist")
        let error = resolveError(SafePath(root: box.root), "dangling/x.md")
        #expect(error?.code == "PATH_TRAVERSAL")
        #expect(error?.message == "'dangling' is a broken symlink")
    }

    @Test func symlinkInsideTheRootIsFine() throws {
        let box = try SafePathSandbox()
        try box.mkdir("real/sub")
        try box.link("alias", to: "real")
        try box.link("absAlias", to: box.root + "/real/sub")
        try box.link("self", to: box.root)
        let safe = SafePath(root: box.root)
        #expect(try safe.resolve("alias/sub/file.md") == box.root + "/alias/sub/file.md")
        #expect(try safe.resolve("absAlias/file.md") == box.root + "/absAlias/file.md")
        #expect(try safe.resolve("self/x") == box.root + "/self/x")
        #expect(try safe.resolve("alias") == box.root + "/alias")
    }

    /// The final component is replaced by AtomicFile, never followed, so a file symlink there is allowed.
    @Test func finalSymlinkToAFileOrNowhereIsAllowed() throws {
        let box = try SafePathSandbox()
        try box.file(box.outside + "/target.md")
        try box.link("out.md", to: box.outside + "/target.md")
        try box.link("gone.md", to: box.base + "/missing.md")
        let safe = SafePath(root: box.root)
        #expect(try safe.resolve("out.md") == box.root + "/out.md")
        #expect(try safe.resolve("gone.md") == box.root + "/gone.md")
    }

    @Test func containsAbsolute() throws {
        let box = try SafePathSandbox()
        let safe = SafePath(root: box.root)
        #expect(safe.contains(absolute: box.root))
        #expect(safe.contains(absolute: box.root + "/a/b"))
        #expect(!safe.contains(absolute: box.root + "-evil/a"))
        #expect(!safe.contains(absolute: box.outside))
    }

    @Test(arguments: [
        ("a/b", "a", true), ("a/b/c", "a", true), ("a/b", "a/b", false), ("ab/c", "a", false), ("a", "a", false),
        ("a/", "a", false), (".claude/rules/x.md", ".claude/rules", true), (".claude/rulesx/y", ".claude/rules", false),
    ])
    func insideMeansBelowTheFolder(path: String, folder: String, inside: Bool) {
        #expect(FileSystem.isInside(path, folder) == inside)
    }

    @Test func checkAllGivesTheFirstFailureOfResolveInOrder() throws {
        let box = try SafePathSandbox()
        try box.mkdir("ok/deep")
        try box.link("escape", to: box.outside)
        try box.link("inside", to: box.root + "/ok")
        let safe = SafePath(root: box.root)
        let good = ["ok/a.md", "ok/deep/b.md", "inside/c.md", "missing/x/y.md", "ok/deep/missing/z.md"]
        let survey = try safe.checkAll(good)
        for path in good { _ = try safe.resolve(path) }
        // What it saw: each path examined (through the inside symlink too), or below a missing folder.
        #expect(survey.kind(of: "ok") == .directory)
        #expect(survey.kind(of: "ok/a.md") == .missing)
        #expect(survey.kind(of: "inside") == .symlink)
        #expect(survey.kind(of: "missing/x/y.md") == .missing)
        #expect(survey.kind(of: "missing/x") == .missing)
        #expect(survey.kind(of: "ok/deep/missing/z.md") == .missing)
        #expect(survey.kind(of: "elsewhere/q.md") == nil)
        #expect(survey.kind(of: "./ok/a.md") == nil)
        try box.file(box.root + "/ok/deep/b.md")
        #expect(try safe.checkAll(good).kind(of: "ok/deep/b.md") == .file)
        for (paths, message) in [
            (good + ["escape/f.md", "../up.md"], "'escape' is a symlink that leads outside the project"),
            (["ok/a.md", "../up.md", "escape/f.md"], "path '../up.md' escapes the project"),
        ] {
            var caught: ToolError?
            do { try safe.checkAll(paths) } catch { caught = error }
            #expect(caught?.code == "PATH_TRAVERSAL")
            #expect(caught?.message == message)
        }
    }
}
