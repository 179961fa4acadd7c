import MeshKit
import Testing

/// The system-library modules link and work.
@Suite struct NativeLibrarySmokeTests {
    @Test func libgit2ReportsItsVersion() {
        let parts = NativeLibraries.libgit2Version.split(separator: ".").compactMap { Int($0) }
        #expect(parts.count == 3)
        #expect(parts[0] >= 1)
    }

    @Test func zlibRoundTripsBytes() {
        let input = Array("agentsmesh ".utf8) + [0x00, 0xFF, 0x10] + Array(repeating: 0x41, count: 4096)
        #expect(NativeLibraries.zlibRoundTrip(input) == input)
        #expect(NativeLibraries.zlibVersion.hasPrefix("1."))
    }
}
