internal import AgentsMeshKit

/// The lessons write lock `.agentsmesh/lessons/.lessons.lock/`: the shared process-lock scheme in its folder
/// form, with the owner record in `owner.json` (§4.3).
enum LessonsLock {
    static func make(root: String) -> ProcessLock {
        ProcessLock(root: root, relativePath: LessonsFiles.lock, form: .directory(ownerFile: "owner.json"))
    }
}
