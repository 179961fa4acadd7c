import Foundation
import MeshesMCP
import SharedCore
import SharedMCP
import Testing

/// `meshes mcp` in embedded mode delivers while it runs, and its retry tool runs a real manual attempt.
@Suite struct MCPDeliveryTests {
    @Test func theEmbeddedServerDeliversAndRetriesForReal() async throws {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("meshes-mcp-delivery-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let opened = try await OpenedClient.open(
            environment: ["MESHES_DB": folder + "/meshes.db", "MESHES_ALLOW_HTTP": "1", "MESHES_ALLOW_PRIVATE_EGRESS": "1"], delivers: true)
        let server = MeshesMCPServer.definition(client: opened.client)
        func call(_ tool: String, _ arguments: JSONObject) async throws -> JSONValue {
            let outcome = await MCPDispatcher.call(server, name: tool, arguments: arguments)
            #expect(!outcome.isError, "\(tool): \(outcome.text ?? "")")
            let text = outcome.text ?? ""
            let json = text.hasPrefix("Event emitted") ? String(text[text.range(of: "\n\n")!.upperBound...]) : text
            return try JSONParser.parse(json)
        }
        let workspace = try #require(try await call("meshes_create_workspace", ["name": "Delivering"])["workspace"]?["id"])
        // The first request of each delivery fails (500); the next retry is a minute away.
        let connection = try #require(
            try await call(
                "meshes_create_connection",
                [
                    "workspace": workspace, "type": "webhook", "name": "flaky",
                    "metadata": ["url": .string(receiver.url("/fail/1")), "retry_schedule": [60]],
                ])["connection"]?["id"])
        let rule = try #require(
            try await call(
                "meshes_create_rule", ["workspace": workspace, "connection": connection, "event": "order.paid", "action": "send_webhook"])[
                    "rule"]?["id"])
        let event = try #require(
            try await call("meshes_emit_event", ["workspace": workspace, "event": "order.paid", "payload": ["total": 42]])["event"]?["id"])

        var status = ""
        for _ in 0..<500 where status != "retrying" {
            status = try await call("meshes_get_event", ["event_id": event])["rule_events"]?.arrayValue?.first?["status"]?.stringValue ?? ""
            if status != "retrying" { try await Task.sleep(nanoseconds: 20_000_000) }
        }
        #expect(status == "retrying", "the scheduler did not run the first attempt")

        let retried = try await call("meshes_retry_event_rule", ["event_id": event, "rule_id": rule])
        #expect(retried["status"] == "completed")
        #expect(retried["attempt_count"] == 2)
        let attempts = await receiver.log.requests.filter { $0.path == "/fail/1" }
        #expect(attempts.count == 2)
        // Both requests carry the same delivery (the rule event), as the receiver's de-duplication needs.
        let deliveries = attempts.map { (try? JSONParser.parse(bytes: $0.body))?["delivery"]?["id"]?.stringValue ?? "" }
        #expect(Set(deliveries).count == 1 && !deliveries[0].isEmpty)
        await opened.close()
    }
}
