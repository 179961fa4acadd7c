internal import SharedPlatform

/// Wall-clock readings in the spec's timestamp formats (text through `DateText`).
public enum Clock {
    /// Seconds since the epoch as a Double.
    public static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// UTC ISO-8601 with milliseconds, e.g. `2026-05-16T10:00:00.000Z`.
    public static func isoNow() -> String {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return iso(seconds: Int(ts.tv_sec), milliseconds: Int(ts.tv_nsec / 1_000_000))
    }

    /// Formats epoch seconds + milliseconds as UTC ISO-8601 with milliseconds.
    public static func iso(seconds: Int, milliseconds: Int) -> String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let date = DateText.civilFromDays(days)
        return DateText.dateString(year: date.year, month: date.month, day: date.day) + "T"
            + DateText.pad(secondOfDay / 3600, 2) + ":" + DateText.pad(secondOfDay / 60 % 60, 2) + ":"
            + DateText.pad(secondOfDay % 60, 2) + "." + DateText.pad(milliseconds, 3) + "Z"
    }

    /// Epoch seconds of an ISO-8601 date-time (a missing zone reads as UTC), or nil.
    public static func parseISO(_ text: String) -> Double? {
        guard let parsed = DateText.parse(text) else { return nil }
        return Double(parsed.wallClockMilliseconds) / 1000 - Double(parsed.offsetSeconds ?? 0)
    }

    /// The local calendar date `YYYY-MM-DD` of an instant (the process's time zone).
    public static func localDate(_ seconds: Double) -> String {
        var instant = time_t(seconds)
        var parts = tm()
        localtime_r(&instant, &parts)
        return DateText.dateString(year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday))
    }
}
