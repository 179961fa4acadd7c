internal import MeshesEngine
internal import SharedCore

/// Where a copy stands, stored in the target with every batch (the `migration_progress` setting), so a copy
/// stopped anywhere (crash, Ctrl-C, kill -9) starts again after the last batch committed. A target whose
/// checkpoint names the source being copied is resumed; any other meshes data in it is refused.
struct MigrationCheckpoint: Sendable, Equatable {
    /// How far one table is copied.
    struct TableState: Sendable, Equatable {
        /// The key of the last row stored, nil before the first batch.
        var after: [StoreValue]?
        var copied = 0
    }

    /// Bumped when the stored form changes.
    static let format = 1

    /// The source's identity: the id of its default org (random, made with the store).
    var source: String
    /// The source's rows per table when the copy began: a resumed copy refuses a source that has changed since.
    var sourceRows: [String: Int]
    var tables: [String: TableState] = [:]
    var completed = false

    init(source: String, sourceRows: [String: Int]) {
        self.source = source
        self.sourceRows = sourceRows
    }

    /// Reads a stored checkpoint; nil when the text is not one (another format, or not written by a copy).
    init?(text: String) {
        guard let value = try? JSONParser.parse(text), value["format"]?.intValue == Self.format,
            let source = value["source"]?.stringValue, let rows = value["source_rows"]?.objectValue,
            let tables = value["tables"]?.objectValue, let completed = value["completed"]?.boolValue
        else { return nil }
        self.source = source
        sourceRows = [:]
        for (name, count) in rows {
            guard let count = count.intValue else { return nil }
            sourceRows[name] = count
        }
        for (name, state) in tables {
            guard let copied = state["copied"]?.intValue, let after = state["after"] else { return nil }
            var keys: [StoreValue]?
            if let items = after.arrayValue {
                keys = []
                for item in items {
                    if let text = item.stringValue {
                        keys?.append(.text(text))
                    } else if let number = item.intValue {
                        keys?.append(.integer(Int64(number)))
                    } else {
                        return nil
                    }
                }
            } else if !after.isNull {
                return nil
            }
            self.tables[name] = TableState(after: keys, copied: copied)
        }
        self.completed = completed
    }

    /// The stored form: `{"format":1,"source":…,"source_rows":{…},"tables":{"events":{"after":[1200],"copied":1200}},"completed":false}`.
    var text: String {
        var rows = JSONObject()
        var states = JSONObject()
        for table in StoreTable.all {
            if let count = sourceRows[table.name] { rows[table.name] = .int(count) }
            guard let state = tables[table.name] else { continue }
            let after: JSONValue = state.after.map { keys in .array(keys.map(MigrationCheckpoint.json)) } ?? .null
            states[table.name] = ["after": after, "copied": .int(state.copied)]
        }
        return JSONEmitter.compact([
            "format": .int(Self.format), "source": .string(source), "source_rows": .object(rows), "tables": .object(states),
            "completed": .bool(completed),
        ])
    }

    /// A key value as JSON (keys are text or integers).
    static func json(_ value: StoreValue) -> JSONValue {
        switch value {
        case .text(let text): return .string(text)
        case .integer(let number): return .int(Int(number))
        case .null, .flag, .real, .bytes: return .null
        }
    }
}
