/// Resolution of input paths inside a root: rejects absolute paths, `..` segments and symlinked
/// ancestors that lead outside (spec §4.1 stage 7).
public struct SafePath: Sendable {
    /// The root folder, already resolved with realpath.
    public let root: String

    /// Creates a resolver for `root` (resolved through realpath when it exists).
    public init(root: String) {
        self.root = FileSystem.realPath(root) ?? root
    }

    /// The absolute path for a `/`-separated relative path, after checking it stays inside the root.
    public func resolve(_ relative: String) throws(ToolError) -> String {
        if relative.hasPrefix("/") || relative.containsBytes("\\") || relative.containsBytes("\0") {
            throw ToolError(ErrorCode.pathTraversal, "path '\(relative)' is not a project-relative path")
        }
        let segments = relative.split(separator: "/", omittingEmptySubsequences: true)
        if segments.contains(where: { $0 == ".." }) {
            throw ToolError(ErrorCode.pathTraversal, "path '\(relative)' escapes the project")
        }
        // Every existing ancestor (and the path itself, if it is a symlink to a folder) must resolve inside.
        var current = root
        var shown = ""
        for (index, segment) in segments.enumerated() where segment != "." {
            current += "/" + segment
            shown += (shown.isEmpty ? "" : "/") + segment
            let entry = FileSystem.kind(current)
            if entry == .missing { break }
            let isLast = index == segments.count - 1
            if entry == .symlink {
                guard let target = FileSystem.realPath(current) else {
                    if isLast { break }  // dangling final symlink: it is replaced, never followed
                    throw ToolError(ErrorCode.pathTraversal, "'\(shown)' is a broken symlink")
                }
                if isLast && !FileSystem.isDirectory(target) { break }
                guard target == root || target.hasPrefix(root + "/") else {
                    throw ToolError(ErrorCode.pathTraversal, "'\(shown)' is a symlink that leads outside the project")
                }
            }
        }
        return segments.isEmpty ? root : root + "/" + segments.joined(separator: "/")
    }

    /// Whether an absolute path lies inside the root.
    public func contains(absolute path: String) -> Bool {
        path == root || path.hasPrefix(root + "/")
    }
}

extension StringProtocol {
    /// Whether `needle` occurs in the UTF-8 bytes: a byte-exact search (no Unicode equivalence), much
    /// cheaper than Foundation's `contains(_:)` for the ASCII separators paths and formats use.
    public func containsBytes(_ needle: String) -> Bool {
        let pattern = Array(needle.utf8)
        guard let first = pattern.first else { return true }
        let bytes = utf8
        var index = bytes.startIndex
        while let found = bytes[index...].firstIndex(of: first) {
            var candidate = found
            var matched = true
            for byte in pattern {
                guard candidate != bytes.endIndex, bytes[candidate] == byte else {
                    matched = false
                    break
                }
                candidate = bytes.index(after: candidate)
            }
            if matched { return true }
            index = bytes.index(after: found)
        }
        return false
    }
}
