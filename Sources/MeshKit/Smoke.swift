import CGit2
import CZlib

/// libgit2 must be initialised once per process; every module that calls it goes through here.
public enum LibGit2 {
    private static let initialized: Int32 = git_libgit2_init()

    /// Initialises libgit2 (once; later calls are free).
    public static func ensure() { _ = initialized }

    /// The last libgit2 error message (thread-local: read right after the failing call).
    public static func lastError() -> String {
        guard let error = git_error_last(), let message = error.pointee.message else { return "unknown libgit2 error" }
        return String(cString: message)
    }
}

/// Versions of the linked C libraries; also proves the system-library modules link.
public enum NativeLibraries {
    /// libgit2's version as `major.minor.revision`.
    public static var libgit2Version: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }

    /// zlib's version string.
    public static var zlibVersion: String {
        String(cString: CZlib.zlibVersion())
    }

    /// Round-trips bytes through zlib deflate/inflate (used by the smoke test).
    public static func zlibRoundTrip(_ input: [UInt8]) -> [UInt8]? {
        var compressedLength = compressBound(uLong(input.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        guard compress(&compressed, &compressedLength, input, uLong(input.count)) == Z_OK else { return nil }
        var outLength = uLongf(input.count)
        var out = [UInt8](repeating: 0, count: max(1, input.count))
        guard uncompress(&out, &outLength, compressed, compressedLength) == Z_OK else { return nil }
        return Array(out.prefix(Int(outLength)))
    }
}
