import Foundation
import MeshesClient
import SharedCore
import TestSupport
import Testing

/// The built `meshes` binary run as a child process: the CLI verbs, `meshes serve` on loopback, machine keys.
enum MeshesProcess {
    typealias Outcome = ChildOutcome

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
        try await runChild(binary, arguments, in: folder, environment: environment, input: input)
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
