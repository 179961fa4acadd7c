internal import ArgumentParser
internal import Foundation
internal import MeshesClient
internal import MeshesCore
internal import MeshesDelivery
internal import MeshesEngine
internal import MeshesServer
internal import MeshesStores
internal import SharedCore

/// The `meshes` command line: argument parsing and printing only.
@main
struct MeshesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshes",
        abstract: "Outbound event engine: store events once, fan them out to rules, keep the delivery history.",
        version: MeshesAPI.version,
        subcommands: [
            ServeCommand.self, MCPCommand.self, EmitCommand.self, BackfillCommand.self, DeliverCommand.self, KeysCommand.self,
            WorkspacesCommand.self, ConnectionsCommand.self, IntegrationsCommand.self, RulesCommand.self, EventsCommand.self,
            SessionsCommand.self, MigrateCommand.self,
        ]
    )
}

/// `--db` shared by the verbs that open the store.
struct StoreOptions: ParsableArguments {
    @Option(help: "Store: a SQLite file or a postgres:// URL (default: $MESHES_DB, else .meshes/meshes.db).")
    var db: String?
    @Option(help: "PostgreSQL connections of this process (default: $MESHES_DB_POOL, else 16).")
    var dbPool: Int?

    /// The store `--db` / `MESHES_DB` names: a `postgres://` URL or a SQLite file (with `cacheMiB` of page cache).
    /// Failures print and exit 2.
    func open(cacheMiB: Int = SQLiteStore.defaultCacheMiB) async throws -> any MeshesStore {
        let environment = ProcessEnvironment.current
        do {
            return try await StoreOpener.open(flag: db, environment: environment, cacheMiB: cacheMiB, poolFlag: dbPool)
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        } catch let error as ToolError {
            FileHandle.standardError.write(Data("error: \(error.code): \(error.message)\n".utf8))
            throw ExitCode(2)
        }
    }
}

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Run the REST API v1 server.")

    @Option(help: "Bind address (default: $MESHES_HOST, else 127.0.0.1).")
    var host: String?
    @Option(help: "TCP port (default: $MESHES_PORT, else 8787).")
    var port: Int?
    @Option(help: "Base URL for launch_url (default: http://<host>:<port>).")
    var publicURL: String?
    @Option(help: "Events per second per org (token bucket, burst = 2x).")
    var ingestRate: Double?
    @OptionGroup var delivery: DeliveryOptions
    @Flag(help: "Do not deliver in this process (another process sharing the store delivers).")
    var noDelivery = false
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let environment = ProcessEnvironment.current
        let host = host ?? environment["MESHES_HOST"] ?? "127.0.0.1"
        let port = port ?? environment["MESHES_PORT"].flatMap { Int($0) } ?? 8787
        var options = MeshesAPI.Options()
        let egress = delivery.egress(environment)
        options.allowHTTP = egress.allowHTTP
        options.ingestRate = ingestRate ?? environment["MESHES_INGEST_RATE"].flatMap { Double($0) }
        options.publicURL = publicURL ?? environment["MESHES_PUBLIC_URL"] ?? "http://\(host):\(port)"
        let opened = try await store.open()
        let engine = noDelivery ? nil : DeliveryEngine(store: opened, egress: egress, workers: delivery.workers)
        options.delivery = engine?.scheduler
        let adapterHTTP = AdapterHTTP()
        options.adapterHTTP = adapterHTTP
        let api = MeshesAPI(store: opened, options: options)
        await engine?.start()
        do {
            try await MeshesServer.run(api: api, host: host, port: port, maximumBodyBytes: options.maximumBodyBytes) { bound in
                FileHandle.standardError.write(Data("meshes: listening on http://\(host):\(bound)\n".utf8))
            }
        } catch {
            await engine?.stop()
            await adapterHTTP.shutdown()
            await opened.close()
            throw error
        }
        // SIGTERM/SIGINT: the server has stopped accepting; attempts in flight finish and are recorded.
        await engine?.stop()
        await adapterHTTP.shutdown()
        await opened.close()
        if RequestTimings.enabled { FileHandle.standardError.write(Data(RequestTimings.shared.report().utf8)) }
    }
}

/// Delivery flags shared by `serve`, `emit` and `deliver`.
struct DeliveryOptions: ParsableArguments {
    @Option(help: "Attempts in flight at once.")
    var workers: Int = 32
    @Flag(help: "Permit http:// destination URLs (also $MESHES_ALLOW_HTTP=1).")
    var allowHTTP = false
    @Flag(help: "Permit destinations on loopback, private, link-local, CGNAT and unique-local addresses.")
    var allowPrivateEgress = false

    func egress(_ environment: [String: String]) -> EgressOptions {
        EgressOptions(
            allowHTTP: allowHTTP || environment["MESHES_ALLOW_HTTP"] == "1",
            allowPrivate: allowPrivateEgress || environment["MESHES_ALLOW_PRIVATE_EGRESS"] == "1")
    }
}

struct DeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver", abstract: "Deliver due events from the store (no HTTP API) until SIGINT/SIGTERM, or until idle.")

    @OptionGroup var delivery: DeliveryOptions
    @Flag(help: "Exit once nothing is running and nothing is due.")
    var untilIdle = false
    @Option(help: "With --until-idle: the longest wait, in seconds.")
    var timeout: Double = 300
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let engine = DeliveryEngine(
            store: try await store.open(), egress: delivery.egress(ProcessEnvironment.current), workers: delivery.workers)
        if untilIdle {
            await engine.start()
            try await engine.drain(timeout: timeout)
            await engine.stop()
        } else {
            await engine.runUntilSignalled()
        }
    }
}

struct KeysCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keys", abstract: "Create, list and revoke machine keys.",
        subcommands: [KeysCreate.self, KeysList.self, KeysRevoke.self])
}

struct KeysCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a machine key (the secret is shown once).")

    @Option(help: "Organization id (default: the store's org).")
    var org: String?
    @Flag(help: "Print {access_key, secret_key, org_id} as JSON.")
    var json = false
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let created = try await MeshesEngine.createMachineKey(store: try await store.open(), orgID: org)
        if json {
            print(
                JSONEmitter.pretty([
                    "access_key": .string(created.accessKey), "secret_key": .string(created.secret), "org_id": .string(created.orgID),
                ]))
        } else {
            print("MESHES_ACCESS_KEY=\(created.accessKey)\nMESHES_SECRET_KEY=\(created.secret)\nMESHES_ORG_ID=\(created.orgID)")
        }
        FileHandle.standardError.write(Data("note: the secret key is shown only once\n".utf8))
    }
}

struct KeysList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List machine keys (never secrets).")

    @OptionGroup var store: StoreOptions

    func run() async throws {
        for key in try await store.open().machineKeys() {
            let fields = [
                key.accessKey, Formats.timestamp(milliseconds: key.createdAt),
                key.lastUsedAt.map { Formats.timestamp(milliseconds: $0) } ?? "-",
                key.revokedAt.map { Formats.timestamp(milliseconds: $0) } ?? "-",
            ]
            print(fields.joined(separator: "\t"))
        }
    }
}

struct KeysRevoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revoke", abstract: "Revoke a machine key.")

    @Argument(help: "The access key (mk_…).")
    var accessKey: String
    @OptionGroup var store: StoreOptions

    func run() async throws {
        guard try await store.open().revokeMachineKey(accessKey) else {
            FileHandle.standardError.write(Data("error: no active key \(accessKey)\n".utf8))
            throw ExitCode(1)
        }
        print("revoked \(accessKey)")
    }
}

struct EmitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emit",
        abstract:
            "Emit one event into a workspace: the local store, or the remote API when MESHES_ACCESS_KEY, MESHES_SECRET_KEY and MESHES_ORG_ID are set."
    )

    @Option(help: "Workspace id.")
    var workspace: String?
    @Argument(help: "Event name, e.g. user.signup.")
    var event: String?
    @Option(help: "Payload JSON object.")
    var payload: String?
    @Option(help: "Read the payload from a file.")
    var payloadFile: String?
    @Option(help: "Resource (default: global).")
    var resource: String?
    @Option(help: "Resource id.")
    var resourceID: String?
    @OptionGroup var delivery: DeliveryOptions
    @Option(help: "Seconds to wait for the first attempts of the event's deliveries (0: store only; $MESHES_DELIVERY=off also).")
    var wait: Double = 60
    @OptionGroup var store: StoreOptions
    @Option(help: "Send a JSONL file instead, as `meshes backfill FILE` does (with the backfill flags below).")
    var bulk: String?
    @OptionGroup(title: "Backfill (with --bulk)") var bulkFlags: BackfillFlags

    func run() async throws {
        if let bulk { return try await BackfillCommand.backfill(file: bulk, workspace: workspace, flags: bulkFlags, store: store) }
        guard let workspace, let event else { throw ValidationError("emit needs --workspace and an event name (or --bulk FILE)") }
        var text = payload ?? "{}"
        if let payloadFile { text = try String(contentsOfFile: payloadFile, encoding: .utf8) }
        guard let payloadValue = try? JSONParser.parse(bytes: Array(text.utf8)) else {
            FileHandle.standardError.write(Data("error: --payload is not valid JSON\n".utf8))
            throw ExitCode(2)
        }
        let environment = ProcessEnvironment.current
        let request = ClientRequest.emit(
            workspace: workspace, event: event, payload: payloadValue, resource: resource, resourceID: resourceID)
        let selection = ClientSelection.from(environment: environment)
        if let problem = selection.problem {
            FileHandle.standardError.write(Data("error: \(problem)\n".utf8))
            throw ExitCode(2)
        }
        if case .remote(let configuration) = selection {
            // Remote: the server stores and delivers.
            let client = RemoteClient(configuration)
            let response: ClientResponse
            do {
                response = try await client.send(request)
            } catch {
                await client.close()
                FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
                throw ExitCode(2)
            }
            await client.close()
            print(JSONEmitter.pretty(response.json ?? .null))
            if response.status >= 400 { FileHandle.standardError.write(Data("error: \(response.errorDescription)\n".utf8)) }
            if response.status >= 500 { throw ExitCode(2) }
            if response.status >= 400 { throw ExitCode(1) }
            return
        }
        let opened = try await store.open()
        let response = try await EmbeddedClient(api: MeshesAPI(store: opened), orgID: opened.defaultOrg.id).send(request)
        var value = response.json ?? .null
        // Embedded: this process delivers the event's first attempts before it exits (retries are left to the
        // next process that delivers: `meshes serve` or `meshes deliver`).
        if response.status == 201, wait > 0, !DeliveryEngine.isTurnedOff(environment),
            let id = value["event"]?["id"]?.stringValue, !(value["event"]?["rule_events"]?.arrayValue ?? []).isEmpty
        {
            let engine = DeliveryEngine(store: opened, egress: delivery.egress(environment), workers: delivery.workers)
            await engine.start()
            let settled = try await engine.settle(orgID: opened.defaultOrg.id, eventID: id, timeout: wait)
            await engine.stop()
            if let settled { value = ["event": settled.json()] }
        }
        print(JSONEmitter.pretty(value))
        if response.status >= 500 { throw ExitCode(2) }
        if response.status >= 400 { throw ExitCode(1) }
    }
}

struct EventsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Emit, list and inspect events and their deliveries; retry a delivery.",
        subcommands: [
            EventsList.self, EventsGet.self, EventsPayload.self, EventsShow.self, EventsEmit.self, EventsEmitBulk.self, EventsRetry.self,
        ])
}

struct EventsShow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show", abstract: "Print an event, its rule events and every attempt of each.")

    @Argument(help: "Event id.")
    var id: String
    @Flag(help: "Print JSON: the event with rule_events[].attempts.")
    var json = false
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let opened = try await store.open()
        guard let history = try await MeshesEngine.eventHistory(store: opened, orgID: opened.defaultOrg.id, id: id) else {
            FileHandle.standardError.write(Data("error: not_found: no event \(id)\n".utf8))
            throw ExitCode(1)
        }
        print(json ? JSONEmitter.pretty(history.json) : history.text)
    }
}
