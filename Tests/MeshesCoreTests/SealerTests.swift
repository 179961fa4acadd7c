import Crypto
import Testing

@testable import MeshesCore

@Suite("Sealer (§4.4)")
struct SealerTests {
    static let keyBytes = Array(UInt8(0)...UInt8(31))
    static func sealer(_ bytes: [UInt8] = keyBytes) throws -> Sealer {
        Sealer(masterKey: try #require(MasterKey(bytes: bytes)))
    }

    @Test("a sealed value opens to the plaintext and is nonce ‖ ciphertext ‖ tag")
    func roundTrip() throws {
        let sealer = try Self.sealer()
        let plaintext = Array("c2VjcmV0LWZvci10ZXN0LXZlY3Rvci1vbmx5LTAxMjM0NTY".utf8)
        let sealed = try sealer.seal(plaintext, recordID: "mk_TestAccessKey0123456789ab")
        #expect(sealed.count == 12 + plaintext.count + 16)
        #expect(try sealer.open(sealed, recordID: "mk_TestAccessKey0123456789ab") == plaintext)

        // The layout, checked with swift-crypto's own box built from the three slices.
        let box = try AES.GCM.SealedBox(
            nonce: AES.GCM.Nonce(data: sealed[0..<12]), ciphertext: sealed[12..<(sealed.count - 16)],
            tag: sealed[(sealed.count - 16)...])
        let opened = try AES.GCM.open(
            box, using: SymmetricKey(data: Self.keyBytes), authenticating: Array("mk_TestAccessKey0123456789ab".utf8))
        #expect(Array(opened) == plaintext)
    }

    @Test("text and empty values round-trip; every seal uses a fresh nonce")
    func textAndNonces() throws {
        let sealer = try Self.sealer()
        let first = try sealer.seal("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", recordID: "conn-1")
        let second = try sealer.seal("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", recordID: "conn-1")
        #expect(first != second)
        #expect(Array(first[0..<12]) != Array(second[0..<12]))
        #expect(try sealer.openText(first, recordID: "conn-1") == "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
        let empty = try sealer.seal([], recordID: "r")
        #expect(empty.count == 28)
        #expect(try sealer.open(empty, recordID: "r") == [])
    }

    @Test("another master key does not open it")
    func wrongKey() throws {
        let sealed = try Self.sealer().seal("secret", recordID: "r1")
        var other = Self.keyBytes
        other[0] ^= 0x80
        #expect(throws: SealError.authenticationFailed) { try Self.sealer(other).open(sealed, recordID: "r1") }
    }

    @Test("another record id does not open it")
    func wrongAssociatedData() throws {
        let sealer = try Self.sealer()
        let sealed = try sealer.seal("secret", recordID: "r1")
        #expect(throws: SealError.authenticationFailed) { try sealer.open(sealed, recordID: "r2") }
        #expect(throws: SealError.authenticationFailed) { try sealer.open(sealed, recordID: "") }
    }

    @Test("flipping any byte, in nonce, ciphertext or tag, fails", arguments: [0, 11, 12, 17, 18, 33])
    func tampering(index: Int) throws {
        let sealer = try Self.sealer()
        var sealed = try sealer.seal("secret", recordID: "r1")
        #expect(sealed.count == 34)
        sealed[index] ^= 0x01
        #expect(throws: SealError.authenticationFailed) { try sealer.open(sealed, recordID: "r1") }
    }

    @Test("truncated input fails as truncated or unauthenticated")
    func truncated() throws {
        let sealer = try Self.sealer()
        let sealed = try sealer.seal("secret", recordID: "r1")
        #expect(throws: SealError.truncated) { try sealer.open(Array(sealed.prefix(27)), recordID: "r1") }
        #expect(throws: SealError.truncated) { try sealer.open([], recordID: "r1") }
        #expect(throws: SealError.authenticationFailed) { try sealer.open(Array(sealed.dropLast()), recordID: "r1") }
    }

    @Test("non-UTF-8 plaintext is not text")
    func notText() throws {
        let sealer = try Self.sealer()
        let sealed = try sealer.seal([0xFF, 0xFE], recordID: "r1")
        #expect(throws: SealError.notText) { try sealer.openText(sealed, recordID: "r1") }
    }

    @Test("master keys must be 32 bytes and never print their bytes")
    func masterKeyBytes() throws {
        #expect(MasterKey(bytes: Array(repeating: 1, count: 31)) == nil)
        #expect(MasterKey(bytes: Array(repeating: 1, count: 33)) == nil)
        let key = try #require(MasterKey(bytes: Self.keyBytes))
        #expect(key.description == "MasterKey(<redacted>, provided)")
        #expect(MasterKey.generate().bytes != MasterKey.generate().bytes)
    }
}
