public import SharedCore

/// The outcome of a run (§8), counted over the whole file: a resumed run adds the checkpoint's counts.
public struct BackfillSummary: Sendable, Equatable {
    /// `embedded`, `remote` or `dry-run`.
    public var mode: String
    public var linesRead = 0
    /// Accepted by the API (with `--dry-run`: valid lines, which would be sent).
    public var accepted = 0
    public var rejectedLocal = 0
    public var rejectedServer = 0
    /// Batches this run sent (or, with `--dry-run`, formed).
    public var batches = 0
    public var retries = 0
    public var elapsed: Double = 0
    /// Batch the run started at (non-zero after `--resume`).
    public var resumedAtBatch = 0
    /// Lines rejected before the checkpoint a resumed run started from (the checkpoint does not split them).
    public var rejectedBeforeResume = 0
    /// The errors file, when any line was rejected.
    public var errorsFile: String?

    public init(mode: String) {
        self.mode = mode
    }

    public var rejected: Int { rejectedLocal + rejectedServer + rejectedBeforeResume }
    /// Events accepted per second of this run.
    public var eventsPerSecond: Double { elapsed > 0 ? Double(acceptedThisRun) / elapsed : 0 }
    var acceptedThisRun = 0

    /// 0 when every line was accepted (an empty file included), 1 when any line was rejected (§8).
    public var exitCode: Int32 { rejected == 0 ? 0 : 1 }

    public var json: JSONValue {
        var object: JSONObject = [
            "mode": .string(mode), "lines_read": .int(linesRead), "accepted": .int(accepted), "rejected": .int(rejected),
            "rejected_local": .int(rejectedLocal), "rejected_server": .int(rejectedServer),
            "rejected_before_resume": .int(rejectedBeforeResume), "batches": .int(batches),
            "retries": .int(retries), "resumed_at_batch": .int(resumedAtBatch),
            "elapsed_seconds": .double((elapsed * 1000).rounded() / 1000), "events_per_second": .int(Int(eventsPerSecond.rounded())),
        ]
        object["errors_file"] = errorsFile.map(JSONValue.string) ?? .null
        return .object(object)
    }

    public var text: String {
        var lines = [
            "mode         \(mode)",
            "lines read   \(Self.grouped(linesRead))",
            "accepted     \(Self.grouped(accepted))",
            "rejected     \(Self.grouped(rejected)) (local \(Self.grouped(rejectedLocal)), server \(Self.grouped(rejectedServer))"
                + (rejectedBeforeResume > 0 ? ", before the checkpoint \(Self.grouped(rejectedBeforeResume)))" : ")"),
            "batches      \(Self.grouped(batches))" + (resumedAtBatch > 0 ? " (resumed at batch \(resumedAtBatch))" : ""),
            "retries      \(Self.grouped(retries))",
            "elapsed      " + ProgressText.twoDecimals(elapsed) + " s",
            "events/s     \(Self.grouped(Int(eventsPerSecond.rounded())))",
        ]
        if let errorsFile { lines.append("errors       \(errorsFile)") }
        return lines.joined(separator: "\n")
    }

    /// `48200` → `48,200`.
    public static func grouped(_ value: Int) -> String { ProgressText.grouped(value) }
}

/// A progress reading for the bar (§8): `[######------] 41% 48,200 events  3,150 ev/s  ETA 00:01:12  rejected 7`.
public struct BackfillProgress: Sendable {
    /// Bytes of the file read so far (from its start, a resumed run included).
    public var bytesRead: Int64
    /// nil for standard input.
    public var totalBytes: Int64?
    /// Bytes read by this run (for the rate behind the ETA).
    public var bytesThisRun: Int64
    public var accepted: Int
    public var acceptedThisRun: Int
    public var rejected: Int
    public var elapsed: Double

    public init(
        bytesRead: Int64, totalBytes: Int64?, bytesThisRun: Int64, accepted: Int, acceptedThisRun: Int, rejected: Int, elapsed: Double
    ) {
        self.bytesRead = bytesRead
        self.totalBytes = totalBytes
        self.bytesThisRun = bytesThisRun
        self.accepted = accepted
        self.acceptedThisRun = acceptedThisRun
        self.rejected = rejected
        self.elapsed = elapsed
    }

    /// The bar's text; percentage and ETA come from bytes read ÷ file size (standard input has neither).
    public var bar: String {
        let rate = elapsed > 0 ? Double(acceptedThisRun) / elapsed : 0
        let counts =
            "\(BackfillSummary.grouped(accepted)) events  \(BackfillSummary.grouped(Int(rate.rounded()))) ev/s"
        let tail = "  rejected \(BackfillSummary.grouped(rejected))"
        guard let totalBytes, totalBytes > 0 else { return counts + tail }
        let fraction = Double(bytesRead) / Double(totalBytes)
        let eta = ProgressText.eta(
            remaining: Double(totalBytes - bytesRead), perSecond: elapsed > 0 ? Double(bytesThisRun) / elapsed : 0)
        return "\(ProgressText.bar(fraction: fraction)) \(ProgressText.percent(fraction: fraction)) \(counts)  ETA \(eta)\(tail)"
    }
}
