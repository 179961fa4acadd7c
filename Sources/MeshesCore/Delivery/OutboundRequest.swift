public import SharedCore

/// One HTTP header of an outgoing request, in the order it is sent.
public struct OutboundHeader: Sendable, Equatable {
    public var name: String
    public var value: String

    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}

/// What one attempt sends (§5.8, §6): built once per attempt, and those exact body bytes are signed and sent.
public struct OutboundRequest: Sendable, Equatable {
    public var method: String
    public var url: String
    public var headers: [OutboundHeader]
    public var body: [UInt8]

    public init(method: String, url: String, headers: [OutboundHeader], body: [UInt8]) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }

    /// The first value of a header (case-insensitive name).
    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The URL as attempts record it (§2.7): without userinfo, and with the values of query parameters named
    /// like a secret field replaced by `***`.
    public func recordedURL(secretNames: Set<String>) -> String {
        RecordedURL.redact(url, secretNames: secretNames)
    }
}

/// The event and delivery an attempt is for.
public struct DeliveryEnvelope: Sendable, Equatable {
    public var eventID: String
    public var eventName: String
    public var workspaceID: String
    public var resource: String
    public var resourceID: String?
    /// The event's `created_at`, in milliseconds.
    public var eventCreatedAt: Int64
    public var payload: JSONObject
    /// The rule event id (`webhook-id`, stable across retries).
    public var ruleEventID: String
    public var ruleID: String
    public var connectionID: String

    public init(
        eventID: String, eventName: String, workspaceID: String, resource: String, resourceID: String?, eventCreatedAt: Int64,
        payload: JSONObject, ruleEventID: String, ruleID: String, connectionID: String
    ) {
        self.eventID = eventID
        self.eventName = eventName
        self.workspaceID = workspaceID
        self.resource = resource
        self.resourceID = resourceID
        self.eventCreatedAt = eventCreatedAt
        self.payload = payload
        self.ruleEventID = ruleEventID
        self.ruleID = ruleID
        self.connectionID = connectionID
    }
}

/// Why no request could be built: the attempt is recorded with this outcome and message, and nothing is sent.
public struct BuildFailure: Error, Sendable, Equatable {
    public var outcome: Outcome
    public var message: String
    /// `integration_not_supported`: the rule event fails at once, never retried.
    public var final: Bool

    public init(_ outcome: Outcome, _ message: String, final: Bool = false) {
        self.outcome = outcome
        self.message = message
        self.final = final
    }
}

/// Builds the request of one attempt for every destination type (§6).
public enum RequestBuilder {
    /// The `User-Agent` of every attempt (§5.8).
    public static func userAgent(version: String) -> String { "Meshes-Engine/\(version)" }

    /// Connection settings: a secret value (sealed at rest) wins over a metadata value of the same name.
    public struct Settings: Sendable {
        public var type: String
        public var metadata: JSONObject
        public var secrets: [String: String]

        public init(type: String, metadata: JSONObject, secrets: [String: String]) {
            self.type = type
            self.metadata = metadata
            self.secrets = secrets
        }

        public func string(_ key: String) -> String? {
            if let secret = secrets[key], !secret.isEmpty { return secret }
            guard let value = metadata[key]?.stringValue, !value.isEmpty else { return nil }
            return value
        }
    }

    /// The request for `envelope`'s attempt `attempt` started at `startedAt` (milliseconds). `fields` are the
    /// mapped fields for adapter integrations (§6.3); `version` goes into the User-Agent.
    public static func build(
        _ settings: Settings, rule: JSONObject, envelope: DeliveryEnvelope, attempt: Int, startedAt: Int64, version: String,
        fields: JSONObject = JSONObject()
    ) throws(BuildFailure) -> OutboundRequest {
        switch settings.type {
        case "webhook": return try webhook(settings, envelope: envelope, attempt: attempt, startedAt: startedAt, version: version)
        case "slack", "discord": return try message(settings, rule: rule, envelope: envelope, version: version)
        default:
            return try adapter(settings, rule: rule, envelope: envelope, attempt: attempt, fields: fields, version: version)
        }
    }

    // MARK: - Webhook (§6.1)

    /// The wrapped envelope, fields in the documented order; `delivery` only when given.
    static func wrapped(_ envelope: DeliveryEnvelope, delivery: JSONValue?) -> JSONObject {
        var object = JSONObject()
        object["type"] = "event"
        object["id"] = .string(envelope.eventID)
        object["event"] = .string(envelope.eventName)
        object["workspace"] = .string(envelope.workspaceID)
        object["resource"] = .string(envelope.resource)
        object["resource_id"] = envelope.resourceID.map(JSONValue.string) ?? .null
        object["created_at"] = .string(Formats.timestamp(milliseconds: envelope.eventCreatedAt))
        if let delivery { object["delivery"] = delivery }
        object["payload"] = .object(envelope.payload)
        return object
    }

    static func webhook(
        _ settings: Settings, envelope: DeliveryEnvelope, attempt: Int, startedAt: Int64, version: String
    ) throws(BuildFailure) -> OutboundRequest {
        guard let url = settings.string("url") else { throw BuildFailure(.networkError, "invalid URL: the connection has no url") }
        let method = settings.string("http_method") ?? "POST"
        let raw = settings.string("payload_mode") == "raw"
        let body: [UInt8]
        var headers = [OutboundHeader("Content-Type", "application/json"), OutboundHeader("User-Agent", userAgent(version: version))]
        if raw {
            body = Array(JSONEmitter.compact(.object(envelope.payload)).utf8)
            headers += [
                OutboundHeader("X-Meshes-Event-Id", envelope.eventID), OutboundHeader("X-Meshes-Event", envelope.eventName),
                OutboundHeader("X-Meshes-Workspace", envelope.workspaceID), OutboundHeader("X-Meshes-Resource", envelope.resource),
            ]
            if let resourceID = envelope.resourceID { headers.append(OutboundHeader("X-Meshes-Resource-Id", resourceID)) }
            headers += [
                OutboundHeader("X-Meshes-Delivery-Id", envelope.ruleEventID), OutboundHeader("X-Meshes-Attempt", String(attempt)),
                OutboundHeader("X-Meshes-Created-At", Formats.timestamp(milliseconds: envelope.eventCreatedAt)),
            ]
        } else {
            var delivery = JSONObject()
            delivery["id"] = .string(envelope.ruleEventID)
            delivery["rule"] = .string(envelope.ruleID)
            delivery["connection"] = .string(envelope.connectionID)
            delivery["attempt"] = .int(attempt)
            delivery["timestamp"] = .string(Formats.timestamp(milliseconds: startedAt))
            body = Array(JSONEmitter.compact(.object(wrapped(envelope, delivery: .object(delivery)))).utf8)
        }
        switch settings.string("auth_scheme") ?? "none" {
        case "basic":
            guard let user = settings.string("basic_username"), let password = settings.string("basic_password") else {
                throw BuildFailure(.authFailed, "missing credentials: basic_username and basic_password are required")
            }
            headers.append(OutboundHeader("Authorization", "Basic " + Base64.encode(Array("\(user):\(password)".utf8))))
        case "bearer":
            guard let token = settings.string("bearer_token") else { throw BuildFailure(.authFailed, "missing credentials: bearer_token") }
            headers.append(OutboundHeader("Authorization", "Bearer " + token))
        case "custom_header":
            guard let name = settings.string("custom_header_name"), let value = settings.string("custom_header_value") else {
                throw BuildFailure(.authFailed, "missing credentials: custom_header_name and custom_header_value are required")
            }
            headers.append(OutboundHeader(name, value))
        default:
            break
        }
        for (name, value) in settings.metadata["headers"]?.objectValue ?? JSONObject() {
            if let text = value.stringValue { headers.append(OutboundHeader(name, text)) }
        }
        headers += signatureHeaders(settings, id: envelope.ruleEventID, startedAt: startedAt, body: body)
        return OutboundRequest(method: method, url: url, headers: headers, body: body)
    }

    /// The Standard Webhooks headers (whenever a signing secret is set) and the Meshes header (when
    /// `hmac_algorithm` is not `none`); during rotation both secrets sign until the previous one expires.
    static func signatureHeaders(_ settings: Settings, id: String, startedAt: Int64, body: [UInt8]) -> [OutboundHeader] {
        guard let current = settings.string("signing_secret").flatMap(WebhookSecret.keyBytes) else { return [] }
        var keys = [current]
        if let previous = settings.string("previous_signing_secret").flatMap(WebhookSecret.keyBytes),
            let expiry = settings.string("previous_secret_expires_at").flatMap(Clock.parseISO),
            Double(startedAt) / 1000 < expiry
        {
            keys.append(previous)
        }
        let t = Int(startedAt / 1000)
        var headers = [
            OutboundHeader(WebhookSignature.idHeader, id), OutboundHeader(WebhookSignature.timestampHeader, String(t)),
            OutboundHeader(WebhookSignature.signatureHeader, WebhookSignature.standard(id: id, timestamp: t, body: body, keys: keys)),
        ]
        if let algorithm = settings.string("hmac_algorithm").flatMap(WebhookSignature.Algorithm.init(rawValue:)) {
            headers.append(
                OutboundHeader(
                    settings.string("hmac_header") ?? WebhookSignature.defaultMeshesHeader,
                    WebhookSignature.meshes(timestamp: t, body: body, algorithm: algorithm, keys: keys)))
        }
        return headers
    }

    // MARK: - Slack and Discord (§6.2)

    static func message(_ settings: Settings, rule: JSONObject, envelope: DeliveryEnvelope, version: String) throws(BuildFailure)
        -> OutboundRequest
    {
        guard let url = settings.string("webhook_url") else {
            throw BuildFailure(.networkError, "invalid URL: the connection has no webhook_url")
        }
        guard let template = rule["template"]?.stringValue, !template.isEmpty else {
            throw BuildFailure(.mappingError, "mapping error: template is empty")
        }
        let payload = JSONValue.object(envelope.payload)
        var body = JSONObject()
        if settings.type == "slack" {
            body["text"] = .string(MessageTemplate.render(template, payload: payload, escapeForSlack: true))
            if let username = rule["username"]?.stringValue ?? settings.string("username") { body["username"] = .string(username) }
        } else {
            var content = MessageTemplate.render(template, payload: payload, escapeForSlack: false)
            if let title = rule["title"]?.stringValue, !title.isEmpty {
                content = "**" + MessageTemplate.render(title, payload: payload, escapeForSlack: false) + "**\n" + content
            }
            body["content"] = .string(String(content.prefix(2000)))
        }
        return OutboundRequest(
            method: "POST", url: url,
            headers: [OutboundHeader("Content-Type", "application/json"), OutboundHeader("User-Agent", userAgent(version: version))],
            body: Array(JSONEmitter.compact(.object(body)).utf8))
    }

    // MARK: - Adapter integrations (§6.4)

    static let tokenFields = ["api_key", "cdpApiKey", "access_token"]

    static func adapter(
        _ settings: Settings, rule: JSONObject, envelope: DeliveryEnvelope, attempt: Int, fields: JSONObject, version: String
    ) throws(BuildFailure) -> OutboundRequest {
        guard let base = settings.string("base_url") else {
            throw BuildFailure(.internalError, "integration_not_supported", final: true)
        }
        guard let action = rule["action"]?.stringValue else { throw BuildFailure(.mappingError, "mapping error: the rule has no action") }
        guard let token = tokenFields.lazy.compactMap({ settings.string($0) }).first else {
            throw BuildFailure(.authFailed, "missing credentials: the connection has no api key or access token")
        }
        var params = JSONObject()
        for (key, value) in rule where key != "action" {
            if ["subject", "body", "title", "template"].contains(key), let text = value.stringValue {
                params[key] = .string(MessageTemplate.render(text, payload: .object(envelope.payload), escapeForSlack: false))
            } else {
                params[key] = value
            }
        }
        let personKey = settings.type == "customer_io" ? "id" : "email"
        if IntegrationActions.isPersonAction(type: settings.type, action: action), fields[personKey] == nil {
            throw BuildFailure(.mappingError, "mapping error: the mapped fields have no \(personKey)")
        }
        var body = JSONObject()
        body["action"] = .string(action)
        body["params"] = .object(params)
        body["fields"] = .object(fields)
        body["event"] = .object(wrapped(envelope, delivery: nil))
        body["delivery"] = ["id": .string(envelope.ruleEventID), "attempt": .int(attempt)]
        let trimmed = base.hasSuffix("/") ? String(base.dropLast()) : base
        return OutboundRequest(
            method: "POST", url: trimmed + "/actions/" + action,
            headers: [
                OutboundHeader("Content-Type", "application/json"), OutboundHeader("User-Agent", userAgent(version: version)),
                OutboundHeader("Authorization", "Bearer " + token),
            ],
            body: Array(JSONEmitter.compact(.object(body)).utf8))
    }
}

/// Which adapter actions act on a person (their mapped fields must carry the person's key, §6.4).
public enum IntegrationActions {
    /// Actions that do not need a person: messages and webhooks.
    static let nonPerson: Set<String> = ["send_message", "send_webhook"]

    public static func isPersonAction(type: String, action: String) -> Bool { !nonPerson.contains(action) }
}

/// `{{ path }}` templates of §6.2, resolved from the payload root.
public enum MessageTemplate {
    public static func render(_ template: String, payload: JSONValue, escapeForSlack: Bool) -> String {
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstRange(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].firstRange(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let path = String(rest[open.upperBound..<close.lowerBound]).trimmingSpaces()
            var text: String
            switch MappingEngine.resolve(path: path, in: payload) {
            case nil, .null?: text = ""
            case .string(let value)?: text = value
            case let value?: text = JSONEmitter.compact(value)
            }
            if escapeForSlack {
                text = text.replacingAll("&", with: "&amp;").replacingAll("<", with: "&lt;").replacingAll(">", with: "&gt;")
            }
            out += text
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
    }
}

/// The URL attempts record (§2.7).
public enum RecordedURL {
    public static func redact(_ url: String, secretNames: Set<String>) -> String {
        var text = url
        if let scheme = text.firstRange(of: "://") {
            let authorityStart = scheme.upperBound
            let authorityEnd = text[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? text.endIndex
            if let at = text[authorityStart..<authorityEnd].lastIndex(of: "@") {
                text.removeSubrange(authorityStart...at)
            }
        }
        guard let question = text.firstIndex(of: "?"), !secretNames.isEmpty else { return text }
        let fragmentStart = text[question...].firstIndex(of: "#") ?? text.endIndex
        let query = text[text.index(after: question)..<fragmentStart]
        let redacted = query.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
            let name = String(pair[..<equals]).lowercased()
            return secretNames.contains(where: { $0.lowercased() == name }) ? String(pair[...equals]) + "***" : String(pair)
        }
        return String(text[...question]) + redacted.joined(separator: "&") + String(text[fragmentStart...])
    }
}

extension String {
    fileprivate func trimmingSpaces() -> String {
        var scalars = Substring(self)
        while let first = scalars.first, first == " " || first == "\t" { scalars = scalars.dropFirst() }
        while let last = scalars.last, last == " " || last == "\t" { scalars = scalars.dropLast() }
        return String(scalars)
    }

    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: Substring(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
