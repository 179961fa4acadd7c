package import SharedPlatform

/// The `lstat` identity of one path: enough to tell that a file was not touched since it was recorded
/// (like git's index: kind, device, inode, size, mode, mtime and ctime in nanoseconds).
package struct FileStat: Equatable, Sendable {
    package enum Kind: UInt8, Sendable {
        case missing = 0
        case file, directory, symlink, other
    }

    package var kind: Kind
    package var device: UInt64 = 0
    package var inode: UInt64 = 0
    package var size: Int64 = 0
    package var mode: UInt32 = 0
    /// Nanoseconds since the epoch.
    package var mtime: Int64 = 0
    package var ctime: Int64 = 0

    package init(kind: Kind, device: UInt64 = 0, inode: UInt64 = 0, size: Int64 = 0, mode: UInt32 = 0, mtime: Int64 = 0, ctime: Int64 = 0) {
        self.kind = kind
        self.device = device
        self.inode = inode
        self.size = size
        self.mode = mode
        self.mtime = mtime
        self.ctime = ctime
    }

    package static let missing = FileStat(kind: .missing)

    /// `lstat` of `path`; a missing path (or a missing parent) is `.missing`, any other error `.other`.
    package static func of(_ path: String) -> FileStat {
        var st = stat()
        guard lstat(path, &st) == 0 else {
            return errno == ENOENT || errno == ENOTDIR ? .missing : FileStat(kind: .other)
        }
        return FileStat(st)
    }

    /// The identity recorded from a `stat` buffer (`lstat`, `fstat`).
    package init(_ st: stat) {
        let kind: Kind
        switch st.st_mode & S_IFMT {
        case S_IFREG: kind = .file
        case S_IFDIR: kind = .directory
        case S_IFLNK: kind = .symlink
        default: kind = .other
        }
        let mtime = st.modifiedTime.nanoseconds
        let ctime = st.changedTime.nanoseconds
        self.init(
            kind: kind, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size), mode: UInt32(st.st_mode),
            mtime: mtime, ctime: ctime)
    }

    /// Whether a change made after this stat was taken could leave it identical ("racy git"): its
    /// timestamps are not strictly older than `stamp`, a filesystem-clock reading taken before the stat.
    /// Whole-second timestamps (coarse filesystems) are compared with one second of slack.
    package func isRacy(stamp: Int64) -> Bool {
        guard kind != .missing else { return false }
        let latest = max(mtime, ctime)
        if mtime % 1_000_000_000 == 0 && ctime % 1_000_000_000 == 0 {
            return latest >= (stamp / 1_000_000_000 - 1) * 1_000_000_000
        }
        return latest >= stamp
    }

    /// The filesystem clock now (nanoseconds): the coarse real-time clock file timestamps are taken from,
    /// so that any change made after this reading gets a timestamp >= it.
    package static func clockNow() -> Int64 { Platform.fileClockNanoseconds() }

    /// A bound no file timestamp given so far exceeds: the fine real-time clock. File timestamps never run
    /// ahead of it, but they can run ahead of the coarse clock — recent kernels hand out fine-grained
    /// timestamps once a file's times have been read, and a delayed timer tick leaves the coarse clock behind —
    /// so "written before" is measured with this, not with `clockNow()`.
    package static func writtenBound() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Waits (at most `limit` seconds) until the filesystem clock is past `time` (a `writtenBound()`), so that
    /// files written up to then can be recorded as not racy.
    package static func waitForClock(after time: Int64, limit: Double = 0.05) {
        let deadline = clockNow() + Int64(limit * 1e9)
        while clockNow() <= time, clockNow() < deadline {
            usleep(1000)
        }
    }
}
