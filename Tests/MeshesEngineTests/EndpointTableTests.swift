import MeshesCore
import Testing

@testable import MeshesEngine

/// Every route is declared once in `Endpoint.all`; matching, `Allow` and session access come from there.
@Suite struct EndpointTableTests {
    static let id = "0F8FAD5B-D9CB-469F-A165-70867728950E"

    @Test func eachMethodAndPathIsDeclaredOnce() {
        let keys = Endpoint.all.map { $0.method + " " + $0.path }
        #expect(Set(keys).count == keys.count)
        // The 38 rows of §3, plus `/healthz` and the engine's `/sessions/launch`.
        #expect(keys.count == 40)
        #expect(keys.filter { $0.hasPrefix("POST /api/v1/events") }.count == 5)
    }

    @Test func pathsMatchWithLowercasedParameters() throws {
        guard
            case .found(let endpoint, let parameters) = Endpoint.match(
                path: "/api/v1/events/\(Self.id)/rules/\(Self.id)/retry/", method: "POST")
        else {
            Issue.record("no match")
            return
        }
        #expect(endpoint.path == "/api/v1/events/{id}/rules/{rule}/retry")
        #expect(parameters == [Self.id.lowercased(), Self.id.lowercased()])
        guard case .found(let session, let token) = Endpoint.match(path: "/api/v1/sessions/ses_abc/refresh", method: "POST") else {
            Issue.record("no session match")
            return
        }
        #expect(session.path == "/api/v1/sessions/{session}/refresh")
        #expect(token == ["ses_abc"])
    }

    @Test func unknownPathsAndIdsAreNotFound() {
        for path in ["/api/v1/nope", "/api/v1/workspaces/not-a-uuid", "/api/v2/workspaces", "/healthz/x", "/api/v1/sessions//refresh"] {
            guard case .notFound = Endpoint.match(path: path, method: "GET") else {
                Issue.record("\(path) matched")
                continue
            }
        }
    }

    @Test func aKnownPathWithAnotherMethodListsItsMethods() {
        guard case .methodNotAllowed(let endpoints) = Endpoint.match(path: "/api/v1/connections/\(Self.id)", method: "PATCH") else {
            Issue.record("expected 405")
            return
        }
        #expect(endpoints.map(\.method) == ["GET", "PUT", "DELETE"])
        // The literal `launch` wins over the `{session}` parameter.
        guard case .methodNotAllowed(let launch) = Endpoint.match(path: "/api/v1/sessions/launch", method: "DELETE") else {
            Issue.record("expected 405 for launch")
            return
        }
        #expect(launch.map(\.method) == ["POST"])
    }

    @Test func accessIsDeclaredWithTheRoute() {
        func access(_ method: String, _ path: String) -> Access? {
            Endpoint.all.first { $0.method == method && $0.path == path }?.access
        }
        #expect(access("POST", "/api/v1/events")?.publishable == true)
        #expect(access("GET", "/api/v1/events")?.publishable == false)
        #expect(access("GET", "/api/v1/events")?.sessionRole == nil)
        #expect(access("PUT", "/api/v1/workspaces/{id}")?.sessionRole == .owner)
        #expect(access("PUT", "/api/v1/workspaces/{id}")?.refusesResourceSessions == true)
        #expect(access("GET", "/api/v1/connections/{id}/fields")?.refusesResourceSessions == true)
        #expect(access("GET", "/api/v1/events/{id}/payload")?.sessionScope == SessionValidator.payloadReadScope)
        #expect(access("GET", "/api/v1/events/{id}/rules/{rule}/attempts/{attempt}/response-details")?.sessionRole == .admin)
        let open = Endpoint.all.filter { if case .open = $0.handler { return true } else { return false } }.map(\.path)
        #expect(open == ["/healthz", "/api/v1/sessions/launch"])
    }
}
