import Foundation
import MeshKit
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// HTTPS download of archive sources to disk, with a size cap and https-only redirects (§5.1).
enum ArchiveDownloader {
    static let maxBytes = 500 * 1024 * 1024

    /// Refuses any redirect that leaves https, and more than five hops.
    final class RedirectGuard: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        private let lock = NSLock()
        private var hops = 0

        /// The completion-handler form: swift-corelibs-foundation on Linux never calls the `async` variant and
        /// would follow every redirect.
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping @Sendable (URLRequest?) -> Void
        ) {
            let count = lock.withLock { () -> Int in
                hops += 1
                return hops
            }
            completionHandler(count <= 5 && request.url?.scheme == "https" ? request : nil)
        }
    }

    static func download(_ source: PackSource, to path: String, environment: [String: String]) async throws(ToolError) {
        guard let url = URL(string: Redaction.stripUserinfo(source.location)), url.scheme == "https" else {
            throw ToolError("SOURCE_REFUSED", "archive URLs must use https: \(source.display)")
        }
        var request = URLRequest(url: url, timeoutInterval: 60)
        if url.host == "github.com" || url.host?.hasSuffix(".github.com") == true || url.host == "codeload.github.com",
            let token = environment["AGENTSMESH_GITHUB_TOKEN"]
        {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        } else if url.host == "gitlab.com", let token = environment["AGENTSMESH_GITLAB_TOKEN"] {
            request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
        }
        let session = URLSession(configuration: .ephemeral, delegate: RedirectGuard(), delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        let temporary: URL
        let response: URLResponse
        do {
            (temporary, response) = try await session.download(for: request)
        } catch {
            throw ToolError("FETCH_FAILED", Redaction.mask("cannot download \(source.display): \(error.localizedDescription)", environment: environment))
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        if let final = response.url, final.scheme != "https" {
            throw ToolError("SOURCE_REFUSED", "archive download was redirected away from https: \(source.display)")
        }
        guard let http = response as? HTTPURLResponse, (200..<300).contains(http.statusCode) else {
            throw ToolError("FETCH_FAILED", "cannot download \(source.display): HTTP \((response as? HTTPURLResponse)?.statusCode ?? 0)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: temporary.path)[.size] as? Int) ?? 0
        guard size <= maxBytes else {
            throw ToolError(ErrorCode.limitExceeded, "archive download is larger than 500 MiB")
        }
        do {
            try FileManager.default.moveItem(at: temporary, to: URL(fileURLWithPath: path))
        } catch {
            throw ToolError(ErrorCode.ioError, "cannot store the downloaded archive")
        }
    }
}
