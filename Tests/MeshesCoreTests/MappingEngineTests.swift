import MeshesCore
import SharedCore
import Testing

private func field(
    _ dest: String, path: String, _ transforms: [MappingSchema.Transform] = [],
    onError: MappingSchema.ErrorPolicy = .skipField
) -> MappingSchema.Field {
    MappingSchema.Field(dest: dest, source: .path(path), transforms: transforms, onError: onError)
}

/// Applies one transform chain to one value and returns the mapped value (nil when dropped).
private func map(_ value: JSONValue?, _ transforms: [MappingSchema.Transform]) throws -> JSONValue? {
    var payload: JSONObject = ["other": 1]
    if let value { payload["v"] = value }
    let result = try MappingEngine.apply(
        MappingSchema(fields: [field("out", path: "v", transforms, onError: .failAction)]), to: payload)
    return result.fields["out"]
}

/// Expects the chain to fail on `value`.
private func expectTransformFailure(
    _ value: JSONValue, _ transforms: [MappingSchema.Transform],
    sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(throws: MappingFailure.self, sourceLocation: sourceLocation) { try map(value, transforms) }
}

private let payload: JSONObject = [
    "email": "Ada@Example.com ", "user": ["plan": "pro", "tags": ["a", "b"], "0": "zero-key"],
    "items": [["sku": "X1"], ["sku": "Y2"]], "empty": "", "nothing": nil,
]

@Suite("MappingEngine")
struct MappingEngineTests {
    @Test func pathResolution() {
        let root = JSONValue.object(payload)
        #expect(MappingEngine.resolve(path: "user.plan", in: root) == "pro")
        #expect(MappingEngine.resolve(path: "items.1.sku", in: root) == "Y2")
        #expect(MappingEngine.resolve(path: "user.tags.0", in: root) == "a")
        #expect(MappingEngine.resolve(path: "user.0", in: root) == "zero-key")
        #expect(MappingEngine.resolve(path: "items.2.sku", in: root) == nil)
        #expect(MappingEngine.resolve(path: "items.sku", in: root) == nil)
        #expect(MappingEngine.resolve(path: "email.length", in: root) == nil)
        #expect(MappingEngine.resolve(path: "nothing", in: root) == .null)
        #expect(MappingEngine.resolve(path: "missing", in: root) == nil)
    }

    @Test func fieldsAreBuiltInOrderAndMissingPathsAreDropped() throws {
        let schema = MappingSchema(fields: [
            field("plan", path: "user.plan"),
            field("gone", path: "user.nope", [.trim, .upper], onError: .failAction),
            MappingSchema.Field(dest: "source", source: .literal("meshes")),
            field("sku", path: "items.0.sku", [.lower]),
        ])
        let result = try MappingEngine.apply(schema, to: payload)
        #expect(result.fields == ["plan": "pro", "source": "meshes", "sku": "x1"])
        #expect(result.warnings.isEmpty)
    }

    @Test func defaultFillsMissingNullAndEmpty() throws {
        #expect(try map(nil, [.defaultValue("x")]) == "x")
        #expect(try map(.null, [.defaultValue("x")]) == "x")
        #expect(try map("", [.defaultValue(5)]) == 5)
        #expect(try map(" ", [.defaultValue("x")]) == " ")
        #expect(try map(0, [.defaultValue("x")]) == 0)
        #expect(try map(nil, [.trim, .defaultValue("later")]) == "later")
        #expect(try map(nil, [.defaultValue(nil)]) == .null)
    }

    @Test func nullPassesThroughOtherTransforms() throws {
        #expect(try map(.null, [.trim, .toNumber, .upper]) == .null)
    }

    @Test func toStringForms() throws {
        #expect(try map(42, [.toString]) == "42")
        #expect(try map(.double(1.5), [.toString]) == "1.5")
        #expect(try map(.double(3), [.toString]) == "3")
        #expect(try map(true, [.toString]) == "true")
        #expect(try map(["b": 1, "a": [1, "x"]], [.toString]) == #"{"b":1,"a":[1,"x"]}"#)
        #expect(try map("s", [.toString]) == "s")
    }

    @Test func toNumberForms() throws {
        #expect(try map("42", [.toNumber]) == .double(42))
        #expect(try map(" -1.5e2 ", [.toNumber]) == .double(-150))
        #expect(try map(7, [.toNumber]) == .double(7))
        #expect(try map(true, [.toNumber]) == .double(1))
        #expect(try map(false, [.toNumber]) == .double(0))
        for bad: JSONValue in ["abc", "", "0x10", "inf", "nan", "1,5", ["a": 1], [1]] {
            expectTransformFailure(bad, [.toNumber])
        }
    }

    @Test func toBooleanForms() throws {
        for (input, output): (JSONValue, Bool) in [
            ("TRUE", true), ("1", true), ("Yes", true), ("on", true), ("false", false), ("0", false), ("NO", false),
            ("Off", false), (2, true), (.double(-0.5), true), (0, false), (true, true),
        ] {
            #expect(try map(input, [.toBoolean]) == .bool(output), "\(input)")
        }
        expectTransformFailure("maybe", [.toBoolean])
        expectTransformFailure([1], [.toBoolean])
    }

    @Test func toDateForms() throws {
        #expect(try map("2026-01-15T23:30:00Z", [.toDate(timezone: nil)]) == "2026-01-15")
        #expect(try map("2026-01-15T23:30:00Z", [.toDate(timezone: "Asia/Tokyo")]) == "2026-01-16")
        #expect(try map("2026-01-15T01:00:00+02:00", [.toDate(timezone: nil)]) == "2026-01-14")
        #expect(try map("2026-01-15", [.toDate(timezone: "America/New_York")]) == "2026-01-15")
        #expect(try map(1_767_225_600, [.toDate(timezone: nil)]) == "2026-01-01")
        #expect(try map(1_767_225_600, [.toDate(timezone: "America/Los_Angeles")]) == "2025-12-31")
        #expect(try map("1767225600", [.toDate(timezone: nil)]) == "2026-01-01")
        #expect(try map(-86_400, [.toDate(timezone: nil)]) == "1969-12-31")
        for bad: JSONValue in ["2026-13-01", "2026-02-30", "yesterday", "2026/01/01", true, ["d": 1]] {
            expectTransformFailure(bad, [.toDate(timezone: nil)])
        }
    }

    @Test func toDatetimeForms() throws {
        #expect(try map(1_767_225_600, [.toDatetime(timezone: nil)]) == "2026-01-01T00:00:00Z")
        #expect(try map(1_767_225_600, [.toDatetime(timezone: "America/New_York")]) == "2025-12-31T19:00:00-05:00")
        #expect(try map("2026-07-01T12:00:00+02:00", [.toDatetime(timezone: "Europe/Paris")]) == "2026-07-01T12:00:00+02:00")
        #expect(try map("2026-07-01T12:00:00.250+02:00", [.toDatetime(timezone: nil)]) == "2026-07-01T10:00:00.250Z")
        #expect(try map("2026-01-15", [.toDatetime(timezone: "Asia/Kolkata")]) == "2026-01-15T00:00:00+05:30")
        #expect(try map("2026-01-15T08:00:00", [.toDatetime(timezone: "Europe/Berlin")]) == "2026-01-15T08:00:00+01:00")
        #expect(try map(.double(1_767_225_600.5), [.toDatetime(timezone: nil)]) == "2026-01-01T00:00:00.500Z")
    }

    @Test func stringTransforms() throws {
        #expect(try map("  Ada \n", [.trim]) == "Ada")
        #expect(try map("ÄdA", [.lower]) == "äda")
        #expect(try map("straße", [.upper]) == "STRASSE")
        for transform: MappingSchema.Transform in [.trim, .lower, .upper, .substring(start: 0, length: 1)] {
            expectTransformFailure(42, [transform])
            expectTransformFailure(true, [transform])
        }
    }

    @Test func substringCountsGraphemeClusters() throws {
        #expect(try map("👍🏽abc", [.substring(start: 1, length: 2)]) == "ab")
        #expect(try map("👍🏽abc", [.substring(start: 0, length: 1)]) == "👍🏽")
        #expect(try map("abc", [.substring(start: 1, length: nil)]) == "bc")
        #expect(try map("abc", [.substring(start: 3, length: 1)]) == "")
        #expect(try map("abc", [.substring(start: 9, length: nil)]) == "")
        #expect(try map("abc", [.substring(start: 2, length: 50)]) == "c")
    }

    @Test func onErrorPolicies() throws {
        let schema = MappingSchema(fields: [
            field("skipped", path: "user.tags", [.trim]),
            field("warned", path: "user.tags", [.upper], onError: .warnAction),
            field("kept", path: "user.plan", [.upper], onError: .warnAction),
        ])
        let result = try MappingEngine.apply(schema, to: payload)
        #expect(result.fields == ["kept": "PRO"])
        #expect(result.warnings == ["mapping warning: warned: upper needs a string, got array"])

        let failing = MappingSchema(fields: [field("n", path: "user.plan", [.toNumber], onError: .failAction)])
        #expect(throws: MappingFailure(dest: "n", reason: "\"pro\" is not a number")) {
            try MappingEngine.apply(failing, to: payload)
        }
        #expect(MappingFailure(dest: "n", reason: "r").message == "mapping error: n: r")
    }

    @Test func laterDuplicateDestWins() throws {
        let schema = MappingSchema(fields: [field("x", path: "user.plan"), field("x", path: "items.0.sku"), field("x", path: "missing")])
        #expect(try MappingEngine.apply(schema, to: payload).fields == ["x": "X1"])
    }
}
