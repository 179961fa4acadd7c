internal import AgentsMeshCanonical
internal import AgentsMeshProjectors
public import SharedCore

/// The capability matrix (§3.1, §4.10).
public enum CapabilityMatrix {
    public static let rows = ["rules", "additionalRules", "commands", "agents", "skills", "mcp", "hooks", "ignore", "permissions"]

    /// Level and optional flavour of one row for a target.
    public static func capability(target: String, row: String) -> (level: String, flavour: String?) {
        switch (target, row) {
        case (TargetID.geminiCLI, "additionalRules"): return ("embedded", nil)
        case (TargetID.geminiCLI, "ignore"): return ("native", "settings-embedded")
        case (TargetID.geminiCLI, "permissions"): return ("partial", nil)
        default: return TargetID.firstClass.contains(target) ? ("native", nil) : ("none", nil)
        }
    }

    public static func capabilities(target: String) -> JSONValue {
        var object = JSONObject()
        for row in rows {
            let c = capability(target: target, row: row)
            var cell: JSONObject = ["level": .string(c.level)]
            if let flavour = c.flavour { cell["flavour"] = .string(flavour) }
            object[row] = .object(cell)
        }
        return .object(object)
    }

    /// `matrix --json` data.
    public static func data(targets: [String]?) -> JSONValue {
        let ids = targets?.filter { TargetID.firstClass.contains($0) } ?? TargetID.firstClass
        let entries: [JSONValue] = ids.compactMap { id in
            guard let projector = Targets.projector(id) else { return nil }
            return [
                "id": .string(id), "displayName": .string(projector.displayName), "category": .string(projector.category),
                "capabilities": capabilities(target: id),
            ]
        }
        return ["scope": "project", "targets": .array(entries), "planned": .strings(TargetID.planned)]
    }

    /// The human table.
    public static func table(targets: [String]?) -> String {
        let ids = targets?.filter { TargetID.firstClass.contains($0) } ?? TargetID.firstClass
        let width = rows.map(\.count).max() ?? 10
        func pad(_ s: String, _ n: Int) -> String { s + String(repeating: " ", count: max(0, n - s.count)) }
        let columnWidth = max(14, ids.map { $0.count + 2 }.max() ?? 14)
        var lines = [pad("", width + 2) + ids.map { pad($0, columnWidth) }.joined()]
        for row in rows {
            var line = pad(row, width + 2)
            for id in ids {
                let c = capability(target: id, row: row)
                var cell = ["native": "N", "embedded": "E", "partial": "P"][c.level] ?? "—"
                if let flavour = c.flavour { cell += " (\(flavour))" }
                line += pad(cell, columnWidth)
            }
            lines.append(line.trimmingCharacters())
        }
        lines.append("")
        lines.append("N = native, E = embedded, P = partial, — = none")
        lines.append("Planned: " + TargetID.planned.joined(separator: ", "))
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func trimmingCharacters() -> String {
        var s = self
        while s.last == " " { s.removeLast() }
        return s
    }
}
