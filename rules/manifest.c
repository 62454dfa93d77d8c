/* manifest.c: documents to objects, field shape checks, and the set's
 * indexes.  Everything a rule needs about an object is resolved here once:
 * its pod template, replica count, namespace, and what selects it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hitless.h"
#include "index.h"

/* Where each workload kind keeps its pod template, replica count and update
 * strategy.  Old API groups (extensions/v1beta1, apps/v1beta2) carry the same
 * fields, and manifests for old clusters still use them. */
static const workload_kind workload_kinds[] = {
    {"Deployment", "apps extensions", "spec.template", "spec.replicas", "spec.strategy"},
    {"StatefulSet", "apps", "spec.template", "spec.replicas", "spec.updateStrategy"},
    {"DaemonSet", "apps extensions", "spec.template", NULL, "spec.updateStrategy"},
    {"ReplicaSet", "apps extensions", "spec.template", "spec.replicas", NULL},
    {"ReplicationController", "core", "spec.template", "spec.replicas", NULL},
    {"Pod", "core", NULL, NULL, NULL},
};

static void api_group(const char *api_version, char *buf, size_t cap) {
    const char *slash = strchr(api_version, '/');
    if (!slash) {
        snprintf(buf, cap, "core");
        return;
    }
    snprintf(buf, cap, "%.*s", (int)(slash - api_version), api_version);
}

static bool word_in(const char *word, const char *list) {
    size_t n = strlen(word);
    for (const char *p = list; *p;) {
        const char *sp = strchr(p, ' ');
        size_t l = sp ? (size_t)(sp - p) : strlen(p);
        if (l == n && memcmp(p, word, n) == 0) return true;
        p += l + (sp != NULL);
    }
    return false;
}

const workload_kind *workload_kind_find(const char *api_version,
                                        const char *kind) {
    char group[128];
    if (!api_version || !kind) return NULL;
    api_group(api_version, group, sizeof group);
    for (size_t i = 0; i < sizeof workload_kinds / sizeof *workload_kinds; i++)
        if (strcmp(kind, workload_kinds[i].kind) == 0 &&
            word_in(group, workload_kinds[i].groups))
            return &workload_kinds[i];
    return NULL;
}

bool object_is(const object *o, const char *kind) {
    return o->kind && strcmp(o->kind, kind) == 0;
}

const char *object_ns_name(const object *o, char *buf, size_t cap) {
    snprintf(buf, cap, "%s/%s", o->ns, o->name);
    return buf;
}

/* ---- field shape --------------------------------------------------------- */

typedef struct vctx {
    manifest_set *s;
    const char *file;
    object *o;
} vctx;

/* A field's path, such as spec.template.spec.containers[0].ports[1].name:
 * a chain on the stack as the checks descend, written out only when a
 * value is wrong.  Most values are fine, and formatting every path took a
 * tenth of the time on a large set. */
typedef struct fpath {
    const struct fpath *up;
    const char *key; /* NULL for [index] */
    size_t index;
} fpath;

#define FIELD(up, key) (&(fpath){(up), (key), 0})
#define ITEM(up, i) (&(fpath){(up), NULL, (i)})

static size_t fpath_format(const fpath *p, char *buf, size_t cap) {
    size_t n = p->up ? fpath_format(p->up, buf, cap) : 0;
    if (n >= cap) return n;
    int w = p->key ? snprintf(buf + n, cap - n, "%s%s", n ? "." : "", p->key)
                   : snprintf(buf + n, cap - n, "[%zu]", p->index);
    return w < 0 ? n : n + (size_t)w;
}

static void invalid(vctx *v, const node *at, const fpath *path,
                    const char *hint, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static void invalid(vctx *v, const node *at, const fpath *path,
                    const char *hint, const char *fmt, ...) {
    char where[300], detail[512];
    fpath_format(path, where, sizeof where);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    const node *loc = at ? at : v->o ? v->o->root : NULL;
    finding *f = report_add(v->s->out, "invalid-value", SEV_ERROR, v->file,
                            loc ? loc->line : 1, loc ? loc->col : 1, hint,
                            "%s: %s", where, detail);
    if (f && v->o) finding_set_object(f, v->o);
}

static void describe(const node *n, char *buf, size_t cap) {
    if (n && n->kind == NODE_SCALAR)
        snprintf(buf, cap, "%s (%.60s%s)", node_kind_name(n), n->u.str,
                 n->len > 60 ? "..." : "");
    else
        snprintf(buf, cap, "%s", node_kind_name(n));
}

static bool want_map(vctx *v, const node *n, const fpath *path) {
    if (!n || node_is_map(n) || (n->kind == NODE_SCALAR && n->type == SC_NULL))
        return node_is_map(n);
    char d[128];
    describe(n, d, sizeof d);
    invalid(v, n, path, "write a mapping (key: value lines) here",
            "expected a mapping, found %s", d);
    return false;
}

static bool want_seq(vctx *v, const node *n, const fpath *path) {
    if (!n || node_is_seq(n) || (n->kind == NODE_SCALAR && n->type == SC_NULL))
        return node_is_seq(n);
    char d[128];
    describe(n, d, sizeof d);
    invalid(v, n, path, "write a list (- item lines) here",
            "expected a list, found %s", d);
    return false;
}

static bool want_str(vctx *v, const node *n, const fpath *path) {
    if (!n || node_is_str(n)) return n != NULL;
    char d[128];
    describe(n, d, sizeof d);
    invalid(v, n, path, "quote the value to make it a string",
            "expected a string, found %s", d);
    return false;
}

static bool want_int(vctx *v, const node *n, const fpath *path, int64_t min,
                     int64_t max) {
    if (!n) return false;
    int64_t x;
    if (n->kind == NODE_SCALAR && n->type == SC_INT && !node_int(n, &x)) {
        invalid(v, n, path, "use a number in range",
                "%s does not fit in a 64-bit integer", n->u.str);
        return false;
    }
    if (!node_int(n, &x)) {
        char d[128];
        describe(n, d, sizeof d);
        invalid(v, n, path, "write a plain integer without quotes",
                "expected an integer, found %s", d);
        return false;
    }
    /* One bound per message: "[0, 9223372036854775807]" tells nobody
     * anything they can act on. */
    if (x < min) {
        invalid(v, n, path, "use a value inside the allowed range",
                "%lld is below the minimum of %lld", (long long)x,
                (long long)min);
        return false;
    }
    if (x > max) {
        invalid(v, n, path, "use a value inside the allowed range",
                "%lld is above the maximum of %lld", (long long)x,
                (long long)max);
        return false;
    }
    return true;
}

static void want_intorpct(vctx *v, const node *n, const fpath *path,
                          bool allow_over_100) {
    int64_t x;
    if (!n || intorpct_resolve(n, 100, false, allow_over_100, &x)) return;
    if (!allow_over_100 && intorpct_resolve(n, 100, false, true, &x)) {
        invalid(v, n, path, "use a percentage from \"0%\" to \"100%\"",
                "%s is over 100%%", n->u.str);
        return;
    }
    char d[128];
    describe(n, d, sizeof d);
    invalid(v, n, path,
            allow_over_100 ? "use a non-negative integer or a percentage such as \"25%\""
                           : "use a non-negative integer or a percentage from \"0%\" to \"100%\"",
            "expected an integer or a percentage, found %s", d);
}

static void check_string_list(vctx *v, const node *n, const fpath *path) {
    if (!want_seq(v, n, path)) return;
    for (size_t i = 0; i < n->len; i++) want_str(v, n->u.items[i], ITEM(path, i));
}

static void check_handler(vctx *v, const node *h, const fpath *path) {
    if (!want_map(v, h, path)) return;
    const char *kinds[] = {"httpGet", "tcpSocket", "grpc"};
    for (size_t i = 0; i < 3; i++) {
        const node *k = map_get(h, kinds[i]);
        const fpath *kp = FIELD(path, kinds[i]);
        if (!want_map(v, k, kp)) continue;
        const node *port = map_get(k, "port");
        if (port && !node_is_str(port)) want_int(v, port, FIELD(kp, "port"), 1, 65535);
    }
    const node *ex = map_get(h, "exec");
    const fpath *ep = FIELD(path, "exec");
    if (want_map(v, ex, ep)) check_string_list(v, map_get(ex, "command"), FIELD(ep, "command"));
    const node *sl = map_get(h, "sleep");
    const fpath *sp = FIELD(path, "sleep");
    if (want_map(v, sl, sp))
        want_int(v, map_get(sl, "seconds"), FIELD(sp, "seconds"), 0, INT32_MAX);
}

static void check_container(vctx *v, const node *c, const fpath *path) {
    if (!want_map(v, c, path)) return;
    want_str(v, map_get(c, "name"), FIELD(path, "name"));
    check_string_list(v, map_get(c, "command"), FIELD(path, "command"));
    check_string_list(v, map_get(c, "args"), FIELD(path, "args"));
    const node *ports = map_get(c, "ports");
    const fpath *portsp = FIELD(path, "ports");
    if (want_seq(v, ports, portsp))
        for (size_t i = 0; i < ports->len; i++) {
            const node *port = ports->u.items[i];
            const fpath *pp = ITEM(portsp, i);
            if (!want_map(v, port, pp)) continue;
            const node *cp = map_get(port, "containerPort");
            if (!cp)
                invalid(v, port, FIELD(pp, "containerPort"),
                        "add containerPort: <number>", "a port needs a containerPort");
            else
                want_int(v, cp, FIELD(pp, "containerPort"), 1, 65535);
            want_str(v, map_get(port, "name"), FIELD(pp, "name"));
        }
    const char *probes[] = {"readinessProbe", "livenessProbe", "startupProbe"};
    for (size_t i = 0; i < 3; i++) {
        const fpath *pp = FIELD(path, probes[i]);
        const node *pr = map_get(c, probes[i]);
        check_handler(v, pr, pp);
        const char *timing[] = {"initialDelaySeconds", "periodSeconds",
                                "timeoutSeconds", "failureThreshold",
                                "successThreshold"};
        for (size_t t = 0; node_is_map(pr) && t < 5; t++)
            want_int(v, map_get(pr, timing[t]), FIELD(pp, timing[t]), 0, INT32_MAX);
    }
    const node *lc = map_get(c, "lifecycle");
    const fpath *lp = FIELD(path, "lifecycle");
    if (want_map(v, lc, lp)) {
        check_handler(v, map_get(lc, "preStop"), FIELD(lp, "preStop"));
        check_handler(v, map_get(lc, "postStart"), FIELD(lp, "postStart"));
    }
}

static void check_pod_spec(vctx *v, const node *spec, const fpath *path) {
    const node *cs = map_get(spec, "containers");
    const fpath *csp = FIELD(path, "containers");
    if (!cs)
        invalid(v, spec, csp, "add at least one container",
                "a pod needs a containers list");
    else if (want_seq(v, cs, csp))
        for (size_t i = 0; i < cs->len; i++) check_container(v, cs->u.items[i], ITEM(csp, i));
    want_seq(v, map_get(spec, "initContainers"), FIELD(path, "initContainers"));
    want_int(v, map_get(spec, "terminationGracePeriodSeconds"),
             FIELD(path, "terminationGracePeriodSeconds"), 0, INT64_MAX);
}

static void check_labels(vctx *v, const node *labels, const fpath *path) {
    if (!want_map(v, labels, path)) return;
    for (size_t i = 0; i < labels->len; i++) {
        const char *k = node_text(labels->u.pairs[i].key);
        want_str(v, labels->u.pairs[i].value, FIELD(path, k ? k : "?"));
    }
}

static void check_workload(vctx *v, object *o) {
    const node *spec = map_get(o->root, "spec");
    const fpath *sp = FIELD(NULL, "spec");
    if (o->wk->template_path) {
        if (!spec) {
            invalid(v, o->root, sp, "add a spec with a pod template",
                    "a %s needs a spec", o->kind);
            return;
        }
        if (!want_map(v, spec, sp)) return;
        const node *tpl = map_get(spec, "template");
        const fpath *tp = FIELD(sp, "template");
        if (!tpl) {
            invalid(v, spec, tp, "add a pod template", "a %s needs a pod template",
                    o->kind);
            return;
        }
        if (!want_map(v, tpl, tp)) return;
        const node *meta = map_get(tpl, "metadata");
        const fpath *mp = FIELD(tp, "metadata");
        if (want_map(v, meta, mp)) {
            o->pod_meta = meta;
            const node *labels = map_get(meta, "labels");
            check_labels(v, labels, FIELD(mp, "labels"));
            if (node_is_map(labels)) o->pod_labels = labels;
        }
        const node *ps = map_get(tpl, "spec");
        const fpath *psp = FIELD(tp, "spec");
        if (!ps) {
            invalid(v, tpl, psp, "add the pod spec", "the pod template has no spec");
        } else if (want_map(v, ps, psp)) {
            o->pod_spec = ps;
            check_pod_spec(v, ps, psp);
        }
    } else {
        o->pod_meta = o->meta;
        const node *labels = map_get(o->meta, "labels");
        if (node_is_map(labels)) o->pod_labels = labels;
        if (!spec)
            invalid(v, o->root, sp, "add a spec with containers", "a Pod needs a spec");
        else if (want_map(v, spec, sp)) {
            o->pod_spec = spec;
            check_pod_spec(v, spec, sp);
        }
    }
    o->replicas = 1;
    o->replicas_valid = true;
    if (o->wk->replicas_path) {
        const node *r = map_get_path(o->root, o->wk->replicas_path);
        if (r && !(r->kind == NODE_SCALAR && r->type == SC_NULL)) {
            o->replicas_set = true;
            if (want_int(v, r, FIELD(NULL, o->wk->replicas_path), 0, INT32_MAX))
                node_int(r, &o->replicas);
            else
                o->replicas_valid = false;
        }
    }
    o->effective_replicas = o->replicas;
    if (o->wk->strategy_path) {
        const node *st = map_get_path(o->root, o->wk->strategy_path);
        const fpath *stp = FIELD(NULL, o->wk->strategy_path);
        if (want_map(v, st, stp)) {
            const node *type = map_get(st, "type");
            const fpath *typ = FIELD(stp, "type");
            bool deploy = object_is(o, "Deployment");
            if (want_str(v, type, typ)) {
                const char *t = type->u.str;
                bool ok = strcmp(t, "RollingUpdate") == 0 ||
                          (deploy ? strcmp(t, "Recreate") == 0
                                  : strcmp(t, "OnDelete") == 0);
                if (!ok)
                    invalid(v, type, typ,
                            deploy ? "use RollingUpdate or Recreate"
                                   : "use RollingUpdate or OnDelete",
                            "unknown strategy type \"%s\"", t);
            }
            const node *ru = map_get(st, "rollingUpdate");
            const fpath *rup = FIELD(stp, "rollingUpdate");
            if (want_map(v, ru, rup)) {
                /* Kubernetes allows maxSurge above 100%, not maxUnavailable. */
                const node *ms = map_get(ru, "maxSurge"), *mu = map_get(ru, "maxUnavailable");
                const fpath *mup = FIELD(rup, "maxUnavailable");
                want_intorpct(v, ms, FIELD(rup, "maxSurge"), true);
                want_intorpct(v, mu, mup, false);
                /* The API server refuses a Deployment rollout that may
                 * neither add nor remove a pod (ValidateRollingUpdateDeployment
                 * compares the written values, before any scaling). */
                int64_t s0, u0;
                if (deploy && ms && mu &&
                    intorpct_resolve(ms, 100, false, true, &s0) &&
                    intorpct_resolve(mu, 100, false, false, &u0) && s0 == 0 &&
                    u0 == 0)
                    invalid(v, mu, mup,
                            "set maxSurge (surge-first) or maxUnavailable to at "
                            "least 1",
                            "may not be 0 when maxSurge is 0");
                want_int(v, map_get(ru, "partition"), FIELD(rup, "partition"), 0, INT32_MAX);
            }
        }
    }
}

static void check_other(vctx *v, object *o) {
    const node *spec = map_get(o->root, "spec");
    const fpath *sp = FIELD(NULL, "spec");
    if (object_is(o, "HorizontalPodAutoscaler")) {
        if (!want_map(v, spec, sp)) return;
        want_int(v, map_get(spec, "minReplicas"), FIELD(sp, "minReplicas"), 0, INT32_MAX);
        want_int(v, map_get(spec, "maxReplicas"), FIELD(sp, "maxReplicas"), 1, INT32_MAX);
        const node *ref = map_get(spec, "scaleTargetRef");
        const fpath *rp = FIELD(sp, "scaleTargetRef");
        if (want_map(v, ref, rp)) {
            want_str(v, map_get(ref, "kind"), FIELD(rp, "kind"));
            want_str(v, map_get(ref, "name"), FIELD(rp, "name"));
        }
    } else if (object_is(o, "PodDisruptionBudget")) {
        if (!want_map(v, spec, sp)) return;
        const node *min = map_get(spec, "minAvailable");
        const node *max = map_get(spec, "maxUnavailable");
        want_intorpct(v, min, FIELD(sp, "minAvailable"), false);
        want_intorpct(v, max, FIELD(sp, "maxUnavailable"), false);
        if (min && max)
            invalid(v, max, FIELD(sp, "maxUnavailable"),
                    "keep either minAvailable or maxUnavailable",
                    "minAvailable and maxUnavailable cannot both be set");
        const node *sel = map_get(spec, "selector");
        const fpath *selp = FIELD(sp, "selector");
        if (want_map(v, sel, selp)) {
            check_labels(v, map_get(sel, "matchLabels"), FIELD(selp, "matchLabels"));
            want_seq(v, map_get(sel, "matchExpressions"), FIELD(selp, "matchExpressions"));
        }
    } else if (object_is(o, "Service")) {
        if (!want_map(v, spec, sp)) return;
        check_labels(v, map_get(spec, "selector"), FIELD(sp, "selector"));
        const node *ports = map_get(spec, "ports");
        const fpath *portsp = FIELD(sp, "ports");
        if (want_seq(v, ports, portsp))
            for (size_t i = 0; i < ports->len; i++) {
                const fpath *pp = ITEM(portsp, i);
                if (!want_map(v, ports->u.items[i], pp)) continue;
                const node *tp = map_get(ports->u.items[i], "targetPort");
                /* 0 (like absent) means "the same as port": the API
                 * server defaults it. */
                if (tp && !node_is_str(tp)) want_int(v, tp, FIELD(pp, "targetPort"), 0, 65535);
            }
    }
}

/* ---- documents to objects ------------------------------------------------ */

/* A workload created by a controller (a ReplicaSet of a Deployment, a Pod of
 * a ReplicaSet) is checked through its owner's template. */
static bool controller_owned(const node *meta) {
    const node *owners = map_get(meta, "ownerReferences");
    for (size_t i = 0; node_is_seq(owners) && i < owners->len; i++) {
        bool ctl;
        if (node_bool(map_get(owners->u.items[i], "controller"), &ctl) && ctl)
            return true;
    }
    return false;
}

manifest_set *set_new(report *out, const char *default_ns) {
    manifest_set *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->arena = arena_new();
    if (!s->arena) {
        free(s);
        return NULL;
    }
    s->out = out;
    s->default_ns = default_ns ? default_ns : "default";
    return s;
}

static void note(manifest_set *s, const char *file, const node *at,
                 const char *msg) {
    report_add(s->out, "not-a-manifest", SEV_INFO, file, at ? at->line : 1,
               at ? at->col : 1,
               "hitless reads Kubernetes objects (apiVersion, kind, metadata)",
               "%s", msg);
}

/* `kind: List`, and the typed lists kubectl prints (ConfigMapList, ...):
 * their items are the objects. */
static bool list_kind(const char *kind) {
    size_t n = strlen(kind);
    return n >= 4 && strcmp(kind + n - 4, "List") == 0;
}

/* Objects live in the set's arena so that pointers to them (findings,
 * indexes) stay valid while the set grows. */
static object *new_object(manifest_set *s) {
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        object **arr = realloc(s->objects, cap * sizeof *arr);
        if (!arr) return NULL;
        s->objects = arr;
        s->cap = cap;
    }
    object *o = arena_alloc(s->arena, sizeof *o);
    if (!o) return NULL;
    memset(o, 0, sizeof *o);
    o->index = s->n;
    s->objects[s->n++] = o;
    return o;
}

static void add_node(manifest_set *s, const node *root, const char *file,
                     int depth) {
    if (!root || (root->kind == NODE_SCALAR && root->type == SC_NULL)) return;
    if (!node_is_map(root)) {
        char msg[120];
        snprintf(msg, sizeof msg,
                 "document is %s, not a Kubernetes object; skipped",
                 node_kind_name(root));
        note(s, file, root, msg);
        return;
    }
    const node *av = map_get(root, "apiVersion"), *kd = map_get(root, "kind");
    vctx v = {s, file, NULL};
    if (!av || !kd) {
        note(s, file, root,
             !av && !kd ? "document has no apiVersion and no kind: not a "
                          "Kubernetes object; skipped"
             : !av ? "document has no apiVersion: not a Kubernetes object; skipped"
                   : "document has no kind: not a Kubernetes object; skipped");
        return;
    }
    if (!want_str(&v, av, FIELD(NULL, "apiVersion")) || !want_str(&v, kd, FIELD(NULL, "kind")))
        return;
    const char *kind = kd->u.str;
    if (list_kind(kind)) {
        const node *items = map_get(root, "items");
        if (!items) return;
        if (depth > 2 || !want_seq(&v, items, FIELD(NULL, "items"))) return;
        for (size_t i = 0; i < items->len; i++) {
            const node *it = items->u.items[i];
            if (!node_is_map(it)) {
                char d[128];
                describe(it, d, sizeof d);
                invalid(&v, it, ITEM(FIELD(NULL, "items"), i), "each item of a List is an object",
                        "expected an object, found %s", d);
                continue;
            }
            add_node(s, it, file, depth + 1);
        }
        return;
    }
    const node *meta = map_get(root, "metadata");
    const fpath *mp = FIELD(NULL, "metadata");
    if (meta && !want_map(&v, meta, mp)) meta = NULL;
    const node *name = map_get(meta, "name");
    if (!name) name = map_get(meta, "generateName");
    const node *ns = map_get(meta, "namespace");
    object *o = new_object(s);
    if (!o) {
        s->out->input_errors++;
        return;
    }
    s->out->objects++;
    o->root = root;
    o->file = file;
    o->api_version = av->u.str;
    o->kind = kind;
    o->meta = meta;
    o->name = node_is_str(name) ? name->u.str : "<unnamed>";
    o->ns = node_is_str(ns) && ns->len ? ns->u.str : s->default_ns;
    v.o = o;
    if (name) want_str(&v, name, FIELD(mp, "name"));
    if (ns) want_str(&v, ns, FIELD(mp, "namespace"));
    const node *ann = map_get(meta, "annotations");
    if (want_map(&v, ann, FIELD(mp, "annotations"))) o->annotations = ann;
    check_labels(&v, map_get(meta, "labels"), FIELD(mp, "labels"));
    o->wk = workload_kind_find(o->api_version, kind);
    o->controlled = o->wk && controller_owned(meta);
    if (o->wk)
        check_workload(&v, o);
    else
        check_other(&v, o);
}

void set_add_document(manifest_set *s, const node *root, const char *file) {
    s->out->documents++;
    add_node(s, root, file, 0);
}

/* ---- slim documents -------------------------------------------------------
 *
 * Most bytes of real manifests are objects no rule looks into:
 * CustomResourceDefinitions alone are 70% of a typical install bundle, and
 * ConfigMaps holding dashboards most of the rest.  Of those the set reads
 * apiVersion, kind and metadata (identity, labels, suppression annotations),
 * so the loader keeps only that much of them, and the memory the full tree
 * took serves the next document. */

/* Kinds whose body check_other or a rule reads, besides the workloads. */
static const char *const body_kinds[] = {"Service", "PodDisruptionBudget",
                                         "HorizontalPodAutoscaler"};

static bool body_read(const char *api_version, const char *kind) {
    if (workload_kind_find(api_version, kind)) return true;
    for (size_t i = 0; i < sizeof body_kinds / sizeof *body_kinds; i++)
        if (strcmp(kind, body_kinds[i]) == 0) return true;
    return false;
}

/* Copies are counted against a budget of nodes: aliases are copied out, so
 * a shared anchor could otherwise cost more than the original. */

/* n alone, its children still the original's until the caller sets them. */
static node *copy_node(arena *a, const node *n, size_t *budget) {
    node *c = *budget ? arena_alloc(a, sizeof *c) : NULL;
    if (!c) return NULL;
    --*budget;
    *c = *n;
    return c;
}

static node *copy_tree(arena *a, const node *n, size_t *budget) {
    node *c = copy_node(a, n, budget);
    if (!c) return NULL;
    if (n->kind == NODE_SCALAR) {
        char *str = arena_strndup(a, n->u.str, n->len);
        if (!str) return NULL;
        c->u.str = str;
    } else if (n->kind == NODE_MAP) {
        node_pair *pairs = arena_alloc(a, (n->len ? n->len : 1) * sizeof *pairs);
        if (!pairs) return NULL;
        for (size_t i = 0; i < n->len; i++) {
            pairs[i].key = copy_tree(a, n->u.pairs[i].key, budget);
            pairs[i].value = pairs[i].key ? copy_tree(a, n->u.pairs[i].value, budget)
                                          : NULL;
            if (!pairs[i].value) return NULL;
        }
        c->u.pairs = pairs;
    } else {
        node **items = arena_alloc(a, (n->len ? n->len : 1) * sizeof *items);
        if (!items) return NULL;
        for (size_t i = 0; i < n->len; i++)
            if (!(items[i] = copy_tree(a, n->u.items[i], budget))) return NULL;
        c->u.items = items;
    }
    return c;
}

/* What add_node reads of a node that is not an object (a document that is
 * a list, an item of a List that is a string): its kind and position, and
 * a scalar's text, which the message quotes. */
static node *copy_not_object(arena *a, const node *n, size_t *budget) {
    if (n->kind == NODE_SCALAR) return copy_tree(a, n, budget);
    node *c = copy_node(a, n, budget);
    if (!c) return NULL;
    c->len = 0;
    c->u.items = NULL;
    return c;
}

static node *slim(arena *a, const node *root, size_t *budget, int depth) {
    if (!node_is_map(root)) return copy_not_object(a, root, budget);
    const char *av = node_text(map_get(root, "apiVersion"));
    const char *kind = node_text(map_get(root, "kind"));
    if (av && kind && body_read(av, kind)) return NULL;
    bool list = kind && list_kind(kind);
    node *c = copy_node(a, root, budget);
    node_pair *pairs = c ? arena_alloc(a, 4 * sizeof *pairs) : NULL;
    if (!pairs) return NULL;
    c->u.pairs = pairs;
    c->len = 0;
    for (size_t i = 0; i < root->len; i++) {
        const node *k = root->u.pairs[i].key, *v = root->u.pairs[i].value;
        const char *key = node_text(k);
        if (!key) continue;
        bool items = list && strcmp(key, "items") == 0;
        if (!items && strcmp(key, "apiVersion") != 0 && strcmp(key, "kind") != 0 &&
            strcmp(key, "metadata") != 0)
            continue;
        node *kc = copy_tree(a, k, budget), *vc;
        if (!kc) return NULL;
        if (items && node_is_seq(v) && depth < 3) {
            /* Each item as add_node reads it: objects slim, the rest as
             * they are (they are reported as not being objects). */
            node **its = arena_alloc(a, (v->len ? v->len : 1) * sizeof *its);
            vc = its ? copy_node(a, v, budget) : NULL;
            if (!vc) return NULL;
            vc->u.items = its;
            for (size_t j = 0; j < v->len; j++)
                if (!(its[j] = slim(a, v->u.items[j], budget, depth + 1)))
                    return NULL;
        } else if (!(vc = copy_tree(a, v, budget))) {
            return NULL;
        }
        if (c->len < 4) pairs[c->len++] = (node_pair){kc, vc}; /* keys are unique */
    }
    return c;
}

node *set_slim_document(arena *a, const node *root) {
    size_t budget = 65536;
    return slim(a, root, &budget, 0);
}

/* ---- indexes ------------------------------------------------------------- */

struct set_index {
    obj_index by_ns;     /* ns -> every object */
    obj_index by_label;  /* ns \0 key \0 value -> workloads */
    obj_index by_name;   /* ns \0 kind \0 name -> objects */
    obj_index workloads; /* ns -> workloads */
};

/* Arrays that only grow: reallocated in the arena at powers of two. */
static bool push_ref(arena *a, const object ***arr, size_t *n,
                     const object *o) {
    if ((*n & (*n - 1)) == 0) {
        size_t cap = *n ? *n * 2 : 2;
        const object **p = arena_alloc(a, cap * sizeof *p);
        if (!p) return false;
        if (*n) memcpy(p, *arr, *n * sizeof *p);
        *arr = p;
    }
    (*arr)[(*n)++] = o;
    return true;
}

size_t set_namespace_workloads(const manifest_set *s, const char *ns) {
    const obj_list *l = s->index ? index_get(&s->index->workloads, ns, strlen(ns)) : NULL;
    return l ? l->n : 0;
}

const object *const *set_namespace(const manifest_set *s, const char *ns,
                                   size_t *n) {
    const obj_list *l = s->index ? index_get(&s->index->by_ns, ns, strlen(ns)) : NULL;
    *n = l ? l->n : 0;
    return l ? l->items : NULL;
}

/* Workloads whose pod labels could satisfy matchLabels: the shortest
 * posting list among its pairs.  NULL means "scan the namespace". */
static const obj_list *candidates(const struct set_index *ix, const char *ns,
                                  const node *match_labels, bool *none) {
    const obj_list *best = NULL;
    *none = false;
    if (!node_is_map(match_labels)) return NULL;
    for (size_t i = 0; i < match_labels->len; i++) {
        const char *k = node_text(match_labels->u.pairs[i].key);
        const char *val = node_text(match_labels->u.pairs[i].value);
        char key[1024];
        size_t kl = k && val ? index_key(key, sizeof key, ns, k, val) : 0;
        if (!kl) continue;
        const obj_list *l = index_get(&ix->by_label, key, kl);
        if (!l) {
            *none = true;
            return NULL;
        }
        if (!best || l->n < best->n) best = l;
    }
    return best;
}

static bool oom(manifest_set *s) {
    s->out->input_errors++;
    report_add(s->out, "input-limit", SEV_ERROR, NULL, 0, 0, NULL,
               "out of memory while indexing the manifest set");
    return false;
}

static void index_services(manifest_set *s, object *svc) {
    struct set_index *ix = s->index;
    const node *sel = map_get_path(svc->root, "spec.selector");
    if (!node_is_map(sel) || sel->len == 0) return;
    bool none;
    const obj_list *cand = candidates(ix, svc->ns, sel, &none);
    if (none || !cand) return;
    for (size_t i = 0; i < cand->n; i++) {
        object *w = (object *)cand->items[i];
        if (!labels_match_map(sel, w->pod_labels)) continue;
        w->service_selected = true;
        if (!push_ref(s->arena, &w->services, &w->nservices, svc) ||
            !push_ref(s->arena, &svc->selected, &svc->nselected, w)) {
            oom(s);
            return;
        }
    }
}

/* policy/v1: an empty selector selects every pod of the namespace;
 * policy/v1beta1: an empty selector selects none.  A missing one, none. */
static void index_pdb(manifest_set *s, object *pdb) {
    struct set_index *ix = s->index;
    const node *sel = map_get_path(pdb->root, "spec.selector");
    if (!node_is_map(sel)) return;
    bool v1 = strcmp(pdb->api_version, "policy/v1") == 0;
    bool none = false;
    const obj_list *cand = NULL;
    if (!selector_is_empty(sel))
        cand = candidates(ix, pdb->ns, map_get(sel, "matchLabels"), &none);
    else if (!v1)
        return;
    if (none) return;
    if (!cand) cand = index_get(&ix->workloads, pdb->ns, strlen(pdb->ns));
    for (size_t i = 0; cand && i < cand->n; i++) {
        object *w = (object *)cand->items[i];
        if (!w->pod_labels && !selector_is_empty(sel)) continue;
        if (!selector_matches(sel, w->pod_labels, v1)) continue;
        if (!push_ref(s->arena, &w->pdbs, &w->npdbs, pdb) ||
            !push_ref(s->arena, &pdb->selected, &pdb->nselected, w)) {
            oom(s);
            return;
        }
    }
}

static void index_hpa(manifest_set *s, object *hpa) {
    const node *ref = map_get_path(hpa->root, "spec.scaleTargetRef");
    const char *kind = node_text(map_get(ref, "kind"));
    const char *name = node_text(map_get(ref, "name"));
    char key[1024];
    size_t kl = kind && name ? index_key(key, sizeof key, hpa->ns, kind, name) : 0;
    const obj_list *l = kl ? index_get(&s->index->by_name, key, kl) : NULL;
    for (size_t i = 0; l && i < l->n; i++) {
        object *w = (object *)l->items[i];
        if (!w->wk || w->hpa) continue;
        int64_t min = 1;
        const node *mn = map_get_path(hpa->root, "spec.minReplicas");
        if (mn && (!node_int(mn, &min) || min < 0)) min = 1;
        w->hpa = hpa;
        w->effective_replicas = min;
        hpa->hpa_target = w;
        break;
    }
}

void set_index_build(manifest_set *s) {
    s->index = calloc(1, sizeof *s->index);
    if (!s->index) {
        oom(s);
        return;
    }
    struct set_index *ix = s->index;
    char key[1024];
    for (size_t i = 0; i < s->n; i++) {
        object *o = s->objects[i];
        size_t kl;
        bool ok = index_add(&ix->by_ns, s->arena, o->ns, strlen(o->ns), o);
        kl = index_key(key, sizeof key, o->ns, o->kind, o->name);
        const obj_list *same = kl ? index_get(&ix->by_name, key, kl) : NULL;
        if (same && same->n && strcmp(o->name, "<unnamed>") != 0) {
            const object *first = same->items[0];
            finding *f = report_add(
                s->out, "duplicate-object", SEV_WARNING, o->file, o->root->line,
                o->root->col, "lint one rendering per run, or remove the copy",
                "%s %s/%s is defined again (first at %s:%u); only one copy is "
                "applied", o->kind, o->ns, o->name, first->file, first->root->line);
            if (f) finding_set_object(f, o);
        }
        if (kl) ok = ok && index_add(&ix->by_name, s->arena, key, kl, o);
        if (o->wk) {
            ok = ok && index_add(&ix->workloads, s->arena, o->ns, strlen(o->ns), o);
            const node *l = o->pod_labels;
            for (size_t j = 0; l && j < l->len; j++) {
                const char *k = node_text(l->u.pairs[j].key);
                const char *val = node_text(l->u.pairs[j].value);
                kl = k && val ? index_key(key, sizeof key, o->ns, k, val) : 0;
                if (kl) ok = ok && index_add(&ix->by_label, s->arena, key, kl, o);
            }
        }
        if (!ok) {
            oom(s);
            return;
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        object *o = s->objects[i];
        if (object_is(o, "HorizontalPodAutoscaler")) index_hpa(s, o);
    }
    for (size_t i = 0; i < s->n; i++) {
        object *o = s->objects[i];
        if (object_is(o, "Service") && strcmp(o->api_version, "v1") == 0)
            index_services(s, o);
        else if (object_is(o, "PodDisruptionBudget") &&
                 strncmp(o->api_version, "policy/", 7) == 0)
            index_pdb(s, o);
    }
}

void set_free(manifest_set *s) {
    if (!s) return;
    if (s->index) {
        index_free(&s->index->by_ns);
        index_free(&s->index->by_label);
        index_free(&s->index->by_name);
        index_free(&s->index->workloads);
        free(s->index);
    }
    free(s->objects);
    arena_free(s->arena);
    free(s);
}
