import Foundation
import SharedCore

/// A private PostgreSQL server for tests: `initdb` into a temp folder, a `meshes` superuser with a password
/// (scram-sha-256), listening on a free 127.0.0.1 port with `fsync=off`. One cluster serves the whole test process
/// (`shared`), each test takes its own database, and the server is stopped (`-m immediate`) and its folder removed
/// when the process exits. Without PostgreSQL installed, `shared()` throws a clear error: the tests fail, they are
/// never skipped.
public final class PostgresCluster: Sendable {
    /// The role the tests connect as.
    public static let user = "meshes"

    public let folder: String
    public let port: Int
    public let password: String
    let binaries: String
    let asPostgresUser: Bool

    private init(folder: String, port: Int, password: String, binaries: String, asPostgresUser: Bool) {
        self.folder = folder
        self.port = port
        self.password = password
        self.binaries = binaries
        self.asPostgresUser = asPostgresUser
    }

    /// The cluster of this test process, started on first use.
    public static func shared() throws -> PostgresCluster {
        try started.get()
    }

    private static let started: Result<PostgresCluster, ClusterError> = {
        let result = Result { try PostgresCluster.start() }.mapError { ($0 as? ClusterError) ?? ClusterError("\($0)") }
        if case .success = result { atexit { PostgresCluster.stopShared() } }
        return result
    }()

    private static func stopShared() {
        if case .success(let cluster) = started { cluster.stop() }
    }

    /// A URL of a fresh, empty database on this cluster.
    public func createDatabase() throws -> String {
        let name = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try psql("CREATE DATABASE \(name)")
        return url(database: name)
    }

    /// The URL of `database` with the given password (default: the right one).
    public func url(database: String, password: String? = nil, port: Int? = nil) -> String {
        "postgres://\(PostgresCluster.user):\(password ?? self.password)@127.0.0.1:\(port ?? self.port)/\(database)?sslmode=disable"
    }

    /// Runs one SQL command as the `meshes` role on the `postgres` database, or `database`; returns its output
    /// (unaligned, tuples only).
    @discardableResult
    public func psql(_ sql: String, database: String = "postgres") throws -> String {
        let result = try PostgresCluster.run(
            binaries + "/psql",
            [
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p", String(port), "-U", PostgresCluster.user, "-d",
                database,
                "-c", sql,
            ],
            environment: ["PGPASSWORD": password])
        guard result.status == 0 else { throw ClusterError("psql failed: \(result.output)") }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    // MARK: - Start and stop

    static func start() throws -> PostgresCluster {
        guard let binaries = findBinaries() else {
            throw ClusterError(
                "PostgreSQL is not installed (no initdb in /usr/lib/postgresql/*/bin or on PATH): run Scripts/bootstrap, "
                    + "or apt-get install postgresql")
        }
        let asPostgresUser = getuid() == 0
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meshes-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let password = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let passwordFile = folder + "/password"
        try Data(password.utf8).write(to: URL(fileURLWithPath: passwordFile))
        if asPostgresUser {
            // initdb refuses root: the folder and everything in it belong to Debian's `postgres` user.
            let owned = try run("/bin/chown", ["-R", "postgres:", folder])
            guard owned.status == 0 else {
                throw ClusterError("cannot hand \(folder) to the postgres user (is the postgresql package installed?): \(owned.output)")
            }
        }
        let data = folder + "/data"
        let initdb = try run(
            binaries + "/initdb",
            ["-D", data, "-U", user, "--pwfile=" + passwordFile, "--auth=scram-sha-256", "-E", "UTF8", "--no-locale", "--no-sync"],
            asPostgresUser: asPostgresUser)
        guard initdb.status == 0 else { throw ClusterError("initdb failed: \(initdb.output)") }
        var lastFailure = ""
        for _ in 0..<5 {
            let port = try freePort()
            let options =
                "-c listen_addresses=127.0.0.1 -c port=\(port) -c unix_socket_directories='\(folder)' -c fsync=off "
                + "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
            let started = try run(
                binaries + "/pg_ctl", ["-D", data, "-l", folder + "/server.log", "-o", options, "-w", "-t", "60", "start"],
                asPostgresUser: asPostgresUser)
            if started.status == 0 {
                return PostgresCluster(folder: folder, port: port, password: password, binaries: binaries, asPostgresUser: asPostgresUser)
            }
            lastFailure = started.output + ((try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? "")
        }
        try? FileManager.default.removeItem(atPath: folder)
        throw ClusterError("the PostgreSQL server did not start: \(lastFailure)")
    }

    /// Stops the server at once (nothing in it is worth a clean shutdown) and removes its folder.
    public func stop() {
        _ = try? PostgresCluster.run(
            binaries + "/pg_ctl", ["-D", folder + "/data", "-m", "immediate", "-w", "stop"], asPostgresUser: asPostgresUser)
        try? FileManager.default.removeItem(atPath: folder)
    }

    /// The newest `/usr/lib/postgresql/<version>/bin`, else the folder of `initdb` on PATH.
    static func findBinaries() -> String? {
        let root = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).compactMap { Int($0) }.sorted()
        for version in versions.reversed() where FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/initdb") {
            return "\(root)/\(version)/bin"
        }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = String(folder)
            if FileManager.default.isExecutableFile(atPath: candidate + "/initdb"),
                FileManager.default.isExecutableFile(atPath: candidate + "/pg_ctl")
            {
                return candidate
            }
        }
        return nil
    }

    /// A TCP port on 127.0.0.1 nobody listens on now (the kernel's pick for port 0).
    public static func freePort() throws -> Int {
        let result = try run(
            "/usr/bin/env",
            ["python3", "-c", "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1]); s.close()"])
        guard result.status == 0, let port = Int(result.output.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw ClusterError("cannot find a free port: \(result.output)")
        }
        return port
    }

    /// Runs a program (through `runuser -u postgres` when asked), returning its status and combined output.
    ///
    /// Spawned and awaited directly (`posix_spawn`, `waitpid`) rather than with `Process`, which can miss the exit of
    /// a `runuser` whose grandchild (the server `pg_ctl start` leaves running) lives on. Output goes to a file, never a
    /// pipe, for the same reason.
    static func run(_ program: String, _ arguments: [String], environment: [String: String] = [:], asPostgresUser: Bool = false) throws
        -> (status: Int32, output: String)
    {
        let executable = asPostgresUser ? "/usr/sbin/runuser" : program
        let argv = asPostgresUser ? ["runuser", "-u", "postgres", "--", program] + arguments : [program] + arguments
        let env = ProcessInfo.processInfo.environment.merging(environment) { $1 }.map { "\($0.key)=\($0.value)" }
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent("meshes-pg-run-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else of this process reaches the child: `pg_ctl start` leaves a server running for the whole test
        // process, and a pipe another test had open at that moment (Foundation's are not close-on-exec) would stay
        // open in it for good, so that test's read to end of file would never end.
        // (glibc 2.34's posix_spawn_file_actions_addclosefrom_np, which Swift's Glibc module does not show.)
        if let closeFrom = closeFromAction { _ = closeFrom(&actions, 3) }
        let cArguments = argv.map { strdup($0) } + [nil]
        let cEnvironment = env.map { strdup($0) } + [nil]
        defer { for pointer in cArguments + cEnvironment { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, cArguments, cEnvironment)
        guard spawned == 0 else { throw ClusterError("cannot start \(executable): error \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            guard errno == EINTR else { throw ClusterError("cannot wait for \(executable): errno \(errno)") }
        }
        // WEXITSTATUS; a signal death reads as 128 + the signal.
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let data = FileManager.default.contents(atPath: outputPath) ?? Data()
        return (exit, String(decoding: data, as: UTF8.self))
    }
}

/// `posix_spawn_file_actions_addclosefrom_np`, looked up at run time.
private let closeFromAction: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32)? = {
    guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "posix_spawn_file_actions_addclosefrom_np") else { return nil }
    return unsafeBitCast(symbol, to: (@convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32).self)
}()

/// Why the test cluster is not available.
public struct ClusterError: Error, Sendable, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
