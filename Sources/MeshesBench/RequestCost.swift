internal import Foundation
internal import MeshesCore
internal import MeshesEngine
internal import SharedCore

/// `meshes-bench requests --db PATH --workspace W --event E [--count N]`: the CPU cost of one request of each
/// hot route through the router `meshes serve` uses (authentication included, no HTTP), one at a time on one
/// thread, with one machine token reused and with a fresh token per request. Prints one JSON object.
/// `--only 1,3` measures the routes of those positions (0 healthz, 1 workspace, 2 event, 3 ingest, 4 list).
enum RequestCost {
    static func run(arguments: [String]) async throws {
        func option(_ name: String) -> String? {
            guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
            return arguments[index + 1]
        }
        guard let path = option("--db"), let workspace = option("--workspace"), let event = option("--event") else {
            throw BenchUsage.missing("--db, --workspace and --event are required")
        }
        let count = Int(option("--count") ?? "20000") ?? 20_000
        let store = try MeshesEngine.openStore(path: path, environment: ProcessEnvironment.current)
        let api = MeshesAPI(store: store)
        let accessKey = KeyFormats.generateAccessKey()
        let secret = KeyFormats.generateSecret()
        _ = try await store.createMachineKey(orgID: store.defaultOrg.id, accessKey: accessKey, secret: secret)
        let now = Int(Clock.now())
        let ingest = Array(
            JSONEmitter.compact([
                "workspace": .string(workspace), "event": "user.signup", "payload": ["email": "user@example.com", "plan": "pro"],
            ]).utf8)
        let routes: [(name: String, method: String, target: String, body: [UInt8])] = [
            ("GET /healthz", "GET", "/healthz", []),
            ("GET /workspaces/{id}", "GET", "/api/v1/workspaces/\(workspace)", []),
            ("GET /events/{id}", "GET", "/api/v1/events/\(event)", []),
            ("POST /events", "POST", "/api/v1/events", ingest),
            ("GET /workspaces/{id}/events?limit=50", "GET", "/api/v1/workspaces/\(workspace)/events?limit=50", []),
        ]
        let only = option("--only").map { Set($0.split(separator: ",").map(String.init)) }
        var results = JSONObject()
        for (routeIndex, route) in routes.enumerated() where only?.contains(String(routeIndex)) ?? true {
            var row = JSONObject()
            for fresh in [false, true] {
                let tokens = (0..<(fresh ? count : 1)).map { index in
                    MachineJWT.mint(
                        accessKey: accessKey, secret: secret, orgID: store.defaultOrg.id, issuedAt: now,
                        tokenID: fresh ? "\(routeIndex)-\(index)" : nil)
                }
                let requests = (0..<count).map { index in
                    APIRequest(
                        method: route.method, target: route.target,
                        headers: [("Authorization", "Bearer " + tokens[fresh ? index : 0]), ("Content-Type", "application/json")],
                        body: route.body)
                }
                let cpu0 = threadCPU()
                let wall0 = Clock.now()
                for request in requests {
                    let response: APIResponse
                    if RequestTimings.enabled {
                        let trace = RequestTimings.Trace()
                        response = await RequestTimings.$current.withValue(trace) { await api.handle(request) }
                        RequestTimings.shared.record(trace)
                    } else {
                        response = await api.handle(request)
                    }
                    guard response.status < 300 else { throw BenchUsage.failed("\(route.name) answered \(response.status)") }
                }
                let cpu = threadCPU() - cpu0
                let wall = Clock.now() - wall0
                row[fresh ? "fresh_us" : "reused_us"] = .double((wall / Double(count) * 1e7).rounded() / 10)
                row[fresh ? "fresh_thread_cpu_us" : "reused_thread_cpu_us"] = .double((cpu / Double(count) * 1e7).rounded() / 10)
            }
            results[route.name] = .object(row)
        }
        print(JSONEmitter.pretty(.object(results)))
        if RequestTimings.enabled { FileHandle.standardError.write(Data(RequestTimings.shared.report().utf8)) }
    }

    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    enum BenchUsage: Error {
        case missing(String)
        case failed(String)
    }
}
