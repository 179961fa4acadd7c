internal import Foundation
public import SharedCore

/// Validates the `POST /sessions` body (§2.8). Every failure is 400 `invalid_request` with a detail.
/// `resource`/`resource_id` follow the event pattern (they must equal events' values to match); on a
/// `workspace` or `dashboard` session they are ignored.
public enum SessionValidator {
    public static let ttlRange = 300...3600
    public static let defaultTTL = 1800
    public static let launchTTLRange = 15...60
    public static let defaultLaunchTTL = 30
    public static let maxExternalUserIDLength = 255
    public static let maxAllowedOrigins = 10
    public static let maxScopes = 20
    public static let payloadReadScope = "events.payload:read"

    /// `POST /sessions`: the create body of §2.8, with defaults applied.
    public static func validateCreate(_ body: JSONValue) throws(APIError) -> SessionInput {
        let reader = try BodyReader(body)
        let workspaceID = try reader.requiredUUID("workspace_id")
        let role: SessionInput.Role = try choice(reader, "role") ?? .member
        let kind: SessionInput.Kind = try choice(reader, "session_type") ?? .workspace
        let externalUserID = try reader.string("external_user_id", length: 0...maxExternalUserIDLength)
        let ttl = try reader.integer("ttl_seconds", in: ttlRange) ?? defaultTTL
        let launchTTL = try reader.integer("launch_ttl_seconds", in: launchTTLRange) ?? defaultLaunchTTL
        let launchPage: SessionInput.LaunchPage = try choice(reader, "launch_page") ?? .dashboard
        var resource = try reader.resourceToken("resource")
        var resourceID = try reader.resourceToken("resource_id")
        switch kind {
        case .resource:
            guard resource != nil, resourceID != nil else {
                throw ValidationRules.invalidRequest(
                    resource == nil ? "resource" : "resource_id", "resource sessions need both resource and resource_id")
            }
            if launchPage == .connections {
                throw ValidationRules.invalidRequest("launch_page", "resource sessions cannot use launch_page connections")
            }
        case .dashboard:
            if launchPage != .dashboard {
                throw ValidationRules.invalidRequest("launch_page", "dashboard sessions must use launch_page dashboard")
            }
            resource = nil
            resourceID = nil
        case .workspace:
            resource = nil
            resourceID = nil
        }
        return SessionInput(
            workspaceID: workspaceID, role: role, sessionType: kind, externalUserID: externalUserID, ttlSeconds: ttl,
            launchTTLSeconds: launchTTL, launchPage: launchPage, resource: resource, resourceID: resourceID,
            allowedOrigins: try origins(reader), scopes: try scopes(reader))
    }

    /// The origin form of `text` (`scheme://host[:port]`, lowercase scheme and host, no default
    /// port), as browsers send it in `Origin`, or nil when it
    /// is not an absolute http(s) origin: no userinfo, path (other than `/`), query or fragment.
    public static func normalisedOrigin(_ text: String) -> String? {
        guard ValidationRules.urlProblem(text, allowHTTP: true) == nil, let components = URLComponents(string: text),
            let scheme = components.scheme?.lowercased(), let host = components.host?.lowercased(),
            components.user == nil, components.password == nil, components.query == nil, components.fragment == nil,
            components.path.isEmpty || components.path == "/"
        else { return nil }
        let defaultPort = scheme == "https" ? 443 : 80
        let port = components.port.flatMap { $0 == defaultPort ? nil : ":\($0)" } ?? ""
        return "\(scheme)://\(host)\(port)"
    }

    static func choice<Value: RawRepresentable & CaseIterable>(
        _ reader: BodyReader, _ key: String
    ) throws(APIError) -> Value? where Value.RawValue == String {
        guard let text = try reader.string(key) else { return nil }
        guard let value = Value(rawValue: text) else {
            let names = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationRules.invalidRequest(key, "\(key) must be one of: \(names)")
        }
        return value
    }

    static func origins(_ reader: BodyReader) throws(APIError) -> [String] {
        guard let items = try reader.array("allowed_origins") else { return [] }
        guard items.count <= maxAllowedOrigins else {
            throw ValidationRules.invalidRequest(
                "allowed_origins", "allowed_origins must have at most \(maxAllowedOrigins) entries")
        }
        var out: [String] = []
        for (index, item) in items.enumerated() {
            guard let text = item.stringValue, let origin = normalisedOrigin(text) else {
                throw ValidationRules.invalidRequest(
                    "allowed_origins[\(index)]", "allowed_origins[\(index)] must be an absolute http(s) origin")
            }
            if !out.contains(origin) { out.append(origin) }
        }
        return out
    }

    static func scopes(_ reader: BodyReader) throws(APIError) -> [String] {
        guard let items = try reader.array("scopes") else { return [] }
        guard items.count <= maxScopes else {
            throw ValidationRules.invalidRequest("scopes", "scopes must have at most \(maxScopes) entries")
        }
        for (index, item) in items.enumerated() where item.stringValue != payloadReadScope {
            throw ValidationRules.invalidRequest("scopes[\(index)]", "scopes[\(index)] must be \"\(payloadReadScope)\"")
        }
        return items.isEmpty ? [] : [payloadReadScope]
    }
}
