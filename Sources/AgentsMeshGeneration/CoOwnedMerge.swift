internal import AgentsMeshProjectors
internal import SharedCore

/// Merging of co-owned outputs into the files already on disk (§3.3).
enum CoOwnedMerge {
    /// The merged bytes and the owned-subset hash, or nil when the file should not be created.
    static func resolve(_ file: OutputFile, existing: [UInt8]?) throws(ToolError) -> (bytes: [UInt8], hash: String)? {
        switch file.content {
        case .bytes(let bytes):
            return (bytes, SHA256.tagged(bytes))
        case .json(let owned, let prelude, let createIfMissing):
            guard existing != nil || createIfMissing else { return nil }
            var object = JSONObject()
            if let existing {
                do {
                    guard let parsed = try JSONParser.parse(bytes: existing).objectValue else {
                        throw ToolError.syntax(
                            path: file.path, line: 1, column: 1, message: "expected a JSON object; the file was left untouched")
                    }
                    object = parsed
                } catch let failure as JSONParser.Failure {
                    throw ToolError.syntax(
                        path: file.path, line: failure.line, column: failure.column,
                        message: failure.message + "; the file was left untouched")
                } catch let error as ToolError {
                    throw error
                } catch {
                    throw ToolError(ErrorCode.validationFailed, "\(file.path): \(error)")
                }
            }
            for key in prelude.reversed() where object.value(at: key.keyPath) == nil {
                if key.keyPath.count == 1 {
                    object.insertFirst(key.keyPath[0], key.value)
                } else {
                    object.set(path: key.keyPath, key.value)
                }
            }
            for key in owned {
                if key.ensureIncluded {
                    if let current = object.value(at: key.keyPath), let included = including(current, key.value) {
                        object.set(path: key.keyPath, included)
                    }
                } else {
                    object.set(path: key.keyPath, key.value)
                }
            }
            let bytes = Array(JSONEmitter.pretty(.object(object)).utf8)
            return (bytes, ownedHash(object, keyPaths: owned.filter { !$0.ensureIncluded }.map(\.keyPath)))
        case .textBlock(let start, let end, let block, let createIfMissing):
            guard existing != nil || createIfMissing else { return nil }
            let text = existing.map { String(decoding: $0, as: UTF8.self) } ?? ""
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            if lines.last == "" { lines.removeLast() }
            let merged: String
            if let s = lines.firstIndex(of: start), let e = lines[s...].firstIndex(of: end) {
                lines.replaceSubrange(s...e, with: block.split(separator: "\n", omittingEmptySubsequences: false).map(String.init))
                merged = lines.joined(separator: "\n") + "\n"
            } else if lines.isEmpty {
                merged = block + "\n"
            } else {
                merged = lines.joined(separator: "\n") + "\n\n" + block + "\n"
            }
            return (Array(merged.utf8), SHA256.tagged(Array(block.utf8)))
        }
    }

    /// A user's string-or-list value made to include `item`; nil when it already does (or has another shape).
    static func including(_ current: JSONValue, _ item: JSONValue) -> JSONValue? {
        switch current {
        case .string(let s): return .string(s) == item ? nil : .array([current, item])
        case .array(let list): return list.contains(item) ? nil : .array(list + [item])
        default: return nil
        }
    }

    /// SHA-256 of the JSON emitter output of an object holding only the owned key paths.
    static func ownedHash(_ object: JSONObject, keyPaths: [[String]]) -> String {
        var subset = JSONObject()
        for path in keyPaths {
            if let value = object.value(at: path) { subset.set(path: path, value) }
        }
        return SHA256.tagged(Array(JSONEmitter.pretty(.object(subset)).utf8))
    }

    /// Re-hashes a co-owned file on disk the way generate hashed it; nil when unreadable.
    static func diskHash(_ file: OutputFile, bytes: [UInt8]) -> String? {
        switch file.content {
        case .bytes:
            return SHA256.tagged(bytes)
        case .json(let owned, _, _):
            guard let object = (try? JSONParser.parse(bytes: bytes))?.objectValue else { return nil }
            return ownedHash(object, keyPaths: owned.filter { !$0.ensureIncluded }.map(\.keyPath))
        case .textBlock(let start, let end, _, _):
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard let s = lines.firstIndex(of: start), let e = lines[s...].firstIndex(of: end) else { return nil }
            return SHA256.tagged(Array(lines[s...e].joined(separator: "\n").utf8))
        }
    }
}
