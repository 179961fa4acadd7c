public import SharedCore
internal import SharedPlatform

/// Root discovery for lessons commands and tools (§6.1).
public enum LessonsRoot {
    /// The nearest ancestor of `start` holding `.agentsmesh/lessons/`, else `agentsmesh.yaml`, else a git
    /// work tree (a `.git` folder or file); `$HOME` itself is never a root. `nil` when none applies.
    public static func discover(from start: String, home: String? = nil) -> String? {
        let home = home ?? homeDirectory()
        let ancestors = ancestors(of: FileSystem.realPath(start) ?? start).filter { $0 != home }
        if let found = ancestors.first(where: { FileSystem.isDirectory($0 + "/" + LessonsFiles.folder) }) { return found }
        if let found = ancestors.first(where: { FileSystem.exists($0 + "/agentsmesh.yaml") }) { return found }
        return ancestors.first(where: { FileSystem.kind($0 + "/.git") != .missing })
    }

    /// Like `discover`, throwing `NO_PROJECT` when nothing is found.
    public static func require(from start: String, home: String? = nil) throws(ToolError) -> String {
        guard let root = discover(from: start, home: home) else {
            throw ToolError(
                ErrorCode.noProject,
                "no lessons project found: no .agentsmesh/lessons/, agentsmesh.yaml or git work tree in this folder or its parents")
        }
        return root
    }

    /// `path` and each parent up to `/`, nearest first.
    static func ancestors(of path: String) -> [String] {
        var out: [String] = []
        var current = path
        while true {
            out.append(current)
            guard current != "/", let slash = current.lastIndex(of: "/") else { break }
            current = slash == current.startIndex ? "/" : String(current[..<slash])
        }
        return out
    }

    static func homeDirectory() -> String? {
        guard let value = getenv("HOME") else { return nil }
        let home = String(cString: value)
        return home.isEmpty ? nil : (FileSystem.realPath(home) ?? home)
    }
}
