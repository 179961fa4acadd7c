import Foundation
import MeshesClient
import MeshesEngine
import SharedCore
import TestSupport
import Testing

/// A store, the embedded client over it and one workspace.
private struct Sandbox {
    let folder: String
    let client: EmbeddedClient
    let workspace: String

    init(_ name: String) async throws {
        folder = try MeshesProcess.scratch(name)
        let store = try MeshesEngine.openStore(path: folder + "/meshes.db", environment: [:])
        client = EmbeddedClient(api: MeshesAPI(store: store), orgID: store.defaultOrg.id)
        let created = try await client.send(ClientRequest("POST", "/workspaces", body: ["name": "Backfill"]))
        workspace = try #require(created.json?["workspace"]?["id"]?.stringValue)
    }

    /// Events stored in the workspace, counted page by page.
    func eventCount() async throws -> Int {
        var count = 0
        var cursor: String?
        repeat {
            var query = [(name: "limit", value: "200")]
            if let cursor { query.append((name: "cursor", value: cursor)) }
            let page = try #require(try await client.send(ClientRequest("GET", "/workspaces/\(workspace)/events", query: query)).json)
            count += page["records"]?.arrayValue?.count ?? 0
            cursor = page["next_cursor"]?.stringValue
        } while cursor != nil
        return count
    }

    @discardableResult
    func write(_ lines: [String], to name: String) -> String {
        let path = folder + "/" + name
        _ = FileManager.default.createFile(atPath: path, contents: Data(lines.map { $0 + "\n" }.joined().utf8))
        return path
    }

    func read(_ name: String) -> String? {
        FileManager.default.contents(atPath: folder + "/" + name).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// C7's file: 1,050 lines, line 7 not JSON, line 9 with an empty payload.
private func c7Lines(_ workspace: String) -> [String] {
    (1...1050).map { line in
        switch line {
        case 7: return #"{"event": oops"#
        case 9: return #"{"workspace":"\#(workspace)","event":"user.signup","payload":{"email":""}}"#
        default: return #"{"workspace":"\#(workspace)","event":"user.signup","payload":{"n":\#(line)}}"#
        }
    }
}

/// The identity and batch keys computed from §8's formulas, independently of the pipeline.
private func identity(of path: String, workspace: String = "", batchSize: Int = 100) throws -> String {
    let bytes = try #require(FileManager.default.contents(atPath: path)).map { $0 }
    let window = 1 << 20
    var text = Array("\(bytes.count)\n".utf8) + bytes.prefix(window) + Array("\n".utf8) + bytes.suffix(window)
    text += Array("\n\(workspace)\n\(batchSize)".utf8)
    return SHA256.hex(text)
}

private func batchKey(_ identity: String, _ batch: Int, batchSize: Int = 100) -> String {
    "meshes-bf-" + SHA256.hex("\(identity):\(batchSize):\(batch)").prefix(32)
}

/// Byte offset just after line `line` of `lines` (each followed by a newline).
private func offset(after line: Int, _ lines: [String]) -> Int {
    lines.prefix(line).reduce(0) { $0 + $1.utf8.count + 1 }
}

/// What the pipeline sent: idempotency keys in order, and which answers were replays.
private actor SendLog {
    var keys: [String] = []
    var replayed: [String] = []
    var sleeps: [Double] = []
    func sent(_ key: String, replayed: Bool) {
        keys.append(key)
        if replayed { self.replayed.append(key) }
    }
    func slept(_ seconds: Double) { sleeps.append(seconds) }
}

/// One scripted answer for a send.
private enum Step: Sendable {
    /// Stores the batch, then loses the answer: 503.
    case storeThen503
    case status(Int, retryAfter: String?)
    case network
}

/// Forwards to the engine after each batch key's script of failures has been played, recording every send.
private struct ScriptedClient: MeshesClient {
    let inner: any MeshesClient
    let log: SendLog
    let script: Script
    var mode: String { "embedded" }

    actor Script {
        var steps: [String: [Step]]
        let everyKey: [Step]?
        init(_ steps: [String: [Step]], everyKey: [Step]? = nil) {
            self.steps = steps
            self.everyKey = everyKey
        }
        func next(_ key: String) -> Step? {
            if steps[key] == nil, let everyKey { steps[key] = everyKey }
            guard var queue = steps[key], !queue.isEmpty else { return nil }
            let step = queue.removeFirst()
            steps[key] = queue
            return step
        }
    }

    func send(_ request: ClientRequest) async throws(ClientFailure) -> ClientResponse {
        let key = request.headers.first { $0.name == "Idempotency-Key" }?.value ?? ""
        switch await script.next(key) {
        case .storeThen503:
            _ = try await inner.send(request)
            await log.sent(key, replayed: false)
            return ClientResponse(status: 503, headers: [], body: Array(#"{"message":"busy","error":"unavailable"}"#.utf8))
        case .status(let status, let retryAfter):
            await log.sent(key, replayed: false)
            return ClientResponse(
                status: status, headers: retryAfter.map { [("Retry-After", $0)] } ?? [],
                body: Array(#"{"message":"scripted \#(status)","error":"scripted"}"#.utf8))
        case .network:
            await log.sent(key, replayed: false)
            throw ClientFailure(.network, "connection reset")
        case nil:
            let response = try await inner.send(request)
            await log.sent(key, replayed: response.headers.contains { $0.name == "Idempotent-Replayed" && $0.value == "true" })
            return response
        }
    }

    func close() async {}
}

private func environment(_ log: SendLog, fault: BackfillFault? = nil) -> BackfillEnvironment {
    BackfillEnvironment(sleep: { await log.slept($0) }, random: { 0.5 }, now: { Clock.now() }, fault: fault)
}

private func checkpointJSON(_ text: String?) throws -> JSONValue {
    var value = try JSONParser.parse(try #require(text))
    #expect(DateText.isRFC3339(value["updated_at"]?.stringValue ?? ""))
    if case .object(var object) = value {
        object["updated_at"] = nil
        value = .object(object)
    }
    return value
}

@Suite(.serialized) struct BackfillTests {
    @Test func c7ResumesAfterACrashWithoutDuplicates() async throws {
        let sandbox = try await Sandbox("backfill-c7")
        let lines = c7Lines(sandbox.workspace)
        let file = sandbox.write(lines, to: "c7.jsonl")
        let id = try identity(of: file)
        let log = SendLog()
        let client = ScriptedClient(inner: sandbox.client, log: log, script: .init([:]))
        let options = BackfillOptions(file: file)
        let crash = BackfillFault(acknowledged: [0, 1, 2, 3, 4, 6], halt: {})
        do {
            _ = try await BackfillPipeline(options: options, client: client, environment: environment(log, fault: crash)).run()
            Issue.record("expected the fault to halt the run")
        } catch {
            #expect(error.kind == .halted)
        }
        let checkpoint = try checkpointJSON(sandbox.read("c7.jsonl.checkpoint"))
        #expect(
            checkpoint == [
                "version": 1, "file_identity": .string(id), "batch_size": 100, "next_batch": 5,
                "byte_offset": .int(offset(after: 502, lines)), "line": 502, "accepted": 500, "rejected": 2, "errors_offset": 0,
            ])
        #expect(Set(await log.keys) == Set([0, 1, 2, 3, 4, 6].map { batchKey(id, $0) }))

        var resume = options
        resume.resume = true
        let summary = try await BackfillPipeline(options: resume, client: client, environment: environment(log)).run()
        #expect(Array(await log.keys.dropFirst(6)).sorted() == (5...10).map { batchKey(id, $0) }.sorted())
        #expect(await log.replayed == [batchKey(id, 6)])
        #expect(try await sandbox.eventCount() == 1048)
        #expect(summary.linesRead == 1050)
        #expect(summary.accepted == 1048)
        #expect(summary.rejected == 2)
        #expect(summary.rejectedBeforeResume == 2)
        #expect(summary.batches == 6)
        #expect(summary.resumedAtBatch == 5)
        #expect(summary.exitCode == 1)
        #expect(summary.errorsFile == file + ".errors.jsonl")
        #expect(
            sandbox.read("c7.jsonl.errors.jsonl")
                == #"{"line":7,"reason":"invalid_json: unexpected character 'o' at column 11"}"# + "\n"
                + #"{"line":9,"reason":"payload must contain at least one non-empty value"}"# + "\n")
        #expect(sandbox.read("c7.jsonl.checkpoint") == nil)
    }

    @Test func aResumeLogsEachRejectedLineOnceAndKeepsEarlierRuns() async throws {
        let sandbox = try await Sandbox("backfill-resume-errors")
        var lines = c7Lines(sandbox.workspace)
        lines[799] = "not json"
        let file = sandbox.write(lines, to: "f.jsonl")
        let earlier = #"{"line":1,"reason":"from an earlier run"}"# + "\n"
        _ = sandbox.write([String(earlier.dropLast())], to: "f.jsonl.errors.jsonl")
        let log = SendLog()
        let client = ScriptedClient(inner: sandbox.client, log: log, script: .init([:]))
        let options = BackfillOptions(file: file)
        do {
            _ = try await BackfillPipeline(
                options: options, client: client,
                environment: environment(log, fault: BackfillFault(acknowledged: [0, 1, 2, 3, 4, 6], halt: {}))
            ).run()
            Issue.record("expected the fault to halt the run")
        } catch {
            #expect(error.kind == .halted)
        }
        let bad800 = #"{"line":800,"reason":"invalid_json: invalid literal at column 1"}"# + "\n"
        let first7and9 =
            #"{"line":7,"reason":"invalid_json: unexpected character 'o' at column 11"}"# + "\n"
            + #"{"line":9,"reason":"payload must contain at least one non-empty value"}"# + "\n"
        // The interrupted run read ahead of its checkpoint (line 502) and logged line 800 already.
        #expect(sandbox.read("f.jsonl.errors.jsonl") == earlier + first7and9 + bad800)
        #expect(try checkpointJSON(sandbox.read("f.jsonl.checkpoint"))["errors_offset"] == .int(earlier.utf8.count))

        var resume = options
        resume.resume = true
        let summary = try await BackfillPipeline(options: resume, client: client, environment: environment(log)).run()
        #expect(summary.rejected == 3)
        #expect(try await sandbox.eventCount() == 1047)
        #expect(sandbox.read("f.jsonl.errors.jsonl") == earlier + first7and9 + bad800)
    }

    @Test func c7ThroughTheBinaryExitsOne() async throws {
        let sandbox = try await Sandbox("backfill-c7-binary")
        let lines = c7Lines(sandbox.workspace)
        let file = sandbox.write(lines, to: "c7.jsonl")
        let arguments = ["backfill", "c7.jsonl", "--db", "meshes.db", "--json", "--no-progress"]
        let killed = try await MeshesProcess.run(
            arguments, in: sandbox.folder, environment: ["MESHES_BACKFILL_FAULT": "kill-after-batches:0,1,2,3,4,6"])
        #expect(killed.signalled && killed.status == 9, "\(killed)")
        let checkpoint = try checkpointJSON(sandbox.read("c7.jsonl.checkpoint"))
        #expect(checkpoint["next_batch"] == 5)
        #expect(checkpoint["byte_offset"] == .int(offset(after: 502, lines)))
        #expect(checkpoint["file_identity"] == .string(try identity(of: file)))
        let resumed = try await MeshesProcess.run(arguments + ["--resume"], in: sandbox.folder)
        #expect(resumed.status == 1, "\(resumed.stderr)")
        let summary = try JSONParser.parse(resumed.stdout)
        #expect(summary["accepted"] == 1048)
        #expect(summary["rejected"] == 2)
        #expect(summary["lines_read"] == 1050)
        #expect(summary["batches"] == 6)
        #expect(summary["resumed_at_batch"] == 5)
        #expect(summary["errors_file"] == "c7.jsonl.errors.jsonl")
        #expect(try await sandbox.eventCount() == 1048)
        #expect(
            sandbox.read("c7.jsonl.errors.jsonl")
                == #"{"line":7,"reason":"invalid_json: unexpected character 'o' at column 11"}"# + "\n"
                + #"{"line":9,"reason":"payload must contain at least one non-empty value"}"# + "\n")
        #expect(sandbox.read("c7.jsonl.checkpoint") == nil)
    }

    @Test func malformedLinesAreReportedByNumberAndNeverStopTheRun() async throws {
        let sandbox = try await Sandbox("backfill-malformed")
        let w = sandbox.workspace
        let valid = #"{"event":"user.signup","payload":{"email":"ada@example.com"}}"#
        // Exactly 1 MiB (accepted: trailing whitespace is JSON whitespace), then one byte more (too long).
        let atLimit = valid + String(repeating: " ", count: (1 << 20) - valid.utf8.count)
        var lines = [
            valid, "", "   \t", #"{"event": "#, "[1,2]", #""text""#, "{}", #"{"event":"a","payload":{}}"#,
            #"{"event":"a","payload":[1]}"#, #"{"event":"a","payload":{"email":"nope"}}"#, #"{"event":"","payload":{"a":1}}"#,
            #"{"event":"a","payload":{"a":1},"resource":"bad resource"}"#, #"{"workspace":"nope","event":"a","payload":{"a":1}}"#,
            atLimit, atLimit + " ", valid,
        ]
        lines.append(#"{"workspace":"\#(w)","event":"a","payload":{"a":1}}"#)
        var bytes = Array(lines.map { $0 + "\n" }.joined().utf8)
        bytes += [0x7B, 0x22, 0x65, 0xFF, 0x22, 0x7D, 0x0A]  // {"e\xFF"} : not UTF-8, line 18
        bytes += Array(valid.utf8)  // line 19, no final newline
        let file = sandbox.folder + "/bad.jsonl"
        _ = FileManager.default.createFile(atPath: file, contents: Data(bytes))
        var options = BackfillOptions(file: file)
        options.workspace = w.uppercased()
        options.batchSize = 2
        let log = SendLog()
        let client = ScriptedClient(inner: sandbox.client, log: log, script: .init([:]))
        let summary = try await BackfillPipeline(options: options, client: client, environment: environment(log)).run()
        #expect(summary.linesRead == 19)
        #expect(summary.accepted == 5)
        #expect(summary.rejectedLocal == 12)
        #expect(summary.rejectedServer == 0)
        #expect(summary.batches == 3)
        #expect(summary.exitCode == 1)
        #expect(try await sandbox.eventCount() == 5)
        let expected = [
            #"{"line":4,"reason":"invalid_json: unexpected end of input at column 11"}"#,
            #"{"line":5,"reason":"each event must be a JSON object"}"#,
            #"{"line":6,"reason":"each event must be a JSON object"}"#,
            #"{"line":7,"reason":"event is required"}"#,
            #"{"line":8,"reason":"payload must contain at least one non-empty value"}"#,
            #"{"line":9,"reason":"payload must be a JSON object"}"#,
            #"{"line":10,"reason":"payload.email must be a valid email address"}"#,
            #"{"line":11,"reason":"event must not be blank"}"#,
            #"{"line":12,"reason":"resource must be 1-64 characters from A-Z a-z 0-9 . _ : -"}"#,
            #"{"line":13,"reason":"workspace must be a UUID"}"#,
            #"{"line":15,"reason":"line too long"}"#,
            #"{"line":18,"reason":"invalid_json: line is not valid UTF-8"}"#,
        ]
        #expect(sandbox.read("bad.jsonl.errors.jsonl") == expected.map { $0 + "\n" }.joined())
    }

    @Test func withoutWorkspaceFlagALineWithoutOneIsRejected() async throws {
        let sandbox = try await Sandbox("backfill-noworkspace")
        let file = sandbox.write([#"{"event":"a","payload":{"a":1}}"#], to: "f.jsonl")
        var options = BackfillOptions(file: file)
        options.dryRun = true
        let summary = try await BackfillPipeline(options: options, client: nil).run()
        #expect(summary.rejectedLocal == 1)
        #expect(sandbox.read("f.jsonl.errors.jsonl") == #"{"line":1,"reason":"workspace is required"}"# + "\n")
    }

    @Test func theWorkspaceFlagFillsAbsentAndNullWorkspacesOnly() async throws {
        let sandbox = try await Sandbox("backfill-fill")
        let other = try #require(
            try await sandbox.client.send(ClientRequest("POST", "/workspaces", body: ["name": "Other"])).json?["workspace"]?["id"]?
                .stringValue)
        let file = sandbox.write(
            [
                #" {"event":"a","payload":{"a":1}}"#, #"{"workspace":null,"event":"a","payload":{"a":1}}"#,
                #"{"workspace":"\#(other)","event":"a","payload":{"a":1}}"#, "\u{FEFF}" + #"{"event":"a","payload":{"a":1}}"#,
            ], to: "f.jsonl")
        var options = BackfillOptions(file: file)
        options.workspace = sandbox.workspace
        let summary = try await BackfillPipeline(options: options, client: sandbox.client).run()
        #expect(summary.accepted == 4)
        #expect(summary.exitCode == 0)
        #expect(try await sandbox.eventCount() == 3)
        let page = try await sandbox.client.send(ClientRequest("GET", "/workspaces/\(other)/events"))
        #expect(page.json?["count"] == 1)
    }

    @Test func stormsOf429And503AreRetriedWithoutDuplicates() async throws {
        let sandbox = try await Sandbox("backfill-storm")
        let lines = (1...250).map { #"{"event":"user.signup","payload":{"n":\#($0)}}"# }
        let file = sandbox.write(lines, to: "storm.jsonl")
        let log = SendLog()
        let storm: [Step] = [
            .storeThen503, .status(429, retryAfter: "7"), .network, .status(429, retryAfter: "1000"), .status(502, retryAfter: nil),
        ]
        let client = ScriptedClient(inner: sandbox.client, log: log, script: .init([:], everyKey: storm))
        var options = BackfillOptions(file: file)
        options.workspace = sandbox.workspace
        options.concurrency = 1
        let summary = try await BackfillPipeline(options: options, client: client, environment: environment(log)).run()
        #expect(summary.accepted == 250)
        #expect(summary.retries == 15)
        #expect(summary.batches == 3)
        #expect(summary.exitCode == 0)
        // Full jitter pinned at 0.5: 0.5 x min(60, 2^attempt); Retry-After as given, capped at 300 s.
        #expect(await log.sleeps == Array(repeating: [0.5, 7, 2, 300, 8], count: 3).flatMap { $0 })
        let id = try identity(of: file, workspace: sandbox.workspace)
        #expect(await log.keys == (0...2).flatMap { Array(repeating: batchKey(id, $0), count: 6) })
        #expect(await log.replayed == (0...2).map { batchKey(id, $0) })
        #expect(try await sandbox.eventCount() == 250)
        #expect(sandbox.read("storm.jsonl.checkpoint") == nil)
        #expect(sandbox.read("storm.jsonl.errors.jsonl") == nil)
    }

    @Test func exhaustedRetriesAndAuthenticationFailuresAreFatalAndKeepTheCheckpoint() async throws {
        let sandbox = try await Sandbox("backfill-fatal")
        let lines = (1...300).map { #"{"event":"user.signup","payload":{"n":\#($0)}}"# }
        let file = sandbox.write(lines, to: "f.jsonl")
        let id = try identity(of: file, workspace: sandbox.workspace)
        var options = BackfillOptions(file: file)
        options.workspace = sandbox.workspace
        options.concurrency = 1
        options.maxRetries = 2
        let log = SendLog()
        let storm = ScriptedClient(
            inner: sandbox.client, log: log, script: .init([batchKey(id, 1): Array(repeating: .status(503, retryAfter: nil), count: 9)]))
        do {
            _ = try await BackfillPipeline(options: options, client: storm, environment: environment(log)).run()
            Issue.record("expected retries to run out")
        } catch {
            #expect(error.kind == .retriesExhausted)
            #expect(error.message == #"batch 1 failed after 2 retries: Meshes API 503: {"message":"scripted 503","error":"scripted"}"#)
        }
        #expect(await log.sleeps == [0.5, 1])
        var checkpoint = try checkpointJSON(sandbox.read("f.jsonl.checkpoint"))
        #expect(checkpoint["next_batch"] == 1)
        #expect(checkpoint["accepted"] == 100)

        let denied = ScriptedClient(inner: sandbox.client, log: log, script: .init([batchKey(id, 2): [.status(401, retryAfter: nil)]]))
        options.resume = true
        do {
            _ = try await BackfillPipeline(options: options, client: denied, environment: environment(log)).run()
            Issue.record("expected 401 to be fatal")
        } catch {
            #expect(error.kind == .authentication)
            #expect(error.message == #"batch 2: Meshes API 401: {"message":"scripted 401","error":"scripted"}"#)
        }
        #expect(await log.sleeps == [0.5, 1])
        checkpoint = try checkpointJSON(sandbox.read("f.jsonl.checkpoint"))
        #expect(checkpoint["next_batch"] == 2)
        #expect(checkpoint["accepted"] == 200)
        #expect(try await sandbox.eventCount() == 200)
    }

    @Test func resumingAnotherFileOrBatchSizeIsFatal() async throws {
        let sandbox = try await Sandbox("backfill-identity")
        let lines = (1...30).map { #"{"event":"user.signup","payload":{"n":\#($0)}}"# }
        let file = sandbox.write(lines, to: "f.jsonl")
        var options = BackfillOptions(file: file)
        options.workspace = sandbox.workspace
        options.batchSize = 10
        let log = SendLog()
        let client = ScriptedClient(inner: sandbox.client, log: log, script: .init([:]))
        do {
            _ = try await BackfillPipeline(
                options: options, client: client, environment: environment(log, fault: BackfillFault(acknowledged: [0], halt: {}))
            ).run()
        } catch {
            #expect(error.kind == .halted)
        }
        options.resume = true
        options.batchSize = 20
        do {
            _ = try await BackfillPipeline(options: options, client: client, environment: environment(log)).run()
            Issue.record("expected a mismatch")
        } catch {
            #expect(error.kind == .identityMismatch)
        }
        options.batchSize = 10
        sandbox.write(lines + [lines[0]], to: "f.jsonl")
        do {
            _ = try await BackfillPipeline(options: options, client: client, environment: environment(log)).run()
            Issue.record("expected a mismatch")
        } catch {
            #expect(error.kind == .identityMismatch)
        }
        #expect(try checkpointJSON(sandbox.read("f.jsonl.checkpoint"))["next_batch"] == 1)
        #expect(try await sandbox.eventCount() == 10)
    }

    @Test func dryRunSendsNothing() async throws {
        let sandbox = try await Sandbox("backfill-dry")
        let lines = (1...250).map { $0 == 100 ? "nope" : #"{"event":"user.signup","payload":{"n":\#($0)}}"# }
        let file = sandbox.write(lines, to: "f.jsonl")
        var options = BackfillOptions(file: file)
        options.workspace = sandbox.workspace
        options.dryRun = true
        let log = SendLog()
        let client = ScriptedClient(inner: sandbox.client, log: log, script: .init([:]))
        let summary = try await BackfillPipeline(options: options, client: client, environment: environment(log)).run()
        #expect(await log.keys.isEmpty)
        #expect(summary.mode == "dry-run")
        #expect(summary.accepted == 249)
        #expect(summary.rejectedLocal == 1)
        #expect(summary.batches == 3)
        #expect(try await sandbox.eventCount() == 0)
        #expect(sandbox.read("f.jsonl.checkpoint") == nil)
        #expect(sandbox.read("f.jsonl.errors.jsonl") == #"{"line":100,"reason":"invalid_json: invalid literal at column 1"}"# + "\n")
    }

    @Test func theBarAndTheSummaryReadAsTheSpecShowsThem() {
        let progress = BackfillProgress(
            bytesRead: 41_000, totalBytes: 100_000, bytesThisRun: 41_000, accepted: 48_200, acceptedThisRun: 48_200, rejected: 7,
            elapsed: 15.3)
        #expect(progress.bar == "[#####-------] 41% 48,200 events  3,150 ev/s  ETA 00:00:22  rejected 7")
        var summary = BackfillSummary(mode: "embedded")
        summary.linesRead = 1050
        summary.accepted = 1048
        summary.rejectedLocal = 2
        summary.batches = 11
        summary.elapsed = 0.5
        summary.errorsFile = "c7.jsonl.errors.jsonl"
        #expect(
            summary.text == """
                mode         embedded
                lines read   1,050
                accepted     1,048
                rejected     2 (local 2, server 0)
                batches      11
                retries      0
                elapsed      0.50 s
                events/s     0
                errors       c7.jsonl.errors.jsonl
                """)
    }

    @Test func standardInputTheEmitAliasAndRemoteModeThroughTheBinary() async throws {
        let folder = try MeshesProcess.scratch("backfill-remote")
        let key = try await MeshesProcess.createKey(in: folder)
        let (server, port) = try MeshesProcess.serve(in: folder)
        defer { if server.isRunning { server.terminate() } }
        var credentials = MeshesProcess.credentials(key, port: port)
        let remote = RemoteClient(
            RemoteClient.Configuration(
                accessKey: credentials["MESHES_ACCESS_KEY"] ?? "", secret: credentials["MESHES_SECRET_KEY"] ?? "",
                orgID: credentials["MESHES_ORG_ID"] ?? "", baseURL: "http://127.0.0.1:\(port)/api/v1"))
        let created = try await remote.send(ClientRequest("POST", "/workspaces", body: ["name": "Remote"]))
        let workspace = try #require(created.json?["workspace"]?["id"]?.stringValue)
        await remote.close()
        let lines = (1...250).map {
            $0 == 3 ? #"{"event":"a","payload":{"email":"x"}}"# : #"{"event":"user.signup","payload":{"n":\#($0)}}"#
        }
        _ = FileManager.default.createFile(atPath: folder + "/r.jsonl", contents: Data(lines.map { $0 + "\n" }.joined().utf8))

        // Remote: credentials from the environment, --api-url overriding MESHES_API_URL.
        credentials["MESHES_API_URL"] = "http://127.0.0.1:9"
        let sent = try await MeshesProcess.run(
            ["backfill", "r.jsonl", "--workspace", workspace, "--json", "--api-url", "http://127.0.0.1:\(port)"], in: folder,
            environment: credentials)
        #expect(sent.status == 1, "\(sent.stderr)")
        let summary = try JSONParser.parse(sent.stdout)
        #expect(summary["mode"] == "remote")
        #expect(summary["accepted"] == 249)
        #expect(summary["rejected_local"] == 1)
        #expect(!FileManager.default.fileExists(atPath: folder + "/.meshes"))

        // A wrong secret: 401 is fatal at once, exit 2, the checkpoint kept.
        var wrong = credentials
        wrong["MESHES_SECRET_KEY"] = String((credentials["MESHES_SECRET_KEY"] ?? "").reversed())
        let denied = try await MeshesProcess.run(
            ["backfill", "r.jsonl", "--workspace", workspace, "--concurrency", "1", "--api-url", "http://127.0.0.1:\(port)"], in: folder,
            environment: wrong)
        #expect(denied.status == 2)
        #expect(denied.stderr.hasPrefix("error: batch 0: Meshes API 401: "), "\(denied.stderr)")
        #expect(FileManager.default.fileExists(atPath: folder + "/r.jsonl.checkpoint"))

        // Incomplete credentials: exit 2 with the message, nothing read.
        let partial = try await MeshesProcess.run(["backfill", "r.jsonl"], in: folder, environment: ["MESHES_ACCESS_KEY": "mk_x"])
        #expect(partial.status == 2)
        #expect(partial.stderr.contains("missing: MESHES_SECRET_KEY, MESHES_ORG_ID"))

        // Embedded, through the `emit --bulk` alias and from standard input: the same store file `meshes serve` uses.
        let alias = try await MeshesProcess.run(
            ["emit", "--bulk", "r.jsonl", "--workspace", workspace, "--db", "meshes.db", "--errors", "alias.errors.jsonl"], in: folder)
        #expect(alias.status == 1, "\(alias.stderr)")
        #expect(alias.stdout.contains("accepted     249\n"), "\(alias.stdout)")
        #expect(alias.stdout.contains("errors       alias.errors.jsonl"))
        #expect(
            FileManager.default.contents(atPath: folder + "/alias.errors.jsonl")
                == Data((#"{"line":3,"reason":"payload.email must be a valid email address"}"# + "\n").utf8))
        let piped = try await MeshesProcess.run(
            ["backfill", "-", "--workspace", workspace, "--db", "meshes.db", "--json"], in: folder, input: folder + "/r.jsonl")
        #expect(piped.status == 1, "\(piped.stderr)")
        #expect(try JSONParser.parse(piped.stdout)["accepted"] == 249)
        #expect(FileManager.default.fileExists(atPath: folder + "/meshes-backfill.errors.jsonl"))
        let noResume = try await MeshesProcess.run(["backfill", "-", "--resume", "--db", "meshes.db"], in: folder)
        #expect(noResume.status == 2)
        #expect(noResume.stderr == "error: --resume needs a file: standard input cannot be resumed\n")
        let store = try MeshesEngine.openStore(path: folder + "/meshes.db", environment: [:])
        let page = try await EmbeddedClient(api: MeshesAPI(store: store), orgID: store.defaultOrg.id).send(
            ClientRequest("GET", "/workspaces/\(workspace)/events", query: [("limit", "1")]))
        #expect(page.status == 200)
    }

    @Test func aMillionLinesStreamThroughTheReader() async throws {
        let folder = try MeshesProcess.scratch("backfill-large")
        let path = folder + "/large.jsonl"
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try #require(FileHandle(forWritingAtPath: path))
        var chunk = ""
        for line in 1...1_000_000 {
            chunk += line % 100_000 == 0 ? "x\n" : #"{"event":"e","payload":{"n":\#(line)}}"# + "\n"
            if chunk.utf8.count > 1 << 20 {
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        handle.write(Data(chunk.utf8))
        try handle.close()
        let run = try await MeshesProcess.run(
            ["backfill", "large.jsonl", "--dry-run", "--json", "--workspace", "3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b"], in: folder)
        #expect(run.status == 1, "\(run.stderr)")
        let summary = try JSONParser.parse(run.stdout)
        #expect(summary["lines_read"] == 1_000_000)
        #expect(summary["accepted"] == 999_990)
        #expect(summary["rejected_local"] == 10)
        #expect(summary["batches"] == 10_000)
        try? FileManager.default.removeItem(atPath: folder)
    }
}
