/// Writes compact JSON straight into bytes, member by member, with exactly the bytes `JSONEmitter.compactBytes`
/// gives for the same value: for hot responses (lists of events) where building a `JSONValue` tree first costs
/// more than the writing. Commas are placed automatically; keys are trusted literals (no escaping needed).
///
/// The bytes live in a buffer of the writer's own (appending to an `Array` checks uniqueness and capacity on every
/// call, which cost a third of writing a page of events); hence the writer cannot be copied.
public struct JSONWriter: ~Copyable {
    private var base: UnsafeMutablePointer<UInt8>
    private var capacity: Int
    /// How many bytes are written.
    public private(set) var count = 0
    private var needsComma = false
    /// The last timestamp written: its milliseconds and where its text is in the buffer (pages repeat the same
    /// milliseconds often).
    private var lastTimestamp: (milliseconds: Int64, start: Int, count: Int)?

    public init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// A copy of what is written.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Calls `body` with what is written (valid during the call only).
    public func withBytes<R>(_ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: base, count: count))
    }

    // MARK: - The buffer

    @inline(__always)
    private mutating func reserve(_ more: Int) {
        if count + more > capacity { grow(count + more) }
    }

    private mutating func grow(_ needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let newBase = UnsafeMutablePointer<UInt8>.allocate(capacity: newCapacity)
        newBase.update(from: base, count: count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    @inline(__always)
    private mutating func append(_ byte: UInt8) {
        reserve(1)
        base[count] = byte
        count += 1
    }

    @inline(__always)
    private mutating func append(_ buffer: UnsafeBufferPointer<UInt8>) {
        guard let source = buffer.baseAddress, !buffer.isEmpty else { return }
        reserve(buffer.count)
        (base + count).update(from: source, count: buffer.count)
        count += buffer.count
    }

    private mutating func append(_ array: [UInt8]) {
        array.withUnsafeBufferPointer { append($0) }
    }

    @inline(__always)
    private mutating func separate() {
        if needsComma { append(0x2C) }
    }

    // MARK: - Structure

    public mutating func beginObject() {
        separate()
        append(0x7B)
        needsComma = false
    }

    public mutating func endObject() {
        append(0x7D)
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        append(0x5B)
        needsComma = false
    }

    public mutating func endArray() {
        append(0x5D)
        needsComma = true
    }

    /// A member name: a literal that needs no escaping.
    public mutating func key(_ name: StaticString) {
        let length = name.utf8CodeUnitCount
        reserve(length + 4)
        if needsComma {
            base[count] = 0x2C
            count += 1
        }
        base[count] = 0x22
        (base + count + 1).update(from: name.utf8Start, count: length)
        base[count + 1 + length] = 0x22
        base[count + 2 + length] = 0x3A
        count += length + 3
        needsComma = false
    }

    // MARK: - Values

    public mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { quoted($0) }
    }

    public mutating func string(_ value: String?) {
        if let value { string(value) } else { null() }
    }

    /// A string given as UTF-8 bytes (a database column): the same bytes `string(_:)` writes for the `String`
    /// those bytes decode to, also when they are not valid UTF-8 (then decoded with replacement characters).
    public mutating func string(utf8 text: UnsafeBufferPointer<UInt8>) {
        if ByteScan.isASCII(text) {
            quoted(text)
        } else {
            string(String(decoding: text, as: UTF8.self))
        }
    }

    /// Valid UTF-8 as a string literal (`JSONEmitter.appendQuoted`'s bytes).
    private mutating func quoted(_ text: UnsafeBufferPointer<UInt8>) {
        separate()
        needsComma = true
        if ByteScan.firstNeedingEscape(text) == text.count {
            reserve(text.count + 2)
            append(0x22)
            append(text)
            append(0x22)
        } else {
            var escaped: [UInt8] = []
            escaped.reserveCapacity(text.count + 8)
            JSONEmitter.appendQuoted(utf8: text, into: &escaped)
            append(escaped)
        }
    }

    public mutating func int(_ value: Int) {
        separate()
        if value >= 0 && value < 10 {
            append(0x30 + UInt8(value))
        } else {
            append(Array(String(value).utf8))
        }
        needsComma = true
    }

    public mutating func null() {
        separate()
        reserve(4)
        base[count] = 0x6E
        base[count + 1] = 0x75
        base[count + 2] = 0x6C
        base[count + 3] = 0x6C
        count += 4
        needsComma = true
    }

    /// Any value, through the emitter.
    public mutating func value(_ value: JSONValue) {
        separate()
        append(JSONEmitter.compactBytes(value))
        needsComma = true
    }

    /// An already-written JSON value, placed as the next value.
    public mutating func raw(_ json: UnsafeBufferPointer<UInt8>) {
        separate()
        append(json)
        needsComma = true
    }

    /// Bytes appended as they are, continuing what the last `raw` began (a value written in pieces).
    public mutating func rawContinued(_ bytes: UnsafeBufferPointer<UInt8>) {
        append(bytes)
    }

    /// Epoch milliseconds as `"YYYY-MM-DDTHH:MM:SS.mmmZ"` (the text of `Clock.iso`).
    public mutating func timestamp(_ milliseconds: Int64) {
        separate()
        needsComma = true
        if let last = lastTimestamp, last.milliseconds == milliseconds {
            reserve(last.count)
            (base + count).update(from: base + last.start, count: last.count)
            count += last.count
            return
        }
        let start = count
        if milliseconds >= 0 && milliseconds < 253_402_300_800_000 {
            let seconds = Int(milliseconds / 1000)
            let days = seconds / 86_400
            let secondOfDay = seconds - days * 86_400
            let date = DateText.civilFromDays(days)
            reserve(26)
            base[count] = 0x22
            count += 1
            digits(date.year, 4)
            base[count] = 0x2D
            count += 1
            digits(date.month, 2)
            base[count] = 0x2D
            count += 1
            digits(date.day, 2)
            base[count] = 0x54
            count += 1
            digits(secondOfDay / 3600, 2)
            base[count] = 0x3A
            count += 1
            digits(secondOfDay / 60 % 60, 2)
            base[count] = 0x3A
            count += 1
            digits(secondOfDay % 60, 2)
            base[count] = 0x2E
            count += 1
            digits(Int(milliseconds % 1000), 3)
            base[count] = 0x5A
            base[count + 1] = 0x22
            count += 2
        } else {
            var text: [UInt8] = []
            JSONEmitter.appendQuoted(Clock.iso(seconds: Int(milliseconds / 1000), milliseconds: Int(milliseconds % 1000)), into: &text)
            append(text)
        }
        lastTimestamp = (milliseconds, start, count - start)
    }

    /// `value` in exactly `width` decimal digits (zero-padded; capacity reserved by the caller).
    @inline(__always)
    private mutating func digits(_ value: Int, _ width: Int) {
        var remaining = value
        var index = count + width - 1
        while index >= count {
            base[index] = 0x30 + UInt8(remaining % 10)
            remaining /= 10
            index -= 1
        }
        count += width
    }

    /// The value `write` produces, parsed back (for callers that need a `JSONValue`; the writer stays the one
    /// place that spells the members).
    public static func value(_ write: (inout JSONWriter) -> Void) -> JSONValue {
        var writer = JSONWriter()
        write(&writer)
        // Our own output always parses; the fallback keeps the signature total.
        return writer.withBytes { (try? JSONParser.parse(bytes: Array($0))) ?? .null }
    }
}
