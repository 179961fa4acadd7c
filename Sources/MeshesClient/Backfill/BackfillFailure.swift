/// Why a backfill stopped before the end of its file (exit code 2, §8); the checkpoint is kept for `--resume`.
public struct BackfillFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The closed set of fatal causes.
    public enum Kind: String, Sendable {
        /// Bad flags, a missing file, an unusable checkpoint.
        case configuration
        /// `--resume` against a checkpoint of another file or batch size.
        case identityMismatch = "identity_mismatch"
        /// 401 or 403 from the API.
        case authentication
        /// A batch kept failing for `--max-retries` retries.
        case retriesExhausted = "retries_exhausted"
        /// An answer the pipeline cannot map back to its lines.
        case protocolError = "protocol"
        /// Reading the file or writing the checkpoint or the errors file.
        case io
        /// Stopped on purpose by a fault-injection hook (tests).
        case halted
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    static func configuration(_ message: String) -> BackfillFailure { BackfillFailure(.configuration, message) }
    static func io(_ message: String) -> BackfillFailure { BackfillFailure(.io, message) }
}
