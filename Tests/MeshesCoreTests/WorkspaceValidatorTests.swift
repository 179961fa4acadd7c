import MeshesCore
import SharedCore
import Testing

@Suite("WorkspaceValidator")
struct WorkspaceValidatorTests {
    @Test func createWithAndWithoutDescription() throws {
        #expect(try WorkspaceValidator.validateCreate(["name": "Acme prod"]) == WorkspaceCreate(name: "Acme prod", description: nil))
        #expect(
            try WorkspaceValidator.validateCreate(["name": "a_b-c", "description": "Main"])
                == WorkspaceCreate(name: "a_b-c", description: "Main"))
        #expect(try WorkspaceValidator.validateCreate(["name": "abc", "description": nil]).description == nil)
    }

    @Test(arguments: ["abc", "A1 _-", String(repeating: "x", count: 50)])
    func goodNames(name: String) throws {
        #expect(try WorkspaceValidator.validateCreate(["name": .string(name)]).name == name)
    }

    @Test(arguments: [
        JSONValue.string("ab"), .string(String(repeating: "x", count: 51)), .string("bad.name"), .string("émoji"),
        .string("tab\tname"), .int(123), .null,
    ])
    func badNames(name: JSONValue) {
        expectValidationError(400, "invalid_request", field: "name") { () throws(APIError) in
            try WorkspaceValidator.validateCreate(["name": name])
        }
    }

    @Test func descriptionLimit() throws {
        let limit = String(repeating: "d", count: 1024)
        #expect(try WorkspaceValidator.validateCreate(["name": "abc", "description": .string(limit)]).description == limit)
        expectValidationError(400, "invalid_request", message: "description must be at most 1024 characters", field: "description") {
            () throws(APIError) in try WorkspaceValidator.validateCreate(["name": "abc", "description": .string(limit + "d")])
        }
        expectValidationError(400, "invalid_request", field: "description") { () throws(APIError) in
            try WorkspaceValidator.validateCreate(["name": "abc", "description": 5])
        }
    }

    @Test func updateDistinguishesAbsentNullAndValue() throws {
        #expect(try WorkspaceValidator.validateUpdate(["name": "abc"]).description == .keep)
        #expect(try WorkspaceValidator.validateUpdate(["name": "abc", "description": nil]).description == .set(nil))
        #expect(try WorkspaceValidator.validateUpdate(["name": "abc", "description": "x"]).description == .set("x"))
        #expect(FieldChange<String?>.keep.applied(to: "old") == "old")
        #expect(FieldChange<String?>.set(nil).applied(to: "old") == nil)
    }

    @Test func updateRequiresName() {
        expectValidationError(400, "invalid_request", message: "name is required", field: "name") { () throws(APIError) in
            try WorkspaceValidator.validateUpdate(["description": "x"])
        }
        expectValidationError(400, "invalid_request", message: "request body must be a JSON object") { () throws(APIError) in
            try WorkspaceValidator.validateUpdate("abc")
        }
    }
}
