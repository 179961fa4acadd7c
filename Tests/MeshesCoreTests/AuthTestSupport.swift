import Foundation
import SharedCore
import Testing

@testable import MeshesCore

/// The inputs of conformance case C1 (§9).
enum C1 {
    static let accessKey = "mk_TestAccessKey0123456789ab"
    static let secret = "c2VjcmV0LWZvci10ZXN0LXZlY3Rvci1vbmx5LTAxMjM0NTY"
    static let org = "3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b"
    static let iat = 1_767_225_600
    static let header = #"{"alg":"HS256","typ":"JWT","kid":"mk_TestAccessKey0123456789ab"}"#
    static let claims =
        #"{"iss":"urn:meshes:m2m:mk_TestAccessKey0123456789ab","aud":"meshes-api","org":"3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b","iat":1767225600,"exp":1767225630}"#
    static let token =
        "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Im1rX1Rlc3RBY2Nlc3NLZXkwMTIzNDU2Nzg5YWIifQ.eyJpc3MiOiJ1cm46bWVzaGVzOm0ybTpta19UZXN0QWNjZXNzS2V5MDEyMzQ1Njc4OWFiIiwiYXVkIjoibWVzaGVzLWFwaSIsIm9yZyI6IjNmMmE2YzFlLThiNGQtNGU2Zi05YTFiLTJjM2Q0ZTVmNmE3YiIsImlhdCI6MTc2NzIyNTYwMCwiZXhwIjoxNzY3MjI1NjMwfQ.8CbjmM1KZxX9ssSaBpgtVL_cKX4zBw_O4Bz71Wgk6HE"

    /// The C1 header as an ordered object, for variants.
    static var headerObject: JSONObject { ["alg": "HS256", "typ": "JWT", "kid": .string(accessKey)] }

    /// The C1 claims as an ordered object, for variants.
    static var claimsObject: JSONObject {
        [
            "iss": .string("urn:meshes:m2m:" + accessKey), "aud": "meshes-api", "org": .string(org),
            "iat": .int(iat), "exp": .int(iat + 30),
        ]
    }

    /// The store the verifier consults: the C1 key, plus a revoked one.
    static let revokedKey = "mk_RevokedAccessKey0123456789"
    static func lookup(_ accessKey: String) -> MachineJWT.KeyRecord? {
        switch accessKey {
        case C1.accessKey: return MachineJWT.KeyRecord(secret: secret, orgID: org, revoked: false)
        case revokedKey: return MachineJWT.KeyRecord(secret: secret, orgID: org, revoked: true)
        default: return nil
        }
    }
}

/// A token with arbitrary header and claims, signed with HS256 under `key` (defaults to the C1 secret's
/// UTF-8 bytes).
func signedToken(header: JSONObject = C1.headerObject, claims: JSONObject, key: [UInt8] = Array(C1.secret.utf8)) -> String {
    CompactJWT.encode(header: header, claims: claims, key: key)
}

/// The C1 claims with some entries replaced (`nil` removes one).
func c1Claims(_ changes: [String: JSONValue?]) -> JSONObject {
    var claims = C1.claimsObject
    for (key, value) in changes { claims[key] = value }
    return claims
}

/// Verifies a machine token at `now` against the C1 store and expects the given rejection.
func expectMachineRejection(
    _ token: String, _ reason: TokenRejection.Reason, now: Int = C1.iat, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(throws: TokenRejection(reason), sourceLocation: sourceLocation) {
        try MachineJWT.verify(token, now: now, lookup: C1.lookup)
    }
}

/// The decoded text of a JWT segment.
func segmentText(_ token: String, _ index: Int) -> String? {
    let parts = token.split(separator: ".", omittingEmptySubsequences: false)
    guard index < parts.count, let bytes = Base64URL.decode(String(parts[index])) else { return nil }
    return String(decoding: bytes, as: UTF8.self)
}

/// A scratch folder removed on deinit.
final class ScratchDirectory {
    let path: String

    init() throws {
        let made = FileManager.default.temporaryDirectory.path + "/meshes-core-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: made, withIntermediateDirectories: true)
        path = made
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Permission bits of `path` (`stat`, following symlinks).
    func mode(_ path: String) -> Int? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
            let permissions = attributes[.posixPermissions] as? NSNumber
        else { return nil }
        return permissions.intValue & 0o777
    }

    /// Names in `path`, sorted.
    func names(_ path: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
    }
}
