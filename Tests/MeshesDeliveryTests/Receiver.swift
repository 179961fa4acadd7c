import Foundation
import Hummingbird
import Logging
import MeshesCore
import MeshesDelivery
import MeshesEngine
import NIOCore
import SharedCore
import Testing

/// One request a receiver got.
struct Received: Sendable {
    var path: String
    var headers: [String: String]
    var body: [UInt8]
}

/// What the receiver saw, in arrival order.
actor ReceiverLog {
    var requests: [Received] = []
    var countsByID: [String: Int] = [:]
    /// Requests being answered now, and the most there ever were at once.
    var active = 0
    var maxActive = 0
    /// When each request arrived (seconds, `Clock.now()`), by path.
    var arrivals: [String: [Double]] = [:]

    func enter() {
        active += 1
        maxActive = max(maxActive, active)
    }

    func leave() { active -= 1 }

    /// Records the request; returns how many times this delivery (`webhook-id`, else the wrapped body's
    /// `delivery.id`, else the path) has now been seen.
    func record(_ request: Received) -> Int {
        requests.append(request)
        arrivals[request.path, default: []].append(Clock.now())
        let delivery = (try? JSONParser.parse(bytes: request.body))?["delivery"]?["id"]?.stringValue
        let key = request.headers["webhook-id"] ?? delivery ?? request.path
        countsByID[key, default: 0] += 1
        return countsByID[key] ?? 0
    }
}

/// An in-process HTTP receiver on 127.0.0.1 (a random port) whose paths behave as the tests need:
/// `/ok`, `/slack`, `/discord`, `/adapter/…`, `/fail/N` (500 for the first N requests of each webhook-id, then 200), `/gone` (410), `/auth` (401),
/// `/limited` (429 with `Retry-After: 1`), `/hang` (answers after 3 s), `/slow` (answers after 0.3 s, counted in
/// `active`/`maxActive`), `/redirect` (302), `/huge` (50,000 bytes).
struct ReceiverResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let log: ReceiverLog

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let body = Array(try await request.collectBody(upTo: 1 << 20).readableBytesView)
        var headers: [String: String] = [:]
        for field in request.headers { headers[field.name.rawName.lowercased()] = field.value }
        let path = request.uri.path
        let seen = await log.record(Received(path: path, headers: headers, body: body))
        func answer(_ status: Int, _ text: String = "ok", extra: [(String, String)] = []) -> Response {
            var fields = HTTPFields()
            for (name, value) in extra { fields.append(HTTPFields.Element(name: HTTPFields.Element.Name(name)!, value: value)) }
            return Response(
                status: HTTPResponse.Status(code: status), headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
        switch path {
        case "/ok", "/slack", "/discord": return answer(200)
        case "/gone": return answer(410, "gone")
        case "/auth": return answer(401, "who are you")
        case "/limited": return answer(429, "slow down", extra: [("Retry-After", "1")])
        case "/redirect": return answer(302, "", extra: [("Location", "/ok")])
        case "/huge": return answer(200, String(repeating: "z", count: 50_000))
        case "/slow":
            await log.enter()
            try? await Task.sleep(nanoseconds: 300_000_000)
            await log.leave()
            return answer(200)
        case "/hang":
            try await Task.sleep(nanoseconds: 3_000_000_000)
            return answer(200)
        default:
            if path.hasPrefix("/adapter/") { return answer(200, #"{"ok":true}"#) }
            if path.hasPrefix("/fail/"), let failures = Int(path.dropFirst(6)) {
                return seen <= failures ? answer(500, "boom \(seen)") : answer(200)
            }
            return answer(404, "no such path")
        }
    }
}

/// A running receiver; `stop()` shuts it down.
final class Receiver: Sendable {
    let log: ReceiverLog
    let port: Int
    private let task: Task<Void, any Error>

    private init(port: Int, task: Task<Void, any Error>, log: ReceiverLog) {
        self.port = port
        self.task = task
        self.log = log
    }

    static func start() async throws -> Receiver {
        let log = ReceiverLog()
        let (stream, continuation) = AsyncStream.makeStream(of: Int.self)
        var logger = Logger(label: "receiver")
        logger.logLevel = .critical
        let app = Application(
            responder: ReceiverResponder(log: log), configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let task = Task { try await app.run() }
        var iterator = stream.makeAsyncIterator()
        let port = await iterator.next() ?? 0
        return Receiver(port: port, task: task, log: log)
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() { task.cancel() }
}

/// A TCP server that reads each request, sends the head and half the promised body, then closes the
/// connection: a response that never completes.
final class HalfResponder: @unchecked Sendable {
    // The descriptor is written once before the accept thread starts and only read afterwards.
    let port: Int
    private let listener: Int32

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = fd
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw CocoaError(.fileWriteUnknown) }
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &size) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread.detachNewThread {
            while true {
                let client = accept(fd, nil, nil)
                if client < 0 { return }
                var buffer = [UInt8](repeating: 0, count: 65_536)
                var received: [UInt8] = []
                // Until the end of the head and the body it announces (requests here are small).
                while true {
                    let count = read(client, &buffer, buffer.count)
                    if count <= 0 { break }
                    received += buffer[0..<count]
                    let text = String(decoding: received, as: UTF8.self)
                    if let headEnd = text.range(of: "\r\n\r\n") {
                        let head = text[..<headEnd.lowerBound].lowercased()
                        let length =
                            head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                            .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
                        if text.utf8.count - text[..<headEnd.upperBound].utf8.count >= length { break }
                    }
                }
                let partial = Array("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nContent-Type: text/plain\r\n\r\nhalf".utf8)
                _ = partial.withUnsafeBytes { write(client, $0.baseAddress, $0.count) }
                close(client)
            }
        }
    }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}
