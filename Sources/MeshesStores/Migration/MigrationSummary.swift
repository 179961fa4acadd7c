internal import MeshesEngine
public import SharedCore

/// The outcome of a finished, verified copy: rows per table (equal in the source and the target).
public struct MigrationSummary: Sendable, Equatable {
    /// The source as the user named it.
    public var source: String
    /// The target without its password.
    public var target: String
    /// Rows per table, by table name.
    public var tables: [String: Int]
    /// Rows this run copied (less than the total when it resumed an interrupted copy).
    public var copiedThisRun = 0
    public var batches = 0
    /// Whether this run continued an interrupted copy of the same source.
    public var resumed = false
    /// Whether `--force` emptied meshes data that was in the target before.
    public var emptiedTarget = false
    public var elapsed: Double = 0

    public init(source: String, target: String, tables: [String: Int]) {
        self.source = source
        self.target = target
        self.tables = tables
    }

    /// Rows over all tables.
    public var rows: Int { tables.values.reduce(0, +) }

    /// `{"source", "target", "tables": {"settings": 1, …}, "rows", "copied_this_run", "batches", "resumed",
    /// "emptied_target", "verified": true, "elapsed_seconds"}`, tables in copy order.
    public var json: JSONValue {
        var counts = JSONObject()
        for table in StoreTable.all { counts[table.name] = .int(tables[table.name] ?? 0) }
        return [
            "source": .string(source), "target": .string(target), "tables": .object(counts), "rows": .int(rows),
            "copied_this_run": .int(copiedThisRun), "batches": .int(batches), "resumed": .bool(resumed),
            "emptied_target": .bool(emptiedTarget), "verified": true,
            "elapsed_seconds": .double((elapsed * 1000).rounded() / 1000),
        ]
    }

    /// One line per table, then the totals.
    public var text: String {
        let width = StoreTable.all.map(\.name.count).max() ?? 0
        var lines = ["copied \(source) to \(target)" + (resumed ? " (resumed)" : "")]
        for table in StoreTable.all {
            let count = ProgressText.grouped(tables[table.name] ?? 0)
            lines.append("  " + table.name + String(repeating: " ", count: width - table.name.count + 2) + count)
        }
        lines.append(
            "rows         \(ProgressText.grouped(rows)) (this run \(ProgressText.grouped(copiedThisRun)) in \(ProgressText.grouped(batches)) batches)"
        )
        lines.append("verified     every table holds as many rows as the source")
        lines.append("elapsed      " + ProgressText.twoDecimals(elapsed) + " s")
        return lines.joined(separator: "\n")
    }
}

/// A progress reading for the bar: `[######------] 41% 48,200 of 117,000 rows  events  3,150 rows/s  ETA 00:00:21`.
public struct MigrationProgress: Sendable, Equatable {
    /// The table being copied.
    public var table: String
    /// Rows copied so far, an interrupted copy's included.
    public var copied: Int
    /// Rows of the source.
    public var total: Int
    public var copiedThisRun: Int
    public var elapsed: Double

    public init(table: String, copied: Int, total: Int, copiedThisRun: Int, elapsed: Double) {
        self.table = table
        self.copied = copied
        self.total = total
        self.copiedThisRun = copiedThisRun
        self.elapsed = elapsed
    }

    /// The bar's text.
    public var bar: String {
        let fraction = total > 0 ? Double(copied) / Double(total) : 1
        let rate = elapsed > 0 ? Double(copiedThisRun) / elapsed : 0
        return "\(ProgressText.bar(fraction: fraction)) \(ProgressText.percent(fraction: fraction)) "
            + "\(ProgressText.grouped(copied)) of \(ProgressText.grouped(total)) rows  \(table)  "
            + "\(ProgressText.grouped(Int(rate.rounded()))) rows/s  ETA \(ProgressText.eta(remaining: Double(total - copied), perSecond: rate))"
    }
}
