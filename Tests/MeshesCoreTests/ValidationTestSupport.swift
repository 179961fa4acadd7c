import MeshesCore
import SharedCore
import Testing

/// Parses a JSON literal used as a request body.
func jsonBody(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> JSONValue {
    try JSONParser.parse(text)
}

/// Runs `work`, which must throw an `APIError` with this status and code (and, when given, exactly
/// this message and a detail for `field`); returns the error for further checks.
@discardableResult
func expectValidationError<Value>(
    _ status: Int, _ code: String, message: String? = nil, field: String? = nil,
    sourceLocation: SourceLocation = #_sourceLocation, _ work: () throws(APIError) -> Value
) -> APIError? {
    do {
        let value = try work()
        Issue.record("expected \(status) \(code), got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.status == status, "status", sourceLocation: sourceLocation)
        #expect(error.code == code, "code (\(error.message))", sourceLocation: sourceLocation)
        if let message { #expect(error.message == message, sourceLocation: sourceLocation) }
        if let field {
            #expect(error.details.map(\.field).contains(field), "details \(error.details)", sourceLocation: sourceLocation)
        }
        return error
    }
}

/// Runs `work`, which must succeed; records the error otherwise.
func expectValid<Value>(sourceLocation: SourceLocation = #_sourceLocation, _ work: () throws(APIError) -> Value) -> Value? {
    do {
        return try work()
    } catch {
        Issue.record("unexpected \(error.status) \(error.code): \(error.message) \(error.details)", sourceLocation: sourceLocation)
        return nil
    }
}

/// A well-formed workspace id for bodies.
let testWorkspaceID = "3f2a6c1e-8b4d-4e6f-9a1b-2c3d4e5f6a7b"
let testConnectionID = "7d1f0c7e-2b1a-4c55-8f0e-9a4b3c2d1e0f"
/// C2's signing secret (key bytes 0x00..0x1f).
let c2SigningSecret = "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
