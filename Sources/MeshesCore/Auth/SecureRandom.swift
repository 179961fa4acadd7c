internal import SharedPlatform
internal import Synchronization

/// Random values for keys, secrets and tokens, drawn from the system CSPRNG (`getrandom` on Linux,
/// `arc4random_buf` on Darwin) through `SystemRandomNumberGenerator`, or `/dev/urandom` for identifiers.
public enum SecureRandom {
    private static let base62Symbols = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)

    /// `count` random bytes.
    public static func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        var out: [UInt8] = []
        out.reserveCapacity(count + 8)
        while out.count < count {
            let word = generator.next()
            for shift in stride(from: 0, to: 64, by: 8) where out.count < count {
                out.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return out
    }

    /// `count` bytes from the kernel's CSPRNG in one read of `/dev/urandom` (the standard library's generator
    /// makes one system call per 8 bytes); falls back to `bytes` when the device cannot be read.
    static func kernelBytes(_ count: Int) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return bytes(count) }
        defer { close(fd) }
        let filled = out.withUnsafeMutableBytes { buffer -> Int in
            var filled = 0
            while filled < buffer.count {
                let got = read(fd, buffer.baseAddress! + filled, buffer.count - filled)
                if got > 0 {
                    filled += got
                } else if got < 0 && errno == EINTR {
                    continue
                } else {
                    break
                }
            }
            return filled
        }
        return filled == count ? out : bytes(count)
    }

    /// Bytes for identifiers: the same CSPRNG, drawn 4 KiB at a time so a UUID costs no system call. Not for
    /// secrets (those use `bytes`, which never keeps random material in memory after use).
    static func identifierBytes(_ count: Int) -> [UInt8] {
        identifierPool.withLock { pool in
            if pool.offset + count > pool.buffer.count {
                pool.buffer = kernelBytes(max(4096, count))
                pool.offset = 0
            }
            defer { pool.offset += count }
            return Array(pool.buffer[pool.offset..<(pool.offset + count)])
        }
    }

    private static let identifierPool = Mutex<(buffer: [UInt8], offset: Int)>(([], 0))

    /// `count` uniformly random characters of `[A-Za-z0-9]`.
    public static func base62(_ count: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(count)
        while out.count < count {
            // Rejection sampling: 248 = 4 × 62, so keeping bytes below it leaves no modulo bias.
            for byte in bytes(count - out.count + 8) where byte < 248 && out.count < count {
                out.append(base62Symbols[Int(byte % 62)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `text` is exactly `count` characters of `[A-Za-z0-9]`.
    static func isBase62(_ bytes: some Collection<UInt8>, count: Int) -> Bool {
        bytes.count == count
            && bytes.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            }
    }
}
