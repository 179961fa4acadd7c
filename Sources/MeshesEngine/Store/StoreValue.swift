/// One column value of a stored row, typed as both stores hold it: what `meshes migrate` carries from the SQLite
/// store to the PostgreSQL one (flags are SQLite integers there and BOOLEANs here, hence a case of their own).
public enum StoreValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case flag(Bool)
    case bytes([UInt8])

    /// The value as text, for a `.text` column (nil for anything else).
    public var text: String? {
        if case .text(let value) = self { return value }
        return nil
    }

    /// The value as bytes, for a `.bytes` column (nil for anything else).
    public var bytes: [UInt8]? {
        if case .bytes(let value) = self { return value }
        return nil
    }
}
