import Foundation
import Testing

@testable import MeshesCore

/// Runs `python3` for cross-checks against implementations we did not write (PyJWT, standardwebhooks).
enum Python {
    struct Output {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs `python3 -c script arguments…`; `nil` when python3 cannot be started.
    static func run(_ script: String, _ arguments: [String] = []) -> Output? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script] + arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch { return nil }
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Output(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    /// Whether python3 runs and can import every module in `modules`.
    static func canImport(_ modules: String...) -> Bool {
        run("import " + modules.joined(separator: ", "))?.status == 0
    }
}

@Suite("Cross-checks with independent implementations")
struct InteropTests {
    static let pyjwtScript = #"""
        import base64, json, sys, jwt
        token, secret, org, kid, now = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
        claims = jwt.decode(token, secret, algorithms=["HS256"], audience="meshes-api",
                            issuer="urn:meshes:m2m:" + kid, leeway=10,
                            options={"require": ["iss", "aud", "iat", "exp"]})
        out = {"header": jwt.get_unverified_header(token), "claims": claims}
        try:
            jwt.decode(token, base64.urlsafe_b64decode(secret + "=" * (-len(secret) % 4)), algorithms=["HS256"],
                       audience="meshes-api")
            out["decoded_secret"] = "accepted"
        except jwt.InvalidSignatureError:
            out["decoded_secret"] = "rejected"
        ours = jwt.encode({"exp": now + 30, "org": org, "aud": "meshes-api", "iat": now, "iss": "urn:meshes:m2m:" + kid},
                          secret, algorithm="HS256", headers={"kid": kid})
        out["pyjwt_token"] = ours
        print(json.dumps(out, separators=(",", ":")))
        """#

    @Test(
        "PyJWT verifies our machine token, and we verify PyJWT's",
        .enabled(if: Python.canImport("jwt"), "python3 with PyJWT is not installed; run Scripts/bootstrap"))
    func pyjwt() throws {
        let now = Int(Date().timeIntervalSince1970)
        let secret = KeyFormats.generateSecret()
        let accessKey = KeyFormats.generateAccessKey()
        let org = "3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b"
        let token = MachineJWT.mint(accessKey: accessKey, secret: secret, orgID: org, issuedAt: now)
        let output = try #require(Python.run(Self.pyjwtScript, [token, secret, org, accessKey, String(now)]))
        try #require(output.status == 0, "python failed: \(output.stderr)")
        let prefix =
            #"{"header":{"alg":"HS256","typ":"JWT","kid":"\#(accessKey)"},"claims":{"iss":"urn:meshes:m2m:\#(accessKey)","aud":"meshes-api","org":"\#(org)","iat":\#(now),"exp":\#(now + 30)},"decoded_secret":"rejected","pyjwt_token":""#
        #expect(output.stdout.hasPrefix(prefix))

        let pyjwtToken = String(output.stdout.dropFirst(prefix.count).prefix { $0 != "\"" })
        let identity = try MachineJWT.verify(pyjwtToken, now: now) { key in
            key == accessKey ? MachineJWT.KeyRecord(secret: secret, orgID: org, revoked: false) : nil
        }
        #expect(identity == MachineJWT.Identity(accessKey: accessKey, orgID: org, issuedAt: now, expiresAt: now + 30))
    }

    static let sessionScript = #"""
        import base64, json, sys, jwt
        token, key_hex, now = sys.argv[1], sys.argv[2], int(sys.argv[3])
        claims = jwt.decode(token, bytes.fromhex(key_hex), algorithms=["HS256"], audience="meshes-api",
                            issuer="urn:meshes:session", leeway=10)
        print(json.dumps({"header": jwt.get_unverified_header(token), "claims": claims}, separators=(",", ":")))
        """#

    @Test(
        "PyJWT verifies our session token with the raw signing key",
        .enabled(if: Python.canImport("jwt"), "python3 with PyJWT is not installed; run Scripts/bootstrap"))
    func pyjwtSession() throws {
        let now = Int(Date().timeIntervalSince1970)
        let key = SecureRandom.bytes(32)
        let claims = SessionJWT.Claims(
            sessionID: KeyFormats.generateSessionID(), orgID: "3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b",
            workspaceID: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a", role: "member", sessionType: "dashboard",
            scopes: ["events.payload:read"], issuedAt: now, expiresAt: now + 1800)
        let token = SessionJWT.mint(claims, keyNumber: 2, signingKey: key)
        let hex = key.map { String($0, radix: 16) }.map { $0.count == 1 ? "0" + $0 : $0 }.joined()
        let output = try #require(Python.run(Self.sessionScript, [token, hex, String(now)]))
        try #require(output.status == 0, "python failed: \(output.stderr)")
        #expect(
            output.stdout
                == #"{"header":{"alg":"HS256","typ":"JWT","kid":"sess-2"},"claims":{"iss":"urn:meshes:session","aud":"meshes-api","sub":"\#(claims.sessionID)","org":"3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b","ws":"9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a","role":"member","st":"dashboard","scp":["events.payload:read"],"iat":\#(now),"exp":\#(now + 1800)}}"#
                + "\n")
    }

    static let webhookScript = #"""
        import sys
        from datetime import datetime, timezone
        from standardwebhooks.webhooks import Webhook, WebhookVerificationError
        body, msg_id, ts, signature = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
        headers = {"webhook-id": msg_id, "webhook-timestamp": ts, "webhook-signature": signature}
        for secret in sys.argv[5:]:
            try:
                Webhook(secret).verify(body.encode(), headers)
                print("ok")
            except WebhookVerificationError as error:
                print("rejected")
        c2 = Webhook("whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").sign(
            "0b7c9a52-6f0e-4d8b-9b57-3a1e2c4d5f60", datetime.fromtimestamp(1767225605, tz=timezone.utc),
            '{"email":"ada@example.com","plan":"pro"}')
        print(c2)
        """#

    @Test(
        "standardwebhooks verifies our webhook-signature, both entries during rotation",
        .enabled(
            if: Python.canImport("standardwebhooks.webhooks"),
            "python3 with standardwebhooks is not installed; run Scripts/bootstrap"))
    func standardWebhooks() throws {
        let now = Int(Date().timeIntervalSince1970)
        let current = WebhookSecret.generate()
        let previous = WebhookSecret.generate()
        let stranger = WebhookSecret.generate()
        let body = #"{"type":"event","id":"e1","payload":{"name":"Ada Lovelace","note":"ünïcode ✓"}}"#
        let keys = try [current, previous].map { try #require(WebhookSecret.keyBytes($0)) }
        let signature = WebhookSignature.standard(id: "re-1", timestamp: now, body: Array(body.utf8), keys: keys)
        let output = try #require(
            Python.run(Self.webhookScript, [body, "re-1", String(now), signature, current, previous, stranger]))
        try #require(output.status == 0, "python failed: \(output.stderr)")
        #expect(output.stdout == "ok\nok\nrejected\nv1,NWmahhIRzd4HCgEVDFNbcwJZXUi+5cls0l1xTLRhb48=\n")
    }
}
