internal import SharedCore

/// The retry ladder of §5.4: when the next scheduled attempt runs after a failed one.
public struct RetryLadder: Sendable, Equatable {
    /// Delay in seconds after the n-th failed scheduled attempt (entry n-1).
    public var schedule: [Int]

    /// `[5, 300, 1800, 7200, 18000, 36000, 36000]`: 8 attempts in all.
    public static let defaultSchedule = DeliverySettings.defaultRetrySchedule
    /// The overload penalty: the least delay after a timeout or a 429.
    public static let overloadPenalty = 60.0

    public init(schedule: [Int] = RetryLadder.defaultSchedule) { self.schedule = schedule }

    /// Scheduled attempts in all: one more than the schedule's entries.
    public var maximumAttempts: Int { schedule.count + 1 }

    /// The delay in seconds after scheduled failure `failures` (1-based), or nil when no slot is left.
    /// `jitter` is the factor drawn from U(0.8, 1.2); `retryAfter` the response's `Retry-After` in seconds.
    public func delay(afterFailure failures: Int, outcome: Outcome, retryAfter: Double?, jitter: Double) -> Double? {
        guard outcome.isRetried, failures >= 1, failures <= schedule.count else { return nil }
        var base = Double(schedule[failures - 1]) * jitter
        if outcome.hasOverloadPenalty { base = max(base, RetryLadder.overloadPenalty) }
        guard let retryAfter else { return base }
        return min(max(retryAfter, base), 2 * base)
    }

    /// A jitter factor from U(0.8, 1.2).
    public static func jitter<G: RandomNumberGenerator>(using generator: inout G) -> Double {
        Double.random(in: 0.8...1.2, using: &generator)
    }
}

/// `Retry-After` (RFC 9110 §10.2.3): delta seconds, or an HTTP-date turned into seconds from `now`.
public enum RetryAfter {
    /// Seconds to wait, or nil when the value is neither form. A date in the past gives 0.
    public static func seconds(_ value: String, now: Double) -> Double? {
        let text = value.trimmingWhitespaceBytes()
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), let seconds = Double(text) { return seconds }
        guard let date = httpDate(text) else { return nil }
        return max(0, date - now)
    }

    /// Epoch seconds of an IMF-fixdate, e.g. `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(_ text: String) -> Double? {
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT", let day = Int(parts[1]), let month = months.firstIndex(of: String(parts[2])),
            let year = Int(parts[3])
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...DateText.daysInMonth(year: year, month: month + 1)).contains(day), clock[0] < 24, clock[1] < 60,
            clock[2] < 61
        else { return nil }
        let days = DateText.daysFromCivil(year: year, month: month + 1, day: day)
        return Double(days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2])
    }
}

extension String {
    /// Leading and trailing spaces and tabs removed.
    func trimmingWhitespaceBytes() -> String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text = text.dropFirst() }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return String(text)
    }
}
