import Foundation
import Yams

/// YAML reading (through Yams) into ordered `JSONValue`s, with line/column on failure.
public enum YAML {
    /// A YAML syntax or shape failure with a 1-based position when libyaml reported one.
    public struct Failure: Error, Sendable {
        public var line: Int?
        public var column: Int?
        public var message: String
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
    public static func parse(_ text: String) throws(Failure) -> JSONValue? {
        if let line = aliasLine(text) {
            throw Failure(line: line, column: nil, message: "YAML anchors and aliases are not supported")
        }
        let node: Node?
        do {
            // Explicit UTF-8 (what `.default` resolves to for native Swift strings): `Parser.Encoding.default`
            // reads the whole process environment on every call.
            node = try Yams.compose(yaml: text, resolver, .default, .utf8)
        } catch let error as YamlError {
            throw failure(from: error)
        } catch {
            throw Failure(line: nil, column: nil, message: "\(error)")
        }
        guard let node else { return nil }
        return try convert(node, depth: 0)
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

    private static func convert(_ node: Node, depth: Int) throws(Failure) -> JSONValue {
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
            switch node.tag.rawValue {
            case Tag.Name.null.rawValue: return .null
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
            for item in sequence { items.append(try convert(item, depth: depth + 1)) }
            return .array(items)
        case .mapping(let mapping):
            var object = JSONObject()
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    throw Failure(line: key.mark?.line, column: key.mark?.column, message: "mapping keys must be scalars")
                }
                object[keyScalar.string] = try convert(value, depth: depth + 1)
            }
            return .object(object)
        case .alias:
            throw Failure(line: node.mark?.line, column: node.mark?.column, message: "aliases are not supported")
        }
    }
}
