import Canonical
import MeshKit

/// The registry of implemented target projectors.
public enum Targets {
    /// Projectors in first-class order.
    public static let all: [any TargetProjector] = [ClaudeCodeProjector(), CursorProjector(), GeminiCLIProjector()]

    public static func projector(_ id: String) -> (any TargetProjector)? { all.first { $0.id == id } }

    /// Parses a `--targets a,b` value: every id must be known (else `USAGE`).
    public static func parseList(_ text: String?) throws(ToolError) -> [String]? {
        guard let text else { return nil }
        let ids = text.split(separator: ",").map { String($0).trimmedWhitespace() }.filter { !$0.isEmpty }
        for id in ids where !TargetID.isKnown(id) {
            throw ToolError(ErrorCode.usage, "unknown target '\(id)'; known targets: \(TargetID.firstClass.joined(separator: ", ")) (and \(TargetID.planned.count) planned ids)")
        }
        guard !ids.isEmpty else { throw ToolError(ErrorCode.usage, "--targets needs at least one target id") }
        return ids
    }
}

