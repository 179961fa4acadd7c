import Foundation

/// Markdown with an optional YAML frontmatter block (§2.3).
public struct MarkdownDocument: Equatable, Sendable {
    /// The frontmatter mapping (`[:]` when the file has none).
    public var frontmatter: JSONObject
    /// Whether the file had a `---` fenced block.
    public var hasFrontmatter: Bool
    /// Everything after the closing fence, CRLF normalised to LF (not trimmed).
    public var body: String

    public init(frontmatter: JSONObject = JSONObject(), hasFrontmatter: Bool = false, body: String) {
        self.frontmatter = frontmatter
        self.hasFrontmatter = hasFrontmatter
        self.body = body
    }
}

/// Splitting and serialising frontmatter documents.
public enum Frontmatter {
    /// Parses a Markdown file; `path` (project-relative) names the file in errors.
    public static func parse(_ text: String, path: String) throws(ToolError) -> MarkdownDocument {
        let normalized = text.replacingCRLF()
        var lines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == "---" else { return MarkdownDocument(body: normalized) }
        lines.removeFirst()
        guard let close = lines.firstIndex(of: "---") else {
            throw ToolError.syntax(path: path, line: 1, column: 1, message: "frontmatter has no closing '---' line")
        }
        // Each YAML line keeps its line break, so a trailing `|` block keeps its final newline.
        let yamlText = lines[..<close].map { $0 + "\n" }.joined()
        let body = lines[(close + 1)...].joined(separator: "\n")
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
    public static func serialize(_ frontmatter: JSONObject, body: String) -> String {
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
    public func replacingCRLF() -> String {
        guard contains("\r") else { return self }
        return replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
    }

    /// Leading and trailing whitespace and newlines removed.
    public func trimmedWhitespace() -> String {
        let scalars = unicodeScalars
        guard let start = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        guard let end = scalars.lastIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        return String(scalars[start...end])
    }
}
