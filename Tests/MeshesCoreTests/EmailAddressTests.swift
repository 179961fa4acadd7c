import TestSupport
import Testing

@testable import MeshesCore

/// The byte-level fast path of `isEmailAddress` agrees with the general path on printable ASCII.
@Suite("Email address check")
struct EmailAddressTests {
    @Test(arguments: [
        ("ada@example.com", true), ("a@b.c", true), ("first.last+tag@sub.example.co.uk", true),
        ("@example.com", false), ("ada@", false), ("ada@example", false), ("ada@@example.com", false),
        ("ada@example..com", false), ("ada@.example.com", false), ("ada@example.com.", false),
        ("a@b@c.d", false), ("plain", false), (String(repeating: "x", count: 64) + "@example.com", true),
        (String(repeating: "x", count: 65) + "@example.com", false),
        ("ada@" + String(repeating: "d", count: 246) + ".com", true), ("ada@" + String(repeating: "d", count: 247) + ".com", false),
        (" ada@example.com ", true), ("ada @example.com", false), ("ada@exa\tmple.com", false), ("ädä@example.com", true),
    ])
    func knownAddresses(text: String, valid: Bool) {
        #expect(ValidationRules.isEmailAddress(text) == valid)
        #expect(ValidationRules.isEmailAddressGeneral(text) == valid)
    }

    @Test func fastPathMatchesGeneralPathOnRandomASCII() {
        var generator = SplitMix(seed: 7)
        let alphabet = Array("ab.@-+_9!~".utf8)
        for _ in 0..<20_000 {
            let length = Int(generator.next() % 14)
            let text = String(decoding: (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }, as: UTF8.self)
            #expect(ValidationRules.isEmailAddress(text) == ValidationRules.isEmailAddressGeneral(text), "\(text)")
        }
    }
}
