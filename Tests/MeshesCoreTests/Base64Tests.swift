import Testing

@testable import MeshesCore

@Suite("Base64 and base64url")
struct Base64Tests {
    @Test(
        "RFC 4648 §10 vectors, padded standard form",
        arguments: [
            ("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ])
    func standardVectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test("base64url is unpadded and uses - and _")
    func urlAlphabet() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
        #expect(Base64URL.encode("fo") == "Zm8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.decode("+/8") == nil)
        #expect(Base64.decode("-_8=") == nil)
    }

    @Test("decoding accepts padded and unpadded input")
    func padding() {
        #expect(Base64URL.decode("Zm8=") == Array("fo".utf8))
        #expect(Base64URL.decode("Zg==") == Array("f".utf8))
        #expect(Base64URL.decode("Zg") == Array("f".utf8))
        #expect(Base64.decode("Zm8") == Array("fo".utf8))
    }

    @Test(
        "malformed input is refused",
        arguments: [
            "Z", "Zg=", "Zg===", "Zm8==", "=Zg=", "Zg==Zg==", "Zm9v\n", " Zm9v", "Zm9v Zm9v", "Zh", "Zm9", "Zm8=x",
        ])
    func malformed(text: String) {
        #expect(Base64URL.decode(text) == nil)
        #expect(Base64.decode(text) == nil)
    }

    @Test("every length round-trips through both alphabets")
    func roundTrip() {
        for length in 0...70 {
            let bytes = SecureRandom.bytes(length)
            #expect(Base64URL.decode(Base64URL.encode(bytes)) == bytes)
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
            #expect(Base64URL.encode(bytes).utf8.count == (length * 4 + 2) / 3)
        }
    }

    @Test("exactly one spelling decodes: every other last symbol of a short tail is refused")
    func onlyTheCanonicalSpellingDecodes() {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for length in 1...5 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 77 + 13) }
            let text = Base64URL.encode(bytes)
            var accepted = 0
            for symbol in alphabet {
                let variant = String(text.dropLast()) + String(symbol)
                if let decoded = Base64URL.decode(variant) {
                    accepted += 1
                    #expect(Base64URL.encode(decoded) == variant)
                }
            }
            // Full groups leave no unused bits (all 64 spellings are other bytes); 1 or 2 tail bytes leave 4 or 2.
            #expect(accepted == [0: 64, 1: 4, 2: 16][length % 3])
        }
    }

    @Test("constant-time comparison compares every byte and the lengths")
    func constantTime() {
        #expect(ConstantTime.equals([1, 2, 3], [1, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2, 4]))
        #expect(!ConstantTime.equals([1, 2, 3], [0, 2, 3]))
        #expect(!ConstantTime.equals([1, 2, 3], [1, 2]))
        #expect(ConstantTime.equals([UInt8](), []))
    }
}
