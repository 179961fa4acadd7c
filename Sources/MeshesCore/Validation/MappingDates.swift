internal import Foundation
internal import SharedCore

/// The date reading and writing of `to_date` / `to_datetime` (§2.9).
///
/// Inputs: an ISO-8601 date or date-time, or unix seconds (a number, or a string holding one).
/// A date-time with a zone designator is an instant; one without, or a bare date, is a wall-clock
/// value in the target zone (a bare date is that zone's midnight). Outputs use the target zone
/// (default UTC): `YYYY-MM-DD`, or RFC 3339 with seconds, milliseconds when non-zero, and the
/// zone's offset at that instant (`Z` when the offset is zero).
enum MappingDates {
    static func convert(_ value: JSONValue, timezone: String?, dateOnly: Bool) -> String? {
        guard let zone = TimeZone(identifier: timezone ?? "UTC") else { return nil }
        let instant: Int64
        switch value {
        case .int(let seconds):
            guard abs(seconds) < 100_000_000_000 else { return nil }
            instant = Int64(seconds) * 1000
        case .double(let seconds):
            guard seconds.isFinite, abs(seconds) < 100_000_000_000 else { return nil }
            instant = Int64((seconds * 1000).rounded(.down))
        case .string(let text):
            if let seconds = MappingEngine.number(from: text) {
                return convert(.double(seconds), timezone: timezone, dateOnly: dateOnly)
            }
            guard let parsed = DateText.parse(text.trimmingCharacters(in: .whitespaces)) else { return nil }
            if parsed.time == nil, dateOnly {
                return DateText.dateString(year: parsed.year, month: parsed.month, day: parsed.day)
            }
            if let offset = parsed.offsetSeconds {
                instant = parsed.wallClockMilliseconds - Int64(offset) * 1000
            } else {
                instant = instantOfWallClock(parsed.wallClockMilliseconds, in: zone)
            }
        default:
            return nil
        }
        let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant) / 1000))
        let local = instant + Int64(offset) * 1000
        let days = floorDivide(local, 86_400_000)
        let milliseconds = Int(local - days * 86_400_000)
        let date = DateText.civilFromDays(Int(days))
        let dateText = DateText.dateString(year: date.year, month: date.month, day: date.day)
        if dateOnly { return dateText }
        let seconds = milliseconds / 1000
        var text =
            dateText + "T" + DateText.pad(seconds / 3600, 2) + ":" + DateText.pad(seconds / 60 % 60, 2) + ":"
            + DateText.pad(seconds % 60, 2)
        if milliseconds % 1000 != 0 { text += "." + DateText.pad(milliseconds % 1000, 3) }
        if offset == 0 { return text + "Z" }
        let magnitude = abs(offset)
        return text + (offset < 0 ? "-" : "+") + DateText.pad(magnitude / 3600, 2) + ":" + DateText.pad(magnitude / 60 % 60, 2)
    }

    /// The instant (epoch ms) at which `zone`'s clocks show `wall` (epoch ms read as UTC). Two passes
    /// settle the offset around transitions.
    static func instantOfWallClock(_ wall: Int64, in zone: TimeZone) -> Int64 {
        var instant = wall
        for _ in 0..<2 {
            let offset = zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant) / 1000))
            instant = wall - Int64(offset) * 1000
        }
        return instant
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
