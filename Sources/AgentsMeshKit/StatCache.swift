internal import Dispatch
package import SharedCore
internal import SharedPlatform

/// A stat cache (§4.2 accelerator, `.agentsmeshcache`): path → recorded stat, optional content hash
/// (`sha256:<hex>` of the whole file) and tag, plus opaque record lines owned by the caller.
/// It is only ever an accelerator: anything unreadable, foreign or inconsistent is discarded.
package struct StatCache: Sendable {
    package struct Entry: Equatable, Sendable {
        package var path: String
        package var stat: FileStat
        package var hash: String?
        package var tag: String?
        /// Recorded while racy: must be re-verified by content before it is trusted.
        package var racy: Bool
        /// A folder recorded by its entry names (hashed into `hash`) rather than its timestamps.
        package var listing: Bool

        package init(path: String, stat: FileStat, hash: String? = nil, tag: String? = nil, racy: Bool = false, listing: Bool = false) {
            self.path = path
            self.stat = stat
            self.hash = hash
            self.tag = tag
            self.racy = racy
            self.listing = listing
        }
    }

    package static let fileName = ".agentsmeshcache"
    static let magic = "agentsmesh-stat-cache 1"

    /// Identifies the writer (version, resolved root, …); a cache with another key is ignored.
    package var key: String
    /// Filesystem-clock reading taken before the recorded stats.
    package var stamp: Int64
    package var entries: [Entry]
    package var records: [String]

    package init(key: String, stamp: Int64, entries: [Entry] = [], records: [String] = []) {
        self.key = key
        self.stamp = stamp
        self.entries = entries
        self.records = records
    }

    /// The hash of a folder's entry names (as `FileSystem.list` returns them).
    package static func namesHash(_ names: [String]) -> String {
        SHA256.tagged(Array(names.joined(separator: "\n").utf8))
    }

    /// The names a listing entry hashes: sorted, minus `excluded` names and scratch entries.
    package static func listingHash(_ folder: String, excluding excluded: Set<String>) -> String {
        namesHash(FileSystem.list(folder).filter { !excluded.contains($0) && !isScratch($0) })
    }

    /// Scratch entries come and go with single commands: `*.tmp` files and `.staging-*` folders (installs).
    package static func isScratch(_ name: String) -> Bool {
        name.hasSuffix(".tmp") || name.hasPrefix(".staging-")
    }

    /// Whether the entry's recorded hash can be trusted for `current` without reading the file.
    package func trusts(_ entry: Entry, current: FileStat) -> Bool {
        entry.hash != nil && !entry.listing && !entry.racy && entry.stat.kind == .file && entry.stat == current
            && !current.isRacy(stamp: stamp)
    }

    /// A path → entry index.
    package func index() -> [String: Entry] {
        Dictionary(entries.map { ($0.path, $0) }, uniquingKeysWith: { a, _ in a })
    }

    /// Checks every entry against disk below `root`. Listing entries compare their names
    /// (`listingExcludes`); racy entries are re-verified by content (files: hash, folders: names).
    /// Returns nil when anything differs, else whether any entry needed a content verification.
    /// Entries are checked on a few threads (the work is one `lstat` per entry).
    package func validate(root: String, listingExcludes: Set<String>) -> (verified: Bool, count: Int)? {
        let chunks = entries.count >= 512 ? 4 : 1
        let size = (entries.count + chunks - 1) / max(chunks, 1)
        // 0 = unchanged, 1 = verified by content, 2 = differs.
        var outcomes = [UInt8](repeating: 0, count: chunks)
        outcomes.withUnsafeMutableBufferPointer { buffer in
            nonisolated(unsafe) let results = buffer
            DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
                let range = (chunk * size)..<min(entries.count, (chunk + 1) * size)
                var outcome: UInt8 = 0
                for entry in entries[range] {
                    guard let verified = check(entry, root: root, listingExcludes: listingExcludes) else {
                        outcome = 2
                        break
                    }
                    if verified { outcome = 1 }
                }
                results[chunk] = outcome
            }
        }
        guard !outcomes.contains(2) else { return nil }
        return (outcomes.contains(1), entries.count)
    }

    /// One entry: nil when it differs, else whether it needed a content verification.
    private func check(_ entry: Entry, root: String, listingExcludes: Set<String>) -> Bool? {
        let absolute = root + "/" + entry.path
        let current = FileStat.of(absolute)
        if entry.listing {
            guard current.kind == .directory, current.device == entry.stat.device, current.inode == entry.stat.inode,
                Self.listingHash(absolute, excluding: listingExcludes) == entry.hash
            else { return nil }
            return false
        }
        guard current == entry.stat, current.kind != .other else { return nil }
        guard entry.racy || current.isRacy(stamp: stamp) else { return false }
        if current.kind == .directory {
            guard let hash = entry.hash, Self.namesHash(FileSystem.list(absolute)) == hash, FileStat.of(absolute) == current else {
                return nil
            }
            return true
        }
        guard current.kind == .file, let hash = entry.hash,
            let bytes = try? FileSystem.read(absolute, displayPath: entry.path), SHA256.tagged(bytes) == hash,
            FileStat.of(absolute) == current
        else { return nil }
        return true
    }

    // MARK: - File format

    /// Reads `root/.agentsmeshcache`; nil when missing, unreadable, corrupt or written for another key.
    package static func load(root: String, key: String) -> StatCache? {
        guard let bytes = try? FileSystem.readIfExists(root + "/" + fileName, displayPath: fileName) else { return nil }
        return parse(bytes, key: key)
    }

    static func parse(_ bytes: [UInt8], key: String) -> StatCache? {
        // Byte-level parsing: the cache is read on every no-op generate and check. Lines are found with
        // memchr; a large body is parsed on all cores in chunks joined in order.
        let lines = lineRanges(bytes)
        // The file ends with a newline: header (3 lines), entries/records, "end <count>".
        guard lines.last?.upperBound == bytes.count - 1, lines.count >= 4 else { return nil }
        func text(_ range: Range<Int>) -> String { String(decoding: bytes[range], as: UTF8.self) }
        guard text(lines[0]) == magic, text(lines[1]) == "key " + key else { return nil }
        let stampLine = text(lines[2])
        let endLine = text(lines[lines.count - 1])
        guard stampLine.hasPrefix("stamp "), let stamp = Int64(stampLine.dropFirst(6)),
            endLine.hasPrefix("end "), let count = Int(endLine.dropFirst(4))
        else { return nil }
        let body = 3..<(lines.count - 1)
        let chunkCount = body.count >= 2048 ? 4 : 1
        let chunkSize = (body.count + chunkCount - 1) / chunkCount
        let chunks = (0..<chunkCount).map {
            body.lowerBound + $0 * chunkSize..<min(body.upperBound, body.lowerBound + ($0 + 1) * chunkSize)
        }
        let parsed = Parallel.transform(chunks, grain: 1) { chunk -> (entries: [Entry], records: [String])? in
            bytes.withUnsafeBufferPointer { buffer in
                var entries: [Entry] = []
                var records: [String] = []
                entries.reserveCapacity(chunk.count)
                for line in lines[chunk] {
                    guard line.count >= 2, buffer[line.lowerBound + 1] == 32 else { return nil }
                    switch buffer[line.lowerBound] {
                    case UInt8(ascii: "r"):
                        records.append(
                            String(decoding: UnsafeBufferPointer(rebasing: buffer[(line.lowerBound + 2)..<line.upperBound]), as: UTF8.self))
                    case UInt8(ascii: "e"):
                        guard let entry = parseEntry(buffer, (line.lowerBound + 2)..<line.upperBound) else { return nil }
                        entries.append(entry)
                    default:
                        return nil
                    }
                }
                return (entries, records)
            }
        }
        var cache = StatCache(key: key, stamp: stamp)
        cache.entries.reserveCapacity(count)
        for part in parsed {
            guard let part else { return nil }
            cache.entries += part.entries
            cache.records += part.records
        }
        guard cache.entries.count == count else { return nil }
        return cache
    }

    /// The ranges of the newline-terminated lines of `bytes` (newlines excluded); text after the last
    /// newline is not a line.
    static func lineRanges(_ bytes: [UInt8]) -> [Range<Int>] {
        bytes.withUnsafeBufferPointer { buffer -> [Range<Int>] in
            guard let base = buffer.baseAddress else { return [] }
            var lines: [Range<Int>] = []
            lines.reserveCapacity(buffer.count / 160 + 4)
            var start = 0
            while start < buffer.count, let found = memchr(base + start, 10, buffer.count - start) {
                let end = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
                lines.append(start..<end)
                start = end + 1
            }
            return lines
        }
    }

    private static func parseEntry(_ buffer: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> Entry? {
        // kind flags dev ino size mode mtime ctime hash tag path  (path last: it may contain spaces)
        var position = range.lowerBound
        func number() -> UInt64? {
            var value: UInt64 = 0
            let begin = position
            while position < range.upperBound, buffer[position] != 32 {
                let digit = buffer[position] &- 48
                guard digit < 10 else { return nil }
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times.addingReportingOverflow(UInt64(digit))
                guard !o1, !o2 else { return nil }
                value = sum
                position += 1
            }
            guard position > begin, position < range.upperBound else { return nil }
            position += 1
            return value
        }
        func word() -> String? {
            let begin = position
            while position < range.upperBound, buffer[position] != 32 { position += 1 }
            guard position > begin, position < range.upperBound else { return nil }
            defer { position += 1 }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[begin..<position]), as: UTF8.self)
        }
        guard let kindRaw = number(), kindRaw < 256, let kind = FileStat.Kind(rawValue: UInt8(kindRaw)), let flags = number(),
            let device = number(), let inode = number(), let size = number(), size <= UInt64(Int64.max), let mode = number(),
            mode <= UInt64(UInt32.max), let mtime = number(), mtime <= UInt64(Int64.max), let ctime = number(),
            ctime <= UInt64(Int64.max), let hash = word(), let tag = word(), position < range.upperBound
        else { return nil }
        let path = String(decoding: UnsafeBufferPointer(rebasing: buffer[position..<range.upperBound]), as: UTF8.self)
        let stat = FileStat(
            kind: kind, device: device, inode: inode, size: Int64(size), mode: UInt32(mode), mtime: Int64(mtime), ctime: Int64(ctime))
        return Entry(
            path: path, stat: stat, hash: hash == "-" ? nil : hash, tag: tag == "-" ? nil : tag, racy: flags & 1 != 0,
            listing: flags & 2 != 0)
    }

    /// The file text; nil when an entry or record cannot be represented (newline in a path, …).
    /// Entries are formatted on all cores, in chunks joined in order.
    package func serialized() -> [UInt8]? {
        guard !key.containsBytes("\n"), !records.contains(where: { $0.containsBytes("\n") }) else { return nil }
        let chunkSize = 512
        let chunks = Array(stride(from: 0, to: entries.count, by: chunkSize))
        let entries = self.entries
        let parts = Parallel.transform(chunks, grain: 1) { first -> [UInt8]? in
            var out: [UInt8] = []
            out.reserveCapacity(chunkSize * 160)
            for entry in entries[first..<min(entries.count, first + chunkSize)] {
                guard Self.appendEntry(entry, to: &out) else { return nil }
            }
            return out
        }
        var out = Array((Self.magic + "\nkey " + key + "\nstamp \(stamp)\n").utf8)
        out.reserveCapacity(out.count + parts.reduce(0) { $0 + ($1?.count ?? 0) } + records.count * 64 + 16)
        for part in parts {
            guard let part else { return nil }
            out += part
        }
        for record in records {
            out += "r ".utf8
            out += record.utf8
            out.append(0x0A)
        }
        out += "end \(entries.count)\n".utf8
        return out
    }

    /// Appends `e <kind> <flags> <dev> <ino> <size> <mode> <mtime> <ctime> <hash> <tag> <path>\n`; false when
    /// a field cannot be represented (empty, or holding a separator).
    static func appendEntry(_ entry: Entry, to out: inout [UInt8]) -> Bool {
        let hash = entry.hash ?? "-"
        let tag = entry.tag ?? "-"
        guard !entry.path.isEmpty, !hash.isEmpty, !tag.isEmpty, !entry.path.utf8.contains(0x0A),
            !hash.utf8.contains(where: { $0 == 0x20 || $0 == 0x0A }), !tag.utf8.contains(where: { $0 == 0x20 || $0 == 0x0A })
        else { return false }
        let s = entry.stat
        out.append(0x65)  // e
        out.append(0x20)
        appendDecimal(UInt64(s.kind.rawValue), to: &out)
        out.append(0x20)
        appendDecimal(UInt64((entry.racy ? 1 : 0) | (entry.listing ? 2 : 0)), to: &out)
        out.append(0x20)
        appendDecimal(s.device, to: &out)
        out.append(0x20)
        appendDecimal(s.inode, to: &out)
        out.append(0x20)
        appendDecimal(s.size, to: &out)
        out.append(0x20)
        appendDecimal(UInt64(s.mode), to: &out)
        out.append(0x20)
        appendDecimal(s.mtime, to: &out)
        out.append(0x20)
        appendDecimal(s.ctime, to: &out)
        out.append(0x20)
        out += hash.utf8
        out.append(0x20)
        out += tag.utf8
        out.append(0x20)
        out += entry.path.utf8
        out.append(0x0A)
        return true
    }

    /// Appends the decimal digits of `value` (with `-` when negative).
    static func appendDecimal(_ value: Int64, to out: inout [UInt8]) {
        if value < 0 {
            out.append(0x2D)
            appendDecimal(value.magnitude, to: &out)
        } else {
            appendDecimal(UInt64(value), to: &out)
        }
    }

    static func appendDecimal(_ value: UInt64, to out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)  // 20 digits fit in 32 bytes
        var count = 0
        var rest = value
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[31 - count] = UInt8(truncatingIfNeeded: rest % 10) + 0x30
                rest /= 10
                count += 1
            } while rest > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[(32 - count)...]))
        }
    }

    /// Replaces `root/.agentsmeshcache` atomically (temp + rename; not synced: a torn file fails to
    /// parse and is ignored). Failures are silent.
    package func write(root: String) {
        guard let bytes = serialized() else {
            Self.remove(root: root)
            return
        }
        let temp = root + "/" + Self.fileName + ".\(getpid()).tmp"
        do {
            try AtomicFile.writeScratch(bytes, to: temp, displayPath: Self.fileName)
        } catch {
            unlink(temp)
            return
        }
        if rename(temp, root + "/" + Self.fileName) != 0 { unlink(temp) }
    }

    /// Deletes the cache (silently).
    package static func remove(root: String) {
        unlink(root + "/" + fileName)
    }
}
