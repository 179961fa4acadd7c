internal import SharedCore
internal import SharedPlatform
internal import Synchronization

/// Opt-in stage timings for performance work: with `AGENTSMESH_TIMINGS=1` in the environment, each
/// `lap("name")` prints `timing <name> <ms since the previous lap>` to standard error. Off, a lap is one
/// branch on a constant.
package enum StageTimer {
    package static let enabled: Bool = {
        guard let value = getenv("AGENTSMESH_TIMINGS") else { return false }
        return String(cString: value) == "1"
    }()

    private static let last = Mutex<Double?>(nil)

    /// Ends the current stage (started at the previous lap, or at the first lap of the process).
    package static func lap(_ name: String) {
        guard enabled else { return }
        let now = Clock.now()
        let previous = last.withLock { value -> Double? in
            defer { value = now }
            return value
        }
        let milliseconds = previous.map { (now - $0) * 1000 } ?? 0
        let line = "timing \(name) \(Double(Int(milliseconds * 10)) / 10) ms\n"
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress, $0.count) }
    }
}
