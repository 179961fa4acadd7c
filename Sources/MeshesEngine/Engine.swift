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
    public static func openStore(
        path: String, environment: [String: String], cacheMiB: Int = SQLiteStore.defaultCacheMiB
    ) throws -> SQLiteStore {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty && !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let key = try MasterKey.load(environment: environment, dbDirectory: folder.isEmpty ? "." : folder)
        return try SQLiteStore(path: path, sealer: Sealer(masterKey: key), cacheMiB: cacheMiB)
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
}

/// An event with every attempt of each of its deliveries: what `meshes events show` prints.
public struct EventHistory: Sendable {
    public var event: Event
    /// Rule event id → its attempts, oldest first.
    public var attempts: [String: [Attempt]]

    /// The event (with payload) whose `rule_events[]` each carry `attempts` (the list form plus response status).
    public var json: JSONValue {
        guard var object = event.json(includePayload: true).objectValue else { return .null }
        object["rule_events"] = .array(
            event.ruleEvents.map { ruleEvent in
                var entry = ruleEvent.json.objectValue ?? JSONObject()
                entry["attempts"] = .array((attempts[ruleEvent.id] ?? []).map(\.json))
                return .object(entry)
            })
        return .object(object)
    }

    /// A human summary: the event, then per rule event its status and one line per attempt.
    public var text: String {
        var lines = [
            "event \(event.id)  \(event.event)  \(event.status.rawValue)  (\(event.completedCount) completed, \(event.failedCount) failed, "
                + "\(event.canceledCount) canceled of \(event.totalRules))",
            "  created \(Formats.timestamp(milliseconds: event.createdAt))  workspace \(event.workspaceID)  resource \(event.resource)"
                + (event.resourceID.map { "/\($0)" } ?? ""),
        ]
        for ruleEvent in event.ruleEvents {
            var line =
                "  rule \(ruleEvent.ruleID)  \(ruleEvent.integrationType)  \(ruleEvent.status.rawValue)  attempts \(ruleEvent.attemptCount)"
            if let next = ruleEvent.nextAttemptAt, !ruleEvent.status.isTerminal {
                line += "  next \(Formats.timestamp(milliseconds: next))"
            }
            lines.append(line)
            if let error = ruleEvent.lastError { lines.append("    last error: \(error)") }
            for attempt in attempts[ruleEvent.id] ?? [] {
                lines.append(
                    "    #\(attempt.attemptNumber) \(attempt.trigger)  \(Formats.timestamp(milliseconds: attempt.startedAt))  "
                        + "\(attempt.outcomeCode)  \(attempt.responseStatus.map(String.init) ?? "-")  \(attempt.responseDurationMS) ms  "
                        + attempt.message)
            }
        }
        return lines.joined(separator: "\n")
    }
}

extension MeshesEngine {
    /// The event and every attempt of its deliveries, or nil when there is no such event in the org.
    public static func eventHistory(store: any MeshesStore, orgID: String, id: String) async throws -> EventHistory? {
        guard let event = try await store.event(orgID: orgID, id: id, includePayload: true) else { return nil }
        var attempts: [String: [Attempt]] = [:]
        for ruleEvent in event.ruleEvents {
            var all: [Attempt] = []
            var page = PageRequest(limit: 200)
            while true {
                let result = try await store.attempts(orgID: orgID, eventID: id, ruleID: ruleEvent.ruleID, page: page)
                all += result.records
                guard let next = result.next else { break }
                page = PageRequest(limit: 200, after: next)
            }
            attempts[ruleEvent.id] = all.sorted { ($0.attemptNumber, $0.id) < ($1.attemptNumber, $1.id) }
        }
        return EventHistory(event: event, attempts: attempts)
    }
}
