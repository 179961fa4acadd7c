public import Foundation
public import SharedCore
internal import SharedMCP
internal import SharedPlatform

/// Replays JSON-RPC transcripts against a real server process (see `Harness/README.md` for the format).
public struct Replayer: Sendable {
    /// One mismatch: where in the transcript, and what differed.
    public struct Failure: Sendable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var message: String

        public var description: String { "\(file):\(line): \(message)" }
    }

    /// The server binary and its arguments (e.g. `agentsmesh`, `["mcp"]`).
    public let command: String
    public let arguments: [String]
    /// The folder holding `<fixture>/` project trees.
    public let fixtures: String
    /// `{{version}}` in expectations.
    public let version: String
    /// Variables set for the server (over the test's environment); `removing` names variables it must not see.
    public let environment: [String: String]
    public let removing: [String]

    public init(
        command: String, arguments: [String], fixtures: String, version: String, environment: [String: String] = [:],
        removing: [String] = []
    ) {
        self.command = command
        self.arguments = arguments
        self.fixtures = fixtures
        self.version = version
        self.environment = environment
        self.removing = removing
    }

    /// The lines of a transcript, parsed, with their 1-based numbers.
    public static func lines(of path: String) throws -> [(number: Int, value: JSONValue)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var out: [(Int, JSONValue)] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            out.append((index + 1, try JSONParser.parse(bytes: Array(line.utf8))))
        }
        return out
    }

    /// Replays one transcript in a fresh copy of its fixture; returns every mismatch (empty: it passed).
    public func replay(_ transcript: String) throws -> [Failure] {
        let name = URL(fileURLWithPath: transcript).lastPathComponent
        let lines = try Self.lines(of: transcript)
        let fixture = lines.first?.value["fixture"]?.stringValue ?? "basic"
        let project = try Self.copyFixture(fixtures + "/" + fixture)
        defer { try? FileManager.default.removeItem(atPath: project) }
        var variables = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        for name in removing { variables[name] = nil }
        let server = try ServerProcess(command: command, arguments: arguments, directory: project, environment: variables)
        defer { server.stop() }
        var failures: [Failure] = []
        var captures: [String: String] = [:]
        for (number, line) in lines {
            func fail(_ message: String) { failures.append(Failure(file: name, line: number, message: message)) }
            if let write = line["write"] {
                let path = project + "/" + (write["path"]?.stringValue ?? "")
                var text = write["text"]?.stringValue ?? ""
                text = text.replacingOccurrences(of: "{{now}}", with: Clock.isoNow())
                text = text.replacingOccurrences(of: "{{hostname}}", with: Platform.hostname)
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(text.utf8).write(to: URL(fileURLWithPath: path))
                continue
            }
            if let remove = line["remove"]?.stringValue {
                try? FileManager.default.removeItem(atPath: project + "/" + remove)
                continue
            }
            let frame: String
            var id: String?
            if let raw = line["send_raw"]?.stringValue {
                frame = raw
            } else if let send = line["send"] {
                let request = Placeholders.substitute(send, captures)
                frame = JSONEmitter.compact(request)
                id = request["id"].map { JSONEmitter.compact($0) }
            } else {
                continue
            }
            try server.send(frame)
            guard let expected = line["expect"] else { continue }
            guard let response = server.response(id: id, timeout: 60) else {
                fail("no response within 60 s to \(frame.prefix(200))")
                break
            }
            if let path = Placeholders.matches(expected, response, captures: &captures, version: version) {
                fail(
                    "mismatch at \(path)\n  expected: \(JSONEmitter.compact(Placeholders.substitute(expected, captures)))\n  got:      \(JSONEmitter.compact(response))"
                )
            }
        }
        return failures
    }

    static func copyFixture(_ source: String) throws -> String {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("harness-\(UUID().uuidString)").path
        if FileManager.default.fileExists(atPath: source) {
            try FileManager.default.copyItem(atPath: source, toPath: base)
        } else {
            try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        }
        return FileSystem.realPath(base) ?? base
    }
}

/// The server under test: stdin for frames, stdout read line by line with a timeout.
public final class ServerProcess {
    public let process = Process()
    let input = Pipe()
    let output = Pipe()
    private var buffer: [UInt8] = []

    public init(command: String, arguments: [String], directory: String, environment: [String: String]? = nil) throws {
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    public func send(_ frame: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((frame + "\n").utf8))
    }

    /// The next response frame with this id (any response when `id` is nil); nil on timeout or EOF.
    public func response(id: String?, timeout: Double) -> JSONValue? {
        let deadline = Clock.now() + timeout
        while let line = nextLine(deadline: deadline) {
            guard let value = try? JSONParser.parse(bytes: Array(line.utf8)), value["method"] == nil else { continue }
            if let id, value["id"].map({ JSONEmitter.compact($0) }) != id { continue }
            return value
        }
        return nil
    }

    private func nextLine(deadline: Double) -> String? {
        let fd = output.fileHandleForReading.fileDescriptor
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[..<newline], as: UTF8.self)
                buffer.removeSubrange(...newline)
                return line
            }
            let remaining = Int32(max(0, (deadline - Clock.now()) * 1000))
            guard remaining > 0 else { return nil }
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, remaining) > 0 else { return nil }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { SharedPlatform.read(fd, $0.baseAddress, $0.count) }
            guard count > 0 else { return nil }
            buffer += chunk[..<count]
        }
    }

    public func stop() {
        try? input.fileHandleForWriting.close()
        let deadline = Clock.now() + 5
        while process.isRunning && Clock.now() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
    }
}
