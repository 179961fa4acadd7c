// libcurl, loaded at run time (dlopen) for HTTPS archive downloads: linking it would load libcurl and its
// ~20 dependent libraries into every agentsmesh process, though only `install <https archive>` needs it.
#ifndef AGENTSMESH_CCURL_H
#define AGENTSMESH_CCURL_H

#include <stdint.h>

/// Outcome of `am_download`.
typedef struct {
    /// CURLcode of the transfer (0: completed), or -1 when libcurl cannot be loaded.
    int code;
    /// HTTP status of the final response (0 when none arrived).
    long status;
    /// Bytes written to the file.
    int64_t bytes;
    /// 1 when the size cap stopped the transfer.
    int too_large;
    /// libcurl's description of a failure (empty when none).
    char message[256];
    /// Scheme of the final URL after redirects (e.g. "https"; empty when unknown).
    char final_scheme[16];
} am_download_result;

/// Called with bytes received so far and the expected total (0 when unknown); return 0 to go on.
typedef int (*am_progress_fn)(void *context, int64_t received, int64_t total);

/// Whether libcurl can be loaded.
int am_curl_available(void);

/// GETs `url` into `fd`: https only (redirects too, at most `max_redirects`), `authorization` (may be NULL)
/// as the Authorization header value, at most `max_bytes` (announced or received: the transfer stops),
/// `ca_bundle` (may be NULL) replacing the default certificate authorities, connect timeout and a stall
/// timeout of `timeout_seconds`. Returns `result->code`.
int am_download(const char *url, const char *authorization, const char *ca_bundle, int fd, int64_t max_bytes,
                long max_redirects, long timeout_seconds, am_progress_fn progress, void *context,
                am_download_result *result);

#endif
