internal import Foundation
internal import GRDB

/// A frozen, read-only view of a SQLite store: one read transaction held open, so every read of a copy sees the
/// store as it was when the snapshot was taken, whatever other processes write meanwhile. `meshes migrate` reads
/// its source through this.
public final class SQLiteSnapshot: Sendable {
    let reader: DatabaseSnapshot
    /// The store's own identity: the id of its oldest org (the default org, created with the store).
    public let defaultOrgID: String

    init(reader: DatabaseSnapshot, defaultOrgID: String) {
        self.reader = reader
        self.defaultOrgID = defaultOrgID
    }

    /// The number of rows of `table`.
    public func count(_ table: StoreTable) async throws -> Int {
        try await reader.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table.name)") ?? 0 }
    }

    /// Up to `limit` rows of `table` in key order, after the row whose key is `after` (from the start when nil);
    /// values in the order of `table.columns`, typed by their kinds.
    /// - Throws: `StoreError.unavailable` when a stored value does not have its column's type.
    public func rows(_ table: StoreTable, after: [StoreValue]?, limit: Int) async throws -> [[StoreValue]] {
        let keys = table.key.joined(separator: ", ")
        var sql = "SELECT \(table.columnNames.joined(separator: ", ")) FROM \(table.name)"
        var arguments: StatementArguments = []
        if let after {
            // Row values compare lexicographically: the same order as ORDER BY over the key.
            let marks = Array(repeating: "?", count: after.count).joined(separator: ", ")
            sql += table.key.count == 1 ? " WHERE \(keys) > ?" : " WHERE (\(keys)) > (\(marks))"
            for value in after { arguments += [SQLiteSnapshot.databaseValue(value)] }
        }
        sql += " ORDER BY \(keys) LIMIT ?"
        arguments += [limit]
        let query = sql
        let bound = arguments
        return try await reader.read { db in
            try Row.fetchAll(db, sql: query, arguments: bound).map { row in
                try table.columns.enumerated().map { index, column in
                    try SQLiteSnapshot.value(row[index] as DatabaseValue, column: column, table: table.name)
                }
            }
        }
    }

    static func databaseValue(_ value: StoreValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .integer(let number): return number.databaseValue
        case .real(let number): return number.databaseValue
        case .text(let text): return text.databaseValue
        case .flag(let flag): return (flag ? 1 : 0).databaseValue
        case .bytes(let bytes): return Data(bytes).databaseValue
        }
    }

    static func value(_ stored: DatabaseValue, column: StoreTable.Column, table: String) throws -> StoreValue {
        switch (stored.storage, column.kind) {
        case (.null, _): return .null
        case (.int64(let number), .integer): return .integer(number)
        case (.int64(let number), .flag): return .flag(number != 0)
        case (.double(let number), .real): return .real(number)
        case (.int64(let number), .real): return .real(Double(number))
        case (.string(let text), .text): return .text(text)
        case (.blob(let data), .bytes): return .bytes(Array(data))
        default:
            throw StoreError.unavailable("\(table).\(column.name) holds a value of another type than \(column.kind)")
        }
    }
}

extension SQLiteStore {
    /// A snapshot of the store as it is now (see `SQLiteSnapshot`); it reads nothing but what is committed.
    public func snapshot() throws -> SQLiteSnapshot {
        let reader = try pool.makeSnapshot()
        let org = try reader.read { db in try String.fetchOne(db, sql: "SELECT id FROM orgs ORDER BY created_at, id LIMIT 1") }
        return SQLiteSnapshot(reader: reader, defaultOrgID: org ?? defaultOrg.id)
    }
}
