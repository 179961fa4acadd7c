internal import Foundation
internal import SharedCore

/// Lossless merging of Markdown instruction files (root files of several tools into one `_root.md`).
///
/// Text is cut into blocks — a heading line, a fenced code block (blank lines and `#` lines inside it
/// included), or a paragraph of consecutive non-blank lines — and merged by whole blocks: a block already
/// present is not added again, every other block is kept with its own lines and fences, and the blank lines
/// between the existing blocks stay as they were.
public enum MarkdownMerge {
    /// One block and the blank lines that followed it.
    struct Block: Equatable {
        var text: String
        var isHeading: Bool
        /// Blank lines after the block (0 for the last block or a block followed directly by the next).
        var blankLinesAfter: Int
        /// The block with trailing spaces of each line removed: what two blocks are compared on.
        var key: String {
            text.split(separator: "\n", omittingEmptySubsequences: false)
                .map { line in
                    var l = Substring(line)
                    while l.last == " " || l.last == "\t" { l.removeLast() }
                    return String(l)
                }
                .joined(separator: "\n")
        }
    }

    /// The opening fence of a fenced code block (`` ``` `` or `~~~`, three or more, up to three spaces of indent).
    static func fence(_ line: Substring) -> (char: Character, count: Int)? {
        var rest = line
        var indent = 0
        while rest.first == " ", indent < 4 {
            rest.removeFirst()
            indent += 1
        }
        guard indent < 4, let first = rest.first, first == "`" || first == "~" else { return nil }
        let count = rest.prefix { $0 == first }.count
        guard count >= 3 else { return nil }
        if first == "`", rest.dropFirst(count).contains("`") { return nil }
        return (first, count)
    }

    /// Whether a line closes a fence opened with `open`.
    static func closes(_ line: Substring, _ open: (char: Character, count: Int)) -> Bool {
        let trimmed = line.drop { $0 == " " }
        let count = trimmed.prefix { $0 == open.char }.count
        return count >= open.count && trimmed.dropFirst(count).allSatisfy { $0 == " " || $0 == "\t" }
    }

    /// An ATX heading line (`#` to `######` followed by a space or the end of the line).
    static func isHeading(_ line: Substring) -> Bool {
        var rest = line
        var indent = 0
        while rest.first == " ", indent < 4 {
            rest.removeFirst()
            indent += 1
        }
        let hashes = rest.prefix { $0 == "#" }.count
        guard indent < 4, (1...6).contains(hashes) else { return false }
        let after = rest.dropFirst(hashes)
        return after.isEmpty || after.first == " " || after.first == "\t"
    }

    static func isBlank(_ line: Substring) -> Bool { line.allSatisfy { $0 == " " || $0 == "\t" } }

    /// Cuts text (LF line ends) into blocks.
    static func blocks(_ text: String) -> [Block] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [Block] = []
        var index = 0
        func append(_ range: Range<Int>, heading: Bool) {
            out.append(Block(text: lines[range].joined(separator: "\n"), isHeading: heading, blankLinesAfter: 0))
        }
        while index < lines.count {
            let line = lines[index]
            if isBlank(line) {
                if !out.isEmpty { out[out.count - 1].blankLinesAfter += 1 }
                index += 1
            } else if let open = fence(line) {
                var end = index + 1
                while end < lines.count, !closes(lines[end], open) { end += 1 }
                let last = min(end, lines.count - 1)
                append(index..<(last + 1), heading: false)
                index = last + 1
            } else if isHeading(line) {
                append(index..<(index + 1), heading: true)
                index += 1
            } else {
                var end = index + 1
                while end < lines.count, !isBlank(lines[end]), fence(lines[end]) == nil, !isHeading(lines[end]) { end += 1 }
                append(index..<end, heading: false)
                index = end
            }
        }
        if !out.isEmpty { out[out.count - 1].blankLinesAfter = 0 }
        return out
    }

    /// The non-blank lines of a text, trailing spaces removed.
    static func contentLines(_ text: String) -> [String] {
        text.split(separator: "\n").compactMap { line -> String? in
            var l = Substring(line)
            while l.last == " " || l.last == "\t" || l.last == "\r" { l.removeLast() }
            return l.isEmpty ? nil : String(l)
        }
    }

    /// Merges `imported` into `existing` (both trimmed Markdown bodies) without losing a line of either.
    ///
    /// Identical texts, or an import whose blocks are all present, leave `existing` as it is. An import
    /// holding every line of `existing` replaces it (the tool's file was edited on top of what was
    /// generated). Otherwise each new block of the import is inserted after the block that precedes it in
    /// the import (at the end of that block's section), or appended at the end.
    public static func merge(existing: String, imported: String) -> String {
        if existing == imported || imported.isEmpty { return existing }
        if existing.isEmpty { return imported }
        var merged = blocks(existing)
        let incoming = blocks(imported)
        let existingKeys = Set(merged.map(\.key))
        let incomingKeys = Set(incoming.map(\.key))
        if incomingKeys.isSubset(of: existingKeys) { return existing }
        if Set(contentLines(existing)).isSubset(of: Set(contentLines(imported))) { return imported }

        var taken = Set<Int>()
        var anchor = merged.count - 1
        var fromExisting = Array(repeating: true, count: merged.count)
        for block in incoming {
            if existingKeys.contains(block.key) {
                // Match the first unused occurrence after the anchor, else the first unused one anywhere.
                let match =
                    merged.indices.first { $0 > anchor && !taken.contains($0) && fromExisting[$0] && merged[$0].key == block.key }
                    ?? merged.indices.first { !taken.contains($0) && fromExisting[$0] && merged[$0].key == block.key }
                if let match {
                    taken.insert(match)
                    anchor = match
                    continue
                }
                // Every occurrence is matched already: a repeat inside the import, kept as the user wrote it.
            }
            var position = anchor + 1
            // Close the anchor's section first: skip existing paragraphs the import does not repeat.
            while position < merged.count, fromExisting[position], !merged[position].isHeading,
                !incomingKeys.contains(merged[position].key)
            {
                position += 1
            }
            var inserted = block
            inserted.blankLinesAfter = 1
            if position > 0, merged[position - 1].blankLinesAfter == 0 { merged[position - 1].blankLinesAfter = 1 }
            merged.insert(inserted, at: position)
            fromExisting.insert(false, at: position)
            taken = Set(taken.map { $0 >= position ? $0 + 1 : $0 })
            anchor = position
        }
        if !merged.isEmpty { merged[merged.count - 1].blankLinesAfter = 0 }
        var text = ""
        for block in merged {
            text += block.text
            text += String(repeating: "\n", count: block.blankLinesAfter + 1)
        }
        return text.trimmingTrailingNewlines()
    }
}

/// Placeholder translation between command formats (`$ARGUMENTS` ↔ Gemini's `{{args}}`): only where the
/// text is a placeholder, never inside inline code or fenced blocks, which show the syntax literally.
public enum Placeholders {
    /// Replaces `token` by `replacement` in the prose parts of Markdown text.
    public static func replacing(_ token: String, with replacement: String, in text: String) -> String {
        guard text.contains(token) else { return text }
        var out: [String] = []
        var fence: (char: Character, count: Int)?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if let open = fence {
                if MarkdownMerge.closes(line, open) { fence = nil }
                out.append(String(line))
            } else if let open = MarkdownMerge.fence(line) {
                fence = open
                out.append(String(line))
            } else {
                out.append(replacingOutsideCode(token, replacement, String(line)))
            }
        }
        return out.joined(separator: "\n")
    }

    /// Whether `token` occurs in prose (outside code) at all.
    public static func occursInProse(_ token: String, in text: String) -> Bool {
        replacing(token, with: "\u{0}", in: text) != text
    }

    /// One line: code spans (a run of backticks up to the same run) are kept as they are.
    static func replacingOutsideCode(_ token: String, _ replacement: String, _ line: String) -> String {
        guard line.contains("`") else { return line.replacingOccurrences(of: token, with: replacement) }
        var out = ""
        var rest = Substring(line)
        while let tick = rest.firstIndex(of: "`") {
            out += rest[..<tick].replacingOccurrences(of: token, with: replacement)
            let run = rest[tick...].prefix { $0 == "`" }
            let afterRun = rest[run.endIndex...]
            if let close = afterRun.range(of: String(run)) {
                out += rest[tick..<close.upperBound]
                rest = afterRun[close.upperBound...]
            } else {
                out += rest[tick...]
                rest = rest[rest.endIndex...]
            }
        }
        out += rest.replacingOccurrences(of: token, with: replacement)
        return out
    }
}
