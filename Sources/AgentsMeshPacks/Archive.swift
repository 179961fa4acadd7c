public import SharedCore

/// Extracting a `.tar.gz` into a staging folder (§5.1 archive reader).
public enum Archive {
    /// Extracts `archivePath` into `destination` (which must exist and be empty).
    public static func extract(
        _ archivePath: String, displayPath: String, into destination: String, limits: ArchiveLimits = ArchiveLimits(),
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws(ToolError) -> ExtractionReport {
        var extractor = TarExtractor(destination: destination, limits: limits, progress: progress)
        try Gunzip.stream(path: archivePath, displayPath: displayPath) { (chunk: [UInt8]) throws(ToolError) in
            try extractor.feed(chunk)
        }
        return try extractor.finish()
    }

    /// The folder holding the tree: the single top-level folder when everything lies under one.
    public static func contentRoot(_ staging: String) -> String {
        let names = FileSystem.list(staging)
        if names.count == 1, FileSystem.kind(staging + "/" + names[0]) == .directory { return staging + "/" + names[0] }
        return staging
    }
}
