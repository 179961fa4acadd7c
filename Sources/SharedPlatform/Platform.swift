// The calls whose spelling differs between platforms, each written once. Linux is where the package is
// built and tested; the other branches keep the code honest about what is Linux-only.

extension stat {
    /// Last modification time.
    public var modifiedTime: timespec {
        #if canImport(Darwin)
            st_mtimespec
        #else
            st_mtim
        #endif
    }

    /// Last status change time.
    public var changedTime: timespec {
        #if canImport(Darwin)
            st_ctimespec
        #else
            st_ctim
        #endif
    }
}

extension timespec {
    /// The time as nanoseconds since the epoch.
    public var nanoseconds: Int64 { Int64(tv_sec) * 1_000_000_000 + Int64(tv_nsec) }
}

public enum Platform {
    /// This machine's host name (lock owners record it; a lock from another host is never judged by pid).
    public static var hostname: String {
        var buffer = [CChar](repeating: 0, count: 256)
        gethostname(&buffer, 255)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The coarse real-time clock that file timestamps are taken from (the fine one where there is no
    /// coarse one), in nanoseconds since the epoch.
    public static func fileClockNanoseconds() -> Int64 {
        var ts = timespec()
        #if os(Linux)
            clock_gettime(CLOCK_REALTIME_COARSE, &ts)
        #else
            clock_gettime(CLOCK_REALTIME, &ts)
        #endif
        return ts.nanoseconds
    }

    /// Flushes the whole filesystem holding the open file `fd` (`syncfs(2)`); false where that is not
    /// available, so the caller falls back to `fsync` per file.
    public static func syncFilesystem(_ fd: Int32) -> Bool {
        #if os(Linux)
            // syncfs is not exported by the Glibc module (it needs _GNU_SOURCE): look it up.
            guard let symbol = dlsym(nil, "syncfs") else { return false }
            return unsafeBitCast(symbol, to: (@convention(c) (Int32) -> Int32).self)(fd) == 0
        #else
            return false
        #endif
    }

    /// Whether this platform has inotify (the file watcher's event backend; elsewhere it polls).
    public static var hasInotify: Bool {
        #if os(Linux)
            true
        #else
            false
        #endif
    }
}
