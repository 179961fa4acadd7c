// Hand-written: only the small TOML subset the targets write is read; a C++ TOML library would cost every build.
internal import AgentsMeshKit
internal import Foundation
public import SharedCore

/// A small TOML reader for the files agentsmesh writes and imports: top-level `key = value` pairs
/// and `[[array]]` tables; values are strings (all four forms), integers, floats and booleans.
public enum TOMLReader {
    /// A parsed document: top-level pairs and, per array-table name, its tables in order.
    public struct Document: Sendable {
        public var values = JSONObject()
        public var arrays: [String: [JSONObject]] = [:]
    }

    public struct Failure: Error, Sendable {
        public var line: Int
        public var message: String
    }

    public static func parse(_ text: String) throws(Failure) -> Document {
        var document = Document()
        let lines = text.replacingCRLF().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var current: (name: String, table: JSONObject)?
        func flush() {
            if let current { document.arrays[current.name, default: []].append(current.table) }
        }
        var index = 0
        while index < lines.count {
            let lineNumber = index + 1
            let line = lines[index].trimmedWhitespace()
            index += 1
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("[[") {
                guard let close = line.range(of: "]]") else { throw Failure(line: lineNumber, message: "unterminated table header") }
                flush()
                current = (String(line[line.index(line.startIndex, offsetBy: 2)..<close.lowerBound]).trimmedWhitespace(), JSONObject())
                continue
            }
            if line.hasPrefix("[") { throw Failure(line: lineNumber, message: "tables other than [[array]] are not supported") }
            guard let eq = line.firstIndex(of: "=") else { throw Failure(line: lineNumber, message: "expected key = value") }
            var key = String(line[..<eq]).trimmedWhitespace()
            if key.hasPrefix("\""), key.hasSuffix("\""), key.count >= 2 { key = String(key.dropFirst().dropLast()) }
            var rest = String(line[line.index(after: eq)...]).trimmedWhitespace()
            let value: JSONValue
            if rest.hasPrefix("\"\"\"") || rest.hasPrefix("'''") {
                let quote = String(rest.prefix(3))
                rest.removeFirst(3)
                var collected = rest
                while !closes(collected, quote) {
                    guard index < lines.count else { throw Failure(line: lineNumber, message: "unterminated multi-line string") }
                    collected += "\n" + lines[index]
                    index += 1
                }
                let end = closingIndex(collected, quote)
                var content = String(collected[..<end])
                if content.hasPrefix("\n") { content.removeFirst() }
                value = .string(quote == "'''" ? content : try unescape(content, line: lineNumber, multiline: true))
            } else if rest.hasPrefix("\"") {
                guard let end = closingQuote(rest) else { throw Failure(line: lineNumber, message: "unterminated string") }
                value = .string(try unescape(String(rest[rest.index(after: rest.startIndex)..<end]), line: lineNumber, multiline: false))
            } else if rest.hasPrefix("'") {
                let inner = rest.dropFirst()
                guard let end = inner.firstIndex(of: "'") else { throw Failure(line: lineNumber, message: "unterminated string") }
                value = .string(String(inner[..<end]))
            } else {
                let token = rest.split(separator: "#").first.map { String($0).trimmedWhitespace() } ?? rest
                if token == "true" || token == "false" {
                    value = .bool(token == "true")
                } else if let i = Int(token.replacingOccurrences(of: "_", with: "")) {
                    value = .int(i)
                } else if let d = Double(token) {
                    value = .double(d)
                } else {
                    throw Failure(line: lineNumber, message: "unsupported value '\(token)'")
                }
            }
            if current != nil {
                current?.table[key] = value
            } else {
                document.values[key] = value
            }
        }
        flush()
        return document
    }

    private static func closes(_ text: String, _ quote: String) -> Bool {
        text.range(of: quote) != nil && closingIndexOptional(text, quote) != nil
    }

    private static func closingIndexOptional(_ text: String, _ quote: String) -> String.Index? {
        var search = text.startIndex
        while let r = text.range(of: quote, range: search..<text.endIndex) {
            if quote == "\"\"\"" {
                // An escaped quote (odd number of backslashes before) does not close.
                var backslashes = 0
                var i = r.lowerBound
                while i > text.startIndex {
                    i = text.index(before: i)
                    if text[i] == "\\" { backslashes += 1 } else { break }
                }
                if backslashes % 2 == 1 {
                    search = text.index(after: r.lowerBound)
                    continue
                }
            }
            // Up to two extra quotes belong to the content.
            var end = r.lowerBound
            var after = r.upperBound
            while after < text.endIndex, text[after] == quote.first, text.distance(from: r.lowerBound, to: after) < 5 {
                end = text.index(after: end)
                after = text.index(after: after)
            }
            return end
        }
        return nil
    }

    private static func closingIndex(_ text: String, _ quote: String) -> String.Index {
        closingIndexOptional(text, quote) ?? text.endIndex
    }

    private static func closingQuote(_ text: String) -> String.Index? {
        var i = text.index(after: text.startIndex)
        while i < text.endIndex {
            if text[i] == "\\" {
                i = text.index(after: i)
                if i < text.endIndex { i = text.index(after: i) }
                continue
            }
            if text[i] == "\"" { return i }
            i = text.index(after: i)
        }
        return nil
    }

    private static func unescape(_ s: String, line: Int, multiline: Bool) throws(Failure) -> String {
        var out = ""
        var chars = Array(s.unicodeScalars)[...]
        while let c = chars.popFirst() {
            guard c == "\\" else {
                out.unicodeScalars.append(c)
                continue
            }
            guard let e = chars.popFirst() else { throw Failure(line: line, message: "dangling escape") }
            switch e {
            case "\\": out += "\\"
            case "\"": out += "\""
            case "n": out += "\n"
            case "t": out += "\t"
            case "r": out += "\r"
            case "b": out += "\u{08}"
            case "f": out += "\u{0C}"
            case "u", "U":
                let width = e == "u" ? 4 : 8
                let hex = String(String.UnicodeScalarView(chars.prefix(width)))
                chars = chars.dropFirst(width)
                guard let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) else {
                    throw Failure(line: line, message: "invalid unicode escape")
                }
                out.unicodeScalars.append(scalar)
            case "\n" where multiline:
                while let next = chars.first, next == " " || next == "\t" || next == "\n" { chars.removeFirst() }
            default:
                throw Failure(line: line, message: "invalid escape \\\(e)")
            }
        }
        return out
    }
}
