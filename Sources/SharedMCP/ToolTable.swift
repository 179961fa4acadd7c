public import SharedCore

/// One MCP tool: its published name, description, input schema and hints, and the library call it makes.
public struct MCPTool: Sendable {
    /// The tool annotations of MCP (`readOnlyHint`, `destructiveHint`, `idempotentHint`, `openWorldHint`).
    public struct Hints: Sendable, Equatable {
        public var readOnly: Bool
        public var destructive: Bool
        public var idempotent: Bool
        public var openWorld: Bool

        public init(readOnly: Bool = false, destructive: Bool = false, idempotent: Bool = false, openWorld: Bool = false) {
            self.readOnly = readOnly
            self.destructive = destructive
            self.idempotent = idempotent
            self.openWorld = openWorld
        }

        /// Reads only (and so is idempotent).
        public static let read = Hints(readOnly: true, idempotent: true)
        /// Writes without deleting what the user wrote.
        public static let write = Hints()
        /// Writes the same result when repeated.
        public static let idempotentWrite = Hints(idempotent: true)
        /// May delete or overwrite.
        public static let destructive = Hints(destructive: true)
    }

    public typealias Handler = @Sendable (JSONObject) async throws(ToolError) -> JSONValue
    /// A tool that shapes its whole result itself (its text and whether it is an error).
    public typealias Responder = @Sendable (JSONObject) async -> MCPOutcome

    /// What a call runs: a JSON-returning handler (errors become the server's envelope), or a responder.
    public enum Action: Sendable {
        case json(Handler)
        case respond(Responder)
    }

    public let name: String
    public let description: String
    public let input: InputSchema
    public let hints: Hints
    public let action: Action

    public init(_ name: String, _ description: String, input: InputSchema, hints: Hints, run: @escaping Handler) {
        self.name = name
        self.description = description
        self.input = input
        self.hints = hints
        action = .json(run)
    }

    public init(_ name: String, _ description: String, input: InputSchema, hints: Hints, respond: @escaping Responder) {
        self.name = name
        self.description = description
        self.input = input
        self.hints = hints
        action = .respond(respond)
    }
}

/// One MCP resource: a fixed URI or a URI template (`{name}` segments) answered by a read tool.
public struct MCPResource: Sendable {
    public let uri: String
    public let name: String
    public let description: String
    /// The tool whose output the resource returns; template variables become its arguments.
    public let tool: String

    public init(_ uri: String, name: String, description: String, tool: String) {
        self.uri = uri
        self.name = name
        self.description = description
        self.tool = tool
    }

    /// Whether `uri` holds `{variables}` (listed by `resources/templates/list`).
    public var isTemplate: Bool { uri.contains("{") }

    /// The tool arguments for a concrete URI, or nil when it does not fit. A variable spans one segment,
    /// except a final `{path}`, which takes the rest (skill files in folders).
    public func arguments(for concrete: String) -> JSONObject? {
        let pattern = uri.split(separator: "/", omittingEmptySubsequences: false)
        let parts = concrete.split(separator: "/", omittingEmptySubsequences: false)
        var arguments = JSONObject()
        for (index, segment) in pattern.enumerated() {
            guard index < parts.count else { return nil }
            if segment.hasPrefix("{") && segment.hasSuffix("}") {
                let name = String(segment.dropFirst().dropLast())
                let greedy = index == pattern.count - 1 && name == "path"
                let value = greedy ? parts[index...].joined(separator: "/") : String(parts[index])
                guard !value.isEmpty, let decoded = MCPResource.percentDecoded(value) else { return nil }
                arguments[name] = .string(decoded)
                if greedy { return arguments }
            } else if segment != parts[index] {
                return nil
            }
        }
        return parts.count == pattern.count ? arguments : nil
    }

    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Hex.value), let low = iterator.next().flatMap(Hex.value) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

/// A server's whole surface: identity, tools, resources and how its errors are reported.
public struct MCPServerDefinition: Sendable {
    public let name: String
    public let version: String
    public let tools: [MCPTool]
    public let resources: [MCPResource]
    /// The error codes a failure may carry as they are (the spec's list).
    public let publicCodes: Set<String>
    /// Codes reported as another public code (e.g. `FETCH_FAILED` → `IO_ERROR`); any other code becomes
    /// `VALIDATION_FAILED` with `details.reason` = the original code.
    public let codeMap: [String: String]
    /// Applied to every error message (e.g. removes absolute paths).
    public let scrub: @Sendable (String) -> String
    /// How arguments that fail the schema are answered; nil: the error envelope (`VALIDATION_FAILED`).
    public let invalidArguments: (@Sendable (_ tool: String, _ issues: [InputSchema.Issue]) -> MCPOutcome)?

    public init(
        name: String, version: String, tools: [MCPTool], resources: [MCPResource], publicCodes: Set<String>,
        codeMap: [String: String] = [:], scrub: @escaping @Sendable (String) -> String = { $0 },
        invalidArguments: (@Sendable (_ tool: String, _ issues: [InputSchema.Issue]) -> MCPOutcome)? = nil
    ) {
        self.name = name
        self.version = version
        self.tools = tools
        self.resources = resources
        self.publicCodes = publicCodes
        self.codeMap = codeMap
        self.scrub = scrub
        self.invalidArguments = invalidArguments
    }

    /// The tool of this name.
    public func tool(_ name: String) -> MCPTool? { tools.first { $0.name == name } }
}
