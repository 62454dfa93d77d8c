/* admission.c: the admission decision.
 *
 * A review is decoded with cJSON, its object converted to the same document
 * tree the linter uses, and checked by the same engine and config.  Rules of
 * scope `set` are not run here: one object arrives at a time (the caller
 * disables them in the config it passes).  On UPDATE a violation that the
 * old object already had only warns, so that workloads admitted before
 * hitless was installed can still be scaled and rolled back. */
#include "admission.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_tree.h"

#define MAX_JSON_DEPTH 256
#define WARNING_MAX 120

static const char *const checked_kinds[] = {
    "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet",
    "ReplicationController", "Pod", "HorizontalPodAutoscaler", "Service",
    "PodDisruptionBudget", NULL};

static bool is_checked_kind(const char *kind) {
    for (const char *const *k = checked_kinds; *k; k++)
        if (strcmp(kind, *k) == 0) return true;
    return false;
}

static const char *json_str(const cJSON *obj, const char *key) {
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void copy(char *dst, size_t cap, const char *src) {
    snprintf(dst, cap, "%s", src ? src : "");
}

static void set_text_body(admission_result *res, int status, const char *msg) {
    res->http_status = status;
    size_t n = strlen(msg);
    res->body = malloc(n + 2);
    if (!res->body) {
        res->http_status = 500;
        return;
    }
    memcpy(res->body, msg, n);
    res->body[n] = '\n';
    res->body[n + 1] = '\0';
    res->body_len = n + 1;
}

static void invalid(admission_result *res, const char *why) {
    res->decision = DECISION_INVALID;
    res->error = why;
    set_text_body(res, 400, why);
}

/* Findings of one object, run through the engine. */
typedef struct checked {
    arena *a;
    report *out;
    manifest_set *set;
} checked;

static bool check_object(checked *c, const cJSON *obj, const char *ns,
                         const config *cfg) {
    memset(c, 0, sizeof *c);
    if (!(c->a = arena_new()) || !(c->out = report_new()) ||
        !(c->set = set_new(c->out, ns && *ns ? ns : "default")))
        return false;
    node *root = json_to_node(c->a, obj, MAX_JSON_DEPTH);
    if (!root) return false;
    set_add_document(c->set, root, "<admission>");
    set_index_build(c->set);
    engine_run(c->set, cfg, c->out);
    return true;
}

static void checked_free(checked *c) {
    set_free(c->set);
    report_free(c->out);
    arena_free(c->a);
}

static bool same_violation(const finding *a, const finding *b) {
    return strcmp(a->rule, b->rule) == 0 &&
           strcmp(a->container ? a->container : "", b->container ? b->container : "") == 0;
}

/* Cuts s to at most max bytes on a UTF-8 character boundary, with "...". */
static void clip(char *s, size_t max) {
    size_t n = strlen(s);
    if (n <= max) return;
    size_t cut = max - 3;
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80) cut--;
    memcpy(s + cut, "...", 4);
}

typedef struct strbuf {
    char *p;
    size_t n, cap;
    bool oom;
} strbuf;

static void sb_add(strbuf *b, const char *s) {
    size_t l = strlen(s);
    if (b->oom) return;
    if (b->n + l + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 256) + l;
        char *p = realloc(b->p, cap);
        if (!p) {
            b->oom = true;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, s, l + 1);
    b->n += l;
}

static void note_rule(admission_result *res, const finding *f) {
    ssize_t ri = rule_index(f->rule);
    for (size_t i = 0; i < res->nfired; i++)
        if ((ssize_t)res->fired[i] == ri) return;
    if (ri >= 0 && res->nfired < sizeof res->fired / sizeof *res->fired)
        res->fired[res->nfired++] = (size_t)ri;
    if (res->rules[0]) strncat(res->rules, ",", sizeof res->rules - strlen(res->rules) - 1);
    strncat(res->rules, f->rule, sizeof res->rules - strlen(res->rules) - 1);
}

static void respond(admission_result *res, const char *api_version,
                    const char *uid, bool allowed, const char *message,
                    cJSON *warnings) {
    cJSON *doc = cJSON_CreateObject();
    cJSON *resp = doc ? cJSON_CreateObject() : NULL;
    if (!resp) goto oom;
    cJSON_AddStringToObject(doc, "apiVersion", api_version);
    cJSON_AddStringToObject(doc, "kind", "AdmissionReview");
    cJSON_AddItemToObject(doc, "response", resp);
    cJSON_AddStringToObject(resp, "uid", uid);
    cJSON_AddBoolToObject(resp, "allowed", allowed);
    if (!allowed) {
        cJSON *st = cJSON_AddObjectToObject(resp, "status");
        cJSON_AddStringToObject(st, "status", "Failure");
        cJSON_AddNumberToObject(st, "code", 403);
        cJSON_AddStringToObject(st, "reason", "Forbidden");
        cJSON_AddStringToObject(st, "message", message);
    }
    if (warnings && cJSON_GetArraySize(warnings) > 0) {
        cJSON_AddItemToObject(resp, "warnings", warnings);
        warnings = NULL;
    }
    cJSON_Delete(warnings);
    res->body = cJSON_PrintUnformatted(doc);
    cJSON_Delete(doc);
    if (!res->body) goto oom_done;
    res->body_len = strlen(res->body);
    res->http_status = 200;
    return;
oom:
    cJSON_Delete(doc);
    cJSON_Delete(warnings);
oom_done:
    res->http_status = 500;
    res->body = NULL;
}

void admission_review(const char *body, size_t len, const admission_opts *o,
                      admission_result *res) {
    memset(res, 0, sizeof *res);
    res->http_status = 500;
    cJSON *doc = cJSON_ParseWithLength(body, len);
    checked now = {0}, before = {0};
    if (!doc) {
        invalid(res, "request body is not JSON");
        return;
    }
    if (!cJSON_IsObject(doc)) {
        invalid(res, "not an AdmissionReview: the body is not a JSON object");
        goto done;
    }
    const char *api_version = json_str(doc, "apiVersion");
    const char *kind = json_str(doc, "kind");
    if (!api_version || (strcmp(api_version, "admission.k8s.io/v1") != 0 &&
                         strcmp(api_version, "admission.k8s.io/v1beta1") != 0)) {
        invalid(res, "not an AdmissionReview: apiVersion must be "
                     "admission.k8s.io/v1 or admission.k8s.io/v1beta1");
        goto done;
    }
    if (!kind || strcmp(kind, "AdmissionReview") != 0) {
        invalid(res, "not an AdmissionReview: kind must be AdmissionReview");
        goto done;
    }
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(doc, "request");
    if (!cJSON_IsObject(req)) {
        invalid(res, "AdmissionReview has no request object");
        goto done;
    }
    const char *uid = json_str(req, "uid");
    if (!uid || !*uid) {
        invalid(res, "AdmissionReview request has no uid");
        goto done;
    }
    copy(res->uid, sizeof res->uid, uid);
    const char *op = json_str(req, "operation");
    if (!op) {
        invalid(res, "AdmissionReview request has no operation");
        goto done;
    }
    copy(res->operation, sizeof res->operation, op);
    const char *ns = json_str(req, "namespace");
    copy(res->ns, sizeof res->ns, ns);
    copy(res->name, sizeof res->name, json_str(req, "name"));
    const cJSON *rk = cJSON_GetObjectItemCaseSensitive(req, "kind");
    copy(res->kind, sizeof res->kind, json_str(rk, "kind"));

    /* Deleting or connecting to an object cannot break a rollout. */
    if (strcmp(op, "DELETE") == 0 || strcmp(op, "CONNECT") == 0) {
        respond(res, api_version, uid, true, NULL, NULL);
        goto done;
    }
    if (strcmp(op, "CREATE") != 0 && strcmp(op, "UPDATE") != 0) {
        invalid(res, "AdmissionReview request has an unknown operation");
        goto done;
    }
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(req, "object");
    if (!cJSON_IsObject(obj)) {
        invalid(res, "AdmissionReview request.object is not an object");
        goto done;
    }
    const char *okind = json_str(obj, "kind");
    if (okind) copy(res->kind, sizeof res->kind, okind);
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    const char *oname = json_str(meta, "name");
    if (!oname) oname = json_str(meta, "generateName");
    if (oname) copy(res->name, sizeof res->name, oname);
    const char *ons = json_str(meta, "namespace");
    if (ons && *ons) copy(res->ns, sizeof res->ns, ons);

    if (!is_checked_kind(res->kind)) {
        respond(res, api_version, uid, true, NULL, NULL);
        goto done;
    }
    /* A controller's pods were checked through its template. */
    const cJSON *owners = cJSON_GetObjectItemCaseSensitive(meta, "ownerReferences");
    if (strcmp(res->kind, "Pod") == 0 && cJSON_GetArraySize(owners) > 0) {
        respond(res, api_version, uid, true, NULL, NULL);
        goto done;
    }
    if (!check_object(&now, obj, ns, o->cfg)) {
        res->http_status = 500;
        goto done;
    }
    const cJSON *old = cJSON_GetObjectItemCaseSensitive(req, "oldObject");
    bool update = strcmp(op, "UPDATE") == 0 && cJSON_IsObject(old);
    if (update && !check_object(&before, old, ns, o->cfg)) {
        res->http_status = 500;
        goto done;
    }

    strbuf msg = {0};
    cJSON *warnings = cJSON_CreateArray();
    size_t denied = 0, nwarn = 0, extra = 0;
    char head[600];
    snprintf(head, sizeof head, "hitless denied %s %s/%s:", res->kind,
             res->ns[0] ? res->ns : "default", res->name);
    for (size_t i = 0; i < now.out->n; i++) {
        const finding *f = &now.out->items[i];
        if (f->justification || strcmp(f->rule, "not-a-manifest") == 0) continue;
        note_rule(res, f);
        bool existed = false;
        for (size_t j = 0; update && j < before.out->n && !existed; j++)
            existed = !before.out->items[j].justification &&
                      same_violation(f, &before.out->items[j]);
        char line[1400];
        if (o->mode == MODE_ENFORCE && f->sev >= o->deny_on && !existed) {
            if (!denied++) sb_add(&msg, head);
            snprintf(line, sizeof line, "%s [%s] %s (fix: %s)",
                     denied > 1 ? ";" : "", f->rule, f->message,
                     f->hint ? f->hint : "see hitless explain");
            sb_add(&msg, line);
            continue;
        }
        if (nwarn >= o->max_warnings) {
            extra++;
            continue;
        }
        snprintf(line, sizeof line, "%s[%s] %s",
                 existed ? "(already present) " : "", f->rule, f->message);
        clip(line, WARNING_MAX);
        cJSON_AddItemToArray(warnings, cJSON_CreateString(line));
        nwarn++;
    }
    if (extra) {
        char line[120];
        snprintf(line, sizeof line,
                 "[hitless] %zu more finding%s: run hitless lint on the manifest",
                 extra, extra == 1 ? "" : "s");
        cJSON_AddItemToArray(warnings, cJSON_CreateString(line));
    }
    if (denied) sb_add(&msg, "; run `hitless explain RULE` for details");
    if (msg.oom || !warnings) {
        free(msg.p);
        cJSON_Delete(warnings);
        res->http_status = 500;
        goto done;
    }
    res->decision = denied ? DECISION_DENIED : nwarn ? DECISION_WARNED
                                                    : DECISION_ALLOWED;
    respond(res, api_version, uid, denied == 0, msg.p, warnings);
    free(msg.p);
done:
    checked_free(&now);
    checked_free(&before);
    cJSON_Delete(doc);
}

void admission_result_free(admission_result *res) {
    free(res->body);
    res->body = NULL;
}
