import Foundation
import Testing

@testable import AgentsMeshKit
@testable import SharedCore

@Suite struct StatCacheTests {
    static func folder() throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("am-statcache-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        return FileSystem.realPath(base.path) ?? base.path
    }

    @Test func roundTripAndValidation() throws {
        let root = try Self.folder()
        try Data("hello".utf8).write(to: URL(fileURLWithPath: root + "/a b.txt"))
        let stat = FileStat.of(root + "/a b.txt")
        #expect(stat.kind == FileStat.Kind.file)
        #expect(stat.size == 5)
        #expect(FileStat.of(root + "/missing") == .missing)
        let settled = max(stat.mtime, stat.ctime) + 1
        let first = StatCache.Entry(path: "a b.txt", stat: stat, hash: SHA256.tagged(Array("hello".utf8)), tag: "t")
        let second = StatCache.Entry(path: "missing", stat: FileStat.missing)
        var cache = StatCache(key: "k", stamp: settled, entries: [first, second], records: ["targets []"])
        cache.write(root: root)
        let loaded = try #require(StatCache.load(root: root, key: "k"))
        #expect(loaded.entries == cache.entries)
        #expect(loaded.records == cache.records)
        #expect(loaded.stamp == settled)
        #expect(StatCache.load(root: root, key: "other") == nil)
        #expect(loaded.trusts(loaded.entries[0], current: stat))
        #expect(loaded.validate(root: root, listingExcludes: [])?.verified == false)

        // Racy: the stamp does not post-date the file's timestamps → re-verified by content.
        cache.stamp = stat.ctime
        #expect(!cache.trusts(cache.entries[0], current: stat))
        #expect(cache.validate(root: root, listingExcludes: [])?.verified == true)
        cache.entries[0].hash = SHA256.tagged(Array("HELLO".utf8))
        #expect(cache.validate(root: root, listingExcludes: []) == nil)

        // Any stat change (a file appearing where one was missing) invalidates.
        cache.stamp = settled
        cache.entries[0].hash = SHA256.tagged(Array("hello".utf8))
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/missing"))
        #expect(cache.validate(root: root, listingExcludes: []) == nil)
    }

    @Test func racyRuleHandlesCoarseTimestamps() {
        let second: Int64 = 1_000_000_000
        let fine = FileStat(kind: .file, mtime: 100 * second + 5, ctime: 100 * second + 5)
        #expect(fine.isRacy(stamp: 100 * second + 5))
        #expect(!fine.isRacy(stamp: 100 * second + 6))
        let coarse = FileStat(kind: .file, mtime: 100 * second, ctime: 100 * second)
        #expect(coarse.isRacy(stamp: 100 * second + 999))
        #expect(coarse.isRacy(stamp: 101 * second + 5))
        #expect(!coarse.isRacy(stamp: 102 * second))
        #expect(!FileStat.missing.isRacy(stamp: 0))
    }

    @Test func corruptFilesAreIgnored() throws {
        let root = try Self.folder()
        let cache = StatCache(key: "k", stamp: 1, entries: [.init(path: "x", stat: FileStat(kind: .file, size: 3), hash: "sha256:00")])
        let good = try #require(cache.serialized())
        #expect(StatCache.parse(good, key: "k") != nil)
        for bad in [[], Array(good.dropLast()), Array(good.prefix(20)), good + Array("e junk\n".utf8)] {
            #expect(StatCache.parse(bad, key: "k") == nil)
        }
        #expect(StatCache(key: "k", stamp: 1, entries: [.init(path: "a\nb", stat: .missing)]).serialized() == nil)
        _ = root
    }
}
