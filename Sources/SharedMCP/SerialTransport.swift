public import Foundation
public import Logging
public import MCP
internal import SharedCore

/// Wraps a transport so that tool calls and resource reads run one at a time in arrival order (the SDK
/// starts a task per request), frames over the size cap are answered with a JSON-RPC error instead of being
/// decoded, and — when a recorder is given — every exchange is written as a replayable transcript.
public actor SerialTransport: Transport {
    /// Methods that run one at a time, in arrival order.
    static let serialized: Set<String> = ["tools/call", "resources/read"]

    public nonisolated let logger: Logger
    let inner: any Transport
    let maximumFrameBytes: Int
    let recorder: TranscriptRecorder?

    /// The id (as JSON text) of the serialized request being answered, and who waits for it to finish.
    private var inFlight: String?
    private var idle: CheckedContinuation<Void, Never>?

    public init(wrapping inner: any Transport, maximumFrameBytes: Int = 4 * 1024 * 1024, recorder: TranscriptRecorder? = nil) {
        self.inner = inner
        self.maximumFrameBytes = maximumFrameBytes
        self.recorder = recorder
        logger = Logger(label: "agentsmesh.mcp.transport")
    }

    public func connect() async throws { try await inner.connect() }

    public func disconnect() async { await inner.disconnect() }

    public func send(_ data: Data) async throws {
        let frame = Frame(data)
        await recorder?.sent(frame)
        try await inner.send(data)
        if let id = frame.id, frame.method == nil, id == inFlight { finish() }
    }

    public nonisolated func receive() -> AsyncThrowingStream<Data, any Swift.Error> {
        AsyncThrowingStream { continuation in
            let task = Task {
                do {
                    for try await data in await self.inner.receive() {
                        try await self.admit(data, to: continuation)
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    /// Passes one frame on, after the previous serialized request finished when this one is serialized too.
    private func admit(_ data: Data, to continuation: AsyncThrowingStream<Data, any Swift.Error>.Continuation) async throws {
        guard data.count <= maximumFrameBytes else {
            let reply = JSONEmitter.compact([
                "jsonrpc": "2.0", "id": .null,
                "error": ["code": -32600, "message": .string("request larger than \(maximumFrameBytes) bytes")],
            ])
            try await inner.send(Data(reply.utf8))
            return
        }
        let frame = Frame(data)
        if frame.method == "notifications/cancelled", let id = frame.cancelledID, id == inFlight { finish() }
        if let method = frame.method, let id = frame.id, SerialTransport.serialized.contains(method) {
            if inFlight != nil { await withCheckedContinuation { idle = $0 } }
            inFlight = id
        }
        await recorder?.received(frame)
        continuation.yield(data)
    }

    private func finish() {
        inFlight = nil
        idle?.resume()
        idle = nil
    }
}

/// The parts of a JSON-RPC frame the transport looks at, parsed once.
public struct Frame: Sendable {
    let value: JSONValue?
    /// The id as compact JSON text (`1`, `"a"`), nil for notifications and unparsable frames.
    public let id: String?
    public let method: String?

    init(_ data: Data) {
        let value = try? JSONParser.parse(bytes: Array(data))
        self.value = value
        id = value?["id"].flatMap { $0 == .null ? nil : JSONEmitter.compact($0) }
        method = value?["method"]?.stringValue
    }

    /// The request id a `notifications/cancelled` names.
    var cancelledID: String? { value?["params"]?["requestId"].map { JSONEmitter.compact($0) } }
}
