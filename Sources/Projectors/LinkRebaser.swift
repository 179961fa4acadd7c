import MeshKit

/// Rewrites references to project files inside Markdown (§3.7). Used forward (canonical → target)
/// and inverse (target → canonical) with different maps.
public struct LinkRebaser: Sendable {
    /// Project-relative path → rewritten project-relative path, or nil when not mapped.
    public var map: @Sendable (String) -> String?
    /// Whether a project-relative path (file or folder) exists and may be rewritten.
    public var exists: @Sendable (String) -> Bool
    /// Absolute project root (absolute in-project references become project-relative).
    public var projectRoot: String

    public init(projectRoot: String, exists: @escaping @Sendable (String) -> Bool, map: @escaping @Sendable (String) -> String?) {
        self.projectRoot = projectRoot
        self.exists = exists
        self.map = map
    }

    /// Rewrites `text` written in `sourceFile` for placement at `outputFile` (both project-relative).
    public func rebase(_ text: String, from sourceFile: String, to outputFile: String) -> String {
        guard text.contains("/") || text.contains("\\") || text.contains(".") else { return text }
        var out: [String] = []
        var fence: String?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let stripped = line.drop { $0 == " " }
            if let open = fence {
                out.append(String(line))
                if stripped.hasPrefix(open) && stripped.drop(while: { String($0) == String(open.first!) }).trimmingSpaces().isEmpty {
                    fence = nil
                }
                continue
            }
            if line.prefix(while: { $0 == " " }).count <= 3, stripped.hasPrefix("```") || stripped.hasPrefix("~~~") {
                let marker = stripped.first!
                fence = String(stripped.prefix { $0 == marker })
                out.append(String(line))
                continue
            }
            out.append(rebaseLine(String(line), sourceFile: sourceFile, outputFile: outputFile))
        }
        return out.joined(separator: "\n")
    }

    private func rebaseLine(_ line: String, sourceFile: String, outputFile: String) -> String {
        // Split into code spans (kept) and prose (scanned).
        var result = ""
        var prose = ""
        var chars = Substring(line)
        while !chars.isEmpty {
            if chars.first == "`" {
                let ticks = chars.prefix { $0 == "`" }
                let afterOpen = chars.dropFirst(ticks.count)
                if let close = afterOpen.range(of: String(ticks)) {
                    result += rebaseProse(prose, sourceFile: sourceFile, outputFile: outputFile)
                    prose = ""
                    result += chars[chars.startIndex..<close.upperBound]
                    chars = chars[close.upperBound...]
                    continue
                }
                prose += ticks
                chars = afterOpen
                continue
            }
            prose.append(chars.removeFirst())
        }
        return result + rebaseProse(prose, sourceFile: sourceFile, outputFile: outputFile)
    }

    private func rebaseProse(_ prose: String, sourceFile: String, outputFile: String) -> String {
        guard !prose.isEmpty else { return prose }
        var result = ""
        var token = ""
        for ch in prose {
            if ch == " " || ch == "\t" {
                result += rebaseToken(token, sourceFile: sourceFile, outputFile: outputFile)
                token = ""
                result.append(ch)
            } else {
                token.append(ch)
            }
        }
        return result + rebaseToken(token, sourceFile: sourceFile, outputFile: outputFile)
    }

    /// Finds the reference inside one whitespace-free token and rewrites it.
    private func rebaseToken(_ token: String, sourceFile: String, outputFile: String) -> String {
        guard token.count > 1, token.contains("/") || token.contains("\\") || token.contains(".") else { return token }
        let scalars = Array(token)
        var start = 0
        // Markdown link target `](x)` wins; otherwise skip opening wrappers.
        if let linkOpen = token.range(of: "](", options: .backwards) {
            start = token.distance(from: token.startIndex, to: linkOpen.upperBound)
        } else {
            while start < scalars.count, "([<\"'@*".contains(scalars[start]) { start += 1 }
        }
        var end = start
        while end < scalars.count, !")]>\"'*".contains(scalars[end]) { end += 1 }
        var candidate = String(scalars[start..<end])
        var trailing = ""
        while let last = candidate.last, ".,;:!?".contains(last) {
            trailing = String(last) + trailing
            candidate.removeLast()
        }
        guard let rewritten = rewrite(candidate, sourceFile: sourceFile, outputFile: outputFile) else { return token }
        return String(scalars[0..<start]) + rewritten + trailing + String(scalars[end...])
    }

    /// Rewrites one reference, or nil when it is not a mapped project path.
    func rewrite(_ raw: String, sourceFile: String, outputFile: String) -> String? {
        guard !raw.isEmpty else { return nil }
        if raw.hasPrefix("//") || raw.contains("://") || raw.hasPrefix("git@") { return nil }
        if let colon = raw.firstIndex(of: ":"), raw[..<colon].allSatisfy({ $0.isLetter || $0 == "+" || $0 == "-" || $0 == "." }),
            raw[..<colon].count > 1, !raw[raw.index(after: colon)...].allSatisfy(\.isNumber)
        {
            return nil  // scheme such as mailto: or vscode:
        }
        // Split a `:<line>` or `#anchor` suffix.
        var path = raw
        var suffix = ""
        if let hash = path.firstIndex(of: "#") {
            suffix = String(path[hash...])
            path = String(path[..<hash])
        }
        if let colon = path.lastIndex(of: ":"), path[path.index(after: colon)...].allSatisfy(\.isNumber),
            path.index(after: colon) < path.endIndex
        {
            suffix = String(path[colon...]) + suffix
            path = String(path[..<colon])
        }
        let normalizedInput = path.replacingOccurrences(of: "\\", with: "/")
        let trailingSlash = normalizedInput.hasSuffix("/") && normalizedInput.count > 1
        let input = trailingSlash ? String(normalizedInput.dropLast()) : normalizedInput
        guard !input.isEmpty else { return nil }

        // Absolute in-project path → project-relative output.
        if input.hasPrefix("/") {
            guard input.hasPrefix(projectRoot + "/") else { return nil }
            let rel = String(input.dropFirst(projectRoot.count + 1))
            guard let mapped = mapped(rel) else { return nil }
            return mapped + (trailingSlash ? "/" : "") + suffix
        }
        // Project-relative reference (`.agentsmesh/…`, or a target path on import).
        if !input.hasPrefix("./") && !input.hasPrefix("../"), let mapped = mapped(normalize(input)) {
            return mapped + (trailingSlash ? "/" : "") + suffix
        }
        // Relative to the source file's folder → relative to the output file's folder.
        let resolved = normalize(dirname(sourceFile) + "/" + input)
        guard !resolved.hasPrefix("../"), let mapped = mapped(resolved) else { return nil }
        var relative = relativePath(from: dirname(outputFile), to: mapped)
        if input.hasPrefix("./") && !relative.hasPrefix("../") && !relative.hasPrefix("./") { relative = "./" + relative }
        return relative + (trailingSlash ? "/" : "") + suffix
    }

    private func mapped(_ rel: String) -> String? {
        guard exists(rel) else { return nil }
        return map(rel)
    }

    func dirname(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }

    /// Collapses `.` and `..` segments of a relative path (a leading `..` that escapes is kept).
    func normalize(_ path: String) -> String {
        var parts: [Substring] = []
        for segment in path.split(separator: "/") {
            if segment == "." || segment.isEmpty { continue }
            if segment == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else {
                parts.append(segment)
            }
        }
        return parts.joined(separator: "/")
    }

    /// `to` expressed relative to the folder `from` (both project-relative).
    func relativePath(from folder: String, to target: String) -> String {
        let a = folder.split(separator: "/")
        let b = target.split(separator: "/")
        var common = 0
        while common < a.count, common < b.count - 1, a[common] == b[common] { common += 1 }
        let ups = Array(repeating: "..", count: a.count - common)
        return (ups + b[common...].map(String.init)).joined(separator: "/")
    }
}

extension Substring {
    fileprivate func trimmingSpaces() -> Substring { drop { $0 == " " || $0 == "\t" } }
}

import Foundation
