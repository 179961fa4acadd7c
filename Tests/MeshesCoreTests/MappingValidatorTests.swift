import MeshesCore
import SharedCore
import Testing

private func schema(fields: [JSONValue], extra: JSONObject = [:]) -> JSONValue {
    var object: JSONObject = ["schema_version": 1, "fields": .array(fields)]
    for (key, value) in extra { object[key] = value }
    return .object(object)
}

private func pathField(_ dest: String = "email", _ path: String = "email", _ extra: JSONObject = [:]) -> JSONValue {
    var object: JSONObject = ["dest": .string(dest), "source": ["type": "path", "value": .string(path)]]
    for (key, value) in extra { object[key] = value }
    return .object(object)
}

/// Expects 422 `invalid_mapping` with a detail for `field`.
@discardableResult
private func expectInvalidMapping(
    _ value: JSONValue, field: String, message: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
) -> APIError? {
    expectValidationError(422, "invalid_mapping", message: message, field: field, sourceLocation: sourceLocation) {
        () throws(APIError) in try MappingValidator.validate(value)
    }
}

@Suite("MappingValidator")
struct MappingValidatorTests {
    @Test func fullSchemaParsesAndRoundTrips() throws {
        let value = try jsonBody(
            #"""
            {"schema_version":1,"meta":{"name":"Default","notes":"n"},"fields":[
              {"dest":"email","source":{"type":"path","value":"user.email"},"transforms":["trim",{"type":"lower"}],"on_error":"fail_action","notes":"who"},
              {"dest":"plan","source":{"type":"literal","value":"pro"}},
              {"dest":"n","source":{"type":"literal","value":null},"transforms":[{"type":"default","value":3},{"type":"to_string"}]},
              {"dest":"d","source":{"type":"path","value":"items.0.at"},"transforms":[{"type":"to_date","timezone":"Europe/Paris"},{"type":"to_datetime"},{"type":"substring","start":0,"length":4},{"type":"to_number"},{"type":"to_boolean"},{"type":"upper"}]}
            ],"ignored":true}
            """#)
        let parsed = try MappingValidator.validate(value)
        #expect(parsed.fields.count == 4)
        #expect(parsed.meta == MappingSchema.Meta(name: "Default", notes: "n"))
        #expect(
            parsed.fields[0]
                == MappingSchema.Field(
                    dest: "email", source: .path("user.email"), transforms: [.trim, .lower], onError: .failAction, notes: "who"))
        #expect(parsed.fields[1].source == .literal("pro"))
        #expect(parsed.fields[1].onError == .skipField)
        #expect(parsed.fields[2].transforms == [.defaultValue(3), .toString])
        #expect(
            parsed.fields[3].transforms == [
                .toDate(timezone: "Europe/Paris"), .toDatetime(timezone: nil), .substring(start: 0, length: 4), .toNumber, .toBoolean,
                .upper,
            ])
        #expect(try MappingValidator.validate(parsed.json) == parsed)
        #expect(parsed.json["ignored"] == nil)
        #expect(parsed.fields[0].json["transforms"] == [["type": "trim"], ["type": "lower"]])
    }

    @Test func limitsAtTheirMaximumAreAccepted() throws {
        let fields = (0..<250).map { pathField("f\($0)", "p\($0)") }
        #expect(try MappingValidator.validate(schema(fields: fields)).fields.count == 250)
        let long = pathField(
            String(repeating: "d", count: 128), "a" + String(repeating: ".b", count: 63) + "c",
            [
                "transforms": .array(Array(repeating: "trim", count: 10)), "notes": .string(String(repeating: "n", count: 1024)),
            ])
        #expect(
            try MappingValidator.validate(
                schema(
                    fields: [long],
                    extra: [
                        "meta": ["name": .string(String(repeating: "m", count: 64))]
                    ])
            ).fields[0].transforms.count == 10)
        let literal: JSONValue = ["dest": "x", "source": ["type": "literal", "value": .string(String(repeating: "v", count: 256))]]
        #expect(try MappingValidator.validate(schema(fields: [literal])).fields.count == 1)
    }

    static let badSchemas: [(JSONValue, String)] = [
        ("schema", "schema"),
        (["fields": []], "schema.schema_version"),
        (["schema_version": 2, "fields": []], "schema.schema_version"),
        (["schema_version": "1", "fields": []], "schema.schema_version"),
        (["schema_version": 1], "schema.fields"),
        (["schema_version": 1, "fields": ["a": 1]], "schema.fields"),
        (.object(["schema_version": 1, "fields": .array((0..<251).map { _ in pathField() })]), "schema.fields"),
        (schema(fields: ["email"]), "schema.fields[0]"),
        (schema(fields: [pathField("")]), "schema.fields[0].dest"),
        (schema(fields: [pathField(String(repeating: "d", count: 129))]), "schema.fields[0].dest"),
        (schema(fields: [["source": ["type": "path", "value": "a"]]]), "schema.fields[0].dest"),
        (schema(fields: [["dest": "a"]]), "schema.fields[0].source"),
        (schema(fields: [["dest": "a", "source": ["type": "env", "value": "a"]]]), "schema.fields[0].source.type"),
        (schema(fields: [["dest": "a", "source": ["type": "literal", "value": ""]]]), "schema.fields[0].source.value"),
        (
            schema(fields: [["dest": "a", "source": ["type": "literal", "value": .string(String(repeating: "v", count: 257))]]]),
            "schema.fields[0].source.value"
        ),
        (schema(fields: [["dest": "a", "source": ["type": "literal", "value": ["x": 1]]]]), "schema.fields[0].source.value"),
        (schema(fields: [["dest": "a", "source": ["type": "literal"]]]), "schema.fields[0].source.value"),
        (schema(fields: [pathField("a", "1abc")]), "schema.fields[0].source.value"),
        (schema(fields: [pathField("a", "user..email")]), "schema.fields[0].source.value"),
        (schema(fields: [pathField("a", "user.")]), "schema.fields[0].source.value"),
        (schema(fields: [pathField("a", "user-name")]), "schema.fields[0].source.value"),
        (schema(fields: [pathField("a", "a" + String(repeating: "b", count: 128))]), "schema.fields[0].source.value"),
        (schema(fields: [pathField("a", "a", ["transforms": .array(Array(repeating: "trim", count: 11))])]), "schema.fields[0].transforms"),
        (schema(fields: [pathField("a", "a", ["transforms": "trim"])]), "schema.fields[0].transforms"),
        (schema(fields: [pathField("a", "a", ["transforms": ["explode"]])]), "schema.fields[0].transforms[0].type"),
        (
            schema(fields: [pathField("a", "a", ["transforms": [["type": "to_date", "timezone": "Mars/Olympus"]]])]),
            "schema.fields[0].transforms[0].timezone"
        ),
        (
            schema(fields: [pathField("a", "a", ["transforms": [["type": "to_datetime", "timezone": ""]]])]),
            "schema.fields[0].transforms[0].timezone"
        ),
        (schema(fields: [pathField("a", "a", ["transforms": [["type": "default"]]])]), "schema.fields[0].transforms[0].value"),
        (
            schema(fields: [pathField("a", "a", ["transforms": [["type": "default", "value": ""]]])]),
            "schema.fields[0].transforms[0].value"
        ),
        (
            schema(fields: [
                pathField("a", "a", ["transforms": [["type": "default", "value": .string(String(repeating: "v", count: 129))]]])
            ]),
            "schema.fields[0].transforms[0].value"
        ),
        (
            schema(fields: [pathField("a", "a", ["transforms": [["type": "default", "value": [1]]]])]),
            "schema.fields[0].transforms[0].value"
        ),
        (schema(fields: [pathField("a", "a", ["transforms": [["type": "substring"]]])]), "schema.fields[0].transforms[0].start"),
        (
            schema(fields: [pathField("a", "a", ["transforms": [["type": "substring", "start": -1]]])]),
            "schema.fields[0].transforms[0].start"
        ),
        (
            schema(fields: [pathField("a", "a", ["transforms": [["type": "substring", "start": 0, "length": 0]]])]),
            "schema.fields[0].transforms[0].length"
        ),
        (schema(fields: [pathField("a", "a", ["on_error": "explode"])]), "schema.fields[0].on_error"),
        (schema(fields: [pathField("a", "a", ["notes": ""])]), "schema.fields[0].notes"),
        (schema(fields: [pathField("a", "a", ["notes": .string(String(repeating: "n", count: 1025))])]), "schema.fields[0].notes"),
        (schema(fields: [], extra: ["meta": "x"]), "schema.meta"),
        (schema(fields: [], extra: ["meta": ["name": .string(String(repeating: "m", count: 65))]]), "schema.meta.name"),
        (schema(fields: [], extra: ["meta": ["notes": ""]]), "schema.meta.notes"),
    ]

    @Test(arguments: badSchemas)
    func badSchemasAre422(value: JSONValue, field: String) {
        expectInvalidMapping(value, field: field)
    }

    @Test func everyProblemIsReported() {
        let value = schema(fields: [pathField(""), pathField("ok", "ok"), pathField("b", "1x", ["on_error": "no"])])
        let error = expectInvalidMapping(
            value, field: "schema.fields[0].dest", message: "schema.fields[0].dest must be a string of 1 to 128 characters (and 2 more)")
        #expect(error?.details.map(\.field) == ["schema.fields[0].dest", "schema.fields[2].source.value", "schema.fields[2].on_error"])
    }

    @Test func putBody() throws {
        let put = try MappingValidator.validatePut([
            "workspace_id": .string(testWorkspaceID), "expected_version": 3, "name": "Default", "schema": schema(fields: [pathField()]),
        ])
        #expect(put.workspaceID == testWorkspaceID)
        #expect(put.mappingID == nil)
        #expect(put.expectedVersion == 3)
        #expect(put.name == "Default")
        #expect(put.schema.fields.count == 1)
        expectValidationError(400, "invalid_request", field: "expected_version") { () throws(APIError) in
            try MappingValidator.validatePut(["expected_version": 0, "schema": schema(fields: [])])
        }
        expectValidationError(400, "invalid_request", message: "schema is required") { () throws(APIError) in
            try MappingValidator.validatePut(["name": "x"])
        }
        expectValidationError(400, "invalid_request", field: "name") { () throws(APIError) in
            try MappingValidator.validatePut(["name": .string(String(repeating: "n", count: 65)), "schema": schema(fields: [])])
        }
        expectValidationError(400, "invalid_request", field: "mapping_id") { () throws(APIError) in
            try MappingValidator.validatePut(["mapping_id": "m1", "schema": schema(fields: [])])
        }
        expectValidationError(422, "invalid_mapping", field: "schema.schema_version") { () throws(APIError) in
            try MappingValidator.validatePut(["schema": ["fields": []]])
        }
    }

    @Test func generatedMappingUsesRecognisedCatalogKeys() {
        let generated = MappingSchema.generated(catalogFieldKeys: ["email", "company", "first_name", "phone"])
        #expect(generated.fields.map(\.dest) == ["email", "first_name", "phone"])
        #expect(generated.fields.allSatisfy { $0.source == .path($0.dest) && $0.transforms.isEmpty })
        #expect(
            generated.json["fields"]?.arrayValue?.first
                == ["dest": "email", "source": ["type": "path", "value": "email"], "on_error": "skip_field"])
    }
}
