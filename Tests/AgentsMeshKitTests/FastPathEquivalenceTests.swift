import Foundation
import Synchronization
import TestSupport
import Testing
import Yams

@testable import AgentsMeshKit
@testable import SharedCore

/// Byte-level fast paths give exactly what the `Character`-level reference code gives.
@Suite struct FastPathEquivalenceTests {
    /// The `Character`-level frontmatter split the byte scanner replaced (kept as the oracle).
    static func referenceParse(_ text: String, path: String) throws(ToolError) -> MarkdownDocument {
        let normalized = text.replacingCRLF()
        var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == "---" else { return MarkdownDocument(body: normalized) }
        lines.removeFirst()
        guard let close = lines.firstIndex(of: "---") else {
            throw ToolError.syntax(path: path, line: 1, column: 1, message: "frontmatter has no closing '---' line")
        }
        let yamlText = lines[..<close].map { $0 + "\n" }.joined()
        let body = lines[(close + 1)...].joined(separator: "\n")
        let value: JSONValue?
        do {
            value = try YAML.parse(yamlText)
        } catch {
            throw ToolError.syntax(path: path, line: error.line.map { $0 + 1 }, column: error.column, message: error.message)
        }
        switch value {
        case nil, .null?: return MarkdownDocument(frontmatter: JSONObject(), hasFrontmatter: true, body: body)
        case .object(let object)?: return MarkdownDocument(frontmatter: object, hasFrontmatter: true, body: body)
        default: throw ToolError.syntax(path: path, line: 2, column: 1, message: "frontmatter must be a mapping")
        }
    }

    static func outcome(_ parse: (String, String) throws(ToolError) -> MarkdownDocument, _ text: String) -> String {
        do {
            let document = try parse(text, "doc.md")
            return "ok \(document.hasFrontmatter) \(JSONEmitter.compact(.object(document.frontmatter))) \(document.body.debugDescription)"
        } catch {
            return "error \(error.code) \(error.message)"
        }
    }

    @Test(arguments: [
        "", "---", "---\n", "---\n---", "---\n---\n", "---\n---\nbody", "---\na: 1\n---\nbody\n", "---\r\na: 1\r\n---\r\nx",
        "--- \na: 1\n---\n", "---\na: 1\n--- \nbody", "---\na: 1\n", "text\n---\na: 1\n---\n", "---\n- 1\n---\n",
        "---\na: |\n  kept\n---\n\n# Title\n", "---\né: ü\n---\nbody é\n", "\n---\na: 1\n---\n", "---\na: 1\n----\n---\nb",
    ])
    func knownDocuments(text: String) {
        #expect(Self.outcome(Frontmatter.parse(_:path:), text) == Self.outcome(Self.referenceParse(_:path:), text))
    }

    @Test func randomDocumentsParseAlike() {
        var random = Seeded(11)
        let pieces = ["---", "\n", "\r\n", "\r", "a: 1", "b: x", " ", "-", "é", "#", "k: |", "  v", ":", "--"]
        for _ in 0..<4_000 {
            let text = (0..<Int(random.next() % 12)).map { _ in pieces[Int(random.next() % UInt64(pieces.count))] }.joined()
            let fast = Self.outcome(Frontmatter.parse(_:path:), text)
            let reference = Self.outcome(Self.referenceParse(_:path:), text)
            #expect(fast == reference, "\(text.debugDescription)")
        }
    }

    @Test func asciiPlainScalarRulesMatchTheCharacterRules() {
        var random = Seeded(5)
        let alphabet = Array("aeEfFxXoO0179.+-_: #\t'\"~nNuUlLyYtTrRsS[{&*!|>%@`?,\u{7F}\n".utf8)
        var checked = 0
        for _ in 0..<40_000 {
            let bytes = (0..<Int(random.next() % 7)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(YAMLEmitter.asciiPlainSafe(text) == YAMLEmitter.isPlainSafeGeneral(text), "\(text.debugDescription)")
            checked += 1
        }
        for word in [
            "true", "False", "YES", "no", "On", "off", "y", "N", "null", "~", ".inf", "-.NaN", "+.inf", "0x1F", "0o17", "0o19",
            "0x", "1e5", "1E+5", "1e", ".5", "5.", ".", "+", "-1.5e-3", "12abc", "nulls",
        ] {
            #expect(YAMLEmitter.asciiPlainSafe(word) == YAMLEmitter.isPlainSafeGeneral(word), "\(word)")
        }
        #expect(YAMLEmitter.asciiPlainSafe("é") == nil)
        #expect(checked == 40_000)
    }
}

/// `Parallel.map` keeps order and reports the first failure by position, for every size and grain.
@Suite struct ParallelMapTests {
    @Test func mapsEveryCountAndGrainInOrder() throws {
        for count in 0...70 {
            for grain in [1, 2, 3, 8, 16, 64] {
                let items = Array(0..<count)
                #expect(try Parallel.map(items, grain: grain) { $0 * 3 } == items.map { $0 * 3 }, "count \(count) grain \(grain)")
            }
        }
    }

    @Test func firstFailureByPositionIsThrown() {
        for count in [5, 9, 40, 300] {
            var caught: ToolError?
            do {
                _ = try Parallel.map(Array(0..<count), grain: 1) { (item) throws(ToolError) -> Int in
                    if item % 4 == 3 { throw ToolError("E\(item)", "item \(item)") }
                    return item
                }
            } catch {
                caught = error
            }
            #expect(caught?.code == "E3", "count \(count)")
        }
    }

    @Test func groupedMapKeepsOrderAndNeverRunsOneGroupOnTwoWorkers() throws {
        var random = SplitMix(seed: 0x6A0E5)
        for count in [0, 1, 2, 7, 64, 500] {
            let items = (0..<count).map { ($0, "g\(random.below(6))") }
            let busy = Mutex<[String: Int]>([:])
            let overlaps = Mutex(0)
            let results = try Parallel.mapGrouped(items, group: \.1) { (item) throws(ToolError) -> Int in
                busy.withLock { state in
                    state[item.1, default: 0] += 1
                    if state[item.1]! > 1 { overlaps.withLock { $0 += 1 } }
                }
                usleep(50)
                busy.withLock { $0[item.1]! -= 1 }
                return item.0 * 2
            }
            #expect(results == items.map { $0.0 * 2 }, "count \(count)")
            #expect(overlaps.withLock { $0 } == 0, "count \(count)")
        }
    }

    @Test func groupedMapThrowsTheFirstFailureByPosition() {
        for count in [5, 9, 40, 300] {
            var caught: ToolError?
            do {
                // Failing items spread over every group: the lanes meet them in different orders.
                _ = try Parallel.mapGrouped(Array(0..<count), group: { "g\($0 % 5)" }) { (item) throws(ToolError) -> Int in
                    if item % 4 == 3 { throw ToolError("E\(item)", "item \(item)") }
                    return item
                }
            } catch {
                caught = error
            }
            #expect(caught?.code == "E3", "count \(count)")
        }
    }

    @Test func allRunsEveryJob() {
        let results = Parallel.all((0..<7).map { index in { @Sendable in index * index } })
        #expect(results == [0, 1, 4, 9, 16, 25, 36])
    }
}

/// Documents the simple frontmatter reader accepts read exactly as libyaml reads them.
@Suite struct SimpleYAMLTests {
    static func composed(_ text: String) -> String {
        do {
            return (try YAML.composed(text)).map { JSONEmitter.compact($0) } ?? "nil"
        } catch {
            return "error"
        }
    }

    @Test(arguments: [
        "description: React conventions for the auth area\nglobs:\n  - src/auth/**/*.tsx\n  - Bash(psql:*)\n",
        "a: true\nb: False\nc: NULL\nd: yes\ne: on\nf:\ng: tRUE\n", "list:\n- a\n- b\nafter: x\n", "x:\n\n  - a\n\n  - b\n",
        "name: don't [stop] {now}, ok\n", "path: /usr/bin\nparen: (x)\n", "k_1-2: v\n", "a: 'q'\n",
        "description: \"Go: validation # for web\"\nglobs:\n  - \"{apps,packages}/worker/**\"\n  - 'x: y'\nempty: \"\"\nalso: ''\n",
    ])
    func knownDocuments(text: String) throws {
        let simple = try #require(YAML.simpleDocument(text))
        #expect(simple.map { JSONEmitter.compact($0) } ?? "nil" == Self.composed(text))
    }

    @Test(arguments: [
        "a: b: c\n", "a: b #c\n", "a: 'it''s'\n", "a: \"x\\ty\"\n", "a: \"q\" #c\n", "a: 'q\n", "a: 1\n", "a: .inf\n", "a: ~\n", "a: -x\n",
        "a: x \n", "a:\n  b: c\n", "a: x\na: y\n",
        "# c\na: b\n", "a: é\n", "a:x\n", "a: [x]\n", "a:\n  - x\n - y\n", "a: b\r\n", "- a\n", "  a: b\n", "a: b:\n", "a : b\n",
    ])
    func unusualDocumentsAreLeftToLibyaml(text: String) {
        #expect(YAML.simpleDocument(text) == nil, "\(text.debugDescription)")
    }

    @Test func randomDocumentsReadLikeLibyaml() {
        var random = Seeded(41)
        let keys = ["a", "b", "desc", "x-y", "_k", "true", "1a"]
        let words = [
            "v", "true", "True", "null", "NULL", "yes", "1", "1.5", "0x1F", ".inf", "~", "a b", "a: b", "a #b", "a#b", "-x",
            "'q'", "\"q\"", "'a: b'", "\"a #b\"", "\"\"", "''", "'it''s'", "\"x\\\"y\"", "\"x\\ny\"", "'q", "\"q", "\"q\" x", "'é'",
            "\"true\"", "'1'", "[a]", "{a}", "*x", "&y", "x:", "(p)", "/p", "a,b", "é", "q'", "x ", " x", "%x", "@x", "`x`", "!x",
        ]
        var accepted = 0
        for _ in 0..<6_000 {
            var lines: [String] = []
            for _ in 0..<Int(1 + random.next() % 4) {
                let key = keys[Int(random.next() % UInt64(keys.count))]
                if random.next() % 3 == 0 {
                    lines.append(key + ":")
                    let indent = random.next() % 2 == 0 ? "  " : ""
                    for _ in 0..<Int(random.next() % 3) { lines.append(indent + "- " + words[Int(random.next() % UInt64(words.count))]) }
                } else {
                    lines.append(key + ": " + words[Int(random.next() % UInt64(words.count))])
                }
            }
            let text = lines.joined(separator: "\n") + (random.next() % 2 == 0 ? "\n" : "")
            if let simple = YAML.simpleDocument(text) {
                accepted += 1
                #expect(simple.map { JSONEmitter.compact($0) } ?? "nil" == Self.composed(text), "\(text.debugDescription)")
            }
        }
        #expect(accepted > 500)
    }
}

/// The byte-level, chunked stat-cache writer writes what the interpolating one wrote.
@Suite struct StatCacheWriterTests {
    /// The interpolating stat-cache writer the byte-level, chunked one replaced (kept as the oracle).
    static func referenceSerialized(_ cache: StatCache) -> [UInt8]? {
        var out = StatCache.magic + "\nkey " + cache.key + "\nstamp \(cache.stamp)\n"
        for entry in cache.entries {
            let hash = entry.hash ?? "-"
            let tag = entry.tag ?? "-"
            guard !entry.path.isEmpty, !entry.path.contains("\n"), !hash.contains(" "), !hash.contains("\n"), !hash.isEmpty,
                !tag.contains(" "), !tag.contains("\n"), !tag.isEmpty
            else { return nil }
            let s = entry.stat
            let flags = (entry.racy ? 1 : 0) | (entry.listing ? 2 : 0)
            out +=
                "e \(s.kind.rawValue) \(flags) \(s.device) \(s.inode) \(s.size) \(s.mode) \(s.mtime) \(s.ctime) \(hash) \(tag) \(entry.path)\n"
        }
        for record in cache.records {
            guard !record.contains("\n") else { return nil }
            out += "r " + record + "\n"
        }
        out += "end \(cache.entries.count)\n"
        guard !cache.key.contains("\n") else { return nil }
        return Array(out.utf8)
    }

    @Test func statCacheWriterMatchesTheInterpolatingOracle() {
        var random = SplitMix(seed: 0x5747_CACE)
        let kinds: [FileStat.Kind] = [.missing, .file, .directory, .symlink, .other]
        let numbers: [Int64] = [0, 1, 9, 10, 99, 1_000_000_007, -1, -5_000_000_000, Int64.max, Int64.min + 1]
        var signed = false
        // The reader takes no negative numbers (times before 1970): those rounds only compare the writers.
        func number() -> Int64 {
            let value = random.below(3) == 0 ? numbers[random.below(numbers.count)] : Int64(bitPattern: random.next())
            return signed ? value : value.magnitude > UInt64(Int64.max) ? 0 : Int64(value.magnitude)
        }
        // Mostly representable caches (sizes across the 512-entry chunks), some with one bad field.
        // (Parsing splits bodies of 2,048 lines or more into four chunks.)
        for round in 0..<72 {
            let count = [0, 1, 511, 512, 513, 1500, 2045, 2048, 4099][round % 9]
            signed = round % 2 == 1
            var entries: [StatCache.Entry] = []
            for index in 0..<count {
                let stat = FileStat(
                    kind: kinds[random.below(kinds.count)], device: random.next(), inode: random.below(4) == 0 ? UInt64.max : random.next(),
                    size: number(), mode: UInt32(truncatingIfNeeded: random.next()), mtime: number(), ctime: number())
                entries.append(
                    StatCache.Entry(
                        path: "dir \(index)/file-\(random.below(1000)).md", stat: stat,
                        hash: random.below(3) == 0 ? nil : "sha256:\(random.next())", tag: random.below(2) == 0 ? nil : "claude-code",
                        racy: random.below(2) == 0, listing: random.below(5) == 0))
            }
            var records = random.below(2) == 0 ? [] : ["targets [\"cursor\"]", "check-clean 1"]
            if round % 5 == 4, !entries.isEmpty {
                switch random.below(5) {
                case 0: entries[random.below(entries.count)].path = "a\nb"
                case 1: entries[random.below(entries.count)].hash = "has space"
                case 2: entries[random.below(entries.count)].tag = ""
                case 3: entries[random.below(entries.count)].path = ""
                default: records.append("line\nbreak")
                }
            }
            var cache = StatCache(key: round % 7 == 6 ? "k\n" : "v1 lib=0.1 root=/tmp/x", stamp: number(), entries: entries)
            cache.records = records
            let written = cache.serialized()
            #expect(written == Self.referenceSerialized(cache), "round \(round)")
            if let written, !signed {
                let parsed = StatCache.parse(written, key: cache.key)
                #expect(parsed?.entries == entries, "round \(round) parses back")
                #expect(parsed?.records == records, "round \(round) records parse back")
                #expect(parsed?.stamp == cache.stamp)
                // Any cut short of the whole file (mid-line, or dropping the final newline) is rejected.
                if written.count > 1 {
                    #expect(StatCache.parse(Array(written.dropLast()), key: cache.key) == nil)
                    #expect(StatCache.parse(Array(written.prefix(written.count / 2)), key: cache.key) == nil)
                }
            }
        }
    }
}

/// The byte-level core-schema resolution gives the tags the regular-expression resolver gives.
@Suite struct CoreTagTests {
    /// The rules of `YAML.resolver`, in its order (kept as the oracle).
    static let rules: [(String, NSRegularExpression)] = [
        ("bool", "^(?:true|True|TRUE|false|False|FALSE)$"),
        ("int", "^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$"),
        ("float", "^(?:[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\\.(?:inf|Inf|INF)|\\.(?:nan|NaN|NAN))$"),
        ("null", "^(?:~|null|Null|NULL|)$"),
    ].map { ($0.0, try! NSRegularExpression(pattern: $0.1)) }

    static func oracle(_ text: String) -> String {
        for (tag, regex) in rules where regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil {
            return "tag:yaml.org,2002:" + tag
        }
        return "tag:yaml.org,2002:str"
    }

    @Test func randomScalarsResolveLikeTheRegularExpressions() {
        var random = SplitMix(seed: 0xC0_7A6)
        let pieces = [
            "0", "1", "7", "9", "+", "-", ".", "e", "E", "x", "o", "a", "F", "inf", "Inf", "INF", "nan", "NaN", "NAN",
            "true", "True", "TRUE", "tRUE", "false", "null", "Null", "NULL", "~", " ", "_", ":", "é", "0x", "0o", "8",
        ]
        var tags: [String: Int] = [:]
        for _ in 0..<20_000 {
            var text = ""
            for _ in 0..<random.below(5) { text += pieces[random.below(pieces.count)] }
            let expected = Self.oracle(text)
            #expect(YAML.coreTag(text).rawValue == expected, "\(text.debugDescription)")
            tags[expected, default: 0] += 1
        }
        #expect(tags.count == 5 && tags.values.allSatisfy { $0 > 20 }, "\(tags)")
    }

    @Test(arguments: [
        "a: 1\nb: 0x1F\nc: 0o17\nd: 017\ne: 1.5\nf: .inf\ng: -.Inf\nh: .NaN-not\ni: ~\nj: TRUE\nk: yes\nl: 1e3\nm: 09\n",
        "- [1, true, null, x]\n- {a: -2.5e-3, b: '3', c: \"4\"}\n", "n: 99999999999999999999\no: +5\np: .5\nq: 5.\n",
    ])
    func documentsReadAsWithTheResolver(text: String) throws {
        // A `!` anywhere keeps Yams's resolution: the same document with a comment holding one is the oracle.
        let fast = try YAML.composed(text)
        let slow = try YAML.composed(text + "# !\n")
        #expect(fast == slow)
        #expect(fast != nil)
    }
}
