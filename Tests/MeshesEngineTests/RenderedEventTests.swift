import Foundation
import GRDB
import MeshesTestSupport
import SharedCore
import Testing

@testable import MeshesCore
@testable import MeshesEngine

/// The SQLite store writes event reads straight from its rows (`renderedEvent`, `renderedEvents`): the bytes must be
/// exactly those of decoding the rows into values and writing those, for every kind of value a row can hold.
@Suite struct RenderedEventTests {
    /// A workspace with two rules on `user.signup` (two rule events per such event) and events whose rows are then
    /// edited into every status, optional member and awkward text.
    func filledStore() async throws -> (TestEngine, SQLiteStore, String, [String]) {
        let engine = try await TestEngine(.sqlite)
        let store = try #require(engine.sqlite)
        let workspace = try await engine.workspace()
        _ = try await engine.rule(workspace, try await engine.webhook(workspace, name: "first"), event: "user.signup")
        _ = try await engine.rule(workspace, try await engine.webhook(workspace, name: "second"), event: "user.signup")
        var ids: [String] = []
        let records = [
            IngestRecord(event: "user.signup", payload: ["plan": "pro", "name": "Zoë \"Z\" \\ ✓", "n": 1]),
            IngestRecord(event: "order.paid", payload: ["total": .double(12.5)], resource: "order", resourceID: "o/1\\2\n"),
            IngestRecord(event: "user.signup", payload: ["emoji": "🎉", "tab": "a\tb"], resource: "user", resourceID: "ü-1"),
            IngestRecord(event: "plain", payload: [:]),
        ]
        for index in 0..<23 {
            let event = try await store.ingest(
                orgID: engine.orgID, workspaceID: workspace, record: records[index % records.count], createdBy: "mk_\(index % 3)")
            ids.append(event.id)
        }
        try await store.pool.write { db in
            // Every status, started/completed times, last errors with escapes and control characters, several
            // events in the same millisecond (the cursor's tie-break on id), a status the decoder does not know.
            try db.execute(sql: "UPDATE events SET created_at = 1767225600000 WHERE seq % 5 = 0")
            try db.execute(
                sql: """
                    UPDATE rule_events SET status = 'failed', attempt_count = 3, started_at = 1767225600123,
                        completed_at = 1767225601999, next_attempt_at = NULL, last_error = 'HTTP 500: "bad"' || char(10) || char(1) || '€'
                    WHERE seq % 3 = 0
                    """)
            try db.execute(sql: "UPDATE rule_events SET status = 'retrying', attempt_count = 1, next_attempt_at = 0 WHERE seq % 3 = 1")
            try db.execute(sql: "UPDATE rule_events SET status = 'someday' WHERE seq = 2")
            try db.execute(
                sql: """
                    UPDATE events SET status = 'processing', started_at = 1767225600100, completed_count = 1, failed_count = 2,
                        canceled_count = 3 WHERE seq % 4 = 1
                    """)
            try db.execute(sql: "UPDATE events SET status = 'completed', completed_at = 253402300799999 WHERE seq % 4 = 2")
            // Text that is not valid UTF-8 (written by hand into the file): read with replacement characters.
            try db.execute(sql: "UPDATE events SET created_by = CAST(x'6d6b5fff5f41' AS TEXT) WHERE seq = 7")
        }
        return (engine, store, workspace, ids)
    }

    func expectedPage(_ store: SQLiteStore, _ org: String, _ workspace: String?, _ filter: EventFilter, _ page: PageRequest) async throws
        -> String
    {
        let events = try await store.listEvents(orgID: org, workspaceID: workspace, filter: filter, page: page)
        var writer = JSONWriter()
        events.write(to: &writer) { $0.write(to: &$1) }
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test func pagesAreTheBytesOfTheDecodedEvents() async throws {
        let (engine, store, workspace, _) = try await filledStore()
        let filters = [
            EventFilter(), EventFilter(event: "user.signup"), EventFilter(resource: "order", resourceID: "o/1\\2\n"),
            EventFilter(event: "none"), EventFilter(status: .completed),
        ]
        var pages = 0
        for workspaceID in [workspace, nil] {
            for filter in filters {
                for limit in [1, 2, 7, 50] {
                    var page = PageRequest(limit: limit)
                    while true {
                        let expected = try await expectedPage(store, engine.orgID, workspaceID, filter, page)
                        let rendered = try await store.renderedEvents(
                            orgID: engine.orgID, workspaceID: workspaceID, filter: filter, page: page)
                        #expect(String(decoding: rendered, as: UTF8.self) == expected)
                        pages += 1
                        guard let next = try JSONParser.parse(bytes: rendered)["next_cursor"]?.stringValue else { break }
                        page.after = Cursor(encoded: next)
                        #expect(page.after != nil)
                    }
                }
            }
        }
        #expect(pages > 60)
        // The page holds what the writes above made: the replacement character, escapes, all statuses.
        let all = String(
            decoding: try await store.renderedEvents(
                orgID: engine.orgID, workspaceID: workspace, filter: EventFilter(), page: PageRequest(limit: 50)),
            as: UTF8.self)
        for fragment in [#""count":23"#, "mk_\u{FFFD}_A", #"\"bad\"\n\u0001€"#, #""status":"retrying""#, #""status":"processing""#, "ü-1"] {
            #expect(all.contains(fragment), "\(fragment)")
        }
    }

    @Test func oneEventIsTheBytesOfTheDecodedEventWithAndWithoutItsPayload() async throws {
        let (engine, store, _, ids) = try await filledStore()
        for id in ids {
            for payload in [false, true] {
                let event = try #require(try await store.event(orgID: engine.orgID, id: id, includePayload: payload))
                var writer = JSONWriter()
                event.write(to: &writer, includePayload: payload)
                let rendered = try #require(try await store.renderedEvent(orgID: engine.orgID, id: id, includePayload: payload))
                #expect(String(decoding: rendered.json, as: UTF8.self) == String(decoding: writer.bytes, as: UTF8.self))
                #expect(rendered.workspaceID == event.workspaceID)
                #expect(rendered.resource == event.resource)
                #expect(rendered.resourceID == event.resourceID)
            }
        }
        #expect(try await store.renderedEvent(orgID: engine.orgID, id: "no-such-event", includePayload: false) == nil)
        #expect(try await store.renderedEvent(orgID: "another-org", id: ids[0], includePayload: false) == nil)
    }

    @Test func theAPIAnswersWithTheRenderedBytes() async throws {
        let (engine, store, workspace, ids) = try await filledStore()
        let response = await engine.call("GET", "/api/v1/events/\(ids[2])")
        #expect(response.status == 200)
        let event = try #require(try await store.event(orgID: engine.orgID, id: ids[2], includePayload: false))
        #expect(response.jsonBody == event.json())
        #expect(response.jsonBody?["rule_events"]?.arrayValue?.count == 2)
        let payload = await engine.call("GET", "/api/v1/events/\(ids[2])/payload")
        #expect(payload.jsonBody?["payload"]?["emoji"]?.stringValue == "🎉")
        let list = await engine.call("GET", "/api/v1/workspaces/\(workspace)/events?limit=3")
        #expect(list.status == 200)
        #expect(list.text == (try await expectedPage(store, engine.orgID, workspace, EventFilter(), PageRequest(limit: 3))))
        #expect(await engine.call("GET", "/api/v1/events/\(UUID().uuidString.lowercased())").status == 404)
    }
}
