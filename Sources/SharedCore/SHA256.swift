internal import Crypto

/// SHA-256 (FIPS 180-4), used for lockfile checksums and content-addressed ids. A thin streaming wrapper
/// over swift-crypto's implementation (BoringSSL on Linux, with the CPU's SHA extensions when present).
public struct SHA256: @unchecked Sendable {
    private var inner = Crypto.SHA256()

    public init() {}

    /// Feeds bytes into the hash. Contiguous inputs are hashed in place, without copying.
    public mutating func update<C: Collection>(_ bytes: C) where C.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil {
            let copy = Array(bytes)
            copy.withUnsafeBytes { update($0) }
        }
    }

    /// Feeds raw bytes into the hash.
    public mutating func update(_ raw: UnsafeRawBufferPointer) {
        inner.update(bufferPointer: raw)
    }

    /// The 32-byte digest; the hasher should not be used afterwards.
    public mutating func finalize() -> [UInt8] {
        Array(inner.finalize())
    }

    /// Lowercase hex digest of some bytes.
    public static func hex<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return Hex.encode(hasher.finalize())
    }

    /// Lowercase hex digest of a string's UTF-8 bytes.
    public static func hex(_ text: String) -> String { hex(Array(text.utf8)) }

    /// `sha256:<hex>` form used in lockfiles and manifests.
    public static func tagged<C: Collection>(_ bytes: C) -> String where C.Element == UInt8 { "sha256:" + hex(bytes) }
}
