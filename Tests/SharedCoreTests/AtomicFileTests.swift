import Foundation
import SharedPlatform
import Testing

@testable import SharedCore

/// A scratch folder removed on deinit.
private final class AtomicSandbox {
    let dir: String

    init() throws {
        let made = FileManager.default.temporaryDirectory.path + "/atomic-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: made, withIntermediateDirectories: true)
        dir = try #require(FileSystem.realPath(made))
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func read(_ path: String) throws -> [UInt8] {
        try FileSystem.read(path, displayPath: path)
    }

    /// Every entry name below `dir` (recursive, symlinks not followed), sorted.
    func allNames() -> [String] {
        var out: [String] = []
        func visit(_ rel: String) {
            let abs = rel.isEmpty ? dir : dir + "/" + rel
            for name in FileSystem.list(abs) {
                let child = rel.isEmpty ? name : rel + "/" + name
                out.append(child)
                if FileSystem.kind(dir + "/" + child) == .directory { visit(child) }
            }
        }
        visit("")
        return out.sorted()
    }

    func leftoverTemps() -> [String] {
        allNames().filter { $0.hasSuffix(".tmp") || $0.contains(".agentsmesh-") }
    }
}

/// Permission bits of `path` (lstat).
private func permissions(_ path: String) -> mode_t {
    var st = stat()
    guard lstat(path, &st) == 0 else { return 0o7777 }
    return st.st_mode & 0o7777
}

/// The process umask, read without changing it (Linux `/proc/self/status`).
private func currentUmask() -> mode_t? {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in status.split(separator: "\n") where line.hasPrefix("Umask:") {
        let digits = line.dropFirst("Umask:".count).trimmingCharacters(in: .whitespaces)
        return mode_t(digits, radix: 8)
    }
    return nil
}

/// Writes expecting a ToolError; records an issue when the write succeeds.
private func writeError(_ bytes: [UInt8], to path: String, displayPath: String) -> ToolError? {
    do {
        try AtomicFile.write(bytes, to: path, displayPath: displayPath)
        Issue.record("expected a ToolError writing \(displayPath)")
        return nil
    } catch {
        return error
    }
}

@Suite("AtomicFile")
struct AtomicFileTests {
    @Test func writesBytesExactly() throws {
        let box = try AtomicSandbox()
        var bytes: [UInt8] = [0x00, 0xFF, 0x0D, 0x0A, 0x0A, 0xEF, 0xBB, 0xBF] + Array("héllo\r\n".utf8)
        bytes += (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        let path = box.dir + "/data.bin"
        try AtomicFile.write(bytes, to: path, displayPath: "data.bin")
        #expect(try box.read(path) == bytes)
        #expect(box.allNames() == ["data.bin"])
    }

    @Test func emptyFile() throws {
        let box = try AtomicSandbox()
        let path = box.dir + "/empty"
        try AtomicFile.write([], to: path, displayPath: "empty")
        #expect(FileSystem.kind(path) == .file)
        #expect(try box.read(path) == [])
    }

    @Test func stringConvenienceWritesUTF8WithoutAddingANewline() throws {
        let box = try AtomicSandbox()
        let path = box.dir + "/a.md"
        try AtomicFile.write("# Ünïcode ✓", to: path, displayPath: "a.md")
        #expect(try box.read(path) == Array("# Ünïcode ✓".utf8))
    }

    @Test func replacesExistingContentCompletely() throws {
        let box = try AtomicSandbox()
        let path = box.dir + "/f.txt"
        try AtomicFile.write(Array("a much longer original content\n".utf8), to: path, displayPath: "f.txt")
        try AtomicFile.write(Array("short".utf8), to: path, displayPath: "f.txt")
        #expect(try box.read(path) == Array("short".utf8))
        #expect(box.allNames() == ["f.txt"])
    }

    @Test func replacesASymlinkInsteadOfFollowingIt() throws {
        let box = try AtomicSandbox()
        try FileManager.default.createDirectory(atPath: box.dir + "/outside", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: box.dir + "/project", withIntermediateDirectories: true)
        let target = box.dir + "/outside/secret.txt"
        try AtomicFile.write(Array("original".utf8), to: target, displayPath: "secret.txt")
        let destination = box.dir + "/project/CLAUDE.md"
        try FileManager.default.createSymbolicLink(atPath: destination, withDestinationPath: target)
        #expect(FileSystem.kind(destination) == .symlink)

        try AtomicFile.write(Array("generated".utf8), to: destination, displayPath: "CLAUDE.md")

        #expect(FileSystem.kind(destination) == .file)
        #expect(try box.read(destination) == Array("generated".utf8))
        #expect(try box.read(target) == Array("original".utf8))
        #expect(FileSystem.kind(target) == .file)
    }

    @Test func replacesADanglingSymlink() throws {
        let box = try AtomicSandbox()
        let destination = box.dir + "/link.json"
        let missing = box.dir + "/nowhere/target.json"
        try FileManager.default.createSymbolicLink(atPath: destination, withDestinationPath: missing)
        try AtomicFile.write(Array("{}".utf8), to: destination, displayPath: "link.json")
        #expect(FileSystem.kind(destination) == .file)
        #expect(try box.read(destination) == Array("{}".utf8))
        #expect(FileSystem.kind(box.dir + "/nowhere") == .missing)
    }

    @Test func createsParentFolders() throws {
        let box = try AtomicSandbox()
        let path = box.dir + "/a/b/c/file.txt"
        try AtomicFile.write(Array("x".utf8), to: path, displayPath: "a/b/c/file.txt")
        #expect(try box.read(path) == Array("x".utf8))
        #expect(box.allNames() == ["a", "a/b", "a/b/c", "a/b/c/file.txt"])
        for folder in ["a", "a/b", "a/b/c"] {
            #expect(FileSystem.kind(box.dir + "/" + folder) == .directory)
        }
    }

    /// §4.1 stage 8: folders 0755. `mkdir` honours the umask, so this is exact only under umask 022.
    @Test func createdFoldersAre0755UnderDefaultUmask() throws {
        let mask = try #require(currentUmask())
        let box = try AtomicSandbox()
        try AtomicFile.write(Array("x".utf8), to: box.dir + "/p/q/r.txt", displayPath: "p/q/r.txt")
        #expect(permissions(box.dir + "/p") == 0o755 & ~mask)
        #expect(permissions(box.dir + "/p/q") == 0o755 & ~mask)
    }

    @Test func newFilesAre0644() throws {
        let box = try AtomicSandbox()
        let path = box.dir + "/new.md"
        try AtomicFile.write(Array("x".utf8), to: path, displayPath: "new.md")
        #expect(permissions(path) == 0o644)
    }

    @Test func overwrittenFileGets0644Again() throws {
        let box = try AtomicSandbox()
        let path = box.dir + "/private.md"
        try AtomicFile.write(Array("x".utf8), to: path, displayPath: "private.md")
        #expect(chmod(path, 0o600) == 0)
        #expect(permissions(path) == 0o600)
        try AtomicFile.write(Array("y".utf8), to: path, displayPath: "private.md")
        #expect(permissions(path) == 0o644)
    }

    @Test func explicitModeIsAppliedExactly() throws {
        let box = try AtomicSandbox()
        let path = box.dir + "/script.sh"
        try AtomicFile.write(Array("#!/bin/sh\n".utf8), to: path, displayPath: "script.sh", mode: 0o755)
        #expect(permissions(path) == 0o755)
        let secret = box.dir + "/secret"
        try AtomicFile.write(Array("s".utf8), to: secret, displayPath: "secret", mode: 0o600)
        #expect(permissions(secret) == 0o600)
    }

    @Test func leavesNoTempFilesAfterManyWrites() throws {
        let box = try AtomicSandbox()
        for i in 0..<20 {
            try AtomicFile.write(Array("v\(i)".utf8), to: box.dir + "/sub/out.json", displayPath: "sub/out.json")
            try AtomicFile.write(Array("w\(i)".utf8), to: box.dir + "/top.md", displayPath: "top.md")
        }
        #expect(box.leftoverTemps() == [])
        #expect(box.allNames() == ["sub", "sub/out.json", "top.md"])
        #expect(try box.read(box.dir + "/sub/out.json") == Array("v19".utf8))
    }

    @Test func destinationThatIsAFolderFailsWithIOErrorAndNoTempLeft() throws {
        let box = try AtomicSandbox()
        try FileManager.default.createDirectory(atPath: box.dir + "/taken/inner", withIntermediateDirectories: true)
        let error = writeError(Array("x".utf8), to: box.dir + "/taken", displayPath: "taken")
        #expect(error?.code == "IO_ERROR")
        #expect(error?.message.hasPrefix("cannot replace taken: ") == true)
        #expect(error?.details == .object(["errno": "EISDIR"]))
        #expect(box.leftoverTemps() == [])
        #expect(box.allNames() == ["taken", "taken/inner"])
    }

    @Test func parentThatIsAFileFailsWithIOError() throws {
        let box = try AtomicSandbox()
        try AtomicFile.write(Array("x".utf8), to: box.dir + "/plain", displayPath: "plain")
        let error = writeError(Array("y".utf8), to: box.dir + "/plain/child.md", displayPath: "plain/child.md")
        #expect(error?.code == "IO_ERROR")
        #expect(error?.message.contains("plain/child.md") == true)
        #expect(error?.message.contains(box.dir) == false)
        #expect(error?.details == .object(["errno": "ENOTDIR"]))
        #expect(try box.read(box.dir + "/plain") == Array("x".utf8))
        #expect(box.leftoverTemps() == [])
    }

    @Test func stageAllWritesEveryFileInParallelAndRenamesOnCommit() throws {
        let box = try AtomicSandbox()
        let items = (0..<300).map { index in
            (
                bytes: Array("file \(index)\n".utf8), path: box.dir + "/d\(index % 7)/f\(index).md",
                displayPath: "d\(index % 7)/f\(index).md",
                durable: index % 50 == 0
            )
        }
        var batch = AtomicFile.Batch()
        try batch.stageAll(items)
        #expect(box.leftoverTemps().count == 300)
        #expect(FileSystem.kind(box.dir + "/d0/f0.md") == .missing)
        try batch.commit()
        #expect(box.leftoverTemps() == [])
        for index in [0, 1, 150, 299] {
            #expect(try box.read(box.dir + "/d\(index % 7)/f\(index).md") == Array("file \(index)\n".utf8))
            #expect(permissions(box.dir + "/d\(index % 7)/f\(index).md") == 0o644)
        }
    }

    @Test func stageAllFailureKeepsOnlyTheWrittenTempsForDiscard() throws {
        let box = try AtomicSandbox()
        // A 240-byte name is valid, but its temp name (`.<name>.agentsmesh-<pid>-<n>.tmp`) exceeds NAME_MAX:
        // the second write fails in the parallel phase, whatever the user's privileges.
        let long = String(repeating: "x", count: 240)
        var batch = AtomicFile.Batch()
        var caught: ToolError?
        do {
            try batch.stageAll([
                (bytes: Array("a".utf8), path: box.dir + "/ok/a.md", displayPath: "ok/a.md", durable: false),
                (bytes: Array("b".utf8), path: box.dir + "/ok/" + long, displayPath: "ok/long", durable: false),
                (bytes: Array("c".utf8), path: box.dir + "/ok/c.md", displayPath: "ok/c.md", durable: true),
            ])
        } catch {
            caught = error
        }
        #expect(caught?.code == "IO_ERROR")
        #expect(caught?.message.hasPrefix("cannot write ok/long") == true)
        #expect(caught?.details == .object(["errno": "ENAMETOOLONG"]))
        #expect(box.leftoverTemps().count == 2)
        batch.discard()
        #expect(box.leftoverTemps() == [])
        #expect(box.allNames() == ["ok"])
    }

    /// Items for `stageAll`: `relative` paths under `box`, content derived from the path.
    private func items(_ box: AtomicSandbox, _ relative: [String], durable: Set<String> = []) -> [(
        bytes: [UInt8], path: String, displayPath: String, durable: Bool
    )] {
        relative.map { (bytes: Array("bytes of \($0)\n".utf8), path: box.dir + "/" + $0, displayPath: $0, durable: durable.contains($0)) }
    }

    @Test func stageAllBuildsMissingFoldersWholeAndRenamesThemIntoPlace() throws {
        let box = try AtomicSandbox()
        try FileSystem.makeDirectories(box.dir + "/kept", displayPath: "kept")
        let paths = ["kept/a.md", "new/deep/b.md", "new/deep/c.md", "new/d.md", "kept/sub/e.md", "top.md"]
        var batch = AtomicFile.Batch()
        try batch.stageAll(items(box, paths, durable: ["new/d.md"]), root: box.dir)
        // Before commit: nothing is visible; `new/` and `kept/sub/` are each one temp folder holding files
        // under their own names, the files of existing folders are temps beside their destinations.
        let staged = box.allNames()
        #expect(FileSystem.kind(box.dir + "/new") == .missing)
        #expect(FileSystem.kind(box.dir + "/kept/sub") == .missing)
        let newTemp = try #require(staged.first { $0.hasPrefix(".new.agentsmesh-") && $0.hasSuffix(".tmp") && !$0.contains("/") })
        let subTemp = try #require(
            staged.first { $0.hasPrefix("kept/.sub.agentsmesh-") && $0.hasSuffix(".tmp") && $0.split(separator: "/").count == 2 })
        #expect(
            staged.filter { $0.hasPrefix(newTemp + "/") } == [
                newTemp + "/d.md", newTemp + "/deep", newTemp + "/deep/b.md", newTemp + "/deep/c.md",
            ])
        #expect(staged.filter { $0.hasPrefix(subTemp + "/") } == [subTemp + "/e.md"])
        #expect(staged.filter { $0.hasPrefix("kept/.a.md.agentsmesh-") }.count == 1)
        #expect(staged.filter { $0.hasPrefix(".top.md.agentsmesh-") }.count == 1)
        try batch.commit()
        #expect(
            box.allNames() == [
                "kept", "kept/a.md", "kept/sub", "kept/sub/e.md", "new", "new/d.md", "new/deep", "new/deep/b.md", "new/deep/c.md", "top.md",
            ])
        for path in paths {
            #expect(try box.read(box.dir + "/" + path) == Array("bytes of \(path)\n".utf8))
            #expect(permissions(box.dir + "/" + path) == 0o644)
        }
        #expect(permissions(box.dir + "/new/deep") == 0o755)
        // What was built below each new folder is reported as it is on disk now (the folders themselves,
        // renamed into place, are not).
        let below = ["new/d.md", "new/deep", "new/deep/b.md", "new/deep/c.md", "kept/sub/e.md"].map { box.dir + "/" + $0 }
        #expect(Set(batch.built.stats.keys) == Set(below))
        for path in below { #expect(batch.built.stats[path] == FileStat.of(path), "\(path)") }
        #expect(batch.built.listings == [box.dir + "/new/deep": ["b.md", "c.md"]])
        #expect(FileSystem.list(box.dir + "/new/deep") == ["b.md", "c.md"])
    }

    @Test func builtEntriesAreReportedRelativeToTheRoot() {
        var built = BuiltEntries()
        built.stats = [
            "/p/a/b.md": FileStat(kind: .file, inode: 1), "/p/a": FileStat(kind: .directory, inode: 2),
            "/q/c": FileStat(kind: .file, inode: 3),
        ]
        built.listings = ["/p/a": ["b.md"], "/pq/d": ["e"]]
        let relative = built.relative(to: "/p")
        #expect(relative.stats == ["a/b.md": FileStat(kind: .file, inode: 1), "a": FileStat(kind: .directory, inode: 2)])
        #expect(relative.listings == ["a": ["b.md"]])
    }

    @Test func aMissingFolderThatAppearsBeforeCommitGetsTheFilesMovedInOneByOne() throws {
        let box = try AtomicSandbox()
        var batch = AtomicFile.Batch()
        try batch.stageAll(items(box, ["out/x/a.md", "out/b.md"]), root: box.dir)
        // Someone else creates the folder, with a file of their own, between staging and commit.
        try FileSystem.makeDirectories(box.dir + "/out", displayPath: "out")
        try AtomicFile.write(Array("theirs".utf8), to: box.dir + "/out/theirs.md", displayPath: "out/theirs.md")
        try batch.commit()
        #expect(box.allNames() == ["out", "out/b.md", "out/theirs.md", "out/x", "out/x/a.md"])
        // Moved in one by one: nothing built there is reported (the renames changed what was written).
        #expect(batch.built.stats.isEmpty && batch.built.listings.isEmpty)
        #expect(try box.read(box.dir + "/out/theirs.md") == Array("theirs".utf8))
        #expect(try box.read(box.dir + "/out/x/a.md") == Array("bytes of out/x/a.md\n".utf8))
    }

    @Test func discardRemovesTheTempFoldersOfMissingFolders() throws {
        let box = try AtomicSandbox()
        var batch = AtomicFile.Batch()
        try batch.stageAll(items(box, ["one/a.md", "two/deep/b.md", "c.md"]), root: box.dir)
        #expect(box.leftoverTemps().count == 6)  // two temp folders (with a subfolder and two files) and one temp file
        batch.discard()
        #expect(box.allNames() == [])
    }

    @Test func aFailedWriteInsideAMissingFolderLeavesNothingAfterDiscard() throws {
        let box = try AtomicSandbox()
        // The file name itself is too long (inside a new folder files keep their own names).
        let long = String(repeating: "y", count: 300)
        var batch = AtomicFile.Batch()
        var caught: ToolError?
        do {
            try batch.stageAll(items(box, ["fresh/a.md", "fresh/" + long, "fresh/c.md"]), root: box.dir)
        } catch {
            caught = error
        }
        #expect(caught?.code == "IO_ERROR")
        #expect(caught?.message.hasPrefix("cannot write fresh/yyy") == true)
        #expect(caught?.details == .object(["errno": "ENAMETOOLONG"]))
        batch.discard()
        #expect(box.allNames() == [])
    }

    @Test func foldersOutsideTheRootOrTheRootItselfAreNeverBuiltWhole() throws {
        let box = try AtomicSandbox()
        try FileSystem.makeDirectories(box.dir + "/project", displayPath: "project")
        var batch = AtomicFile.Batch()
        defer { batch.discard() }
        try batch.stageAll(items(box, ["project/a.md", "elsewhere/b.md"]), root: box.dir + "/project")
        // `elsewhere/` is not below the root: it is created by its writer, its file staged as a temp.
        #expect(FileSystem.kind(box.dir + "/elsewhere") == .directory)
        #expect(box.leftoverTemps().count == 2)
        try batch.commit()
        #expect(box.allNames() == ["elsewhere", "elsewhere/b.md", "project", "project/a.md"])
    }

    @Test func aJournalNamesTheTempsBeforeTheyExistAndGoesAwayWithTheBatch() throws {
        let box = try AtomicSandbox()
        try FileSystem.makeDirectories(box.dir + "/kept", displayPath: "kept")
        let journal = box.dir + "/journal.tmp"
        var batch = AtomicFile.Batch(journal: journal)
        try batch.stageAll(items(box, ["kept/a.md", "fresh/b.md", "c.md"]), root: box.dir)
        let lines = try String(decoding: box.read(journal), as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(lines.count == 5)
        #expect(lines[0] == "agentsmesh-staging 1")
        #expect(lines[1].hasPrefix("marker .agentsmesh-\(getpid())-") && lines[1].hasSuffix("-"))
        let tree = try #require(box.allNames().first { $0.hasPrefix(".fresh.agentsmesh-") })
        #expect(lines[2] == "tree " + box.dir + "/" + tree)
        #expect(Array(lines[3...]) == ["folder " + box.dir, "folder " + box.dir + "/kept"])
        try batch.commit()
        batch.discard()
        #expect(box.allNames() == ["c.md", "fresh", "fresh/b.md", "kept", "kept/a.md"])
    }

    @Test func recoverRemovesWhatAnInterruptedBatchLeftAndNothingElse() throws {
        let box = try AtomicSandbox()
        try FileSystem.makeDirectories(box.dir + "/kept", displayPath: "kept")
        try AtomicFile.write(Array("mine".utf8), to: box.dir + "/kept/mine.md", displayPath: "kept/mine.md")
        // Another batch's temp (another marker) and a user's own `.tmp` file stay.
        try AtomicFile.write(Array("x".utf8), to: box.dir + "/kept/.a.md.agentsmesh-1-2-0.tmp", displayPath: "x")
        try AtomicFile.write(Array("x".utf8), to: box.dir + "/kept/notes.tmp", displayPath: "x")
        let journal = box.dir + "/journal.tmp"
        do {
            // Staged, never committed nor discarded: what a crash leaves.
            var batch = AtomicFile.Batch(journal: journal)
            try batch.stageAll(items(box, ["kept/a.md", "kept/b.md", "fresh/deep/c.md", "top.md"]), root: box.dir)
        }
        #expect(box.leftoverTemps().count > 4)
        AtomicFile.recover(journal: journal)
        #expect(box.allNames() == ["kept", "kept/.a.md.agentsmesh-1-2-0.tmp", "kept/mine.md", "kept/notes.tmp"])
        AtomicFile.recover(journal: journal)  // nothing left to do: no journal
        #expect(box.allNames().count == 4)
    }

    @Test func recoverOnlyRemovesTempsWhateverTheJournalSays() throws {
        let box = try AtomicSandbox()
        try FileSystem.makeDirectories(box.dir + "/important", displayPath: "important")
        try AtomicFile.write(Array("keep".utf8), to: box.dir + "/important/file.md", displayPath: "x")
        try AtomicFile.write(Array("t".utf8), to: box.dir + "/.z.agentsmesh-7-8-0.tmp", displayPath: "x")
        let journal = box.dir + "/journal.tmp"
        for text in [
            "agentsmesh-staging 1\nmarker .agentsmesh-7-8-\ntree \(box.dir)/important\nfolder \(box.dir)/important\n",
            "agentsmesh-staging 1\nmarker .agentsmesh-\ntree \(box.dir)/important\nfolder \(box.dir)\n",
            "not a journal\nmarker .agentsmesh-7-8-\nfolder \(box.dir)\n",
        ] {
            try AtomicFile.write(Array(text.utf8), to: journal, displayPath: "journal")
            AtomicFile.recover(journal: journal)
            #expect(box.allNames() == [".z.agentsmesh-7-8-0.tmp", "important", "important/file.md"])
        }
        try AtomicFile.write(
            Array("agentsmesh-staging 1\nmarker .agentsmesh-7-8-\nfolder \(box.dir)\n".utf8), to: journal, displayPath: "journal")
        AtomicFile.recover(journal: journal)
        #expect(box.allNames() == ["important", "important/file.md"])
    }

    @Test func umaskIsReadWithoutChangingIt() throws {
        let expected = try #require(currentUmask())
        #expect(AtomicFile.processUmask == expected)
        #expect(AtomicFile.umaskKeeps(0o644) == (expected & 0o644 == 0))
        #expect(currentUmask() == expected)
    }

    @Test(arguments: [0, 1, 4095, 4096, 65_536, 200_001])
    func readReturnsExactlyTheFileBytes(size: Int) throws {
        let box = try AtomicSandbox()
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
        try AtomicFile.write(bytes, to: box.dir + "/blob", displayPath: "blob")
        #expect(try box.read(box.dir + "/blob") == bytes)
    }

    @Test func readGrowsForFilesThatReportNoSize() throws {
        let status = try FileSystem.read("/proc/self/status", displayPath: "/proc/self/status")
        #expect(status.count > 100)
        #expect(String(decoding: status, as: UTF8.self).contains("Umask:"))
    }
}
