/* doc.c: arena allocator and read-only helpers over the document tree. */
#include "doc.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Chunks grow geometrically so that a large input costs few mallocs while a
 * tiny one (the pre-commit case) touches a single 16 KiB block. */
typedef struct chunk {
    struct chunk *next;
    size_t cap, used;
    max_align_t data[];
} chunk;

struct arena {
    chunk *head;
    chunk *spare; /* given back by arena_rewind, reused before malloc */
    size_t total;
};

arena *arena_new(void) { return calloc(1, sizeof(arena)); }

void arena_free(arena *a) {
    if (!a) return;
    chunk *lists[2] = {a->head, a->spare};
    for (int i = 0; i < 2; i++)
        for (chunk *c = lists[i], *next; c; c = next) {
            next = c->next;
            free(c);
        }
    free(a);
}

size_t arena_bytes(const arena *a) { return a ? a->total : 0; }

arena_mark arena_mark_now(const arena *a) {
    return (arena_mark){a->head, a->head ? a->head->used : 0};
}

/* Chunks opened since the mark go to the spare list in the order they
 * were opened, so that they are reused in that order too. */
void arena_rewind(arena *a, arena_mark m) {
    while (a->head && a->head != m.chunk) {
        chunk *c = a->head;
        a->head = c->next;
        a->total -= c->cap;
        c->next = a->spare;
        a->spare = c;
    }
    if (a->head) a->head->used = m.used;
}

unsigned hash_bytes(const char *s, size_t n) {
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

void *arena_alloc(arena *a, size_t n) {
    const size_t align = sizeof(max_align_t);
    /* Rounding up (and the chunk header) would wrap a size this large
     * around to a tiny block that the caller then overruns. */
    if (n > SIZE_MAX - sizeof(chunk) - align) return NULL;
    n = (n + align - 1) & ~(align - 1);
    if (n == 0) n = align;
    chunk *c = a->head;
    if (!c || c->cap - c->used < n) {
        if (a->spare && a->spare->cap >= n) {
            c = a->spare;
            a->spare = c->next;
        } else {
            size_t cap = c ? c->cap * 2 : 16384;
            if (cap > (size_t)8 << 20) cap = (size_t)8 << 20;
            if (cap < n) cap = n;
            c = malloc(sizeof(chunk) + cap);
            if (!c) return NULL;
            c->cap = cap;
        }
        c->used = 0;
        c->next = a->head;
        a->head = c;
        a->total += c->cap;
    }
    void *p = (char *)c->data + c->used;
    c->used += n;
    return p;
}

char *arena_strndup(arena *a, const char *s, size_t n) {
    if (n == SIZE_MAX) return NULL; /* n + 1 would wrap to 0 */
    char *p = arena_alloc(a, n + 1);
    if (!p) return NULL;
    if (n) memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

char *arena_strdup(arena *a, const char *s) {
    return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena *a, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) return NULL;
    char *p = arena_alloc(a, (size_t)n + 1);
    if (!p) return NULL;
    va_start(ap, fmt);
    vsnprintf(p, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return p;
}

bool node_is_map(const node *n) { return n && n->kind == NODE_MAP; }
bool node_is_seq(const node *n) { return n && n->kind == NODE_SEQ; }
bool node_is_str(const node *n) {
    return n && n->kind == NODE_SCALAR && n->type == SC_STR;
}

const char *node_text(const node *n) {
    return n && n->kind == NODE_SCALAR ? n->u.str : NULL;
}

const node *map_get(const node *map, const char *key) {
    if (!node_is_map(map)) return NULL;
    size_t klen = strlen(key);
    for (size_t i = 0; i < map->len; i++) {
        const node *k = map->u.pairs[i].key;
        if (k->kind == NODE_SCALAR && k->len == klen &&
            memcmp(k->u.str, key, klen) == 0)
            return map->u.pairs[i].value;
    }
    return NULL;
}

const node *map_get_path(const node *map, const char *path) {
    char key[128];
    const node *n = map;
    while (n && *path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        if (len >= sizeof key) return NULL;
        memcpy(key, path, len);
        key[len] = '\0';
        n = map_get(n, key);
        path += len + (dot != NULL);
    }
    return n;
}

const node *seq_at(const node *seq, size_t i) {
    return node_is_seq(seq) && i < seq->len ? seq->u.items[i] : NULL;
}

static bool parse_int_text(const char *s, int64_t *out) {
    char buf[80];
    size_t j = 0;
    /* YAML allows digit separators; strtoll does not. */
    for (const char *p = s; *p; p++) {
        if (*p == '_') continue;
        if (j + 1 >= sizeof buf) return false;
        buf[j++] = *p;
    }
    buf[j] = '\0';
    const char *digits = buf;
    int base = 10;
    bool neg = false;
    if (*digits == '+' || *digits == '-') neg = *digits++ == '-';
    if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X'))
        base = 16, digits += 2;
    else if (digits[0] == '0' && digits[1] == 'o')
        base = 8, digits += 2;
    if (!*digits) return false;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(digits, &end, base);
    if (*end || errno == ERANGE) return false;
    if (!neg && v > (unsigned long long)INT64_MAX) return false;
    if (neg && v > (unsigned long long)INT64_MAX + 1) return false;
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return true;
}

bool node_int(const node *n, int64_t *out) {
    if (!n || n->kind != NODE_SCALAR || n->type != SC_INT) return false;
    return parse_int_text(n->u.str, out);
}

bool node_bool(const node *n, bool *out) {
    if (!n || n->kind != NODE_SCALAR || n->type != SC_BOOL) return false;
    char c = n->u.str[0];
    *out = c == 't' || c == 'T' || c == 'y' || c == 'Y' ||
           (n->u.str[1] == 'n' || n->u.str[1] == 'N');
    return true;
}

bool node_equal(const node *a, const node *b) {
    if (a == b) return true;
    if (!a || !b || a->kind != b->kind || a->len != b->len) return false;
    switch (a->kind) {
    case NODE_SCALAR:
        if (a->type != b->type) return false;
        return memcmp(a->u.str, b->u.str, a->len) == 0;
    case NODE_SEQ:
        for (size_t i = 0; i < a->len; i++)
            if (!node_equal(a->u.items[i], b->u.items[i])) return false;
        return true;
    case NODE_MAP:
        /* Key order does not matter in a mapping. */
        for (size_t i = 0; i < a->len; i++) {
            const node *k = a->u.pairs[i].key;
            if (k->kind != NODE_SCALAR) return false;
            if (!node_equal(a->u.pairs[i].value, map_get(b, k->u.str)))
                return false;
        }
        return true;
    }
    return false;
}

const char *node_kind_name(const node *n) {
    if (!n) return "nothing";
    switch (n->kind) {
    case NODE_MAP: return "a mapping";
    case NODE_SEQ: return "a list";
    case NODE_SCALAR: break;
    }
    switch (n->type) {
    case SC_NULL: return "null";
    case SC_BOOL: return "a boolean";
    case SC_INT: return "an integer";
    case SC_FLOAT: return "a number";
    case SC_STR: break;
    }
    return "a string";
}

typedef struct word { const char *s; size_t len; } word;
#define WORD(s) {s, sizeof s - 1}

static bool match_word(const char *s, size_t len, const word *words, size_t n) {
    for (size_t i = 0; i < n; i++)
        if (words[i].len == len && (len == 0 || words[i].s[0] == s[0]) &&
            memcmp(s, words[i].s, len) == 0)
            return true;
    return false;
}

/* Kubernetes decodes YAML with go-yaml v2 rules, so the YAML 1.1 booleans
 * (yes/no/on/off) are booleans there too; we follow it so that
 * `enabled: on` is seen as the API server sees it. */
scalar_type scalar_resolve(const char *s, size_t len) {
    static const word nulls[] = {WORD(""), WORD("~"), WORD("null"), WORD("Null"),
                                 WORD("NULL")};
    static const word bools[] = {
        WORD("true"), WORD("True"), WORD("TRUE"), WORD("false"), WORD("False"),
        WORD("FALSE"), WORD("yes"), WORD("Yes"), WORD("YES"), WORD("no"),
        WORD("No"), WORD("NO"), WORD("on"), WORD("On"), WORD("ON"),
        WORD("off"), WORD("Off"), WORD("OFF"), WORD("y"), WORD("Y"),
        WORD("n"), WORD("N")};
    /* [-+]?(\.inf|\.Inf|\.INF) and \.nan|\.NaN|\.NAN: every spelling with
     * every sign, or `+.Inf` would be a string. */
    static const word floats[] = {
        WORD(".inf"), WORD(".Inf"), WORD(".INF"), WORD("-.inf"), WORD("-.Inf"),
        WORD("-.INF"), WORD("+.inf"), WORD("+.Inf"), WORD("+.INF"), WORD(".nan"),
        WORD(".NaN"), WORD(".NAN")};
    /* No word is longer than 5 bytes, and each starts with one of these:
     * most scalars (names, images, ports) skip the tables altogether. */
    if (len == 0 || (len <= 5 && memchr("~nNtTfFyYoO.+-", s[0], 14))) {
        if (match_word(s, len, nulls, sizeof nulls / sizeof *nulls)) return SC_NULL;
        if (match_word(s, len, bools, sizeof bools / sizeof *bools)) return SC_BOOL;
        if (match_word(s, len, floats, sizeof floats / sizeof *floats)) return SC_FLOAT;
    }
    size_t i = 0;
    if (i < len && (s[i] == '+' || s[i] == '-')) i++;
    if (i == len) return SC_STR;
    if (len - i > 2 && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X' ||
                                       s[i + 1] == 'o')) {
        bool hex = s[i + 1] != 'o', any = false;
        for (i += 2; i < len; i++) {
            char c = s[i];
            bool ok = hex ? ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                             (c >= 'A' && c <= 'F'))
                          : (c >= '0' && c <= '7');
            if (!ok && c != '_') return SC_STR;
            any |= ok;
        }
        /* Underscores alone ("0x_") leave no digits once go-yaml strips
         * them: a string, and node_int could not read it anyway. */
        return any ? SC_INT : SC_STR;
    }
    bool digits = false, dot = false, exp = false;
    for (; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') digits = true;
        else if (c == '_' && digits && !dot && !exp) continue;
        else if (c == '.' && !dot && !exp) dot = true;
        else if ((c == 'e' || c == 'E') && digits && !exp) {
            exp = true;
            digits = false;
            if (i + 1 < len && (s[i + 1] == '+' || s[i + 1] == '-')) i++;
        } else
            return SC_STR;
    }
    if (!digits) return SC_STR;
    return dot || exp ? SC_FLOAT : SC_INT;
}
