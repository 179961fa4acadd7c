// Hand-written: no kept library reads tar, and the reader applies §5.1's limits and path rules while it streams.
public import AgentsMeshCanonical
internal import SharedCore
internal import SharedPlatform

/// Limits of archive extraction (§5.1).
public struct ArchiveLimits: Sendable {
    public var maxTotalBytes: Int = 500 * 1024 * 1024
    public var maxEntries: Int = 100_000
    public init() {}
}

/// What an extraction produced.
public struct ExtractionReport: Sendable {
    public var files = 0
    public var directories = 0
    public var bytes = 0
    public var warnings: [Diagnostic] = []
}

/// A push parser for ustar/pax/GNU tar streams that writes regular files and folders into a
/// staging folder. Every name is validated before anything is written for it.
struct TarExtractor {
    let destination: String
    let limits: ArchiveLimits
    let progress: (@Sendable (Int, Int) -> Void)?

    private var buffer: [UInt8] = []
    private var report = ExtractionReport()
    private var entries = 0
    private var ended = false
    private var zeroBlocks = 0
    // Pending overrides for the next entry.
    private var paxPath: String?
    private var paxSize: Int?
    private var longName: String?
    // Current entry payload state.
    private enum Payload {
        case none
        case file(fd: Int32, remaining: Int, padding: Int)
        case skip(remaining: Int)
        case collect(kind: UInt8, remaining: Int, padding: Int, data: [UInt8])
    }
    private var payload: Payload = .none

    init(destination: String, limits: ArchiveLimits, progress: (@Sendable (Int, Int) -> Void)? = nil) {
        self.destination = destination
        self.limits = limits
        self.progress = progress
    }

    /// Feeds decompressed bytes.
    mutating func feed(_ chunk: [UInt8]) throws(ToolError) {
        if ended { return }
        buffer.append(contentsOf: chunk)
        var cursor = 0
        defer { buffer.removeFirst(cursor) }
        while !ended {
            switch payload {
            case .file(let fd, let remaining, let padding):
                let available = buffer.count - cursor
                if remaining > 0 {
                    let take = min(remaining, available)
                    guard take > 0 else { return }
                    let written = buffer.withUnsafeBytes { raw in write(fd, raw.baseAddress! + cursor, take) }
                    guard written == take else {
                        close(fd)
                        payload = .none
                        throw ToolError(
                            ErrorCode.ioError, "cannot write an extracted file", details: ["errno": .string(ErrnoSnapshot.name())])
                    }
                    cursor += take
                    payload = .file(fd: fd, remaining: remaining - take, padding: padding)
                    continue
                }
                guard available >= padding else { return }
                cursor += padding
                close(fd)
                payload = .none
            case .skip(let remaining):
                let take = min(remaining, buffer.count - cursor)
                cursor += take
                if take < remaining {
                    payload = .skip(remaining: remaining - take)
                    return
                }
                payload = .none
            case .collect(let kind, let remaining, let padding, let data):
                let need = remaining + padding
                guard buffer.count - cursor >= need else { return }
                let body = data + buffer[cursor..<(cursor + remaining)]
                cursor += need
                payload = .none
                try applyMeta(kind: kind, body: Array(body))
            case .none:
                guard buffer.count - cursor >= 512 else { return }
                let header = Array(buffer[cursor..<(cursor + 512)])
                cursor += 512
                try handle(header: header)
            }
        }
    }

    /// Called after the last chunk: the stream must not stop inside an entry.
    mutating func finish() throws(ToolError) -> ExtractionReport {
        if case .file(let fd, let remaining, _) = payload {
            close(fd)
            if remaining > 0 { throw truncated() }
        }
        switch payload {
        case .none: break
        case .file, .skip, .collect: if !ended { throw truncated() }
        }
        return report
    }

    private func truncated() -> ToolError {
        ToolError(ErrorCode.validationFailed, "corrupt archive: truncated tar stream", details: ["reason": "ARCHIVE_CORRUPT"])
    }

    private mutating func handle(header: [UInt8]) throws(ToolError) {
        if header.allSatisfy({ $0 == 0 }) {
            zeroBlocks += 1
            if zeroBlocks >= 2 { ended = true }
            return
        }
        zeroBlocks = 0
        guard Self.checksumMatches(header) else {
            throw ToolError(ErrorCode.validationFailed, "corrupt archive: bad tar header checksum", details: ["reason": "ARCHIVE_CORRUPT"])
        }
        entries += 1
        if entries > limits.maxEntries {
            throw ToolError(ErrorCode.limitExceeded, "archive has more than \(limits.maxEntries) entries")
        }
        let type = header[156]
        guard var size = Self.octal(header[124..<136]) else {
            throw ToolError(ErrorCode.validationFailed, "corrupt archive: bad size field", details: ["reason": "ARCHIVE_CORRUPT"])
        }
        if let override = paxSize, type != UInt8(ascii: "x"), type != UInt8(ascii: "g"), type != UInt8(ascii: "L") { size = override }
        let padding = (512 - size % 512) % 512
        switch type {
        case UInt8(ascii: "x"), UInt8(ascii: "g"), UInt8(ascii: "L"):
            guard size <= 1 << 20 else { throw ToolError(ErrorCode.limitExceeded, "archive metadata entry larger than 1 MiB") }
            payload = .collect(kind: type, remaining: size, padding: padding, data: [])
            return
        default:
            break
        }
        var name = longName ?? paxPath ?? Self.ustarName(header)
        longName = nil
        paxPath = nil
        paxSize = nil
        if name.hasPrefix("./") { name.removeFirst(2) }
        while name.hasPrefix("./") { name.removeFirst(2) }
        let relative = try Self.validate(name)

        switch type {
        case 0, UInt8(ascii: "0"), UInt8(ascii: "7"):
            report.bytes += size
            if report.bytes > limits.maxTotalBytes {
                throw ToolError(ErrorCode.limitExceeded, "archive expands to more than \(limits.maxTotalBytes / (1024 * 1024)) MiB")
            }
            guard !relative.isEmpty, !relative.hasSuffix("/") else {
                payload = .skip(remaining: size + padding)
                return
            }
            let mode = Self.octal(header[100..<108]) ?? 0o644
            let path = destination + "/" + relative
            try ensureParents(of: relative)
            let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode & 0o111 != 0 ? 0o755 : 0o644)
            guard fd >= 0 else {
                throw ToolError(ErrorCode.ioError, "cannot extract \(relative)", details: ["errno": .string(ErrnoSnapshot.name())])
            }
            report.files += 1
            progress?(report.files, report.bytes)
            payload = .file(fd: fd, remaining: size, padding: padding)
        case UInt8(ascii: "5"):
            if !relative.isEmpty { try ensureDirectory(relative) }
            report.directories += 1
            payload = .skip(remaining: size + padding)
        default:
            let kinds: [UInt8: String] = [
                UInt8(ascii: "1"): "hard link", UInt8(ascii: "2"): "symlink", UInt8(ascii: "3"): "character device",
                UInt8(ascii: "4"): "block device", UInt8(ascii: "6"): "FIFO",
            ]
            let what = kinds[type] ?? "entry of type '\(Character(Unicode.Scalar(type)))'"
            report.warnings.append(Diagnostic(code: "ARCHIVE_ENTRY_SKIPPED", message: "skipped \(what) \(relative)", path: relative))
            payload = .skip(remaining: size + padding)
        }
    }

    private mutating func applyMeta(kind: UInt8, body: [UInt8]) throws(ToolError) {
        switch kind {
        case UInt8(ascii: "L"):
            longName = String(decoding: body.prefix { $0 != 0 }, as: UTF8.self)
        case UInt8(ascii: "x"):
            // Records: "<len> <key>=<value>\n".
            var index = 0
            while index < body.count {
                guard let space = body[index...].firstIndex(of: UInt8(ascii: " ")),
                    let length = Int(String(decoding: body[index..<space], as: UTF8.self)), length > 0, index + length <= body.count
                else {
                    throw ToolError(ErrorCode.validationFailed, "corrupt archive: bad pax header", details: ["reason": "ARCHIVE_CORRUPT"])
                }
                let record = body[(space + 1)..<(index + length - 1)]
                if let eq = record.firstIndex(of: UInt8(ascii: "=")) {
                    let key = String(decoding: record[record.startIndex..<eq], as: UTF8.self)
                    let value = String(decoding: record[(eq + 1)...], as: UTF8.self)
                    if key == "path" { paxPath = value }
                    if key == "size" {
                        guard let size = Int(value), size >= 0 else {
                            throw ToolError(
                                ErrorCode.validationFailed, "corrupt archive: bad pax size", details: ["reason": "ARCHIVE_CORRUPT"])
                        }
                        paxSize = size
                    }
                }
                index += length
            }
        default:
            break  // global pax headers are ignored
        }
    }

    private func ensureParents(of relative: String) throws(ToolError) {
        guard let slash = relative.lastIndex(of: "/") else { return }
        try ensureDirectory(String(relative[..<slash]))
    }

    private func ensureDirectory(_ relative: String) throws(ToolError) {
        var current = destination
        for segment in relative.split(separator: "/") {
            current += "/" + segment
            switch FileSystem.kind(current) {
            case .directory: continue
            case .missing:
                if mkdir(current, 0o755) != 0 && errno != EEXIST {
                    throw ToolError(
                        ErrorCode.ioError, "cannot create folder \(relative)", details: ["errno": .string(ErrnoSnapshot.name())])
                }
            default:
                throw ToolError(ErrorCode.pathTraversal, "archive entry \(relative) crosses a non-folder")
            }
        }
    }

    /// Rejects absolute names, `..` segments, NUL and backslashes (the whole install fails).
    static func validate(_ name: String) throws(ToolError) -> String {
        if name.hasPrefix("/") || name.contains("\\") || name.contains("\0") || name.split(separator: "/").contains("..") {
            throw ToolError(ErrorCode.pathTraversal, "archive entry '\(name)' escapes the extraction folder")
        }
        return name.split(separator: "/").filter { $0 != "." }.joined(separator: "/") + (name.hasSuffix("/") && !name.isEmpty ? "/" : "")
    }

    static func ustarName(_ header: [UInt8]) -> String {
        let name = String(decoding: header[0..<100].prefix { $0 != 0 }, as: UTF8.self)
        let magic = header[257..<262]
        if Array(magic) == Array("ustar".utf8) {
            let prefix = String(decoding: header[345..<500].prefix { $0 != 0 }, as: UTF8.self)
            if !prefix.isEmpty { return prefix + "/" + name }
        }
        return name
    }

    static func octal<C: Collection>(_ field: C) -> Int? where C.Element == UInt8 {
        // GNU base-256 for large values.
        if let first = field.first, first & 0x80 != 0 {
            var value = Int(first & 0x7F)
            for byte in field.dropFirst() {
                guard value < Int.max >> 8 else { return nil }
                value = value << 8 | Int(byte)
            }
            return value
        }
        var value = 0
        var seenDigit = false
        for byte in field {
            if byte == 0 || byte == 0x20 {
                if seenDigit { break } else { continue }
            }
            guard byte >= 0x30, byte <= 0x37 else { return nil }
            seenDigit = true
            guard value < Int.max >> 3 else { return nil }
            value = value * 8 + Int(byte - 0x30)
        }
        return value
    }

    static func checksumMatches(_ header: [UInt8]) -> Bool {
        guard let stored = octal(header[148..<156]) else { return false }
        var unsigned = 0
        var signed = 0
        for (i, byte) in header.enumerated() {
            let value = (148..<156).contains(i) ? 0x20 : byte
            unsigned += Int(value)
            signed += Int(Int8(bitPattern: value))
        }
        return stored == unsigned || stored == signed
    }
}

/// The symbolic name of the current errno.
enum ErrnoSnapshot {
    static func name() -> String {
        switch errno {
        case EACCES: return "EACCES"
        case ENOSPC: return "ENOSPC"
        case ELOOP: return "ELOOP"
        case EEXIST: return "EEXIST"
        case ENOENT: return "ENOENT"
        default: return "E\(errno)"
        }
    }
}
