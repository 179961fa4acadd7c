internal import AgentsMeshCanonical
internal import AgentsMeshGeneration
internal import AgentsMeshKit
internal import AgentsMeshProjectors
internal import ArgumentParser
internal import Dispatch
internal import SharedCore
internal import SharedPlatform

/// The `agentsmesh` command line: argument parsing and printing only.
struct AgentsMeshCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agentsmesh",
        abstract: "One canonical .agentsmesh/ folder, projected into Claude Code, Cursor and Gemini CLI configs.",
        version: AgentsMeshVersion.current,
        subcommands: [
            InitCommand.self, GenerateCommand.self, CheckCommand.self, DiffCommand.self, LintCommand.self,
            ImportCommand.self, ConvertCommand.self, MergeCommand.self, MatrixCommand.self, WatchCommand.self,
            InstallCommand.self, UninstallCommand.self, InstallsCommand.self, RefreshCommand.self, LessonsCommand.self,
            MCPCommand.self,
        ]
    )
}

/// `--json` shared by every verb that supports it.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print one JSON envelope on stdout instead of text.")
    var json = false
}

/// `--targets` and `--json`, shared by the verbs that work on a list of targets (generate, diff, lint,
/// matrix, init): one option, one parse, one run-verb call.
struct TargetedOptions: ParsableArguments {
    @Option(help: "Comma-separated target ids: claude-code, cursor, gemini-cli (default: the config's targets).")
    var targets: String?
    @OptionGroup var output: OutputOptions

    /// Runs `body` with the parsed target list (nil: the config's) under `runVerb`.
    func run(_ verb: String, _ body: ([String]?) async throws(ToolError) -> VerbOutput) async throws {
        try await runVerb(verb, json: output.json) { () throws(ToolError) in try await body(try Targets.parseList(targets)) }
    }
}

/// What a verb prints: its envelope data or its text, each built only when that form is printed (a first
/// generate's result lists thousands of files).
struct VerbOutput {
    let data: () -> JSONValue
    let text: () -> String

    init(_ data: @autoclosure @escaping () -> JSONValue, _ text: @autoclosure @escaping () -> String) {
        self.data = data
        self.text = text
    }
}

/// Runs a verb body, printing the envelope or text and mapping errors to exit codes.
func runVerb(_ verb: String, json: Bool, _ body: () async throws(ToolError) -> VerbOutput) async throws {
    let interrupts = Interrupts.install()
    defer { for interrupt in interrupts { interrupt.cancel() } }
    do {
        let output = try await body()
        if json {
            Output.stdout(Envelope.success(verb, output.data()))
        } else if case let text = output.text(), !text.isEmpty {
            Output.stdout(text.hasSuffix("\n") ? text : text + "\n")
        }
        StageTimer.lap("\(verb).output")
    } catch {
        if json {
            Output.stdout(Envelope.failure(verb, error))
        } else {
            Output.stderr("error: \(error.code): \(error.message)\n")
            if let details = error.details, error.code == ErrorCode.drift || error.code == ErrorCode.lintFailed {
                Output.stderr(Output.describe(details))
            }
        }
        throw ExitCode(Envelope.exitCode(for: error))
    }
}

/// The project root for the current directory.
func projectRoot() throws(ToolError) -> String {
    try ProjectLocator.find(from: FileSystem.currentDirectory())
}

/// Human rendering of warnings.
func warningLines(_ warnings: [Diagnostic]) -> String {
    warnings.map { "warning: \($0.code): \($0.message)\n" }.joined()
}

/// SIGINT/SIGTERM while a verb runs: release held process locks, then exit 130 (143 for SIGTERM).
enum Interrupts {
    static func install() -> [any DispatchSourceSignal] {
        [(SIGINT, Int32(130)), (SIGTERM, Int32(143))].map { signalNumber, status in
            signal(signalNumber, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler {
                Task {
                    await HeldLocks.shared.releaseAll()
                    Output.stderr("interrupted\n")
                    exit(status)
                }
            }
            source.resume()
            return source
        }
    }
}
