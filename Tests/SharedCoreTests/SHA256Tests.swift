import Testing

@testable import SharedCore

@Suite("SHA256")
struct SHA256Tests {
    /// FIPS 180-4 / NIST CSRC example vectors.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func nistVectors(input: String, expected: String) {
        #expect(SHA256.hex(input) == expected)
        #expect(SHA256.hex(Array(input.utf8)) == expected)
    }

    @Test func oneMillionA() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        let bytes = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hex(bytes) == expected)

        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1000)
        for _ in 0..<1000 { hasher.update(chunk) }
        #expect(hasher.finalize().map { String($0, radix: 16).leftPadded() }.joined() == expected)
    }

    /// Padding boundaries around 55/56/64 bytes and two blocks (values from GNU coreutils `sha256sum`).
    @Test(arguments: [
        (55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"),
        (56, "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"),
        (63, "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"),
        (64, "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"),
        (65, "9537c5fdf120482f7d58d25e9ed583f52c02b4e304ea814db1633ad565aed7e9"),
        (119, "000b48d4edf0fa7bee3c6236ecd2785baa5db4eeb8bb54341b029e0d9fa5fb0c"),
        (120, "13f05a0b594787f5ecd315edc96141bd3243203d1b7d4f0836f37308b276ba98"),
        (127, "70156a14adbabf98cff3a71c7084b417abf057a8efd27329ca36b7202c87d81f"),
        (128, "24da1b81d0b16df6428eee73c69fcb2a93c76bc6df706f0c6670fe6bfe800464"),
    ])
    func paddingBoundaries(count: Int, expected: String) {
        #expect(SHA256.hex([UInt8](repeating: UInt8(ascii: "x"), count: count)) == expected)
    }

    @Test func utf8StringIsHashedAsBytes() {
        #expect(SHA256.hex("héllo ✓ 😀") == "ed48bf1a238c902172191a3a1f46532d86cc20dc6bea2f3f9a90215097b1e10c")
    }

    /// 10,240 bytes 0x00…0xFF repeated, fed in odd-sized chunks.
    static let allBytes: [UInt8] = (0..<40).flatMap { _ in (0...255).map { UInt8($0) } }
    static let allBytesDigest = "e96760a87768717bcebcfd25ddc7d46b4dbc95a4b0014def080c08539f7d90d0"

    @Test func allByteValuesOneShot() {
        #expect(SHA256.hex(Self.allBytes) == Self.allBytesDigest)
    }

    @Test(arguments: [1, 3, 7, 55, 63, 64, 65, 127, 1000, 4097])
    func incrementalInOddChunksEqualsOneShot(chunkSize: Int) {
        var hasher = SHA256()
        var start = 0
        while start < Self.allBytes.count {
            let end = min(start + chunkSize, Self.allBytes.count)
            hasher.update(Self.allBytes[start..<end])  // ArraySlice with non-zero start index
            start = end
        }
        #expect(Hex.encode(hasher.finalize()) == Self.allBytesDigest)
    }

    @Test func irregularChunkSequenceIncludingEmptyUpdates() {
        var hasher = SHA256()
        let sizes = [0, 1, 62, 0, 2, 129, 5, 64, 0, 300, 17]
        var start = 0
        var index = 0
        while start < Self.allBytes.count {
            let size = sizes[index % sizes.count]
            index += 1
            let end = min(start + size, Self.allBytes.count)
            hasher.update(Array(Self.allBytes[start..<end]))
            start = end
        }
        hasher.update([UInt8]())
        #expect(Hex.encode(hasher.finalize()) == Self.allBytesDigest)
    }

    @Test func digestIs32BytesAndTaggedFormHasPrefix() {
        var hasher = SHA256()
        hasher.update(Array("abc".utf8))
        let digest = hasher.finalize()
        #expect(digest.count == 32)
        #expect(digest.prefix(4) == [0xBA, 0x78, 0x16, 0xBF])
        #expect(SHA256.tagged(Array("abc".utf8)) == "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func nonArrayCollections() {
        let expected = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        #expect(SHA256.hex("abc".utf8) == expected)
        #expect(SHA256.hex(Array("xxabcxx".utf8)[2..<5]) == expected)
    }
}

extension String {
    fileprivate func leftPadded() -> String { count == 1 ? "0" + self : self }
}

/// Hex is written once; its digits and values are exact.
@Suite struct HexTests {
    @Test func encodesLowercaseAndDecodesEitherCase() {
        #expect(Hex.encode([0x00, 0x0F, 0xA5, 0xFF]) == "000fa5ff")
        #expect(Hex.byte(0x7F) == "7f")
        var out: [UInt8] = []
        Hex.append(0xC3, to: &out)
        #expect(out == Array("c3".utf8))
        #expect(Array("09afAF".utf8).map(Hex.value) == [0, 9, 10, 15, 10, 15])
        #expect(Hex.value(UInt8(ascii: "g")) == nil)
    }
}

/// One ISO-8601 implementation: the clock's text and parsing go through DateText.
@Suite struct ClockTests {
    @Test func formatsAndParsesUTCWithMilliseconds() {
        #expect(Clock.iso(seconds: 0, milliseconds: 0) == "1970-01-01T00:00:00.000Z")
        #expect(Clock.iso(seconds: 1_778_925_600, milliseconds: 7) == "2026-05-16T10:00:00.007Z")
        #expect(Clock.iso(seconds: -1, milliseconds: 999) == "1969-12-31T23:59:59.999Z")
        #expect(Clock.iso(seconds: 951_825_600, milliseconds: 0) == "2000-02-29T12:00:00.000Z")
        #expect(Clock.parseISO("2026-05-16T10:00:00.007Z") == 1_778_925_600.007)
        #expect(Clock.parseISO("2026-05-16T12:00:00+02:00") == 1_778_925_600)
        #expect(Clock.parseISO("2026-05-16T10:00:00") == 1_778_925_600)
        #expect(Clock.parseISO("yesterday") == nil)
        let now = Clock.now()
        let parsed = Clock.parseISO(Clock.isoNow()) ?? 0
        #expect(abs(parsed - now) < 5)
    }
}
