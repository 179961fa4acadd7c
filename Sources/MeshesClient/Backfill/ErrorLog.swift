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
}
