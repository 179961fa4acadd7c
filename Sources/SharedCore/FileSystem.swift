internal import SharedPlatform

/// The kind of a filesystem entry, read without following symlinks.
public enum EntryKind: Sendable, Equatable {
    case file, directory, symlink, other, missing
}

/// Small POSIX helpers: reading, listing and probing without following symlinks.
public enum FileSystem {
    /// The kind of `path` (lstat).
    public static func kind(_ path: String) -> EntryKind {
        var st = stat()
        guard lstat(path, &st) == 0 else { return .missing }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .file
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// Whether `path` exists (following symlinks).
    public static func exists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// Whether `path` is a directory (following symlinks).
    public static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && st.st_mode & S_IFMT == S_IFDIR
    }

    /// Whole-file read; `displayPath` is used in errors instead of the absolute path.
    public static func read(_ path: String, displayPath: String) throws(ToolError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ToolError.io("cannot read", path: displayPath, errno: errno) }
        defer { close(fd) }
        var st = stat()
        // Sized from fstat (one spare byte so EOF is seen without growing); grows for files that report no
        // size (procfs) or grew since.
        let expected = fstat(fd, &st) == 0 && st.st_size > 0 ? Int(st.st_size) + 1 : 4096
        var out = [UInt8](repeating: 0, count: expected)
        var count = 0
        while true {
            if count == out.count { out.append(contentsOf: repeatElement(0, count: out.count)) }
            let n = out.withUnsafeMutableBytes { SharedPlatform.read(fd, $0.baseAddress! + count, $0.count - count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw ToolError.io("cannot read", path: displayPath, errno: errno)
            }
            if n == 0 { break }
            count += n
        }
        out.removeSubrange(count...)
        return out
    }

    /// Reads a file when it exists as a regular file (or a symlink to one); `nil` when missing.
    public static func readIfExists(_ path: String, displayPath: String) throws(ToolError) -> [UInt8]? {
        guard exists(path), !isDirectory(path) else { return nil }
        return try read(path, displayPath: displayPath)
    }

    /// Text read as UTF-8 (invalid sequences repaired).
    public static func readText(_ path: String, displayPath: String) throws(ToolError) -> String {
        String(decoding: try read(path, displayPath: displayPath), as: UTF8.self)
    }

    /// Names in a directory (no `.`/`..`), sorted by byte order; empty when not a directory.
    public static func list(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted(by: byteOrder)
    }

    /// Names in a directory with their kinds from `d_type` (no `lstat` when the filesystem reports
    /// the type), sorted by byte order; empty when not a directory.
    package static func typedList(_ path: String) -> [(name: String, kind: EntryKind)] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var entries: [(name: String, kind: EntryKind)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            guard name != "." && name != ".." else { continue }
            let type = Int32(entry.pointee.d_type)
            let kind: EntryKind
            switch type {
            case Int32(DT_REG): kind = .file
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_LNK): kind = .symlink
            case Int32(DT_UNKNOWN): kind = Self.kind(path + "/" + name)
            default: kind = .other
            }
            entries.append((name, kind))
        }
        return entries.sorted { byteOrder($0.name, $1.name) }
    }

    /// Every regular file below `root`, as `/`-joined relative paths sorted by byte order.
    /// Symlinks are not followed; they are reported through `skipped`.
    /// The relative paths of the regular files below `root` when it holds nothing but regular files and
    /// folders (no symlink, device, socket…); nil otherwise or when `root` is not a folder.
    public static func plainFiles(_ root: String) -> [String]? {
        guard kind(root) == .directory else { return nil }
        var out: [String] = []
        var pending = [""]
        while let rel = pending.popLast() {
            for (name, kind) in typedList(rel.isEmpty ? root : root + "/" + rel) {
                let child = rel.isEmpty ? name : rel + "/" + name
                switch kind {
                case .file: out.append(child)
                case .directory: pending.append(child)
                default: return nil
                }
            }
        }
        return out
    }

    public static func walkFiles(_ root: String, skipped: ((String) -> Void)? = nil) -> [String] {
        var out: [String] = []
        func visit(_ rel: String) {
            let abs = rel.isEmpty ? root : root + "/" + rel
            for (name, kind) in typedList(abs) {
                let childRel = rel.isEmpty ? name : rel + "/" + name
                switch kind {
                case .file: out.append(childRel)
                case .directory: visit(childRel)
                case .symlink: skipped?(childRel)
                default: break
                }
            }
        }
        visit("")
        // Depth-first over sorted listings is almost always sorted already.
        for i in out.indices.dropFirst() where !byteOrder(out[i - 1], out[i]) {
            return out.sorted(by: byteOrder)
        }
        return out
    }

    /// Creates a directory and its parents with mode 0755. Probes upwards from `path` for the nearest
    /// existing folder, then creates only the missing ones (no `mkdir` on existing ancestors).
    public static func makeDirectories(_ path: String, displayPath: String) throws(ToolError) {
        if isDirectory(path) { return }
        var missing: [String] = [path]
        var current = path
        while let slash = current.utf8.lastIndex(of: UInt8(ascii: "/")) {
            current = String(current[..<slash])
            if current.isEmpty || isDirectory(current) { break }
            missing.append(current)
        }
        for folder in missing.reversed() {
            if mkdir(folder, 0o755) != 0 && errno != EEXIST {
                throw ToolError.io("cannot create folder", path: displayPath, errno: errno)
            }
        }
    }

    /// Deletes a file (not a folder); missing files are fine.
    public static func remove(_ path: String, displayPath: String) throws(ToolError) {
        if unlink(path) != 0 && errno != ENOENT {
            throw ToolError.io("cannot delete", path: displayPath, errno: errno)
        }
    }

    /// Whether `path` lies below `folder` (`folder/` is a byte prefix of it).
    public static func isInside(_ path: String, _ folder: String) -> Bool {
        let count = folder.utf8.count
        guard path.utf8.count > count + 1, path.utf8.starts(with: folder.utf8) else { return false }
        return path.utf8[path.utf8.index(path.utf8.startIndex, offsetBy: count)] == UInt8(ascii: "/")
    }

    /// Removes a folder tree (symlinks are unlinked, never followed).
    public static func removeTree(_ path: String) {
        switch kind(path) {
        case .directory:
            for name in list(path) { removeTree(path + "/" + name) }
            rmdir(path)
        case .missing: return
        default: unlink(path)
        }
    }

    /// Removes `path` if it is an empty folder; returns whether it did.
    @discardableResult
    public static func removeIfEmptyDirectory(_ path: String) -> Bool {
        kind(path) == .directory && list(path).isEmpty && rmdir(path) == 0
    }

    /// The resolved absolute form of an existing path (symlinks resolved).
    public static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    /// The current working directory.
    public static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "." }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Modification time in seconds since the epoch, or nil.
    public static func modificationTime(_ path: String) -> Double? {
        var st = stat()
        guard lstat(path, &st) == 0 else { return nil }
        return Double(st.modifiedTime.tv_sec) + Double(st.modifiedTime.tv_nsec) / 1e9
    }

    /// Byte-order comparison of two strings (the sort order of every listing in the spec).
    public static func byteOrder(_ a: String, _ b: String) -> Bool {
        // memcmp over the contiguous UTF-8 (the same order as comparing the UTF-8 views, much faster).
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                if common > 0, let p = x.baseAddress, let q = y.baseAddress {
                    let order = memcmp(p, q, common)
                    if order != 0 { return order < 0 }
                }
                return x.count < y.count
            }
        }
    }
}
