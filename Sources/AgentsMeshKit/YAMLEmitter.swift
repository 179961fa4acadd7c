// Hand-written: §3.2's quoting and layout byte for byte; Yams' emitter reflows and re-quotes (Yams reads, see YAML.swift).
package import SharedCore

/// The YAML writer of spec §3.2: block style, 2-space indent, deterministic quoting.
package enum YAMLEmitter {
    /// Emits a mapping as block YAML with no trailing newline.
    package static func emit(_ object: JSONObject) -> String {
        mappingLines(object, indent: 0).joined(separator: "\n")
    }

    /// Emits a top-level sequence as block YAML with no trailing newline.
    package static func emit(sequence items: [JSONValue]) -> String {
        sequenceLines(items, indent: 0).joined(separator: "\n")
    }

    static func mappingLines(_ object: JSONObject, indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        for (key, value) in object {
            let head = pad + scalar(key) + ":"
            switch value {
            case .array(let items) where !items.isEmpty:
                lines.append(head)
                lines += sequenceLines(items, indent: indent + 2)
            case .object(let inner) where !inner.isEmpty:
                lines.append(head)
                lines += mappingLines(inner, indent: indent + 2)
            default:
                lines += inlineValue(value, head: head, contentIndent: indent + 2)
            }
        }
        return lines
    }

    static func sequenceLines(_ items: [JSONValue], indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        for item in items {
            switch item {
            case .object(let inner) where !inner.isEmpty:
                var nested = mappingLines(inner, indent: indent + 2)
                nested[0] = pad + "- " + nested[0].dropFirst(indent + 2)
                lines += nested
            case .array(let inner) where !inner.isEmpty:
                var nested = sequenceLines(inner, indent: indent + 2)
                nested[0] = pad + "- " + nested[0].dropFirst(indent + 2)
                lines += nested
            default:
                lines += inlineValue(item, head: pad + "-", contentIndent: indent + 2)
            }
        }
        return lines
    }

    /// `head value` for scalars and empty containers; literal blocks continue on following lines.
    static func inlineValue(_ value: JSONValue, head: String, contentIndent: Int) -> [String] {
        switch value {
        case .null: return [head + " null"]
        case .bool(let b): return [head + (b ? " true" : " false")]
        case .int(let i): return [head + " \(i)"]
        case .double(let d): return [head + " " + JSONEmitter.formatDouble(d)]
        case .array: return [head + " []"]
        case .object: return [head + " {}"]
        case .string(let s):
            // One line (no LF byte): never a block scalar.
            if !s.utf8.contains(0x0A) { return [head + " " + scalar(s)] }
            // Split on the LF scalar: a Swift Character treats CRLF as one unit.
            let scalarLines = s.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).map {
                String(String.UnicodeScalarView($0))
            }
            let blockSafe = !s.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\n" && $0 != "\t") || $0.value == 0x7F }
            if scalarLines.count > 1 && blockSafe && !scalarLines.contains(where: { $0.hasPrefix(" ") }) {
                let endsWithOne = s.hasSuffix("\n") && !s.hasSuffix("\n\n")
                let content = endsWithOne ? Array(scalarLines.dropLast()) : scalarLines
                let pad = String(repeating: " ", count: contentIndent)
                var lines = [head + (endsWithOne ? " |" : " |-")]
                for line in content {
                    lines.append(line.isEmpty ? "" : pad + line)
                }
                return lines
            }
            return [head + " " + scalar(s)]
        }
    }

    private static let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "y", "n", "null", "~"]
    private static let indicators: Set<Character> = [
        "-", "?", ":", ",", "[", "]", "{", "}", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`",
    ]

    /// Whether a string may be written as a plain scalar.
    package static func isPlainSafe(_ s: String) -> Bool {
        if let ascii = asciiPlainSafe(s) { return ascii }
        return isPlainSafeGeneral(s)
    }

    /// `isPlainSafe` on `Character`s, for any text.
    static func isPlainSafeGeneral(_ s: String) -> Bool {
        guard let first = s.first, let last = s.last else { return false }
        if first == " " || last == " " || first == "\t" || last == "\t" { return false }
        if s.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) { return false }
        if indicators.contains(first) { return false }
        if s.contains(": ") || s.contains(" #") || last == ":" { return false }
        if reserved.contains(s.lowercased()) { return false }
        if looksNumeric(s) { return false }
        return true
    }

    /// `isPlainSafe` for ASCII text, on bytes (each byte is one `Character` there, and CR/LF are control
    /// characters, so every rule reads the same); nil for non-ASCII text.
    static func asciiPlainSafe(_ s: String) -> Bool? {
        var s = s
        return s.withUTF8 { u -> Bool? in
            guard !u.contains(where: { $0 >= 0x80 }) else { return nil }
            guard let first = u.first, let last = u.last else { return false }
            if u.contains(where: { $0 < 0x20 || $0 == 0x7F }) { return false }
            if first == 0x20 || last == 0x20 { return false }
            if asciiIndicators.contains(first) { return false }
            if last == 0x3A { return false }
            for i in 0..<(u.count - 1) {
                if (u[i] == 0x3A && u[i + 1] == 0x20) || (u[i] == 0x20 && u[i + 1] == 0x23) { return false }  // ": " and " #"
            }
            if u.count <= 5, reserved.contains(String(decoding: u.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }, as: UTF8.self)) {
                return false
            }
            return !asciiLooksNumeric(u)
        }
    }

    private static let asciiIndicators: Set<UInt8> = Set("-?:,[]{}#&*!|>'\"%@`".utf8)

    /// `looksNumeric` on ASCII bytes.
    static func asciiLooksNumeric(_ u: UnsafeBufferPointer<UInt8>) -> Bool {
        func lower(_ b: UInt8) -> UInt8 { b >= 0x41 && b <= 0x5A ? b + 0x20 : b }
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        var i = 0
        if let first = u.first, first == 0x2B || first == 0x2D { i = 1 }
        let rest = u.count - i
        if rest == 4, u[i] == 0x2E {
            let word = (lower(u[i + 1]), lower(u[i + 2]), lower(u[i + 3]))
            if word == (0x69, 0x6E, 0x66) || word == (0x6E, 0x61, 0x6E) { return true }  // .inf .nan
        }
        if rest >= 2, u[i] == 0x30, lower(u[i + 1]) == 0x78 || lower(u[i + 1]) == 0x6F {
            let hex = lower(u[i + 1]) == 0x78
            guard rest > 2 else { return false }
            return u[(i + 2)...].allSatisfy { b in
                hex ? (isDigit(b) || (lower(b) >= 0x61 && lower(b) <= 0x66)) : (b >= 0x30 && b <= 0x37)
            }
        }
        var mantissaDigits = 0
        while i < u.count, isDigit(u[i]) {
            mantissaDigits += 1
            i += 1
        }
        if i < u.count, u[i] == 0x2E {
            i += 1
            while i < u.count, isDigit(u[i]) {
                mantissaDigits += 1
                i += 1
            }
        }
        guard mantissaDigits > 0 else { return false }
        if i < u.count, lower(u[i]) == 0x65 {
            i += 1
            if i < u.count, u[i] == 0x2B || u[i] == 0x2D { i += 1 }
            guard i < u.count, isDigit(u[i]) else { return false }
            while i < u.count, isDigit(u[i]) { i += 1 }
        }
        return i == u.count
    }

    /// A plain or double-quoted single-line scalar.
    package static func scalar(_ s: String) -> String {
        isPlainSafe(s) ? s : doubleQuoted(s)
    }

    static func doubleQuoted(_ s: String) -> String {
        EscapedString.doubleQuoted(s) { "\\x" + Hex.byte($0).uppercased() }
    }

    static func looksNumeric(_ s: String) -> Bool {
        var body = Substring(s)
        if body.first == "+" || body.first == "-" { body = body.dropFirst() }
        let lower = body.lowercased()
        if lower == ".inf" || lower == ".nan" { return true }
        if lower.hasPrefix("0x") { return lower.count > 2 && lower.dropFirst(2).allSatisfy(\.isHexDigit) }
        if lower.hasPrefix("0o") { return lower.count > 2 && lower.dropFirst(2).allSatisfy { ("0"..."7").contains($0) } }
        // [digits][.digits][e[+-]digits] with at least one digit in the mantissa.
        var chars = Array(lower)[...]
        var mantissaDigits = 0
        while let c = chars.first, c.isASCII, c.isNumber {
            mantissaDigits += 1
            chars = chars.dropFirst()
        }
        if chars.first == "." {
            chars = chars.dropFirst()
            while let c = chars.first, c.isASCII, c.isNumber {
                mantissaDigits += 1
                chars = chars.dropFirst()
            }
        }
        guard mantissaDigits > 0 else { return false }
        if chars.first == "e" {
            chars = chars.dropFirst()
            if chars.first == "+" || chars.first == "-" { chars = chars.dropFirst() }
            guard let c = chars.first, c.isASCII, c.isNumber else { return false }
            while let c = chars.first, c.isASCII, c.isNumber { chars = chars.dropFirst() }
        }
        return chars.isEmpty
    }
}

/// A double-quoted string with `\\ \" \n \t` escapes: YAML's and TOML's basic strings differ only in how
/// other control characters are written, which `control` decides.
package enum EscapedString {
    package static func doubleQuoted(_ s: String, control: (UInt8) -> String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F {
                    out += control(UInt8(scalar.value))
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
