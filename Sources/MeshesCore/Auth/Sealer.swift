internal import Crypto

/// Seals secrets at rest with AES-256-GCM under the master key (§4.4).
///
/// A sealed value is `nonce(12) ‖ ciphertext ‖ tag(16)` with a fresh random nonce. The record id is the
/// associated data, so a sealed value copied onto another row no longer opens.
public struct Sealer: Sendable {
    /// Bytes of the random nonce at the front of a sealed value.
    public static let nonceLength = 12
    /// Bytes of the authentication tag at the end of a sealed value.
    public static let tagLength = 16

    private let key: SymmetricKey

    /// A sealer under `masterKey`.
    public init(masterKey: MasterKey) {
        key = SymmetricKey(data: masterKey.bytes)
    }

    /// Encrypts `plaintext`, bound to `recordID`.
    public func seal(_ plaintext: [UInt8], recordID: String) throws(SealError) -> [UInt8] {
        let box: AES.GCM.SealedBox
        do {
            box = try AES.GCM.seal(plaintext, using: key, authenticating: Array(recordID.utf8))
        } catch {
            throw SealError.cipherFailure
        }
        guard let combined = box.combined else { throw SealError.cipherFailure }
        return Array(combined)
    }

    /// Encrypts the UTF-8 bytes of `text`, bound to `recordID`.
    public func seal(_ text: String, recordID: String) throws(SealError) -> [UInt8] {
        try seal(Array(text.utf8), recordID: recordID)
    }

    /// Decrypts a value sealed for `recordID` under the same master key.
    public func open(_ sealed: [UInt8], recordID: String) throws(SealError) -> [UInt8] {
        guard sealed.count >= Sealer.nonceLength + Sealer.tagLength else { throw SealError.truncated }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed)
            return Array(try AES.GCM.open(box, using: key, authenticating: Array(recordID.utf8)))
        } catch {
            throw SealError.authenticationFailed
        }
    }

    /// Decrypts a sealed UTF-8 string.
    public func openText(_ sealed: [UInt8], recordID: String) throws(SealError) -> String {
        let bytes = try open(sealed, recordID: recordID)
        guard let text = String(validating: bytes, as: UTF8.self) else { throw SealError.notText }
        return text
    }
}
