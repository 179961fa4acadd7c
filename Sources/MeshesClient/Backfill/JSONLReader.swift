internal import Foundation

/// Reads JSONL one line at a time from a file handle, in fixed chunks: memory stays below one line limit plus
/// one chunk whatever the file's size, and a line over the limit is skipped without being held whole.
struct JSONLReader {
    /// A line longer than this (without its newline) is rejected (§8).
    static let maxLineBytes = 1 << 20
    static let chunkBytes = 256 * 1024

    /// One line: its number (from 1), its bytes (nil when it was too long) and the file offset just after it.
    struct Line: Sendable {
        var number: Int
        var bytes: ArraySlice<UInt8>?
        var end: Int64
    }

    let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var skipping = false
    private var atEnd = false
    /// File offset of `buffer[start]`.
    private(set) var offset: Int64
    private(set) var lineNumber: Int

    /// Reads from the handle's current position, which is `offset` in the file, after `lineNumber` lines.
    init(handle: FileHandle, offset: Int64 = 0, lineNumber: Int = 0) {
        self.handle = handle
        self.offset = offset
        self.lineNumber = lineNumber
        buffer.reserveCapacity(Self.chunkBytes)
    }

    /// The next line, or nil at the end of the input.
    mutating func next() throws(BackfillFailure) -> Line? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let bytes = buffer[start..<newline]
                let tooLong = skipping || bytes.count > Self.maxLineBytes
                offset += Int64(newline + 1 - start)
                start = newline + 1
                skipping = false
                lineNumber += 1
                return Line(number: lineNumber, bytes: tooLong ? nil : bytes, end: offset)
            }
            let pending = buffer.count - start
            if skipping || pending > Self.maxLineBytes {
                // Too long already: drop what was read of it and keep skipping to its newline.
                skipping = true
                offset += Int64(pending)
                buffer.removeAll(keepingCapacity: true)
            } else if start > 0 {
                buffer.removeSubrange(0..<start)
            }
            start = 0
            if atEnd {
                guard skipping || !buffer.isEmpty else { return nil }
                // A last line without a newline.
                let bytes = buffer[...]
                offset += Int64(buffer.count)
                lineNumber += 1
                let line = Line(number: lineNumber, bytes: skipping ? nil : bytes, end: offset)
                buffer = []
                skipping = false
                return line
            }
            let chunk: Data?
            do {
                chunk = try handle.read(upToCount: Self.chunkBytes)
            } catch {
                throw .io("cannot read the input: \(error.localizedDescription)")
            }
            if let chunk, !chunk.isEmpty { buffer.append(contentsOf: chunk) } else { atEnd = true }
        }
    }
}
