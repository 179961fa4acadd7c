public import SharedCore

/// The name rules of §2.10, applied to every path segment below the entity folders.
public enum NameRules {
    private static let deviceNames: Set<String> = {
        var names: Set<String> = ["CON", "PRN", "AUX", "NUL"]
        for i in 1...9 {
            names.insert("COM\(i)")
            names.insert("LPT\(i)")
        }
        return names
    }()

    /// The reason a segment is invalid, or `nil` when it is fine.
    public static func problem(with segment: String) -> String? {
        if segment.isEmpty { return "empty name" }
        if segment == "." || segment == ".." { return "'\(segment)' is not a name" }
        if segment.count > 64 { return "longer than 64 characters" }
        if segment.hasSuffix(".") || segment.hasSuffix(" ") { return "ends with '.' or a space" }
        for scalar in segment.unicodeScalars {
            if scalar.value < 0x20 || scalar.value == 0x7F { return "contains a control character" }
            if "<>:\"|?*\\".unicodeScalars.contains(scalar) { return "contains '\(scalar)'" }
        }
        let stem = segment.split(separator: ".", maxSplits: 1).first.map(String.init) ?? segment
        if deviceNames.contains(stem.uppercased()) { return "'\(stem)' is a reserved device name" }
        return nil
    }

    /// Throws `INVALID_NAME` when any segment of a relative path breaks the rules.
    public static func check(path: String, displayPath: String) throws(ToolError) {
        for segment in path.split(separator: "/", omittingEmptySubsequences: false) {
            if let problem = problem(with: String(segment)) {
                throw ToolError(
                    ErrorCode.invalidName, "\(displayPath): invalid name '\(segment)': \(problem)",
                    details: ["path": .string(displayPath)])
            }
        }
    }
}
