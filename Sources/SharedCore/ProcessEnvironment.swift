internal import SharedPlatform

/// Read access to the process environment.
public enum ProcessEnvironment {
    /// One variable, or `nil` when unset.
    public static func value(_ name: String) -> String? {
        guard let raw = getenv(name) else { return nil }
        return String(cString: raw)
    }

    /// The whole environment as a dictionary (a snapshot; read it once per call site that needs it).
    public static var current: [String: String] {
        var result: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let pair = String(cString: entry)
            if let equals = pair.firstIndex(of: "=") {
                result[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            pointer = pointer.advanced(by: 1)
        }
        return result
    }
}
