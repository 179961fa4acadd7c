public import MeshesCore
public import SharedCore

/// A transport-neutral HTTP request: `meshes serve` builds it from Hummingbird, the embedded clients
/// (MCP, CLI) build it directly, so both go through the same router.
public struct APIRequest: Sendable {
    public var method: String
    /// The path without the query string, e.g. `/api/v1/workspaces`.
    public var path: String
    public var query: [(name: String, value: String)]
    /// Header names are compared case-insensitively.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(
        method: String, path: String, query: [(name: String, value: String)] = [],
        headers: [(name: String, value: String)] = [], body: [UInt8] = []
    ) {
        self.method = method.uppercased()
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
    }

    /// Builds a request from a target such as `/api/v1/events?limit=5` (percent-decoding the query).
    public init(method: String, target: String, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        var query: [(name: String, value: String)] = []
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") where !pair.isEmpty {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                query.append((APIRequest.percentDecode(kv[0]), kv.count > 1 ? APIRequest.percentDecode(kv[1]) : ""))
            }
        }
        self.init(method: method, path: String(parts[0]), query: query, headers: headers, body: body)
    }

    /// The first header with this name (compared ignoring ASCII case, without allocating).
    public func header(_ name: String) -> String? {
        headers.first { APIRequest.sameHeaderName($0.name, name) }?.value
    }

    /// Whether two header names are equal ignoring ASCII case.
    static func sameHeaderName(_ a: String, _ b: String) -> Bool {
        var left = a.utf8.makeIterator()
        var right = b.utf8.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return true
            case (let x?, let y?):
                if x != y {
                    let lower = x | 0x20
                    guard lower == y | 0x20, lower >= 0x61, lower <= 0x7A else { return false }
                }
            default: return false
            }
        }
    }

    /// The first query value with this name.
    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    static func percentDecode(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == 0x2B {
                bytes.append(0x20)
            } else if byte == 0x25, let high = iterator.next(), let low = iterator.next(),
                let high = Hex.value(high), let low = Hex.value(low)
            {
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A response: status, headers and body bytes (JSON unless empty).
public struct APIResponse: Sendable {
    public var status: Int
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(status: Int, headers: [(name: String, value: String)] = [], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A JSON response (compact, `Content-Type: application/json`).
    public static func json(_ status: Int, _ value: JSONValue, headers: [(name: String, value: String)] = []) -> APIResponse {
        APIResponse(
            status: status, headers: headers.isEmpty ? jsonHeaders : jsonHeaders + headers,
            body: RequestTimings.measure(.encode) { JSONEmitter.compactBytes(value) })
    }

    /// A JSON response written member by member (`write` fills the writer).
    static func json(_ status: Int, writing write: (inout JSONWriter) -> Void) -> APIResponse {
        let body = RequestTimings.measure(.encode) { () -> [UInt8] in
            var writer = JSONWriter(capacity: 1024)
            write(&writer)
            return writer.bytes
        }
        return APIResponse(status: status, headers: jsonHeaders, body: body)
    }

    /// A JSON response whose body is already written.
    static func json(_ status: Int, body: [UInt8]) -> APIResponse {
        APIResponse(status: status, headers: jsonHeaders, body: body)
    }

    static let jsonHeaders: [(name: String, value: String)] = [("Content-Type", "application/json")]

    /// An error response `{message, error, details?}` plus the error's own headers.
    public static func error(_ error: APIError) -> APIResponse {
        json(error.status, error.body, headers: error.headers.map { (name: $0.0, value: $0.1) })
    }

    /// The body parsed as JSON (nil when empty or not JSON).
    public var jsonBody: JSONValue? { body.isEmpty ? nil : try? JSONParser.parse(bytes: body) }

    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name.lowercased() == lowered }?.value
    }
}
