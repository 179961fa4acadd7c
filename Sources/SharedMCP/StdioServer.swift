internal import Foundation
internal import Logging
internal import MCP
internal import SharedCore

/// Serves a definition over stdio with the MCP swift-sdk until the client closes stdin. stdout carries only
/// JSON-RPC frames; logs go to stderr.
public enum MCPStdioServer {
    /// Runs the server. `recordPath` turns on record mode (a transcript of the session, abstracted by `rules`).
    public static func run(
        _ definition: MCPServerDefinition, recordPath: String? = nil, recording rules: TranscriptRecorder.Rules = .none
    ) async throws {
        var logger = Logger(label: definition.name) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let recorder = recordPath.flatMap { TranscriptRecorder(path: $0, version: definition.version, rules: rules) }
        if recordPath != nil && recorder == nil { logger.error("cannot open the record file; not recording") }
        let server = Server(
            name: definition.name, version: definition.version,
            capabilities: .init(resources: .init(subscribe: false, listChanged: false), tools: .init(listChanged: false)))
        await register(definition, on: server)
        let transport = SerialTransport(wrapping: LineTransport(logger: logger), recorder: recorder)
        try await server.start(transport: transport)
        await server.waitUntilCompleted()
    }

    static func register(_ definition: MCPServerDefinition, on server: Server) async {
        let tools = definition.tools.map { tool in
            Tool(
                name: tool.name, description: tool.description, inputSchema: MCPValues.value(tool.input.json),
                annotations: .init(
                    readOnlyHint: tool.hints.readOnly, destructiveHint: tool.hints.destructive,
                    idempotentHint: tool.hints.idempotent, openWorldHint: tool.hints.openWorld))
        }
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { params in
            guard definition.tool(params.name) != nil else { throw MCPError.invalidParams("unknown tool \(params.name)") }
            var arguments = JSONObject()
            for (key, value) in (params.arguments ?? [:]).sorted(by: { $0.key < $1.key }) { arguments[key] = MCPValues.json(value) }
            let outcome = await MCPDispatcher.call(definition, name: params.name, arguments: arguments)
            if let text = outcome.text {
                return CallTool.Result(content: [.text(text: text, annotations: nil, _meta: nil)], isError: outcome.isError)
            }
            return try CallTool.Result(
                content: [.text(text: JSONEmitter.pretty(outcome.value), annotations: nil, _meta: nil)],
                structuredContent: MCPValues.value(outcome.value), isError: outcome.isError)
        }
        let fixed = definition.resources.filter { !$0.isTemplate }.map {
            Resource(name: $0.name, uri: $0.uri, description: $0.description, mimeType: "application/json")
        }
        let templates = definition.resources.filter(\.isTemplate).map {
            Resource.Template(uriTemplate: $0.uri, name: $0.name, description: $0.description, mimeType: "application/json")
        }
        await server.withMethodHandler(ListResources.self) { _ in ListResources.Result(resources: fixed) }
        await server.withMethodHandler(ListResourceTemplates.self) { _ in ListResourceTemplates.Result(templates: templates) }
        await server.withMethodHandler(ReadResource.self) { params in
            guard let outcome = await MCPDispatcher.read(definition, uri: params.uri) else {
                throw MCPError.invalidParams("unknown resource \(params.uri)")
            }
            guard !outcome.isError else {
                throw MCPError.invalidParams(JSONEmitter.compact(outcome.value))
            }
            return ReadResource.Result(contents: [.text(JSONEmitter.pretty(outcome.value), uri: params.uri, mimeType: "application/json")])
        }
    }
}

/// Conversions between `JSONValue` and the SDK's `Value`.
enum MCPValues {
    static func value(_ json: JSONValue) -> Value {
        switch json {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        case .string(let text): return .string(text)
        case .array(let items): return .array(items.map(value))
        case .object(let object):
            var out: [String: Value] = [:]
            for (key, member) in object { out[key] = value(member) }
            return .object(out)
        }
    }

    static func json(_ value: Value) -> JSONValue {
        switch value {
        case .null: return .null
        case .bool(let flag): return .bool(flag)
        case .int(let number): return .int(number)
        case .double(let number): return .double(number)
        case .string(let text): return .string(text)
        case .data(_, let data): return .string(data.base64EncodedString())
        case .array(let items): return .array(items.map(json))
        case .object(let object):
            var out = JSONObject()
            for key in object.keys.sorted() { out[key] = json(object[key]!) }
            return .object(out)
        }
    }
}
