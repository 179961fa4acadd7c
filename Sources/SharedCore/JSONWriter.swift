/// Writes compact JSON straight into bytes, member by member, with exactly the bytes `JSONEmitter.compactBytes`
/// gives for the same value: for hot responses (lists of events) where building a `JSONValue` tree first costs
/// more than the writing. Commas are placed automatically; keys are trusted literals (no escaping needed).
public struct JSONWriter {
    public private(set) var bytes: [UInt8]
    private var needsComma = false
    /// The last timestamp written and its text (pages repeat the same milliseconds often).
    private var lastTimestamp: (milliseconds: Int64, text: [UInt8])?

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inline(__always)
    private mutating func separate() {
        if needsComma { bytes.append(0x2C) }
    }

    public mutating func beginObject() {
        separate()
        bytes.append(0x7B)
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(0x7D)
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(0x5B)
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(0x5D)
        needsComma = true
    }

    /// A member name: a literal that needs no escaping.
    public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(0x22)
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(0x22)
        bytes.append(0x3A)
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separate()
        JSONEmitter.appendQuoted(value, into: &bytes)
        needsComma = true
    }

    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    public mutating func int(_ value: Int) {
        separate()
        if value >= 0 && value < 10 {
            bytes.append(0x30 + UInt8(value))
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
        needsComma = true
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C])
        needsComma = true
    }

    /// Any value, through the emitter.
    public mutating func value(_ value: JSONValue) {
        separate()
        bytes.append(contentsOf: JSONEmitter.compactBytes(value))
        needsComma = true
    }

    /// Epoch milliseconds as `"YYYY-MM-DDTHH:MM:SS.mmmZ"` (the text of `Clock.iso`).
    public mutating func timestamp(_ milliseconds: Int64) {
        separate()
        needsComma = true
        if let last = lastTimestamp, last.milliseconds == milliseconds {
            bytes.append(contentsOf: last.text)
            return
        }
        let start = bytes.count
        if milliseconds >= 0 && milliseconds < 253_402_300_800_000 {
            let seconds = Int(milliseconds / 1000)
            let days = seconds / 86_400
            let secondOfDay = seconds - days * 86_400
            let date = DateText.civilFromDays(days)
            bytes.append(0x22)
            digits(date.year, 4)
            bytes.append(0x2D)
            digits(date.month, 2)
            bytes.append(0x2D)
            digits(date.day, 2)
            bytes.append(0x54)
            digits(secondOfDay / 3600, 2)
            bytes.append(0x3A)
            digits(secondOfDay / 60 % 60, 2)
            bytes.append(0x3A)
            digits(secondOfDay % 60, 2)
            bytes.append(0x2E)
            digits(Int(milliseconds % 1000), 3)
            bytes.append(0x5A)
            bytes.append(0x22)
        } else {
            JSONEmitter.appendQuoted(Clock.iso(seconds: Int(milliseconds / 1000), milliseconds: Int(milliseconds % 1000)), into: &bytes)
        }
        lastTimestamp = (milliseconds, Array(bytes[start...]))
    }

    @inline(__always)
    private mutating func digits(_ value: Int, _ width: Int) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        while divisor > 0 {
            bytes.append(0x30 + UInt8(value / divisor % 10))
            divisor /= 10
        }
    }

    /// The value `write` produces, parsed back (for callers that need a `JSONValue`; the writer stays the one
    /// place that spells the members).
    public static func value(_ write: (inout JSONWriter) -> Void) -> JSONValue {
        var writer = JSONWriter()
        write(&writer)
        // Our own output always parses; the fallback keeps the signature total.
        return (try? JSONParser.parse(bytes: writer.bytes)) ?? .null
    }
}
