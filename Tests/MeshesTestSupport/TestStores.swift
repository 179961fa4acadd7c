import Foundation
public import MeshesCore
public import MeshesEngine
import MeshesPostgres
import TestSupport

/// The stores the store, API and delivery suites run against (the same tests, parameterised over this).
public enum StoreKind: String, CaseIterable, Sendable {
    /// The embedded SQLite store in a temp folder.
    case sqlite
    /// A `PostgresStore` on a fresh database of the test process's private cluster (`PostgresCluster.shared()`).
    case postgres

    /// A new, empty place for a store of this kind: a temp folder (SQLite) or a database URL (PostgreSQL).
    /// (The cluster's start and `psql` wait for child processes, off the cooperative pool.)
    public func newPlace() async throws -> String {
        switch self {
        case .sqlite: return FileManager.default.temporaryDirectory.appendingPathComponent("meshes-test-\(UUID().uuidString)").path
        case .postgres: return try await offPool { try PostgresCluster.shared().createDatabase() }
        }
    }

    /// Opens the store at `place` (from `newPlace()`; the same place opens the same store again, as another process would).
    public func open(place: String, sealer: Sealer, maximumConnections: Int = 4) async throws -> any MeshesStore {
        switch self {
        case .sqlite: return try SQLiteStore(path: place + "/meshes.db", sealer: sealer)
        case .postgres:
            return try await PostgresStore.open(
                location: try PostgresLocation(url: place), sealer: sealer, maximumConnections: maximumConnections)
        }
    }

    /// The first column of the first row of `query` on the PostgreSQL store at `place`, as text (nil when empty).
    public static func postgresScalar(_ query: String, place: String) async throws -> String? {
        let database = try PostgresLocation(url: place).database
        let text = try await offPool { try PostgresCluster.shared().psql(query, database: database) }
        return text.isEmpty ? nil : text
    }
}
