internal import MeshesCore
public import SharedCore

/// A keyset page request: newest first by (`created_at` desc, `id` desc) (§3 lists).
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 50
    public static let limitRange = 1...200

    public var limit: Int
    /// Position after which the page starts.
    public var after: Cursor?

    public init(limit: Int = PageRequest.defaultLimit, after: Cursor? = nil) {
        self.limit = limit
        self.after = after
    }
}

/// The opaque cursor: base64url (no padding) of `{"c":<created_at>,"i":<id>}`.
public struct Cursor: Sendable, Equatable {
    public var createdAt: Int64
    public var id: String

    public init(createdAt: Int64, id: String) {
        self.createdAt = createdAt
        self.id = id
    }

    /// The encoded form clients pass back.
    public var encoded: String {
        let json = JSONEmitter.compact(["c": .string(Formats.timestamp(milliseconds: createdAt)), "i": .string(id)])
        return Base64URL.encode(json)
    }

    /// Decodes a cursor; `nil` when it is not one of ours.
    public init?(encoded text: String) {
        guard let bytes = Base64URL.decode(text), let value = try? JSONParser.parse(bytes: bytes),
            let stamp = value["c"]?.stringValue, let id = value["i"]?.stringValue, let milliseconds = Cursor.parse(stamp)
        else { return nil }
        self.init(createdAt: milliseconds, id: id)
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS.mmmZ` to epoch milliseconds.
    static func parse(_ text: String) -> Int64? {
        let bytes = Array(text.utf8)
        guard bytes.count == 24, bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A,
            bytes[16] == 0x3A, bytes[19] == 0x2E, bytes[23] == 0x5A
        else { return nil }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= 0x30 && byte <= 0x39 else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10), let hour = number(11..<13),
            let minute = number(14..<16), let second = number(17..<19), let millis = number(20..<23),
            (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Int64(((days * 24 + hour) * 60 + minute) * 60 + second) * 1000 + Int64(millis)
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

/// One page of records plus the cursor of the next page.
public struct Page<Element: Sendable>: Sendable {
    public var records: [Element]
    public var next: Cursor?
    public var limit: Int

    /// Memberwise; `package` so that the other stores of this package can build values from their rows.
    package init(records: [Element], next: Cursor? = nil, limit: Int) {
        self.records = records
        self.next = next
        self.limit = limit
    }

    /// `{count, limit, next_cursor, records}`, each record written by `write`.
    public func write(to writer: inout JSONWriter, _ write: (Element, inout JSONWriter) -> Void) {
        Page.writeEnvelope(to: &writer, count: records.count, limit: limit, next: next) { writer in
            for record in records { write(record, &writer) }
        }
    }

    /// `{count, limit, next_cursor, records}` around records that `records` writes.
    static func writeEnvelope(
        to writer: inout JSONWriter, count: Int, limit: Int, next: Cursor?, records: (inout JSONWriter) -> Void
    ) {
        writer.beginObject()
        writer.key("count")
        writer.int(count)
        writer.key("limit")
        writer.int(limit)
        writer.key("next_cursor")
        writer.string(next?.encoded)
        writer.key("records")
        writer.beginArray()
        records(&writer)
        writer.endArray()
        writer.endObject()
    }

    /// `{count, limit, next_cursor, records}`.
    public func json(_ render: (Element) -> JSONValue) -> JSONValue {
        var object = JSONObject()
        object["count"] = .int(records.count)
        object["limit"] = .int(limit)
        object["next_cursor"] = next.map { .string($0.encoded) } ?? .null
        object["records"] = .array(records.map(render))
        return .object(object)
    }
}
