internal import AgentsMeshKit
public import SharedCore

/// `.agentsmesh/.lock` (§4.2).
public struct Lockfile: Equatable, Sendable {
    public static let path = ".agentsmesh/.lock"

    public var generatedAt: String = ""
    public var generatedBy: String = ""
    public var libVersion: String = ""
    public var checksums: [String: String] = [:]
    public var extends: [String: String] = [:]
    public var packs: [String: String] = [:]
    /// `nil` = old-format lock without `outputs`.
    public var outputs: [String: String]?
    public var staleTargets: [String] = []

    public init() {}

    /// Whether two locks differ in anything but the generation stamp.
    public func sameContent(as other: Lockfile) -> Bool {
        libVersion == other.libVersion && checksums == other.checksums && extends == other.extends
            && packs == other.packs && outputs == other.outputs && staleTargets == other.staleTargets
    }

    /// The exact text of §4.2.
    public func serialized() -> String {
        var text = "# Auto-generated. DO NOT EDIT MANUALLY.\n# Tracks the state of all config files for team conflict resolution.\n\n"
        text += "generated_at: \(YAMLEmitter.scalar(generatedAt))\n"
        text += "generated_by: \(YAMLEmitter.scalar(generatedBy))\n"
        text += "lib_version: \(YAMLEmitter.scalar(libVersion))\n"
        func map(_ name: String, _ values: [String: String]) {
            if values.isEmpty {
                text += "\(name): {}\n"
                return
            }
            text += "\(name):\n"
            for key in values.keys.sorted(by: FileSystem.byteOrder) {
                text += "  \(YAMLEmitter.scalar(key)): \(YAMLEmitter.scalar(values[key] ?? ""))\n"
            }
        }
        map("checksums", checksums)
        map("extends", extends)
        map("packs", packs)
        if let outputs { map("outputs", outputs) }
        if !staleTargets.isEmpty {
            text += "stale_targets:\n"
            for target in staleTargets { text += "  - \(YAMLEmitter.scalar(target))\n" }
        }
        return text
    }

    /// Whether a lock text holds git conflict markers.
    public static func hasConflictMarkers(_ text: String) -> Bool {
        var copy = text
        // Plain ASCII without CR (every lock agentsmesh writes): scan bytes. Anything else keeps the
        // Character semantics of the general form.
        let fast = copy.withUTF8 { bytes -> Bool? in
            var lineStart = 0
            var found = false
            for i in 0...bytes.count {
                let byte = i < bytes.count ? bytes[i] : 10
                if byte >= 128 || byte == 13 { return nil }
                guard byte == 10 else { continue }
                if !found {
                    let length = i - lineStart
                    let first = length > 0 ? bytes[lineStart] : 0
                    if first == UInt8(ascii: "<") || first == UInt8(ascii: ">") || first == UInt8(ascii: "=") {
                        let line = String(decoding: UnsafeBufferPointer(rebasing: bytes[lineStart..<i]), as: UTF8.self)
                        found = line.hasPrefix("<<<<<<< ") || line == "=======" || line.hasPrefix(">>>>>>> ")
                    }
                }
                lineStart = i + 1
            }
            return found
        }
        if let fast { return fast }
        return text.split(separator: "\n").contains { $0.hasPrefix("<<<<<<< ") || $0 == "=======" || $0.hasPrefix(">>>>>>> ") }
    }

    /// Parses a lock; `VALIDATION_FAILED` when malformed.
    public static func parse(_ text: String) throws(ToolError) -> Lockfile {
        if let lock = parseFast(text) { return lock }
        return try parseYAML(text)
    }

    /// The big maps (`checksums`, `extends`, `packs`, `outputs`) in the exact layout `serialized()` writes,
    /// with keys of plain-safe characters and `sha256:`/`local:sha256:` hex values (always YAML strings),
    /// are read line by line; the rest of the document (with those sections replaced by `{}`) still goes
    /// through YAML. Anything unusual (other layouts, repeated sections, odd keys or values) returns nil
    /// and the whole text is parsed by YAML, so the result is always the YAML result.
    static func parseFast(_ text: String) -> Lockfile? {
        var text = text
        if let result = text.withUTF8({ parseFastBytes($0) }) { return result }
        return parseFastLines(text)
    }

    /// `parseFastLines` on raw bytes for texts without CR (then every line is exactly the bytes between LFs);
    /// nil when the text has a CR (the `Character` split decides then), `.some(nil)` when the fast path
    /// gives up.
    private static func parseFastBytes(_ u: UnsafeBufferPointer<UInt8>) -> Lockfile?? {
        guard !u.contains(13) else { return nil }
        let names: [[UInt8]] = ["checksums:", "extends:", "packs:", "outputs:"].map { Array($0.utf8) }
        var maps: [Int: [String: String]] = [:]
        var reduced: [UInt8] = []
        var seenTop: Set<[UInt8]> = []
        var lines: [Range<Int>] = []
        var start = 0
        for i in 0...u.count where i == u.count || u[i] == 10 {
            lines.append(start..<i)
            start = i + 1
        }
        func equals(_ line: Range<Int>, _ name: [UInt8]) -> Bool {
            line.count == name.count && name.indices.allSatisfy { u[line.lowerBound + $0] == name[$0] }
        }
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if !line.isEmpty, u[line.lowerBound] != UInt8(ascii: " "), u[line.lowerBound] != UInt8(ascii: "#"),
                u[line.lowerBound] != UInt8(ascii: "-")
            {
                var end = line.lowerBound
                while end < line.upperBound, u[end] != UInt8(ascii: ":") { end += 1 }
                guard seenTop.insert(Array(u[line.lowerBound..<end])).inserted else { return .some(nil) }
            }
            guard let section = names.firstIndex(where: { equals(line, $0) }) else {
                reduced.append(contentsOf: u[line])
                reduced.append(10)
                index += 1
                continue
            }
            var map: [String: String] = [:]
            var next = index + 1
            while next < lines.count, lines[next].count >= 2, u[lines[next].lowerBound] == 0x20, u[lines[next].lowerBound + 1] == 0x20 {
                guard let (key, value) = entry(UnsafeBufferPointer(rebasing: u[lines[next]])), map.updateValue(value, forKey: key) == nil
                else { return .some(nil) }
                next += 1
            }
            guard !map.isEmpty else { return .some(nil) }
            maps[section] = map
            reduced.append(contentsOf: u[line])
            reduced.append(contentsOf: " {}\n".utf8)
            index = next
        }
        if reduced.last == 10 { reduced.removeLast() }
        guard var lock = try? parseYAML(String(decoding: reduced, as: UTF8.self)) else { return .some(nil) }
        if let map = maps[0] { lock.checksums = map }
        if let map = maps[1] { lock.extends = map }
        if let map = maps[2] { lock.packs = map }
        if let map = maps[3] { lock.outputs = map }
        return .some(lock)
    }

    /// The line-by-line fast path on `Substring` lines (any text).
    static func parseFastLines(_ text: String) -> Lockfile? {
        let names: Set<Substring> = ["checksums:", "extends:", "packs:", "outputs:"]
        var maps: [Substring: [String: String]] = [:]
        var reduced = ""
        var seenTop: Set<Substring> = []
        // LF always ends a grapheme, so splitting the bytes gives the same lines as splitting the
        // Characters — except for CR LF (one Character), which keeps the Character split.
        let lines: [Substring] =
            text.utf8.contains(13)
            ? text.split(separator: "\n", omittingEmptySubsequences: false)
            : text.utf8.split(separator: 10, omittingEmptySubsequences: false).map { Substring($0) }
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if let first = line.utf8.first, first != UInt8(ascii: " "), first != UInt8(ascii: "#"), first != UInt8(ascii: "-") {
                let key = line.prefix { $0 != ":" }
                guard seenTop.insert(key).inserted else { return nil }
            }
            guard names.contains(line) else {
                reduced += line
                reduced += "\n"
                index += 1
                continue
            }
            var map: [String: String] = [:]
            var next = index + 1
            while next < lines.count, lines[next].hasPrefix("  ") {
                guard let (key, value) = entry(lines[next]), map.updateValue(value, forKey: key) == nil else { return nil }
                next += 1
            }
            guard !map.isEmpty else { return nil }
            maps[line] = map
            reduced += line
            reduced += " {}\n"
            index = next
        }
        if reduced.hasSuffix("\n") { reduced.removeLast() }
        guard var lock = try? parseYAML(reduced) else { return nil }
        if let map = maps["checksums:"] { lock.checksums = map }
        if let map = maps["extends:"] { lock.extends = map }
        if let map = maps["packs:"] { lock.packs = map }
        if let map = maps["outputs:"] { lock.outputs = map }
        return lock
    }

    /// `entry` on a line's bytes.
    private static func entry(_ line: UnsafeBufferPointer<UInt8>) -> (String, String)? {
        entry(utf8: line)
    }

    /// `  <key>: <value>` with a conservative plain key and a hash value, else nil.
    private static func entry(_ line: Substring) -> (String, String)? {
        entry(utf8: line.utf8)
    }

    private static func entry<C: Collection<UInt8>>(utf8: C) -> (String, String)? {
        guard utf8.count > 4 else { return nil }
        var i = utf8.index(utf8.startIndex, offsetBy: 2)
        let keyStart = i
        while i != utf8.endIndex, utf8[i] != UInt8(ascii: ":") {
            let c = utf8[i]
            let ok =
                (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x2E || c == 0x5F || c == 0x2F
                || c == 0x2D
            guard ok else { return nil }
            i = utf8.index(after: i)
        }
        guard i != keyStart, i != utf8.endIndex else { return nil }
        let first = utf8[keyStart]
        guard first != UInt8(ascii: "-"), first != UInt8(ascii: ".") || utf8[utf8.index(after: keyStart)] != UInt8(ascii: ".") else {
            return nil
        }
        let key = String(decoding: utf8[keyStart..<i], as: UTF8.self)
        i = utf8.index(after: i)
        guard i != utf8.endIndex, utf8[i] == UInt8(ascii: " ") else { return nil }
        i = utf8.index(after: i)
        let value = utf8[i...]
        var hex = value[...]
        if value.starts(with: "sha256:".utf8) {
            hex = value.dropFirst(7)
        } else if value.starts(with: "local:sha256:".utf8) {
            hex = value.dropFirst(13)
        } else {
            return nil
        }
        guard !hex.isEmpty, hex.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }) else { return nil }
        return (key, String(decoding: value, as: UTF8.self))
    }

    static func parseYAML(_ text: String) throws(ToolError) -> Lockfile {
        let value = try YAML.parse(text, path: path)
        guard let object = value?.objectValue else {
            throw ToolError.syntax(path: path, line: 1, column: 1, message: "expected a mapping")
        }
        var lock = Lockfile()
        lock.generatedAt = object["generated_at"]?.stringValue ?? ""
        lock.generatedBy = object["generated_by"]?.stringValue ?? ""
        lock.libVersion = object["lib_version"].map { SettingsValue.string($0) } ?? ""
        func map(_ key: String) -> [String: String] {
            var out: [String: String] = [:]
            for (k, v) in object[key]?.objectValue ?? JSONObject() { out[k] = SettingsValue.string(v) }
            return out
        }
        lock.checksums = map("checksums")
        lock.extends = map("extends")
        lock.packs = map("packs")
        if object["outputs"] != nil { lock.outputs = map("outputs") }
        lock.staleTargets = object["stale_targets"]?.stringList ?? []
        return lock
    }

    /// Reads the lock under `root`; nil when missing.
    public static func read(root: String) throws(ToolError) -> Lockfile? {
        guard let bytes = try FileSystem.readIfExists(root + "/" + path, displayPath: path) else { return nil }
        return try parse(String(decoding: bytes, as: UTF8.self))
    }
}

enum SettingsValue {
    static func string(_ value: JSONValue) -> String {
        switch value {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .double(let d): return JSONEmitter.compact(.double(d))
        case .bool(let b): return b ? "true" : "false"
        default: return ""
        }
    }
}

/// Version of this library, recorded in lockfiles.
public enum AgentsMeshVersion {
    public static let current = "0.1.0"
}
