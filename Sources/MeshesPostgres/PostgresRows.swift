internal import Foundation
internal import Logging
internal import PostgresNIO
internal import SharedCore

/// One result row, read by column name.
struct Fields {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) { self.row = row.makeRandomAccess() }

    subscript<T: PostgresDecodable>(_ column: String) -> T {
        get throws { try row[column].decode(T.self) }
    }

    /// A JSON text column decoded (nil when null or unparsable).
    func json(_ column: String) throws -> JSONValue? {
        guard let text: String = try self[column] else { return nil }
        return try? JSONParser.parse(bytes: Array(text.utf8))
    }

    func jsonObject(_ column: String) throws -> JSONObject { try json(column)?.objectValue ?? JSONObject() }
}

/// A statement assembled piece by piece (optional filters, keyset conditions) with `$n` placeholders.
struct SQL {
    private(set) var text: String
    private(set) var binds = PostgresBindings()

    init(_ text: String) { self.text = text }

    mutating func append(_ fragment: String) { text += fragment }

    mutating func bind(_ value: String) {
        binds.append(value)
        text += "$\(binds.count)"
    }

    mutating func bind(_ value: Int64) {
        binds.append(value)
        text += "$\(binds.count)"
    }

    mutating func bind(_ value: Int) {
        binds.append(value)
        text += "$\(binds.count)"
    }

    mutating func bind(_ values: [Int64]) {
        binds.append(values)
        text += "$\(binds.count)"
    }

    mutating func bind(_ values: [String]) {
        binds.append(values)
        text += "$\(binds.count)"
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: text, binds: binds) }
}

extension PostgresConnection {
    /// Every row of `query`.
    func all(_ query: PostgresQuery, _ logger: Logger) async throws -> [Fields] {
        var rows: [Fields] = []
        for try await row in try await self.query(query, logger: logger) { rows.append(Fields(row)) }
        return rows
    }

    /// The first row of `query`, nil when there is none.
    func one(_ query: PostgresQuery, _ logger: Logger) async throws -> Fields? {
        try await all(query, logger).first
    }

    /// Runs `query` for its effect.
    func run(_ query: PostgresQuery, _ logger: Logger) async throws {
        for try await _ in try await self.query(query, logger: logger) {}
    }
}
