internal import Foundation
public import MeshesClient
public import SharedCore
public import SharedMCP

/// One operation of the REST API v1 as both `meshes mcp` and the CLI verbs offer it (spec §7): its tool name,
/// input schema (published to MCP clients and checked before anything is sent), hints, and how arguments
/// become a request. A tool and its verb call `perform`, so a person, a script and an agent get the same result.
public struct MeshesOperation: Sendable {
    public let name: String
    public let description: String
    public let input: InputSchema
    /// readOnly / destructive / idempotent; every meshes tool is also open-world.
    public let hints: MCPTool.Hints
    let request: @Sendable (Arguments) -> ClientRequest
    /// The text put before the pretty JSON of a success (`meshes_emit_event`).
    let preamble: (@Sendable (Arguments, JSONValue) -> String)?

    init(
        _ name: String, _ description: String, _ hints: (readOnly: Bool, destructive: Bool, idempotent: Bool),
        input: InputSchema, preamble: (@Sendable (Arguments, JSONValue) -> String)? = nil,
        request: @escaping @Sendable (Arguments) -> ClientRequest
    ) {
        self.name = name
        self.description = description
        self.input = input
        self.hints = MCPTool.Hints(readOnly: hints.readOnly, destructive: hints.destructive, idempotent: hints.idempotent, openWorld: true)
        self.request = request
        self.preamble = preamble
    }

    /// Validates `arguments`, sends the request through `client` and renders the answer exactly as the MCP
    /// tool reports it.
    public func perform(_ arguments: JSONObject, client: any MeshesClient) async -> OperationResult {
        let issues = input.issues(.object(arguments))
        guard issues.isEmpty else { return OperationResult.invalidArguments(name, issues) }
        let outgoing = request(Arguments(arguments))
        let response: ClientResponse
        do {
            response = try await client.send(outgoing)
        } catch {
            return OperationResult(text: error.message, isError: true, status: nil, body: nil, code: error.kind.rawValue)
        }
        let body = response.json
        guard response.status < 400 else {
            return OperationResult(
                text: response.errorDescription, isError: true, status: response.status, body: body, code: body?["error"]?.stringValue)
        }
        var text = body.map(JSONEmitter.pretty) ?? String(decoding: response.body, as: UTF8.self)
        if let preamble, let body { text = preamble(Arguments(arguments), body) + text }
        return OperationResult(text: text, isError: false, status: response.status, body: body, code: nil)
    }
}

/// What an operation answered: the tool's text, and what a CLI needs to choose its output and exit code.
public struct OperationResult: Sendable, Equatable {
    /// The MCP result text: pretty JSON (after the emit preamble), `Meshes API <status>: <detail>`, a network
    /// failure's message, or `Invalid arguments for <tool>: <path>: <reason>`.
    public var text: String
    public var isError: Bool
    /// The HTTP status; nil when no answer came (invalid arguments, network failure, timeout).
    public var status: Int?
    /// The parsed answer body.
    public var body: JSONValue?
    /// The error body's `error` code; `invalid_arguments`, `network`, `timeout` or `configuration` without one.
    public var code: String?

    public init(text: String, isError: Bool, status: Int?, body: JSONValue?, code: String?) {
        self.text = text
        self.isError = isError
        self.status = status
        self.body = body
        self.code = code
    }

    /// Arguments that do not fit the tool's schema (§7): every issue, `path: reason`, joined by `; `.
    static func invalidArguments(_ tool: String, _ issues: [InputSchema.Issue]) -> OperationResult {
        let reasons = issues.map { "\($0.path): \($0.message)" }.joined(separator: "; ")
        return OperationResult(
            text: "Invalid arguments for \(tool): \(reasons)", isError: true, status: nil, body: nil, code: "invalid_arguments")
    }

    /// The CLI's exit code: 0 success, 1 rejected (a 4xx answer or invalid arguments), 2 fatal (no answer, 5xx).
    public var exitCode: Int32 {
        guard isError else { return 0 }
        if let status { return status >= 500 ? 2 : 1 }
        return code == "invalid_arguments" ? 1 : 2
    }
}

/// Typed reads of validated tool arguments; `null` counts as absent.
struct Arguments: Sendable {
    let object: JSONObject

    init(_ object: JSONObject) { self.object = object }

    subscript(key: String) -> JSONValue? {
        guard let value = object[key], value != .null else { return nil }
        return value
    }

    func string(_ key: String) -> String { self[key]?.stringValue ?? "" }

    /// A path segment: the argument, percent-encoded (ids are validated; session ids are free text).
    func segment(_ key: String) -> String {
        string(key).addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))) ?? ""
    }

    /// The query items for `keys` in that order, leaving out absent values; integers and booleans as text.
    func query(_ keys: [String]) -> [(name: String, value: String)] {
        keys.compactMap { key in
            switch self[key] {
            case .string(let text)?: (key, text)
            case .int(let number)?: (key, String(number))
            case .bool(let flag)?: (key, flag ? "true" : "false")
            default: nil
            }
        }
    }

    /// A body holding `keys` in that order, leaving out absent values (`null` included unless `keepNull`).
    func body(_ keys: [String], keepNull: Set<String> = []) -> JSONObject {
        var out = JSONObject()
        for key in keys {
            if let value = self[key] {
                out[key] = value
            } else if keepNull.contains(key), object[key] == .null {
                out[key] = .null
            }
        }
        return out
    }
}
