import AgentsMeshCanonical
import AgentsMeshGeneration
import Foundation
import SharedCore
import Synchronization
import TestSupport
import Testing

@testable import AgentsMeshPacks

/// HTTPS archive sources against a local TLS server (`Tests/Fixtures/https`): libcurl loaded at run time,
/// the certificate authority from `AGENTSMESH_CA_BUNDLE`, https-only redirects, the 500 MiB cap (announced
/// or streamed), and failures that leave the project as it was.
@Suite(.serialized) struct DownloadTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/https").path

    /// A running `server.py` over a folder holding `good.tar.gz`.
    final class Server {
        let process = Process()
        let port: Int
        let folder: String

        init() throws {
            let (corpus, _) = try ArchiveTests.makeCorpus()
            folder = corpus
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", DownloadTests.fixtures + "/server.py", folder]
            let out = Pipe()
            process.standardOutput = out
            try process.run()
            var line = Data()
            while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line += byte }
            guard let port = Int(String(decoding: line, as: UTF8.self)) else {
                kill(process.processIdentifier, SIGKILL)
                throw PackFixtures.FixtureError(message: "the test server did not start")
            }
            self.port = port
        }

        func url(_ name: String) -> String { "https://127.0.0.1:\(port)/\(name)" }

        deinit {
            // SIGKILL: a child started from a dispatch worker inherits its blocked signals (SIGTERM included).
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    static func installer(_ project: String, trusted: Bool = true) throws -> PackInstaller {
        var environment = PackFixtures.environment(cache: try PackFixtures.tempDir("cache"))
        environment["AGENTSMESH_CA_BUNDLE"] = trusted ? fixtures + "/cert.pem" : nil
        return PackInstaller(root: project, environment: environment, lockTimeout: 10) { () throws(ToolError) -> [Diagnostic] in
            try await Generator(root: project).generate(GenerateOptions(lockTimeout: 10)).warnings
        }
    }

    @Test func downloadsInstallAndRedirectsStayOnHTTPS() async throws {
        let server = try Server()
        let project = try await PackFixtures.makeProject()
        let installer = try Self.installer(project)
        var options = InstallOptions(source: server.url("good.tar.gz"))
        let data = try await installer.install(options)
        #expect(data.name == "good")
        #expect(
            FileManager.default.contents(atPath: project + "/.agentsmesh/packs/good/skills/s/bin.dat") == Data((0...255).map { UInt8($0) }))
        let archiveHash = SHA256.tagged(Array(try Data(contentsOf: URL(fileURLWithPath: server.folder + "/good.tar.gz"))))
        #expect(PackFixtures.read(project, ".agentsmesh/packs/good/pack.yaml")?.contains("resolved: \(archiveHash)\n") == true)

        options = InstallOptions(source: server.url("redirect-https.tar.gz"))
        options.name = "again"
        #expect(try await installer.install(options).name == "again")
        #expect(FileManager.default.fileExists(atPath: project + "/.agentsmesh/packs/again/skills/s/bin.dat"))
    }

    @Test(arguments: [
        ("missing.tar.gz", true, "FETCH_FAILED", "HTTP 404"),
        ("good.tar.gz", false, "FETCH_FAILED", "certificate"),
        ("redirect-http.tar.gz", true, "SOURCE_REFUSED", "redirected away from https"),
        ("redirect-loop.tar.gz", true, "FETCH_FAILED", "redirect"),
        ("announced-huge.tar.gz", true, "LIMIT_EXCEEDED", "larger than 500 MiB"),
    ])
    func failedDownloadsLeaveTheProjectAsItWas(name: String, trusted: Bool, code: String, fragment: String) async throws {
        let server = try Server()
        let project = try await PackFixtures.makeProject()
        let before = PackFixtures.snapshot(project)
        let installer = try Self.installer(project, trusted: trusted)
        var caught: ToolError?
        do {
            _ = try await installer.install(InstallOptions(source: server.url(name)))
        } catch {
            caught = error
        }
        #expect(caught?.code == code)
        #expect(caught?.message.lowercased().contains(fragment.lowercased()) == true, "\(caught?.message ?? "no error")")
        #expect(PackFixtures.snapshot(project) == before)
        #expect(FileSystem.list(project + "/.agentsmesh").filter { $0.hasPrefix(".staging") }.isEmpty)
    }

    @Test func streamedBytesPastTheCapStopTheTransferAndLeaveNoFile() async throws {
        let server = try Server()
        let folder = try PackFixtures.tempDir("dl")
        var environment = ProcessInfo.processInfo.environment
        environment["AGENTSMESH_CA_BUNDLE"] = Self.fixtures + "/cert.pem"
        let source = try PackSource.parse(server.url("stream-300000.tar.gz"), environment: environment)
        var caught: ToolError?
        do {
            try ArchiveDownloader.transfer(source, to: folder + "/a.tar.gz", environment: environment, maxBytes: 100_000, progress: nil)
        } catch {
            caught = error
        }
        #expect(caught?.code == "LIMIT_EXCEEDED")
        #expect(FileSystem.list(folder) == [])
        // Under the cap the same stream arrives whole, with progress reported.
        let seen = Mutex<Int>(0)
        try ArchiveDownloader.transfer(source, to: folder + "/b.tar.gz", environment: environment, maxBytes: 400_000) { received, _ in
            seen.withLock { $0 = max($0, received) }
        }
        #expect(try FileSystem.read(folder + "/b.tar.gz", displayPath: "b").count == 300_000)
        #expect(seen.withLock { $0 } == 300_000)
    }
}
