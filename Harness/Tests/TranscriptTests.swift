import AgentsMeshMCP
import Foundation
import HarnessReplayer
import MeshesMCP
import SharedCore
import SharedMCP
import Testing

/// Replays every transcript under `Harness/<server>/` against the built server, and checks that every
/// registered tool and resource appears in at least one transcript.
@Suite struct TranscriptTests {
    static let harness = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().path

    static var binaryFolder: URL {
        let exe = FileSystem.realPath("/proc/self/exe") ?? CommandLine.arguments[0]
        var folder = URL(fileURLWithPath: exe).deletingLastPathComponent()
        if folder.pathExtension == "xctest" { folder.deleteLastPathComponent() }
        return folder
    }

    static func transcripts(_ server: String) -> [String] {
        let folder = harness + "/" + server
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.sorted().map { folder + "/" + $0 }
    }

    static let agentsmesh = Replayer(
        command: binaryFolder.appendingPathComponent("agentsmesh").path, arguments: ["mcp"], fixtures: harness + "/fixtures",
        version: AgentsMeshServer.version)

    @Test(arguments: transcripts("agentsmesh").map { URL(fileURLWithPath: $0).lastPathComponent })
    func agentsmeshTranscriptReplays(name: String) throws {
        let failures = try Self.agentsmesh.replay(Self.harness + "/agentsmesh/" + name)
        for failure in failures { Issue.record(Comment(rawValue: failure.description)) }
    }

    /// `meshes mcp` in embedded mode on a fresh store in the transcript's folder; delivery off so statuses do
    /// not change between calls, and no credential variable from the test's environment.
    static let meshes = Replayer(
        command: binaryFolder.appendingPathComponent("meshes").path, arguments: ["mcp"], fixtures: harness + "/fixtures",
        version: MeshesMCPServer.version, environment: ["MESHES_DELIVERY": "off"],
        removing: ["MESHES_ACCESS_KEY", "MESHES_SECRET_KEY", "MESHES_ORG_ID", "MESHES_ORGANIZATION_ID", "MESHES_DB", "MESHES_MASTER_KEY"])

    @Test(arguments: transcripts("meshes").map { URL(fileURLWithPath: $0).lastPathComponent })
    func meshesTranscriptReplays(name: String) throws {
        let failures = try Self.meshes.replay(Self.harness + "/meshes/" + name)
        for failure in failures { Issue.record(Comment(rawValue: failure.description)) }
    }

    @Test func everyMeshesToolHasATranscript() throws {
        let (tools, _) = try Self.covered("meshes")
        let registered = MeshesOperations.all.map(\.name)
        #expect(registered.count == 33)
        let missing = registered.filter { !tools.contains($0) }
        #expect(missing.isEmpty, "meshes tools without a transcript line: \(missing)")
    }

    /// Tool names called and resource URIs read by a server's transcripts.
    static func covered(_ server: String) throws -> (tools: Set<String>, uris: [String]) {
        var tools = Set<String>()
        var uris: [String] = []
        for path in transcripts(server) {
            for (_, line) in try Replayer.lines(of: path) {
                guard let send = line["send"] else { continue }
                if send["method"] == "tools/call", let name = send["params"]?["name"]?.stringValue { tools.insert(name) }
                if send["method"] == "resources/read", let uri = send["params"]?["uri"]?.stringValue { uris.append(uri) }
            }
        }
        return (tools, uris)
    }

    @Test func everyToolAndResourceHasATranscript() throws {
        let server = AgentsMeshServer.definition(directory: "/")
        let (tools, uris) = try Self.covered("agentsmesh")
        let missingTools = server.tools.map(\.name).filter { !tools.contains($0) }
        #expect(missingTools.isEmpty, "tools without a transcript line: \(missingTools)")
        let missingResources = server.resources.filter { resource in
            !uris.contains { resource.isTemplate ? resource.arguments(for: $0) != nil : resource.uri == $0 }
        }.map(\.uri)
        #expect(missingResources.isEmpty, "resources without a transcript line: \(missingResources)")
    }
}
