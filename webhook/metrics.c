/* metrics.c: fixed label sets, so every series is an array slot updated
 * with one atomic add: no locks and no allocation on the request path. */
#include "metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = {
    "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
    "ReplicationController", "Pod", "HorizontalPodAutoscaler", "Service",
    "PodDisruptionBudget", "other"};
#define NKINDS (sizeof kinds / sizeof *kinds)
static const char *const ops[] = {"CREATE", "UPDATE", "DELETE", "CONNECT", "other"};
#define NOPS (sizeof ops / sizeof *ops)
static const char *const decisions[] = {"allowed", "warned", "denied", "invalid"};
#define NDEC (sizeof decisions / sizeof *decisions)
static const double buckets[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                 0.01,   0.025,   0.05,   0.1,   0.25,   1};
#define NBUCKETS (sizeof buckets / sizeof *buckets)
#define NRULES 64
static const int codes[] = {200, 400, 404, 405, 413, 500, 503};
#define NCODES (sizeof codes / sizeof *codes)

static atomic_ulong reviews[NKINDS][NOPS][NDEC];
static atomic_ulong latency_bucket[NBUCKETS];
static atomic_ulong latency_count, latency_sum_ns;
static atomic_ulong findings[NRULES];
static atomic_ulong http_responses[NCODES + 1];
static atomic_ulong reloads_ok, reloads_failed;
static atomic_long cert_expiry;
static atomic_int ready;

static size_t index_of(const char *const *list, size_t n, const char *s) {
    for (size_t i = 0; i + 1 < n; i++)
        if (strcmp(list[i], s) == 0) return i;
    return n - 1;
}

void metrics_review(const admission_result *r, double seconds) {
    size_t k = index_of(kinds, NKINDS, r->kind);
    size_t o = index_of(ops, NOPS, r->operation);
    atomic_fetch_add(&reviews[k][o][r->decision], 1);
    for (size_t i = 0; i < NBUCKETS; i++)
        if (seconds <= buckets[i]) atomic_fetch_add(&latency_bucket[i], 1);
    atomic_fetch_add(&latency_count, 1);
    atomic_fetch_add(&latency_sum_ns, (unsigned long)(seconds * 1e9));
    for (size_t i = 0; i < r->nfired; i++)
        if (r->fired[i] < NRULES) atomic_fetch_add(&findings[r->fired[i]], 1);
}

void metrics_http_response(int status) {
    size_t i = 0;
    while (i < NCODES && codes[i] != status) i++;
    atomic_fetch_add(&http_responses[i], 1);
}

void metrics_cert_loaded(time_t not_after) { atomic_store(&cert_expiry, (long)not_after); }
void metrics_cert_reload(bool ok) { atomic_fetch_add(ok ? &reloads_ok : &reloads_failed, 1); }
void metrics_set_ready(bool r) { atomic_store(&ready, r); }

typedef struct buf {
    char *p;
    size_t n, cap;
    bool oom;
} buf;

static void put(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put(buf *b, const char *fmt, ...) {
    if (b->oom) return;
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
        va_end(ap);
        if (n < 0) {
            b->oom = true;
            return;
        }
        if ((size_t)n < b->cap - b->n) {
            b->n += (size_t)n;
            return;
        }
        size_t cap = b->cap * 2 + (size_t)n;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
}

char *metrics_render(size_t *len) {
    buf b = {malloc(8192), 0, 8192, false};
    if (!b.p) return NULL;
    put(&b, "# HELP hitless_admission_reviews_total Admission reviews answered, by "
            "object kind, operation and decision.\n"
            "# TYPE hitless_admission_reviews_total counter\n");
    for (size_t k = 0; k < NKINDS; k++)
        for (size_t o = 0; o < NOPS; o++)
            for (size_t d = 0; d < NDEC; d++) {
                unsigned long v = atomic_load(&reviews[k][o][d]);
                if (v)
                    put(&b, "hitless_admission_reviews_total{kind=\"%s\",operation="
                            "\"%s\",decision=\"%s\"} %lu\n",
                        kinds[k], ops[o], decisions[d], v);
            }
    put(&b, "# HELP hitless_admission_duration_seconds Time to decide one review.\n"
            "# TYPE hitless_admission_duration_seconds histogram\n");
    for (size_t i = 0; i < NBUCKETS; i++)
        put(&b, "hitless_admission_duration_seconds_bucket{le=\"%g\"} %lu\n",
            buckets[i], atomic_load(&latency_bucket[i]));
    unsigned long count = atomic_load(&latency_count);
    put(&b, "hitless_admission_duration_seconds_bucket{le=\"+Inf\"} %lu\n", count);
    put(&b, "hitless_admission_duration_seconds_sum %.9f\n",
        (double)atomic_load(&latency_sum_ns) / 1e9);
    put(&b, "hitless_admission_duration_seconds_count %lu\n", count);
    put(&b, "# HELP hitless_findings_total Reviews in which a rule fired, by rule.\n"
            "# TYPE hitless_findings_total counter\n");
    for (size_t i = 0; i < rule_count && i < NRULES; i++)
        put(&b, "hitless_findings_total{rule=\"%s\"} %lu\n", rule_table[i].id,
            atomic_load(&findings[i]));
    put(&b, "# HELP hitless_http_responses_total HTTP responses by status code.\n"
            "# TYPE hitless_http_responses_total counter\n");
    for (size_t i = 0; i <= NCODES; i++) {
        unsigned long v = atomic_load(&http_responses[i]);
        if (i < NCODES) put(&b, "hitless_http_responses_total{code=\"%d\"} %lu\n", codes[i], v);
        else if (v) put(&b, "hitless_http_responses_total{code=\"other\"} %lu\n", v);
    }
    put(&b, "# HELP hitless_certificate_expiry_timestamp_seconds When the serving "
            "certificate expires (Unix time).\n"
            "# TYPE hitless_certificate_expiry_timestamp_seconds gauge\n"
            "hitless_certificate_expiry_timestamp_seconds %ld\n",
        atomic_load(&cert_expiry));
    put(&b, "# HELP hitless_certificate_reloads_total Certificate reloads after the "
            "files changed, by result.\n"
            "# TYPE hitless_certificate_reloads_total counter\n"
            "hitless_certificate_reloads_total{result=\"success\"} %lu\n"
            "hitless_certificate_reloads_total{result=\"failure\"} %lu\n",
        atomic_load(&reloads_ok), atomic_load(&reloads_failed));
    put(&b, "# HELP hitless_ready 1 while /readyz answers 200.\n"
            "# TYPE hitless_ready gauge\nhitless_ready %d\n",
        atomic_load(&ready));
    if (b.oom) {
        free(b.p);
        return NULL;
    }
    *len = b.n;
    return b.p;
}
