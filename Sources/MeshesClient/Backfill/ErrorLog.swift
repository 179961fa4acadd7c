internal import Foundation
internal import SharedCore

/// The rejected-line log (§8): one JSON object per line, appended; the file is created on the first rejection.
struct ErrorLog {
    let path: String
    private var handle: FileHandle?
    private var pending: [UInt8] = []
    private(set) var written = 0

    init(path: String) {
        self.path = path
    }

    /// `{"line":n,"reason":"…"}` for a line rejected before sending.
    mutating func local(line: Int, reason: String) {
        append(["line": .int(line), "reason": .string(reason)])
    }

    /// `{"line":n,"reason":"…","error":"<code>","status":<status>}` for a line the API rejected.
    mutating func server(line: Int, reason: String, error: String, status: Int) {
        append(["line": .int(line), "reason": .string(reason), "error": .string(error), "status": .int(status)])
    }

    private mutating func append(_ record: JSONValue) {
        pending += JSONEmitter.compactBytes(record)
        pending.append(0x0A)
        written += 1
    }

    /// Writes what was appended since the last flush.
    mutating func flush() throws(BackfillFailure) {
        guard !pending.isEmpty else { return }
        do {
            if handle == nil {
                if !FileManager.default.fileExists(atPath: path) {
                    guard FileManager.default.createFile(atPath: path, contents: nil) else {
                        throw BackfillFailure.io("cannot create the errors file \(path)")
                    }
                }
                guard let opened = FileHandle(forWritingAtPath: path) else {
                    throw BackfillFailure.io("cannot open the errors file \(path)")
                }
                try opened.seekToEnd()
                handle = opened
            }
            try handle?.write(contentsOf: pending)
            pending.removeAll(keepingCapacity: true)
        } catch let failure as BackfillFailure {
            throw failure
        } catch {
            throw .io("cannot write the errors file \(path): \(error.localizedDescription)")
        }
    }

    func close() {
        try? handle?.close()
    }

    /// The errors file's size now (0 when it does not exist).
    static func size(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }

    /// Before a resume: what the interrupted run logged for lines after `line` is removed (those lines are read and
    /// logged again); everything before `offset` (earlier runs) and every other entry stays byte for byte. The file
    /// is rewritten atomically, and only when something goes.
    static func trimForResume(_ path: String, offset: Int64, line: Int) throws(BackfillFailure) {
        let bytes: [UInt8]
        do throws(ToolError) {
            guard let existing = try FileSystem.readIfExists(path, displayPath: path) else { return }
            bytes = existing
        } catch {
            throw .io("cannot read the errors file \(path): \(error.message)")
        }
        let start = Int(min(Int64(bytes.count), offset))
        var kept = Array(bytes[..<start])
        var dropped = 0
        for entry in bytes[start...].split(separator: 0x0A, omittingEmptySubsequences: true) {
            if let number = (try? JSONParser.parse(bytes: Array(entry)))?["line"]?.intValue, number > line {
                dropped += 1
                continue
            }
            kept += entry
            kept.append(0x0A)
        }
        guard dropped > 0 else { return }
        do throws(ToolError) {
            try AtomicFile.write(kept, to: path, displayPath: path)
        } catch {
            throw .io("cannot rewrite the errors file \(path): \(error.message)")
        }
    }
}
