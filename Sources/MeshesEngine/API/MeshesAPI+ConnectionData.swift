internal import Foundation
internal import MeshesCore
internal import SharedCore

extension MeshesAPI {
    /// `GET /connections/{id}/mappings/default`: the stored mapping, or the one generated from the catalogue.
    func getDefaultMapping(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let (id, caller) = (call.id, call.caller)
        let connection = try await ownedConnection(id, caller: caller)
        if let stored = try await run({ try await store.defaultMapping(orgID: caller.orgID, connectionID: id) }) {
            return .json(200, stored.envelopeJSON)
        }
        let integration = try MeshesAPI.integration(of: connection)
        return .json(200, ConnectionDefaultMapping.generated(for: connection, catalog: FieldCatalogSource(integration)).envelopeJSON)
    }

    /// `PUT /connections/{id}/mappings/default`.
    func putDefaultMapping(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let (id, caller) = (call.id, call.caller)
        let value = try body(call.request)
        let connection = try await ownedConnection(id, caller: caller)
        let input = try MappingValidator.validatePut(value)
        let integration = try MeshesAPI.integration(of: connection)
        let stored = try await run {
            try await store.putDefaultMapping(
                orgID: caller.orgID, connectionID: id, input: input, catalogVersion: integration.catalogVersion,
                createdBy: caller.createdBy)
        }
        return .json(200, stored.envelopeJSON)
    }

    // MARK: - Field catalog

    /// `GET /connections/{id}/fields`.
    func fieldCatalog(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let (id, request, caller) = (call.id, call.request, call.caller)
        var refresh = false
        if let text = request.queryValue("refresh") {
            switch text {
            case "true", "1": refresh = true
            case "false", "0", "": refresh = false
            default: throw APIError.invalidRequest("refresh must be true or false", field: "refresh")
            }
        }
        let connection = try await ownedConnection(id, caller: caller)
        let source = FieldCatalogSource(try MeshesAPI.integration(of: connection))
        let catalog = try await run {
            try await store.fieldCatalog(
                orgID: caller.orgID, connectionID: id, source: source, refresh: refresh, createdBy: caller.createdBy)
        }
        return .json(200, catalog.json)
    }

    /// The static facts of a connection's type.
    static func integration(of connection: Connection) throws(APIError) -> Integration {
        guard let type = IntegrationType(rawValue: connection.type) else {
            throw APIError.internalError("unknown connection type \(connection.type)")
        }
        do {
            return try IntegrationCatalog.bundled().integration(for: type)
        } catch {
            throw APIError.internalError("the integrations catalogue cannot be read")
        }
    }

    // MARK: - Action data (§6.4)

    /// Proxies `GET {base_url}/action-data` and caches the object in `action_data`; `{}` without `base_url`.
    func actionData(_ call: EndpointCall) async throws(APIError) -> APIResponse {
        let (id, caller) = (call.id, call.caller)
        let connection = try await ownedConnection(id, caller: caller)
        guard let baseURL = connection.metadata["base_url"]?.stringValue, !baseURL.isEmpty else {
            return .json(200, .object(JSONObject()))
        }
        let url = try ActionDataClient.actionDataURL(baseURL: baseURL, allowHTTP: options.allowHTTP)
        var credential: String?
        if let key = IntegrationType(rawValue: connection.type)?.credentialMetadataKey, connection.secretKeys.contains(key) {
            credential = try await run { try await store.connectionSecrets(connection) }[key]
        }
        guard let adapterHTTP = options.adapterHTTP else {
            throw APIError.conflict("unavailable", "This process makes no outbound calls; the connection's adapter was not asked")
        }
        let object = try await ActionDataClient.fetchObject(
            url, bearer: credential, maximumDepth: options.maximumJSONDepth, using: adapterHTTP)
        try await run { try await store.cacheActionData(orgID: caller.orgID, connectionID: id, actionData: object) }
        return .json(200, .object(object))
    }
}

/// The adapter calls of `GET /connections/{id}/actions`. Errors are the route's: an adapter that cannot
/// be reached or answers a non-2xx status → 409 `unavailable`; a 2xx body that is not a JSON object (or
/// is too large) → 422 `invalid_request`; a `base_url` that is not an acceptable URL → 422 `invalid_metadata`.
enum ActionDataClient {
    /// Seconds before the request is abandoned.
    static let timeout: Double = 15
    /// The largest accepted action-data body.
    static let maximumBytes = 5 * 1024 * 1024

    /// `{base_url}/action-data` (a query in `base_url` is kept); https only unless `allowHTTP` (`--allow-http`).
    static func actionDataURL(baseURL: String, allowHTTP: Bool) throws(APIError) -> URL {
        var components = URLComponents(string: baseURL)
        if var path = components?.percentEncodedPath {
            while path.hasSuffix("/") { path.removeLast() }
            components?.percentEncodedPath = path + "/action-data"
        }
        guard let components, let url = components.url, let scheme = components.scheme?.lowercased(),
            scheme == "https" || (allowHTTP && scheme == "http"), components.host?.isEmpty == false
        else {
            throw APIError.unprocessable(
                "invalid_metadata", "metadata.base_url must be an absolute https URL",
                details: [.init(field: "metadata.base_url", message: "metadata.base_url must be an absolute https URL")])
        }
        return url
    }

    /// GETs `url` (redirects are answered as they are, never followed) and parses the body as a JSON object.
    static func fetchObject(
        _ url: URL, bearer: String?, maximumDepth: Int, using http: any AdapterHTTPClient
    ) async throws(APIError) -> JSONObject {
        var headers = [("Accept", "application/json"), ("User-Agent", "meshes/\(MeshesAPI.version)")]
        if let bearer { headers.append(("Authorization", "Bearer \(bearer)")) }
        let body: [UInt8]
        switch await http.get(url.absoluteString, headers: headers, timeoutSeconds: timeout, maximumBytes: maximumBytes) {
        case .timedOut: throw unreachable("did not answer within \(Int(timeout)) s")
        case .unreachable: throw unreachable("cannot be reached")
        case .tooLarge: throw invalidResponse("is larger than \(maximumBytes / (1024 * 1024)) MiB")
        case .answered(let status, let bytes):
            guard (200..<300).contains(status) else { throw unreachable("answered HTTP \(status)") }
            body = bytes
        }
        guard let value = try? JSONParser.parse(bytes: body, maxDepth: maximumDepth), let object = value.objectValue else {
            throw invalidResponse("is not a JSON object")
        }
        return object
    }

    private static func unreachable(_ reason: String) -> APIError {
        APIError.conflict("unavailable", "The connection's adapter \(reason)")
    }

    private static func invalidResponse(_ reason: String) -> APIError {
        APIError.unprocessable("invalid_request", "The connection's adapter answered action data that \(reason)")
    }

}

/// The outbound GET of the adapter routes (§6.4). The router makes no HTTP calls itself: the process supplies
/// this (MeshesDelivery's `AdapterHTTP`, on the same HTTP client library as delivery).
public protocol AdapterHTTPClient: Sendable {
    /// GETs `url` with `headers` within `timeoutSeconds`, without following redirects; a body over
    /// `maximumBytes` is not read whole.
    func get(_ url: String, headers: [(String, String)], timeoutSeconds: Double, maximumBytes: Int) async -> AdapterHTTPResult
}

/// What an adapter GET came to.
public enum AdapterHTTPResult: Sendable, Equatable {
    case answered(status: Int, body: [UInt8])
    case timedOut
    case unreachable
    case tooLarge
}
