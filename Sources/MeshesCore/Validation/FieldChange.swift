/// What an update does to one optional field: leave it alone (the key was absent) or set it.
public enum FieldChange<Value: Sendable & Equatable>: Sendable, Equatable {
    case keep
    case set(Value)

    /// The new value, or `current` when the field is kept.
    public func applied(to current: Value) -> Value {
        switch self {
        case .keep: return current
        case .set(let value): return value
        }
    }
}
