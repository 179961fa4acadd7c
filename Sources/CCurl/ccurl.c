#include "ccurl.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

// libcurl's ABI, as far as used here (values from curl/curl.h, stable across libcurl 7 and 8).
enum {
    OPT_WRITEDATA = 10001, OPT_URL = 10002, OPT_ERRORBUFFER = 10010, OPT_WRITEFUNCTION = 20011,
    OPT_USERAGENT = 10018, OPT_HTTPHEADER = 10023, OPT_LOW_SPEED_LIMIT = 19, OPT_LOW_SPEED_TIME = 20,
    OPT_NOPROGRESS = 43, OPT_FOLLOWLOCATION = 52, OPT_MAXREDIRS = 68, OPT_CONNECTTIMEOUT = 78, OPT_NOSIGNAL = 99,
    OPT_CAINFO = 10065, OPT_XFERINFODATA = 10057, OPT_XFERINFOFUNCTION = 20219, OPT_MAXFILESIZE_LARGE = 30117,
    OPT_PROTOCOLS_STR = 10318, OPT_REDIR_PROTOCOLS_STR = 10319,
    INFO_RESPONSE_CODE = 0x200002, INFO_EFFECTIVE_URL = 0x100001,
    E_FILESIZE_EXCEEDED = 63,
};

typedef void *(*easy_init_fn)(void);
typedef int (*easy_setopt_fn)(void *, int, ...);
typedef int (*easy_perform_fn)(void *);
typedef int (*easy_getinfo_fn)(void *, int, ...);
typedef void (*easy_cleanup_fn)(void *);
typedef void *(*slist_append_fn)(void *, const char *);
typedef void (*slist_free_all_fn)(void *);
typedef const char *(*easy_strerror_fn)(int);

static struct {
    easy_init_fn init;
    easy_setopt_fn setopt;
    easy_perform_fn perform;
    easy_getinfo_fn getinfo;
    easy_cleanup_fn cleanup;
    slist_append_fn slist_append;
    slist_free_all_fn slist_free_all;
    easy_strerror_fn strerror;
    int loaded;
} curl;

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load(void) {
    const char *names[] = {"libcurl.so.4", "libcurl-gnutls.so.4", "libcurl.so", "libcurl.4.dylib", NULL};
    void *handle = NULL;
    for (int i = 0; names[i] != NULL && handle == NULL; i++) handle = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) return;
    curl.init = (easy_init_fn)dlsym(handle, "curl_easy_init");
    curl.setopt = (easy_setopt_fn)dlsym(handle, "curl_easy_setopt");
    curl.perform = (easy_perform_fn)dlsym(handle, "curl_easy_perform");
    curl.getinfo = (easy_getinfo_fn)dlsym(handle, "curl_easy_getinfo");
    curl.cleanup = (easy_cleanup_fn)dlsym(handle, "curl_easy_cleanup");
    curl.slist_append = (slist_append_fn)dlsym(handle, "curl_slist_append");
    curl.slist_free_all = (slist_free_all_fn)dlsym(handle, "curl_slist_free_all");
    curl.strerror = (easy_strerror_fn)dlsym(handle, "curl_easy_strerror");
    curl.loaded = curl.init && curl.setopt && curl.perform && curl.getinfo && curl.cleanup && curl.slist_append
        && curl.slist_free_all && curl.strerror;
}

int am_curl_available(void) {
    pthread_once(&load_once, load);
    return curl.loaded;
}

typedef struct {
    int fd;
    int64_t max_bytes;
    int64_t written;
    int too_large;
    int write_failed;
    am_progress_fn progress;
    void *context;
} transfer;

static size_t on_data(char *data, size_t size, size_t count, void *user) {
    transfer *t = user;
    size_t length = size * count;
    if (t->written + (int64_t)length > t->max_bytes) {
        t->too_large = 1;
        return 0;  // fewer bytes than given: libcurl stops with a write error
    }
    size_t done = 0;
    while (done < length) {
        ssize_t n = write(t->fd, data + done, length - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            t->write_failed = errno;
            return 0;
        }
        done += (size_t)n;
    }
    t->written += (int64_t)length;
    return length;
}

static int on_progress(void *user, int64_t total, int64_t received, int64_t upload_total, int64_t uploaded) {
    (void)upload_total;
    (void)uploaded;
    transfer *t = user;
    return t->progress ? t->progress(t->context, received, total) : 0;
}

int am_download(const char *url, const char *authorization, const char *ca_bundle, int fd, int64_t max_bytes,
                long max_redirects, long timeout_seconds, am_progress_fn progress, void *context,
                am_download_result *result) {
    memset(result, 0, sizeof *result);
    if (!am_curl_available()) {
        result->code = -1;
        snprintf(result->message, sizeof result->message, "libcurl (libcurl.so.4) is not installed");
        return result->code;
    }
    void *easy = curl.init();
    if (easy == NULL) {
        result->code = 2;  // CURLE_FAILED_INIT
        snprintf(result->message, sizeof result->message, "libcurl could not start a transfer");
        return result->code;
    }
    transfer t = {.fd = fd, .max_bytes = max_bytes, .progress = progress, .context = context};
    char errors[256] = {0};
    void *headers = NULL;
    if (authorization != NULL) {
        char line[4096];
        snprintf(line, sizeof line, "Authorization: %s", authorization);
        headers = curl.slist_append(NULL, line);
    }
    curl.setopt(easy, OPT_URL, url);
    curl.setopt(easy, OPT_ERRORBUFFER, errors);
    curl.setopt(easy, OPT_WRITEFUNCTION, on_data);
    curl.setopt(easy, OPT_WRITEDATA, &t);
    curl.setopt(easy, OPT_PROTOCOLS_STR, "https");
    curl.setopt(easy, OPT_REDIR_PROTOCOLS_STR, "https");
    curl.setopt(easy, OPT_FOLLOWLOCATION, 1L);
    curl.setopt(easy, OPT_MAXREDIRS, max_redirects);
    curl.setopt(easy, OPT_MAXFILESIZE_LARGE, (int64_t)max_bytes);
    curl.setopt(easy, OPT_CONNECTTIMEOUT, timeout_seconds);
    curl.setopt(easy, OPT_LOW_SPEED_LIMIT, 1L);
    curl.setopt(easy, OPT_LOW_SPEED_TIME, timeout_seconds);
    curl.setopt(easy, OPT_NOSIGNAL, 1L);
    curl.setopt(easy, OPT_USERAGENT, "agentsmesh");
    if (headers != NULL) curl.setopt(easy, OPT_HTTPHEADER, headers);
    if (ca_bundle != NULL) curl.setopt(easy, OPT_CAINFO, ca_bundle);
    if (progress != NULL) {
        curl.setopt(easy, OPT_XFERINFOFUNCTION, on_progress);
        curl.setopt(easy, OPT_XFERINFODATA, &t);
        curl.setopt(easy, OPT_NOPROGRESS, 0L);
    }
    int code = curl.perform(easy);
    long status = 0;
    curl.getinfo(easy, INFO_RESPONSE_CODE, &status);
    char *final_url = NULL;
    if (curl.getinfo(easy, INFO_EFFECTIVE_URL, &final_url) == 0 && final_url != NULL) {
        const char *colon = strstr(final_url, "://");
        if (colon != NULL && (size_t)(colon - final_url) < sizeof result->final_scheme) {
            memcpy(result->final_scheme, final_url, (size_t)(colon - final_url));
        }
    }
    result->code = code;
    result->status = status;
    result->bytes = t.written;
    result->too_large = t.too_large || code == E_FILESIZE_EXCEEDED;
    if (code != 0) {
        snprintf(result->message, sizeof result->message, "%s", errors[0] ? errors : curl.strerror(code));
        if (t.write_failed) snprintf(result->message, sizeof result->message, "%s", strerror(t.write_failed));
    }
    if (headers != NULL) curl.slist_free_all(headers);
    curl.cleanup(easy);
    return code;
}
