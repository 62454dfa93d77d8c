/* load.c: libyaml events to document trees.
 *
 * We build from the event stream rather than libyaml's document API so that
 * every limit is enforced before memory is spent: nesting depth, the size a
 * document would have if every alias were expanded (billion laughs), scalar
 * size and document count.  Aliases share the anchored node instead of
 * copying it, so a tree is a DAG whose expanded size we track as a weight.
 *
 * libyaml marks count characters, not bytes (mark.index too), so positions
 * are never used to index the buffer; where we need a byte offset (resuming
 * after a nesting limit, locating a reader error) we count lines ourselves. */
#include "load.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

const load_limits load_default_limits = {
    .max_depth = 512,
    .max_nodes = 2000000,
    .max_scalar = 16u << 20,
    .max_documents = 100000,
};

typedef struct frame {
    node *n;
    node **kids;   /* seq items, or key/value pairs flattened */
    size_t nkids, cap;
    size_t weight;
    bool flow;     /* a flow collection ({...} or [...]) */
    char *anchor;  /* libyaml-owned copy, freed when the frame closes */
    uint32_t merges; /* pairs whose key is a plain `<<` */
    bool *is_merge;  /* per pair, sized like kids/2 */
    size_t merge_cap;
} frame;

typedef struct anchor_entry {
    struct anchor_entry *next;
    const char *name;
    node *n;
    size_t weight;
} anchor_entry;

#define ANCHOR_BUCKETS 1024

typedef struct loader {
    const char *file;
    const char *buf;
    size_t len;
    const load_limits *lim;
    arena *a;
    report *out;
    loaded *res;
    frame *stack;
    size_t depth, stack_cap;
    anchor_entry *anchors[ANCHOR_BUCKETS];
    arena *anchor_arena; /* per document */
    arena_mark doc_start; /* L->a where the current document began */
    arena *slim_arena;    /* scratch for res->slim */
    size_t *key_slots;    /* finish_map's keyset, reused */
    size_t key_slots_cap;
    node *root;
    size_t root_weight;
    size_t line_base;    /* lines of buf before the current parser's input */
    size_t merge_copies; /* pairs copied by merge keys in this input */
    bool skip_doc;  /* a limit was hit: consume events until DOCUMENT-END */
    bool resync;    /* stop feeding libyaml; resume at the next `---` line */
    bool stop;      /* a per-input limit was hit: read no further */
    bool template;  /* an unrendered Helm template was seen */
    bool oom;
} loader;

static size_t sat_add(size_t a, size_t b) { return a + b < a ? SIZE_MAX : a + b; }

static uint32_t pos(size_t v) { return v >= UINT32_MAX ? UINT32_MAX : (uint32_t)v + 1; }

static void diag(loader *L, const char *rule_id, severity sev, yaml_mark_t m,
                 const char *hint, const char *msg) {
    report_add(L->out, rule_id, sev, L->file, pos(m.line), pos(m.column), hint,
               "%s", msg);
}

static void fail_oom(loader *L, yaml_mark_t m) {
    if (!L->oom)
        diag(L, "input-limit", SEV_ERROR, m, "free memory or split the input",
             "out of memory while loading this input");
    L->oom = true;
    L->res->failed = true;
}

static void reset_anchors(loader *L) {
    /* Every anchor lives in anchor_arena: none means no bucket to clear. */
    if (L->anchor_arena) memset(L->anchors, 0, sizeof L->anchors);
    arena_free(L->anchor_arena);
    L->anchor_arena = NULL;
}

/* Closes every open frame; their partial trees are abandoned. */
static void close_frames(loader *L) {
    while (L->depth) {
        frame *f = &L->stack[--L->depth];
        free(f->anchor);
        f->anchor = NULL;
    }
}

static void limit_hit(loader *L, yaml_mark_t m, const char *msg) {
    diag(L, "input-limit", SEV_ERROR, m,
         "this looks like hostile or generated input; split or simplify it",
         msg);
    L->res->failed = true;
    L->skip_doc = true;
    close_frames(L);
}

static bool frame_push_kid(frame *f, node *kid, bool merge) {
    if (f->nkids == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        node **k = realloc(f->kids, cap * sizeof *k);
        if (!k) return false;
        f->kids = k;
        f->cap = cap;
    }
    if (f->n->kind == NODE_MAP && (f->nkids % 2) == 0) {
        size_t pair = f->nkids / 2;
        if (pair >= f->merge_cap) {
            size_t cap = f->merge_cap ? f->merge_cap * 2 : 16;
            bool *m = realloc(f->is_merge, cap * sizeof *m);
            if (!m) return false;
            f->is_merge = m;
            f->merge_cap = cap;
        }
        f->is_merge[pair] = merge;
        f->merges += merge;
    }
    f->kids[f->nkids++] = kid;
    return true;
}

/* Attaches a finished node to its parent (or makes it the document root). */
static void attach(loader *L, node *n, size_t weight, yaml_mark_t m,
                   bool merge_key) {
    if (L->depth == 0) {
        L->root = n;
        L->root_weight = weight;
        return;
    }
    frame *f = &L->stack[L->depth - 1];
    f->weight = sat_add(f->weight, weight);
    if (f->weight > L->lim->max_nodes) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "document expands to more than %zu nodes (alias expansion "
                 "limit)", L->lim->max_nodes);
        limit_hit(L, m, msg);
        return;
    }
    if (!frame_push_kid(f, n, merge_key)) fail_oom(L, m);
}

static void register_anchor(loader *L, const char *name, node *n,
                            size_t weight, yaml_mark_t m) {
    if (!L->anchor_arena && !(L->anchor_arena = arena_new())) {
        fail_oom(L, m);
        return;
    }
    anchor_entry *e = arena_alloc(L->anchor_arena, sizeof *e);
    char *copy = arena_strdup(L->anchor_arena, name);
    if (!e || !copy) {
        fail_oom(L, m);
        return;
    }
    unsigned b = hash_bytes(name, strlen(name)) % ANCHOR_BUCKETS;
    e->name = copy;
    e->n = n;
    e->weight = weight;
    e->next = L->anchors[b]; /* a redefined anchor shadows the old one */
    L->anchors[b] = e;
}

static anchor_entry *find_anchor(loader *L, const char *name) {
    for (anchor_entry *e = L->anchors[hash_bytes(name, strlen(name)) % ANCHOR_BUCKETS]; e;
         e = e->next)
        if (strcmp(e->name, name) == 0) return e;
    return NULL;
}

/* A plain scalar is a template placeholder when it holds a `{{ ... }}`
 * action and no blank outside its actions: `repo/app:{{ .Values.tag }}`,
 * `web-{{ .Release.Name }}`.  Prose with actions in it is data that a
 * rendered manifest legitimately carries: Prometheus and Alertmanager
 * annotations (`description: Pod {{ $labels.pod }} is down`) are written
 * plain, and Helm renders them from `{{ "{{" }}` escapes. */
static bool is_template_scalar(const char *s, size_t len) {
    bool action = false;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '{' && i + 1 < len && s[i + 1] == '{') {
            size_t j = i + 2;
            while (j + 1 < len && !(s[j] == '}' && s[j + 1] == '}')) j++;
            if (j + 1 >= len) return false; /* never closed: not an action */
            action = true;
            i = j + 1;
        } else if (s[i] == ' ' || s[i] == '\t') {
            return false;
        }
    }
    return action;
}

static void template_found(loader *L, yaml_mark_t m) {
    if (L->template) return;
    L->template = true;
    diag(L, "template-not-rendered", SEV_ERROR, m,
         "render it first: helm template RELEASE CHART | hitless lint -",
         "this is an unrendered Helm template ({{ ... }}), not a manifest");
    L->res->failed = true;
    close_frames(L);
}

static node *new_node(loader *L, node_kind kind, yaml_mark_t m) {
    node *n = arena_alloc(L->a, sizeof *n);
    if (!n) return NULL;
    memset(n, 0, sizeof *n);
    n->kind = kind;
    n->line = pos(m.line);
    n->col = pos(m.column);
    return n;
}

static void on_scalar(loader *L, yaml_event_t *ev) {
    yaml_mark_t m = ev->start_mark;
    size_t len = ev->data.scalar.length;
    const char *val = (const char *)ev->data.scalar.value;
    if (len > L->lim->max_scalar) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "scalar of %zu bytes is over the %zu-byte limit", len,
                 L->lim->max_scalar);
        limit_hit(L, m, msg);
        return;
    }
    bool plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (plain && is_template_scalar(val, len)) {
        template_found(L, m);
        return;
    }
    node *n = new_node(L, NODE_SCALAR, m);
    char *s = n ? arena_strndup(L->a, val, len) : NULL;
    if (!s) {
        fail_oom(L, m);
        return;
    }
    n->u.str = s;
    n->len = len;
    /* An explicit tag such as !!str makes a plain scalar a string. */
    const char *tag = (const char *)ev->data.scalar.tag;
    if (!plain || (tag && strcmp(tag, "tag:yaml.org,2002:str") == 0))
        n->type = SC_STR;
    else
        n->type = scalar_resolve(val, len);
    bool merge = false;
    if (L->depth) {
        frame *f = &L->stack[L->depth - 1];
        merge = plain && f->n->kind == NODE_MAP && f->nkids % 2 == 0 &&
                len == 2 && val[0] == '<' && val[1] == '<';
    }
    if (ev->data.scalar.anchor)
        register_anchor(L, (const char *)ev->data.scalar.anchor, n, 1, m);
    attach(L, n, 1, m, merge);
}

static void on_alias(loader *L, yaml_event_t *ev) {
    const char *name = (const char *)ev->data.alias.anchor;
    anchor_entry *e = find_anchor(L, name);
    if (!e) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "alias *%.100s names no anchor defined before it", name);
        diag(L, "yaml-syntax", SEV_ERROR, ev->start_mark,
             "define the anchor (&name) before using it", msg);
        L->res->failed = true;
        L->skip_doc = true;
        close_frames(L);
        return;
    }
    attach(L, e->n, e->weight, ev->start_mark, false);
}

static void on_collection_start(loader *L, yaml_event_t *ev, node_kind kind) {
    yaml_mark_t m = ev->start_mark;
    if (L->depth >= L->lim->max_depth) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "nesting deeper than %zu levels; the rest of this document "
                 "is not read", L->lim->max_depth);
        limit_hit(L, m, msg);
        /* libyaml checks every open flow level on each token, so reading
         * on through 100 000 `[` costs minutes: stop it here. */
        L->resync = true;
        return;
    }
    bool flow = kind == NODE_MAP
                    ? ev->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                    : ev->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
    /* `{{` is a flow mapping opening right after another, as its first
     * key: no manifest writes that, every Helm action does.  Compared by
     * line and column because marks count characters, not bytes. */
    if (kind == NODE_MAP && flow && L->depth) {
        const frame *up = &L->stack[L->depth - 1];
        if (up->flow && up->n->kind == NODE_MAP && up->nkids == 0 &&
            up->n->line == pos(m.line) && up->n->col + 1 == pos(m.column)) {
            template_found(L, (yaml_mark_t){0, up->n->line - 1, up->n->col - 1});
            return;
        }
    }
    if (L->depth == L->stack_cap) {
        size_t cap = L->stack_cap ? L->stack_cap * 2 : 32;
        frame *s = realloc(L->stack, cap * sizeof *s);
        if (!s) {
            fail_oom(L, m);
            return;
        }
        memset(s + L->stack_cap, 0, (cap - L->stack_cap) * sizeof *s);
        L->stack = s;
        L->stack_cap = cap;
    }
    node *n = new_node(L, kind, m);
    if (!n) {
        fail_oom(L, m);
        return;
    }
    frame *f = &L->stack[L->depth];
    f->n = n;
    f->nkids = 0;
    f->weight = 1;
    f->flow = flow;
    f->merges = 0;
    const yaml_char_t *anchor = kind == NODE_MAP ? ev->data.mapping_start.anchor
                                                 : ev->data.sequence_start.anchor;
    f->anchor = NULL;
    if (anchor && !(f->anchor = strdup((const char *)anchor))) {
        fail_oom(L, m);
        return;
    }
    L->depth++;
}

/* Merge keys (`<<: *base` or `<<: [*a, *b]`): explicit keys win, then the
 * first merged mapping that has the key. */
static bool merge_source_ok(const node *v) {
    if (node_is_map(v)) return true;
    if (!node_is_seq(v)) return false;
    for (size_t i = 0; i < v->len; i++)
        if (!node_is_map(v->u.items[i])) return false;
    return true;
}

/* Keys seen in one mapping, by their index in the pairs being built, so that
 * a duplicate replaces its first occurrence's value in O(1): a mapping of
 * 100 000 keys written twice must not cost 10^10 steps. */
typedef struct keyset {
    size_t *slots; /* 0 = empty, else index + 1 */
    size_t cap;
} keyset;

static bool key_eq(const node *a, const node *b) {
    return a->kind == NODE_SCALAR && b->kind == NODE_SCALAR &&
           a->len == b->len && memcmp(a->u.str, b->u.str, a->len) == 0;
}

/* Returns the index + 1 of the equal key already in pairs, or records that
 * pairs[at] holds k and returns 0. */
static size_t keyset_put(keyset *ks, const node_pair *pairs, const node *k,
                         size_t at) {
    size_t i = hash_bytes(k->u.str, k->len) & (ks->cap - 1);
    while (ks->slots[i]) {
        if (key_eq(pairs[ks->slots[i] - 1].key, k)) return ks->slots[i];
        i = (i + 1) & (ks->cap - 1);
    }
    ks->slots[i] = at + 1;
    return 0;
}

/* Returns false when the document was abandoned (a limit or no memory). */
static bool finish_map(loader *L, frame *f, yaml_mark_t end) {
    node *n = f->n;
    size_t npairs = f->nkids / 2;
    size_t merged_max = 0;
    for (size_t i = 0; i < npairs; i++) {
        if (!f->is_merge[i]) continue;
        const node *v = f->kids[2 * i + 1];
        if (!merge_source_ok(v)) {
            diag(L, "invalid-value", SEV_ERROR,
                 (yaml_mark_t){0, f->kids[2 * i]->line - 1, f->kids[2 * i]->col - 1},
                 "use <<: *anchor or <<: [*a, *b] with mappings",
                 "merge key << takes a mapping or a list of mappings");
            continue;
        }
        if (node_is_map(v)) merged_max = sat_add(merged_max, v->len);
        else
            for (size_t j = 0; j < v->len; j++)
                merged_max = sat_add(merged_max, v->u.items[j]->len);
    }
    /* Unlike an alias, a merge copies the source's pairs into the new
     * mapping.  The alias weight bounds one document, but 4 000 small
     * documents each merging 1 000 copies of a 1 000-key anchor would
     * still allocate gigabytes: the copies are budgeted per input. */
    L->merge_copies = sat_add(L->merge_copies, merged_max);
    if (L->merge_copies > L->lim->max_nodes) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "merge keys (<<) copy more than %zu entries in this input; "
                 "the rest is not read", L->lim->max_nodes);
        limit_hit(L, (yaml_mark_t){0, n->line - 1, n->col - 1}, msg);
        L->stop = true; /* once, not again for every later document */
        return false;
    }
    size_t cap = npairs + merged_max;
    node_pair *pairs = arena_alloc(L->a, (cap ? cap : 1) * sizeof *pairs);
    /* The slots are the loader's, cleared for each mapping: most mappings
     * are small, and a calloc and free for each cost more than the lookups. */
    keyset ks = {L->key_slots, 16};
    while (ks.cap < cap * 2) ks.cap *= 2;
    if (ks.cap > L->key_slots_cap) {
        free(L->key_slots);
        L->key_slots_cap = 0;
        if ((ks.slots = L->key_slots = malloc(ks.cap * sizeof *ks.slots)))
            L->key_slots_cap = ks.cap;
    }
    if (!pairs || !ks.slots) {
        fail_oom(L, end);
        return false;
    }
    memset(ks.slots, 0, ks.cap * sizeof *ks.slots);
    size_t np = 0;
    for (size_t i = 0; i < npairs; i++) {
        if (f->is_merge[i]) continue;
        node *k = f->kids[2 * i], *v = f->kids[2 * i + 1];
        if (k->kind != NODE_SCALAR) {
            pairs[np++] = (node_pair){k, v};
            continue;
        }
        size_t dup = keyset_put(&ks, pairs, k, np);
        if (dup) {
            char msg[300];
            snprintf(msg, sizeof msg,
                     "duplicate key \"%.200s\" (first at line %u); the last "
                     "value wins, and kubectl rejects the object",
                     k->u.str, pairs[dup - 1].key->line);
            report_add(L->out, "duplicate-key", SEV_ERROR, L->file, k->line,
                       k->col, "keep one of the two keys", "%s", msg);
            pairs[dup - 1].value = v;
            continue;
        }
        pairs[np++] = (node_pair){k, v};
    }
    for (size_t i = 0; i < npairs && f->merges; i++) {
        if (!f->is_merge[i] || !merge_source_ok(f->kids[2 * i + 1])) continue;
        const node *v = f->kids[2 * i + 1];
        size_t nsrc = node_is_map(v) ? 1 : v->len;
        for (size_t s = 0; s < nsrc; s++) {
            const node *src = node_is_map(v) ? v : v->u.items[s];
            for (size_t j = 0; j < src->len; j++) {
                node_pair p = src->u.pairs[j];
                if (p.key->kind == NODE_SCALAR && keyset_put(&ks, pairs, p.key, np))
                    continue;
                pairs[np++] = p;
            }
        }
    }
    n->u.pairs = pairs;
    n->len = np;
    return true;
}

static void on_collection_end(loader *L, yaml_event_t *ev) {
    if (L->depth == 0) return;
    frame *f = &L->stack[L->depth - 1];
    node *n = f->n;
    if (n->kind == NODE_MAP) {
        if (!finish_map(L, f, ev->start_mark)) return;
    } else {
        node **items = arena_alloc(L->a, (f->nkids ? f->nkids : 1) * sizeof *items);
        if (!items) {
            fail_oom(L, ev->start_mark);
            return;
        }
        if (f->nkids) memcpy(items, f->kids, f->nkids * sizeof *items);
        n->u.items = items;
        n->len = f->nkids;
    }
    size_t weight = f->weight;
    char *anchor = f->anchor;
    f->anchor = NULL;
    L->depth--;
    if (anchor) {
        register_anchor(L, anchor, n, weight, ev->start_mark);
        free(anchor);
    }
    yaml_mark_t start = {0, n->line - 1, n->col - 1};
    attach(L, n, weight, start, false);
}

/* The slim copy of a document is built aside first, then again from that
 * copy where the full tree was, once the full tree is given back. */
static node *slim_doc(loader *L, node *root, yaml_mark_t m) {
    if (!L->slim_arena && !(L->slim_arena = arena_new())) return root;
    node *aside = L->res->slim(L->slim_arena, root);
    if (aside) {
        arena_rewind(L->a, L->doc_start);
        if (!(root = L->res->slim(L->a, aside))) fail_oom(L, m);
    }
    arena_rewind(L->slim_arena, (arena_mark){NULL, 0}); /* all of it */
    return root;
}

static void push_doc(loader *L, yaml_mark_t m) {
    if (!L->root) return;
    if (L->res->slim && !(L->root = slim_doc(L, L->root, m))) return;
    if (L->res->n == L->res->cap) {
        size_t cap = L->res->cap ? L->res->cap * 2 : 8;
        node **d = realloc(L->res->docs, cap * sizeof *d);
        if (!d) {
            fail_oom(L, m);
            return;
        }
        L->res->docs = d;
        L->res->cap = cap;
    }
    L->res->docs[L->res->n++] = L->root;
}

/* Offset just past the line break ending the line that holds byte i (or
 * len).  Breaks as libyaml counts them: LF, CRLF, a lone CR. */
static size_t next_line(const char *buf, size_t len, size_t i) {
    while (i < len && buf[i] != '\n' && buf[i] != '\r') i++;
    if (i + 1 < len && buf[i] == '\r' && buf[i + 1] == '\n') i++;
    return i < len ? i + 1 : len;
}

/* Offset of the line n lines after the line starting at byte i. */
static size_t skip_lines(const char *buf, size_t len, size_t i, size_t n) {
    while (n-- && i < len) i = next_line(buf, len, i);
    return i;
}

/* The mark of byte offset off: line, and column in characters as libyaml
 * counts them (a UTF-8 BOM at the start takes no column). */
static yaml_mark_t offset_mark(const char *buf, size_t len, size_t off) {
    yaml_mark_t m = {off, 0, 0};
    if (off > len) off = len;
    size_t i = len >= 3 && off >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (size_t nl; i < off && (nl = next_line(buf, len, i)) <= off; i = nl)
        m.line++;
    for (; i < off; i++)
        if (((unsigned char)buf[i] & 0xC0) != 0x80) m.column++;
    return m;
}

/* The first `{{` on line `line` of buf. */
static bool braces_on_line(const char *buf, size_t len, size_t line,
                           yaml_mark_t *m) {
    size_t i = skip_lines(buf, len, 0, line);
    size_t end = next_line(buf, len, i);
    for (; i + 1 < end; i++)
        if (buf[i] == '{' && buf[i + 1] == '{') {
            *m = offset_mark(buf, len, i);
            return true;
        }
    return false;
}

/* A `---` line: where a new document starts. */
static bool doc_start_line(const char *s, size_t n) {
    return n >= 3 && memcmp(s, "---", 3) == 0 &&
           (n == 3 || s[3] == ' ' || s[3] == '\t' || s[3] == '\n' || s[3] == '\r');
}

/* base and line_base place the failing parser's input in buf. */
static void parse_error(loader *L, const yaml_parser_t *p, size_t base,
                        size_t line_base) {
    char msg[400];
    yaml_mark_t m;
    if (p->error == YAML_MEMORY_ERROR) {
        fail_oom(L, (yaml_mark_t){0, line_base, 0});
        return;
    }
    if (p->error == YAML_READER_ERROR) {
        /* Bad UTF-8 and control characters: libyaml gives a byte offset
         * here and leaves problem_mark at 0:0. */
        size_t off = base + p->problem_offset;
        m = offset_mark(L->buf, L->len, off);
        if (p->problem_value >= 0)
            snprintf(msg, sizeof msg, "%s (0x%02X at byte %zu)",
                     p->problem ? p->problem : "unreadable character",
                     (unsigned)p->problem_value, off);
        else
            snprintf(msg, sizeof msg, "%s (at byte %zu)",
                     p->problem ? p->problem : "unreadable character", off);
        diag(L, "yaml-syntax", SEV_ERROR, m,
             "save the file as UTF-8 text; binary files are not manifests",
             msg);
        L->res->failed = true;
        return;
    }
    /* A Helm action explains the error when it sits where the failing
     * construct began (`{{- end }}` read as a key) or where it failed
     * (`{{- include ... }}` in a block).  Not a `{{` anywhere else: a quoted
     * alert template above an unrelated mistake is data, and the context
     * of a block mapping can be the first line of the document. */
    if ((p->context &&
         braces_on_line(L->buf, L->len, p->context_mark.line + line_base, &m)) ||
        braces_on_line(L->buf, L->len, p->problem_mark.line + line_base, &m)) {
        template_found(L, m);
        return;
    }
    m = p->problem_mark;
    /* A quoted scalar that never closes runs on to the end of the input:
     * the end is not where anything can be fixed, the opening quote is. */
    if (p->context && p->problem &&
        strcmp(p->problem, "found unexpected end of stream") == 0)
        m = p->context_mark;
    m.line += line_base;
    if (p->context)
        snprintf(msg, sizeof msg, "%s %s (line %zu)", p->context,
                 p->problem ? p->problem : "syntax error",
                 p->context_mark.line + line_base + 1);
    else
        snprintf(msg, sizeof msg, "%s", p->problem ? p->problem : "syntax error");
    diag(L, "yaml-syntax", SEV_ERROR, m,
         "fix the YAML at this position (tabs are not allowed for "
         "indentation; quotes and brackets must be closed)",
         msg);
    L->res->failed = true;
}

void load_yaml(const char *file, const char *buf, size_t len,
               const load_limits *lim, arena *a, report *out, loaded *res) {
    loader L = {.file = file, .buf = buf, .len = len, .lim = lim, .a = a,
                .out = out, .res = res};
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        fail_oom(&L, (yaml_mark_t){0, 0, 0});
        return;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    size_t base = 0; /* where in buf the current parser's input starts */
    size_t docs = 0, first_doc = res->n;
    bool have_parser = true;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            parse_error(&L, &parser, base, L.line_base);
            break;
        }
        ev.start_mark.line += L.line_base;
        ev.end_mark.line += L.line_base;
        size_t ev_line = ev.start_mark.line;
        yaml_event_type_t type = ev.type;
        if (type == YAML_DOCUMENT_START_EVENT) {
            L.root = NULL;
            L.skip_doc = false;
            L.doc_start = arena_mark_now(a);
            if (++docs > lim->max_documents) {
                char msg[120];
                snprintf(msg, sizeof msg,
                         "more than %zu documents in one input; the rest is "
                         "not read", lim->max_documents);
                limit_hit(&L, ev.start_mark, msg);
                yaml_event_delete(&ev);
                break;
            }
        } else if (type == YAML_DOCUMENT_END_EVENT) {
            if (!L.skip_doc && !L.template) push_doc(&L, ev.start_mark);
            else if (L.skip_doc) arena_rewind(a, L.doc_start); /* abandoned */
            reset_anchors(&L);
            L.root = NULL;
        } else if (!L.skip_doc && !L.template && !L.oom) {
            switch (type) {
            case YAML_SCALAR_EVENT: on_scalar(&L, &ev); break;
            case YAML_ALIAS_EVENT: on_alias(&L, &ev); break;
            case YAML_MAPPING_START_EVENT: on_collection_start(&L, &ev, NODE_MAP); break;
            case YAML_SEQUENCE_START_EVENT: on_collection_start(&L, &ev, NODE_SEQ); break;
            case YAML_MAPPING_END_EVENT:
            case YAML_SEQUENCE_END_EVENT: on_collection_end(&L, &ev); break;
            default: break;
            }
        }
        yaml_event_delete(&ev);
        if (type == YAML_STREAM_END_EVENT || L.oom || L.stop) break;
        if (L.resync) {
            /* Restart libyaml on the rest of buf at the next `---` line
             * after the one that hit the limit, so that later documents
             * are still linted; none: the input ends with this document. */
            L.resync = false;
            reset_anchors(&L);
            size_t line = ev_line + 1;
            size_t i = skip_lines(buf, len, base, line - L.line_base);
            while (i < len && !doc_start_line(buf + i, len - i)) {
                i = next_line(buf, len, i);
                line++;
            }
            if (i >= len) break;
            yaml_parser_delete(&parser);
            have_parser = yaml_parser_initialize(&parser);
            if (!have_parser) {
                fail_oom(&L, (yaml_mark_t){0, line, 0});
                break;
            }
            yaml_parser_set_input_string(&parser, (const unsigned char *)buf + i,
                                         len - i);
            base = i;
            L.line_base = line;
        }
    }
    /* A template's documents are not linted: they are not what gets applied. */
    if (L.template) res->n = first_doc;
    if (have_parser) yaml_parser_delete(&parser);
    for (size_t i = 0; i < L.stack_cap; i++) {
        free(L.stack[i].kids);
        free(L.stack[i].is_merge);
        free(L.stack[i].anchor);
    }
    free(L.stack);
    arena_free(L.anchor_arena);
    arena_free(L.slim_arena);
    free(L.key_slots);
}
