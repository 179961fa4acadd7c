internal import Foundation
package import SharedCore
internal import Yams

/// YAML reading (through Yams) into ordered `JSONValue`s, with line/column on failure.
package enum YAML {
    /// A YAML syntax or shape failure with a 1-based position when libyaml reported one.
    package struct Failure: Error, Sendable {
        package var line: Int?
        package var column: Int?
        package var message: String
    }

    /// YAML 1.2 core-schema booleans only (`yes`/`on` stay strings), plus ints, floats and nulls.
    /// YAML 1.2 core schema: only `true`/`false` are booleans, numbers have no `_`, `0b` or sexagesimal forms.
    private static let resolver: Resolver = {
        var resolver = Resolver.basic
        let rules: [(Tag.Name, String)] = [
            (.bool, "^(?:true|True|TRUE|false|False|FALSE)$"),
            (.int, "^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
            (.float, "^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$"),
            (.null, "^(?:~|null|Null|NULL|)$"),
        ]
        for (tag, pattern) in rules {
            if let next = try? resolver.appending(tag, pattern) { resolver = next }
        }
        return resolver
    }()

    /// Parses a single YAML document; `nil` when the document is empty or comment-only.
    package static func parse(_ text: String) throws(Failure) -> JSONValue? {
        if let line = aliasLine(text) {
            throw Failure(line: line, column: nil, message: "YAML anchors and aliases are not supported")
        }
        if let simple = simpleDocument(text) { return simple }
        return try composed(text)
    }

    /// The Yams path of `parse` (after the alias check). A document without `!` has no explicit tags: its
    /// plain scalars are resolved by `coreTag` (the same rules as `resolver`, without compiling and running
    /// regular expressions); a document with one keeps Yams's resolution through `resolver`.
    static func composed(_ text: String) throws(Failure) -> JSONValue? {
        let node: Node?
        let coreSchema = !text.utf8.contains(UInt8(ascii: "!"))
        do {
            // Explicit UTF-8 (what `.default` resolves to for native Swift strings): `Parser.Encoding.default`
            // reads the whole process environment on every call.
            node = try Yams.compose(yaml: text, coreSchema ? Resolver.basic : resolver, .default, .utf8)
        } catch let error as YamlError {
            throw failure(from: error)
        } catch {
            throw Failure(line: nil, column: nil, message: "\(error)")
        }
        guard let node else { return nil }
        return try convert(node, depth: 0, coreSchema: coreSchema)
    }

    /// The tag `resolver` gives a plain scalar, on bytes: the four core-schema rules in their order
    /// (bool, int, float, null), anything else a string.
    static func coreTag(_ text: String) -> Tag.Name {
        var text = text
        return text.withUTF8 { u -> Tag.Name in
            func digits(from start: Int, where accept: (UInt8) -> Bool) -> Int {
                var i = start
                while i < u.count, accept(u[i]) { i += 1 }
                return i
            }
            func equals(_ word: StaticString, at start: Int = 0) -> Bool {
                guard u.count - start == word.utf8CodeUnitCount else { return false }
                for k in 0..<word.utf8CodeUnitCount where u[start + k] != word.utf8Start[k] { return false }
                return true
            }
            if equals("true") || equals("True") || equals("TRUE") || equals("false") || equals("False") || equals("FALSE") {
                return .bool
            }
            let sign = !u.isEmpty && (u[0] == 0x2B || u[0] == 0x2D) ? 1 : 0
            let decimal: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
            // int: [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+
            if u.count > sign, digits(from: sign, where: decimal) == u.count { return .int }
            if u.count > 2, u[0] == 0x30, u[1] == 0x6F, digits(from: 2, where: { $0 >= 0x30 && $0 <= 0x37 }) == u.count { return .int }
            if u.count > 2, u[0] == 0x30, u[1] == 0x78,
                digits(from: 2, where: { decimal($0) || ($0 >= 0x61 && $0 <= 0x66) || ($0 >= 0x41 && $0 <= 0x46) }) == u.count
            {
                return .int
            }
            // float: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.(inf|Inf|INF) | \.(nan|NaN|NAN)
            if equals(".inf", at: sign) || equals(".Inf", at: sign) || equals(".INF", at: sign) { return .float }
            if equals(".nan") || equals(".NaN") || equals(".NAN") { return .float }
            var i = sign
            let intEnd = digits(from: i, where: decimal)
            var mantissa = intEnd > i
            i = intEnd
            if i < u.count, u[i] == 0x2E {
                let fractionEnd = digits(from: i + 1, where: decimal)
                // `.` needs digits after it when none came before it.
                if !mantissa && fractionEnd == i + 1 { return .str }
                mantissa = true
                i = fractionEnd
            }
            if mantissa {
                if i < u.count, u[i] == 0x65 || u[i] == 0x45 {
                    var j = i + 1
                    if j < u.count, u[j] == 0x2B || u[j] == 0x2D { j += 1 }
                    let exponentEnd = digits(from: j, where: decimal)
                    if exponentEnd > j { i = exponentEnd }
                }
                if i == u.count { return .float }
            }
            // null: ~ | null | Null | NULL | (empty)
            if u.isEmpty || equals("~") || equals("null") || equals("Null") || equals("NULL") { return .null }
            return .str
        }
    }

    /// Frontmatter-shaped documents read without libyaml: printable ASCII, LF line ends, top-level
    /// `key: value` / `key:` lines with plain keys, block sequences (`- item`, at column 0 or 2) under a
    /// `key:`, simple quoted values (see `plainScalar`), and plain values that start with a letter, `_`, `/`
    /// or `(` and hold no `: `, ` #`, tab or trailing space. Such values resolve as the core schema does (`true`/`false` in three casings are
    /// booleans, `null` in three casings and empty are null, everything else a string). Anything else
    /// (comments, other quoting, flow collections, nesting, numbers, non-ASCII, duplicate keys) returns nil and
    /// the document goes through libyaml, so the result is always libyaml's.
    static func simpleDocument(_ text: String) -> JSONValue?? {
        var text = text
        return text.withUTF8 { u -> JSONValue?? in
            for byte in u where byte >= 0x7F || (byte < 0x20 && byte != 0x0A) { return nil }
            var object = JSONObject()
            var seen: Set<String> = []
            var list: [JSONValue]?
            var listKey = ""
            var listIndent = -1
            func flush() {
                if let items = list { object[listKey] = items.isEmpty ? .null : .array(items) }
                list = nil
            }
            var start = 0
            var sawContent = false
            while start < u.count {
                var end = start
                while end < u.count, u[end] != 0x0A { end += 1 }
                defer { start = end + 1 }
                if end == start { continue }
                let first = u[start]
                if first == 0x20 || first == 0x2D {
                    // A sequence item under the open `key:`: "- value" or "  - value".
                    guard list != nil else { return nil }
                    let indent = first == 0x20 ? 2 : 0
                    guard end - start > indent + 2, indent == 0 || (u[start] == 0x20 && u[start + 1] == 0x20),
                        u[start + indent] == 0x2D, u[start + indent + 1] == 0x20
                    else { return nil }
                    if listIndent < 0 { listIndent = indent }
                    guard listIndent == indent, let item = plainScalar(u, start + indent + 2, end) else { return nil }
                    list!.append(item)
                    continue
                }
                flush()
                // key: value | key:
                var colon = start
                while colon < end, isKeyByte(u[colon]) { colon += 1 }
                guard colon > start, colon < end, u[colon] == 0x3A, isKeyStart(first) else { return nil }
                let key = String(decoding: UnsafeBufferPointer(rebasing: u[start..<colon]), as: UTF8.self)
                guard seen.insert(key).inserted else { return nil }
                sawContent = true
                if colon + 1 == end {
                    list = []
                    listKey = key
                    listIndent = -1
                    continue
                }
                guard u[colon + 1] == 0x20, colon + 2 < end, let value = plainScalar(u, colon + 2, end) else { return nil }
                object[key] = value
            }
            flush()
            return sawContent ? .some(.object(object)) : nil
        }
    }

    private static func isKeyStart(_ byte: UInt8) -> Bool {
        (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
    }

    private static func isKeyByte(_ byte: UInt8) -> Bool {
        isKeyStart(byte) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D
    }

    /// A plain scalar of `simpleDocument` between `start` and `end` (or a quoted one: `"…"` without `"` or `\`
    /// inside, `'…'` without `'` inside, ending the line — both read as their inner text), or nil when it is
    /// not one.
    private static func plainScalar(_ u: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> JSONValue? {
        guard start < end else { return nil }
        let first = u[start]
        if first == 0x22 || first == 0x27 {
            guard end - start >= 2, u[end - 1] == first else { return nil }
            for i in (start + 1)..<(end - 1) where u[i] == first || (first == 0x22 && u[i] == 0x5C) { return nil }
            return .string(String(decoding: UnsafeBufferPointer(rebasing: u[(start + 1)..<(end - 1)]), as: UTF8.self))
        }
        guard isKeyStart(first) || first == 0x2F || first == 0x28 else { return nil }
        guard u[end - 1] != 0x20, u[end - 1] != 0x3A else { return nil }
        for i in start..<(end - 1) {
            if u[i] == 0x3A && u[i + 1] == 0x20 { return nil }
            if u[i] == 0x20 && u[i + 1] == 0x23 { return nil }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: u[start..<end]), as: UTF8.self)
        switch text {
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        case "null", "Null", "NULL": return .null
        default: return .string(text)
        }
    }

    /// The line of the first alias (`*name`) when the text also defines an anchor (`&name`).
    /// Yams expands aliases while composing, so they are refused up front (no billion laughs).
    static func aliasLine(_ text: String) -> Int? {
        func tokenLine(_ sigil: Character) -> Int? {
            var line = 1
            var previous: Character = "\n"
            var iterator = text.makeIterator()
            var current = iterator.next()
            while let c = current {
                let next = iterator.next()
                if c == sigil, " \n\t[{,".contains(previous), let n = next, n.isLetter || n.isNumber || n == "_" {
                    return line
                }
                if c == "\n" { line += 1 }
                previous = c
                current = next
            }
            return nil
        }
        guard tokenLine("&") != nil else { return nil }
        return tokenLine("*")
    }

    private static func failure(from error: YamlError) -> Failure {
        switch error {
        case .scanner(let context, let problem, let mark, _),
            .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            var message = problem
            if let context { message = "\(context.text) \(problem)".trimmingCharacters(in: .whitespaces) }
            return Failure(line: mark.line, column: mark.column, message: message)
        case .reader(let problem, _, _, _):
            return Failure(line: nil, column: nil, message: problem)
        default:
            return Failure(line: nil, column: nil, message: "\(error)")
        }
    }

    private static func convert(_ node: Node, depth: Int, coreSchema: Bool) throws(Failure) -> JSONValue {
        guard depth < 128 else {
            throw Failure(line: node.mark?.line, column: node.mark?.column, message: "nesting too deep")
        }
        switch node {
        case .scalar(let scalar):
            if scalar.style == .singleQuoted || scalar.style == .doubleQuoted || scalar.style == .literal
                || scalar.style == .folded
            {
                return .string(scalar.string)
            }
            switch coreSchema ? coreTag(scalar.string).rawValue : node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
            case Tag.Name.bool.rawValue where coreSchema:
                // `Bool.construct` declines scalars Yams tagged `str` (all of them under `Resolver.basic`).
                return .bool(scalar.string.utf8.first == UInt8(ascii: "t") || scalar.string.utf8.first == UInt8(ascii: "T"))
            case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
            case Tag.Name.int.rawValue:
                if let i = node.int { return .int(i) }
                return .string(scalar.string)
            case Tag.Name.float.rawValue:
                if let d = node.float { return .double(d) }
                return .string(scalar.string)
            default: return .string(scalar.string)
            }
        case .sequence(let sequence):
            var items: [JSONValue] = []
            for item in sequence { items.append(try convert(item, depth: depth + 1, coreSchema: coreSchema)) }
            return .array(items)
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw Failure(line: key.mark?.line, column: key.mark?.column, message: "mapping keys must be scalars")
                }
                object[keyScalar.string] = try convert(value, depth: depth + 1, coreSchema: coreSchema)
            }
            return .object(object)
        case .alias:
            throw Failure(line: node.mark?.line, column: node.mark?.column, message: "aliases are not supported")
        }
    }
}

extension YAML {
    /// Parses a whole file's text (nil when empty); a syntax error is `VALIDATION_FAILED` at its position in `path`.
    package static func parse(_ text: String, path: String) throws(ToolError) -> JSONValue? {
        do {
            return try parse(text)
        } catch {
            throw ToolError.syntax(path: path, line: error.line, column: error.column, message: error.message)
        }
    }
}
