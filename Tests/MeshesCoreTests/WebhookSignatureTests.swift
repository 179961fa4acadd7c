import Testing

@testable import MeshesCore

@Suite("Webhook signatures (§6.1, C2)")
struct WebhookSignatureTests {
    static let secret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
    /// The rotation partner: key bytes 0x20...0x3f.
    static let previousSecret = "whsec_ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
    static let id = "0b7c9a52-6f0e-4d8b-9b57-3a1e2c4d5f60"
    static let timestamp = 1_767_225_605
    static let body = Array(#"{"email":"ada@example.com","plan":"pro"}"#.utf8)

    static func keys(_ secrets: String...) throws -> [[UInt8]] {
        try secrets.map { try #require(WebhookSecret.keyBytes($0)) }
    }

    @Test("C2: the HMAC key is the base64-decoded part after whsec_")
    func key() throws {
        #expect(try Self.keys(Self.secret) == [Array(UInt8(0)...UInt8(31))])
        #expect(try Self.keys(Self.previousSecret) == [Array(UInt8(32)...UInt8(63))])
    }

    @Test("C2: webhook-signature")
    func standard() throws {
        #expect(
            WebhookSignature.standard(id: Self.id, timestamp: Self.timestamp, body: Self.body, keys: try Self.keys(Self.secret))
                == "v1,NWmahhIRzd4HCgEVDFNbcwJZXUi+5cls0l1xTLRhb48=")
    }

    @Test("C2: X-Meshes-Signature with sha256")
    func meshesSHA256() throws {
        #expect(
            WebhookSignature.meshes(
                timestamp: Self.timestamp, body: Self.body, algorithm: .sha256, keys: try Self.keys(Self.secret))
                == "t=1767225605,v1=e0f97a8ecac49db7807d13c6da360c51e3feed19359ddaef681630af338e2cf2")
    }

    @Test("C2: X-Meshes-Signature with sha512")
    func meshesSHA512() throws {
        #expect(
            WebhookSignature.meshes(
                timestamp: Self.timestamp, body: Self.body, algorithm: .sha512, keys: try Self.keys(Self.secret))
                == "t=1767225605,v1=39811bf1ac0e5f9e2a3ce3e5c307b78ecc1089569a3156b8e0f834f064f1cc78fd6be2c8b6755f16c63c9cee46d4d7ecff9ea577b5d0e2050b781050ad948cbf"
        )
    }

    // Expected values for the previous secret were computed with Python's hmac module.

    @Test("rotation: two space-separated webhook-signature entries, current first")
    func standardRotation() throws {
        #expect(
            WebhookSignature.standard(
                id: Self.id, timestamp: Self.timestamp, body: Self.body, keys: try Self.keys(Self.secret, Self.previousSecret))
                == "v1,NWmahhIRzd4HCgEVDFNbcwJZXUi+5cls0l1xTLRhb48= v1,Q3Vdd0YNt2iFm3/t82mEKjtzl9zHmeUB45XBRCZmYG4=")
    }

    @Test("rotation: a second v1= entry in the Meshes header")
    func meshesRotation() throws {
        let keys = try Self.keys(Self.secret, Self.previousSecret)
        #expect(
            WebhookSignature.meshes(timestamp: Self.timestamp, body: Self.body, algorithm: .sha256, keys: keys)
                == "t=1767225605,v1=e0f97a8ecac49db7807d13c6da360c51e3feed19359ddaef681630af338e2cf2,v1=3e31eec09b58ce003001810793f8834d6eb5d24dd6d031853f40467c0bb31aae"
        )
        #expect(
            WebhookSignature.meshes(timestamp: Self.timestamp, body: Self.body, algorithm: .sha512, keys: keys)
                == "t=1767225605,v1=39811bf1ac0e5f9e2a3ce3e5c307b78ecc1089569a3156b8e0f834f064f1cc78fd6be2c8b6755f16c63c9cee46d4d7ecff9ea577b5d0e2050b781050ad948cbf,v1=a20206454c7d7e84f811a032db4a84816f514f823ac91f3d96906787be6c7e19111696df704015ea90b39621bd71e1ca198899b46ba21b46ce731ee0f2231290"
        )
    }

    @Test("the signature covers id, timestamp and every body byte")
    func coverage() throws {
        let keys = try Self.keys(Self.secret)
        let reference = WebhookSignature.standard(id: Self.id, timestamp: Self.timestamp, body: Self.body, keys: keys)
        #expect(WebhookSignature.standard(id: Self.id, timestamp: Self.timestamp + 1, body: Self.body, keys: keys) != reference)
        #expect(WebhookSignature.standard(id: "other", timestamp: Self.timestamp, body: Self.body, keys: keys) != reference)
        #expect(WebhookSignature.standard(id: Self.id, timestamp: Self.timestamp, body: Self.body + [0x20], keys: keys) != reference)
    }
}
