import Foundation
import SharedCore
import Testing

@testable import MeshesCore

@Suite("Master key loading (§1, §4.4)")
struct MasterKeyTests {
    static let keyBytes = Array(UInt8(0)...UInt8(31))

    @Test("MESHES_MASTER_KEY wins and no file is written")
    func environmentWins() throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path + "/db"
        let key = try MasterKey.load(
            environment: ["MESHES_MASTER_KEY": " " + Base64URL.encode(Self.keyBytes) + "\n"], dbDirectory: db)
        #expect(key.origin == .environment)
        #expect(key.bytes == Self.keyBytes)
        #expect(!FileSystem.exists(db))
    }

    @Test("a padded MESHES_MASTER_KEY is accepted")
    func environmentPadded() throws {
        let scratch = try ScratchDirectory()
        let key = try MasterKey.load(
            environment: ["MESHES_MASTER_KEY": Base64URL.encode(Self.keyBytes) + "="], dbDirectory: scratch.path)
        #expect(key.bytes == Self.keyBytes)
    }

    @Test(
        "a malformed MESHES_MASTER_KEY is a clear error",
        arguments: [
            ("", "MESHES_MASTER_KEY is set but empty; set it to base64url of 32 bytes or unset it to use master.key"),
            ("not base64!", "MESHES_MASTER_KEY is not base64url (expected 32 bytes, 43 characters)"),
            (Base64URL.encode(Array(repeating: UInt8(1), count: 31)), "MESHES_MASTER_KEY decodes to 31 bytes; the master key is 32 bytes"),
            (
                Base64.encode(Array(UInt8(0xF8)...UInt8(0xFF)) + Array(repeating: 0xFB, count: 24)),
                "MESHES_MASTER_KEY is not base64url (expected 32 bytes, 43 characters)"
            ),
        ])
    func environmentMalformed(value: String, message: String) throws {
        let scratch = try ScratchDirectory()
        #expect(throws: ToolError(ErrorCode.validationFailed, message)) {
            try MasterKey.load(environment: ["MESHES_MASTER_KEY": value], dbDirectory: scratch.path)
        }
        #expect(scratch.names(scratch.path).isEmpty)
    }

    @Test("master.key is created 0600 in a new 0700 folder, then reused")
    func fileCreatedAndReused() throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path + "/nested/.meshes"
        let created = try MasterKey.load(environment: [:], dbDirectory: db)
        #expect(created.origin == .createdFile)
        #expect(scratch.mode(db) == 0o700)
        #expect(scratch.mode(scratch.path + "/nested") == 0o700)
        #expect(scratch.mode(db + "/master.key") == 0o600)
        #expect(scratch.names(db) == ["master.key"])
        #expect(try FileSystem.read(db + "/master.key", displayPath: "master.key") == created.bytes)

        let reused = try MasterKey.load(environment: [:], dbDirectory: db + "/")
        #expect(reused.origin == .existingFile)
        #expect(reused.bytes == created.bytes)
        let sealed = try Sealer(masterKey: created).seal("secret", recordID: "r1")
        #expect(try Sealer(masterKey: reused).openText(sealed, recordID: "r1") == "secret")
    }

    @Test("an existing folder keeps its mode")
    func existingFolder() throws {
        let scratch = try ScratchDirectory()
        let before = scratch.mode(scratch.path)
        _ = try MasterKey.load(environment: [:], dbDirectory: scratch.path)
        #expect(scratch.mode(scratch.path) == before)
        #expect(scratch.mode(scratch.path + "/master.key") == 0o600)
    }

    @Test("a key file of the wrong size is refused and left alone")
    func malformedFile() throws {
        let scratch = try ScratchDirectory()
        let path = scratch.path + "/master.key"
        #expect(
            FileManager.default.createFile(atPath: path, contents: Data(repeating: 7, count: 33), attributes: [.posixPermissions: 0o600]))
        #expect(
            throws: ToolError(
                ErrorCode.validationFailed,
                "\(path) holds 33 bytes; the master key is 32 bytes. Restore the original file or set MESHES_MASTER_KEY")
        ) {
            try MasterKey.load(environment: [:], dbDirectory: scratch.path)
        }
        #expect(try FileSystem.read(path, displayPath: path) == Array(repeating: 7, count: 33))
    }

    @Test("a folder named master.key is refused")
    func folderInTheWay() throws {
        let scratch = try ScratchDirectory()
        try FileSystem.makeDirectories(scratch.path + "/master.key", displayPath: "master.key")
        #expect(throws: ToolError.self) { try MasterKey.load(environment: [:], dbDirectory: scratch.path) }
    }

    @Test("concurrent first loads agree on one key")
    func concurrentCreation() async throws {
        let scratch = try ScratchDirectory()
        let db = scratch.path + "/db"
        let keys = await withTaskGroup(of: [UInt8]?.self) { group in
            for _ in 0..<16 {
                group.addTask { try? MasterKey.load(environment: [:], dbDirectory: db).bytes }
            }
            var out: [[UInt8]?] = []
            for await key in group { out.append(key) }
            return out
        }
        #expect(keys.count == 16)
        #expect(keys.allSatisfy { $0 != nil })
        #expect(Set(keys.compactMap { $0 }).count == 1)
        #expect(scratch.names(db) == ["master.key"])
    }
}
