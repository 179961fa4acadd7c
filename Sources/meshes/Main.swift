internal import ArgumentParser
internal import Foundation
internal import MeshesCore
internal import MeshesEngine
internal import MeshesServer
internal import SharedCore

/// The `meshes` command line: argument parsing and printing only.
@main
struct MeshesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "meshes",
        abstract: "Outbound event engine: store events once, fan them out to rules, keep the delivery history.",
        version: MeshesAPI.version,
        subcommands: [ServeCommand.self, KeysCommand.self, EmitCommand.self]
    )
}

/// `--db` shared by the verbs that open the store.
struct StoreOptions: ParsableArguments {
    @Option(help: "Store file (default: $MESHES_DB, else .meshes/meshes.db).")
    var db: String?

    func open() throws -> SQLiteStore {
        let environment = ProcessEnvironment.current
        let path = MeshesEngine.databasePath(flag: db, environment: environment)
        do {
            return try MeshesEngine.openStore(path: path, environment: environment)
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
    @Flag(help: "Permit http:// destination URLs.")
    var allowHTTP = false
    @OptionGroup var store: StoreOptions

    func run() async throws {
        let environment = ProcessEnvironment.current
        let host = host ?? environment["MESHES_HOST"] ?? "127.0.0.1"
        let port = port ?? environment["MESHES_PORT"].flatMap { Int($0) } ?? 8787
        var options = MeshesAPI.Options()
        options.allowHTTP = allowHTTP || environment["MESHES_ALLOW_HTTP"] == "1"
        options.ingestRate = ingestRate ?? environment["MESHES_INGEST_RATE"].flatMap { Double($0) }
        options.publicURL = publicURL ?? environment["MESHES_PUBLIC_URL"] ?? "http://\(host):\(port)"
        let api = MeshesAPI(store: try store.open(), options: options)
        try await MeshesServer.run(api: api, host: host, port: port, maximumBodyBytes: options.maximumBodyBytes) { bound in
            FileHandle.standardError.write(Data("meshes: listening on http://\(host):\(bound)\n".utf8))
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
        let created = try await MeshesEngine.createMachineKey(store: try store.open(), orgID: org)
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
    static let configuration = CommandConfiguration(commandName: "emit", abstract: "Emit one event into a workspace (embedded store).")

    @Option(help: "Workspace id.")
    var workspace: String
    @Argument(help: "Event name, e.g. user.signup.")
    var event: String
    @Option(help: "Payload JSON object.")
    var payload: String?
    @Option(help: "Read the payload from a file.")
    var payloadFile: String?
    @Option(help: "Resource (default: global).")
    var resource: String?
    @Option(help: "Resource id.")
    var resourceID: String?
    @OptionGroup var store: StoreOptions

    func run() async throws {
        var text = payload ?? "{}"
        if let payloadFile { text = try String(contentsOfFile: payloadFile, encoding: .utf8) }
        guard let payloadValue = try? JSONParser.parse(bytes: Array(text.utf8)) else {
            FileHandle.standardError.write(Data("error: --payload is not valid JSON\n".utf8))
            throw ExitCode(2)
        }
        let response = await MeshesEngine.emit(
            store: try store.open(), workspace: workspace, event: event, payload: payloadValue, resource: resource,
            resourceID: resourceID)
        let value = response.jsonBody ?? .null
        print(JSONEmitter.pretty(value))
        if response.status >= 500 { throw ExitCode(2) }
        if response.status >= 400 { throw ExitCode(1) }
    }
}
