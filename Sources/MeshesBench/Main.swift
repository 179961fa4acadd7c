internal import Foundation
internal import MeshesCore
internal import MeshesEngine
internal import SharedCore

/// `meshes-bench`: in-process measurements for `Scripts/bench` (no HTTP). Prints one JSON line.
///
///     meshes-bench ingest --db PATH --events N --batch B --concurrency C
///     meshes-bench receiver [--port P] [--no-track]     (the delivery benchmark's receiver, see BenchReceiver)
///     meshes-bench requests --db PATH --workspace W --event E [--count N]   (see RequestCost)
///
/// Creates a workspace with one matching webhook rule, then ingests N events as bulk requests of B items
/// through the same router `meshes serve` uses, C requests in flight, and reports events per second.
@main
enum MeshesBench {
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "receiver" {
            let port = arguments.firstIndex(of: "--port").flatMap { arguments.indices.contains($0 + 1) ? Int(arguments[$0 + 1]) : nil } ?? 0
            do {
                try await BenchReceiver.run(port: port, track: !arguments.contains("--no-track"))
            } catch {
                FileHandle.standardError.write(Data("meshes-bench receiver: \(error)\n".utf8))
                exit(1)
            }
            exit(0)
        }
        if arguments.first == "requests" {
            do {
                try await RequestCost.run(arguments: arguments)
            } catch {
                FileHandle.standardError.write(Data("meshes-bench requests: \(error)\n".utf8))
                exit(1)
            }
            exit(0)
        }
        guard arguments.first == "ingest" else {
            FileHandle.standardError.write(Data("usage: meshes-bench ingest --db PATH --events N --batch B --concurrency C\n".utf8))
            exit(2)
        }
        func option(_ name: String, _ fallback: String) -> String {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return fallback }
            return arguments[index + 1]
        }
        let path = option("--db", ".meshes/bench.db")
        let total = Int(option("--events", "100000")) ?? 100_000
        let batch = Int(option("--batch", "100")) ?? 100
        let concurrency = Int(option("--concurrency", "8")) ?? 8
        do {
            let store = try MeshesEngine.openStore(path: path, environment: ProcessEnvironment.current)
            let api = MeshesAPI(store: store)
            let caller = Principal.embedded(orgID: store.defaultOrg.id)
            let workspace = try await setUp(api: api, caller: caller)
            let body = bulkBody(workspace: workspace, count: batch)
            let requests = (total + batch - 1) / batch
            let start = Clock.now()
            var accepted = 0
            try await withThrowingTaskGroup(of: Int.self) { group in
                var next = 0
                func submit() {
                    guard next < requests else { return }
                    next += 1
                    group.addTask {
                        let response = await api.handle(APIRequest(method: "POST", path: "/api/v1/events/bulk", body: body), as: caller)
                        // 201 means every item was accepted (a partial result is 207).
                        guard response.status == 201 else { throw BenchError.rejected(response.status) }
                        return batch
                    }
                }
                for _ in 0..<concurrency { submit() }
                while let count = try await group.next() {
                    accepted += count
                    submit()
                }
            }
            let elapsed = Clock.now() - start
            let result: JSONValue = [
                "events": .int(accepted), "seconds": .double(elapsed), "events_per_second": .double(Double(accepted) / elapsed),
            ]
            print(JSONEmitter.compact(result))
        } catch {
            FileHandle.standardError.write(Data("meshes-bench: \(error)\n".utf8))
            exit(1)
        }
    }

    enum BenchError: Error { case rejected(Int) }

    static func setUp(api: MeshesAPI, caller: Principal) async throws -> String {
        func post(_ path: String, _ body: JSONValue) async throws -> JSONValue {
            let response = await api.handle(APIRequest(method: "POST", path: path, body: Array(JSONEmitter.compact(body).utf8)), as: caller)
            guard response.status == 201, let value = response.jsonBody else { throw BenchError.rejected(response.status) }
            return value
        }
        let workspace = try await post("/api/v1/workspaces", ["name": .string("bench \(Int(Clock.now() * 1000) % 1_000_000)")])
        let id = workspace["workspace"]?["id"]?.stringValue ?? ""
        let connection = try await post(
            "/api/v1/connections",
            ["workspace": .string(id), "type": "webhook", "name": "sink", "metadata": ["url": "https://example.com/sink"]])
        let connectionID = connection["connection"]?["id"]?.stringValue ?? ""
        _ = try await post(
            "/api/v1/rules",
            ["workspace": .string(id), "connection": .string(connectionID), "event": "user.signup", "metadata": ["action": "send_webhook"]])
        return id
    }

    static func bulkBody(workspace: String, count: Int) -> [UInt8] {
        let items = (0..<count).map { index -> JSONValue in
            [
                "workspace": .string(workspace), "event": "user.signup",
                "payload": ["email": .string("user\(index)@example.com"), "plan": "pro"],
            ]
        }
        return Array(JSONEmitter.compact(.array(items)).utf8)
    }
}
