import Foundation
import MeshesEngine
import MeshesPostgres
import SharedCore
import TestSupport
import Testing

/// The `meshes migrate` binary: a JSON summary, a copy killed with SIGKILL that completes when started again,
/// refusals with their exit codes and messages, and no password in anything it prints.
@Suite struct MigrateCommandTests {
    typealias Outcome = ChildOutcome

    /// Runs `meshes arguments…` with exactly `environment`, in the temp folder.
    static func run(_ arguments: [String], environment: [String: String]) async throws -> Outcome {
        try await runChild(
            StoreOpenerTests.binary, arguments, in: FileManager.default.temporaryDirectory.path, environment: environment)
    }

    static let environment = ["MESHES_MASTER_KEY": StoreMigrationTests.targetKey]

    @Test func aCopyKilledWithSigkillCompletesWhenStartedAgain() async throws {
        let source = try await MigrationSource.make(events: 300)
        let cluster = try PostgresCluster.shared()
        let url = try await offPool { try cluster.createDatabase() }
        let database = try PostgresLocation(url: url).database
        let arguments = ["migrate", "--from", source.path, "--to", url, "--batch-size", "50", "--json"]
        var faulty = Self.environment
        faulty["MESHES_MIGRATE_FAULT"] = "kill-after-batches:9"
        let killed = try await Self.run(arguments, environment: faulty)
        #expect(killed.signalled)
        #expect(killed.status == 9)
        #expect(killed.stdout == "")
        #expect(try await offPool { try cluster.psql("SELECT COUNT(*) FROM events", database: database) } == "150")

        let finished = try await Self.run(arguments, environment: Self.environment)
        #expect(finished.status == 0, "\(finished.stderr)")
        #expect(finished.stderr == "")
        let counts = try await source.counts()
        let total = counts.values.reduce(0, +)
        var tables = JSONObject()
        for table in StoreTable.all { tables[table.name] = .int(counts[table.name] ?? -1) }
        let summary = try JSONParser.parse(finished.stdout)
        #expect(summary["tables"] == .object(tables))
        #expect(summary["verified"] == true)
        #expect(summary["resumed"] == true)
        #expect(summary["emptied_target"] == false)
        #expect(summary["rows"]?.intValue == total)
        #expect(summary["copied_this_run"]?.intValue == total - (1 + 1 + 2 + 2 + 3 + 2 + 150))
        #expect(summary["source"]?.stringValue == source.path)
        #expect(summary["target"]?.stringValue == "postgres://meshes@127.0.0.1:\(cluster.port)/\(database)?sslmode=disable")
        #expect(try await offPool { try cluster.psql("SELECT COUNT(*) - COUNT(DISTINCT id) FROM events", database: database) } == "0")
        #expect(try await offPool { try cluster.psql("SELECT COUNT(*) FROM events", database: database) } == "300")
    }

    @Test func aNonEmptyTargetExitsTwoAndForceEmptiesItSayingSo() async throws {
        let first = try await MigrationSource.make(events: 10)
        let second = try await MigrationSource.make(events: 12)
        let cluster = try PostgresCluster.shared()
        let url = try await offPool { try cluster.createDatabase() }
        let database = try PostgresLocation(url: url).database
        let copied = try await Self.run(["migrate", "--from", first.path, "--to", url], environment: Self.environment)
        #expect(copied.status == 0, "\(copied.stderr)")
        #expect(
            copied.stdout.hasPrefix("copied \(first.path) to postgres://meshes@127.0.0.1:\(cluster.port)/\(database)?sslmode=disable\n"))
        #expect(copied.stdout.contains("\n  events" + String(repeating: " ", count: 12) + "10\n"))
        #expect(copied.stdout.contains("\nverified     every table holds as many rows as the source\n"))

        let held = StoreMigrationTests.describe(try await first.counts())
        let refused = try await Self.run(["migrate", "--from", second.path, "--to", url], environment: Self.environment)
        #expect(refused.status == 2)
        #expect(refused.stdout == "")
        #expect(
            refused.stderr
                == "error: MIGRATION_TARGET_NOT_EMPTY: PostgreSQL at 127.0.0.1:\(cluster.port)/\(database) already holds meshes data from a "
                + "copy of another store (\(held)); nothing was written. Pass --force to empty its meshes tables and copy again\n")

        let forced = try await Self.run(
            ["migrate", "--from", second.path, "--to", url, "--force", "--json"], environment: Self.environment)
        #expect(forced.status == 0, "\(forced.stderr)")
        #expect(
            forced.stderr
                == "note: --force: emptying the meshes tables of PostgreSQL at 127.0.0.1:\(cluster.port)/\(database) (\(held)) before copying\n"
        )
        #expect(try JSONParser.parse(forced.stdout)["tables"]?["events"]?.intValue == 12)
        #expect(try JSONParser.parse(forced.stdout)["emptied_target"] == true)
    }

    @Test func badTargetsExitTwoWithStableCodesAndNoPassword() async throws {
        let source = try await MigrationSource.make(events: 1)
        let cluster = try PostgresCluster.shared()
        let notURL = try await Self.run(
            ["migrate", "--from", source.path, "--to", "mysql://root:Hunter2@db/meshes"], environment: Self.environment)
        #expect(notURL.status == 2)
        #expect(
            notURL.stderr == "error: DATABASE_URL_INVALID: --to must be a PostgreSQL URL: postgres://USER:PASSWORD@HOST:PORT/DATABASE\n")
        let wrong = try await Self.run(
            ["migrate", "--from", source.path, "--to", cluster.url(database: "postgres", password: "WrongHunter2")],
            environment: Self.environment)
        #expect(wrong.status == 2)
        #expect(
            wrong.stderr
                == "error: DATABASE_AUTH_FAILED: PostgreSQL at 127.0.0.1:\(cluster.port)/postgres refused user 'meshes': "
                + "check the user name and password\n")
        for outcome in [notURL, wrong] {
            #expect(!(outcome.stdout + outcome.stderr).contains("Hunter2"))
            #expect(!(outcome.stdout + outcome.stderr).contains(cluster.password))
        }
        let noKey = try await Self.run(["migrate", "--from", source.path, "--to", cluster.url(database: "postgres")], environment: [:])
        #expect(noKey.status == 2)
        #expect(
            noKey.stderr
                == "error: VALIDATION_FAILED: a PostgreSQL store needs MESHES_MASTER_KEY (the same 32-byte base64url key on every node)\n")
        #expect(!noKey.stderr.contains(cluster.password))
    }

    @Test func helpNamesTheFlags() async throws {
        let help = try await Self.run(["migrate", "--help"], environment: [:])
        #expect(help.status == 0)
        for flag in [
            "--from <from>", "--to <to>", "--force", "--batch-size <batch-size>", "--json", "--no-progress", "MESHES_SOURCE_MASTER_KEY",
        ] {
            #expect(help.stdout.contains(flag), "\(flag)")
        }
    }
}
