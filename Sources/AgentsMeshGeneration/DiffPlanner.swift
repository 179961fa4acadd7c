internal import AgentsMeshKit
public import SharedCore

/// `diff` (§4.5): an in-memory generate rendered as unified patches.
public enum DiffPlanner {
    public struct Change: Sendable {
        public var path: String
        public var target: String
        public var action: String
        public var patch: String
    }

    public static func diff(root: String, targets: [String]?) throws(ToolError) -> [Change] {
        let plan = try Planner.plan(root: root, targets: targets, force: true)
        var changes: [Change] = []
        for file in plan.files where file.status != .unchanged {
            let old = file.previous.map { String(decoding: $0, as: UTF8.self) } ?? ""
            let new = String(decoding: file.bytes, as: UTF8.self)
            let patch = UnifiedDiff.diff(
                old: old, new: new, oldPath: file.previous == nil ? "/dev/null" : "a/" + file.path, newPath: "b/" + file.path)
            changes.append(Change(path: file.path, target: file.target, action: file.status == .create ? "create" : "modify", patch: patch))
        }
        for deletion in plan.deletions {
            let old = deletion.previous.map { String(decoding: $0, as: UTF8.self) } ?? ""
            changes.append(
                Change(
                    path: deletion.path, target: deletion.target, action: "delete",
                    patch: UnifiedDiff.diff(old: old, new: "", oldPath: "a/" + deletion.path, newPath: "/dev/null")))
        }
        return changes.sorted { FileSystem.byteOrder($0.path, $1.path) }
    }

    public static func json(_ changes: [Change]) -> JSONValue {
        [
            "changes": .array(
                changes.map {
                    ["path": .string($0.path), "target": .string($0.target), "action": .string($0.action), "patch": .string($0.patch)]
                })
        ]
    }
}
