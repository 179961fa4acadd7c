internal import OrderedCollections

/// An insertion-ordered JSON object: key order is part of the output contract (§3.2). Backed by
/// swift-collections' `OrderedDictionary`.
public struct JSONObject: Equatable, Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// Keys and values in order; internal so the emitters walk it without an iterator per element.
    var storage: OrderedDictionary<String, JSONValue> = [:]

    public init() {}

    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        for (key, value) in elements { self[key] = value }
    }

    /// The keys in order.
    public var keys: [String] { storage.keys.elements }

    public subscript(key: String) -> JSONValue? {
        get { storage[key] }
        set { storage[key] = newValue }
    }

    /// Inserts a new key at the front (no-op ordering change when the key exists).
    public mutating func insertFirst(_ key: String, _ value: JSONValue) {
        storage.updateValue(value, forKey: key, insertingAt: 0)
    }

    /// A copy with one key renamed in place (same position); unchanged when `key` is absent or `newKey` taken.
    public func renamingKey(_ key: String, to newKey: String) -> JSONObject {
        guard storage[newKey] == nil, let index = storage.index(forKey: key) else { return self }
        var copy = self
        let value = copy.storage.remove(at: index).value
        copy.storage.updateValue(value, forKey: newKey, insertingAt: index)
        return copy
    }

    /// Sets a value at a nested key path, creating (or replacing non-object) intermediate objects.
    public mutating func set(path: [String], _ value: JSONValue) {
        guard let first = path.first else { return }
        if path.count == 1 {
            self[first] = value
            return
        }
        var inner = self[first]?.objectValue ?? JSONObject()
        inner.set(path: Array(path.dropFirst()), value)
        self[first] = .object(inner)
    }

    /// The value at a nested key path.
    public func value(at path: [String]) -> JSONValue? {
        guard let first = path.first else { return nil }
        if path.count == 1 { return self[first] }
        return self[first]?.objectValue?.value(at: Array(path.dropFirst()))
    }

    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.isEmpty }

    public func makeIterator() -> AnyIterator<(key: String, value: JSONValue)> {
        var iterator = storage.makeIterator()
        return AnyIterator { iterator.next() }
    }

    /// A copy with keys sorted by byte order, recursively.
    public func sortedDeep() -> JSONObject {
        var out = JSONObject()
        for key in keys.sorted(by: { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }) {
            out[key] = storage[key]?.sortedDeep()
        }
        return out
    }

}

/// A JSON document value with exact integers and ordered objects.
public enum JSONValue: Equatable, Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var intValue: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 1e15: return Int(d)
        default: return nil
        }
    }
    public var arrayValue: [JSONValue]? { if case .array(let a) = self { return a } else { return nil } }
    public var objectValue: JSONObject? { if case .object(let o) = self { return o } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    public subscript(key: String) -> JSONValue? { objectValue?[key] }

    /// The same value with `transform` applied to every string in it (keys stay as they are).
    public func mappingStrings(_ transform: (String) -> String) -> JSONValue {
        switch self {
        case .string(let text): return .string(transform(text))
        case .array(let items): return .array(items.map { $0.mappingStrings(transform) })
        case .object(let object):
            var out = JSONObject()
            for (key, member) in object { out[key] = member.mappingStrings(transform) }
            return .object(out)
        default: return self
        }
    }

    /// The same value with every object's keys sorted by byte order.
    public func sortedDeep() -> JSONValue {
        switch self {
        case .array(let items): return .array(items.map { $0.sortedDeep() })
        case .object(let object): return .object(object.sortedDeep())
        default: return self
        }
    }

    /// Whether this value counts as "absent" for frontmatter emission (§3.2).
    public var isEmptyForEmission: Bool {
        switch self {
        case .null: return true
        case .string(let s): return s.isEmpty
        case .array(let a): return a.isEmpty
        case .object(let o): return o.isEmpty
        default: return false
        }
    }
}

extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var object = JSONObject()
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue {
    /// A string array from a value, accepting one string as a one-item list.
    public var stringList: [String]? {
        switch self {
        case .string(let s): return [s]
        case .array(let items):
            var out: [String] = []
            for item in items {
                guard let s = item.stringValue else { return nil }
                out.append(s)
            }
            return out
        default: return nil
        }
    }

    /// `.array` of strings.
    public static func strings(_ values: [String]) -> JSONValue { .array(values.map { .string($0) }) }
}
