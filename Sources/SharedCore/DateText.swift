/// ISO-8601 / RFC 3339 text ↔ civil dates, the one implementation in the package (timestamps of both
/// products, lock ages, mapping dates). Hand-written because Foundation's formatters are neither cheap nor
/// `Sendable`. Time zones other than fixed offsets are resolved by the callers.
public enum DateText {
    /// A parsed ISO-8601 date or date-time. `time` is nil for a date-only value; `offsetSeconds` is
    /// nil when the text carries no zone designator.
    public struct Parsed: Equatable, Sendable {
        public var year: Int
        public var month: Int
        public var day: Int
        public var time: (hour: Int, minute: Int, second: Int, milliseconds: Int)?
        public var offsetSeconds: Int?

        public static func == (lhs: Parsed, rhs: Parsed) -> Bool {
            lhs.year == rhs.year && lhs.month == rhs.month && lhs.day == rhs.day
                && lhs.time?.hour == rhs.time?.hour && lhs.time?.minute == rhs.time?.minute
                && lhs.time?.second == rhs.time?.second && lhs.time?.milliseconds == rhs.time?.milliseconds
                && lhs.offsetSeconds == rhs.offsetSeconds
        }

        /// Milliseconds since the epoch of the wall-clock value read as UTC (ignoring `offsetSeconds`).
        public var wallClockMilliseconds: Int64 {
            let days = Int64(DateText.daysFromCivil(year: year, month: month, day: day))
            let seconds = Int64((time?.hour ?? 0) * 3600 + (time?.minute ?? 0) * 60 + (time?.second ?? 0))
            return (days * 86_400 + seconds) * 1000 + Int64(time?.milliseconds ?? 0)
        }
    }

    /// Parses `YYYY-MM-DD`, optionally followed by `T` (or a space) `HH:MM[:SS[.fraction]]` and
    /// `Z` / `±HH:MM` / `±HHMM`. Fractions beyond milliseconds are truncated.
    public static func parse(_ text: String) -> Parsed? {
        let bytes = Array(text.utf8)
        var index = 0
        func digits(_ count: Int) -> Int? {
            guard index + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[index..<index + count] {
                guard (0x30...0x39).contains(byte) else { return nil }
                value = value * 10 + Int(byte - 0x30)
            }
            index += count
            return value
        }
        func expect(_ char: Character) -> Bool {
            guard index < bytes.count, let ascii = char.asciiValue, bytes[index] == ascii else { return false }
            index += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2),
            (1...12).contains(month), (1...daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        var parsed = Parsed(year: year, month: month, day: day, time: nil, offsetSeconds: nil)
        if index == bytes.count { return parsed }
        guard index < bytes.count, [UInt8(ascii: "T"), UInt8(ascii: "t"), UInt8(ascii: " ")].contains(bytes[index]) else {
            return nil
        }
        index += 1
        guard let hour = digits(2), expect(":"), let minute = digits(2), hour < 24, minute < 60 else { return nil }
        var second = 0
        var milliseconds = 0
        if expect(":") {
            guard let value = digits(2), value < 60 else { return nil }
            second = value
            if expect(".") || expect(",") {
                var fraction = 0
                var count = 0
                while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                    if count < 3 { fraction = fraction * 10 + Int(bytes[index] - 0x30) }
                    count += 1
                    index += 1
                }
                guard count > 0 else { return nil }
                for _ in count..<max(count, 3) { fraction *= 10 }
                milliseconds = fraction
            }
        }
        parsed.time = (hour, minute, second, milliseconds)
        if index == bytes.count { return parsed }
        if expect("Z") || expect("z") {
            parsed.offsetSeconds = 0
        } else if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            let sign = bytes[index] == UInt8(ascii: "-") ? -1 : 1
            index += 1
            guard let hours = digits(2), hours < 24 else { return nil }
            _ = expect(":")
            guard let minutes = digits(2), minutes < 60 else { return nil }
            parsed.offsetSeconds = sign * (hours * 3600 + minutes * 60)
        } else {
            return nil
        }
        return index == bytes.count ? parsed : nil
    }

    /// Whether `text` is an RFC 3339 date-time: a date, a time and a zone designator.
    public static func isRFC3339(_ text: String) -> Bool {
        guard let parsed = parse(text) else { return false }
        return parsed.time != nil && parsed.offsetSeconds != nil
    }

    public static func isLeapYear(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthIndex = (month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The proleptic Gregorian date of a day count since 1970-01-01.
    public static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// `YYYY-MM-DD` of a civil date.
    public static func dateString(year: Int, month: Int, day: Int) -> String {
        pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
    }

    public static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(abs(value))
        return (value < 0 ? "-" : "") + String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
