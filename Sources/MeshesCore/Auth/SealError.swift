/// Why a sealed value could not be produced or opened.
public enum SealError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Shorter than a nonce and a tag: not something `Sealer` wrote.
    case truncated
    /// The tag does not verify: another master key, another record id, or altered bytes.
    case authenticationFailed
    /// The plaintext is not UTF-8 where text was expected.
    case notText
    /// The cipher itself failed (should not happen with a 32-byte key).
    case cipherFailure

    public var description: String {
        switch self {
        case .truncated: return "sealed value is truncated"
        case .authenticationFailed: return "sealed value does not open with this master key and record id"
        case .notText: return "sealed value is not UTF-8 text"
        case .cipherFailure: return "AES-GCM failed"
        }
    }
}
