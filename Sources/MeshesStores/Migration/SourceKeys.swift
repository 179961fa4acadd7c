internal import Foundation
internal import MeshesCore
internal import MeshesEngine
internal import SharedCore

/// The master key of the store being copied. A SQLite store usually seals with the `master.key` beside it while
/// the PostgreSQL target needs `MESHES_MASTER_KEY`, which every other verb would prefer for the source too; so the
/// copy tries the key file first, then the variable, and keeps the first key that opens every sealed value of
/// the source. `MESHES_SOURCE_MASTER_KEY`, when set, is the only key tried. Nothing is created: a source without
/// a key file never gets one.
enum SourceKeys {
    /// The variable that names the source's key explicitly.
    static let variable = "MESHES_SOURCE_MASTER_KEY"

    /// The keys to try, each with where it came from (for messages).
    static func candidates(sourcePath: String, environment: [String: String]) throws(ToolError) -> [(origin: String, key: MasterKey)] {
        if let key = try MasterKey.load(variable: variable, environment: environment) { return [(variable, key)] }
        var out: [(origin: String, key: MasterKey)] = []
        let folder = (sourcePath as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? "." : folder
        let file = (folder.isEmpty ? "" : folder + "/") + MasterKey.fileName
        if FileSystem.exists(file) { out.append((file, try MasterKey.load(environment: [:], dbDirectory: directory))) }
        if let key = try MasterKey.load(variable: MasterKey.environmentVariable, environment: environment) {
            out.append((MasterKey.environmentVariable, key))
        }
        return out
    }

    /// The sealer of the first candidate that opens every sealed value of the source (the first candidate when
    /// the source holds none).
    /// - Throws: `MIGRATION_SOURCE_KEY_WRONG` when no candidate opens them all.
    static func choose(_ candidates: [(origin: String, key: MasterKey)], snapshot: SQLiteSnapshot, sourceName: String) async throws
        -> Sealer
    {
        let sealed = try await sealedValues(snapshot)
        for candidate in candidates {
            let sealer = Sealer(masterKey: candidate.key)
            if sealed.allSatisfy({ (try? sealer.open($0.value, recordID: $0.recordID)) != nil }) { return sealer }
        }
        let origins = candidates.map(\.origin)
        let tried =
            origins.count == 2
            ? "open neither with \(origins[0]) nor with \(origins[1])" : "do not open with \(origins.joined(separator: ", "))"
        throw ToolError(
            MigrationErrorCode.sourceKeyWrong,
            "the sealed secrets of \(sourceName) \(tried); set \(variable) to the master key that store was written with "
                + "(nothing was copied)")
    }

    /// Every sealed value of the source with its record id.
    static func sealedValues(_ snapshot: SQLiteSnapshot) async throws -> [(value: [UInt8], recordID: String)] {
        var out: [(value: [UInt8], recordID: String)] = []
        for table in StoreTable.all {
            guard let sealed = table.sealed, let column = table.index(of: sealed.column),
                let record = table.index(of: sealed.recordIDColumn)
            else { continue }
            var after: [StoreValue]?
            while true {
                let rows = try await snapshot.rows(table, after: after, limit: 1000)
                for row in rows {
                    if let value = row[column].bytes, let id = row[record].text { out.append((value, id)) }
                }
                guard rows.count == 1000, let last = rows.last else { break }
                after = table.key.compactMap { name in table.index(of: name).map { last[$0] } }
            }
        }
        return out
    }
}
