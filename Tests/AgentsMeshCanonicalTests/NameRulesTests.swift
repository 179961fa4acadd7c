import AgentsMeshCanonical
import SharedCore
import Testing

@Suite struct NameRulesTests {
    @Test(arguments: [
        "CON", "con.md", "LPT9", "a:b", "a<b", "a|b", "a?b", "a*b", "trailing.", "trailing ", "", ".", "..", "tab\tname",
        String(repeating: "x", count: 65),
    ])
    func rejects(_ name: String) {
        #expect(NameRules.problem(with: name) != nil)
    }

    @Test(arguments: ["review", "code-reviewer", "my_rule", "a.b", "COM10", "x" + String(repeating: "y", count: 63)])
    func accepts(_ name: String) {
        #expect(NameRules.problem(with: name) == nil)
    }
}
