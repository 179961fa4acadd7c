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
        var kinds: [Substring: EntryKind] = [:]
        return try resolve(relative, kinds: &kinds)
    }

    /// `resolve` for many paths, throwing the first failure in order; each ancestor is examined once
    /// (the paths of one project share most of their folders).
    /// Returns what it saw, so callers can skip probing the same paths again.
    @discardableResult
    public func checkAll(_ relatives: [String]) throws(ToolError) -> Survey {
        var kinds: [Substring: EntryKind] = [:]
        for relative in relatives { try check(relative, kinds: &kinds) }
        return Survey(kinds: kinds)
    }

    /// The kinds `checkAll` found (`lstat`, symlinks not followed), by normalised relative path.
    public struct Survey: Sendable {
        let kinds: [Substring: EntryKind]

        /// The kind of `relative` as examined, `.missing` when a folder above it was missing; nil when it was
        /// not examined (a path given in non-normal form is never found).
        public func kind(of relative: String) -> EntryKind? {
            if let known = kinds[Substring(relative)] { return known }
            var end = relative.utf8.endIndex
            while let slash = relative.utf8[..<end].lastIndex(of: UInt8(ascii: "/")) {
                if kinds[relative[..<slash]] == .missing { return .missing }
                end = slash
            }
            return nil
        }
    }

    private func resolve(_ relative: String, kinds: inout [Substring: EntryKind]) throws(ToolError) -> String {
        try check(relative, kinds: &kinds)
        let segments = relative.split(separator: "/", omittingEmptySubsequences: true)
        return segments.isEmpty ? root : root + "/" + segments.joined(separator: "/")
    }

    /// The checks of `resolve`. `kinds` caches the kind of each examined ancestor by its normalised
    /// relative path (segments joined by `/`, `.` and empty segments dropped).
    private func check(_ relative: String, kinds: inout [Substring: EntryKind]) throws(ToolError) {
        if relative.hasPrefix("/") || relative.containsBytes("\\") || relative.containsBytes("\0") {
            throw ToolError(ErrorCode.pathTraversal, "path '\(relative)' is not a project-relative path")
        }
        let segments = relative.split(separator: "/", omittingEmptySubsequences: true)
        if segments.contains(where: { $0 == ".." }) {
            throw ToolError(ErrorCode.pathTraversal, "path '\(relative)' escapes the project")
        }
        // Every existing ancestor (and the path itself, if it is a symlink to a folder) must resolve inside.
        // A path without `.` or empty segments is its own normalised form: its prefixes are looked up as is.
        let normal = !segments.contains { $0 == "." } && segments.count == relative.utf8.count { $0 == UInt8(ascii: "/") } + 1
        var prefix = ""
        for (index, segment) in segments.enumerated() where segment != "." {
            let key: Substring
            if normal {
                key = relative[..<segment.endIndex]
            } else {
                prefix += (prefix.isEmpty ? "" : "/") + segment
                key = Substring(prefix)
            }
            let entry: EntryKind
            if let known = kinds[key] {
                entry = known
            } else {
                entry = FileSystem.kind(root + "/" + String(key))
                kinds[key] = entry
            }
            if entry == .missing { break }
            guard entry == .symlink else { continue }
            let isLast = index == segments.count - 1
            guard let target = FileSystem.realPath(root + "/" + String(key)) else {
                if isLast { break }  // dangling final symlink: it is replaced, never followed
                throw ToolError(ErrorCode.pathTraversal, "'\(key)' is a broken symlink")
            }
            if isLast && !FileSystem.isDirectory(target) { break }
            guard target == root || target.hasPrefix(root + "/") else {
                throw ToolError(ErrorCode.pathTraversal, "'\(key)' is a symlink that leads outside the project")
            }
        }
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
        if let found = utf8.withContiguousStorageIfAvailable({ ByteSearch.contains($0, needle) }) { return found }
        return Array(utf8).withUnsafeBufferPointer { ByteSearch.contains($0, needle) }
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement`, matched on UTF-8 bytes left to right without
    /// overlaps (JavaScript's `replaceAll` on these ASCII patterns; no Unicode equivalence).
    public func replacingBytes(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, containsBytes(target) else { return self }
        var text = self
        let pattern = Array(target.utf8)
        let substitute = Array(replacement.utf8)
        return text.withUTF8 { u in
            var out: [UInt8] = []
            out.reserveCapacity(u.count + 16)
            var i = 0
            while i < u.count {
                if u[i] == pattern[0], i + pattern.count <= u.count, pattern.indices.allSatisfy({ u[i + $0] == pattern[$0] }) {
                    out.append(contentsOf: substitute)
                    i += pattern.count
                } else {
                    out.append(u[i])
                    i += 1
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
    }
}

enum ByteSearch {
    static func contains(_ hay: UnsafeBufferPointer<UInt8>, _ needle: String) -> Bool {
        var needle = needle
        return needle.withUTF8 { n in
            guard let first = n.first else { return true }
            guard hay.count >= n.count else { return false }
            if n.count == 1 { return hay.contains(first) }
            var i = 0
            let last = hay.count - n.count
            while i <= last {
                if hay[i] == first {
                    var k = 1
                    while k < n.count, hay[i + k] == n[k] { k += 1 }
                    if k == n.count { return true }
                }
                i += 1
            }
            return false
        }
    }
}
