internal import Foundation
internal import Hummingbird
internal import Logging
internal import NIOCore
internal import SharedCore
internal import Synchronization

/// `meshes-bench receiver --port P`: a keep-alive HTTP receiver for the delivery benchmark. Every POST gets
/// 200 `ok`; for wrapped webhook bodies it notes the delay from the event's `created_at` to arrival. `GET /stats`
/// answers `{"requests", "deliveries": {id: count}?, "latencies_ms": [...]}` and `DELETE /stats` resets.
/// Prints the bound port on stdout, then serves until killed.
enum BenchReceiver {
    final class Stats: Sendable {
        struct State {
            var requests = 0
            var latencies: [Double] = []
            var perDelivery: [String: Int] = [:]
        }
        let state = Mutex(State())
    }

    struct Responder: HTTPResponder {
        typealias Context = BasicRequestContext
        let stats: Stats
        let track: Bool

        func respond(to request: Request, context: Context) async throws -> Response {
            var request = request
            if request.uri.path == "/stats" {
                let body: String
                if request.method == .delete {
                    stats.state.withLock { $0 = Stats.State() }
                    body = "{}"
                } else {
                    let state = stats.state.withLock { $0 }
                    var object = JSONObject()
                    object["requests"] = .int(state.requests)
                    object["latencies_ms"] = .array(state.latencies.map(JSONValue.double))
                    object["duplicates"] = .int(state.perDelivery.values.reduce(0) { $0 + max(0, $1 - 1) })
                    object["distinct"] = .int(state.perDelivery.count)
                    body = JSONEmitter.compact(.object(object))
                }
                return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
            }
            let bytes = try await request.collectBody(upTo: 1 << 20)
            let arrived = Clock.now()
            var latency: Double?
            var delivery: String?
            if track, let value = try? JSONParser.parse(bytes: Array(bytes.readableBytesView)) {
                if let created = value["created_at"]?.stringValue.flatMap(Clock.parseISO) { latency = (arrived - created) * 1000 }
                delivery = value["delivery"]?["id"]?.stringValue
            }
            stats.state.withLock { state in
                state.requests += 1
                if let latency { state.latencies.append(latency) }
                if let delivery { state.perDelivery[delivery, default: 0] += 1 }
            }
            return Response(status: .ok, body: ResponseBody(byteBuffer: ByteBuffer(string: "ok")))
        }
    }

    static func run(port: Int, track: Bool) async throws {
        var logger = Logger(label: "bench-receiver")
        logger.logLevel = .critical
        let app = Application(
            responder: Responder(stats: Stats(), track: track), configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in
                FileHandle.standardOutput.write(Data("\(channel.localAddress?.port ?? port)\n".utf8))
            }, logger: logger)
        try await app.runService()
    }
}
