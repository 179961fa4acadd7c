import Foundation
import FoundationNetworking
import SharedCore
import TestSupport
import Testing

@testable import MeshesCore

#if canImport(FoundationNetworking)
#endif

/// The `meshes` binary over a real socket: keys create, serve, requests, graceful SIGTERM.
@Suite struct ServerBinaryTests {
    static var binary: String {
        let exe = FileSystem.realPath("/proc/self/exe") ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: exe).deletingLastPathComponent()
        if folder.pathExtension == "xctest" { folder.deleteLastPathComponent() }
        return folder.appendingPathComponent("meshes").path
    }

    static func run(_ arguments: [String], in directory: String) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await offPool { try runBlocking(arguments, in: directory) }
    }

    static func runBlocking(_ arguments: [String], in directory: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    @Test func serveOverLoopback() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meshes-live-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let keys = try await Self.run(["keys", "create", "--json", "--db", "data/m.db"], in: folder)
        #expect(keys.status == 0)
        #expect(keys.stderr.contains("the secret key is shown only once"))
        let created = try JSONParser.parse(keys.stdout)
        let accessKey = try #require(created["access_key"]?.stringValue)
        let secret = try #require(created["secret_key"]?.stringValue)
        let org = try #require(created["org_id"]?.stringValue)
        #expect(KeyFormats.isAccessKey(accessKey) && KeyFormats.isSecret(secret) && KeyFormats.isOrgID(org))
        let listed = try await Self.run(["keys", "list", "--db", "data/m.db"], in: folder)
        #expect(listed.stdout.hasPrefix(accessKey + "\t"))
        #expect(!listed.stdout.contains(secret))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--port", "0", "--db", "data/m.db"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var banner = Data()
        let deadline = Date().addingTimeInterval(20)
        while !String(decoding: banner, as: UTF8.self).contains("\n"), Date() < deadline {
            banner.append(err.fileHandleForReading.availableData)
        }
        let line = String(decoding: banner, as: UTF8.self)
        let port = try #require(line.split(separator: ":").last.flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) })

        func send(_ method: String, _ path: String, _ body: String? = nil, auth: Bool = true) async throws -> (Int, String) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            if auth {
                let token = MachineJWT.mint(accessKey: accessKey, secret: secret, orgID: org, issuedAt: Int(Date().timeIntervalSince1970))
                request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
            }
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = body.map { Data($0.utf8) }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
        }
        let health = try await send("GET", "/healthz", auth: false)
        #expect(health.0 == 200)
        #expect(health.1 == #"{"status":"ok","version":"0.1.0"}"#)
        #expect(try await send("GET", "/api/v1/workspaces", auth: false).0 == 401)
        let workspace = try await send("POST", "/api/v1/workspaces", #"{"name":"Live test"}"#)
        #expect(workspace.0 == 201)
        let id = try #require(try JSONParser.parse(workspace.1)["workspace"]?["id"]?.stringValue)
        let event = try await send(
            "POST", "/api/v1/events", #"{"workspace":"\#(id)","event":"user.signup","payload":{"email":"ada@example.com"}}"#)
        #expect(event.0 == 201)
        #expect(try await send("GET", "/api/v1/events?limit=1").1.contains(#""count":1"#))

        process.terminate()  // SIGTERM: graceful shutdown
        await offPool { process.waitUntilExit() }
        #expect(process.terminationStatus == 0)
        let reopened = try await Self.run(
            ["emit", "--db", "data/m.db", "--workspace", id, "user.signup", "--payload", #"{"email":"b@example.com"}"#], in: folder)
        #expect(reopened.status == 0)
        #expect(reopened.stdout.contains(#""total_rules": 0"#))
        let rejected = try await Self.run(
            ["emit", "--db", "data/m.db", "--workspace", id, "user.signup", "--payload", #"{"email":""}"#], in: folder)
        #expect(rejected.status == 1)
        #expect(rejected.stdout.contains("invalid_payload"))
    }
}
