import Testing

@testable import MeshesCore

@Suite("Key and id formats (§2.1, §2.2, §2.8)")
struct KeyFormatsTests {
    @Test("generated access keys are mk_ + 24 base64url characters of 18 bytes")
    func accessKeys() throws {
        var seen = Set<String>()
        for _ in 0..<200 {
            let key = KeyFormats.generateAccessKey()
            #expect(key.utf8.count == 27)
            #expect(KeyFormats.isAccessKey(key))
            #expect(try #require(Base64URL.decode(String(key.dropFirst(3)))).count == 18)
            seen.insert(key)
        }
        #expect(seen.count == 200)
    }

    @Test("access-key format is ^mk_[A-Za-z0-9_-]{22,}$")
    func accessKeyFormat() {
        #expect(KeyFormats.isAccessKey("mk_" + String(repeating: "a", count: 22)))
        #expect(KeyFormats.isAccessKey("mk_" + String(repeating: "_-Z9", count: 20)))
        #expect(KeyFormats.isAccessKey("mk_TestAccessKey0123456789ab"))
        #expect(!KeyFormats.isAccessKey("mk_" + String(repeating: "a", count: 21)))
        #expect(!KeyFormats.isAccessKey("mk_" + String(repeating: "a", count: 21) + "+"))
        #expect(!KeyFormats.isAccessKey("MK_" + String(repeating: "a", count: 22)))
        #expect(!KeyFormats.isAccessKey("mk_" + String(repeating: "a", count: 22) + "\n"))
        #expect(!KeyFormats.isAccessKey(String(repeating: "a", count: 25)))
    }

    @Test("generated secrets are 43 base64url characters of 32 bytes")
    func secrets() throws {
        let secret = KeyFormats.generateSecret()
        #expect(secret.utf8.count == 43)
        #expect(KeyFormats.isSecret(secret))
        #expect(try #require(Base64URL.decode(secret)).count == 32)
        #expect(KeyFormats.generateSecret() != secret)
    }

    @Test("secret format is ^[A-Za-z0-9_-]{43,}$")
    func secretFormat() {
        #expect(KeyFormats.isSecret(C1.secret))
        #expect(KeyFormats.isSecret(String(repeating: "-", count: 64)))
        #expect(!KeyFormats.isSecret(String(repeating: "a", count: 42)))
        #expect(!KeyFormats.isSecret(String(repeating: "a", count: 42) + "="))
        #expect(!KeyFormats.isSecret(String(repeating: "a", count: 42) + "/"))
    }

    @Test(
        "org ids are version 1-5, variant 8-b UUIDs in any case",
        arguments: [
            ("3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b", true), ("3F2A6C1E-8B4D-4E6F-9A1B-2C3D4E5F6A7B", true),
            ("3f2a6c1e-8b4d-1e6f-bA1b-2c3d4e5f6a7b", true), ("3f2a6c1e-8b4d-5e6f-8a1b-2c3d4e5f6a7b", true),
            ("3f2a6c1e-8b4d-0e6f-9a1b-2c3d4e5f6a7b", false), ("3f2a6c1e-8b4d-6e6f-9a1b-2c3d4e5f6a7b", false),
            ("3f2a6c1e-8b4d-4e6f-ca1b-2c3d4e5f6a7b", false), ("3f2a6c1e-8b4d-4e6f-7a1b-2c3d4e5f6a7b", false),
            ("3f2a6c1e8b4d4e6f9a1b2c3d4e5f6a7b", false), ("3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7", false),
            ("3f2a6c1g-8b4d-4e6f-9a1b-2c3d4e5f6a7b", false), ("{3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b}", false),
        ])
    func orgIDs(text: String, valid: Bool) {
        #expect(KeyFormats.isOrgID(text) == valid)
    }

    @Test("session ids are ses_ + 22 base62 characters")
    func sessionIDs() {
        let id = KeyFormats.generateSessionID()
        #expect(id.hasPrefix("ses_") && id.utf8.count == 26)
        #expect(KeyFormats.isSessionID(id))
        #expect(!KeyFormats.isSessionID("ses_" + String(repeating: "a", count: 21)))
        #expect(!KeyFormats.isSessionID("ses_" + String(repeating: "a", count: 23)))
        #expect(!KeyFormats.isSessionID("ses_" + String(repeating: "a", count: 21) + "_"))
        #expect(!KeyFormats.isSessionID("ses-" + String(repeating: "a", count: 22)))
    }

    @Test("launch tokens are lt_ + 43 base64url characters")
    func launchTokens() {
        let token = KeyFormats.generateLaunchToken()
        #expect(token.hasPrefix("lt_") && token.utf8.count == 46)
        #expect(KeyFormats.isLaunchToken(token))
        #expect(!KeyFormats.isLaunchToken("lt_" + String(repeating: "a", count: 42)))
        #expect(!KeyFormats.isLaunchToken("lt_" + String(repeating: "a", count: 44)))
        #expect(!KeyFormats.isLaunchToken("lt_" + String(repeating: "a", count: 42) + "="))
    }

    @Test("base62 output uses the whole alphabet and nothing else")
    func base62() {
        let text = SecureRandom.base62(20_000)
        #expect(text.utf8.count == 20_000)
        #expect(Set(text).count == 62)
        #expect(text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
    }

    @Test("random bytes have the requested length and differ between calls")
    func randomBytes() {
        #expect(SecureRandom.bytes(0).isEmpty)
        #expect(SecureRandom.bytes(13).count == 13)
        #expect(SecureRandom.bytes(32) != SecureRandom.bytes(32))
    }
}

@Suite("Publishable keys (§2.2)")
struct PublishableKeyTests {
    static let org = "3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b"
    static let workspace = "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a"

    @Test("a generated key has the documented shape and parses back")
    func generate() throws {
        let key = PublishableKey.generate(orgID: Self.org, workspaceID: Self.workspace.uppercased())
        let prefix = "mesh_pub_\(Self.org)_\(Self.workspace)_"
        #expect(key.value.hasPrefix(prefix))
        #expect(key.value.utf8.count == prefix.utf8.count + 22)
        #expect(key.random.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
        #expect(try #require(PublishableKey(key.value)) == key)
        #expect(PublishableKey.generate(orgID: Self.org, workspaceID: Self.workspace) != key)
    }

    @Test("parsing splits the three parts")
    func parse() throws {
        let key = try #require(PublishableKey("mesh_pub_\(Self.org)_\(Self.workspace)_AbC123xyz"))
        #expect(key.orgID == Self.org)
        #expect(key.workspaceID == Self.workspace)
        #expect(key.random == "AbC123xyz")
        #expect(try #require(PublishableKey("mesh_pub_a.b_c-d_+/=")).random == "+/=")
    }

    @Test(
        "text outside the pattern does not parse",
        arguments: [
            "mesh_pub_a_b", "mesh_pub_a_b_c_d", "mesh_pub__b_c", "mesh_pub_a__c", "mesh_pub_a_b_", "mesh_pub_a+b_c_d",
            "mesh_pk_a_b_c", "MESH_PUB_a_b_c", "mesh_pub_a_b c_d",
        ])
    func invalid(text: String) {
        #expect(PublishableKey(text) == nil)
    }
}
