internal import SharedCore
internal import SharedPlatform

/// Unbuffered writes to stdout/stderr.
enum Output {
    static func stdout(_ text: String) { write(1, text) }
    static func stderr(_ text: String) { write(2, text) }

    private static func write(_ fd: Int32, _ text: String) {
        var bytes = Array(text.utf8)[...]
        while !bytes.isEmpty {
            let n = bytes.withUnsafeBytes { SharedPlatform.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return }
            bytes = bytes.dropFirst(n)
        }
    }

    /// Whether a descriptor is a terminal.
    static func isTTY(_ fd: Int32) -> Bool { isatty(fd) != 0 }

    /// A compact human description of drift/lint details.
    static func describe(_ details: JSONValue) -> String {
        guard let object = details.objectValue else { return "" }
        var lines: [String] = []
        for (key, value) in object {
            if let items = value.arrayValue, !items.isEmpty, items.allSatisfy({ $0.stringValue != nil }) {
                lines.append("  \(key): \(items.compactMap(\.stringValue).joined(separator: ", "))")
            }
        }
        return lines.isEmpty ? "" : lines.joined(separator: "\n") + "\n"
    }
}
