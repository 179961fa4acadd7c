import Foundation
import MeshesCore
import MeshesDelivery
import MeshesEngine
import MeshesTestSupport
import SharedCore
import Testing

/// A store, an API that delivers, and helpers that set up workspaces, connections and rules through the API.
struct Rig {
    /// Where the store is: a folder (SQLite) or a database URL (PostgreSQL); another `Rig` on the same place is
    /// another process sharing the store.
    let folder: String
    let store: any MeshesStore
    let engine: DeliveryEngine
    let api: MeshesAPI
    var orgID: String { store.defaultOrg.id }

    /// `clockOffset` shifts the delivery clock (milliseconds), as if this process ran later; `start: false` leaves
    /// the scheduler stopped until `engine.start()`.
    init(
        _ kind: StoreKind = .sqlite, allowPrivate: Bool = true, workers: Int = 8, folder: String? = nil, clockOffset: Int64 = 0,
        start: Bool = true, pollInterval: Double = 0.05
    ) async throws {
        let place: String
        if let folder { place = folder } else { place = try await kind.newPlace() }
        self.folder = place
        store = try await kind.open(place: place, sealer: Sealer(masterKey: Rig.sharedKey), maximumConnections: 8)
        var schedulerOptions = DeliveryScheduler.Options()
        schedulerOptions.pollInterval = pollInterval
        schedulerOptions.jitter = { 1.0 }
        schedulerOptions.clock = { Formats.nowMilliseconds() + clockOffset }
        engine = DeliveryEngine(
            store: store, egress: EgressOptions(allowHTTP: true, allowPrivate: allowPrivate), workers: workers,
            schedulerOptions: schedulerOptions)
        var options = MeshesAPI.Options()
        options.allowHTTP = true
        options.delivery = engine.scheduler
        api = MeshesAPI(store: store, options: options)
        if start { await engine.start() }
    }

    static let sharedKey = MasterKey.generate()

    @discardableResult
    func call(_ method: String, _ path: String, _ body: JSONValue? = nil) async -> APIResponse {
        let bytes = body.map { Array(JSONEmitter.compact($0).utf8) } ?? []
        return await api.handle(APIRequest(method: method, path: "/api/v1" + path, body: bytes), as: .embedded(orgID: orgID))
    }

    func workspace() async throws -> String {
        let response = await call("POST", "/workspaces", ["name": .string("ws-\(UUID().uuidString.prefix(8))")])
        return try #require(response.jsonBody?["workspace"]?["id"]?.stringValue, "\(String(decoding: response.body, as: UTF8.self))")
    }

    /// A webhook connection to `url` with extra metadata, and a rule for `event` on it. Returns (connection, rule).
    func webhook(_ workspace: String, url: String, event: String = "user.signup", metadata: JSONObject = [:]) async throws -> (
        String, String
    ) {
        var all: JSONObject = ["url": .string(url)]
        for (key, value) in metadata { all[key] = value }
        let connection = await call(
            "POST", "/connections",
            [
                "workspace": .string(workspace), "type": "webhook", "name": .string("hook-\(UUID().uuidString.prefix(8))"),
                "metadata": .object(all),
            ])
        let connectionID = try #require(
            connection.jsonBody?["connection"]?["id"]?.stringValue, "\(String(decoding: connection.body, as: UTF8.self))")
        let rule = await call(
            "POST", "/rules",
            [
                "workspace": .string(workspace), "connection": .string(connectionID), "event": .string(event),
                "metadata": ["action": "send_webhook"],
            ])
        let ruleID = try #require(rule.jsonBody?["rule"]?["id"]?.stringValue, "\(String(decoding: rule.body, as: UTF8.self))")
        return (connectionID, ruleID)
    }

    func emit(_ workspace: String, event: String = "user.signup", payload: JSONObject = ["email": "ada@example.com"]) async throws -> String
    {
        let response = await call(
            "POST", "/events", ["workspace": .string(workspace), "event": .string(event), "payload": .object(payload)])
        return try #require(response.jsonBody?["event"]?["id"]?.stringValue, "\(String(decoding: response.body, as: UTF8.self))")
    }

    /// Waits until `done` holds for the event (10 s at most) and returns it.
    func waitFor(_ eventID: String, timeout: Double = 10, _ done: (Event) -> Bool) async throws -> Event {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let event = try #require(try await store.event(orgID: orgID, id: eventID, includePayload: false))
            if done(event) || Date() > deadline { return event }
            try await Task.sleep(nanoseconds: 20_000_000)
        }
    }

    func settled(_ eventID: String, timeout: Double = 10) async throws -> Event {
        try await waitFor(eventID, timeout: timeout) { $0.status.isTerminal }
    }

    func attempts(_ eventID: String, _ ruleID: String) async throws -> [Attempt] {
        try await store.attempts(orgID: orgID, eventID: eventID, ruleID: ruleID, page: PageRequest(limit: 200)).records.sorted {
            $0.attemptNumber < $1.attemptNumber
        }
    }

    func connection(_ id: String) async throws -> Connection {
        try #require(try await store.connection(orgID: orgID, id: id))
    }
}

@Suite(.serialized) struct DeliveryTests {
    @Test(arguments: StoreKind.allCases) func retriesUntilDeliveredWithSignedBodiesTheReferenceLibraryAccepts(kind: StoreKind) async throws
    {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        let rig = try await Rig(kind)
        let secret = "whsec_" + Base64.encode([UInt8](repeating: 42, count: 32))
        let workspace = try await rig.workspace()
        let (_, rule) = try await rig.webhook(
            workspace, url: receiver.url("/fail/2"),
            metadata: ["hmac_algorithm": "sha256", "signing_secret": .string(secret), "retry_schedule": [0, 0, 0]])
        let eventID = try await rig.emit(workspace, payload: ["email": "ada@example.com", "plan": "pro"])
        let event = try await rig.settled(eventID)
        #expect(event.status == .completed)
        #expect(event.completedCount == 1)
        let attempts = try await rig.attempts(eventID, rule)
        #expect(attempts.map(\.outcomeCode) == ["rejected_server_error", "rejected_server_error", "delivered"])
        #expect(attempts.map(\.responseStatus) == [500, 500, 200])
        #expect(attempts.map(\.trigger) == ["scheduled", "scheduled", "scheduled"])
        #expect(attempts.first?.responseBody == "boom 1")
        #expect(attempts.first?.nextAttemptAt != nil)
        #expect(attempts.last?.nextAttemptAt == nil)
        let ruleEvent = try #require(event.ruleEvents.first)
        #expect(ruleEvent.attemptCount == 3)

        // The receiver saw the same webhook-id three times, each body signed over its own bytes.
        let received = await receiver.log.requests
        #expect(received.count == 3)
        #expect(Set(received.compactMap { $0.headers["webhook-id"] }) == [ruleEvent.id])
        #expect(received.map { $0.headers["user-agent"] } == Array(repeating: "Meshes-Engine/\(MeshesAPI.version)", count: 3))
        let last = try #require(received.last)
        let body = try JSONParser.parse(bytes: last.body)
        #expect(body["delivery"]?["attempt"]?.intValue == 3)
        #expect(body["payload"]?["plan"]?.stringValue == "pro")
        try Verification.check(received, secret: secret)
        await rig.engine.stop()
    }

    @Test(arguments: StoreKind.allCases) func goneSwitchesTheConnectionOffAndFailsItsPendingWork(kind: StoreKind) async throws {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        let rig = try await Rig(kind, start: false)
        let workspace = try await rig.workspace()
        let (connection, rule) = try await rig.webhook(workspace, url: receiver.url("/gone"), metadata: ["max_concurrency": 1])
        let first = try await rig.emit(workspace)
        let second = try await rig.emit(workspace)
        await rig.engine.start()
        let one = try await rig.settled(first)
        let two = try await rig.settled(second)
        #expect(one.status == .failed)
        #expect(two.status == .failed)
        let attempted = try await rig.attempts(first, rule).count + rig.attempts(second, rule).count
        #expect(attempted == 1)
        let lastErrors = Set([one, two].compactMap { $0.ruleEvents.first?.lastError })
        #expect(lastErrors.contains("connection_inactive:destination_gone"))
        let switchedOff = try await rig.connection(connection)
        #expect(!switchedOff.active)
        #expect(switchedOff.inactiveReason == "destination_gone")
        await rig.engine.stop()
    }

    @Test(arguments: StoreKind.allCases) func twentyCountedFailuresInARowSwitchTheConnectionOff(kind: StoreKind) async throws {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        let rig = try await Rig(kind)
        let workspace = try await rig.workspace()
        let (serverErrors, _) = try await rig.webhook(
            workspace, url: receiver.url("/fail/1000"), event: "a", metadata: ["retry_schedule": [], "max_concurrency": 1])
        let (unauthorized, _) = try await rig.webhook(
            workspace, url: receiver.url("/auth"), event: "b", metadata: ["retry_schedule": [], "max_concurrency": 1])
        var events: [String] = []
        for _ in 0..<20 {
            events.append(try await rig.emit(workspace, event: "a"))
            events.append(try await rig.emit(workspace, event: "b"))
        }
        for event in events { _ = try await rig.settled(event) }
        #expect(try await rig.connection(serverErrors).inactiveReason == "too_many_failures")
        #expect(try await rig.connection(unauthorized).inactiveReason == "authentication_invalid")
        // Re-activation clears the reason and the counter.
        let reactivated = await rig.call(
            "PUT", "/connections/\(serverErrors)",
            ["name": "again", "active": true, "metadata": ["url": .string(receiver.url("/ok")), "retry_schedule": []]])
        #expect(reactivated.status == 200)
        #expect(try await rig.connection(serverErrors).active)
        await rig.engine.stop()
    }

    @Test func timeoutsRedirectsHugeBodiesAndRateLimitsAreRecordedAsSuch() async throws {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        let rig = try await Rig()
        let workspace = try await rig.workspace()
        let cases: [(path: String, event: String, outcome: String, status: Int?)] = [
            ("/hang", "hang", "timeout", nil), ("/redirect", "redirect", "rejected_client_error", 302),
            ("/huge", "huge", "delivered", 200), ("/limited", "limited", "rate_limited", 429),
        ]
        var ids: [(String, String)] = []
        for item in cases {
            let (_, rule) = try await rig.webhook(
                workspace, url: receiver.url(item.path), event: item.event, metadata: ["retry_schedule": [], "timeout_seconds": 1])
            ids.append((try await rig.emit(workspace, event: item.event), rule))
        }
        for ((eventID, rule), item) in zip(ids, cases) {
            _ = try await rig.settled(eventID)
            let attempt = try #require(try await rig.attempts(eventID, rule).first)
            #expect(attempt.outcomeCode == item.outcome, "\(item.path)")
            #expect(attempt.responseStatus == item.status, "\(item.path)")
            switch item.path {
            case "/hang":
                #expect(attempt.message == "no complete response within 1 s")
                #expect((900...2500).contains(attempt.responseDurationMS))
            case "/redirect": #expect(attempt.message == "HTTP 302: redirects are not followed")
            case "/huge":
                #expect(attempt.responseTruncated)
                #expect(attempt.responseBody?.utf8.count == 20_000)
            default: #expect(attempt.responseHeaders?["retry-after"]?.stringValue == "1")
            }
        }
        // The redirect was not followed: /ok was never asked for.
        #expect(await receiver.log.requests.allSatisfy { $0.path != "/ok" })
        await rig.engine.stop()
    }

    @Test func privateDestinationsAreRefusedUnlessAllowed() async throws {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        let rig = try await Rig(allowPrivate: false)
        let workspace = try await rig.workspace()
        let (_, rule) = try await rig.webhook(workspace, url: receiver.url("/ok"), metadata: ["retry_schedule": []])
        let eventID = try await rig.emit(workspace)
        #expect(try await rig.settled(eventID).status == .failed)
        let attempt = try #require(try await rig.attempts(eventID, rule).first)
        #expect(attempt.outcomeCode == "network_error")
        #expect(attempt.message == "egress refused: 127.0.0.1 resolves to a loopback address")
        #expect(await receiver.log.requests.isEmpty)
        await rig.engine.stop()
    }

    @Test(arguments: StoreKind.allCases) func anExpiredLeaseIsRecordedAsInterruptedAndRunAgain(kind: StoreKind) async throws {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        let rig = try await Rig(kind, start: false)
        let workspace = try await rig.workspace()
        let (_, rule) = try await rig.webhook(workspace, url: receiver.url("/ok"), metadata: ["timeout_seconds": 1])
        let eventID = try await rig.emit(workspace)
        // A process claims the delivery and dies before recording anything.
        let claimed = try await rig.store.claimDue(owner: "dead-process", now: Formats.nowMilliseconds(), limit: 10)
        #expect(claimed.count == 1)
        #expect(try await rig.store.event(orgID: rig.orgID, id: eventID, includePayload: false)?.status == .processing)
        #expect(try await rig.store.recoverExpiredLeases(now: Formats.nowMilliseconds()) == 0)
        let recovered = try await rig.store.recoverExpiredLeases(now: Formats.nowMilliseconds() + 31_001)
        #expect(recovered == 1)
        let afterRecovery = try #require(try await rig.store.ruleEvent(orgID: rig.orgID, eventID: eventID, ruleID: rule))
        #expect(afterRecovery.status == .retrying)
        // The next process (31 s later) delivers it.
        let next = try await Rig(kind, folder: rig.folder, clockOffset: 31_001)
        let event = try await next.settled(eventID)
        #expect(event.status == .completed)
        let attempts = try await next.attempts(eventID, rule)
        #expect(attempts.map(\.outcomeCode) == ["internal_error", "delivered"])
        #expect(attempts.first?.message == "attempt interrupted")
        await next.engine.stop()
    }

    @Test(arguments: StoreKind.allCases) func manualRetryRunsOneAttemptInlineAndAnswersTheDocumentedRefusals(kind: StoreKind) async throws {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        let rig = try await Rig(kind)
        let workspace = try await rig.workspace()
        let (_, rule) = try await rig.webhook(workspace, url: receiver.url("/fail/1"), metadata: ["retry_schedule": []])
        let eventID = try await rig.emit(workspace)
        #expect(try await rig.settled(eventID).status == .failed)
        let retried = await rig.call("POST", "/events/\(eventID)/rules/\(rule)/retry")
        #expect(retried.status == 200)
        #expect(retried.jsonBody?["status"]?.stringValue == "completed")
        #expect(retried.jsonBody?["attempt_count"]?.intValue == 2)
        #expect(try await rig.attempts(eventID, rule).map(\.trigger) == ["scheduled", "manual"])
        #expect(try await rig.store.event(orgID: rig.orgID, id: eventID, includePayload: false)?.status == .completed)
        let again = await rig.call("POST", "/events/\(eventID)/rules/\(rule)/retry")
        #expect(again.status == 409)
        #expect(again.jsonBody?["error"]?.stringValue == "delivery_terminal")

        // A delivery due within 10 s is too early to retry by hand.
        let (_, slowRule) = try await rig.webhook(
            workspace, url: receiver.url("/fail/5"), event: "slow", metadata: ["retry_schedule": [8]])
        let slow = try await rig.emit(workspace, event: "slow")
        _ = try await rig.waitFor(slow) { $0.status == .retrying }
        let early = await rig.call("POST", "/events/\(slow)/rules/\(slowRule)/retry")
        #expect(early.status == 425)
        #expect(early.jsonBody?["error"]?.stringValue == "retry_too_early")
        await rig.engine.stop()
    }

    @Test(arguments: StoreKind.allCases) func twoProcessesOnOneStoreNeverRunADeliveryTwice(kind: StoreKind) async throws {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        let first = try await Rig(kind, workers: 4)
        let second = try await Rig(kind, workers: 4, folder: first.folder)
        let workspace = try await first.workspace()
        _ = try await first.webhook(workspace, url: receiver.url("/ok"), metadata: ["max_concurrency": 64])
        var ids: [String] = []
        for index in 0..<120 {
            ids.append(try await (index % 2 == 0 ? first : second).emit(workspace))
        }
        for id in ids { #expect(try await first.settled(id).status == .completed) }
        let counts = await receiver.log.countsByID
        #expect(counts.count == 120)
        #expect(counts.values.allSatisfy { $0 == 1 })
        await first.engine.stop()
        await second.engine.stop()
    }
}

/// Checks received webhooks with the Standard Webhooks reference library and recomputes `X-Meshes-Signature`
/// with Python's own hmac module.
enum Verification {
    static let script = #"""
        import base64, hashlib, hmac, json, sys
        from standardwebhooks.webhooks import Webhook
        secret = sys.argv[1]
        key = base64.b64decode(secret[len("whsec_"):])
        for line in sys.stdin:
            item = json.loads(line)
            headers, body = item["headers"], base64.b64decode(item["body"])
            Webhook(secret).verify(body, {k: headers[k] for k in ("webhook-id", "webhook-timestamp", "webhook-signature")})
            t = headers["webhook-timestamp"]
            mine = "t=%s,v1=%s" % (t, hmac.new(key, t.encode() + b"." + body, hashlib.sha256).hexdigest())
            print("ok" if mine == headers["x-meshes-signature"] else "mismatch " + mine)
        """#

    static func check(_ received: [Received], secret: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, secret]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        var lines = ""
        for item in received {
            var headers = JSONObject()
            for (name, value) in item.headers { headers[name.lowercased()] = .string(value) }
            lines += JSONEmitter.compact(["headers": .object(headers), "body": .string(Base64.encode(item.body))]) + "\n"
        }
        input.fileHandleForWriting.write(Data(lines.utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text == String(repeating: "ok\n", count: received.count), "\(text)")
    }
}

@Suite(.serialized) struct DestinationTests {
    @Test func slackDiscordAndAdapterCallsReachTheirURLs() async throws {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        let rig = try await Rig()
        let workspace = try await rig.workspace()
        func connect(_ type: String, _ metadata: JSONObject, event: String, rule: JSONObject) async throws -> String {
            let connection = await rig.call(
                "POST", "/connections",
                ["workspace": .string(workspace), "type": .string(type), "name": .string(type), "metadata": .object(metadata)])
            let id = try #require(
                connection.jsonBody?["connection"]?["id"]?.stringValue, "\(String(decoding: connection.body, as: UTF8.self))")
            let created = await rig.call(
                "POST", "/rules",
                ["workspace": .string(workspace), "connection": .string(id), "event": .string(event), "metadata": .object(rule)])
            return try #require(created.jsonBody?["rule"]?["id"]?.stringValue, "\(String(decoding: created.body, as: UTF8.self))")
        }
        _ = try await connect(
            "slack", ["webhook_url": .string(receiver.url("/slack")), "username": "meshes"], event: "user.signup",
            rule: ["action": "send_message", "id": "C1", "template": "New signup: {{ email }} <{{plan}}>"])
        // Only substituted values are escaped for Slack; the template's own `<` and `>` stay.
        _ = try await connect(
            "discord", ["webhook_url": .string(receiver.url("/discord"))], event: "user.signup",
            rule: ["action": "send_message", "title": "Signup", "template": "{{email}}"])
        _ = try await connect(
            "mailchimp", ["base_url": .string(receiver.url("/adapter")), "data_center": "us21", "api_key": "key-123"], event: "user.signup",
            rule: ["action": "add_to_list", "id": "list-9"])
        let eventID = try await rig.emit(workspace, payload: ["email": "ada@example.com", "plan": "pro & <beta>"])
        let event = try await rig.settled(eventID)
        #expect(event.status == .completed)
        let byPath = Dictionary(grouping: await receiver.log.requests, by: \.path)
        let slack = try #require(byPath["/slack"]?.first)
        #expect(
            String(decoding: slack.body, as: UTF8.self)
                == #"{"text":"New signup: ada@example.com <pro &amp; &lt;beta&gt;>","username":"meshes"}"#)
        let discord = try #require(byPath["/discord"]?.first)
        #expect(String(decoding: discord.body, as: UTF8.self) == #"{"content":"**Signup**\nada@example.com"}"#)
        let adapter = try #require(byPath["/adapter/actions/add_to_list"]?.first)
        #expect(adapter.headers["authorization"] == "Bearer key-123")
        let body = try JSONParser.parse(bytes: adapter.body)
        #expect(body["params"] == ["id": "list-9"])
        #expect(body["fields"]?["email"]?.stringValue == "ada@example.com")
        #expect(body["event"]?["payload"]?["plan"]?.stringValue == "pro & <beta>")
        #expect(body["delivery"]?["attempt"]?.intValue == 1)
        await rig.engine.stop()
    }

    @Test func anAdapterTypeWithoutBaseURLFailsAtOnceAsNotSupported() async throws {
        let rig = try await Rig()
        let workspace = try await rig.workspace()
        let connection = await rig.call(
            "POST", "/connections",
            ["workspace": .string(workspace), "type": "mailchimp", "name": "mc", "metadata": ["data_center": "us21", "api_key": "k"]])
        let connectionID = try #require(connection.jsonBody?["connection"]?["id"]?.stringValue)
        let rule = await rig.call(
            "POST", "/rules",
            [
                "workspace": .string(workspace), "connection": .string(connectionID), "event": "user.signup",
                "metadata": ["action": "add_to_list", "id": "l"],
            ])
        let ruleID = try #require(rule.jsonBody?["rule"]?["id"]?.stringValue)
        let eventID = try await rig.emit(workspace)
        #expect(try await rig.settled(eventID).status == .failed)
        let attempts = try await rig.attempts(eventID, ruleID)
        #expect(attempts.map(\.outcomeCode) == ["internal_error"])
        #expect(attempts.first?.message == "integration_not_supported")
        await rig.engine.stop()
    }

    @Test func aResponseCutShortIsANetworkError() async throws {
        let half = try HalfResponder()
        defer { half.stop() }
        let rig = try await Rig()
        let workspace = try await rig.workspace()
        let (_, rule) = try await rig.webhook(workspace, url: half.url("/cut"), metadata: ["retry_schedule": []])
        let eventID = try await rig.emit(workspace)
        #expect(try await rig.settled(eventID).status == .failed)
        let attempt = try #require(try await rig.attempts(eventID, rule).first)
        #expect(attempt.outcomeCode == "network_error")
        #expect(attempt.responseStatus == nil)
        await rig.engine.stop()
    }

    @Test(arguments: StoreKind.allCases) func cancellingARunningDeliveryEndsItCanceledWhenTheAttemptFails(kind: StoreKind) async throws {
        let receiver = try await Receiver.start()
        defer { receiver.stop() }
        let rig = try await Rig(kind)
        let workspace = try await rig.workspace()
        let (_, rule) = try await rig.webhook(workspace, url: receiver.url("/hang"), metadata: ["timeout_seconds": 1])
        let eventID = try await rig.emit(workspace)
        _ = try await rig.waitFor(eventID) { $0.ruleEvents.first?.status == .processing }
        let cancel = await rig.call("POST", "/events/\(eventID)/rules/\(rule)/cancel")
        #expect(cancel.status == 200)
        #expect(cancel.jsonBody?["status"]?.stringValue == "processing")
        let event = try await rig.settled(eventID)
        #expect(event.status == .canceled)
        #expect(try await rig.attempts(eventID, rule).map(\.outcomeCode) == ["timeout"])
        await rig.engine.stop()
    }
}
