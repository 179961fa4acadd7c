internal import SharedCore

/// Strict reader of an MCP tool's `arguments` object: accepts the documented aliases, checks types and
/// rejects unknown properties with `VALIDATION_FAILED` (`details.issues[]`: `{path, message}`).
struct ToolArguments {
    private let object: JSONObject
    private var consumed = Set<String>()
    private var issues: [JSONValue] = []

    init(_ value: JSONValue?) {
        switch value {
        case .object(let object)?:
            self.object = object
        case nil, .null?:
            object = JSONObject()
        default:
            object = JSONObject()
            issues.append(ToolArguments.issue("$", "arguments must be an object"))
        }
    }

    static func issue(_ path: String, _ message: String) -> JSONValue {
        ["path": .string(path), "message": .string(message)]
    }

    /// The value under the first present alias; two different aliases given together is an error.
    private mutating func value(_ names: [String]) -> (name: String, value: JSONValue)? {
        var found: (String, JSONValue)?
        for name in names {
            guard let value = object[name] else { continue }
            consumed.insert(name)
            if let existing = found {
                issues.append(ToolArguments.issue(name, "give either '\(existing.0)' or '\(name)', not both"))
            } else {
                found = (name, value)
            }
        }
        return found
    }

    mutating func string(_ names: String..., required: Bool = false) -> String? {
        guard let (name, value) = value(names), !value.isNull else {
            if required { issues.append(ToolArguments.issue(names[0], "is required")) }
            return nil
        }
        guard let text = value.stringValue else {
            issues.append(ToolArguments.issue(name, "must be a string"))
            return nil
        }
        return text
    }

    mutating func strings(_ names: String...) -> [String] {
        guard let (name, value) = value(names), !value.isNull else { return [] }
        guard let list = value.stringList else {
            issues.append(ToolArguments.issue(name, "must be a string or an array of strings"))
            return []
        }
        return list
    }

    mutating func bool(_ names: String...) -> Bool {
        guard let (name, value) = value(names), !value.isNull else { return false }
        guard let flag = value.boolValue else {
            issues.append(ToolArguments.issue(name, "must be a boolean"))
            return false
        }
        return flag
    }

    mutating func integer(_ names: String...) -> Int? {
        guard let (name, value) = value(names), !value.isNull else { return nil }
        guard let number = value.intValue else {
            issues.append(ToolArguments.issue(name, "must be an integer"))
            return nil
        }
        return number
    }

    /// Throws `VALIDATION_FAILED` for type errors and for every property that was not read.
    func finish(tool: String) throws(ToolError) {
        var all = issues
        for key in object.keys where !consumed.contains(key) {
            all.append(ToolArguments.issue(key, "unknown property"))
        }
        guard !all.isEmpty else { return }
        let first = all[0]
        let message =
            "\(tool): \(first["path"]?.stringValue ?? "$"): \(first["message"]?.stringValue ?? "invalid")"
            + (all.count > 1 ? " (and \(all.count - 1) more)" : "")
        throw ToolError(ErrorCode.validationFailed, message, details: ["issues": .array(all)])
    }
}
