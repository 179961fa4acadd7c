import MeshesCore
import Testing

/// The pure parts of delivery: outcome classes (§2.7), the retry ladder (§5.4, C5) and egress (§5.8).
@Suite struct DeliveryPolicyTests {
    @Test func statusesMapToOutcomes() {
        #expect(Outcome(status: 204) == .delivered)
        #expect(Outcome(status: 302) == .rejectedClientError)
        #expect(Outcome(status: 404) == .rejectedClientError)
        #expect(Outcome(status: 401) == .authFailed)
        #expect(Outcome(status: 403) == .authFailed)
        #expect(Outcome(status: 429) == .rateLimited)
        #expect(Outcome(status: 503) == .rejectedServerError)
        #expect(
            Outcome.allCases.filter(\.countsTowardStreak) == [
                .rejectedClientError, .rejectedServerError, .authFailed, .timeout, .networkError,
            ])
        #expect(Outcome.allCases.filter { !$0.isRetried } == [.delivered, .mappingError])
    }

    @Test func c5DefaultLadderWithPinnedJitter() {
        let ladder = RetryLadder()
        var at = 0.0
        var times = [at]
        for failure in 1... {
            guard let delay = ladder.delay(afterFailure: failure, outcome: .rejectedServerError, retryAfter: nil, jitter: 1.0) else {
                break
            }
            at += delay
            times.append(at)
        }
        #expect(times == [0, 5, 305, 2105, 9305, 27305, 63305, 99305])
        #expect(ladder.maximumAttempts == 8)
        #expect(ladder.delay(afterFailure: 8, outcome: .rejectedServerError, retryAfter: nil, jitter: 1.0) == nil)
    }

    @Test func jitterPenaltyAndRetryAfter() {
        let ladder = RetryLadder()
        #expect(ladder.delay(afterFailure: 2, outcome: .timeout, retryAfter: nil, jitter: 0.8) == 240)
        #expect(ladder.delay(afterFailure: 2, outcome: .timeout, retryAfter: nil, jitter: 1.2) == 360)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<100 { #expect((0.8...1.2).contains(RetryLadder.jitter(using: &generator))) }
        let short = RetryLadder(schedule: [5, 10])
        #expect(short.delay(afterFailure: 1, outcome: .rejectedServerError, retryAfter: nil, jitter: 1) == 5)
        #expect(short.delay(afterFailure: 2, outcome: .timeout, retryAfter: nil, jitter: 1) == 60)
        #expect(short.delay(afterFailure: 3, outcome: .timeout, retryAfter: nil, jitter: 1) == nil)
        // Base 60 after the penalty: Retry-After 300 is clamped to 2 × base, 1 is raised to base.
        #expect(short.delay(afterFailure: 1, outcome: .rateLimited, retryAfter: 300, jitter: 1) == 120)
        #expect(short.delay(afterFailure: 1, outcome: .rateLimited, retryAfter: 1, jitter: 1) == 60)
        #expect(RetryLadder(schedule: []).delay(afterFailure: 1, outcome: .timeout, retryAfter: nil, jitter: 1) == nil)
        #expect(short.delay(afterFailure: 1, outcome: .mappingError, retryAfter: nil, jitter: 1) == nil)
    }

    @Test func retryAfterReadsSecondsAndHTTPDates() {
        #expect(RetryAfter.seconds("120", now: 0) == 120)
        #expect(RetryAfter.seconds(" 7 ", now: 0) == 7)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: 784_111_700) == 77)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:37 GMT", now: 900_000_000) == 0)
        #expect(RetryAfter.seconds("-5", now: 0) == nil)
        #expect(RetryAfter.seconds("soon", now: 0) == nil)
        #expect(RetryAfter.seconds("Sun, 31 Feb 1994 08:49:37 GMT", now: 0) == nil)
    }

    @Test func privateDestinationsAreRefused() {
        for address: [UInt8] in [
            [127, 0, 0, 1], [10, 1, 2, 3], [172, 16, 0, 1], [172, 31, 255, 255], [192, 168, 1, 1], [169, 254, 169, 254], [100, 64, 0, 1],
            [0, 0, 0, 0],
        ] {
            #expect(EgressPolicy.refusal(ipv4: address) != nil, "\(address)")
        }
        for address: [UInt8] in [[8, 8, 8, 8], [172, 32, 0, 1], [100, 128, 0, 1], [93, 184, 216, 34]] {
            #expect(EgressPolicy.refusal(ipv4: address) == nil, "\(address)")
        }
        var loopback = [UInt8](repeating: 0, count: 16)
        loopback[15] = 1
        #expect(EgressPolicy.refusal(ipv6: loopback) == "loopback address")
        #expect(EgressPolicy.refusal(ipv6: [0xFD] + [UInt8](repeating: 0, count: 15)) == "unique-local address")
        #expect(EgressPolicy.refusal(ipv6: [0xFE, 0x80] + [UInt8](repeating: 0, count: 14)) == "link-local address")
        #expect(EgressPolicy.refusal(ipv6: [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF, 10, 0, 0, 1]) == "private address (RFC 1918)")
        #expect(EgressPolicy.refusal(ipv6: [0x26, 0x06, 0x28, 0x00] + [UInt8](repeating: 1, count: 12)) == nil)
    }
}

/// §5.5: the failure streak and when a connection is switched off.
@Suite struct ConnectionHealthTests {
    static func run(_ outcomes: [(Outcome, Int?)]) -> (ConnectionHealth, String?) {
        var health = ConnectionHealth()
        var reason: String?
        for (outcome, status) in outcomes where reason == nil { (health, reason) = health.after(outcome, status: status) }
        return (health, reason)
    }

    @Test func twentyCountedFailuresSwitchTheConnectionOff() {
        let fails = Self.run(Array(repeating: (Outcome.rejectedServerError, 500), count: 20))
        #expect(fails.1 == "too_many_failures")
        #expect(Self.run(Array(repeating: (Outcome.rejectedServerError, 500), count: 19)).1 == nil)
        #expect(Self.run(Array(repeating: (Outcome.authFailed, 401), count: 20)).1 == "authentication_invalid")
        let mixed = Array(repeating: (Outcome.authFailed, Optional(401)), count: 19) + [(Outcome.timeout, nil)]
        #expect(Self.run(mixed).1 == "too_many_failures")
    }

    @Test func deliveredResetsAndUncountedOutcomesLeaveTheStreak() {
        let reset = Self.run(Array(repeating: (Outcome.rejectedServerError, 500), count: 19) + [(.delivered, 200)])
        #expect(reset.0 == ConnectionHealth())
        let held = Self.run(
            Array(repeating: (Outcome.rejectedServerError, 500), count: 5) + [
                (.rateLimited, 429), (.internalError, nil), (.mappingError, nil),
            ])
        #expect(held.0.streak == 5)
        #expect(Self.run([(.rejectedClientError, 410)]).1 == "destination_gone")
    }
}
