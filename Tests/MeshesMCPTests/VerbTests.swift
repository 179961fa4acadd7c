import Foundation
import SharedCore
import TestSupport
import Testing

/// The resource verbs of the `meshes` binary, embedded on a fresh store: the same operations as the tools,
/// printed for people (rows) or scripts (`--json`), with the exit codes of a real tool.
@Suite struct VerbTests {
    static var binary: String {
        let exe = FileSystem.realPath("/proc/self/exe") ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: exe).deletingLastPathComponent()
        if folder.pathExtension == "xctest" { folder.deleteLastPathComponent() }
        return folder.appendingPathComponent("meshes").path
    }

    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meshes-verbs-\(UUID().uuidString)").path

    func meshes(_ arguments: String...) async throws -> (status: Int32, out: String, err: String) { try await meshes(arguments) }

    func meshes(_ arguments: [String]) async throws -> (status: Int32, out: String, err: String) {
        try await offPool { [self] in try meshesBlocking(arguments) }
    }

    func meshesBlocking(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = arguments + ["--db", folder + "/meshes.db"]
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        var environment = ProcessInfo.processInfo.environment
        for name in ["MESHES_ACCESS_KEY", "MESHES_SECRET_KEY", "MESHES_ORG_ID", "MESHES_ORGANIZATION_ID", "MESHES_DB"] {
            environment[name] = nil
        }
        environment["MESHES_DELIVERY"] = "off"
        process.environment = environment
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, stdout, stderr)
    }

    @Test func aWorkspaceToAnEventFromTheShell() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let created = try await meshes("workspaces", "create", "--name", "Shell demo", "--json")
        #expect(created.status == 0, "\(created.err)")
        let workspace = try #require(try JSONParser.parse(created.out)["workspace"]?["id"]?.stringValue)

        let listed = try await meshes("workspaces", "list")
        #expect(listed.status == 0)
        let row = try #require(listed.out.split(separator: "\n").first)
        #expect(row.hasPrefix(workspace + "  Shell demo  "))
        #expect(listed.out.split(separator: "\n").count == 1)

        let connection = try await meshes(
            "connections", "create", "--workspace", workspace, "--type", "webhook", "--name", "hook", "--metadata",
            #"{"url":"https://hooks.example.com/a"}"#, "--json")
        #expect(connection.status == 0, "\(connection.err)")
        let connectionID = try #require(try JSONParser.parse(connection.out)["connection"]?["id"]?.stringValue)
        let rule = try await meshes(
            "rules", "create", "--workspace", workspace, "--connection", connectionID, "--event", "user.signup", "--action", "send_webhook",
            "--extra", "id=list-7", "--json")
        #expect(rule.status == 0, "\(rule.err)")
        let ruleJSON = try JSONParser.parse(rule.out)["rule"]
        #expect(ruleJSON?["metadata"] == ["action": "send_webhook", "id": "list-7"])
        let ruleID = try #require(ruleJSON?["id"]?.stringValue)

        let emitted = try await meshes(
            "events", "emit", "--workspace", workspace, "user.signup", "--payload", #"{"email":"ada@example.com"}"#)
        #expect(emitted.status == 0, "\(emitted.err)")
        let firstLine = try #require(emitted.out.split(separator: "\n").first)
        #expect(firstLine.hasPrefix("Event emitted successfully. ID: "))
        let eventID = String(firstLine.dropFirst("Event emitted successfully. ID: ".count))

        let shown = try await meshes("events", "get", eventID, "--json")
        #expect(try JSONParser.parse(shown.out)["rule_events"]?.arrayValue?.first?["rule"]?.stringValue == ruleID)

        // The retry rules hold from the shell too: a pending delivery due now is too early (425 → exit 1).
        let early = try await meshes("events", "retry", eventID, ruleID)
        #expect(early.status == 1)
        #expect(
            early.err == #"error: Meshes API 425: {"message":"The delivery is due or running; try again later","error":"retry_too_early"}"#
                + "\n")
        #expect(early.out.isEmpty)

        let refused = try await meshes("connections", "delete", connectionID)
        #expect(refused.status == 1)
        #expect(refused.err.contains(#""error":"connection_has_rules""#))
        let forced = try await meshes("connections", "delete", connectionID, "--force", "--json")
        #expect(forced.status == 0)
        #expect(try JSONParser.parse(forced.out) == ["id": .string(connectionID), "type": "webhook"])

        let bad = try await meshes("workspaces", "get", "not-a-uuid")
        #expect(bad.status == 1)
        #expect(bad.err == "error: Invalid arguments for meshes_get_workspace: workspace_id: must be a UUID\n")
        let badJSON = try await meshes(
            "connections", "create", "--workspace", workspace, "--type", "webhook", "--name", "x", "--metadata", "{oops")
        #expect(badJSON.status == 64)
        #expect(badJSON.err.contains("--metadata is not valid JSON"))
    }

    @Test func everyVerbHasHelp() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for verb in [
            ["workspaces", "events"], ["connections", "set-mapping"], ["rules", "create"], ["events", "retry"], ["events", "emit-bulk"],
            ["sessions", "create"], ["integrations", "list"], ["mcp"],
        ] {
            let help = try await meshes(verb + ["--help"])
            #expect(help.status == 0, "\(verb)")
            #expect(help.out.contains("USAGE: meshes " + verb.joined(separator: " ")), "\(verb): \(help.out.prefix(200))")
        }
    }
}
