internal import MeshesCore

/// Every route of §3, matched from the path alone (the method is checked separately so a known path with
/// a wrong verb answers 405 with `Allow`).
enum Route: Equatable {
    case health
    case workspaces
    case workspace(String)
    case workspaceConnections(String)
    case workspaceEventTypes(String)
    case workspaceResources(String)
    case workspaceRules(String)
    case workspaceEvents(String)
    case connections
    case connection(String)
    case connectionActions(String)
    case connectionFields(String)
    case connectionMapping(String)
    case integrations
    case rules
    case rule(String)
    case events
    case eventsBulk
    case event(String)
    case eventPayload(String)
    case eventCancel(String)
    case ruleEventRetry(event: String, rule: String)
    case ruleEventCancel(event: String, rule: String)
    case attempts(event: String, rule: String)
    case attempt(event: String, rule: String, attempt: String)
    case attemptResponse(event: String, rule: String, attempt: String)
    case sessions
    case sessionLaunch
    case sessionRefresh(String)
    case session(String)

    /// The verbs the path accepts.
    var methods: [String] {
        switch self {
        case .health, .workspaceConnections, .workspaceEventTypes, .workspaceResources, .workspaceRules, .workspaceEvents,
            .connectionActions, .connectionFields, .integrations, .event, .eventPayload, .attempts, .attempt, .attemptResponse:
            return ["GET"]
        case .workspaces, .connections, .rules, .events, .sessions: return ["GET", "POST"]
        case .workspace: return ["GET", "PUT"]
        case .connection: return ["GET", "PUT", "DELETE"]
        case .connectionMapping: return ["GET", "PUT"]
        case .rule: return ["GET", "DELETE"]
        case .eventsBulk, .eventCancel, .ruleEventRetry, .ruleEventCancel, .sessionLaunch, .sessionRefresh: return ["POST"]
        case .session: return ["DELETE"]
        }
    }

    /// The route for a path, or nil (404). Path ids must be UUIDs, except session ids.
    static func match(_ path: String) -> Route? {
        var trimmed = Substring(path)
        while trimmed.count > 1 && trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        if trimmed == "/healthz" { return .health }
        let prefix = "/api/v1/"
        guard trimmed.hasPrefix(prefix) else { return nil }
        let segments = trimmed.dropFirst(prefix.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        func uuid(_ index: Int) -> String? {
            guard index < segments.count, Formats.isUUID(segments[index]) else { return nil }
            return segments[index].lowercased()
        }
        switch segments.first {
        case "workspaces":
            if segments.count == 1 { return .workspaces }
            guard let id = uuid(1) else { return nil }
            if segments.count == 2 { return .workspace(id) }
            guard segments.count == 3 else { return nil }
            switch segments[2] {
            case "connections": return .workspaceConnections(id)
            case "event-types": return .workspaceEventTypes(id)
            case "resources": return .workspaceResources(id)
            case "rules": return .workspaceRules(id)
            case "events": return .workspaceEvents(id)
            default: return nil
            }
        case "connections":
            if segments.count == 1 { return .connections }
            guard let id = uuid(1) else { return nil }
            switch segments.count {
            case 2: return .connection(id)
            case 3:
                if segments[2] == "actions" { return .connectionActions(id) }
                if segments[2] == "fields" { return .connectionFields(id) }
                return nil
            case 4: return segments[2] == "mappings" && segments[3] == "default" ? .connectionMapping(id) : nil
            default: return nil
            }
        case "integrations": return segments.count == 1 ? .integrations : nil
        case "rules":
            if segments.count == 1 { return .rules }
            guard segments.count == 2, let id = uuid(1) else { return nil }
            return .rule(id)
        case "events":
            if segments.count == 1 { return .events }
            if segments.count == 2 && segments[1] == "bulk" { return .eventsBulk }
            guard let eventID = uuid(1) else { return nil }
            if segments.count == 2 { return .event(eventID) }
            if segments.count == 3 {
                if segments[2] == "payload" { return .eventPayload(eventID) }
                if segments[2] == "cancel" { return .eventCancel(eventID) }
                return nil
            }
            guard segments[2] == "rules", let ruleID = uuid(3), segments.count >= 5 else { return nil }
            switch (segments.count, segments[4]) {
            case (5, "retry"): return .ruleEventRetry(event: eventID, rule: ruleID)
            case (5, "cancel"): return .ruleEventCancel(event: eventID, rule: ruleID)
            case (5, "attempts"): return .attempts(event: eventID, rule: ruleID)
            case (6, "attempts"):
                guard let attemptID = uuid(5) else { return nil }
                return .attempt(event: eventID, rule: ruleID, attempt: attemptID)
            case (7, "attempts"):
                guard let attemptID = uuid(5), segments[6] == "response-details" else { return nil }
                return .attemptResponse(event: eventID, rule: ruleID, attempt: attemptID)
            default: return nil
            }
        case "sessions":
            if segments.count == 1 { return .sessions }
            if segments.count == 2 && segments[1] == "launch" { return .sessionLaunch }
            guard !segments[1].isEmpty else { return nil }
            if segments.count == 2 { return .session(segments[1]) }
            if segments.count == 3 && segments[2] == "refresh" { return .sessionRefresh(segments[1]) }
            return nil
        default:
            return nil
        }
    }

    /// Routes a publishable key may call (§4.2).
    var acceptsPublishableKey: Bool { self == .events || self == .eventsBulk }
}
