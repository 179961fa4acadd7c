internal import AsyncHTTPClient
internal import Foundation
internal import MeshesCore
public import MeshesEngine
internal import NIOCore
internal import NIOHTTP1
public import SharedCore

/// Where attempts may go (§5.8): `--allow-http` and `--allow-private-egress`.
public struct EgressOptions: Sendable, Equatable {
    public var allowHTTP: Bool
    public var allowPrivate: Bool

    public init(allowHTTP: Bool = false, allowPrivate: Bool = false) {
        self.allowHTTP = allowHTTP
        self.allowPrivate = allowPrivate
    }
}

/// Runs one attempt: builds the request (§6), checks egress on the resolved address, sends it over the shared
/// HTTP client with the whole-attempt timeout and no redirects, and turns what happened into an `AttemptReport`.
public final class AttemptRunner: Sendable {
    /// The response body bytes kept (§5.8).
    public static let bodyLimit = 20_000
    /// The response header bytes kept.
    public static let headerLimit = 8 * 1024

    let owned: OwnedHTTPClient
    var client: HTTPClient { owned.client }
    let egress: EgressOptions
    let version: String
    let clock: @Sendable () -> Int64

    /// One keep-alive connection pool for every attempt of the process. With private egress refused, every
    /// connection is checked again once it is open, on the address it actually connected to (a name that
    /// resolves to a public address for the check and to a private one for the connection is still refused).
    public init(
        egress: EgressOptions, version: String = MeshesAPI.version, clock: @escaping @Sendable () -> Int64 = { Int64(Clock.now() * 1000) }
    ) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow, timeout: HTTPClient.Configuration.Timeout(connect: .seconds(30)),
            connectionPool: HTTPClient.Configuration.ConnectionPool(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64))
        configuration.decompression = .disabled
        if !egress.allowPrivate {
            let check: @Sendable (any Channel) -> EventLoopFuture<Void> = { channel in
                if let address = channel.remoteAddress?.ipAddress,
                    let reason = Resolver.refusal(Resolver.Address(text: address, isIPv6: address.contains(":")))
                {
                    return channel.eventLoop.makeFailedFuture(EgressRefused(reason: reason))
                }
                return channel.eventLoop.makeSucceededVoidFuture()
            }
            configuration.http1_1ConnectionDebugInitializer = check
            configuration.http2ConnectionDebugInitializer = check
        }
        owned = OwnedHTTPClient(configuration)
        self.egress = egress
        self.version = version
        self.clock = clock
    }

    /// Closes the pool (in-flight requests finish first).
    public func shutdown() async { await owned.shutdown() }

    struct EgressRefused: Error {
        var reason: String
    }

    public func run(_ job: DeliveryJob) async -> AttemptReport {
        let startedAt = clock()
        let connection = job.connection
        let secretNames = Set(connection.secrets.keys)
        let request: OutboundRequest
        do throws(BuildFailure) {
            request = try RequestBuilder.build(
                connection.settings, rule: job.ruleMetadata, envelope: job.envelope, attempt: job.attemptNumber, startedAt: startedAt,
                version: version, fields: job.fields)
        } catch {
            let url = connection.metadata["url"]?.stringValue ?? connection.metadata["webhook_url"]?.stringValue ?? ""
            return AttemptReport(
                outcome: error.outcome, message: error.message, requestMethod: connection.metadata["http_method"]?.stringValue ?? "POST",
                requestURL: RecordedURL.redact(url, secretNames: secretNames), final: error.final, startedAt: startedAt, endedAt: clock())
        }
        let recorded = request.recordedURL(secretNames: secretNames)
        func report(_ outcome: Outcome, _ message: String) -> AttemptReport {
            AttemptReport(
                outcome: outcome, message: message, requestMethod: request.method, requestURL: recorded, startedAt: startedAt,
                endedAt: clock())
        }
        guard let components = URLComponents(string: request.url), let scheme = components.scheme?.lowercased(),
            let host = components.host, !host.isEmpty
        else { return report(.networkError, "invalid URL") }
        guard scheme == "https" || (scheme == "http" && egress.allowHTTP) else {
            return report(
                .networkError,
                scheme == "http" ? "egress refused: http URLs need --allow-http" : "invalid URL: unsupported scheme \(scheme)")
        }
        if !egress.allowPrivate {
            let port = components.port ?? (scheme == "https" ? 443 : 80)
            let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
            let addresses = Resolver.resolve(bare, port: port)
            if addresses.isEmpty { return report(.networkError, "DNS: \(host) does not resolve") }
            if let refused = addresses.lazy.compactMap(Resolver.refusal).first {
                return report(.networkError, "egress refused: \(host) resolves to a \(refused)")
            }
        }

        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        outgoing.body = .bytes(request.body)
        let timeout = TimeAmount.seconds(Int64(connection.timeoutSeconds))
        let deadline = NIODeadline.now() + timeout
        do {
            let response = try await client.execute(outgoing, deadline: deadline)
            var body: [UInt8] = []
            var truncated = false
            for try await chunk in response.body {
                let room = Self.bodyLimit - body.count
                if chunk.readableBytes > room {
                    body += chunk.readableBytesView.prefix(room)
                    truncated = true
                    break
                }
                body += chunk.readableBytesView
            }
            let status = Int(response.status.code)
            var headers = JSONObject()
            var headerBytes = 0
            for (name, value) in response.headers {
                headerBytes += name.utf8.count + value.utf8.count + 4
                if headerBytes > Self.headerLimit { break }
                let key = name.lowercased()
                if let existing = headers[key]?.stringValue {
                    headers[key] = .string(existing + ", " + value)
                } else {
                    headers[key] = .string(value)
                }
            }
            let endedAt = clock()
            let outcome = Outcome(status: status)
            let retryAfter = response.headers.first(name: "retry-after").flatMap {
                RetryAfter.seconds($0, now: Double(endedAt) / 1000)
            }
            return AttemptReport(
                outcome: outcome, message: Self.message(status: status, outcome: outcome), requestMethod: request.method,
                requestURL: recorded, responseStatus: status, responseHeaders: headers,
                responseBody: String(decoding: body, as: UTF8.self), responseTruncated: truncated, retryAfter: retryAfter,
                startedAt: startedAt, endedAt: endedAt)
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return report(.timeout, "no complete response within \(connection.timeoutSeconds) s")
        } catch let error as EgressRefused {
            return report(.networkError, "egress refused: connected to a \(error.reason)")
        } catch {
            if NIODeadline.now() >= deadline { return report(.timeout, "no complete response within \(connection.timeoutSeconds) s") }
            return report(.networkError, Self.describe(error))
        }
    }

    static func message(status: Int, outcome: Outcome) -> String {
        switch outcome {
        case .delivered: return "HTTP \(status)"
        case .rateLimited: return "HTTP \(status): rate limited"
        case .authFailed: return "HTTP \(status): authentication failed"
        case .rejectedServerError: return "HTTP \(status): server error"
        default: return status >= 300 && status < 400 ? "HTTP \(status): redirects are not followed" : "HTTP \(status): rejected"
        }
    }

    /// A short description of a transport failure.
    static func describe(_ error: any Error) -> String {
        let text = String(describing: error)
        if text.contains("connectTimeout") { return "connect timeout" }
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("remoteConnectionClosed") { return "connection closed before the response was complete" }
        if text.contains("NIOSSL") || text.contains("TLS") || text.contains("handshake") { return "TLS: " + String(text.prefix(200)) }
        if text.contains("DNS") || text.contains("lookup") { return "DNS: " + String(text.prefix(200)) }
        return "network: " + String(text.prefix(300))
    }
}
