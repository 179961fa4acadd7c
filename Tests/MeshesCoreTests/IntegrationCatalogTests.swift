import MeshesCore
import SharedCore
import Testing

/// §6.4's static catalog field keys, written out independently of the resource file.
private let specCatalogKeys: [String: [String]] = [
    "activecampaign": ["email", "first_name", "last_name", "phone"], "aweber": ["email", "name"], "customer_io": ["id", "email"],
    "discord": [], "hubspot": ["email", "first_name", "last_name", "phone"], "intercom": ["email", "name"],
    "mailchimp": ["email", "first_name", "last_name"], "mailerlite": ["email", "name"], "pipedrive": ["email", "name", "phone"],
    "resend": ["email", "first_name", "last_name"], "salesforce": ["email", "first_name", "last_name"],
    "sendgrid": ["email", "first_name", "last_name"], "slack": [], "webhook": [], "zoom": ["email", "first_name", "last_name"],
]

/// §2.3's Auth column mapped onto §2.10's authentication types.
private let specAuthTypes: [String: String] = [
    "webhook": "none", "slack": "none", "discord": "none", "activecampaign": "api_key", "customer_io": "api_key",
    "mailchimp": "api_key", "mailerlite": "api_key", "resend": "api_key", "sendgrid": "api_key", "aweber": "oauth",
    "hubspot": "oauth", "intercom": "oauth", "pipedrive": "oauth", "salesforce": "oauth", "zoom": "oauth",
]

@Suite("IntegrationCatalog")
struct IntegrationCatalogTests {
    @Test func typesAreTheFifteenOfTheSpec() {
        #expect(
            IntegrationType.allCases.map(\.rawValue).sorted() == [
                "activecampaign", "aweber", "customer_io", "discord", "hubspot", "intercom", "mailchimp", "mailerlite", "pipedrive",
                "resend", "salesforce", "sendgrid", "slack", "webhook", "zoom",
            ])
        #expect(IntegrationType.allCases == IntegrationType.allCases.sorted())
    }

    @Test func bundledFileLoadsFifteenRecordsInTypeOrder() throws {
        let catalog = try IntegrationCatalog.bundled()
        #expect(catalog.integrations.count == 15)
        #expect(catalog.integrations.map(\.type) == IntegrationType.allCases)
        #expect(catalog.records.compactMap { $0["type"]?.stringValue } == IntegrationType.allCases.map(\.rawValue))
        for type in IntegrationType.allCases {
            #expect(catalog.integration(for: type).type == type)
        }
    }

    @Test func recordsHaveTheAPIShapeOnly() throws {
        for integration in try IntegrationCatalog.bundled().integrations {
            let record = try #require(integration.record.objectValue)
            #expect(record.keys == ["name", "type", "authentication", "actions"], "\(integration.type)")
            #expect(record["name"]?.stringValue == integration.name)
            #expect(!integration.name.isEmpty)
        }
    }

    @Test func actionsMatchTheSpecTable() throws {
        for integration in try IntegrationCatalog.bundled().integrations {
            let actions = try #require(integration.record["actions"]?.objectValue)
            #expect(actions.keys == specActionTable[integration.type.rawValue], "\(integration.type)")
            #expect(integration.actionKeys == integration.type.actions)
            for (key, action) in actions {
                #expect(action["key"]?.stringValue == key)
                #expect(action["label"]?.stringValue?.isEmpty == false)
                #expect(action["noun"]?.stringValue?.isEmpty == false)
                for input in action["data"]?.arrayValue ?? [] {
                    #expect(["simple", "advanced", "field"].contains(input["type"]?.stringValue ?? ""), "\(key)")
                }
            }
        }
    }

    @Test func actionInputsWriteTheSpecMetadataKeys() throws {
        let catalog = try IntegrationCatalog.bundled()
        func keys(_ type: IntegrationType, _ action: String) -> [String] {
            catalog.integration(for: type).record["actions"]?[action]?["fields"]?.stringList ?? ["<none>"]
        }
        #expect(keys(.slack, "send_message") == ["id", "template"])
        #expect(keys(.discord, "send_message") == ["id", "title", "template"])
        #expect(keys(.hubspot, "update_property") == ["id", "value"])
        #expect(keys(.pipedrive, "update_person_field") == ["id", "value"])
        #expect(keys(.sendgrid, "send_email").sorted() == ["body", "from", "subject"])
        #expect(keys(.customerIO, "track_event") == ["event_name_override"])
        #expect(keys(.webhook, "send_webhook") == [])
        #expect(keys(.activecampaign, "sync_contact") == [])
    }

    @Test func authenticationMatchesTheSpec() throws {
        for integration in try IntegrationCatalog.bundled().integrations {
            let auth = integration.record["authentication"]
            #expect(auth?["type"]?.stringValue == specAuthTypes[integration.type.rawValue], "\(integration.type)")
            let fieldKeys = auth?["fields"]?.arrayValue?.compactMap { $0["key"]?.stringValue } ?? []
            for key in integration.type.requiredMetadataKeys {
                #expect(fieldKeys.contains(key), "\(integration.type) lacks an authentication field for \(key)")
            }
            if integration.type.isOAuth {
                #expect(auth?["oauth"]?["version"] == 2)
            }
            for field in auth?["fields"]?.arrayValue ?? [] {
                #expect(["text", "password", "select"].contains(field["type"]?.stringValue ?? ""))
                if let key = field["key"]?.stringValue, integration.type.secretMetadataKeys.contains(key) {
                    #expect(field["type"] == "password", "\(integration.type).\(key) should be a password field")
                }
            }
        }
    }

    @Test func catalogFieldsMatchTheSpec() throws {
        for integration in try IntegrationCatalog.bundled().integrations {
            let keys = integration.catalogFields.compactMap { $0["key"]?.stringValue }
            #expect(keys == specCatalogKeys[integration.type.rawValue], "\(integration.type)")
            for field in integration.catalogFields {
                #expect(field["type"] == "string")
                #expect(field["label"]?.stringValue?.isEmpty == false)
                #expect(field["constraints"] == (field["key"] == "email" ? ["format": "email"] : nil))
            }
        }
    }

    @Test func catalogVersionIsTheHashOfCanonicalFields() throws {
        let catalog = try IntegrationCatalog.bundled()
        let aweber = catalog.integration(for: .aweber)
        let canonical =
            #"[{"constraints":{"format":"email"},"key":"email","label":"Email","type":"string"},{"key":"name","label":"Name","type":"string"}]"#
        #expect(aweber.catalogVersion == SHA256.hex(canonical))
        #expect(aweber.catalogVersion == "6f1c9015c60f7b0dc31c8de98f85da8b43bea488dc9448ebc601f7da8dbbafdc")
        // SHA-256 of "[]".
        for type in [IntegrationType.webhook, .slack, .discord] {
            #expect(catalog.integration(for: type).catalogVersion == "4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945")
        }
        for integration in catalog.integrations {
            #expect(integration.catalogVersion == IntegrationCatalog.catalogVersion(of: integration.catalogFields))
            #expect(integration.catalogVersion.count == 64)
        }
        // Key order does not change the version.
        #expect(
            IntegrationCatalog.catalogVersion(of: [["type": "string", "key": "email"]])
                == IntegrationCatalog.catalogVersion(of: [["key": "email", "type": "string"]]))
    }

    @Test func loaderRejectsInconsistentFiles() throws {
        let good = try #require(try IntegrationCatalog.bundled().integrations.first?.record)
        func load(_ records: [JSONValue]) -> IntegrationCatalogError? {
            do {
                _ = try IntegrationCatalog.load(bytes: Array(JSONEmitter.compact(.array(records)).utf8))
                return nil
            } catch {
                return error
            }
        }
        #expect(load([good])?.message.contains("is missing") == true)
        let all = try IntegrationCatalog.bundled().records
        #expect(load(all) == nil)
        #expect(load(all + [good])?.message.contains("appears twice") == true)
        var wrongActions = try #require(all[0].objectValue)
        wrongActions["actions"] = ["send_webhook": ["key": "send_webhook", "label": "x", "noun": "y"]]
        #expect(load([.object(wrongActions)] + all.dropFirst())?.message.contains("differ") == true)
        #expect((try? IntegrationCatalog.load(bytes: Array("{".utf8))) == nil)
    }
}
