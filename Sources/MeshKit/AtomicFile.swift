#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Crash-safe writes: temp file in the destination folder, fsync, rename over the destination.
public enum AtomicFile {
    /// Writes `bytes` to `path` atomically; a symlink at the destination is replaced, never followed.
    /// Parent folders are created (0755). `displayPath` is used in errors.
    public static func write(
        _ bytes: [UInt8], to path: String, displayPath: String, mode: mode_t = 0o644
    ) throws(ToolError) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[..<$0]) } ?? "."
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        try FileSystem.makeDirectories(folder, displayPath: displayPath)
        let temp = folder + "/.\(name).agentsmesh-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw ToolError.io("cannot write", path: displayPath, errno: errno) }
        var ok = false
        defer {
            if !ok { unlink(temp) }
        }
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                Glibc.write(fd, raw.baseAddress! + offset, bytes.count - offset)
            }
            if n < 0 {
                if errno == EINTR { continue }
                let code = errno
                close(fd)
                throw ToolError.io("cannot write", path: displayPath, errno: code)
            }
            offset += n
        }
        fchmod(fd, mode)
        if fsync(fd) != 0 {
            let code = errno
            close(fd)
            throw ToolError.io("cannot sync", path: displayPath, errno: code)
        }
        close(fd)
        guard rename(temp, path) == 0 else { throw ToolError.io("cannot replace", path: displayPath, errno: errno) }
        ok = true
    }

    /// UTF-8 convenience for `write(_:to:displayPath:)`.
    public static func write(_ text: String, to path: String, displayPath: String) throws(ToolError) {
        try write(Array(text.utf8), to: path, displayPath: displayPath)
    }
}
