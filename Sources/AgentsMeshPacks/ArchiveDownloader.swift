internal import CCurl
internal import Foundation
internal import SharedCore

/// HTTPS download of archive sources, streamed to disk with a size cap and https-only redirects (§5.1),
/// through libcurl loaded at run time (see `CCurl`).
enum ArchiveDownloader {
    static let maxBytes = 500 * 1024 * 1024
    static let maxRedirects = 5
    /// Seconds allowed to connect, and for the transfer to stall.
    static let timeout = 60

    /// Downloads `source` to `path` (created; removed again on failure). `AGENTSMESH_CA_BUNDLE` names a
    /// PEM file of certificate authorities to trust instead of the system's (a company proxy, a test server).
    /// The transfer blocks a thread of its own, not one of the concurrency pool.
    static func download(
        _ source: PackSource, to path: String, environment: [String: String], progress: (@Sendable (Int, Int) -> Void)? = nil
    ) async throws(ToolError) {
        let outcome: Result<Void, ToolError> = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                continuation.resume(
                    returning: Result { () throws(ToolError) in
                        try transfer(source, to: path, environment: environment, maxBytes: maxBytes, progress: progress)
                    })
            }
        }
        try outcome.get()
    }

    static func transfer(
        _ source: PackSource, to path: String, environment: [String: String], maxBytes: Int,
        progress: (@Sendable (Int, Int) -> Void)?
    ) throws(ToolError) {
        let location = Redaction.stripUserinfo(source.location)
        guard let url = URL(string: location), url.scheme == "https", let host = url.host else {
            throw ToolError("SOURCE_REFUSED", "archive URLs must use https: \(source.display)")
        }
        var authorization: String?
        if host == "github.com" || host.hasSuffix(".github.com"), let token = environment["AGENTSMESH_GITHUB_TOKEN"] {
            authorization = "Bearer \(token)"
        } else if host == "gitlab.com", let token = environment["AGENTSMESH_GITLAB_TOKEN"] {
            authorization = "Bearer \(token)"
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw ToolError.io("cannot write", path: "the downloaded archive", errno: errno) }
        var result = am_download_result()
        let reporter = progress.map { ProgressBox($0) }
        let context = reporter.map { Unmanaged.passUnretained($0).toOpaque() }
        let code = withExtendedLifetime(reporter) {
            am_download(
                location, authorization, environment["AGENTSMESH_CA_BUNDLE"], fd, Int64(maxBytes), maxRedirects, timeout,
                reporter == nil
                    ? nil
                    : { context, received, total in
                        guard let context else { return 0 }
                        Unmanaged<ProgressBox>.fromOpaque(context).takeUnretainedValue().report(Int(received), Int(total))
                        return 0
                    }, context, &result)
        }
        close(fd)
        if let failure = failure(code: code, result: &result, source: source, maxBytes: maxBytes, environment: environment) {
            unlink(path)
            throw failure
        }
    }

    /// The error for a finished transfer, nil when it succeeded.
    static func failure(
        code: Int32, result: inout am_download_result, source: PackSource, maxBytes: Int, environment: [String: String]
    ) -> ToolError? {
        let message = withUnsafeBytes(of: &result.message) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let scheme = withUnsafeBytes(of: &result.final_scheme) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        if result.too_large != 0 {
            let cap = maxBytes % (1024 * 1024) == 0 ? "\(maxBytes / 1024 / 1024) MiB" : "\(maxBytes) bytes"
            return ToolError(ErrorCode.limitExceeded, "archive download is larger than \(cap): \(source.display)")
        }
        if code == -1 {
            return ToolError("FETCH_FAILED", "cannot download \(source.display): \(message)")
        }
        // CURLE_UNSUPPORTED_PROTOCOL (1) after a redirect: it left https.
        if code == 1 || (!scheme.isEmpty && scheme != "https") {
            return ToolError("SOURCE_REFUSED", "archive download was redirected away from https: \(source.display)")
        }
        if code != 0 {
            return ToolError("FETCH_FAILED", Redaction.mask("cannot download \(source.display): \(message)", environment: environment))
        }
        guard (200..<300).contains(result.status) else {
            return ToolError("FETCH_FAILED", "cannot download \(source.display): HTTP \(result.status)")
        }
        return nil
    }

    /// Carries the progress closure through libcurl's C callback.
    final class ProgressBox: @unchecked Sendable {
        let report: @Sendable (Int, Int) -> Void
        init(_ report: @escaping @Sendable (Int, Int) -> Void) { self.report = report }
    }
}
