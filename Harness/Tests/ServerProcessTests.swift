import Foundation
import HarnessReplayer
import SharedCore
import Testing

/// The server as a process: oversized frames, a client that dies mid-generate, two servers on one project.
@Suite struct ServerProcessTests {
    static let binary = TranscriptTests.binaryFolder.appendingPathComponent("agentsmesh").path

    static func project(rules: Int) throws -> String {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("am-proc-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: root + "/.agentsmesh/rules", withIntermediateDirectories: true)
        try Data("version: 1\ntargets: [claude-code, cursor, gemini-cli]\nfeatures: [rules]\n".utf8).write(
            to: URL(fileURLWithPath: root + "/agentsmesh.yaml"))
        try Data("---\nroot: true\n---\n# Root\n".utf8).write(to: URL(fileURLWithPath: root + "/.agentsmesh/rules/_root.md"))
        for index in 0..<rules {
            let text =
                "---\ndescription: Rule \(index)\nglobs: [\"src/m\(index)/**\"]\n---\n"
                + String(repeating: "Line of rule \(index).\n", count: 40)
            try Data(text.utf8).write(to: URL(fileURLWithPath: root + "/.agentsmesh/rules/r\(index).md"))
        }
        return FileSystem.realPath(root) ?? root
    }

    static func start(_ root: String) throws -> ServerProcess {
        let server = try ServerProcess(command: binary, arguments: ["mcp"], directory: root)
        try server.send(
            #"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#
        )
        _ = server.response(id: "0", timeout: 30)
        try server.send(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        return server
    }

    static func call(_ server: ServerProcess, id: Int, _ tool: String, _ arguments: String = "{}") throws -> JSONValue? {
        try server.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":\#(arguments)}}"#)
        return server.response(id: String(id), timeout: 60)?["result"]?["structuredContent"]
    }

    @Test func anOversizedFrameIsRefusedAndTheServerGoesOn() throws {
        let root = try Self.project(rules: 1)
        let server = try Self.start(root)
        defer { server.stop() }
        try server.send(
            #"{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"lint","arguments":{"x":""#
                + String(repeating: "a", count: 5 * 1024 * 1024) + #""}}}"#)
        let refused = server.response(id: nil, timeout: 30)
        #expect(refused?["error"]?["code"] == -32600)
        #expect(try Self.call(server, id: 10, "list_rules")?["rules"]?.arrayValue?.count == 2)
    }

    @Test func aClientThatDiesMidGenerateLeavesNoHalfWrittenOutput() throws {
        let root = try Self.project(rules: 400)
        let server = try Self.start(root)
        try server.send(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"generate","arguments":{}}}"#)
        usleep(40_000)
        kill(server.process.processIdentifier, SIGKILL)
        server.process.waitUntilExit()
        // Whatever is on disk now is either absent or complete: a fresh generate in a copy writes the same bytes.
        let reference = root + "-reference"
        try FileManager.default.copyItem(atPath: root, toPath: reference)
        let outputs = ["CLAUDE.md", "AGENTS.md", "GEMINI.md", ".claude/rules", ".cursor/rules", ".gemini"]
        for output in outputs { try? FileManager.default.removeItem(atPath: reference + "/" + output) }
        try? FileManager.default.removeItem(atPath: reference + "/.agentsmesh/.lock")
        try? FileManager.default.removeItem(atPath: reference + "/.agentsmesh/.generate.lock")
        let again = try Self.start(reference)
        #expect(try Self.call(again, id: 1, "generate")?["counts"] != nil)
        again.stop()
        var compared = 0
        for relative in FileSystem.walkFiles(root) where !relative.hasPrefix(".agentsmesh/") && !relative.contains(".agentsmesh-") {
            guard relative != "agentsmesh.yaml" else { continue }
            let left = FileManager.default.contents(atPath: root + "/" + relative)
            let right = FileManager.default.contents(atPath: reference + "/" + relative)
            #expect(left == right, "\(relative) is not the complete output")
            compared += 1
        }
        // And the interrupted project recovers: the next generate succeeds and check passes.
        let resumed = try Self.start(root)
        defer { resumed.stop() }
        #expect(try Self.call(resumed, id: 1, "generate")?["counts"] != nil)
        #expect(try Self.call(resumed, id: 2, "check")?["inSync"] == true)
        _ = compared
    }

    @Test func twoServersOnOneProjectAreSerialisedByTheGenerateLock() throws {
        let root = try Self.project(rules: 300)
        let first = try Self.start(root)
        let second = try Self.start(root)
        defer {
            first.stop()
            second.stop()
        }
        try first.send(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"generate","arguments":{}}}"#)
        try second.send(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"generate","arguments":{}}}"#)
        let outcomes = [first.response(id: "1", timeout: 60), second.response(id: "1", timeout: 60)].map {
            $0?["result"]?["structuredContent"]
        }
        let succeeded = outcomes.filter { $0?["counts"] != nil }.count
        let held = outcomes.filter { $0?["code"] == "LOCK_HELD" }.count
        #expect(succeeded >= 1 && succeeded + held == 2, "\(outcomes)")
        #expect(try Self.call(first, id: 2, "check")?["inSync"] == true)
    }
}
