/// A workspace's publishable key, `mesh_pub_<org uuid>_<workspace uuid>_<22 base62 chars>` (§2.2).
///
/// The key is public: it is stored in plain text and looked up by its full `value`. Parsing follows the
/// spec's pattern `^mesh_pub_([A-Za-z0-9\-.]+)_([A-Za-z0-9\-.]+)_([^_]+)$` and nothing more, so the
/// parts are not guaranteed to be UUIDs; the lookup by value is what authenticates.
public struct PublishableKey: Sendable, Equatable, Hashable {
    /// The literal prefix.
    public static let prefix = "mesh_pub_"

    /// The org part (a UUID for keys this engine generates).
    public let orgID: String
    /// The workspace part (a UUID for keys this engine generates).
    public let workspaceID: String
    /// The random tail (22 base62 characters for keys this engine generates).
    public let random: String

    /// The full key as sent in `X-Meshes-Publishable-Key`.
    public var value: String { PublishableKey.prefix + orgID + "_" + workspaceID + "_" + random }

    /// Parses `text` against the spec's pattern; `nil` when it does not match.
    public init?(_ text: String) {
        let bytes = text.utf8
        guard bytes.starts(with: PublishableKey.prefix.utf8) else { return nil }
        let parts = bytes.dropFirst(PublishableKey.prefix.utf8.count)
            .split(separator: UInt8(ascii: "_"), omittingEmptySubsequences: false)
        guard parts.count == 3, PublishableKey.isIDPart(parts[0]), PublishableKey.isIDPart(parts[1]),
            !parts[2].isEmpty
        else { return nil }
        orgID = String(decoding: parts[0], as: UTF8.self)
        workspaceID = String(decoding: parts[1], as: UTF8.self)
        random = String(decoding: parts[2], as: UTF8.self)
    }

    private init(orgID: String, workspaceID: String, random: String) {
        self.orgID = orgID
        self.workspaceID = workspaceID
        self.random = random
    }

    /// A new key for a workspace. The ids are written lowercase.
    public static func generate(orgID: String, workspaceID: String) -> PublishableKey {
        PublishableKey(orgID: orgID.lowercased(), workspaceID: workspaceID.lowercased(), random: SecureRandom.base62(22))
    }

    /// `[A-Za-z0-9\-.]+`
    private static func isIDPart(_ bytes: some Collection<UInt8>) -> Bool {
        !bytes.isEmpty
            && bytes.allSatisfy { byte in
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            }
    }
}
