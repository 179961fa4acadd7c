public import MeshesCore
public import SharedCore

/// A validated connection for the store: public metadata and secret values are already split.
public struct ConnectionDraft: Sendable {
    public var type: String
    public var name: String
    public var metadata: JSONObject
    public var secrets: [String: String]
    public var hidden: Bool
    public var active: Bool
    public var inactiveReason: String?

    public init(
        type: String, name: String, metadata: JSONObject, secrets: [String: String] = [:], hidden: Bool = false,
        active: Bool = true, inactiveReason: String? = nil
    ) {
        self.type = type
        self.name = name
        self.metadata = metadata
        self.secrets = secrets
        self.hidden = hidden
        self.active = active
        self.inactiveReason = inactiveReason
    }
}

/// A validated rule for the store.
public struct RuleDraft: Sendable {
    public var workspaceID: String
    public var connectionID: String
    public var event: String
    public var resource: String?
    public var resourceID: String?
    public var metadata: JSONObject
    public var active: Bool
    public var hidden: Bool

    public init(
        workspaceID: String, connectionID: String, event: String, resource: String? = nil, resourceID: String? = nil,
        metadata: JSONObject, active: Bool = true, hidden: Bool = false
    ) {
        self.workspaceID = workspaceID
        self.connectionID = connectionID
        self.event = event
        self.resource = resource
        self.resourceID = resourceID
        self.metadata = metadata
        self.active = active
        self.hidden = hidden
    }
}

/// Filters of the rule lists.
public struct RuleFilter: Sendable, Equatable {
    public var event: String?
    public var resource: String?
    public var resourceID: String?

    public init(event: String? = nil, resource: String? = nil, resourceID: String? = nil) {
        self.event = event
        self.resource = resource
        self.resourceID = resourceID
    }
}

/// Filters of the event lists.
public struct EventFilter: Sendable, Equatable {
    public var event: String?
    public var status: DeliveryStatus?
    public var resource: String?
    public var resourceID: String?

    public init(event: String? = nil, status: DeliveryStatus? = nil, resource: String? = nil, resourceID: String? = nil) {
        self.event = event
        self.status = status
        self.resource = resource
        self.resourceID = resourceID
    }
}

/// One item of a bulk ingest.
public struct IngestJob: Sendable {
    public var workspaceID: String
    public var record: IngestRecord
    public var createdBy: String

    public init(workspaceID: String, record: IngestRecord, createdBy: String) {
        self.workspaceID = workspaceID
        self.record = record
        self.createdBy = createdBy
    }

    /// The never-retracted facts this item relies on (see `IngestCache`).
    func facts(orgID: String) -> [String] {
        [
            IngestCache.workspaceKey(org: orgID, workspace: workspaceID),
            IngestCache.catalogKey(workspace: workspaceID, kind: .eventType, key: record.event),
            IngestCache.catalogKey(workspace: workspaceID, kind: .resource, key: record.resource),
        ]
    }
}

/// What an `Idempotency-Key` lookup found (§3.2).
public enum IdempotencyState: Sendable, Equatable {
    /// No entry: this request owns the key now and must complete or abandon it.
    case claimed
    /// A finished response to replay.
    case replay(status: Int, body: String)
    /// The key was used with another body.
    case mismatch
    /// Another request with this key is still running.
    case inProgress
}

/// The storage interface of the engine. The embedded implementation is `SQLiteStore`; the operations are
/// domain-level (no SQL leaks through), so a PostgreSQL store for multi-node deployments can implement
/// them with row locks (`FOR UPDATE SKIP LOCKED` for delivery leases) later.
public protocol MeshesStore: MappingStore, SessionStore, DeliveryStore {
    /// The org the embedded mode acts as.
    var defaultOrg: Org { get }

    func org(id: String) async throws -> Org?
    func createMachineKey(orgID: String, accessKey: String, secret: String) async throws -> MachineKey
    func machineKeys() async throws -> [MachineKey]
    func machineKeySecret(_ accessKey: String) async throws -> (key: MachineKey, secret: String)?
    func revokeMachineKey(_ accessKey: String) async throws -> Bool
    func touchMachineKey(_ accessKey: String) async throws
    func sealedSetting(_ key: String, make: @escaping @Sendable () -> [UInt8]) async throws -> [UInt8]
    /// Releases what the store holds (a PostgreSQL pool's connections); later calls fail. Call it once, at the end.
    func close() async
    /// Takes `count` tokens from the bucket `key` (refilled at `rate` per second up to `burst`, full when new),
    /// kept in the database so that every process and node sharing it draws from one bucket; returns the seconds
    /// to wait when there are not enough (nothing is taken). `now` is seconds since 1970.
    func takeTokens(_ key: String, count: Double, rate: Double, burst: Double, now: Double) async throws -> Int?

    func listWorkspaces(orgID: String, page: PageRequest) async throws -> Page<Workspace>
    func createWorkspace(orgID: String, name: String, description: String?) async throws -> Workspace
    func workspace(orgID: String, id: String) async throws -> Workspace?
    func workspace(publishableKey: String) async throws -> Workspace?
    func updateWorkspace(orgID: String, id: String, name: String, description: String?) async throws -> Workspace

    func listConnections(orgID: String, workspaceID: String?, page: PageRequest) async throws -> Page<Connection>
    func createConnection(orgID: String, workspaceID: String, input: ConnectionDraft, createdBy: String) async throws -> Connection
    func connection(orgID: String, id: String) async throws -> Connection?
    func connectionSecrets(_ connection: Connection) async throws -> [String: String]
    func updateConnection(orgID: String, id: String, input: ConnectionDraft) async throws -> Connection
    func deleteConnection(orgID: String, id: String, force: Bool) async throws -> Connection

    func listRules(orgID: String, workspaceID: String?, filter: RuleFilter, page: PageRequest) async throws -> Page<Rule>
    func createRule(orgID: String, input: RuleDraft, createdBy: String) async throws -> Rule
    func rule(orgID: String, id: String) async throws -> Rule?
    func deleteRule(orgID: String, id: String) async throws -> Rule

    func ingest(orgID: String, workspaceID: String, record: IngestRecord, createdBy: String) async throws -> Event
    /// Bulk ingest: each item is stored atomically on its own (a failing item never blocks the others) and
    /// the results come back in input order.
    func ingestMany(orgID: String, items: [IngestJob]) async throws -> [Result<Event, APIError>]
    func event(orgID: String, id: String, includePayload: Bool) async throws -> Event?
    func listEvents(orgID: String, workspaceID: String?, filter: EventFilter, page: PageRequest) async throws -> Page<Event>
    /// `event(...)` as the JSON the API answers (the full form; the payload when asked for). A store that can write
    /// it straight from its rows does; the default writes the `Event`.
    func renderedEvent(orgID: String, id: String, includePayload: Bool) async throws -> RenderedEvent?
    /// `listEvents(...)` as the page JSON the API answers (same bytes as writing the `Page<Event>`).
    func renderedEvents(orgID: String, workspaceID: String?, filter: EventFilter, page: PageRequest) async throws -> [UInt8]
    func cancelEvent(orgID: String, id: String) async throws -> Event
    func ruleEvent(orgID: String, eventID: String, ruleID: String) async throws -> RuleEvent?
    func cancelRuleEvent(orgID: String, eventID: String, ruleID: String) async throws -> RuleEvent

    func attempts(orgID: String, eventID: String, ruleID: String, page: PageRequest) async throws -> Page<Attempt>
    func attempt(orgID: String, eventID: String, ruleID: String, id: String) async throws -> Attempt?

    func catalog(workspaceID: String, kind: CatalogKind) async throws -> [CatalogItem]

    func idempotencyBegin(orgID: String, key: String, path: String, bodyHash: String) async throws -> IdempotencyState
    func idempotencyComplete(orgID: String, key: String, path: String, status: Int, body: String) async throws
    func idempotencyAbandon(orgID: String, key: String, path: String) async throws
}

extension MeshesStore {
    public func renderedEvent(orgID: String, id: String, includePayload: Bool) async throws -> RenderedEvent? {
        guard let event = try await event(orgID: orgID, id: id, includePayload: includePayload) else { return nil }
        var writer = JSONWriter(capacity: 1024)
        event.write(to: &writer, includePayload: includePayload)
        return RenderedEvent(json: writer.bytes, workspaceID: event.workspaceID, resource: event.resource, resourceID: event.resourceID)
    }

    public func renderedEvents(orgID: String, workspaceID: String?, filter: EventFilter, page: PageRequest) async throws -> [UInt8] {
        let events = try await listEvents(orgID: orgID, workspaceID: workspaceID, filter: filter, page: page)
        var writer = JSONWriter(capacity: 1024)
        events.write(to: &writer) { $0.write(to: &$1) }
        return writer.bytes
    }
}

/// An event's JSON form, with what a session grant is checked against (§4.3).
public struct RenderedEvent: Sendable {
    public var json: [UInt8]
    public var workspaceID: String
    public var resource: String
    public var resourceID: String?

    public init(json: [UInt8], workspaceID: String, resource: String, resourceID: String?) {
        self.json = json
        self.workspaceID = workspaceID
        self.resource = resource
        self.resourceID = resourceID
    }
}

/// The two auto-registered catalogues of a workspace (§2.9).
public enum CatalogKind: String, Sendable {
    case eventType = "event_type"
    case resource
}
