internal import AsyncHTTPClient
internal import Foundation
internal import MeshesCore
internal import MeshesEngine
internal import NIOCore
internal import NIOHTTP1
public import SharedCore
internal import Synchronization

/// Which engine a verb talks to (§1): the credential variables decide.
public enum ClientSelection: Sendable, Equatable {
    /// No credential variable set: the local store.
    case embedded
    case remote(RemoteClient.Configuration)
    /// Some but not all credential variables are set: the missing names.
    case incomplete(missing: [String])
    /// The credentials are malformed: the reason (§2.1 formats).
    case invalid(String)

    /// Reads `MESHES_ACCESS_KEY`, `MESHES_SECRET_KEY`, `MESHES_ORG_ID` (alias `MESHES_ORGANIZATION_ID`; the first
    /// wins), `MESHES_API_URL` and `MESHES_TIMEOUT_MS`.
    public static func from(environment: [String: String]) -> ClientSelection {
        func value(_ name: String) -> String? { environment[name].flatMap { $0.isEmpty ? nil : $0 } }
        let access = value("MESHES_ACCESS_KEY")
        let secret = value("MESHES_SECRET_KEY")
        let org = value("MESHES_ORG_ID") ?? value("MESHES_ORGANIZATION_ID")
        if access == nil && secret == nil && org == nil { return .embedded }
        guard let access, let secret, let org else {
            var missing: [String] = []
            if access == nil { missing.append("MESHES_ACCESS_KEY") }
            if secret == nil { missing.append("MESHES_SECRET_KEY") }
            if org == nil { missing.append("MESHES_ORG_ID") }
            return .incomplete(missing: missing)
        }
        guard KeyFormats.isAccessKey(access) else { return .invalid("MESHES_ACCESS_KEY is not a machine access key (mk_…)") }
        guard KeyFormats.isSecret(secret) else { return .invalid("MESHES_SECRET_KEY is not a machine secret") }
        guard KeyFormats.isOrgID(org.lowercased()) else { return .invalid("MESHES_ORG_ID is not an organization UUID") }
        var timeout = 5000
        if let text = value("MESHES_TIMEOUT_MS") {
            guard let milliseconds = Int(text), (1000...30_000).contains(milliseconds) else {
                return .invalid("MESHES_TIMEOUT_MS must be an integer from 1000 to 30000")
            }
            timeout = milliseconds
        }
        guard let base = RemoteClient.baseURL(value("MESHES_API_URL") ?? RemoteClient.defaultURL) else {
            return .invalid("MESHES_API_URL must be an absolute http(s) URL")
        }
        return .remote(
            RemoteClient.Configuration(
                accessKey: access, secret: secret, orgID: org.lowercased(), baseURL: base, timeoutMilliseconds: timeout))
    }
}

/// HTTP to a Meshes-compatible REST API v1 (§1, §4.1): a fresh machine JWT for every request, the client headers,
/// a whole-request timeout, never a retry.
public final class RemoteClient: MeshesClient {
    public static let defaultURL = "https://api.meshes.io"
    /// Headers a caller cannot set (§4.1).
    public static let blockedHeaders: Set<String> = [
        "accept", "authorization", "connection", "content-length", "content-type", "host", "user-agent", "transfer-encoding",
        "x-api-key", "x-meshes-client", "x-meshes-publishable-key",
    ]

    public struct Configuration: Sendable, Equatable {
        public var accessKey: String
        public var secret: String
        public var orgID: String
        /// Normalised: no trailing slash, ends in `/api/v<digits>`.
        public var baseURL: String
        public var timeoutMilliseconds: Int

        public init(accessKey: String, secret: String, orgID: String, baseURL: String, timeoutMilliseconds: Int = 5000) {
            self.accessKey = accessKey
            self.secret = secret
            self.orgID = orgID
            self.baseURL = baseURL
            self.timeoutMilliseconds = timeoutMilliseconds
        }
    }

    public let configuration: Configuration
    public var mode: String { "remote" }
    let client: HTTPClient
    let clock: @Sendable () -> Int
    private let closed = Mutex(false)

    /// `clock` gives the unix seconds the tokens are minted at (tests pin it).
    public init(_ configuration: Configuration, clock: @escaping @Sendable () -> Int = { Int(Clock.now()) }) {
        self.configuration = configuration
        self.clock = clock
        client = HTTPClient(
            eventLoopGroupProvider: .singleton,
            configuration: HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10))))
    }

    deinit {
        if !closed.withLock({ $0 }) { try? client.syncShutdown() }
    }

    public func close() async {
        guard
            closed.withLock({ closed in
                defer { closed = true }
                return !closed
            })
        else { return }
        try? await client.shutdown()
    }

    /// Trailing slashes stripped; `/api/v1` appended unless the path already ends in `/api/v<digits>`; nil when
    /// the text is not an absolute http(s) URL.
    public static func baseURL(_ text: String) -> String? {
        var url = text.trimmingCharacters(in: .whitespaces)
        while url.hasSuffix("/") { url.removeLast() }
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty
        else { return nil }
        let last = url.split(separator: "/").suffix(2)
        let versioned =
            last.count == 2 && last.first == "api"
            && last.last.map { $0.count > 1 && $0.first == "v" && $0.dropFirst().allSatisfy(\.isNumber) } == true
        return versioned ? url : url + "/api/v1"
    }

    /// A request with no complete answer in time (the HTTP client keeps trying to connect until the deadline, so
    /// a server that is down also ends here).
    func timedOut(_ request: ClientRequest) -> ClientFailure {
        ClientFailure(
            .timeout,
            "no answer from the Meshes API at \(configuration.baseURL) within \(configuration.timeoutMilliseconds) ms "
                + "(\(request.method) \(request.path)); is it running and reachable? (MESHES_API_URL, MESHES_TIMEOUT_MS)")
    }

    /// The client header value.
    public static var clientHeader: String { "Meshes Swift Client v\(MeshesAPI.version)" }

    public func send(_ request: ClientRequest) async throws(ClientFailure) -> ClientResponse {
        var target = configuration.baseURL + request.path
        if !request.query.isEmpty {
            var components = URLComponents()
            components.queryItems = request.query.map { URLQueryItem(name: $0.name, value: $0.value) }
            target += "?" + (components.percentEncodedQuery ?? "")
        }
        var outgoing = HTTPClientRequest(url: target)
        outgoing.method = HTTPMethod(rawValue: request.method)
        let token = MachineJWT.mint(
            accessKey: configuration.accessKey, secret: configuration.secret, orgID: configuration.orgID, issuedAt: clock())
        outgoing.headers.add(name: "Authorization", value: "Bearer " + token)
        outgoing.headers.add(name: "X-Meshes-Client", value: Self.clientHeader)
        outgoing.headers.add(name: "Content-Type", value: "application/json")
        outgoing.headers.add(name: "Accept", value: "application/json")
        for header in request.headers where !Self.blockedHeaders.contains(header.name.lowercased()) {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        if let encoded = request.encodedBody {
            outgoing.body = .bytes(encoded)
        } else if let body = request.body {
            outgoing.body = .bytes(Array(JSONEmitter.compact(body).utf8))
        }
        let timeout = TimeAmount.milliseconds(Int64(configuration.timeoutMilliseconds))
        let deadline = NIODeadline.now() + timeout
        do {
            let response = try await client.execute(outgoing, deadline: deadline)
            let body = try await response.body.collect(upTo: 64 * 1024 * 1024)
            return ClientResponse(
                status: Int(response.status.code), headers: response.headers.map { (name: $0.name, value: $0.value) },
                body: Array(body.readableBytesView))
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            throw timedOut(request)
        } catch {
            if NIODeadline.now() >= deadline { throw timedOut(request) }
            throw ClientFailure(
                .network, "cannot reach the Meshes API at \(configuration.baseURL): \(String(describing: error).prefix(200))")
        }
    }
}
