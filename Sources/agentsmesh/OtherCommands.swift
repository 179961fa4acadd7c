internal import AgentsMeshCanonical
internal import AgentsMeshGeneration
internal import AgentsMeshKit
internal import ArgumentParser
internal import Dispatch
internal import SharedCore
internal import SharedPlatform

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create agentsmesh.yaml and a starter .agentsmesh/ folder, then generate.")

    @Flag(help: "Import detected tool configs without asking.")
    var yes = false
    @OptionGroup var selection: TargetedOptions
    @Flag(help: "Enable all three first-class targets.")
    var allTargets = false
    @Flag(help: "Seed the lessons memory (.agentsmesh/lessons/, the lessons skill, the contract in _root.md).")
    var lessons = false

    func run() async throws {
        try await selection.run("init") { (targets) throws(ToolError) in
            let root = FileSystem.currentDirectory()
            let data = try await Initializer.run(
                root: root, options: .init(yes: yes, targets: targets, allTargets: allTargets, lessons: lessons))
            var text = "Initialised agentsmesh for \(data["targets"]?.stringList?.joined(separator: ", ") ?? "")."
            for path in data["created"]?.stringList ?? [] { text += "\ncreated \(path)" }
            for item in data["imported"]?.arrayValue ?? [] { text += "\nimported \(item["path"]?.stringValue ?? "")" }
            for item in data["removed"]?.arrayValue ?? [] {
                if let now = item["renamedTo"]?.stringValue {
                    text +=
                        "\nrenamed \(item["path"]?.stringValue ?? "") -> \(now) (imported into .agentsmesh/; generated under its new name)"
                } else {
                    text += "\nremoved \(item["path"]?.stringValue ?? ""): \(item["reason"]?.stringValue ?? "")"
                }
            }
            for item in data["skipped"]?.arrayValue ?? [] {
                text +=
                    "\nnot imported: \(item["kind"]?.stringValue ?? "") \(item["name"]?.stringValue ?? ""): \(item["reason"]?.stringValue ?? "")"
            }
            for item in data["warnings"]?.arrayValue ?? [] where item["code"] != "IMPORT_SKIPPED" {
                text += "\nwarning \(item["code"]?.stringValue ?? ""): \(item["message"]?.stringValue ?? "")"
            }
            let counts = data["generated"]?["counts"]
            text += "\nGenerated \((counts?["create"]?.intValue ?? 0) + (counts?["update"]?.intValue ?? 0)) file(s)."
            return VerbOutput(data, text)
        }
    }
}

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "diff", abstract: "Show what generate would change, as unified diffs.")

    @OptionGroup var selection: TargetedOptions

    func run() async throws {
        try await selection.run("diff") { (targets) throws(ToolError) in
            let changes = try DiffPlanner.diff(root: try projectRoot(), targets: targets)
            let text = changes.isEmpty ? "No changes." : changes.map(\.patch).joined()
            return VerbOutput(DiffPlanner.json(changes), text)
        }
    }
}

struct LintCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "lint", abstract: "Validate the canonical files; exit 1 on errors.")

    @OptionGroup var selection: TargetedOptions

    func run() async throws {
        try await selection.run("lint") { (targets) throws(ToolError) in
            let diagnostics = try Linter.lint(root: try projectRoot(), targets: targets)
            let data = Linter.json(diagnostics)
            if diagnostics.contains(where: { $0.severity == "error" }) {
                throw ToolError(ErrorCode.lintFailed, "lint found \(data["errorCount"]?.intValue ?? 0) error(s)", details: data)
            }
            let text =
                diagnostics.isEmpty
                ? "No problems found." : diagnostics.map { "\($0.severity): \($0.code): \($0.message)" }.joined(separator: "\n")
            return VerbOutput(data, text)
        }
    }
}

struct ImportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "import", abstract: "Import a tool's native files into .agentsmesh/.")

    @Option(help: "Target to import from: claude-code, cursor or gemini-cli.")
    var from: String
    @Option(help: "Comma-separated features to import (default: all).")
    var features: String?
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("import", json: output.json) { () throws(ToolError) in
            let data = try Importer.run(root: try projectRoot(), from: from, features: try FeatureList.parse(features))
            let text = data.imported.isEmpty ? "nothing to import" : data.imported.map { "imported \($0.path)" }.joined(separator: "\n")
            return VerbOutput(data.json, warningLines(data.warnings) + text)
        }
    }
}

struct ConvertCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert", abstract: "Convert one tool's native files into another's without touching .agentsmesh/.")

    @Option(help: "Source target id.")
    var from: String
    @Option(help: "Destination target id.")
    var to: String
    @Flag(help: "Print what would change and write nothing.")
    var dryRun = false
    @Flag(help: "Overwrite existing files that agentsmesh did not generate.")
    var force = false
    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("convert", json: output.json) { () throws(ToolError) in
            let root = (try? projectRoot()) ?? FileSystem.currentDirectory()
            let result = try Converter.convert(root: root, from: from, to: to, dryRun: dryRun, force: force)
            var data = result.json
            if case .object(var object) = data {
                object["lockfileUpdated"] = nil
                data = .object(object)
            }
            return VerbOutput(data, GenerateText.render(result))
        }
    }
}

struct MergeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "merge", abstract: "Rebuild .agentsmesh/.lock after a git merge conflict.")

    @OptionGroup var output: OutputOptions

    func run() async throws {
        try await runVerb("merge", json: output.json) { () throws(ToolError) in
            let data = try LockMerge.merge(root: try projectRoot())
            return VerbOutput(
                data,
                "Rebuilt .agentsmesh/.lock (\(data["checksums"]?.intValue ?? 0) canonical files, \(data["outputs"]?.intValue ?? 0) outputs)."
            )
        }
    }
}

struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch", abstract: "Regenerate whenever canonical files change (Ctrl-C to stop).")

    @Flag(help: "Poll every 500 ms instead of using inotify.")
    var poll = false

    func run() async throws {
        let root: String
        do {
            root = try projectRoot()
        } catch {
            Output.stderr("error: \(error.code): \(error.message)\n")
            throw ExitCode(1)
        }
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT)
        let task = Task {
            await WatchLoop.run(root: root, forcePolling: poll) { outcome in
                switch outcome {
                case .success(let result):
                    Output.stdout(GenerateText.render(result) + "\n")
                case .failure(let error):
                    Output.stderr("error: \(error.code): \(error.message)\n")
                }
            }
        }
        source.setEventHandler { task.cancel() }
        source.resume()
        Output.stderr("Watching \(ConfigLoader.projectFile) and .agentsmesh/ (Ctrl-C to stop)\n")
        await task.value
        source.cancel()
    }
}

/// `--features a,b` parsing.
enum FeatureList {
    static func parse(_ text: String?) throws(ToolError) -> [Feature]? {
        guard let text else { return nil }
        var out: [Feature] = []
        for name in text.split(separator: ",").map({ String($0).trimmedWhitespace() }) where !name.isEmpty {
            guard let feature = Feature(rawValue: name) else {
                throw ToolError(
                    ErrorCode.usage, "unknown feature '\(name)'; features: \(Feature.all.map(\.rawValue).joined(separator: ", "))")
            }
            out.append(feature)
        }
        return out
    }
}
