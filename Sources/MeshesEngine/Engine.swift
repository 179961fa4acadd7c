internal import Foundation
internal import MeshesCore
public import SharedCore

/// Opening the embedded store and administering machine keys: the library side of the `meshes` verbs.
public enum MeshesEngine {
    /// The default store file (§1).
    public static let defaultDatabasePath = ".meshes/meshes.db"

    /// `--db`, else `MESHES_DB`, else `./.meshes/meshes.db`.
    public static func databasePath(flag: String?, environment: [String: String]) -> String {
        if let flag, !flag.isEmpty { return flag }
        if let value = environment["MESHES_DB"], !value.isEmpty { return value }
        return defaultDatabasePath
    }

    /// Opens the store with the master key of §1 (`MESHES_MASTER_KEY` or `<db dir>/master.key`).
    public static func openStore(path: String, environment: [String: String]) throws -> SQLiteStore {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let key = try MasterKey.load(environment: environment, dbDirectory: folder.isEmpty ? "." : folder)
        return try SQLiteStore(path: path, sealer: Sealer(masterKey: key))
    }

    /// A new machine key for `orgID` (default: the store's org). The secret is returned once and sealed at rest.
    public static func createMachineKey(store: any MeshesStore, orgID: String? = nil) async throws -> (
        accessKey: String, secret: String, orgID: String
    ) {
        let org = orgID?.lowercased() ?? store.defaultOrg.id
        guard KeyFormats.isOrgID(org) else {
            throw ToolError(ErrorCode.validationFailed, "--org must be an organization UUID")
        }
        guard try await store.org(id: org) != nil else {
            throw ToolError(ErrorCode.notFound, "organization \(org) does not exist in this store")
        }
        let accessKey = KeyFormats.generateAccessKey()
        let secret = KeyFormats.generateSecret()
        _ = try await store.createMachineKey(orgID: org, accessKey: accessKey, secret: secret)
        return (accessKey, secret, org)
    }

    /// `meshes emit` in embedded mode: `POST /events` through the router as the store's default org.
    public static func emit(
        store: any MeshesStore, workspace: String, event: String, payload: JSONValue, resource: String? = nil,
        resourceID: String? = nil
    ) async -> APIResponse {
        var body = JSONObject()
        body["workspace"] = .string(workspace)
        body["event"] = .string(event)
        body["payload"] = payload
        if let resource { body["resource"] = .string(resource) }
        if let resourceID { body["resource_id"] = .string(resourceID) }
        let request = APIRequest(method: "POST", path: "/api/v1/events", body: Array(JSONEmitter.compact(.object(body)).utf8))
        return await MeshesAPI(store: store).handle(request, as: .embedded(orgID: store.defaultOrg.id))
    }
}
