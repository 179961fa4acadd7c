public import SharedCore
internal import SharedPlatform

/// The 32-byte key that seals every secret at rest (§1, §4.4).
///
/// Losing it makes every sealed value unreadable, so `load` never replaces an existing key file and
/// refuses a malformed one instead of starting over.
public struct MasterKey: Sendable, CustomStringConvertible {
    /// Key length in bytes (AES-256).
    public static let byteCount = 32
    /// The variable that carries the key as base64url; it wins over the key file.
    public static let environmentVariable = "MESHES_MASTER_KEY"
    /// The key file's name inside the database directory.
    public static let fileName = "master.key"

    /// Where a key came from, for the startup log.
    public enum Origin: Sendable, Equatable {
        /// `MESHES_MASTER_KEY`.
        case environment
        /// An existing `master.key`.
        case existingFile
        /// A `master.key` this call created.
        case createdFile
        /// Bytes given in code (`init(bytes:)`, `generate()`).
        case provided
    }

    /// The raw key bytes.
    let bytes: [UInt8]
    /// Where the key came from.
    public let origin: Origin

    /// A key from exactly 32 bytes; `nil` for any other length.
    public init?(bytes: [UInt8]) {
        self.init(bytes: bytes, origin: .provided)
    }

    private init?(bytes: [UInt8], origin: Origin) {
        guard bytes.count == MasterKey.byteCount else { return nil }
        self.bytes = bytes
        self.origin = origin
    }

    /// A new random key, held only in memory.
    public static func generate() -> MasterKey {
        MasterKey(unchecked: SecureRandom.bytes(byteCount), origin: .provided)
    }

    private init(unchecked bytes: [UInt8], origin: Origin) {
        self.bytes = bytes
        self.origin = origin
    }

    /// Never prints the key.
    public var description: String { "MasterKey(<redacted>, \(origin))" }

    /// The store's master key: `MESHES_MASTER_KEY` (base64url of 32 bytes) when set, else
    /// `<dbDirectory>/master.key` (32 raw bytes). A missing file is created with fresh random bytes,
    /// mode 0600, published atomically without ever replacing a file another process created first; a
    /// missing directory is created 0700.
    /// - Throws: `ToolError` `VALIDATION_FAILED` for a malformed key (variable or file), `IO_ERROR` when
    ///   the file cannot be read or created.
    public static func load(environment: [String: String], dbDirectory: String) throws(ToolError) -> MasterKey {
        if let key = try load(variable: environmentVariable, environment: environment) { return key }
        let directory = dbDirectory.isEmpty ? "." : dbDirectory
        let path = (directory.hasSuffix("/") ? directory : directory + "/") + fileName
        switch FileSystem.kind(path) {
        case .missing:
            return try create(path: path, directory: directory)
        case .file, .symlink:
            return try read(path: path)
        case .directory, .other:
            throw ToolError(ErrorCode.validationFailed, "\(path) is not a regular file; it must hold the 32-byte master key")
        }
    }

    /// The key in the environment variable `variable` (base64url of 32 bytes), nil when it is not set. Besides
    /// `MESHES_MASTER_KEY`, `meshes migrate` reads the source store's key from a variable of its own.
    /// - Throws: `ToolError` `VALIDATION_FAILED` naming the variable when its value is not such a key.
    public static func load(variable: String, environment: [String: String]) throws(ToolError) -> MasterKey? {
        guard let raw = environment[variable] else { return nil }
        let value = raw.trimmingASCIIWhitespace()
        guard !value.isEmpty else {
            throw ToolError(
                ErrorCode.validationFailed,
                "\(variable) is set but empty; set it to base64url of 32 bytes or unset it to use \(fileName)")
        }
        guard let bytes = Base64URL.decode(value) else {
            throw ToolError(ErrorCode.validationFailed, "\(variable) is not base64url (expected 32 bytes, 43 characters)")
        }
        guard let key = MasterKey(bytes: bytes, origin: .environment) else {
            throw ToolError(ErrorCode.validationFailed, "\(variable) decodes to \(bytes.count) bytes; the master key is 32 bytes")
        }
        return key
    }

    private static func read(path: String) throws(ToolError) -> MasterKey {
        let bytes = try FileSystem.read(path, displayPath: path)
        guard let key = MasterKey(bytes: bytes, origin: .existingFile) else {
            throw ToolError(
                ErrorCode.validationFailed,
                "\(path) holds \(bytes.count) bytes; the master key is 32 bytes. Restore the original file or set \(environmentVariable)")
        }
        return key
    }

    /// Writes a fresh key to a private temp file, then hard-links it into place: `link` fails with
    /// `EEXIST` instead of replacing, so when two processes race, both end up with the winner's key and
    /// a reader never sees a partial file.
    private static func create(path: String, directory: String) throws(ToolError) -> MasterKey {
        try makePrivateDirectories(directory)
        let bytes = SecureRandom.bytes(byteCount)
        let temp = directory + "/.\(fileName).\(getpid()).\(UInt32.random(in: 0...UInt32.max)).tmp"
        try writeNew(bytes, to: temp, displayPath: path)
        defer { unlink(temp) }
        if link(temp, path) == 0 {
            syncDirectory(directory)
            return MasterKey(unchecked: bytes, origin: .createdFile)
        }
        let code = errno
        if code == EEXIST { return try read(path: path) }
        // Filesystems without hard links: exclusive create in place (still never replaces a key).
        guard code == EPERM || code == ENOTSUP || code == EOPNOTSUPP || code == ENOSYS || code == EXDEV else {
            throw ToolError.io("cannot create", path: path, errno: code)
        }
        do {
            try writeNew(bytes, to: path, displayPath: path)
        } catch {
            if FileSystem.kind(path) != .missing, error.details?["errno"] == .string("EEXIST") {
                return try read(path: path)
            }
            throw error
        }
        syncDirectory(directory)
        return MasterKey(unchecked: bytes, origin: .createdFile)
    }

    /// Creates `path` exclusively with mode 0600 and writes and syncs `bytes`.
    private static func writeNew(_ bytes: [UInt8], to path: String, displayPath: String) throws(ToolError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ToolError.io("cannot create", path: displayPath, errno: errno) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                write(fd, raw.baseAddress.map { $0 + offset }, bytes.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                let code = errno
                unlink(path)
                throw ToolError.io("cannot write", path: displayPath, errno: code)
            }
            offset += written
        }
        // The creation mode is filtered by the umask; set it explicitly.
        fchmod(fd, 0o600)
        guard fsync(fd) == 0 else {
            let code = errno
            unlink(path)
            throw ToolError.io("cannot sync", path: displayPath, errno: code)
        }
    }

    /// `mkdir -p` with mode 0700 for every folder it creates; existing folders keep their mode.
    private static func makePrivateDirectories(_ path: String) throws(ToolError) {
        if FileSystem.isDirectory(path) { return }
        var current = path.hasPrefix("/") ? "" : "."
        for segment in path.split(separator: "/") {
            current += "/" + segment
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw ToolError.io("cannot create folder", path: path, errno: errno)
            }
        }
    }

    /// Makes a new directory entry durable; best effort.
    private static func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs, CR and LF.
    fileprivate func trimmingASCIIWhitespace() -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
        let bytes = Array(utf8)
        guard let first = bytes.firstIndex(where: { !isSpace($0) }), let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
