public import SharedCore

/// What a tool call answers: the JSON to return, and whether it is an error envelope.
public struct MCPOutcome: Sendable, Equatable {
    public var value: JSONValue
    public var isError: Bool
    /// The exact text of the result's one content block; nil: the pretty JSON of `value`, which is also sent
    /// as `structuredContent`. A text result has no structured content.
    public var text: String?

    public init(value: JSONValue, isError: Bool) {
        self.value = value
        self.isError = isError
        text = nil
    }

    /// A result that is only text.
    public init(text: String, isError: Bool) {
        value = .string(text)
        self.isError = isError
        self.text = text
    }
}

/// Tool calls and resource reads against a server definition, without any transport: validation of the
/// arguments against the tool's schema, the call, and the error envelope `{code, message, details?}`.
public enum MCPDispatcher {
    /// Calls tool `name` with `arguments` (nil: none). Never throws: every failure is an error envelope.
    public static func call(_ server: MCPServerDefinition, name: String, arguments: JSONObject?) async -> MCPOutcome {
        guard let tool = server.tool(name) else {
            return envelope(server, ToolError(ErrorCode.notFound, "unknown tool \(name)"))
        }
        let input = arguments ?? JSONObject()
        let issues = tool.input.issues(.object(input))
        guard issues.isEmpty else {
            if let invalidArguments = server.invalidArguments { return invalidArguments(name, issues) }
            let message = issues.map { "\($0.path) \($0.message)" }.joined(separator: "; ")
            return envelope(
                server,
                ToolError(
                    ErrorCode.validationFailed, "invalid arguments for \(name): \(message)", details: ["issues": .array(issues.map(\.json))]
                ))
        }
        switch tool.action {
        case .respond(let respond):
            return await respond(input)
        case .json(let run):
            do {
                return MCPOutcome(value: try await run(input), isError: false)
            } catch {
                return envelope(server, error)
            }
        }
    }

    /// Reads resource `uri`: the output of its tool with the URI's variables as arguments.
    public static func read(_ server: MCPServerDefinition, uri: String) async -> MCPOutcome? {
        for resource in server.resources {
            guard let arguments = resource.isTemplate ? resource.arguments(for: uri) : (resource.uri == uri ? JSONObject() : nil)
            else { continue }
            return await call(server, name: resource.tool, arguments: arguments)
        }
        return nil
    }

    /// The error envelope of `error`, its code reduced to the server's public codes and its message scrubbed.
    public static func envelope(_ server: MCPServerDefinition, _ error: ToolError) -> MCPOutcome {
        var code = error.code
        var details = error.details?.objectValue
        if !server.publicCodes.contains(code) {
            if let mapped = server.codeMap[code] {
                code = mapped
            } else {
                var withReason = details ?? JSONObject()
                withReason["reason"] = .string(error.code)
                details = withReason
                code = ErrorCode.validationFailed
            }
        }
        var object = JSONObject()
        object["code"] = .string(code)
        object["message"] = .string(server.scrub(error.message))
        if let details { object["details"] = JSONValue.object(details).mappingStrings(server.scrub) }
        return MCPOutcome(value: .object(object), isError: true)
    }

}
