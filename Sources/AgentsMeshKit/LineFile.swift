package import SharedCore

/// Line-oriented files users also edit (`.gitignore`, `.gitattributes`).
package enum LineFile {
    /// Appends each of `lines` that the file does not already hold (compared trimmed); creates the file when
    /// missing. Returns whether the file changed.
    @discardableResult
    package static func appendMissing(_ lines: [String], to path: String, displayPath: String) throws(ToolError) -> Bool {
        var text = (try FileSystem.readIfExists(path, displayPath: displayPath)).map { String(decoding: $0, as: UTF8.self) } ?? ""
        let present = Set(text.split(separator: "\n").map { String($0).trimmedWhitespace() })
        var missing: [String] = []
        for line in lines where !present.contains(line) && !missing.contains(line) { missing.append(line) }
        guard !missing.isEmpty else { return false }
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += missing.joined(separator: "\n") + "\n"
        try AtomicFile.write(text, to: path, displayPath: displayPath)
        return true
    }
}
