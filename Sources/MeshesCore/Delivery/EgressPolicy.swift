/// Egress rules of §5.8: which resolved addresses a delivery may reach without `--allow-private-egress`.
public enum EgressPolicy {
    /// Why an address is refused, or nil when it is a public destination.
    public static func refusal(ipv4 bytes: [UInt8]) -> String? {
        guard bytes.count == 4 else { return "not an IPv4 address" }
        switch (bytes[0], bytes[1]) {
        case (0, _): return "unspecified address"
        case (127, _): return "loopback address"
        case (10, _): return "private address (RFC 1918)"
        case (172, 16...31): return "private address (RFC 1918)"
        case (192, 168): return "private address (RFC 1918)"
        case (169, 254): return "link-local address"
        case (100, 64...127): return "shared address space (CGNAT)"
        case (224...255, _): return "multicast or reserved address"
        default: return nil
        }
    }

    /// Why an IPv6 address (16 bytes) is refused, or nil when it is public. IPv4-mapped addresses are judged
    /// as the IPv4 address they carry.
    public static func refusal(ipv6 bytes: [UInt8]) -> String? {
        guard bytes.count == 16 else { return "not an IPv6 address" }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return refusal(ipv4: Array(bytes[12..<16]))
        }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return bytes[15] == 1 ? "loopback address" : "unspecified address" }
        if bytes[0] & 0xFE == 0xFC { return "unique-local address" }
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return "link-local address" }
        if bytes[0] == 0xFF { return "multicast address" }
        return nil
    }
}
