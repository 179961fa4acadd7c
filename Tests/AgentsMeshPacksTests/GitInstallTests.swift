import AgentsMeshCanonical
import AgentsMeshGeneration
import AgentsMeshPacks
import Foundation
import SharedCore
import Testing

@Suite struct GitInstallTests {
    @Test func installByTagBranchAndSHA() async throws {
        let repo = try PackFixtures.makeRepo()
        let cache = try PackFixtures.tempDir("cache")

        let byTag = try await PackFixtures.makeProject()
        var options = InstallOptions(source: repo.url + "#v1")
        options.name = "tagged"
        let data = try await PackFixtures.installer(byTag, cache: cache).install(options)
        #expect(data.installed.map(\.name).sorted() == ["lint", "style"])
        #expect(PackFixtures.read(byTag, ".agentsmesh/packs/tagged/rules/style.md") == "---\ndescription: Style v1\n---\nStyle one.\n")
        #expect(PackFixtures.read(byTag, ".claude/rules/style.md") == "---\ndescription: Style v1\n---\n\nStyle one.")
        let packYAML = try #require(PackFixtures.read(byTag, ".agentsmesh/packs/tagged/pack.yaml"))
        #expect(packYAML.contains("version: v1\nresolved: \(repo.commits[0])\nfeatures:\n  - rules\n  - commands\n"))
        #expect(
            PackFixtures.read(byTag, ".agentsmesh/installs.yaml")?.hasPrefix(
                "# Managed by agentsmesh install/uninstall/refresh.\nversion: 1\ninstalls:\n  - name: tagged\n    source: \(repo.url)#v1\n    version: v1\n    original_ref: v1\n    source_kind: git\n    features:\n      - rules\n      - commands\n"
            ) == true)
        #expect(try Checker.check(root: byTag).inSync)

        let byBranch = try await PackFixtures.makeProject()
        var branchOptions = InstallOptions(source: repo.url + "#next")
        branchOptions.name = "branch"
        _ = try await PackFixtures.installer(byBranch, cache: cache).install(branchOptions)
        #expect(PackFixtures.read(byBranch, ".agentsmesh/packs/branch/rules/style.md")?.contains("Style two.") == true)
        #expect(!FileManager.default.fileExists(atPath: byBranch + "/.agentsmesh/packs/branch/rules/extra.md"))

        let bySHA = try await PackFixtures.makeProject()
        var shaOptions = InstallOptions(source: repo.url + "#" + String(repo.commits[2].prefix(10)))
        shaOptions.name = "pinned"
        _ = try await PackFixtures.installer(bySHA, cache: cache).install(shaOptions)
        #expect(FileManager.default.fileExists(atPath: bySHA + "/.agentsmesh/packs/pinned/rules/extra.md"))
        #expect(PackFixtures.read(bySHA, ".agentsmesh/packs/pinned/pack.yaml")?.contains("resolved: \(repo.commits[2])") == true)

        let noRef = try await PackFixtures.makeProject()
        _ = try await PackFixtures.installer(noRef, cache: cache).install(InstallOptions(source: repo.url))
        #expect(PackFixtures.read(noRef, ".agentsmesh/installs.yaml")?.contains("original_ref: main") == true)
        #expect(FileManager.default.fileExists(atPath: noRef + "/.agentsmesh/packs/origin/rules/extra.md"))
    }

    @Test func refreshMovesBranchPinsAndKeepsSHAPins() async throws {
        let repo = try PackFixtures.makeRepo()
        let cache = try PackFixtures.tempDir("cache")
        let project = try await PackFixtures.makeProject()
        let installer = PackFixtures.installer(project, cache: cache)
        var branch = InstallOptions(source: repo.url + "#main")
        branch.name = "tip"
        _ = try await installer.install(branch)
        var pinned = InstallOptions(source: repo.url + "#" + repo.commits[0])
        pinned.name = "pinned"
        _ = try await installer.install(pinned)

        let newTip = try repo.commit([".agentsmesh/rules/style.md": "---\ndescription: Style v3\n---\nStyle three.\n"], message: "four")
        let data = try await installer.refresh(names: [], dryRun: false)
        #expect(data.failed.isEmpty)
        let tip = try #require(data.refreshed.first { $0.name == "tip" })
        #expect(tip.changed && tip.from == repo.commits[2] && tip.to == newTip)
        let pin = try #require(data.refreshed.first { $0.name == "pinned" })
        #expect(!pin.changed && pin.to == repo.commits[0])
        #expect(PackFixtures.read(project, ".agentsmesh/packs/tip/rules/style.md")?.contains("Style three.") == true)
        #expect(PackFixtures.read(project, ".agentsmesh/packs/pinned/rules/style.md")?.contains("Style one.") == true)
        #expect(PackFixtures.read(project, ".agentsmesh/installs.yaml")?.contains("refreshed_at: ") == true)
        // The project's generated output follows the first pack by name ("pinned" < "tip").
        #expect(PackFixtures.read(project, ".claude/rules/style.md")?.contains("Style one.") == true)
        #expect(try Checker.check(root: project).inSync)
    }

    @Test func refreshReportsPerPackFailures() async throws {
        let repo = try PackFixtures.makeRepo()
        let cache = try PackFixtures.tempDir("cache")
        let project = try await PackFixtures.makeProject()
        let installer = PackFixtures.installer(project, cache: cache)
        var ok = InstallOptions(source: repo.url + "#main")
        ok.name = "ok"
        _ = try await installer.install(ok)
        var gone = InstallOptions(source: repo.url + "#next")
        gone.name = "gone"
        _ = try await installer.install(gone)
        try PackFixtures.sh("git push -q origin --delete next", in: repo.work)
        _ = try repo.commit([".agentsmesh/rules/new.md": "New.\n"], message: "five")
        let data = try await installer.refresh(names: [], dryRun: false)
        #expect(data.failed.map(\.name) == ["gone"])
        #expect(data.failed.first?.code == "REFRESH_RESOLVE_FAILED")
        #expect(data.refreshed.map(\.name) == ["ok"])
        #expect(FileManager.default.fileExists(atPath: project + "/.agentsmesh/packs/ok/rules/new.md"))
        #expect(FileManager.default.fileExists(atPath: project + "/.agentsmesh/packs/gone/rules/style.md"))
    }

    @Test func reinstallReplacesRemovedFilesAndUninstallRestoresOutputs() async throws {
        let repo = try PackFixtures.makeRepo()
        let cache = try PackFixtures.tempDir("cache")
        let project = try await PackFixtures.makeProject()
        let before = PackFixtures.snapshot(project).filter { !$0.key.hasPrefix(".agentsmesh/") }
        let installer = PackFixtures.installer(project, cache: cache)
        _ = try await installer.install(InstallOptions(source: repo.url + "#main"))
        #expect(FileManager.default.fileExists(atPath: project + "/.claude/rules/extra.md"))
        _ = try repo.commit([:], message: "drop extra", remove: [".agentsmesh/rules/extra.md"])
        _ = try await installer.install(InstallOptions(source: repo.url + "#main"))
        #expect(!FileManager.default.fileExists(atPath: project + "/.agentsmesh/packs/origin/rules/extra.md"))
        #expect(!FileManager.default.fileExists(atPath: project + "/.claude/rules/extra.md"))

        let removed = try await installer.uninstall(names: ["origin"], all: false, keepPack: false, keepGenerated: false, dryRun: false)
        #expect(removed.removed.map(\.name) == ["origin"])
        #expect(!FileManager.default.fileExists(atPath: project + "/.agentsmesh/packs/origin"))
        #expect(
            PackFixtures.read(project, ".agentsmesh/installs.yaml")
                == "# Managed by agentsmesh install/uninstall/refresh.\nversion: 1\ninstalls: []\n")
        let after = PackFixtures.snapshot(project).filter { !$0.key.hasPrefix(".agentsmesh/") }
        #expect(after == before)
        let missing = try await installer.uninstall(names: ["nope"], all: false, keepPack: false, keepGenerated: false, dryRun: false)
        #expect(missing.failed.first?.code == "NOT_FOUND")
    }

    @Test func consentGatesElevatedFilesFromRemoteSources() async throws {
        let repo = try PackFixtures.makeRepo()
        let cache = try PackFixtures.tempDir("cache")
        let project = try await PackFixtures.makeProject()
        let installer = PackFixtures.installer(project, cache: cache)
        var plain = InstallOptions(source: repo.url + "#v1")
        plain.name = "plain"
        let refused = try await installer.install(plain)
        #expect(!FileManager.default.fileExists(atPath: project + "/.agentsmesh/packs/plain/hooks.yaml"))
        #expect(refused.skipped.contains { $0.kind == "hooks" })
        var accepted = InstallOptions(source: repo.url + "#v1")
        accepted.name = "accepted"
        accepted.accept = ["hooks"]
        _ = try await installer.install(accepted)
        #expect(FileManager.default.fileExists(atPath: project + "/.agentsmesh/packs/accepted/hooks.yaml"))
        #expect(PackFixtures.read(project, ".agentsmesh/installs.yaml")?.contains("    accepted_elevated:\n      - hooks\n") == true)
        let settings = try JSONParser.parse(try #require(PackFixtures.read(project, ".claude/settings.json")))
        #expect(settings["hooks"]?["PostToolUse"]?.arrayValue?.first?["hooks"]?.arrayValue?.first?["command"] == "echo from-pack")
    }

    @Test func sourcesAreVettedBeforeAnyFetch() async throws {
        let project = try await PackFixtures.makeProject()
        let cache = try PackFixtures.tempDir("cache")
        func code(_ source: String, env: [String: String]) async -> String? {
            do {
                _ = try await PackInstaller(root: project, environment: env, lockTimeout: 5) { () throws(ToolError) -> [Diagnostic] in [] }
                    .install(InstallOptions(source: source))
                return nil
            } catch {
                return error.code
            }
        }
        let noLocal = ["AGENTSMESH_CACHE": cache]
        #expect(await code("git+ftp://h/x", env: noLocal) == "SOURCE_REFUSED")
        #expect(await code("git+file:///tmp/repo", env: noLocal) == "SOURCE_REFUSED")
        #expect(await code("-rf", env: noLocal) == "SOURCE_REFUSED")
        #expect(await code("github:org/repo@-x", env: noLocal) == "SOURCE_REFUSED")
        #expect(await code("https://example.test/x.zip", env: noLocal) == "SOURCE_REFUSED")
        do {
            _ = try await PackInstaller(root: project, environment: noLocal, lockTimeout: 5) { () throws(ToolError) -> [Diagnostic] in [] }
                .install(InstallOptions(source: "git+https://u:s3cret@127.0.0.1:1/x#v1"))
            Issue.record("expected FETCH_FAILED")
        } catch {
            #expect(error.code == "FETCH_FAILED")
            #expect(error.message.contains("***"))
            #expect(!error.message.contains("s3cret"))
        }
        #expect(!FileManager.default.fileExists(atPath: project + "/.agentsmesh/packs"))
    }

    @Test func concurrentInstallsIntoOneProjectBothComplete() async throws {
        let repo = try PackFixtures.makeRepo()
        let cache = try PackFixtures.tempDir("cache")
        let project = try await PackFixtures.makeProject()
        var a = InstallOptions(source: repo.url + "#v1")
        a.name = "a"
        var b = InstallOptions(source: repo.url + "#next")
        b.name = "b"
        // Two installer actors: the cross-process lock file serialises them. The second waits as long as the first
        // takes, which on a loaded 2-core machine (every suite runs in parallel) can be far more than 10 s.
        async let first = PackFixtures.installer(project, cache: cache, lockTimeout: 300).install(a)
        async let second = PackFixtures.installer(project, cache: cache + "-2", lockTimeout: 300).install(b)
        _ = try await (first, second)
        let installs = try #require(try InstallsFile.read(root: project))
        #expect(installs.rows.compactMap { $0["name"]?.stringValue } == ["a", "b"])
        #expect(FileManager.default.fileExists(atPath: project + "/.agentsmesh/packs/a/rules/style.md"))
        #expect(FileManager.default.fileExists(atPath: project + "/.agentsmesh/packs/b/rules/style.md"))
        #expect(try Checker.check(root: project).inSync)
    }
}
