internal import AgentsMeshKit
internal import Foundation
public import SharedCore
internal import SharedPlatform

/// Where a pack comes from (§5.1), parsed and vetted before any network or libgit2 call.
public struct PackSource: Sendable, Equatable {
    /// The `source_kind` column of installs.yaml.
    public enum Kind: String, Sendable {
        case local, archive, github, gitlab, git
    }

    public var kind: Kind
    /// The source as typed (may hold credentials; never persist or print it).
    public var raw: String
    /// A filesystem path (local folders and local archives) or a URL (git, https archives).
    public var location: String
    /// Requested ref (`@ref` / `#ref`), if any.
    public var ref: String?

    /// Whether the location is a URL fetched over the network (or a `file://` repository).
    public var isRemote: Bool { kind != .local && !(kind == .archive && !location.hasPrefix("https://")) }

    /// Whether elevated artifacts need consent (§5.8): every git source and https archive.
    public var needsConsent: Bool { isRemote }

    /// The source with credentials removed, for persisting (installs.yaml, pack.yaml, manifest).
    public var persisted: String { Redaction.stripUserinfo(raw) }

    /// The source with credentials masked as `***`, for messages.
    public var display: String { Redaction.mask(raw) }

    /// Parses and vets a source string; anything unknown or disallowed is `SOURCE_REFUSED`.
    public static func parse(_ text: String, environment: [String: String]) throws(ToolError) -> PackSource {
        let source = text.trimmedWhitespace()
        func refuse(_ why: String) -> ToolError {
            ToolError("SOURCE_REFUSED", "refused source '\(Redaction.mask(source))': \(why)")
        }
        guard !source.isEmpty else { throw refuse("empty source") }
        guard !source.hasPrefix("-") else { throw refuse("sources may not begin with '-'") }
        if source.contains("\n") || source.contains("\0") { throw refuse("control characters") }

        func splitRef(_ body: String, separator: Character) throws(ToolError) -> (String, String?) {
            guard let index = body.lastIndex(of: separator) else { return (body, nil) }
            let ref = String(body[body.index(after: index)...])
            guard !ref.isEmpty else { throw refuse("empty ref") }
            guard !ref.hasPrefix("-") else { throw refuse("refs may not begin with '-'") }
            return (String(body[..<index]), ref)
        }
        let isArchive = source.hasSuffix(".tar.gz") || source.hasSuffix(".tgz")

        if source.hasPrefix("local:") {
            let path = String(source.dropFirst(6))
            guard !path.isEmpty, !path.hasPrefix("-") else { throw refuse("local: needs a path") }
            return PackSource(kind: isArchive ? .archive : .local, raw: source, location: path, ref: nil)
        }
        if source.hasPrefix("./") || source.hasPrefix("../") || source.hasPrefix("/") || source == "." || source == ".." {
            return PackSource(kind: isArchive ? .archive : .local, raw: source, location: source, ref: nil)
        }
        if source.hasPrefix("https://") {
            guard isArchive else { throw refuse("https URLs must point at a .tar.gz or .tgz archive (use git+https:// for repositories)") }
            return PackSource(kind: .archive, raw: source, location: source, ref: nil)
        }
        if source.hasPrefix("github:") || source.hasPrefix("gitlab:") {
            let isGitHub = source.hasPrefix("github:")
            let (path, ref) = try splitRef(String(source.dropFirst(7)), separator: "@")
            let segments = path.split(separator: "/", omittingEmptySubsequences: false)
            guard segments.count >= 2, isGitHub ? segments.count == 2 : true,
                segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." && $0.allSatisfy(Self.isRepoCharacter) })
            else { throw refuse(isGitHub ? "expected github:org/repo[@ref]" : "expected gitlab:group/repo[@ref]") }
            let host = isGitHub ? "github.com" : "gitlab.com"
            let trimmed = path.hasSuffix(".git") ? String(path.dropLast(4)) : path
            return PackSource(kind: isGitHub ? .github : .gitlab, raw: source, location: "https://\(host)/\(trimmed).git", ref: ref)
        }
        if source.hasPrefix("git+") {
            let inner = String(source.dropFirst(4))
            let (url, ref) = try splitRef(inner, separator: "#")
            if url.hasPrefix("https://") || url.hasPrefix("ssh://") {
                return PackSource(kind: .git, raw: source, location: url, ref: ref)
            }
            if url.hasPrefix("http://") {
                guard environment["AGENTSMESH_ALLOW_INSECURE_GIT"] == "1" else {
                    throw refuse("plain http needs AGENTSMESH_ALLOW_INSECURE_GIT=1")
                }
                return PackSource(kind: .git, raw: source, location: url, ref: ref)
            }
            if url.hasPrefix("file://") {
                guard environment["AGENTSMESH_ALLOW_LOCAL_GIT"] == "1" else {
                    throw refuse("file:// repositories need AGENTSMESH_ALLOW_LOCAL_GIT=1")
                }
                return PackSource(kind: .git, raw: source, location: url, ref: ref)
            }
            throw refuse("unsupported git transport")
        }
        if source.hasPrefix("file://") {
            guard environment["AGENTSMESH_ALLOW_LOCAL_GIT"] == "1" else {
                throw refuse("file:// repositories need AGENTSMESH_ALLOW_LOCAL_GIT=1")
            }
            let (url, ref) = try splitRef(source, separator: "#")
            return PackSource(kind: .git, raw: source, location: url, ref: ref)
        }
        throw refuse("unknown source form (use ./path, local:, github:, gitlab:, git+https://, git+ssh://, or a .tar.gz)")
    }

    private static func isRepoCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || c == "-" || c == "_" || c == ".")
    }

    /// The default pack name (§5.4).
    public var defaultName: String {
        var base: String
        switch kind {
        case .github, .gitlab:
            let parts = location.dropFirst("https://".count).split(separator: "/").dropFirst()
            base = parts.suffix(2).joined(separator: "-")
        default:
            let trimmed = location.hasSuffix("/") ? String(location.dropLast()) : location
            base = trimmed.split(separator: "/").last.map(String.init) ?? trimmed
        }
        for suffix in [".git", ".tar.gz", ".tgz"] where base.hasSuffix(suffix) { base = String(base.dropLast(suffix.count)) }
        let name = String(
            base.lowercased().map { c -> Character in
                (c.isASCII && (c.isLetter || c.isNumber)) || c == "_" || c == "-" ? c : "-"
            })
        return name.isEmpty ? "pack" : String(name.prefix(64))
    }
}

/// Credential redaction (§5.9).
public enum Redaction {
    /// Token env vars whose values are masked wherever they appear.
    static let tokenVariables = ["AGENTSMESH_GITHUB_TOKEN", "AGENTSMESH_GITLAB_TOKEN"]

    /// `scheme://user:secret@host` → `scheme://***@host`, and token values → `***`.
    public static func mask(_ text: String, environment: [String: String] = ProcessEnvironment.current) -> String {
        var out = replaceUserinfo(text, with: "***@")
        for name in tokenVariables {
            if let value = environment[name], value.count >= 4 { out = out.replacingOccurrences(of: value, with: "***") }
        }
        return out
    }

    /// Removes userinfo entirely (for persisted values).
    public static func stripUserinfo(_ text: String) -> String { replaceUserinfo(text, with: "") }

    private static func replaceUserinfo(_ text: String, with replacement: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let scheme = rest.range(of: "://") {
            out += rest[..<scheme.upperBound]
            rest = rest[scheme.upperBound...]
            let authorityEnd =
                rest.firstIndex { $0 == "/" || $0 == "#" || $0 == "?" || $0 == " " || $0 == "'" || $0 == "\"" } ?? rest.endIndex
            let authority = rest[..<authorityEnd]
            if let at = authority.lastIndex(of: "@") {
                out += replacement
                rest = rest[rest.index(after: at)...]
            }
        }
        return out + rest
    }
}
