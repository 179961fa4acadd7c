internal import CGit2

/// libgit2 is initialised once per process; every module that calls it (packs, the lessons git index)
/// goes through here first.
public enum LibGit2 {
    private static let initialized: Int32 = git_libgit2_init()

    /// Initialises libgit2 (once; later calls are free).
    public static func ensure() { _ = initialized }

    /// The last libgit2 error message (thread-local: read right after the failing call).
    public static func lastError() -> String {
        guard let error = git_error_last(), let message = error.pointee.message else { return "unknown libgit2 error" }
        return String(cString: message)
    }

    /// The linked libgit2's version as `major.minor.revision`.
    public static var version: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var revision: Int32 = 0
        git_libgit2_version(&major, &minor, &revision)
        return "\(major).\(minor).\(revision)"
    }
}
