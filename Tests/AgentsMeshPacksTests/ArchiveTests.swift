import AgentsMeshCanonical
import AgentsMeshGeneration
import AgentsMeshPacks
import Foundation
import SharedCore
import Testing

/// The archive reader against well-formed and hostile archives.
@Suite struct ArchiveTests {
    /// Python writes each named archive; `outside` is a folder the archives try to reach.
    static let corpus = """
        import io, tarfile, gzip, os, sys
        def add(tar, name, data=b"x", kind=tarfile.REGTYPE, link="", size=None):
            info = tarfile.TarInfo(name)
            info.type = kind
            info.linkname = link
            info.size = len(data) if kind == tarfile.REGTYPE else 0
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)
        def make(path, entries, fmt=tarfile.GNU_FORMAT):
            with tarfile.open(path, "w:gz", format=fmt) as tar:
                for e in entries: add(tar, *e)
        outside = sys.argv[1] if len(sys.argv) > 1 else "/tmp"
        make("good.tar.gz", [("pack/rules/a.md", b"---\\ndescription: A\\n---\\nRule A.\\n"), ("pack/skills/s/SKILL.md", b"---\\ndescription: S\\n---\\nSkill.\\n"), ("pack/skills/s/bin.dat", bytes(range(256)))])
        make("pax.tar.gz", [("p/rules/" + "n" * 60 + ".md", b"Long name.\\n")], fmt=tarfile.PAX_FORMAT)
        make("dotdot.tar.gz", [("rules/ok.md", b"ok"), ("../evil.md", b"evil")])
        make("absolute.tar.gz", [("rules/ok.md", b"ok"), ("/tmp/abs-evil.md", b"evil")])
        make("nested-dotdot.tar.gz", [("rules/../../evil.md", b"evil")])
        make("symlink.tar.gz", [("rules/ok.md", b"---\\ndescription: Ok\\n---\\nOk.\\n"), ("rules/passwd.md", b"", tarfile.SYMTYPE, "/etc/passwd")])
        make("hardlink.tar.gz", [("rules/ok.md", b"---\\ndescription: Ok\\n---\\nOk.\\n"), ("rules/hard.md", b"", tarfile.LNKTYPE, "/etc/passwd")])
        make("device.tar.gz", [("rules/ok.md", b"---\\ndescription: Ok\\n---\\nOk.\\n"), ("rules/dev.md", b"", tarfile.CHRTYPE), ("rules/fifo.md", b"", tarfile.FIFOTYPE)])
        # A header claiming 600 MiB with no data behind it.
        info = tarfile.TarInfo("rules/huge.md"); info.size = 600 * 1024 * 1024
        header = info.tobuf(tarfile.GNU_FORMAT)
        with gzip.open("huge.tar.gz", "wb") as f: f.write(header + b"\\0" * 1024)
        # Bad checksum: flip a byte of the name after the header was built.
        buf = bytearray(tarfile.TarInfo("rules/a.md").tobuf(tarfile.GNU_FORMAT)); buf[0] = ord("x")
        with gzip.open("badsum.tar.gz", "wb") as f: f.write(bytes(buf) + b"\\0" * 1024)
        # Truncated gzip: drop the last third of a valid archive.
        data = open("good.tar.gz", "rb").read()
        open("truncated.tar.gz", "wb").write(data[: len(data) * 2 // 3])
        open("garbage.tar.gz", "wb").write(b"not a gzip stream at all")
        # Concatenated gzip members.
        make("part1.tar.gz", [("rules/one.md", b"One.\\n")])
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w", format=tarfile.GNU_FORMAT) as tar: add(tar, "rules/one.md", b"One.\\n"); add(tar, "rules/two.md", b"Two.\\n")
        body = raw.getvalue()
        open("multi.tar.gz", "wb").write(gzip.compress(body[:1024]) + gzip.compress(body[1024:]))
        """

    static func makeCorpus() throws -> (folder: String, outside: String) {
        let folder = try PackFixtures.tempDir("tars")
        let outside = try PackFixtures.tempDir("outside")
        try PackFixtures.python(corpus, in: folder)
        return (folder, outside)
    }

    func extract(_ archive: String, folder: String) throws(ToolError) -> (ExtractionReport, String) {
        let staging = folder + "/staging-\(UUID().uuidString)"
        try FileSystem.makeDirectories(staging, displayPath: "staging")
        let report = try Archive.extract(folder + "/" + archive, displayPath: archive, into: staging)
        return (report, staging)
    }

    func code(_ archive: String, folder: String) -> String? {
        do {
            _ = try extract(archive, folder: folder)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func wellFormedArchivesExtractByteExactly() throws {
        let (folder, _) = try Self.makeCorpus()
        let (report, staging) = try extract("good.tar.gz", folder: folder)
        #expect(report.files == 3)
        #expect(Archive.contentRoot(staging) == staging + "/pack")
        #expect(FileManager.default.contents(atPath: staging + "/pack/skills/s/bin.dat") == Data((0...255).map { UInt8($0) }))
        let (_, pax) = try extract("pax.tar.gz", folder: folder)
        #expect(FileManager.default.fileExists(atPath: pax + "/p/rules/" + String(repeating: "n", count: 60) + ".md"))
        let (multi, multiStaging) = try extract("multi.tar.gz", folder: folder)
        #expect(multi.files == 2)
        #expect(FileManager.default.contents(atPath: multiStaging + "/rules/two.md") == Data("Two.\n".utf8))
    }

    @Test func hostileArchivesFailOrSkipAndNeverWriteOutside() throws {
        let (folder, outside) = try Self.makeCorpus()
        let before = Set(FileSystem.walkFiles(folder))
        #expect(code("dotdot.tar.gz", folder: folder) == "PATH_TRAVERSAL")
        #expect(code("absolute.tar.gz", folder: folder) == "PATH_TRAVERSAL")
        #expect(code("nested-dotdot.tar.gz", folder: folder) == "PATH_TRAVERSAL")
        #expect(code("huge.tar.gz", folder: folder) == "LIMIT_EXCEEDED")
        #expect(code("badsum.tar.gz", folder: folder) == "VALIDATION_FAILED")
        #expect(code("truncated.tar.gz", folder: folder) == "VALIDATION_FAILED")
        #expect(code("garbage.tar.gz", folder: folder) == "VALIDATION_FAILED")
        for archive in ["symlink.tar.gz", "hardlink.tar.gz", "device.tar.gz"] {
            let (report, staging) = try extract(archive, folder: folder)
            #expect(report.warnings.allSatisfy { $0.code == "ARCHIVE_ENTRY_SKIPPED" })
            #expect(!report.warnings.isEmpty)
            #expect(FileSystem.walkFiles(staging) == ["rules/ok.md"])
        }
        // Nothing appeared next to the archives (outside every staging folder), in /tmp, or in `outside`.
        let after = Set(FileSystem.walkFiles(folder)).filter { !$0.hasPrefix("staging-") }
        #expect(after == before)
        #expect(!FileManager.default.fileExists(atPath: "/tmp/abs-evil.md"))
        #expect(FileSystem.walkFiles(outside).isEmpty)
    }

    @Test func entryCapIsEnforced() throws {
        let folder = try PackFixtures.tempDir("tars")
        try PackFixtures.python(
            """
            import io, tarfile
            with tarfile.open("many.tar.gz", "w:gz", format=tarfile.GNU_FORMAT) as tar:
                for i in range(11):
                    info = tarfile.TarInfo("rules/r%d.md" % i); info.size = 1
                    tar.addfile(info, io.BytesIO(b"x"))
            """, in: folder)
        var limits = ArchiveLimits()
        limits.maxEntries = 10
        let staging = folder + "/staging"
        try FileSystem.makeDirectories(staging, displayPath: "staging")
        #expect(throws: ToolError.self) { try Archive.extract(folder + "/many.tar.gz", displayPath: "many", into: staging, limits: limits) }
        do {
            _ = try Archive.extract(folder + "/many.tar.gz", displayPath: "many", into: staging, limits: limits)
        } catch {
            #expect(error.code == "LIMIT_EXCEEDED")
        }
    }

    @Test func archiveInstallsAndHostileInstallLeavesNothing() async throws {
        let (folder, _) = try Self.makeCorpus()
        let cache = try PackFixtures.tempDir("cache")
        let project = try await PackFixtures.makeProject()
        let installer = PackFixtures.installer(project, cache: cache)
        let data = try await installer.install(InstallOptions(source: folder + "/good.tar.gz"))
        #expect(data.name == "good")
        #expect(
            FileManager.default.contents(atPath: project + "/.agentsmesh/packs/good/skills/s/bin.dat") == Data((0...255).map { UInt8($0) }))
        let packYAML = try #require(PackFixtures.read(project, ".agentsmesh/packs/good/pack.yaml"))
        let archiveHash = SHA256.tagged(Array(try Data(contentsOf: URL(fileURLWithPath: folder + "/good.tar.gz"))))
        #expect(packYAML.contains("source_kind: archive\nresolved: \(archiveHash)\n"))
        #expect(FileManager.default.fileExists(atPath: project + "/.claude/skills/s/bin.dat"))

        let before = PackFixtures.snapshot(project)
        for hostile in ["dotdot.tar.gz", "absolute.tar.gz", "huge.tar.gz", "truncated.tar.gz"] {
            await #expect(throws: ToolError.self) { _ = try await installer.install(InstallOptions(source: folder + "/" + hostile)) }
        }
        #expect(PackFixtures.snapshot(project) == before)
        #expect(FileSystem.list(project + "/.agentsmesh").filter { $0.hasPrefix(".staging") }.isEmpty)
        // Everything lies under rules/, which is stripped as the single top-level folder.
        var asRules = InstallOptions(source: folder + "/symlink.tar.gz")
        asRules.asKind = "rules"
        let skipped = try await installer.install(asRules)
        #expect(skipped.warnings.contains { $0.code == "ARCHIVE_ENTRY_SKIPPED" })
        #expect(
            FileSystem.walkFiles(project + "/.agentsmesh/packs/symlink").filter { !$0.hasPrefix(".") && $0 != "pack.yaml" } == [
                "rules/ok.md"
            ])
    }
}
