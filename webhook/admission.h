/* admission.h: AdmissionReview in, AdmissionReview out.  Pure: no I/O, so
 * the server, the tests and the fuzz target all call the same function. */
#ifndef HITLESS_ADMISSION_H
#define HITLESS_ADMISSION_H

#include "../rules/hitless.h"

typedef enum { MODE_ENFORCE, MODE_WARN } admission_mode;

typedef struct admission_opts {
    const config *cfg;
    admission_mode mode;
    severity deny_on;     /* deny findings at or above this (enforce mode) */
    size_t max_warnings;  /* warnings beyond this are summarised in one */
} admission_opts;

typedef enum {
    DECISION_ALLOWED,  /* no finding */
    DECISION_WARNED,   /* allowed, with warnings */
    DECISION_DENIED,
    DECISION_INVALID,  /* not a valid AdmissionReview: HTTP 400 */
} admission_decision;

/* What the server logs and counts for one review. */
typedef struct admission_result {
    int http_status;          /* 200, or 400 for a malformed review */
    char *body;               /* malloc'd response (JSON, or a text error) */
    size_t body_len;
    admission_decision decision;
    char uid[80];
    char kind[64], ns[128], name[254], operation[16];
    char rules[512];          /* comma-separated rule ids that fired */
    const char *error;        /* for 400: what was wrong (static) */
    /* Rules that fired, for the per-rule metrics (registry indexes). */
    size_t fired[64];
    size_t nfired;
} admission_result;

/* Reviews one request body.  Always fills res (body included) unless out of
 * memory, in which case http_status is 500 and body is NULL. */
void admission_review(const char *body, size_t len, const admission_opts *o,
                      admission_result *res);
void admission_result_free(admission_result *res);

#endif
