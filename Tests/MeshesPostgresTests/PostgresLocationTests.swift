import MeshesPostgres
import SharedCore
import Testing

/// Parsing store URLs: every part, the defaults, and errors that never show the password.
@Suite struct PostgresLocationTests {
    @Test func parsesEveryPart() throws {
        let location = try PostgresLocation(url: "postgres://meshes:s%40cret@db.example.test:6543/meshes_prod?sslmode=require")
        #expect(
            location
                == PostgresLocation(
                    host: "db.example.test", port: 6543, username: "meshes", password: "s@cret", database: "meshes_prod", tls: .require))
        #expect(location.redacted == "postgres://meshes@db.example.test:6543/meshes_prod?sslmode=require")
    }

    @Test func defaultsPortAndTLSAndAcceptsThePostgresqlScheme() throws {
        let location = try PostgresLocation(url: "postgresql://app@localhost/meshes")
        #expect(
            location == PostgresLocation(host: "localhost", port: 5432, username: "app", password: nil, database: "meshes", tls: .prefer))
    }

    @Test func parsesIPv6Hosts() throws {
        let location = try PostgresLocation(url: "postgres://app:pw@[::1]:5433/db?sslmode=disable")
        #expect(location.host == "::1")
        #expect(location.port == 5433)
        #expect(location.tls == .disable)
        #expect(location.redacted == "postgres://app@[::1]:5433/db?sslmode=disable")
    }

    @Test func recognisesURLsAndLeavesPathsToSQLite() {
        #expect(PostgresLocation.isURL("postgres://a@b/c"))
        #expect(PostgresLocation.isURL("POSTGRESQL://a@b/c"))
        #expect(!PostgresLocation.isURL(".meshes/meshes.db"))
        #expect(!PostgresLocation.isURL("/var/lib/postgres.db"))
    }

    @Test(arguments: [
        ("mysql://u:Hunter2pw@h/db", "invalid PostgreSQL URL: the scheme must be postgres:// or postgresql://"),
        ("postgres://u:Hunter2pw@h", "invalid PostgreSQL URL: the database name is missing (…/DATABASE)"),
        ("postgres://u:Hunter2pw@h/", "invalid PostgreSQL URL: the database name is missing or malformed (…/DATABASE)"),
        ("postgres://Hunter2pw/db", "invalid PostgreSQL URL: the user name is missing (USER@HOST)"),
        ("postgres://:Hunter2pw@h/db", "invalid PostgreSQL URL: the user name is missing (USER@HOST)"),
        ("postgres://u:Hunter2pw@h:99999/db", "invalid PostgreSQL URL: the port must be a number in 1…65535"),
        ("postgres://u:Hunter2pw@h:abc/db", "invalid PostgreSQL URL: the port must be a number in 1…65535"),
        ("postgres://u:Hunter2pw@:5432/db", "invalid PostgreSQL URL: the host is missing"),
        ("postgres://u:Hunter2pw@h/db?sslmode=verify-full", "invalid PostgreSQL URL: sslmode must be disable, prefer or require"),
        ("postgres://u:Hunter2pw@h/db?password=Hunter2pw", "invalid PostgreSQL URL: unsupported parameter 'password' (only sslmode)"),
        ("postgres://u:Hunter2pw%zz@h/db", "invalid PostgreSQL URL: the password is not correctly percent-encoded"),
    ])
    func badURLsAreRefusedWithoutThePassword(url: String, message: String) {
        #expect(throws: ToolError(PostgresErrorCode.invalidURL, message)) { try PostgresLocation(url: url) }
        do {
            _ = try PostgresLocation(url: url)
        } catch {
            #expect(!error.description.contains("Hunter2pw"))
        }
    }
}
