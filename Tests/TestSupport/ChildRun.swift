import Foundation

/// How a child process ended and what it printed.
public struct ChildOutcome: Sendable {
    public var status: Int32
    /// Killed by a signal (then `status` is the signal number).
    public var signalled: Bool
    public var stdout: String
    public var stderr: String
}

/// Runs `executable arguments…` in `folder` with exactly `environment` and standard input from `input` (a file path,
/// else nothing), its output into files rather than pipes (a chatty child never blocks on a full pipe), and waits
/// for it off the cooperative pool.
public func runChild(
    _ executable: String, _ arguments: [String], in folder: String, environment: [String: String], input: String? = nil
) async throws -> ChildOutcome {
    try await offPool {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: folder)
        process.environment = environment
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
        return ChildOutcome(
            status: process.terminationStatus, signalled: process.terminationReason == .uncaughtSignal,
            stdout: String(decoding: FileManager.default.contents(atPath: out) ?? Data(), as: UTF8.self),
            stderr: String(decoding: FileManager.default.contents(atPath: err) ?? Data(), as: UTF8.self))
    }
}
