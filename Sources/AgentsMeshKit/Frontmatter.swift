internal import Foundation
package import SharedCore

/// Markdown with an optional YAML frontmatter block (§2.3).
public struct MarkdownDocument: Equatable, Sendable {
    /// The frontmatter mapping (`[:]` when the file has none).
    package var frontmatter: JSONObject
    /// Whether the file had a `---` fenced block.
    package var hasFrontmatter: Bool
    /// Everything after the closing fence, CRLF normalised to LF (not trimmed).
    package var body: String

    package init(frontmatter: JSONObject = JSONObject(), hasFrontmatter: Bool = false, body: String) {
        self.frontmatter = frontmatter
        self.hasFrontmatter = hasFrontmatter
        self.body = body
    }
}

/// Splitting and serialising frontmatter documents.
package enum Frontmatter {
    /// Parses a Markdown file; `path` (project-relative) names the file in errors.
    package static func parse(_ text: String, path: String) throws(ToolError) -> MarkdownDocument {
        var normalized = text.replacingCRLF()
        // Lines are split on LF bytes: after CR normalisation a LF is always a `Character` of its own.
        let split: (yaml: String, body: String)?? = normalized.withUTF8 { u in
            func isFence(_ start: Int, _ end: Int) -> Bool {
                end - start == 3 && u[start] == 0x2D && u[start + 1] == 0x2D && u[start + 2] == 0x2D
            }
            var firstEnd = 0
            while firstEnd < u.count, u[firstEnd] != 0x0A { firstEnd += 1 }
            guard isFence(0, firstEnd) else { return .some(nil) }
            let yamlStart = firstEnd + 1
            var lineStart = yamlStart
            while lineStart <= u.count {
                var lineEnd = lineStart
                while lineEnd < u.count, u[lineEnd] != 0x0A { lineEnd += 1 }
                if isFence(lineStart, lineEnd) {
                    // Each YAML line keeps its line break, so a trailing `|` block keeps its final newline.
                    let yaml = String(decoding: UnsafeBufferPointer(rebasing: u[yamlStart..<lineStart]), as: UTF8.self)
                    let bodyStart = min(lineEnd + 1, u.count)
                    return (yaml, String(decoding: UnsafeBufferPointer(rebasing: u[bodyStart...]), as: UTF8.self))
                }
                lineStart = lineEnd + 1
            }
            return nil
        }
        guard let found = split else {
            throw ToolError.syntax(path: path, line: 1, column: 1, message: "frontmatter has no closing '---' line")
        }
        guard let (yamlText, body) = found else { return MarkdownDocument(body: normalized) }
        let value: JSONValue?
        do {
            value = try YAML.parse(yamlText)
        } catch {
            throw ToolError.syntax(
                path: path, line: error.line.map { $0 + 1 }, column: error.column, message: error.message)
        }
        switch value {
        case nil, .null?: return MarkdownDocument(frontmatter: JSONObject(), hasFrontmatter: true, body: body)
        case .object(let object)?: return MarkdownDocument(frontmatter: object, hasFrontmatter: true, body: body)
        default:
            throw ToolError.syntax(path: path, line: 2, column: 1, message: "frontmatter must be a mapping")
        }
    }

    /// `serializeFrontmatter` of §3.2: drops empty values, fences only when a key remains.
    package static func serialize(_ frontmatter: JSONObject, body: String) -> String {
        var kept = JSONObject()
        for (key, value) in frontmatter where !value.isEmptyForEmission {
            kept[key] = value
        }
        let trimmedBody = body.trimmedWhitespace()
        guard !kept.isEmpty else { return trimmedBody }
        return "---\n" + YAMLEmitter.emit(kept) + "\n---\n\n" + trimmedBody
    }
}

extension String {
    /// CRLF (and lone CR) normalised to LF.
    package func replacingCRLF() -> String {
        guard utf8.contains(0x0D) else { return self }
        return replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// Leading and trailing whitespace and newlines removed.
    package func trimmedWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        guard let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}
