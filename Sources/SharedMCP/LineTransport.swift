public import Foundation
public import Logging
public import MCP
internal import SharedCore
internal import SharedPlatform

/// Newline-delimited JSON-RPC over a pair of file descriptors (stdin/stdout by default), read on a thread of
/// its own in 64 KiB chunks. A line longer than `maximumFrameBytes` is never assembled: its bytes are
/// skipped up to the next newline and the client gets a JSON-RPC error, so an oversized request costs
/// neither memory nor time.
public actor LineTransport: Transport {
    public nonisolated let logger: Logger
    let input: Int32
    let output: Int32
    let maximumFrameBytes: Int

    public init(input: Int32 = 0, output: Int32 = 1, maximumFrameBytes: Int = 4 * 1024 * 1024, logger: Logger) {
        self.input = input
        self.output = output
        self.maximumFrameBytes = maximumFrameBytes
        self.logger = logger
    }

    public func connect() async throws {}

    public func disconnect() async {}

    public func send(_ data: Data) async throws {
        var bytes = [UInt8](data)
        bytes.append(0x0A)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { SharedPlatform.write(output, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw MCPError.transportError(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO))
            }
            offset += written
        }
    }

    public nonisolated func receive() -> AsyncThrowingStream<Data, any Swift.Error> {
        let (stream, continuation) = AsyncThrowingStream<Data, any Swift.Error>.makeStream()
        let reader = Thread { [self] in self.readLoop(continuation) }
        reader.name = "mcp-stdin"
        reader.start()
        return stream
    }

    /// Blocking reads on the reader thread; frames go to `continuation`, EOF finishes it.
    private nonisolated func readLoop(_ continuation: AsyncThrowingStream<Data, any Swift.Error>.Continuation) {
        var line: [UInt8] = []
        var skipping = false
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { SharedPlatform.read(input, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            var start = 0
            while start < count {
                guard let newline = chunk[start..<count].firstIndex(of: 0x0A) else {
                    if !skipping { line += chunk[start..<count] }
                    start = count
                    break
                }
                if !skipping { line += chunk[start..<newline] }
                start = newline + 1
                if skipping {
                    skipping = false
                } else if !line.isEmpty {
                    continuation.yield(Data(line))
                }
                line.removeAll(keepingCapacity: true)
            }
            if !skipping && line.count > maximumFrameBytes {
                skipping = true
                line = []
                refuseOversized()
            }
        }
        if !skipping && !line.isEmpty { continuation.yield(Data(line)) }
        continuation.finish()
    }

    private nonisolated func refuseOversized() {
        let reply = JSONEmitter.compact([
            "jsonrpc": "2.0", "id": .null,
            "error": ["code": -32600, "message": .string("request larger than \(maximumFrameBytes) bytes")],
        ])
        Task { try? await self.send(Data(reply.utf8)) }
    }
}
