internal import Hummingbird
internal import Logging
internal import MeshesCore
public import MeshesEngine
internal import NIOCore

/// `meshes serve`: Hummingbird HTTP/1.1 in front of the transport-neutral `MeshesAPI`.
public enum MeshesServer {
    /// Serves `api` until SIGINT/SIGTERM, then stops accepting and lets in-flight requests finish.
    /// `onRunning` receives the bound port (useful with port 0).
    public static func run(
        api: MeshesAPI, host: String, port: Int, maximumBodyBytes: Int,
        onRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws {
        var logger = Logger(label: "meshes")
        logger.logLevel = .warning
        let app = Application(
            responder: MeshesResponder(api: api, maximumBodyBytes: maximumBodyBytes),
            configuration: .init(address: .hostname(host, port: port), serverName: "meshes"),
            onServerRunning: { channel in await onRunning(channel.localAddress?.port ?? port) },
            logger: logger)
        try await app.runService()
    }
}

/// Converts Hummingbird requests to `APIRequest` and back.
struct MeshesResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let api: MeshesAPI
    let maximumBodyBytes: Int

    func respond(to request: Request, context: Context) async throws -> Response {
        guard RequestTimings.enabled else { return try await answer(request) }
        let trace = RequestTimings.Trace()
        defer { RequestTimings.shared.record(trace) }
        return try await RequestTimings.$current.withValue(trace) { try await answer(request) }
    }

    private func answer(_ request: Request) async throws -> Response {
        var request = request
        let bytes: [UInt8]
        do {
            let buffer = try await request.collectBody(upTo: maximumBodyBytes)
            bytes = RequestTimings.measure(.receive) { Array(buffer.readableBytesView) }
        } catch {
            return MeshesResponder.convert(
                .error(
                    APIError(
                        status: 413, code: "invalid_request", message: "request body is larger than \(maximumBodyBytes) bytes")))
        }
        let apiRequest = RequestTimings.measure(.receive) {
            var target = request.uri.path
            if let query = request.uri.query, !query.isEmpty { target += "?" + query }
            let headers = request.headers.map { (name: $0.name.rawName, value: $0.value) }
            return APIRequest(method: request.method.rawValue, target: target, headers: headers, body: bytes)
        }
        let response = await api.handle(apiRequest)
        return RequestTimings.measure(.send) { MeshesResponder.convert(response) }
    }

    static func field(_ name: String, _ value: String) -> HTTPFields.Element? {
        guard let fieldName = HTTPFields.Element.Name(name) else { return nil }
        return HTTPFields.Element(name: fieldName, value: value)
    }

    static func convert(_ response: APIResponse) -> Response {
        var fields = HTTPFields()
        for (name, value) in response.headers {
            if let field = MeshesResponder.field(name, value) { fields.append(field) }
        }
        return Response(
            status: HTTPResponse.Status(code: response.status), headers: fields,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
    }
}
