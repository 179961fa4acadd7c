internal import AgentsMeshGeneration
internal import AgentsMeshKit
internal import ArgumentParser
internal import SharedCore
internal import SharedPlatform

/// Entry point: usage errors exit 2 (not ArgumentParser's 64), with a JSON envelope under `--json`.
@main
enum Main {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        StageTimer.lap("main.start")
        do {
            var command = try AgentsMeshCommand.parseAsRoot(arguments)
            StageTimer.lap("main.parse")
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = AgentsMeshCommand.exitCode(for: error)
            if code == .success {
                Output.stdout(AgentsMeshCommand.fullMessage(for: error) + "\n")
                exit(0)
            }
            if let exitCode = error as? ExitCode { exit(exitCode.rawValue) }
            let message = AgentsMeshCommand.fullMessage(for: error)
            if arguments.contains("--json") {
                let words = arguments.filter { !$0.hasPrefix("-") }
                var verb = words.first ?? "agentsmesh"
                if verb == "lessons", words.count > 1 { verb += " " + words[1] }
                Output.stdout(
                    Envelope.failure(verb, ToolError(ErrorCode.usage, message.split(separator: "\n").first.map(String.init) ?? message)))
            } else {
                Output.stderr(message + "\n")
            }
            exit(code == .validationFailure || code.rawValue == 64 ? 2 : code.rawValue)
        }
    }
}
