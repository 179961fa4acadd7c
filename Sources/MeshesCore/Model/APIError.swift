public import SharedCore

/// An error answered by the REST API (§3): HTTP status, stable snake_case code, message and optional
/// parameter details. The body is `{message, error, details?}`.
public struct APIError: Error, Sendable, Equatable {
    /// One parameter problem: `{field, message}`.
    public struct Detail: Sendable, Equatable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var status: Int
    public var code: String
    public var message: String
    public var details: [Detail]
    /// Extra response headers (`Allow` on 405, `Retry-After` on 429).
    public var headers: [(String, String)]

    public init(status: Int, code: String, message: String, details: [Detail] = [], headers: [(String, String)] = []) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    public static func == (lhs: APIError, rhs: APIError) -> Bool {
        lhs.status == rhs.status && lhs.code == rhs.code && lhs.message == rhs.message && lhs.details == rhs.details
    }

    /// The response body `{message, error, details?}` (details only when non-empty).
    public var body: JSONValue {
        var object = JSONObject()
        object["message"] = .string(message)
        object["error"] = .string(code)
        if !details.isEmpty {
            object["details"] = .array(details.map { ["field": .string($0.field), "message": .string($0.message)] })
        }
        return .object(object)
    }

    // MARK: Common errors

    public static func invalidRequest(_ message: String, field: String? = nil) -> APIError {
        APIError(status: 400, code: "invalid_request", message: message, details: field.map { [Detail(field: $0, message: message)] } ?? [])
    }

    public static func invalidJSON(_ message: String = "request body is not valid JSON") -> APIError {
        APIError(status: 400, code: "invalid_json", message: message)
    }

    public static let unauthorized = APIError(status: 401, code: "unauthorized", message: "Unauthorized")

    public static func forbidden(_ message: String = "Forbidden") -> APIError {
        APIError(status: 403, code: "forbidden", message: message)
    }

    public static func notFound(_ what: String = "Resource") -> APIError {
        APIError(status: 404, code: "not_found", message: "\(what) not found")
    }

    public static func conflict(_ code: String, _ message: String) -> APIError {
        APIError(status: 409, code: code, message: message)
    }

    public static func unprocessable(_ code: String, _ message: String, details: [Detail] = []) -> APIError {
        APIError(status: 422, code: code, message: message, details: details)
    }

    public static func internalError(_ message: String = "Internal error") -> APIError {
        APIError(status: 500, code: "internal", message: message)
    }
}
