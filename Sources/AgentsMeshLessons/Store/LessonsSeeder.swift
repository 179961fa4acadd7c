internal import AgentsMeshKit
public import SharedCore

/// `agentsmesh init --lessons` (§6.7): seeds the lessons files, the skill, the git lines and the contract
/// block in `_root.md`. Idempotent: existing files are kept, lines and the block are added only when absent.
public enum LessonsSeeder {
    /// The block appended to `rules/_root.md`.
    public static let contractBlock = """
        <!-- agentsmesh:lessons-contract:start -->
        ## Lessons (project memory)
        Before editing a file run `agentsmesh lessons query --file <path>`; after solving a non-obvious problem record it with `agentsmesh lessons add`.
        <!-- agentsmesh:lessons-contract:end -->

        """

    static let contractStart = "<!-- agentsmesh:lessons-contract:start -->"

    /// The empty graph file: `{"lessons":{},"topics":{},"triggers":{},"version":2}` pretty-printed plus `\n`.
    public static var emptyGraphText: String { LessonGraph().serialized() }

    /// `skills/lessons/SKILL.md`.
    public static let skillText = """
        ---
        name: lessons
        description: Recall and record project lessons (things learned the hard way) with agentsmesh lessons.
        ---
        # Project lessons

        This project keeps a memory of non-obvious lessons in `.agentsmesh/lessons/lessons.json`.

        ## Recall before you act

        - Before editing a file: `agentsmesh lessons query --file <path>`
        - Before running a command: `agentsmesh lessons query --cmd "<command>"`
        - When exploring a subject: `agentsmesh lessons query --keyword <word>`

        Follow every lesson returned unless the user says otherwise.

        ## Record what you learned

        After solving a problem that was not obvious, record one short, imperative rule with at least one
        trigger that will recall it next time:

        ```
        agentsmesh lessons topics
        agentsmesh lessons add "Run swift build before swift test" --topic build --trigger-cmd "^swift test"
        agentsmesh lessons add "Regenerate fixtures after changing the emitter" --topic tests \\
          --new-topic --topic-summary "Test fixtures" --trigger-file "Sources/MeshKit/JSONEmitter.swift"
        ```

        Triggers: `--trigger-file <glob>` (e.g. `src/db/**`, `*.sql`), `--trigger-cmd <regex>`,
        `--trigger-kw <keyword>`. Retire a lesson that no longer holds with `agentsmesh lessons deprecate <id>`.

        """

    /// Seeds what is missing under `root`; returns the project-relative paths created or changed, in order.
    public static func seed(root: String) throws(ToolError) -> [String] {
        var changed: [String] = []
        func create(_ path: String, _ text: String) throws(ToolError) {
            let absolute = root + "/" + path
            guard FileSystem.kind(absolute) == .missing else { return }
            try AtomicFile.write(text, to: absolute, displayPath: path)
            changed.append(path)
        }
        try create(LessonsFiles.graph, emptyGraphText)
        try create(LessonsFiles.config, LessonsConfig.defaultFileText)
        try create(LessonsFiles.skill, skillText)
        if try LineFile.appendMissing(LessonsFiles.gitignoreLines, to: root + "/.gitignore", displayPath: ".gitignore") {
            changed.append(".gitignore")
        }
        if try LineFile.appendMissing(
            [LessonsFiles.gitattributesLine], to: root + "/.gitattributes", displayPath: ".gitattributes")
        {
            changed.append(".gitattributes")
        }
        if try appendContract(root: root) { changed.append(LessonsFiles.rootRule) }
        return changed
    }

    /// Appends the contract block to `_root.md` unless its start marker is already there.
    static func appendContract(root: String) throws(ToolError) -> Bool {
        let path = LessonsFiles.rootRule
        let absolute = root + "/" + path
        guard let bytes = try FileSystem.readIfExists(absolute, displayPath: path) else {
            try AtomicFile.write("---\nroot: true\n---\n" + contractBlock, to: absolute, displayPath: path)
            return true
        }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.contains(contractStart) { return false }
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        if !text.isEmpty && !text.hasSuffix("\n\n") { text += "\n" }
        text += contractBlock
        try AtomicFile.write(text, to: absolute, displayPath: path)
        return true
    }
}
