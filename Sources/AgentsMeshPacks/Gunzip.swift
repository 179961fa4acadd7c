internal import CZlib
internal import SharedCore
internal import SharedPlatform

/// Streaming gzip decompression (zlib, windowBits 31, concatenated members) from a file descriptor.
struct Gunzip {
    /// Reads `path` and hands decompressed chunks to `sink` (which may throw to stop early).
    static func stream(path: String, displayPath: String, sink: ([UInt8]) throws(ToolError) -> Void) throws(ToolError) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ToolError.io("cannot read", path: displayPath, errno: errno) }
        defer { close(fd) }
        var stream = z_stream()
        var rc = inflateInit2_(&stream, 31, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw corrupt(displayPath, "zlib init failed (\(rc))") }
        defer { inflateEnd(&stream) }
        let chunk = 256 * 1024
        var input = [UInt8](repeating: 0, count: chunk)
        var output = [UInt8](repeating: 0, count: chunk)
        var finishedMember = false
        var sawInput = false
        while true {
            let n = input.withUnsafeMutableBytes { read(fd, $0.baseAddress, chunk) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ToolError.io("cannot read", path: displayPath, errno: errno)
            }
            if n == 0 { break }
            sawInput = true
            var offset = 0
            while offset < n {
                if finishedMember {
                    // A new gzip member may follow; trailing zero padding is tolerated.
                    if input[offset..<n].allSatisfy({ $0 == 0 }) {
                        offset = n
                        break
                    }
                    inflateReset(&stream)
                    finishedMember = false
                }
                let consumed: Int
                let produced: Int
                (rc, consumed, produced) = input.withUnsafeMutableBufferPointer { inBuffer in
                    output.withUnsafeMutableBufferPointer { outBuffer in
                        stream.next_in = inBuffer.baseAddress.map { $0 + offset }
                        stream.avail_in = uInt(n - offset)
                        stream.next_out = outBuffer.baseAddress
                        stream.avail_out = uInt(chunk)
                        let result = inflate(&stream, Z_NO_FLUSH)
                        return (result, (n - offset) - Int(stream.avail_in), chunk - Int(stream.avail_out))
                    }
                }
                if rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && produced > 0) {
                    throw corrupt(displayPath, "invalid gzip data (\(stream.msg.map { String(cString: $0) } ?? "zlib error \(rc)"))")
                }
                offset += consumed
                if produced > 0 { try sink(Array(output[0..<produced])) }
                if rc == Z_STREAM_END { finishedMember = true }
                if consumed == 0 && produced == 0 && rc != Z_STREAM_END { break }
            }
        }
        guard sawInput else { throw corrupt(displayPath, "empty archive") }
        guard finishedMember else { throw corrupt(displayPath, "truncated gzip stream") }
    }

    static func corrupt(_ path: String, _ why: String) -> ToolError {
        ToolError(ErrorCode.validationFailed, "\(path): corrupt archive: \(why)", details: ["reason": "ARCHIVE_CORRUPT"])
    }
}
