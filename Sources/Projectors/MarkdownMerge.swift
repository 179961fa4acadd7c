import MeshKit

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
                let match = merged.indices.first { $0 > anchor && !taken.contains($0) && fromExisting[$0] && merged[$0].key == block.key }
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
