/* json_tree.c: cJSON -> document tree.  JSON has no positions worth
 * reporting inside an AdmissionReview, so every node has line 0. */
#include "json_tree.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static node *scalar(arena *a, scalar_type t, const char *s) {
    node *n = arena_alloc(a, sizeof *n);
    if (!n) return NULL;
    memset(n, 0, sizeof *n);
    n->kind = NODE_SCALAR;
    n->type = t;
    n->len = strlen(s);
    n->u.str = arena_strndup(a, s, n->len);
    return n->u.str ? n : NULL;
}

static node *convert(arena *a, const cJSON *v, size_t depth, size_t max) {
    if (depth > max) return NULL;
    if (cJSON_IsObject(v) || cJSON_IsArray(v)) {
        bool obj = cJSON_IsObject(v);
        size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
        node *out = arena_alloc(a, sizeof *out);
        if (!out) return NULL;
        memset(out, 0, sizeof *out);
        out->kind = obj ? NODE_MAP : NODE_SEQ;
        out->len = n;
        if (obj) out->u.pairs = arena_alloc(a, (n ? n : 1) * sizeof *out->u.pairs);
        else out->u.items = arena_alloc(a, (n ? n : 1) * sizeof *out->u.items);
        if (obj ? !out->u.pairs : !out->u.items) return NULL;
        for (const cJSON *c = v->child; c && i < n; c = c->next, i++) {
            node *val = convert(a, c, depth + 1, max);
            if (!val) return NULL;
            if (obj) {
                node *key = scalar(a, SC_STR, c->string ? c->string : "");
                if (!key) return NULL;
                out->u.pairs[i] = (node_pair){key, val};
            } else {
                out->u.items[i] = val;
            }
        }
        return out;
    }
    if (cJSON_IsString(v)) return scalar(a, SC_STR, v->valuestring);
    if (cJSON_IsBool(v)) return scalar(a, SC_BOOL, cJSON_IsTrue(v) ? "true" : "false");
    if (cJSON_IsNumber(v)) {
        char buf[64];
        double d = v->valuedouble;
        /* Integral values print as integers so that `replicas: 3` reads as
         * an int, as it does from YAML. */
        if (isfinite(d) && d == floor(d) && fabs(d) < 9.007199254740992e15) {
            snprintf(buf, sizeof buf, "%.0f", d);
            return scalar(a, SC_INT, buf);
        }
        snprintf(buf, sizeof buf, "%.17g", d);
        return scalar(a, SC_FLOAT, buf);
    }
    return scalar(a, SC_NULL, "");
}

node *json_to_node(arena *a, const cJSON *v, size_t max_depth) {
    return convert(a, v, 0, max_depth);
}
