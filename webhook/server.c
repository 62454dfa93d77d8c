/* server.c: `hitless webhook`, the HTTPS admission server, and `hitless
 * certs`.
 *
 * Threads: libmicrohttpd runs a pool of request threads; the main thread
 * only waits for signals and watches the certificate files.
 *
 * Certificate rotation without dropping anything: the running daemon is
 * quiesced (it stops accepting but keeps its connections), and its listening
 * socket is handed to a new daemon started with the new certificate, so no
 * connection waiting in the accept queue is lost.  The old daemon answers
 * what it still has with "Connection: close" and is stopped once its last
 * connection has gone.
 *
 * Shutdown on SIGTERM: /readyz turns 503 at once so that the endpoints
 * controller takes the pod out of the Service; requests are still served for
 * --shutdown-delay while that propagates; then the listener closes, the
 * in-flight requests finish, and the process exits 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../lint/config.h"
#include "admission.h"
#include "metrics.h"
#include "tls.h"
#include "dynlib.h" /* last: see there */

typedef struct server server;

/* One libmicrohttpd daemon and the certificate it was started with. */
typedef struct generation {
    struct MHD_Daemon *daemon;
    atomic_bool draining; /* answer with Connection: close */
    tls_pair tls;
    server *srv;
    struct timespec retired; /* when it stopped accepting */
    struct generation *next; /* retired generations still draining */
} generation;

typedef struct file_id {
    dev_t dev;
    ino_t ino;
    off_t size;
    struct timespec mtime, ctime;
    bool ok;
} file_id;

struct server {
    /* options */
    const char *cert_file, *key_file, *config_file, *bind_address;
    unsigned port, threads, max_connections;
    unsigned connection_timeout; /* seconds */
    double shutdown_delay;       /* seconds */
    size_t max_body;
    bool log_json;
    admission_opts adm;
    config *cfg;

    atomic_bool ready, shutting_down;
    generation *current, *retired;
    file_id cert_id, key_id;
};

/* ---- logging ------------------------------------------------------------- */

static bool g_log_json;

static void log_time(char *buf, size_t cap) {
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(buf, cap, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + n, cap - n, ".%03ldZ", ts.tv_nsec / 1000000);
}

static void json_escape(char *out, size_t cap, const char *s) {
    size_t j = 0;
    for (; s && *s && j + 7 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') out[j++] = '\\', out[j++] = (char)c;
        else if (c < 0x20) j += (size_t)snprintf(out + j, cap - j, "\\u%04x", c);
        else out[j++] = (char)c;
    }
    out[j] = '\0';
}

/* log_event(level, msg, "key", "value", ..., NULL): one line, text or JSON,
 * written with a single stdio call so lines from threads never interleave. */
static void log_event(const char *level, const char *msg, ...) {
    char line[4096], ts[40], esc[1024];
    size_t n;
    log_time(ts, sizeof ts);
    if (g_log_json) {
        json_escape(esc, sizeof esc, msg);
        n = (size_t)snprintf(line, sizeof line,
                             "{\"time\":\"%s\",\"level\":\"%s\",\"msg\":\"%s\"", ts,
                             level, esc);
    } else {
        n = (size_t)snprintf(line, sizeof line, "%s %-5s %s", ts, level, msg);
    }
    va_list ap;
    va_start(ap, msg);
    for (const char *k; (k = va_arg(ap, const char *)) && n < sizeof line;) {
        const char *v = va_arg(ap, const char *);
        if (g_log_json) {
            json_escape(esc, sizeof esc, v ? v : "");
            n += (size_t)snprintf(line + n, sizeof line - n, ",\"%s\":\"%s\"", k, esc);
        } else {
            bool quote = !v || !*v || strpbrk(v, " \"=");
            n += (size_t)snprintf(line + n, sizeof line - n, quote ? " %s=\"%s\"" : " %s=%s",
                                  k, v ? v : "");
        }
    }
    va_end(ap);
    if (n >= sizeof line) n = sizeof line - 3;
    snprintf(line + n, sizeof line - n, "%s\n", g_log_json ? "}" : "");
    fputs(line, stderr);
}

/* ---- requests ------------------------------------------------------------ */

typedef struct request {
    char *body;
    size_t len, cap;
    bool too_big;
    struct timespec start;
} request;

static double elapsed(const struct timespec *since) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - since->tv_sec) +
           (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

static enum MHD_Result reply(generation *g, struct MHD_Connection *c,
                             unsigned status, const char *type,
                             const char *body, size_t len, const char *allow) {
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    if (allow) MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    if (atomic_load(&g->draining))
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    metrics_http_response((int)status);
    return ret;
}

static enum MHD_Result reply_text(generation *g, struct MHD_Connection *c,
                                  unsigned status, const char *text,
                                  const char *allow) {
    return reply(g, c, status, "text/plain; charset=utf-8", text, strlen(text), allow);
}

static const char *decision_name(admission_decision d) {
    static const char *const names[] = {"allowed", "warned", "denied", "invalid"};
    return names[d];
}

static enum MHD_Result validate(generation *g, struct MHD_Connection *c,
                                request *rq) {
    server *s = g->srv;
    if (rq->too_big) {
        char msg[128];
        snprintf(msg, sizeof msg, "request body is larger than %zu bytes\n", s->max_body);
        log_event("warn", "review rejected", "reason", "body too large", NULL);
        return reply_text(g, c, MHD_HTTP_CONTENT_TOO_LARGE, msg, NULL);
    }
    admission_result res;
    admission_review(rq->body ? rq->body : "", rq->len, &s->adm, &res);
    double secs = elapsed(&rq->start);
    if (res.http_status == 500 || !res.body) {
        admission_result_free(&res);
        log_event("error", "review failed", "reason", "out of memory", NULL);
        return reply_text(g, c, 500, "out of memory\n", NULL);
    }
    metrics_review(&res, secs);
    char us[32];
    snprintf(us, sizeof us, "%.0f", secs * 1e6);
    char obj[400];
    snprintf(obj, sizeof obj, "%s/%s", res.ns, res.name);
    if (res.decision == DECISION_INVALID)
        log_event("warn", "review", "decision", "invalid", "error", res.error,
                  "us", us, NULL);
    else
        log_event("info", "review", "uid", res.uid, "kind", res.kind, "object", obj,
                  "operation", res.operation, "decision", decision_name(res.decision),
                  "rules", res.rules, "us", us, NULL);
    enum MHD_Result ret =
        reply(g, c, (unsigned)res.http_status,
              res.http_status == 200 ? "application/json" : "text/plain; charset=utf-8",
              res.body, res.body_len, NULL);
    admission_result_free(&res);
    return ret;
}

/* libmicrohttpd (0.9.75) cannot tell that a request has no body when the
 * response is queued on the first call for it, so it then closes the
 * connection ("Connection: close"): every /healthz probe over keep-alive
 * would cost a new TLS handshake.  A request without a body is therefore
 * answered on the second call, which comes once it has been read in full;
 * its *req_cls is this marker until then.  One that has a body it does not
 * need is still answered at once, and the connection closed, so that the
 * body is never read. */
static char deferred;

static bool has_body(struct MHD_Connection *c) {
    const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                 MHD_HTTP_HEADER_CONTENT_LENGTH);
    return MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                       MHD_HTTP_HEADER_TRANSFER_ENCODING) ||
           (cl && strtoull(cl, NULL, 10) != 0);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
                                  const char *url, const char *method,
                                  const char *version, const char *upload,
                                  size_t *upload_size, void **req_cls) {
    generation *g = cls;
    server *s = g->srv;
    (void)version;
    bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0 ||
               strcmp(method, MHD_HTTP_METHOD_HEAD) == 0;
    bool review = strcmp(url, "/validate") == 0 &&
                  strcmp(method, MHD_HTTP_METHOD_POST) == 0;
    /* Everything but a review is answered without its body. */
    if (!review && !*req_cls && !has_body(c)) {
        *req_cls = &deferred;
        return MHD_YES;
    }
    if (strcmp(url, "/validate") != 0) {
        if (*upload_size) { /* a body we do not want: drop it */
            *upload_size = 0;
            return MHD_YES;
        }
        bool known = strcmp(url, "/healthz") == 0 || strcmp(url, "/readyz") == 0 ||
                     strcmp(url, "/metrics") == 0;
        if (!known) return reply_text(g, c, MHD_HTTP_NOT_FOUND, "not found\n", NULL);
        if (!get)
            return reply_text(g, c, MHD_HTTP_METHOD_NOT_ALLOWED,
                              "method not allowed\n", "GET, HEAD");
        if (strcmp(url, "/healthz") == 0) return reply_text(g, c, 200, "ok\n", NULL);
        if (strcmp(url, "/readyz") == 0) {
            bool ready = atomic_load(&s->ready) && !atomic_load(&s->shutting_down);
            return ready ? reply_text(g, c, 200, "ok\n", NULL)
                         : reply_text(g, c, MHD_HTTP_SERVICE_UNAVAILABLE,
                                      "shutting down\n", NULL);
        }
        size_t len;
        char *m = metrics_render(&len);
        if (!m) return reply_text(g, c, 500, "out of memory\n", NULL);
        enum MHD_Result r = reply(g, c, 200, "text/plain; version=0.0.4; charset=utf-8",
                                  m, len, NULL);
        free(m);
        return r;
    }
    request *rq = *req_cls;
    if (!rq || rq == (void *)&deferred) {
        if (!review)
            return reply_text(g, c, MHD_HTTP_METHOD_NOT_ALLOWED,
                              "method not allowed\n", "POST");
        if (!(rq = calloc(1, sizeof *rq))) return MHD_NO;
        clock_gettime(CLOCK_MONOTONIC, &rq->start);
        /* A declared length over the limit is refused before reading it. */
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > s->max_body) rq->too_big = true;
        *req_cls = rq;
        return MHD_YES;
    }
    if (*upload_size) {
        size_t n = *upload_size;
        *upload_size = 0;
        if (rq->too_big || rq->len + n > s->max_body) {
            rq->too_big = true; /* keep reading, keep nothing */
            free(rq->body);
            rq->body = NULL;
            rq->len = rq->cap = 0;
            return MHD_YES;
        }
        if (rq->len + n + 1 > rq->cap) {
            size_t cap = rq->cap ? rq->cap : 4096;
            while (cap < rq->len + n + 1) cap *= 2;
            if (cap > s->max_body + 1) cap = s->max_body + 1;
            char *b = realloc(rq->body, cap);
            if (!b) return MHD_NO;
            rq->body = b;
            rq->cap = cap;
        }
        memcpy(rq->body + rq->len, upload, n);
        rq->len += n;
        rq->body[rq->len] = '\0';
        return MHD_YES;
    }
    return validate(g, c, rq);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **req_cls,
                         enum MHD_RequestTerminationCode toe) {
    (void)cls, (void)c, (void)toe;
    request *rq = *req_cls;
    if (rq && rq != (void *)&deferred) {
        free(rq->body);
        free(rq);
        *req_cls = NULL;
    }
}

static void mhd_log(void *cls, const char *fmt, va_list ap) {
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '.')) msg[--n] = '\0';
    log_event("debug", "http", "detail", msg, NULL);
}

/* ---- daemons ------------------------------------------------------------- */

static const char tls_priorities[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";

/* Starts a generation on listen_fd (or, when it is -1, on a new socket). */
static generation *start_generation(server *s, tls_pair *tls, int listen_fd,
                                    char *err, size_t errlen) {
    generation *g = calloc(1, sizeof *g);
    if (!g) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    g->srv = s;
    g->tls = *tls;
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_TLS |
                     MHD_USE_ERROR_LOG;
    struct sockaddr_in6 a6 = {0};
    struct sockaddr_in a4 = {0};
    struct sockaddr *addr = NULL;
    if (listen_fd < 0 && s->bind_address) {
        if (inet_pton(AF_INET6, s->bind_address, &a6.sin6_addr) == 1) {
            a6.sin6_family = AF_INET6;
            a6.sin6_port = htons((uint16_t)s->port);
            addr = (struct sockaddr *)&a6;
            flags |= MHD_USE_IPv6;
        } else if (inet_pton(AF_INET, s->bind_address, &a4.sin_addr) == 1) {
            a4.sin_family = AF_INET;
            a4.sin_port = htons((uint16_t)s->port);
            addr = (struct sockaddr *)&a4;
        } else {
            snprintf(err, errlen, "--bind-address %s is not an IP address", s->bind_address);
            free(g);
            return NULL;
        }
    } else if (listen_fd < 0) {
        flags |= MHD_USE_DUAL_STACK;
    }
    struct MHD_OptionItem opts[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, NULL},
        {MHD_OPTION_HTTPS_MEM_KEY, 0, g->tls.key_pem},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, g->tls.cert_pem},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)tls_priorities},
        {MHD_OPTION_THREAD_POOL_SIZE, (intptr_t)s->threads, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, (intptr_t)s->max_connections, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, (intptr_t)s->connection_timeout, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, NULL},
        {listen_fd >= 0 ? MHD_OPTION_LISTEN_SOCKET
                        : addr ? MHD_OPTION_SOCK_ADDR : MHD_OPTION_ARRAY,
         listen_fd >= 0 ? listen_fd : 0, addr},
        {MHD_OPTION_END, 0, NULL},
    };
    if (listen_fd < 0 && !addr) opts[8] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
    g->daemon = MHD_start_daemon(flags, (uint16_t)s->port, NULL, NULL, on_request, g,
                                 MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    if (!g->daemon && listen_fd < 0 && !addr) {
        /* No IPv6 on this host: listen on IPv4 only. */
        flags &= ~(unsigned)MHD_USE_DUAL_STACK;
        g->daemon = MHD_start_daemon(flags, (uint16_t)s->port, NULL, NULL, on_request,
                                     g, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
    }
    if (!g->daemon) {
        snprintf(err, errlen, "cannot start the HTTPS server on port %u: %s", s->port,
                 errno ? strerror(errno) : "libmicrohttpd refused the options");
        free(g);
        return NULL;
    }
    return g;
}

static void stop_generation(generation *g) {
    MHD_stop_daemon(g->daemon);
    tls_pair_free(&g->tls);
    free(g);
}

static unsigned connections(generation *g) {
    const union MHD_DaemonInfo *i =
        MHD_get_daemon_info(g->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return i ? i->num_connections : 0;
}

/* Stops retired generations whose connections are gone, or that have had
 * longer than a connection timeout to finish. */
static void reap(server *s, bool all) {
    generation **p = &s->retired;
    while (*p) {
        generation *g = *p;
        double age = elapsed(&g->retired);
        if (all || connections(g) == 0 || age > s->connection_timeout + 5.0) {
            *p = g->next;
            stop_generation(g);
        } else {
            p = &g->next;
        }
    }
}

/* ---- certificates -------------------------------------------------------- */

static file_id file_identity(const char *path) {
    struct stat st;
    file_id id = {0};
    if (stat(path, &st) != 0) return id;
    id = (file_id){st.st_dev, st.st_ino, st.st_size, st.st_mtim, st.st_ctim, true};
    return id;
}

static bool same_file(const file_id *a, const file_id *b) {
    return a->ok == b->ok && a->dev == b->dev && a->ino == b->ino &&
           a->size == b->size && a->mtime.tv_sec == b->mtime.tv_sec &&
           a->mtime.tv_nsec == b->mtime.tv_nsec && a->ctime.tv_sec == b->ctime.tv_sec &&
           a->ctime.tv_nsec == b->ctime.tv_nsec;
}

static void log_cert(const char *msg, const tls_pair *t) {
    char exp[40];
    struct tm tm;
    gmtime_r(&t->not_after, &tm);
    strftime(exp, sizeof exp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    double days = difftime(t->not_after, time(NULL)) / 86400.0;
    char left[32];
    snprintf(left, sizeof left, "%.1f", days);
    log_event(days < 7 ? "warn" : "info", msg, "subject", t->subject, "sans", t->sans,
              "expires", exp, "days_left", left, NULL);
}

/* Loads the files again when they changed; swaps in a new daemon when the
 * pair is valid, keeps the old one (and says why) when it is not. */
static void maybe_reload(server *s, bool force) {
    file_id c = file_identity(s->cert_file), k = file_identity(s->key_file);
    if (!force && same_file(&c, &s->cert_id) && same_file(&k, &s->key_id)) return;
    tls_pair t;
    char err[512];
    if (!tls_pair_load(s->cert_file, s->key_file, &t, err, sizeof err)) {
        /* A rotation writes two files: the first check may see one new and
         * one old.  Retry on the next tick, serving the old pair meanwhile. */
        if (!same_file(&c, &s->cert_id) || !same_file(&k, &s->key_id))
            log_event("warn", "certificate reload failed; still serving the old one",
                      "error", err, NULL);
        s->cert_id = c;
        s->key_id = k;
        metrics_cert_reload(false);
        return;
    }
    s->cert_id = c;
    s->key_id = k;
    generation *old = s->current;
    atomic_store(&old->draining, true);
    MHD_socket fd = MHD_quiesce_daemon(old->daemon);
    if (fd == MHD_INVALID_SOCKET) {
        atomic_store(&old->draining, false);
        tls_pair_free(&t);
        log_event("error", "certificate reload failed", "error",
                  "cannot take over the listening socket", NULL);
        metrics_cert_reload(false);
        return;
    }
    generation *g = start_generation(s, &t, fd, err, sizeof err);
    if (!g) {
        /* Keep serving: a new daemon with the old pair takes the socket. */
        tls_pair keep;
        char e2[256];
        tls_pair_free(&t);
        if (tls_pair_load(s->cert_file, s->key_file, &keep, e2, sizeof e2) &&
            (g = start_generation(s, &keep, fd, e2, sizeof e2))) {
            log_event("error", "certificate reload failed", "error", err, NULL);
        } else {
            log_event("error", "cannot restart the HTTPS server", "error", err, NULL);
            exit(1);
        }
        metrics_cert_reload(false);
    } else {
        metrics_cert_reload(true);
        metrics_cert_loaded(g->tls.not_after);
        log_cert("certificate reloaded", &g->tls);
    }
    clock_gettime(CLOCK_MONOTONIC, &old->retired);
    old->next = s->retired;
    s->retired = old;
    s->current = g;
}

/* ---- options ------------------------------------------------------------- */

static const char usage_webhook[] =
    "usage: hitless webhook --tls-cert-file FILE --tls-key-file FILE [OPTIONS]\n"
    "\n"
    "Serves a Kubernetes validating admission webhook over HTTPS: POST\n"
    "/validate takes an AdmissionReview (admission.k8s.io/v1 or v1beta1) and\n"
    "denies objects that break zero-downtime rollouts and drains, with\n"
    "warnings for the rest. Also GET /healthz, /readyz and /metrics.\n"
    "\n"
    "options:\n"
    "      --tls-cert-file FILE    serving certificate (PEM, chain allowed)\n"
    "      --tls-key-file FILE     its private key (PEM); both files are\n"
    "                              re-read when they change\n"
    "      --port PORT             HTTPS port (default 8443)\n"
    "      --bind-address ADDR     listen on this address only (default: all,\n"
    "                              IPv6 and IPv4)\n"
    "  -c, --config FILE           the .hitless.yaml config (default: none)\n"
    "      --mode MODE             enforce (default) or warn: never deny,\n"
    "                              every finding becomes a warning\n"
    "      --deny-on LEVEL         deny findings at or above LEVEL: error\n"
    "                              (default) or warning\n"
    "      --shutdown-delay DUR    after SIGTERM, keep serving this long while\n"
    "                              endpoints drop the pod (default 5s)\n"
    "      --max-body-bytes N      larger request bodies get 413 (default\n"
    "                              3145728)\n"
    "      --connection-timeout DUR  close idle connections (default 10s)\n"
    "      --max-connections N     concurrent connections (default 1024)\n"
    "      --threads N             request threads (default 4)\n"
    "      --log-format FORMAT     text (default) or json\n"
    "  -h, --help                  show this help\n"
    "\n"
    "DUR is a number of seconds with an optional unit: 500ms, 5s, 1m.\n";

static bool parse_duration(const char *s, double *out) {
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || errno || v < 0) return false;
    if (strcmp(end, "ms") == 0) v /= 1000;
    else if (strcmp(end, "m") == 0) v *= 60;
    else if (*end && strcmp(end, "s") != 0) return false;
    if (v > 86400) return false;
    *out = v;
    return true;
}

static bool parse_uint(const char *s, unsigned long long max, unsigned long long *out) {
    char *end;
    errno = 0;
    if (!*s || *s == '-') return false;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end || errno || v > max) return false;
    *out = v;
    return true;
}

static int bad_option(const char *opt, const char *val, const char *want) {
    fprintf(stderr, "hitless: %s %s: %s\n%s", opt, val, want, usage_webhook);
    return 2;
}

/* Opens libmicrohttpd and libcrypto, which `hitless lint` never loads. */
static bool libraries_loaded(const char *cmd) {
    char err[512];
    if (dynlib_load(err, sizeof err)) return true;
    fprintf(stderr, "hitless %s: cannot load its libraries: %s\n", cmd, err);
    return false;
}

int cmd_webhook(int argc, char **argv) {
    static const struct option opts[] = {
        {"tls-cert-file", required_argument, 0, 'C'},
        {"tls-key-file", required_argument, 0, 'K'},
        {"port", required_argument, 0, 'p'},
        {"bind-address", required_argument, 0, 'b'},
        {"config", required_argument, 0, 'c'},
        {"mode", required_argument, 0, 'm'},
        {"deny-on", required_argument, 0, 'd'},
        {"shutdown-delay", required_argument, 0, 's'},
        {"max-body-bytes", required_argument, 0, 'B'},
        {"connection-timeout", required_argument, 0, 't'},
        {"max-connections", required_argument, 0, 'M'},
        {"threads", required_argument, 0, 'T'},
        {"log-format", required_argument, 0, 'l'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    server s = {.port = 8443, .threads = 4, .max_connections = 1024,
                .connection_timeout = 10, .shutdown_delay = 5,
                .max_body = 3u << 20,
                .adm = {.mode = MODE_ENFORCE, .deny_on = SEV_ERROR, .max_warnings = 10}};
    int c;
    unsigned long long u;
    double d;
    if (!libraries_loaded("webhook")) return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+c:h", opts, NULL)) != -1) {
        switch (c) {
        case 'C': s.cert_file = optarg; break;
        case 'K': s.key_file = optarg; break;
        case 'b': s.bind_address = optarg; break;
        case 'c': s.config_file = optarg; break;
        case 'p':
            if (!parse_uint(optarg, 65535, &u) || u == 0)
                return bad_option("--port", optarg, "a port from 1 to 65535");
            s.port = (unsigned)u;
            break;
        case 'm':
            if (strcmp(optarg, "enforce") == 0) s.adm.mode = MODE_ENFORCE;
            else if (strcmp(optarg, "warn") == 0) s.adm.mode = MODE_WARN;
            else return bad_option("--mode", optarg, "enforce or warn");
            break;
        case 'd':
            if (strcmp(optarg, "error") == 0) s.adm.deny_on = SEV_ERROR;
            else if (strcmp(optarg, "warning") == 0) s.adm.deny_on = SEV_WARNING;
            else return bad_option("--deny-on", optarg, "error or warning");
            break;
        case 's':
            if (!parse_duration(optarg, &d))
                return bad_option("--shutdown-delay", optarg, "a duration such as 5s");
            s.shutdown_delay = d;
            break;
        case 't':
            if (!parse_duration(optarg, &d) || d < 1)
                return bad_option("--connection-timeout", optarg, "a duration of 1s or more");
            s.connection_timeout = (unsigned)d;
            break;
        case 'B':
            if (!parse_uint(optarg, (unsigned long long)1 << 30, &u) || u < 1024)
                return bad_option("--max-body-bytes", optarg, "a size from 1024 to 1073741824");
            s.max_body = (size_t)u;
            break;
        case 'M':
            if (!parse_uint(optarg, 100000, &u) || u == 0)
                return bad_option("--max-connections", optarg, "a count from 1 to 100000");
            s.max_connections = (unsigned)u;
            break;
        case 'T':
            if (!parse_uint(optarg, 256, &u) || u == 0)
                return bad_option("--threads", optarg, "a count from 1 to 256");
            s.threads = (unsigned)u;
            break;
        case 'l':
            if (strcmp(optarg, "json") == 0) s.log_json = true;
            else if (strcmp(optarg, "text") == 0) s.log_json = false;
            else return bad_option("--log-format", optarg, "text or json");
            break;
        case 'h': fputs(usage_webhook, stdout); return 0;
        default: fputs(usage_webhook, stderr); return 2;
        }
    }
    if (optind < argc) return bad_option("unexpected argument", argv[optind], "none expected");
    if (!s.cert_file || !s.key_file) {
        fprintf(stderr, "hitless: webhook needs --tls-cert-file and --tls-key-file\n%s",
                usage_webhook);
        return 2;
    }
    g_log_json = s.log_json;
    setvbuf(stderr, NULL, _IOLBF, 0);

    if (!(s.cfg = config_new())) return 1;
    if (s.config_file && config_load(s.cfg, s.config_file, stderr)) {
        config_free(s.cfg);
        return 2;
    }
    /* One object per review: rules that relate objects are the linter's. */
    for (size_t i = 0; i < rule_count; i++)
        if (rule_table[i].scope == SCOPE_SET) s.cfg->enabled[i] = false;
    s.adm.cfg = s.cfg;

    tls_pair t;
    char err[512];
    if (!tls_pair_load(s.cert_file, s.key_file, &t, err, sizeof err)) {
        fprintf(stderr, "hitless: %s\n", err);
        config_free(s.cfg);
        return 2;
    }
    if (t.not_after <= time(NULL)) {
        fprintf(stderr, "hitless: %s: the certificate has expired\n", s.cert_file);
        tls_pair_free(&t);
        config_free(s.cfg);
        return 2;
    }
    s.cert_id = file_identity(s.cert_file);
    s.key_id = file_identity(s.key_file);
    metrics_cert_loaded(t.not_after);
    log_cert("certificate loaded", &t);

    /* Signals are taken by the main thread only: block them before the
     * daemon's threads start, so they inherit the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (!(s.current = start_generation(&s, &t, -1, err, sizeof err))) {
        fprintf(stderr, "hitless: %s\n", err);
        tls_pair_free(&t);
        config_free(s.cfg);
        return 1;
    }
    atomic_store(&s.ready, true);
    metrics_set_ready(true);
    char port[16], delay[32];
    snprintf(port, sizeof port, "%u", s.port);
    snprintf(delay, sizeof delay, "%gs", s.shutdown_delay);
    log_event("info", "serving", "port", port, "mode",
              s.adm.mode == MODE_ENFORCE ? "enforce" : "warn", "deny_on",
              severity_name(s.adm.deny_on), NULL);

    struct timespec tick = {0, 250 * 1000 * 1000};
    for (;;) {
        int sig = sigtimedwait(&sigs, NULL, &tick);
        if (sig == SIGTERM || sig == SIGINT) break;
        maybe_reload(&s, sig == SIGHUP);
        reap(&s, false);
    }

    atomic_store(&s.shutting_down, true);
    metrics_set_ready(false);
    log_event("info", "shutting down: /readyz is 503, still serving", "delay", delay, NULL);
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    for (;;) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        double left = s.shutdown_delay - ((double)(now.tv_sec - until.tv_sec) +
                                          (double)(now.tv_nsec - until.tv_nsec) / 1e9);
        if (left <= 0) break;
        struct timespec nap = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
        if (nap.tv_sec > 0 || nap.tv_nsec > 250000000) nap = tick;
        if (sigtimedwait(&sigs, NULL, &nap) == SIGINT) break; /* a second ^C */
    }
    /* Close the listener, let in-flight requests finish, then stop. */
    generation *g = s.current;
    atomic_store(&g->draining, true);
    MHD_socket fd = MHD_quiesce_daemon(g->daemon);
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    while ((connections(g) > 0 || s.retired) && elapsed(&start) < s.connection_timeout + 5.0) {
        struct timespec nap = {0, 20 * 1000 * 1000};
        nanosleep(&nap, NULL);
        reap(&s, false);
    }
    char left[16];
    snprintf(left, sizeof left, "%u", connections(g));
    reap(&s, true);
    stop_generation(g);
    if (fd != MHD_INVALID_SOCKET) close(fd);
    log_event("info", "stopped", "connections_left", left, NULL);
    config_free(s.cfg);
    return 0;
}

/* ---- hitless certs ------------------------------------------------------- */

static const char usage_certs[] =
    "usage: hitless certs --service NAME --namespace NS --out DIR [OPTIONS]\n"
    "\n"
    "Writes a CA (ca.crt, ca.key) and a serving certificate signed by it\n"
    "(tls.crt, tls.key) for the webhook's Service, with the DNS names NAME,\n"
    "NAME.NS, NAME.NS.svc and NAME.NS.svc.cluster.local, and prints the\n"
    "caBundle (base64 of ca.crt) for the ValidatingWebhookConfiguration.\n"
    "\n"
    "options:\n"
    "      --service NAME      the webhook's Service name\n"
    "      --namespace NS      its namespace\n"
    "      --out DIR           where to write the files (created if needed)\n"
    "      --days N            validity of the serving certificate (default 365)\n"
    "      --host NAME|IP      another SAN (repeatable), e.g. localhost\n"
    "  -h, --help              show this help\n";

int cmd_certs(int argc, char **argv) {
    static const struct option opts[] = {
        {"service", required_argument, 0, 's'},
        {"namespace", required_argument, 0, 'n'},
        {"out", required_argument, 0, 'o'},
        {"days", required_argument, 0, 'd'},
        {"host", required_argument, 0, 'H'},
        {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0},
    };
    certs_opts o = {.days = 365};
    const char *hosts[32];
    unsigned long long u;
    int c;
    if (!libraries_loaded("certs")) return 2;
    optind = 1;
    while ((c = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
        switch (c) {
        case 's': o.service = optarg; break;
        case 'n': o.ns = optarg; break;
        case 'o': o.out_dir = optarg; break;
        case 'd':
            if (!parse_uint(optarg, 36500, &u) || u == 0) {
                fprintf(stderr, "hitless: --days %s: a count from 1 to 36500\n", optarg);
                return 2;
            }
            o.days = (int)u;
            break;
        case 'H':
            if (o.nextra == sizeof hosts / sizeof *hosts) {
                fprintf(stderr, "hitless: too many --host\n");
                return 2;
            }
            hosts[o.nextra++] = optarg;
            break;
        case 'h': fputs(usage_certs, stdout); return 0;
        default: fputs(usage_certs, stderr); return 2;
        }
    }
    if (!o.service || !o.ns || !o.out_dir || optind < argc) {
        fprintf(stderr, "hitless: certs needs --service, --namespace and --out\n%s",
                usage_certs);
        return 2;
    }
    o.extra_hosts = hosts;
    char err[512];
    char *bundle = certs_generate(&o, err, sizeof err);
    if (!bundle) {
        fprintf(stderr, "hitless: %s\n", err);
        return 1;
    }
    printf("%s\n", bundle);
    free(bundle);
    return 0;
}
