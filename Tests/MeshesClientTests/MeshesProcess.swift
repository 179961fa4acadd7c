import Foundation
import MeshesClient
import SharedCore
import TestSupport
import Testing

/// The built `meshes` binary run as a child process: the CLI verbs, `meshes serve` on loopback, machine keys.
enum MeshesProcess {
    /// How a run ended and what it printed.
    struct Outcome {
        var status: Int32
        /// Killed by a signal (then `status` is the signal number).
        var signalled: Bool
        var stdout: String
        var stderr: String
    }

    static var binary: String {
        let exe = FileSystem.realPath("/proc/self/exe") ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: exe).deletingLastPathComponent()
        if folder.pathExtension == "xctest" { folder.deleteLastPathComponent() }
        return folder.appendingPathComponent("meshes").path
    }

    /// A fresh scratch folder.
    static func scratch(_ name: String) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs `meshes arguments…` in `folder` with exactly `environment`, standard input from `input` (a file path).
    static func run(_ arguments: [String], in folder: String, environment: [String: String] = [:], input: String? = nil)
        async throws -> Outcome
    {
        try await offPool { try runBlocking(arguments, in: folder, environment: environment, input: input) }
    }

    static func runBlocking(_ arguments: [String], in folder: String, environment: [String: String], input: String?) throws
        -> Outcome
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = environment
        // Files, not pipes: a chatty child never blocks on a full pipe.
        let out = folder + "/.stdout-\(UUID().uuidString)"
        let err = folder + "/.stderr-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        _ = FileManager.default.createFile(atPath: err, contents: nil)
        defer {
            try? FileManager.default.removeItem(atPath: out)
            try? FileManager.default.removeItem(atPath: err)
        }
        process.standardOutput = FileHandle(forWritingAtPath: out)
        process.standardError = FileHandle(forWritingAtPath: err)
        process.standardInput = input.flatMap { FileHandle(forReadingAtPath: $0) } ?? FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        return Outcome(
            status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
            stdout: String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self),
            stderr: String(decoding: FileManager.default.contents(atPath: err) ?? Data(), as: UTF8.self))
    }

    /// `meshes keys create --json` on `folder/meshes.db`: `{access_key, secret_key, org_id}`.
    static func createKey(in folder: String) async throws -> JSONValue {
        let outcome = try await run(["keys", "create", "--json", "--db", "meshes.db"], in: folder)
        return try JSONParser.parse(outcome.stdout)
    }

    /// `meshes serve --port 0 --no-delivery` on `folder/meshes.db`; the caller terminates the process.
    static func serve(in folder: String) throws -> (process: Process, port: Int) {
        let server = Process()
        server.executableURL = URL(fileURLWithPath: binary)
        server.arguments = ["serve", "--port", "0", "--db", "meshes.db", "--no-delivery"]
        server.currentDirectoryURL = URL(fileURLWithPath: folder)
        let err = Pipe()
        server.standardError = err
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        var banner = Data()
        let deadline = Date().addingTimeInterval(30)
        while !String(decoding: banner, as: UTF8.self).contains("\n"), Date() < deadline {
            banner.append(err.fileHandleForReading.availableData)
        }
        let port = String(decoding: banner, as: UTF8.self).split(separator: ":").last.flatMap {
            Int($0.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        guard let port else {
            server.terminate()
            throw MeshesProcessError(message: "meshes serve did not start: \(String(decoding: banner, as: UTF8.self))")
        }
        return (server, port)
    }

    /// The credential variables for a key from `createKey`, pointed at `port`.
    static func credentials(_ key: JSONValue, port: Int) -> [String: String] {
        [
            "MESHES_ACCESS_KEY": key["access_key"]?.stringValue ?? "", "MESHES_SECRET_KEY": key["secret_key"]?.stringValue ?? "",
            "MESHES_ORG_ID": key["org_id"]?.stringValue ?? "", "MESHES_API_URL": "http://127.0.0.1:\(port)",
        ]
    }
}

struct MeshesProcessError: Error {
    var message: String
}
