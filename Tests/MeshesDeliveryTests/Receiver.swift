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

    /// Records the request; returns how many times this delivery (`webhook-id`, else the wrapped body's
    /// `delivery.id`, else the path) has now been seen.
    func record(_ request: Received) -> Int {
        requests.append(request)
        let delivery = (try? JSONParser.parse(bytes: request.body))?["delivery"]?["id"]?.stringValue
        let key = request.headers["webhook-id"] ?? delivery ?? request.path
        countsByID[key, default: 0] += 1
        return countsByID[key] ?? 0
    }
}

/// An in-process HTTP receiver on 127.0.0.1 (a random port) whose paths behave as the tests need:
/// `/ok`, `/fail/N` (500 for the first N requests of each webhook-id, then 200), `/gone` (410), `/auth` (401),
/// `/limited` (429 with `Retry-After: 1`), `/hang` (answers after 3 s), `/redirect` (302), `/huge` (50,000 bytes).
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
        case "/ok": return answer(200)
        case "/gone": return answer(410, "gone")
        case "/auth": return answer(401, "who are you")
        case "/limited": return answer(429, "slow down", extra: [("Retry-After", "1")])
        case "/redirect": return answer(302, "", extra: [("Location", "/ok")])
        case "/huge": return answer(200, String(repeating: "z", count: 50_000))
        case "/hang":
            try await Task.sleep(nanoseconds: 3_000_000_000)
            return answer(200)
        default:
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
