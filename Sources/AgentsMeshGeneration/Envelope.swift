public import SharedCore

/// The `--json` envelopes and exit codes of §1.1.
public enum Envelope {
    public static func success(_ command: String, _ data: JSONValue) -> String {
        JSONEmitter.pretty(["success": true, "command": .string(command), "data": data]) + "\n"
    }

    public static func failure(_ command: String, _ error: ToolError) -> String {
        JSONEmitter.pretty(["success": false, "command": .string(command), "error": error.json]) + "\n"
    }

    /// Exit status for an error code: 2 usage, 130 abort, 1 everything else.
    public static func exitCode(for error: ToolError) -> Int32 {
        switch error.code {
        case ErrorCode.usage, "UNRECALLABLE_LESSON": return 2
        case ErrorCode.aborted: return 130
        default: return 1
        }
    }
}
