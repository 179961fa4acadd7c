internal import Foundation
internal import GRDB
internal import GRDBSQLite
internal import Synchronization

/// Read-only SQLite connections for the request hot paths (the machine key of every authenticated request,
/// single rows, pages of events): one deferred transaction per read on the calling thread, prepared statements
/// kept per connection, columns read by position. GRDB's reader pool costs ~25 µs per read on top of SQLite's ~5
/// (a queue hop, a schema check and row copies); everything else still reads through GRDB.
///
/// Connections are checked out for one read and returned; a read that finds none free opens another (there are
/// rarely more than the cooperative threads plus one or two), and at most `keep` idle ones are kept.
final class SQLiteReader: Sendable {
    private let path: String
    private let idle = Mutex<[ReaderConnection]>([])
    static let keep = 8

    init(path: String) {
        self.path = path
    }

    /// Runs `work` in one read transaction.
    func read<T>(_ work: (ReaderConnection) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() } ?? ReaderConnection(path: path)
        defer {
            idle.withLock { idle in
                if idle.count < SQLiteReader.keep { idle.append(connection) }
            }
        }
        try connection.step(connection.statement("BEGIN DEFERRED TRANSACTION"))
        do {
            let value = try work(connection)
            try connection.step(connection.statement("COMMIT TRANSACTION"))
            return value
        } catch {
            if sqlite3_get_autocommit(connection.handle) == 0 { _ = try? connection.step(connection.statement("ROLLBACK TRANSACTION")) }
            throw error
        }
    }
}

/// One read-only connection and its prepared statements. Used by one thread at a time (checked out of
/// `SQLiteReader`), hence `@unchecked Sendable`.
final class ReaderConnection: @unchecked Sendable {
    let handle: OpaquePointer
    private var statements: [String: OpaquePointer] = [:]
    /// The last text read from each column position in the current query: rows of a page repeat most of their
    /// values (workspace, event name, creator, connection, …), and a repeated value reuses its `String`.
    fileprivate var lastText = [String?](repeating: nil, count: ReaderConnection.rememberedColumns)
    fileprivate static let rememberedColumns = 32

    init(path: String) throws {
        var handle: OpaquePointer?
        let flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX
        guard sqlite3_open_v2(path, &handle, flags, nil) == SQLITE_OK, let handle else {
            if let handle { sqlite3_close_v2(handle) }
            throw StoreError.unavailable("cannot open \(path) for reading")
        }
        self.handle = handle
        sqlite3_busy_timeout(handle, 5000)
    }

    deinit {
        for statement in statements.values { sqlite3_finalize(statement) }
        sqlite3_close_v2(handle)
    }

    /// The prepared statement of `sql` (prepared once per connection), reset and unbound.
    func statement(_ sql: String) throws -> OpaquePointer {
        if let statement = statements[sql] {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
            return statement
        }
        var statement: OpaquePointer?
        guard sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &statement, nil) == SQLITE_OK, let statement
        else { throw failure() }
        statements[sql] = statement
        return statement
    }

    /// Runs a statement that returns no rows.
    func step(_ statement: OpaquePointer) throws {
        let code = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard code == SQLITE_DONE || code == SQLITE_ROW else { throw failure() }
    }

    /// Binds `arguments` (1-based, in order) to the statement of `sql` and calls `row` for each result row.
    func query(_ sql: String, _ arguments: [ReaderValue], row: (Columns) throws -> Void) throws {
        let statement = try statement(sql)
        defer { sqlite3_reset(statement) }
        for (index, argument) in arguments.enumerated() {
            guard argument.bind(statement, Int32(index + 1)) == SQLITE_OK else { throw failure() }
        }
        for index in lastText.indices { lastText[index] = nil }
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: try row(Columns(statement: statement, connection: self))
            case SQLITE_DONE: return
            default: throw failure()
            }
        }
    }

    /// Binds `arguments` to the statement of `sql` and calls `row` with the statement on each result row, until
    /// there are no more or `row` returns false. The statement's columns are valid only during the call.
    func rows(_ sql: String, _ arguments: [ReaderValue], row: (OpaquePointer) throws -> Bool) throws {
        let statement = try statement(sql)
        defer { sqlite3_reset(statement) }
        for (index, argument) in arguments.enumerated() {
            guard argument.bind(statement, Int32(index + 1)) == SQLITE_OK else { throw failure() }
        }
        try rows(of: statement, row: row)
    }

    /// `rows` with one integer argument (no argument array).
    func rows(_ sql: String, _ argument: Int64, row: (OpaquePointer) throws -> Bool) throws {
        let statement = try statement(sql)
        defer { sqlite3_reset(statement) }
        guard sqlite3_bind_int64(statement, 1, argument) == SQLITE_OK else { throw failure() }
        try rows(of: statement, row: row)
    }

    private func rows(of statement: OpaquePointer, row: (OpaquePointer) throws -> Bool) throws {
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: if try !row(statement) { return }
            case SQLITE_DONE: return
            default: throw failure()
            }
        }
    }

    private func failure() -> StoreError {
        .unavailable(String(cString: sqlite3_errmsg(handle)))
    }
}

/// A result row read by column position: a raw statement's (`Columns`) or a GRDB `Row`, so that one decoder
/// serves both read paths.
protocol ColumnReader {
    func string(_ index: Int32) -> String
    func optionalString(_ index: Int32) -> String?
    func int64(_ index: Int32) -> Int64
    func optionalInt64(_ index: Int32) -> Int64?
    func int(_ index: Int32) -> Int
    func bool(_ index: Int32) -> Bool
}

extension Row: ColumnReader {
    func string(_ index: Int32) -> String { self[Int(index)] }
    func optionalString(_ index: Int32) -> String? { self[Int(index)] }
    func int64(_ index: Int32) -> Int64 { self[Int(index)] }
    func optionalInt64(_ index: Int32) -> Int64? { self[Int(index)] }
    func int(_ index: Int32) -> Int { self[Int(index)] }
    func bool(_ index: Int32) -> Bool { self[Int(index)] }
}

/// The current row of a raw statement.
struct Columns: ColumnReader {
    let statement: OpaquePointer
    let connection: ReaderConnection

    func string(_ index: Int32) -> String {
        guard let text = sqlite3_column_text(statement, index) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, index))
        let slot = Int(index)
        guard slot < ReaderConnection.rememberedColumns else {
            return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
        }
        if var last = connection.lastText[slot], last.utf8.count == count,
            last.withUTF8({ count == 0 || memcmp($0.baseAddress!, text, count) == 0 })
        {
            return last
        }
        let value = String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
        connection.lastText[slot] = value
        return value
    }

    func optionalString(_ index: Int32) -> String? {
        sqlite3_column_type(statement, index) == SQLITE_NULL ? nil : string(index)
    }

    func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(statement, index) }

    func optionalInt64(_ index: Int32) -> Int64? { SQLiteStore.optionalInt64(statement, index) }

    func int(_ index: Int32) -> Int { Int(sqlite3_column_int64(statement, index)) }

    func bool(_ index: Int32) -> Bool { sqlite3_column_int64(statement, index) != 0 }

    func bytes(_ index: Int32) -> [UInt8] {
        guard let blob = sqlite3_column_blob(statement, index) else { return [] }
        let count = Int(sqlite3_column_bytes(statement, index))
        return Array(UnsafeRawBufferPointer(start: blob, count: count))
    }
}

/// A value bound to a raw statement.
enum ReaderValue {
    case text(String)
    case int(Int64)
    case null

    init(_ text: String?) { self = text.map(ReaderValue.text) ?? .null }
    init(_ value: Int64?) { self = value.map(ReaderValue.int) ?? .null }

    /// Binds the value at 1-based `position`; returns SQLite's result code.
    func bind(_ statement: OpaquePointer, _ position: Int32) -> Int32 {
        switch self {
        case .text(let text): return sqlite3_bind_text(statement, position, text, -1, transientDestructor)
        case .int(let value): return sqlite3_bind_int64(statement, position, value)
        case .null: return sqlite3_bind_null(statement, position)
        }
    }
}

extension Statement {
    /// Runs this (cached) statement once with `values` bound in order, straight through the C API: the writes of
    /// every ingest skip GRDB's argument boxing. Throws GRDB's error for the statement's failure.
    func run(_ values: [ReaderValue], in db: Database) throws {
        let statement = sqliteStatement
        sqlite3_reset(statement)
        sqlite3_clear_bindings(statement)
        defer { sqlite3_reset(statement) }
        for (index, value) in values.enumerated() {
            let code = value.bind(statement, Int32(index + 1))
            guard code == SQLITE_OK else { throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage) }
        }
        let code = sqlite3_step(statement)
        guard code == SQLITE_DONE || code == SQLITE_ROW else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: sql)
        }
    }
}

extension Statement {
    /// The first column of the first row of this (cached, argument-free) statement, through the C API.
    func int64(in db: Database) throws -> Int64? {
        let statement = sqliteStatement
        sqlite3_reset(statement)
        defer { sqlite3_reset(statement) }
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return sqlite3_column_type(statement, 0) == SQLITE_NULL ? nil : sqlite3_column_int64(statement, 0)
        case SQLITE_DONE: return nil
        case let code: throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: sql)
        }
    }
}

/// SQLite's "copy the bound value" destructor.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
