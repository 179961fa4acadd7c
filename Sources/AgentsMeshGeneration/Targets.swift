internal import AgentsMeshCanonical
internal import AgentsMeshProjectors
public import SharedCore
internal import SharedPlatform

/// Finding the project root (§1): nearest ancestor of cwd holding `agentsmesh.yaml`, never `$HOME`.
public enum ProjectLocator {
    public static func find(from start: String) throws(ToolError) -> String {
        let home = ProcessEnvironment.value("HOME").flatMap { FileSystem.realPath($0) }
        var current = FileSystem.realPath(start) ?? start
        while true {
            if current != home, FileSystem.kind(current + "/" + ConfigLoader.projectFile) == .file { return current }
            guard let slash = current.lastIndex(of: "/"), current != "/" else { break }
            current = slash == current.startIndex ? "/" : String(current[..<slash])
        }
        throw ToolError(ErrorCode.noProject, "no \(ConfigLoader.projectFile) found in this folder or its parents; run `agentsmesh init`")
    }
}
