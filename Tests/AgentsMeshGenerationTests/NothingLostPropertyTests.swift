import AgentsMeshGeneration
import Foundation
import SharedCore
import Testing

/// A small deterministic generator (SplitMix64): a failing seed reproduces the same project.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Issue 11's guarantee as a property: random mixes of the forms real projects hold, through `init --yes`,
/// keep every instruction line, hook and MCP server; `check` is clean; a second `generate` writes nothing.
@Suite struct NothingLostPropertyTests {
    static let words = ["build", "test", "deploy", "review", "style", "api", "docs", "lint", "db", "release"]

    /// Markdown blocks of the kinds the merge must keep whole.
    static func block(_ r: inout SeededRandom, _ tag: String) -> String {
        let w = { (r: inout SeededRandom) in words.randomElement(using: &r) ?? "x" }
        switch Int.random(in: 0..<5, using: &r) {
        case 0: return "## \(w(&r).capitalized) \(tag)"
        case 1: return "Always \(w(&r)) before \(w(&r)) (\(tag))."
        case 2: return "```bash\n# \(w(&r)) the \(w(&r)) \(tag)\nmake \(w(&r))\n\nmake \(w(&r))\n```"
        case 3: return "- \(w(&r)) first \(tag)\n- then \(w(&r))\n  - nested \(w(&r))"
        default: return "> Note \(tag): see docs/\(w(&r)).md"
        }
    }

    static func document(_ r: inout SeededRandom, tag: String, shared: [String]) -> String {
        var blocks = (0..<Int.random(in: 1...4, using: &r)).map { block(&r, "\(tag)-\($0)") }
        for item in shared where Bool.random(using: &r) { blocks.insert(item, at: Int.random(in: 0...blocks.count, using: &r)) }
        return blocks.joined(separator: "\n\n") + (Bool.random(using: &r) ? "\n" : "")
    }

    static func makeProject(seed: UInt64) throws -> (project: TestProject, original: TestProject) {
        var r = SeededRandom(state: seed)
        var files: [String: String] = [:]
        let shared = (0..<2).map { block(&r, "shared\($0)") }
        for root in ["CLAUDE.md", "GEMINI.md", "AGENTS.md", ".cursorrules"] where Int.random(in: 0..<3, using: &r) > 0 {
            files[root] = document(&r, tag: root, shared: shared)
        }
        // Cursor rules in nested folders, with repeated basenames and the frontmatter Cursor writes.
        for i in 0..<Int.random(in: 0...4, using: &r) {
            let folder = ["", "sub/", "web/"].randomElement(using: &r) ?? ""
            let name = ["style", "api", "rule\(i)"].randomElement(using: &r) ?? "r"
            var fm: [String] = []
            switch Int.random(in: 0..<4, using: &r) {
            case 0: fm = ["description: Rule \(i): \(words[i % words.count])", "globs: **/*.ts", "alwaysApply: false"]
            case 1: fm = ["alwaysApply: true"]
            case 2: fm = ["globs: src/**/*.tsx, tests/**/*.ts"]
            default: fm = ["description: Only a description \(i)"]
            }
            files[".cursor/rules/\(folder)\(name).mdc"] =
                "---\n" + fm.joined(separator: "\n") + "\n---\n" + document(&r, tag: "mdc\(i)", shared: [])
        }
        // Claude rules (nested, old `globs:` key) and commands (namespaces, comma lists with parentheses).
        for i in 0..<Int.random(in: 0...3, using: &r) {
            let folder = ["", "backend/", "frontend/"].randomElement(using: &r) ?? ""
            let key = Bool.random(using: &r) ? "paths:\n  - src/\(i)/**" : "globs: lib/\(i)/**"
            files[".claude/rules/\(folder)api\(i % 2).md"] = "---\n\(key)\n---\n" + document(&r, tag: "claude-rule\(i)", shared: [])
        }
        for i in 0..<Int.random(in: 0...3, using: &r) {
            let folder = ["", "db/", "git/"].randomElement(using: &r) ?? ""
            files[".claude/commands/\(folder)cmd\(i).md"] =
                "---\ndescription: Command \(i)\nallowed-tools: Bash(git log --format=%h,%s:*), Read\n---\nRun it for $ARGUMENTS.\n"
        }
        for i in 0..<Int.random(in: 0...2, using: &r) {
            files[".gemini/commands/g\(i).toml"] =
                "description = \"Gemini \(i)\"\nprompt = \"\"\"\nDo {{args}} now.\nKeep `$ARGUMENTS` literal here.\n\"\"\"\n"
        }
        // Hooks with events only one tool has, and MCP servers of one name defined alike or differently.
        if Bool.random(using: &r) {
            files[".claude/settings.json"] = """
                {"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"./guard-\(seed % 7).sh"}]}],\
                "PermissionRequest":[{"hooks":[{"type":"command","command":"./perm.sh"}]}]},"model":"sonnet"}
                """
        }
        if Bool.random(using: &r) {
            files[".gemini/settings.json"] = """
                {"hooks":{"BeforeModel":[{"hooks":[{"type":"command","command":"./model.sh"}]}],\
                "SessionStart":[{"matcher":"startup","hooks":[{"type":"command","command":"./hi.sh"}]}]},\
                "mcpServers":{"db":{"command":"db-\(Int.random(in: 0..<2, using: &r))"}}}
                """
        }
        if Bool.random(using: &r) {
            files[".cursor/hooks.json"] =
                "{\"version\":1,\"hooks\":{\"beforeShellExecution\":[{\"command\":\"./shell.sh\"}],\"stop\":[{\"command\":\"./stop.sh\"}]}}"
        }
        if Bool.random(using: &r) {
            files[".mcp.json"] =
                "{\"mcpServers\":{\"db\":{\"command\":\"db-\(Int.random(in: 0..<2, using: &r))\"},\"web\":{\"url\":\"https://w.example.test\"}}}"
        }
        if Bool.random(using: &r) {
            files[".cursor/mcp.json"] = "{\"mcpServers\":{\"db\":{\"command\":\"db-\(Int.random(in: 0..<2, using: &r))\"}}}"
        }
        let linkSkill = Bool.random(using: &r)
        if linkSkill {
            files["shared/skills/notes/SKILL.md"] = "---\ndescription: Notes\n---\nUse ./template.md.\n"
            files["shared/skills/notes/template.md"] = "# Template\n"
        }
        if files.keys.allSatisfy({ $0.hasPrefix("shared/") }) { files["CLAUDE.md"] = "# Only root\n" }
        let project = try TestProject(files)
        let original = try TestProject(files)
        if linkSkill {
            for p in [project, original] {
                try FileManager.default.createDirectory(atPath: p.root + "/.claude/skills", withIntermediateDirectories: true)
                try FileManager.default.createSymbolicLink(
                    atPath: p.root + "/.claude/skills/notes", withDestinationPath: "../../shared/skills/notes")
            }
        }
        return (project, original)
    }

    @Test(arguments: Array(UInt64(1)...UInt64(40)))
    func initLosesNothingAndSettles(seed: UInt64) async throws {
        let (project, original) = try Self.makeProject(seed: seed)
        _ = try await Initializer.run(root: project.root, options: .init(yes: true))
        let losses = try NothingLost.losses(original: original.root, project: project.root)
        #expect(losses.isEmpty, "seed \(seed): \(losses)")
        let check = try Checker.check(root: project.root)
        #expect(check.inSync, "seed \(seed): \(check.advice)")
        let again = try await project.generate()
        #expect(again.files.allSatisfy { $0.status == .unchanged }, "seed \(seed): \(again.files.filter { $0.status != .unchanged })")
        let problems = try ToolSchemaFacts.problems(root: project.root)
        #expect(problems.isEmpty, "seed \(seed): \(problems)")
        #expect(original.read("shared/skills/notes/SKILL.md") == project.read("shared/skills/notes/SKILL.md"))
    }
}
