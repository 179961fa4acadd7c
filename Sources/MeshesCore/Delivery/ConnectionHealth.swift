/// A connection's failure streak (§5.5): consecutive counted failures, and whether all of them were
/// `auth_failed`. At 20 the connection is switched off; a `410 Gone` switches it off at once.
public struct ConnectionHealth: Sendable, Equatable {
    /// Consecutive failures that switch a connection off.
    public static let streakLimit = 20

    public var streak: Int
    /// Whether every failure of the current streak was `auth_failed`.
    public var onlyAuthFailures: Bool

    public init(streak: Int = 0, onlyAuthFailures: Bool = true) {
        self.streak = streak
        self.onlyAuthFailures = onlyAuthFailures
    }

    /// The streak after one attempt, and the `inactive_reason` when the connection must be switched off.
    public func after(_ outcome: Outcome, status: Int?) -> (health: ConnectionHealth, deactivate: String?) {
        if status == 410 { return (self, "destination_gone") }
        if outcome == .delivered { return (ConnectionHealth(), nil) }
        guard outcome.countsTowardStreak else { return (self, nil) }
        let next = ConnectionHealth(streak: streak + 1, onlyAuthFailures: (streak == 0 || onlyAuthFailures) && outcome == .authFailed)
        guard next.streak >= ConnectionHealth.streakLimit else { return (next, nil) }
        return (next, next.onlyAuthFailures ? "authentication_invalid" : "too_many_failures")
    }
}
