import Canonical
import MeshKit
import Projectors

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

/// Finding the project root (§1): nearest ancestor of cwd holding `agentsmesh.yaml`, never `$HOME`.
public enum ProjectLocator {
    public static func find(from start: String) throws(ToolError) -> String {
        let home = ProcessEnvironment.value("HOME").flatMap { FileSystem.realPath($0) }
        var current = FileSystem.realPath(start) ?? start
        while true {
            if current != home, FileSystem.kind(current + "/" + ConfigLoader.projectFile) == .file { return current }
            guard let slash = current.lastIndex(of: "/"), current != "/" else { break }
            current = slash == current.startIndex ? "/" : String(current[..<slash])
        }
        throw ToolError(ErrorCode.noProject, "no \(ConfigLoader.projectFile) found in this folder or its parents; run `agentsmesh init`")
    }
}

/// Environment access in one place (keeps `ProcessInfo` out of the logic).
public enum ProcessEnvironment {
    public static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
