import AgentsMeshCanonical
import AgentsMeshGeneration
import AgentsMeshPacks
import Foundation
import SharedCore
import Testing

/// `extends:` (§2.1, §2.12): sources resolved at generate, merged under packs and the project, recorded in the
/// lock, checked for drift, cached, and written or removed by `install --extends` / `uninstall`.
@Suite struct ExtendsTests {
    static func generate(_ root: String, cache: String, mode: ExtendsCacheMode = .cached) async throws -> GenerateResult {
        var options = GenerateOptions(lockTimeout: 10)
        options.environment = PackFixtures.environment(cache: cache)
        options.extendsMode = mode
        return try await Generator(root: root).generate(options)
    }

    /// SHA-256 of the sorted `<relpath>:<sha256 hex>` lines, computed here from Foundation's file listing.
    static func folderHash(_ folder: String) throws -> String {
        let enumerator = try #require(FileManager.default.enumerator(atPath: folder))
        var lines: [String] = []
        while let rel = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder + "/" + rel, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            let bytes = try #require(FileManager.default.contents(atPath: folder + "/" + rel))
            lines.append(rel + ":" + SHA256.hex([UInt8](bytes)))
        }
        return SHA256.hex(lines.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.joined(separator: "\n"))
    }

    @Test func localExtendsMergeUnderTheProjectLaterEntriesWinAndTheLockRecordsTheirHash() async throws {
        let base = try PackFixtures.tempDir("ext")
        let cache = try PackFixtures.tempDir("cache")
        try PackFixtures.write(
            base,
            [
                "a/.agentsmesh/rules/_root.md": "---\nroot: true\n---\nRoot of a.\n",
                "a/.agentsmesh/rules/shared.md": "---\ndescription: from a\n---\nShared from a.\n",
                "a/.agentsmesh/rules/only-a.md": "---\ndescription: only a\n---\nOnly a.\n",
                "a/.agentsmesh/rules/mine.md": "---\ndescription: a's mine\n---\nShadowed by the project.\n",
                "a/.agentsmesh/rules/both.md": "---\ndescription: a's both\n---\nShadowed by the pack.\n",
                "a/.agentsmesh/permissions.yaml": "allow:\n  - Bash(npm test)\n  - Read\n",
                "a/.agentsmesh/hooks.yaml":
                    "PreToolUse:\n  - matcher: Bash\n    type: command\n    command: echo a-pre\nPostToolUse:\n  - matcher: Write\n    type: command\n    command: echo a-post\n",
                "b/.agentsmesh/rules/shared.md": "---\ndescription: from b\n---\nShared from b.\n",
                "b/.agentsmesh/commands/ship.md": "---\ndescription: Ship\n---\nShip it.\n",
                "b/.agentsmesh/commands/skip.md": "---\ndescription: Skip\n---\nNot picked.\n",
                "b/.agentsmesh/agents/helper.md": "---\nname: helper\ndescription: Helper\n---\nHelp.\n",
            ])
        let root = try PackFixtures.tempDir("proj")
        try PackFixtures.write(
            root,
            [
                "agentsmesh.yaml": """
                version: 1
                targets: [claude-code]
                extends:
                  - name: a
                    source: \(base)/a
                  - name: b
                    source: \(base)/b
                    features: [rules, commands]
                    pick:
                      commands: [ship, gone]

                """,
                ".agentsmesh/rules/_root.md": "---\nroot: true\n---\n# Project\n",
                ".agentsmesh/rules/mine.md": "---\ndescription: Mine\n---\nProject rule.\n",
                ".agentsmesh/permissions.yaml": "allow:\n  - Read\n  - Edit\n",
                ".agentsmesh/hooks.yaml": "PreToolUse:\n  - matcher: Edit\n    type: command\n    command: echo project-pre\n",
                // An installed pack sits between the project and the extends.
                ".agentsmesh/packs/p/rules/both.md": "---\ndescription: pack's both\n---\nFrom the pack.\n",
                ".agentsmesh/packs/p/hooks.yaml":
                    "PostToolUse:\n  - matcher: Write\n    type: command\n    command: echo pack-post\n  - matcher: Write\n    type: command\n    command: echo a-post\n",
            ])
        let result = try await Self.generate(root, cache: cache)
        let codes = result.warnings.map(\.code)
        #expect(codes.contains("ROOT_DEMOTED"))
        #expect(result.warnings.contains { $0.code == "EXTEND_PICK_MISSING" && $0.message.contains("'gone'") })

        // Later entry beats earlier; the project beats both; the project root stays; a's root is demoted.
        #expect(PackFixtures.read(root, ".claude/rules/shared.md") == "---\ndescription: from b\n---\n\nShared from b.")
        #expect(PackFixtures.read(root, ".claude/rules/mine.md") == "---\ndescription: Mine\n---\n\nProject rule.")
        #expect(PackFixtures.read(root, ".claude/rules/only-a.md") == "---\ndescription: only a\n---\n\nOnly a.")
        #expect(PackFixtures.read(root, ".claude/rules/a-root.md")?.hasSuffix("Root of a.") == true)
        #expect(PackFixtures.read(root, "CLAUDE.md")?.contains("# Project") == true)
        #expect(PackFixtures.read(root, "CLAUDE.md")?.contains("Root of a.") == false)
        // pick and features: only `ship` of b's commands, none of b's agents.
        #expect(PackFixtures.read(root, ".claude/commands/ship.md") != nil)
        #expect(PackFixtures.read(root, ".claude/commands/skip.md") == nil)
        #expect(PackFixtures.read(root, ".claude/agents/helper.md") == nil)

        // Permissions: project entries first, then the extend's, duplicates dropped. Hooks: the project's
        // PreToolUse replaces a's; a's PostToolUse is used since the project has none.
        let settings = try JSONParser.parse(bytes: Array(try #require(PackFixtures.read(root, ".claude/settings.json")).utf8))
        #expect(settings["permissions"]?["allow"]?.stringList == ["Read", "Edit", "Bash(npm test)"])
        let hooks = try #require(settings["hooks"]?.objectValue)
        #expect(hooks.keys.sorted() == ["PostToolUse", "PreToolUse"])
        #expect(JSONEmitter.compact(hooks["PreToolUse"] ?? .null).contains("project-pre"))
        #expect(!JSONEmitter.compact(hooks["PreToolUse"] ?? .null).contains("a-pre"))
        // a's PostToolUse list comes first; the pack's entries follow, its copy of a's entry dropped.
        let post = JSONEmitter.compact(hooks["PostToolUse"] ?? .null)
        #expect(post.components(separatedBy: "echo ").map { String($0.prefix(8)) }.dropFirst() == ["a-post\"}", "pack-pos"])
        #expect(PackFixtures.read(root, ".claude/rules/both.md") == "---\ndescription: pack's both\n---\n\nFrom the pack.")

        // The lock: local folders as `local:sha256:` of their content lines.
        let lock = try #require(PackFixtures.read(root, ".agentsmesh/.lock"))
        let hashA = try Self.folderHash(base + "/a")
        let hashB = try Self.folderHash(base + "/b")
        #expect(lock.contains("extends:\n  a: local:sha256:\(hashA)\n  b: local:sha256:\(hashB)\npacks:\n  p: sha256:"))
        #expect(try Checker.check(root: root, environment: PackFixtures.environment(cache: cache)).inSync)

        // Editing the extended folder is drift until the next generate.
        try PackFixtures.write(base, ["a/.agentsmesh/rules/only-a.md": "---\ndescription: only a\n---\nOnly a, edited.\n"])
        let drift = try Checker.check(root: root, environment: PackFixtures.environment(cache: cache))
        #expect(!drift.inSync)
        #expect(drift.extendsChanged == ["a"])
        let second = try await Self.generate(root, cache: cache)
        #expect(second.changes.map(\.path) == [".claude/rules/only-a.md"])
        #expect(try Checker.check(root: root, environment: PackFixtures.environment(cache: cache)).inSync)
        // Local sources are read in place: nothing was cached.
        #expect(FileSystem.list(cache + "/extends").isEmpty)
        // `merge` rebuilds the lock with the extends as they resolve now.
        _ = try LockMerge.merge(root: root)
        let rebuilt = try #require(PackFixtures.read(root, ".agentsmesh/.lock"))
        #expect(rebuilt.contains("extends:\n  a: local:sha256:\(try Self.folderHash(base + "/a"))\n  b: local:sha256:\(hashB)\n"))
    }

    @Test func gitExtendsAreCachedRefreshedOnRequestAndNeedConsentForElevatedFiles() async throws {
        let repo = try PackFixtures.makeRepo()
        let cache = try PackFixtures.tempDir("cache")
        let root = try PackFixtures.tempDir("proj")
        let config = { (accept: String) in
            "version: 1\ntargets: [claude-code]\nextends:\n  - name: shared\n    source: \(repo.url)\n    version: main\n\(accept)"
        }
        try PackFixtures.write(
            root, ["agentsmesh.yaml": config(""), ".agentsmesh/rules/_root.md": "---\nroot: true\n---\n# Project\n"])
        let first = try await Self.generate(root, cache: cache)
        #expect(first.warnings.contains { $0.code == "ELEVATED_STRIPPED" && $0.message.contains("accept: [hooks]") })
        #expect(PackFixtures.read(root, ".claude/rules/extra.md") != nil)
        #expect(PackFixtures.read(root, ".claude/commands/lint.md") != nil)
        #expect(PackFixtures.read(root, ".claude/settings.json")?.contains("from-pack") != true)
        #expect(PackFixtures.read(root, ".agentsmesh/.lock")?.contains("extends:\n  shared: \(repo.commits[2])\n") == true)
        let entries = FileSystem.list(cache + "/extends").filter { !$0.hasPrefix("tmp") }
        #expect(entries.count == 1)

        // A new commit on main: the cache still answers until a refresh is asked for.
        let fourth = try repo.commit([".agentsmesh/rules/extra.md": "Extra rule, revised.\n"], message: "four")
        let cached = try await Self.generate(root, cache: cache)
        #expect(cached.changes.isEmpty)
        #expect(PackFixtures.read(root, ".claude/rules/extra.md") == "Extra rule.")
        let refreshed = try await Self.generate(root, cache: cache, mode: .refresh)
        #expect(refreshed.changes.map(\.path) == [".claude/rules/extra.md"])
        #expect(PackFixtures.read(root, ".claude/rules/extra.md") == "Extra rule, revised.")
        #expect(PackFixtures.read(root, ".agentsmesh/.lock")?.contains("  shared: \(fourth)\n") == true)
        #expect(FileSystem.list(cache + "/extends").filter { !$0.hasPrefix("tmp") } == entries)

        // Consent through `accept:` brings the hooks in.
        try PackFixtures.write(root, ["agentsmesh.yaml": config("    accept: [hooks]\n")])
        let accepted = try await Self.generate(root, cache: cache)
        #expect(!accepted.warnings.contains { $0.code == "ELEVATED_STRIPPED" })
        #expect(PackFixtures.read(root, ".claude/settings.json")?.contains("echo from-pack") == true)

        // --no-cache: fetched into a temporary folder, nothing added to the cache, same outputs.
        let fresh = try PackFixtures.tempDir("cache")
        let uncached = try await Self.generate(root, cache: fresh, mode: .uncached)
        #expect(uncached.changes.isEmpty)
        #expect(FileSystem.list(fresh + "/extends").filter { $0 != "tmp" }.isEmpty)
        #expect(FileSystem.list(fresh + "/extends/tmp").isEmpty)
        #expect(!FileManager.default.fileExists(atPath: fresh + "/git"))
    }

    @Test func badEntriesAndSourcesAreRefusedWithTheirEntryNamed() async throws {
        let root = try PackFixtures.tempDir("proj")
        let cache = try PackFixtures.tempDir("cache")
        let cases: [(String, String, String)] = [
            ("  - source: ./x\n", "VALIDATION_FAILED", "extends[0]: `name` is required"),
            ("  - name: x\n", "VALIDATION_FAILED", "extends[0]: `source` is required"),
            ("  - name: x\n    source: ./x\n    as: prompts\n", "VALIDATION_FAILED", "`as` must be rules, commands, agents or skills"),
            (
                "  - name: x\n    source: ./x\n    pick:\n      hooks: [a]\n", "VALIDATION_FAILED",
                "pick takes rules, commands, agents or skills"
            ),
            ("  - name: x\n    source: ./x\n    accept: [everything]\n", "VALIDATION_FAILED", "`accept` must be a list drawn from"),
            ("  - name: x\n    source: ./x\n  - name: x\n    source: ./y\n", "VALIDATION_FAILED", "two extends entries are named 'x'"),
            ("  - name: x\n    source: http://example.com/a.git\n", "SOURCE_REFUSED", "extends 'x': refused source"),
            ("  - name: x\n    source: ./missing\n", "NOT_FOUND", "extends 'x': local source ./missing is not a folder"),
        ]
        for (entries, code, message) in cases {
            try PackFixtures.write(root, ["agentsmesh.yaml": "version: 1\ntargets: [claude-code]\nextends:\n" + entries])
            do {
                _ = try await Self.generate(root, cache: cache)
                Issue.record("expected \(code) for \(entries)")
            } catch let error as ToolError {
                #expect(error.code == code, "\(entries)")
                #expect(error.message.contains(message), "\(error.message)")
            }
        }
        // Nothing was generated by any of them.
        #expect(!FileManager.default.fileExists(atPath: root + "/.agentsmesh/.lock"))
    }

    @Test func installExtendsEditsTheConfigInPlaceAndUninstallTakesTheEntryOut() async throws {
        let base = try PackFixtures.tempDir("ext")
        let cache = try PackFixtures.tempDir("cache")
        try PackFixtures.write(
            base,
            [
                "team/rules/review.md": "---\ndescription: Review\n---\nReview carefully.\n",
                "company/rules/policy.md": "---\ndescription: Policy\n---\nFollow the policy.\n",
            ])
        let root = try await PackFixtures.makeProject()
        let original = """
            version: 1
            # our targets
            targets: [claude-code, cursor, gemini-cli]
            extends:
              # the company base
              - name: company
                source: \(base)/company   # kept as written

            """
        try PackFixtures.write(root, ["agentsmesh.yaml": original])
        let installer = PackFixtures.installer(root, cache: cache)

        var dry = InstallOptions(source: base + "/team")
        dry.extends = true
        dry.name = "review"
        dry.dryRun = true
        let planned = try await installer.install(dry)
        #expect(planned.installed.map(\.name) == ["review"])
        #expect(PackFixtures.read(root, "agentsmesh.yaml") == original)

        var options = dry
        options.dryRun = false
        let data = try await installer.install(options)
        #expect(data.asExtends)
        #expect(data.installed.map { "\($0.kind) \($0.name) \($0.path)" } == ["rule review agentsmesh.yaml"])
        #expect(PackFixtures.read(root, "agentsmesh.yaml") == original + "  - name: review\n    source: \(base)/team\n")
        #expect(PackFixtures.read(root, ".claude/rules/review.md") == "---\ndescription: Review\n---\n\nReview carefully.")
        #expect(FileSystem.list(root + "/.agentsmesh/packs").isEmpty)

        // The same name for another source is refused, and the file is untouched.
        var clash = InstallOptions(source: base)
        clash.extends = true
        clash.name = "review"
        await #expect(throws: ToolError.self) { _ = try await installer.install(clash) }
        do { _ = try await installer.install(clash) } catch { #expect(error.code == "PACK_NAME_COLLISION") }

        let removed = try await installer.uninstall(names: ["review"], all: false, keepPack: false, keepGenerated: false, dryRun: false)
        #expect(removed.removed.map(\.name) == ["review"])
        #expect(removed.removed.first?.extendsRemoved == true)
        #expect(removed.removed.first?.packPath == nil)
        #expect(PackFixtures.read(root, "agentsmesh.yaml") == original)
        #expect(PackFixtures.read(root, ".claude/rules/review.md") == nil)
        #expect(PackFixtures.read(root, ".claude/rules/policy.md") == "---\ndescription: Policy\n---\n\nFollow the policy.")
    }

    @Test func extendsBlockEditsKeepEveryOtherLine() throws {
        var entry = ExtendEntry(name: "new", source: "github:org/repo@v2")
        entry.accept = ["hooks"]
        let item = "  - name: new\n    source: github:org/repo@v2\n    accept:\n      - hooks\n"
        #expect(ExtendsBlock.appending(entry, to: "version: 1\n") == "version: 1\nextends:\n" + item)
        #expect(
            ExtendsBlock.appending(entry, to: "version: 1\nextends: []  # none yet\ntargets: [cursor]\n")
                == "version: 1\nextends:\n" + item + "targets: [cursor]\n")
        // Items indented by four keep their indentation; the blank line and the next key stay.
        let fourSpaces = "extends:\n    - name: a\n      source: ./a\n\n# trailing comment\ntargets: [cursor]\n"
        #expect(
            ExtendsBlock.appending(entry, to: fourSpaces)
                == "extends:\n    - name: a\n      source: ./a\n    - name: new\n      source: github:org/repo@v2\n      accept:\n        - hooks\n\n# trailing comment\ntargets: [cursor]\n"
        )
        let three =
            "extends:\n  # first\n  - name: a\n    source: ./a\n  # second\n  - name: b\n    source: ./b\n  - name: c\n    source: ./c\nfeatures: [rules]\n"
        #expect(
            ExtendsBlock.removing(named: "b", from: three)
                == "extends:\n  # first\n  - name: a\n    source: ./a\n  - name: c\n    source: ./c\nfeatures: [rules]\n")
        #expect(ExtendsBlock.removing(named: "zzz", from: three) == nil)
        #expect(ExtendsBlock.removing(named: "a", from: "extends:\n  - name: a\n    source: ./a\n") == "extends: []\n")
        #expect(
            ExtendsBlock.removing(named: "a", from: "extends: [{name: a, source: ./a}, {name: b, source: ./b}]\n")
                == "extends:\n  - name: b\n    source: ./b\n")
    }
}
