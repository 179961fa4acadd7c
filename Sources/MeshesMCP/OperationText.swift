internal import Foundation
internal import SharedCore

extension OperationResult {
    /// What a CLI verb prints without `--json`: a list answer as one aligned line per record (id first, then
    /// the record's name, event or key, then its type and status), followed by the next cursor; any other
    /// answer as its pretty JSON.
    public var humanText: String {
        guard !isError, let body, let records = body["records"]?.arrayValue, body["count"] != nil else { return text }
        let rows = records.map(Self.columns)
        var lines: [String] = []
        let widths = (0..<(rows.map(\.count).max() ?? 0)).map { column in rows.map { column < $0.count ? $0[column].count : 0 }.max() ?? 0 }
        for row in rows {
            let padded = row.enumerated().map { index, cell in
                index == row.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            lines.append(padded.joined(separator: "  "))
        }
        if records.isEmpty { lines.append("(none)") }
        if let cursor = body["next_cursor"]?.stringValue { lines.append("next cursor: \(cursor)") }
        return lines.joined(separator: "\n")
    }

    /// The columns shown for one record.
    static func columns(_ record: JSONValue) -> [String] {
        var cells: [String] = []
        for key in ["id", "session_id", "name", "event", "key", "type", "integration_type", "status", "role", "created_at"] {
            guard let value = record[key], cells.count < 5 else { continue }
            switch value {
            case .string(let text): cells.append(text)
            case .int(let number): cells.append(String(number))
            case .bool(let flag): cells.append(flag ? "true" : "false")
            default: continue
            }
        }
        return cells
    }
}
