internal import MeshesCore
internal import SharedPlatform

/// Name resolution for attempts, with the egress check of §5.8 on every resolved address.
enum Resolver {
    /// One resolved address: its text form and its family.
    struct Address: Sendable, Equatable {
        var text: String
        var isIPv6: Bool
    }

    /// The addresses of `host`, in the order the system gives them; empty when the name does not resolve.
    static func resolve(_ host: String, port: Int) -> [Address] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_family = AF_UNSPEC
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else { return [] }
        defer { freeaddrinfo(first) }
        var out: [Address] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            defer { cursor = entry.pointee.ai_next }
            guard let address = entry.pointee.ai_addr else { continue }
            var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
            switch Int32(entry.pointee.ai_family) {
            case AF_INET:
                address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                    var addr = pointer.pointee.sin_addr
                    _ = inet_ntop(AF_INET, &addr, &buffer, socklen_t(buffer.count))
                }
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !out.contains(Address(text: text, isIPv6: false)) { out.append(Address(text: text, isIPv6: false)) }
            case AF_INET6:
                address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                    var addr = pointer.pointee.sin6_addr
                    _ = inet_ntop(AF_INET6, &addr, &buffer, socklen_t(buffer.count))
                }
                let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
                if !out.contains(Address(text: text, isIPv6: true)) { out.append(Address(text: text, isIPv6: true)) }
            default:
                continue
            }
        }
        return out
    }

    /// Why an address is refused as a destination (loopback, private, link-local, CGNAT, unique-local), or nil.
    static func refusal(_ address: Address) -> String? {
        if address.isIPv6 {
            var bytes = [UInt8](repeating: 0, count: 16)
            guard inet_pton(AF_INET6, address.text, &bytes) == 1 else { return "unparsable address" }
            return EgressPolicy.refusal(ipv6: bytes)
        }
        var bytes = [UInt8](repeating: 0, count: 4)
        guard inet_pton(AF_INET, address.text, &bytes) == 1 else { return "unparsable address" }
        return EgressPolicy.refusal(ipv4: bytes)
    }
}
