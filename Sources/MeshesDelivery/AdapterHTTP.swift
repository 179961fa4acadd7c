internal import AsyncHTTPClient
public import MeshesEngine
internal import NIOCore
internal import NIOHTTP1

/// The adapter routes' outbound GETs (§6.4) over AsyncHTTPClient, the one HTTP client library of the meshes
/// wing: redirects are never followed, the whole request has one deadline, and a body is read only up to the
/// limit. One instance per process; `shutdown()` before exit.
public final class AdapterHTTP: AdapterHTTPClient {
    let owned = OwnedHTTPClient(
        HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: .seconds(10))))

    public init() {}

    public func shutdown() async { await owned.shutdown() }

    public func get(_ url: String, headers: [(String, String)], timeoutSeconds: Double, maximumBytes: Int) async -> AdapterHTTPResult {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let deadline = NIODeadline.now() + .milliseconds(Int64(timeoutSeconds * 1000))
        do {
            let response = try await owned.client.execute(request, deadline: deadline)
            let status = Int(response.status.code)
            do {
                let body = try await response.body.collect(upTo: maximumBytes)
                return .answered(status: status, body: Array(body.readableBytesView))
            } catch is NIOTooManyBytesError {
                return .tooLarge
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
            return .timedOut
        } catch {
            return NIODeadline.now() >= deadline ? .timedOut : .unreachable
        }
    }
}
