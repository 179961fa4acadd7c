import MeshKit

/// A minimal reader of git's index file (versions 2–4), used to tell whether `lessons.json` is unmerged
/// and which files are tracked. Git work-tree discovery walks up for a `.git` folder or `gitdir:` file,
/// so the library needs no libgit2 handle for it.
struct GitIndex: Sendable {
    /// One index entry: path relative to the work tree and its merge stage (0 = merged).
    struct Entry: Sendable, Equatable {
        var path: String
        var stage: Int
    }

    /// Index files larger than this are not read (the checks that need them are skipped).
    static let maximumSize = 64 * 1024 * 1024

    let workTree: String
    let entries: [Entry]

    /// The index of the work tree containing `path`, or `nil` when there is none or it cannot be read.
    static func load(containing path: String) -> GitIndex? {
        for folder in LessonsRoot.ancestors(of: path) {
            let dotGit = folder + "/.git"
            let gitDir: String
            switch FileSystem.kind(dotGit) {
            case .directory: gitDir = dotGit
            case .file:
                guard let text = try? FileSystem.readText(dotGit, displayPath: ".git"),
                    let line = text.split(separator: "\n").first, line.hasPrefix("gitdir:")
                else { return nil }
                let target = line.dropFirst("gitdir:".count).trimmingCharacters
                gitDir = target.hasPrefix("/") ? target : folder + "/" + target
            case .missing: continue
            default: return nil
            }
            let indexPath = gitDir + "/index"
            guard FileSystem.exists(indexPath),
                let bytes = try? FileSystem.read(indexPath, displayPath: ".git/index"), bytes.count <= maximumSize,
                let entries = parse(bytes)
            else { return nil }
            return GitIndex(workTree: folder, entries: entries)
        }
        return nil
    }

    /// Paths (relative to `root`) of the index entries under `root`.
    func trackedPaths(under root: String) -> [String] {
        guard let prefix = relativePrefix(root) else { return [] }
        var out: [String] = []
        for entry in entries where entry.path.hasPrefix(prefix) { out.append(String(entry.path.dropFirst(prefix.count))) }
        return out
    }

    /// Whether the file at `relativePath` under `root` has conflict stages in the index.
    func isUnmerged(_ relativePath: String, under root: String) -> Bool {
        guard let prefix = relativePrefix(root) else { return false }
        let path = prefix + relativePath
        return entries.contains { $0.stage > 0 && $0.path == path }
    }

    /// `root` relative to the work tree, with a trailing `/` (empty for the work tree itself).
    private func relativePrefix(_ root: String) -> String? {
        if root == workTree { return "" }
        guard root.hasPrefix(workTree + "/") else { return nil }
        return String(root.dropFirst(workTree.count + 1)) + "/"
    }

    /// Parses `DIRC` index bytes; `nil` for unknown versions or truncated data.
    static func parse(_ bytes: [UInt8]) -> [Entry]? {
        guard bytes.count >= 12, bytes[0] == 0x44, bytes[1] == 0x49, bytes[2] == 0x52, bytes[3] == 0x43 else { return nil }
        func uint32(_ offset: Int) -> Int {
            Int(bytes[offset]) << 24 | Int(bytes[offset + 1]) << 16 | Int(bytes[offset + 2]) << 8 | Int(bytes[offset + 3])
        }
        let version = uint32(4)
        guard (2...4).contains(version) else { return nil }
        let count = uint32(8)
        var offset = 12
        var previous: [UInt8] = []
        var out: [Entry] = []
        out.reserveCapacity(count)
        let hashLength = 20
        for _ in 0..<count {
            let start = offset
            let flagsOffset = offset + 40 + hashLength
            guard flagsOffset + 2 <= bytes.count else { return nil }
            let flags = Int(bytes[flagsOffset]) << 8 | Int(bytes[flagsOffset + 1])
            offset = flagsOffset + 2
            if version >= 3 && flags & 0x4000 != 0 { offset += 2 }
            var name: [UInt8]
            if version == 4 {
                var strip = 0
                guard offset < bytes.count else { return nil }
                var byte = Int(bytes[offset])
                offset += 1
                strip = byte & 0x7F
                while byte & 0x80 != 0 {
                    guard offset < bytes.count else { return nil }
                    byte = Int(bytes[offset])
                    offset += 1
                    strip = ((strip + 1) << 7) | (byte & 0x7F)
                }
                guard strip <= previous.count else { return nil }
                guard let end = bytes[offset...].firstIndex(of: 0) else { return nil }
                name = Array(previous.prefix(previous.count - strip)) + bytes[offset..<end]
                offset = end + 1
            } else {
                guard offset <= bytes.count, let end = bytes[offset...].firstIndex(of: 0) else { return nil }
                name = Array(bytes[offset..<end])
                let length = end - start + 1
                offset = start + ((length + 7) / 8) * 8
            }
            previous = name
            out.append(Entry(path: String(decoding: name, as: UTF8.self), stage: (flags >> 12) & 0x3))
        }
        return out
    }
}

extension Substring {
    /// The text without surrounding spaces, tabs and carriage returns.
    fileprivate var trimmingCharacters: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" || $0 == "\r" }.reversed())
    }
}
