/* test_load.c: YAML/JSON text to trees (lint/load.c): positions, documents,
 * anchors, merge keys, duplicate keys, typing, limits and diagnostics. */
#include <time.h>

#include "util.h"

/* One load into a fresh arena and report; free with done(). */
typedef struct run {
    arena *a;
    report *r;
    loaded res;
} run;

static run load(const char *text) {
    run x = {arena_new(), report_new(), {0}};
    if (x.a && x.r)
        load_yaml("in.yaml", text, strlen(text), &load_default_limits, x.a,
                  x.r, &x.res);
    return x;
}

static void done(run *x) {
    free(x->res.docs);
    report_free(x->r);
    arena_free(x->a);
}

static const node *doc(const run *x, size_t i) {
    return i < x->res.n ? x->res.docs[i] : NULL;
}

static void print_findings(const run *x) {
    for (size_t i = 0; i < x->r->n; i++)
        printf("  finding %s %u:%u %s\n", x->r->items[i].rule,
               x->r->items[i].line, x->r->items[i].col,
               x->r->items[i].message);
}

#define AT(n, l, c)                                                        \
    do {                                                                   \
        const node *at_ = (n);                                             \
        CHECK(at_ != NULL);                                                \
        if (at_) {                                                         \
            CHECK_INT(at_->line, l);                                       \
            CHECK_INT(at_->col, c);                                        \
        }                                                                  \
    } while (0)

static void test_positions(void) {
    run x = load("apiVersion: v1\n"
                 "kind: Pod\n"
                 "metadata:\n"
                 "  name: web\n"
                 "  labels:\n"
                 "    app: x\n"
                 "spec:\n"
                 "  containers:\n"
                 "  - name: c\n"
                 "    image: nginx\n");
    const node *d = doc(&x, 0);
    CHECK_INT(x.res.n, 1);
    CHECK_INT(x.r->n, 0);
    CHECK(!x.res.failed);
    AT(d, 1, 1);
    AT(map_get(d, "kind"), 2, 7);
    AT(map_get(d, "metadata"), 4, 3);
    AT(map_get_path(d, "metadata.name"), 4, 9);
    AT(map_get_path(d, "metadata.labels.app"), 6, 10);
    const node *cs = map_get_path(d, "spec.containers");
    AT(cs, 9, 3);
    AT(seq_at(cs, 0), 9, 5);
    AT(map_get(seq_at(cs, 0), "image"), 10, 12);
    /* Keys have positions too (duplicate-key and suppressions use them). */
    if (node_is_map(d)) AT(d->u.pairs[1].key, 2, 1);
    done(&x);

    x = load("{a: [1, 2], b: {c: d}}");
    d = doc(&x, 0);
    AT(d, 1, 1);
    AT(map_get(d, "a"), 1, 5);
    AT(seq_at(map_get(d, "a"), 1), 1, 9);
    AT(map_get(d, "b"), 1, 16);
    AT(map_get_path(d, "b.c"), 1, 20);
    done(&x);

    x = load("{\n"
             "  \"kind\": \"Pod\",\n"
             "  \"spec\": {\"x\": [true, null, 1.5, 7, \"7\"]}\n"
             "}\n");
    d = doc(&x, 0);
    CHECK_INT(x.res.n, 1);
    CHECK_INT(x.r->n, 0);
    AT(map_get(d, "kind"), 2, 11);
    CHECK(node_is_str(map_get(d, "kind")));
    const node *xs = map_get_path(d, "spec.x");
    AT(xs, 3, 17);
    AT(seq_at(xs, 2), 3, 30);
    CHECK_INT(xs ? xs->len : 0, 5);
    if (xs && xs->len == 5) {
        CHECK_INT(seq_at(xs, 0)->type, SC_BOOL);
        CHECK_INT(seq_at(xs, 1)->type, SC_NULL);
        CHECK_INT(seq_at(xs, 2)->type, SC_FLOAT);
        CHECK_INT(seq_at(xs, 3)->type, SC_INT);
        CHECK_INT(seq_at(xs, 4)->type, SC_STR);
    }
    done(&x);
}

static void test_documents(void) {
    run x = load("a: 1\n---\nb: 2\n---\nc: 3\n");
    CHECK_INT(x.res.n, 3);
    CHECK(map_get(doc(&x, 1), "b") != NULL);
    AT(doc(&x, 2), 5, 1);
    CHECK_INT(x.r->n, 0);
    done(&x);

    x = load("---\na: 1\n...\n---\nb: 2\n...\n");
    CHECK_INT(x.res.n, 2);
    done(&x);

    x = load("");
    CHECK_INT(x.res.n, 0);
    CHECK_INT(x.r->n, 0);
    CHECK(!x.res.failed);
    done(&x);

    x = load("# just a comment\n");
    CHECK_INT(x.res.n, 0);
    CHECK_INT(x.r->n, 0);
    done(&x);
}

static void test_anchors_and_merges(void) {
    run x = load("base: &b {x: 1, y: [p]}\n"
                 "use: *b\n"
                 "s: &s hello\n"
                 "t: *s\n");
    const node *d = doc(&x, 0);
    CHECK_INT(x.r->n, 0);
    CHECK(map_get(d, "base") != NULL);
    CHECK(map_get(d, "use") == map_get(d, "base")); /* shared, not copied */
    CHECK(map_get(d, "t") == map_get(d, "s"));
    CHECK_STR(node_text(map_get(d, "t")), "hello");
    done(&x);

    x = load("base: &base {a: 1, b: 2}\n"
             "other: &other {b: 20, c: 30}\n"
             "m1:\n"
             "  <<: *base\n"
             "  b: 5\n"
             "m2:\n"
             "  <<: [*base, *other]\n"
             "  d: 4\n"
             "m3: {b: 7, <<: *base}\n"
             "m4: {<<: [*other, *base]}\n"
             "m5:\n"
             "  \"<<\": 1\n");
    d = doc(&x, 0);
    CHECK_INT(x.r->n, 0);
    const node *m1 = map_get(d, "m1");
    CHECK_INT(m1 ? m1->len : 0, 2);
    CHECK(map_get(m1, "<<") == NULL);
    CHECK_STR(node_text(map_get(m1, "a")), "1");
    CHECK_STR(node_text(map_get(m1, "b")), "5"); /* explicit key wins */
    const node *m2 = map_get(d, "m2");
    CHECK_INT(m2 ? m2->len : 0, 4);
    CHECK_STR(node_text(map_get(m2, "a")), "1");
    CHECK_STR(node_text(map_get(m2, "b")), "2"); /* earlier map wins */
    CHECK_STR(node_text(map_get(m2, "c")), "30");
    CHECK_STR(node_text(map_get(m2, "d")), "4");
    const node *m3 = map_get(d, "m3");
    CHECK_INT(m3 ? m3->len : 0, 2);
    CHECK_STR(node_text(map_get(m3, "b")), "7"); /* also when it comes first */
    CHECK_STR(node_text(map_get(map_get(d, "m4"), "b")), "20");
    /* A quoted "<<" is an ordinary key. */
    CHECK_STR(node_text(map_get(map_get(d, "m5"), "<<")), "1");
    /* The anchored maps themselves are unchanged. */
    CHECK_INT(map_get(d, "base") ? map_get(d, "base")->len : 0, 2);
    done(&x);

    x = load("m:\n  <<: 5\n  a: 1\n");
    CHECK_INT(count_rule(x.r, "invalid-value"), 1);
    done(&x);
}

static void test_duplicates_and_types(void) {
    run x = load("a: 1\n"
                 "b: 2\n"
                 "a: 3\n");
    const node *d = doc(&x, 0);
    CHECK_INT(count_rule(x.r, "duplicate-key"), 1);
    CHECK_INT(x.r->n, 1);
    const finding *f = first_rule(x.r, "duplicate-key");
    if (f) {
        CHECK_INT(f->line, 3);
        CHECK_INT(f->col, 1);
        CHECK(strstr(f->message, "line 1") != NULL);
    }
    CHECK_INT(d ? d->len : 0, 2);
    CHECK_STR(node_text(map_get(d, "a")), "3"); /* the last value wins */
    CHECK_INT(x.res.n, 1); /* the document is still linted */
    done(&x);

    x = load("spec:\n  replicas: 1\n  x: {k: 1, k: 2, k: 3}\n");
    CHECK_INT(count_rule(x.r, "duplicate-key"), 2);
    CHECK_STR(node_text(map_get_path(doc(&x, 0), "spec.x.k")), "3");
    done(&x);

    x = load("q: \"5\"\n"
             "s: '5'\n"
             "p: 5\n"
             "t: !!str 5\n"
             "u: !!str true\n"
             "l: |\n"
             "  5\n"
             "n:\n"
             "b: yes\n"
             "f: 1.5\n"
             "pct: 25%\n"
             "tilde: ~\n");
    d = doc(&x, 0);
    CHECK_INT(x.r->n, 0);
    const struct {
        const char *key;
        scalar_type t;
    } want[] = {{"q", SC_STR},   {"s", SC_STR},   {"p", SC_INT},
                {"t", SC_STR},   {"u", SC_STR},   {"l", SC_STR},
                {"n", SC_NULL},  {"b", SC_BOOL},  {"f", SC_FLOAT},
                {"pct", SC_STR}, {"tilde", SC_NULL}};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const node *v = map_get(d, want[i].key);
        if (!v || v->type != want[i].t)
            printf("  key %s: type %d, want %d\n", want[i].key,
                   v ? (int)v->type : -1, (int)want[i].t);
        CHECK(v && v->kind == NODE_SCALAR && v->type == want[i].t);
    }
    CHECK_STR(node_text(map_get(d, "l")), "5\n");
    done(&x);
}

static void test_limits(void) {
    /* Deep nesting. */
    char *deep = malloc(1300);
    size_t n = 0;
    for (int i = 0; i < 600; i++) deep[n++] = '[';
    for (int i = 0; i < 600; i++) deep[n++] = ']';
    deep[n] = '\0';
    run x = load(deep);
    CHECK_INT(count_rule(x.r, "input-limit"), 1);
    CHECK(x.res.failed);
    CHECK_INT(x.res.n, 0);
    done(&x);
    /* ... but a deep yet legal document loads. */
    n = 0;
    for (int i = 0; i < 100; i++) deep[n++] = '[';
    for (int i = 0; i < 100; i++) deep[n++] = ']';
    deep[n] = '\0';
    x = load(deep);
    CHECK_INT(x.r->n, 0);
    CHECK_INT(x.res.n, 1);
    done(&x);
    free(deep);

    /* Billion laughs: 9 levels of 10 aliases. */
    char bomb[2048];
    n = (size_t)snprintf(bomb, sizeof bomb, "a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'i'; c++) {
        n += (size_t)snprintf(bomb + n, sizeof bomb - n, "%c: &%c [", c, c);
        for (int i = 0; i < 10; i++)
            n += (size_t)snprintf(bomb + n, sizeof bomb - n, "%s*%c",
                                  i ? ", " : "", c - 1);
        n += (size_t)snprintf(bomb + n, sizeof bomb - n, "]\n");
    }
    clock_t t0 = clock();
    x = load(bomb);
    double secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
    CHECK_INT(count_rule(x.r, "input-limit"), 1);
    CHECK(x.res.failed);
    CHECK_INT(x.res.n, 0);
    CHECK(secs < 1.0);
    CHECK(arena_bytes(x.a) < (size_t)16 << 20); /* nothing was expanded */
    done(&x);

    /* Undefined alias. */
    x = load("a: *nope\n");
    CHECK_INT(count_rule(x.r, "yaml-syntax"), 1);
    CHECK(x.res.failed);
    CHECK_INT(x.res.n, 0);
    {
        const finding *f = first_rule(x.r, "yaml-syntax");
        if (f) CHECK_INT(f->line, 1);
    }
    done(&x);
    /* An alias to its own (unfinished) anchor is undefined, not a cycle. */
    x = load("a: &a [*a]\n");
    CHECK_INT(count_rule(x.r, "yaml-syntax"), 1);
    done(&x);
    /* Anchors do not leak from one document into the next. */
    x = load("a: &a 1\n---\nb: *a\n");
    CHECK_INT(count_rule(x.r, "yaml-syntax"), 1);
    CHECK_INT(x.res.n, 1);
    done(&x);
}

static void test_syntax_and_templates(void) {
    run x = load("a: 1\n"
                 "b: c: d\n");
    CHECK_INT(count_rule(x.r, "yaml-syntax"), 1);
    CHECK_INT(x.r->n, 1);
    CHECK(x.res.failed);
    const finding *f = first_rule(x.r, "yaml-syntax");
    if (f) CHECK_INT(f->line, 2);
    done(&x);

    /* Documents before the error are kept. */
    x = load("a: 1\n---\nb: [1, 2\nc: 3\n");
    CHECK_INT(count_rule(x.r, "yaml-syntax"), 1);
    CHECK_INT(x.res.n, 1);
    CHECK(map_get(doc(&x, 0), "a") != NULL);
    f = first_rule(x.r, "yaml-syntax");
    if (f) {
        CHECK(f->line == 3 || f->line == 4);
        CHECK(strstr(f->message, "line 3") != NULL); /* where it started */
    }
    done(&x);

    /* Helm templates. */
    x = load("apiVersion: v1\n"
             "kind: ConfigMap\n"
             "metadata:\n"
             "  name: {{ .Release.Name }}\n");
    CHECK_INT(count_rule(x.r, "template-not-rendered"), 1);
    CHECK_INT(x.r->n, 1);
    CHECK_INT(x.res.n, 0);
    CHECK(x.res.failed);
    f = first_rule(x.r, "template-not-rendered");
    if (f) CHECK_INT(f->line, 4);
    done(&x);

    x = load("{{- if .Values.enabled }}\n"
             "apiVersion: v1\n"
             "kind: ConfigMap\n"
             "{{- end }}\n");
    CHECK_INT(count_rule(x.r, "template-not-rendered"), 1);
    CHECK_INT(count_rule(x.r, "yaml-syntax"), 0);
    CHECK_INT(x.res.n, 0);
    done(&x);

    x = load("image: repo/app:{{ .Values.tag }}\n");
    CHECK_INT(count_rule(x.r, "template-not-rendered"), 1);
    done(&x);

    /* A template in a later document drops the earlier ones too. */
    x = load("a: 1\n---\nname: {{ .Release.Name }}\n");
    CHECK_INT(count_rule(x.r, "template-not-rendered"), 1);
    CHECK_INT(x.res.n, 0);
    done(&x);

    /* Prometheus-style {{ }} inside quoted or block scalars is data. */
    x = load("annotations:\n"
             "  summary: \"{{ $labels.instance }} is down\"\n"
             "  single: '{{ $value }}'\n"
             "  description: |\n"
             "    Instance {{ $labels.instance }} has been down.\n"
             "  folded: >\n"
             "    {{ $labels.job }}\n");
    CHECK_INT(x.r->n, 0);
    CHECK_INT(x.res.n, 1);
    CHECK(!x.res.failed);
    CHECK_STR(node_text(map_get_path(doc(&x, 0), "annotations.summary")),
              "{{ $labels.instance }} is down");
    done(&x);

    /* ... and does not turn an unrelated syntax error into a template
     * diagnostic telling the user to run helm. */
    x = load("annotations:\n"
             "  summary: \"{{ $labels.instance }} is down\"\n"
             "bad: [1, 2\n");
    CHECK_INT(count_rule(x.r, "yaml-syntax"), 1);
    CHECK_INT(count_rule(x.r, "template-not-rendered"), 0);
    if (x.r->n != 1) print_findings(&x);
    done(&x);
}

/* Documents no rule reads in full keep apiVersion, kind and metadata, with
 * their positions; the rest of the tree is given back. */
static void test_slim_documents(void) {
    const char *text =
        "apiVersion: apiextensions.k8s.io/v1\n"           /* 1 */
        "kind: CustomResourceDefinition\n"
        "metadata:\n"
        "  name: widgets.example.com\n"
        "  annotations: {ignore.hitless.dev/pdb-missing: x}\n" /* 5 */
        "spec:\n"
        "  group: example.com\n"
        "  names: {kind: Widget, plural: widgets}\n"
        "---\n"
        "apiVersion: apps/v1\n"                           /* 10 */
        "kind: Deployment\n"
        "metadata: {name: web}\n"
        "spec: {replicas: 2}\n"
        "---\n"
        "apiVersion: v1\n"                                /* 15 */
        "kind: List\n"
        "items:\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}, data: {k: v}}\n"
        "- plain\n"
        "---\n"                                           /* 20 */
        "apiVersion: v1\n"
        "kind: List\n"
        "items:\n"
        "- {apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n"
        "- {apiVersion: v1, kind: Service, metadata: {name: s}, spec: {}}\n"
        "---\n"
        "- [a, b, c]\n"                                     /* 27 */
        "- {x: y}\n";
    run x = {arena_new(), report_new(), {.slim = set_slim_document}};
    if (!x.a || !x.r) return;
    load_yaml("in.yaml", text, strlen(text), &load_default_limits, x.a, x.r,
              &x.res);
    CHECK_INT(x.res.n, 5);
    CHECK_INT(x.r->n, 0);
    const node *crd = doc(&x, 0);
    CHECK_INT(crd ? crd->len : 0, 3); /* apiVersion, kind, metadata */
    CHECK(map_get(crd, "spec") == NULL);
    CHECK_STR(node_text(map_get(crd, "kind")), "CustomResourceDefinition");
    AT(map_get_path(crd, "metadata.name"), 4, 9);
    const node *ann = map_get_path(crd, "metadata.annotations");
    CHECK(node_is_map(ann) && ann->len == 1);
    AT(ann ? ann->u.pairs[0].key : NULL, 5, 17);
    CHECK_STR(node_text(map_get(ann, "ignore.hitless.dev/pdb-missing")), "x");
    /* A workload is kept whole. */
    const node *dep = doc(&x, 1);
    CHECK(map_get_path(dep, "spec.replicas") != NULL);
    AT(dep, 10, 1);
    /* A List of unchecked objects: each item slim, non-objects as they are. */
    const node *items = map_get(doc(&x, 2), "items");
    CHECK(node_is_seq(items) && items->len == 2);
    CHECK(map_get(seq_at(items, 0), "data") == NULL);
    CHECK_STR(node_text(map_get_path(seq_at(items, 0), "metadata.name")), "a");
    AT(seq_at(items, 0), 18, 3);
    CHECK_STR(node_text(seq_at(items, 1)), "plain");
    /* A List holding a Service is kept whole. */
    const node *svc = seq_at(map_get(doc(&x, 3), "items"), 1);
    CHECK(map_get(svc, "spec") != NULL);
    /* A document that is a list: its kind and place, not its items. */
    const node *seq = doc(&x, 4);
    CHECK(node_is_seq(seq) && seq->len == 0);
    AT(seq, 27, 1);
    done(&x);

    /* A metadata that aliases expand past the copy budget (16^4 leaves):
     * kept whole rather than copied out. */
    char big[4096];
    int n = snprintf(big, sizeof big,
                     "apiVersion: v1\nkind: ConfigMap\n"
                     "a: &a [x, x, x, x, x, x, x, x, x, x, x, x, x, x, x, x]\n"
                     "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                     "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
                     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                     "metadata: {name: m, labels: *d}\n");
    CHECK(n > 0 && (size_t)n < sizeof big);
    run y = {arena_new(), report_new(), {.slim = set_slim_document}};
    if (!y.a || !y.r) return;
    load_yaml("in.yaml", big, strlen(big), &load_default_limits, y.a, y.r, &y.res);
    CHECK_INT(y.res.n, 1);
    CHECK(map_get(doc(&y, 0), "c") != NULL);
    done(&y);
}

void test_load(void) {
    test_positions();
    test_documents();
    test_anchors_and_merges();
    test_duplicates_and_types();
    test_limits();
    test_syntax_and_templates();
    test_slim_documents();
}
