internal import SharedCore

/// The webhook metadata table of §6.1.
enum WebhookMetadataRules {
    static let httpMethods = ["POST", "PUT", "PATCH"]
    static let payloadModes = ["wrapped", "raw"]
    static let authSchemes = ["none", "basic", "bearer", "custom_header"]
    static let hmacAlgorithms = ["none", "sha256", "sha512"]
    static let defaultHMACHeader = "X-Meshes-Signature"
    static let maxHeaders = 5
    static let maxHeaderValueLength = 1024
    /// Header names no connection may set (compared lowercase), besides `webhook-*`, `x-meshes-*`
    /// and the connection's own `hmac_header`.
    static let reservedHeaderNames: Set<String> = [
        "authorization", "content-type", "content-length", "host", "connection", "transfer-encoding", "user-agent",
    ]

    /// Why `name` may not be set by a connection, or nil.
    static func reservedReason(_ name: String, hmacHeader: String) -> String? {
        let lower = name.lowercased()
        if reservedHeaderNames.contains(lower) || lower.hasPrefix("webhook-") || lower.hasPrefix("x-meshes-") {
            return "is a reserved header name"
        }
        if lower == hmacHeader.lowercased() { return "is the hmac_header name" }
        return nil
    }

    /// Checks and normalises webhook metadata. Returns whether the engine must generate a signing secret.
    static func check(_ checker: inout MetadataChecker) -> Bool {
        checker.metadata = renamingEndpoint(checker.metadata)
        checker.url("url", required: true)
        checker.choice("http_method", httpMethods)
        checker.choice("payload_mode", payloadModes)

        let hmacAlgorithm = checker.choice("hmac_algorithm", hmacAlgorithms) ?? "none"
        var hmacHeader = defaultHMACHeader
        if let header = checker.string("hmac_header") {
            if !ValidationRules.isHeaderToken(header) {
                checker.problem("hmac_header", "must be a header name of 1 to 64 token characters")
            } else if reservedHeaderNames.contains(header.lowercased()) || header.lowercased().hasPrefix("webhook-") {
                checker.problem("hmac_header", "is a reserved header name")
            } else {
                hmacHeader = header
            }
        }

        let customHeaderName = checkAuth(&checker, hmacHeader: hmacHeader)
        checkHeaders(&checker, hmacHeader: hmacHeader, customHeaderName: customHeaderName)
        return checkSecrets(&checker, hmacAlgorithm: hmacAlgorithm)
    }

    /// `endpoint` renamed to `url` in place when `url` is absent or null; dropped otherwise.
    static func renamingEndpoint(_ metadata: JSONObject) -> JSONObject {
        guard metadata["endpoint"] != nil else { return metadata }
        let useEndpoint = metadata["url"]?.isNull ?? true
        var out = JSONObject()
        for (key, value) in metadata {
            switch key {
            case "endpoint": if useEndpoint { out["url"] = value }
            case "url": if !useEndpoint { out[key] = value }
            default: out[key] = value
            }
        }
        return out
    }

    /// `auth_scheme` and its companion keys. Returns the custom header name when that scheme is used.
    private static func checkAuth(_ checker: inout MetadataChecker, hmacHeader: String) -> String? {
        switch checker.choice("auth_scheme", authSchemes) ?? "none" {
        case "basic":
            if let username = checker.secret("basic_username", required: true), username.contains(":") {
                checker.problem("basic_username", "must not contain \":\"")
            }
            _ = checker.secret("basic_password", required: true)
        case "bearer":
            _ = checker.secret("bearer_token", required: true)
        case "custom_header":
            var name: String?
            if let header = checker.string("custom_header_name", required: true) {
                if !ValidationRules.isHeaderToken(header) {
                    checker.problem("custom_header_name", "must be a header name of 1 to 64 token characters")
                } else if let reason = reservedReason(header, hmacHeader: hmacHeader) {
                    checker.problem("custom_header_name", reason)
                } else {
                    name = header
                }
            }
            if let value = checker.secret("custom_header_value", required: true),
                ValidationRules.length(value) > maxHeaderValueLength
            {
                checker.problem("custom_header_value", "must be at most \(maxHeaderValueLength) characters")
            }
            return name
        default:
            break
        }
        return nil
    }

    /// `headers`: ≤5 token names of 1..64, values ≤1024 without CR/LF, nothing reserved or repeated.
    private static func checkHeaders(_ checker: inout MetadataChecker, hmacHeader: String, customHeaderName: String?) {
        guard let value = checker.value("headers") else { return }
        guard let headers = value.objectValue else {
            checker.problem("headers", "must be an object")
            return
        }
        if headers.count > maxHeaders { checker.problem("headers", "must have at most \(maxHeaders) entries") }
        var seen: Set<String> = []
        for (name, headerValue) in headers {
            let field = "headers.\(name)"
            if !ValidationRules.isHeaderToken(name) {
                checker.problem(field, "must be a header name of 1 to 64 token characters")
            } else if let reason = reservedReason(name, hmacHeader: hmacHeader) {
                checker.problem(field, reason)
            } else if let customHeaderName, name.lowercased() == customHeaderName.lowercased() {
                checker.problem(field, "repeats custom_header_name")
            } else if !seen.insert(name.lowercased()).inserted {
                checker.problem(field, "repeats a header name")
            }
            guard let text = headerValue.stringValue else {
                checker.problem(field, "must be a string")
                continue
            }
            if ValidationRules.length(text) > maxHeaderValueLength {
                checker.problem(field, "must be at most \(maxHeaderValueLength) characters")
            }
            if text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" }) {
                checker.problem(field, "must not contain CR or LF")
            }
        }
    }

    /// `signing_secret`, `previous_signing_secret`, `previous_secret_expires_at`.
    private static func checkSecrets(_ checker: inout MetadataChecker, hmacAlgorithm: String) -> Bool {
        var generate = false
        if let secret = checker.string("signing_secret") {
            if secret == WebhookSecret.generateKeyword {
                checker.metadata["signing_secret"] = nil
                generate = true
            } else if !WebhookSecret.isValid(secret) {
                checker.problem("signing_secret", "must be \"whsec_\" followed by base64 of 24 to 64 bytes, or \"generate\"")
            }
        } else if checker.metadata["signing_secret"] == nil, hmacAlgorithm != "none" {
            generate = true
        }
        let previous = checker.string("previous_signing_secret")
        if let previous, !WebhookSecret.isValid(previous) {
            checker.problem("previous_signing_secret", "must be \"whsec_\" followed by base64 of 24 to 64 bytes")
        }
        if let expiry = checker.string("previous_secret_expires_at") {
            if !DateText.isRFC3339(expiry) {
                checker.problem("previous_secret_expires_at", "must be an RFC 3339 timestamp")
            }
        } else if previous != nil {
            checker.problem("previous_secret_expires_at", "is required with previous_signing_secret")
        }
        return generate
    }
}
