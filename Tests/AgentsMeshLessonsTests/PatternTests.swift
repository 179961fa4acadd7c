import Testing

@testable import AgentsMeshLessons

/// The safe glob subset and the linear-time regex subset (§6.4).
@Suite struct PatternTests {
    @Test(arguments: [
        ("*.swift", "Sources/App/main.swift", true),
        ("*.swift", "main.swift", true),
        ("*.swift", "main.swiftx", false),
        ("src/*.ts", "src/a.ts", true),
        ("src/*.ts", "src/deep/a.ts", false),
        ("src/**", "src/deep/er/a.ts", true),
        ("src/**", "srcx/a.ts", false),
        ("src/**/test_*.py", "src/test_a.py", true),
        ("src/**/test_*.py", "src/a/b/test_a.py", true),
        ("**/*.md", "README.md", true),
        ("**", ".env", true),
        ("*", ".github", true),
        ("?.txt", "a.txt", true),
        ("?.txt", "ab.txt", false),
        ("[a-c].txt", "b.txt", true),
        ("[^a-c].txt", "b.txt", false),
        ("[^a-c].txt", "d.txt", true),
        ("{src,lib}/**/*.{ts,tsx}", "lib/x/y.tsx", true),
        ("{src,lib}/**/*.{ts,tsx}", "app/x/y.tsx", false),
        ("{a,{b,c}}/x", "c/x", true),
        ("./docs/*.md", "docs/a.md", true),
        ("!docs/**", "src/a.md", true),
        ("!docs/**", "docs/a.md", false),
        ("src/main.swift", "src/main.swift", true),
        ("src/main.swift", "src/main.swiftx", false),
    ])
    func globMatches(pattern: String, path: String, expected: Bool) throws {
        #expect(try GlobPattern(pattern).matches(path) == expected)
    }

    @Test(arguments: [
        "", "/abs/**", "a/../b", "./", "src/", "a//b", "+(a|b)", "@(x)", "!(x)", "?(x)", "a\\*", "!!a",
        "{a,b", "a}", String(repeating: "a", count: 257), "[abc",
    ])
    func unsafeGlobsAreRejected(pattern: String) {
        #expect(throws: GlobPattern.UnsafeError.self) { try GlobPattern(pattern) }
    }

    @Test func globShapesGiveTheSpecificityOfTheSpec() throws {
        #expect(try GlobPattern("src/a.ts").shape.specificity == 5)
        #expect(try GlobPattern("*.ts").shape.specificity == 4)
        #expect(try GlobPattern("**/*.ts").shape.specificity == 4)
        #expect(try GlobPattern("src/**").shape.specificity == 3)
        #expect(try GlobPattern("**").shape.specificity == 1)
        #expect(try GlobPattern("**/*").shape.specificity == 1)
    }

    @Test func globMatchingIsLinearOnHostileInput() throws {
        let pattern = try GlobPattern("**/" + String(repeating: "*a", count: 40) + "b")
        let path = String(repeating: "a", count: 5_000)
        #expect(!pattern.matches(path))
    }

    @Test(arguments: [
        ("^swift test", "swift test --parallel", true),
        ("^swift test", "xswift test", false),
        ("npm (ci|install)", "cd web && npm ci", true),
        ("\\bmake\\b", "cmake .", false),
        ("\\bmake\\b", "make all", true),
        ("^git push( -f| --force)$", "git push --force", true),
        ("^git push( -f| --force)$", "git push --force-with-lease", false),
        ("\\d{3,}", "port 8080", true),
        ("\\d{3,}", "port 80", false),
        ("[[:alpha:]]", "a", false),
        ("a.c", "abc", true),
        ("\\s\\w+$", "run tests", true),
        ("^$", "", true),
    ])
    func commandPatternsMatch(pattern: String, command: String, expected: Bool) throws {
        let compiled = try CommandPattern(pattern)
        var budget = StepBudget(steps: 1_000_000)
        #expect((compiled.matches(command.unicodeScalars.map(\.value), budget: &budget) == .match) == expected)
    }

    @Test(arguments: ["(a)\\1", "(?=x)", "(?!x)", "(?<=x)a", "\\u{41}", "(abc", "a)", "*a", "a{2000}", "[z-a]"])
    func unsupportedRegexIsRejected(pattern: String) {
        #expect(throws: CommandPattern.SyntaxError.self) { try CommandPattern(pattern) }
    }

    @Test func catastrophicPatternsRunInLinearTime() throws {
        let compiled = try CommandPattern("^(a+)+$")
        var budget = StepBudget(steps: 1_000_000)
        let input = (String(repeating: "a", count: 2_000) + "!").unicodeScalars.map(\.value)
        #expect(compiled.matches(input, budget: &budget) == .noMatch)
        #expect(budget.remaining > 900_000 - 100_000)
    }
}
