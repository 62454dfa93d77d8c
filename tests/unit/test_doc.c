/* test_doc.c: scalar typing, node accessors, node_equal, map_get_path and
 * the arena (rules/doc.c). */
#include <stdalign.h>
#include <stdint.h>

#include "util.h"

static scalar_type rs(const char *s) { return scalar_resolve(s, strlen(s)); }

/* A scalar node typed the way the loader types a plain scalar. */
static node plain(const char *s) {
    node n = {.kind = NODE_SCALAR, .type = rs(s), .len = strlen(s)};
    n.u.str = s;
    return n;
}

static void test_scalar_resolve(void) {
    /* Nulls. */
    CHECK_INT(rs(""), SC_NULL);
    CHECK_INT(rs("~"), SC_NULL);
    CHECK_INT(rs("null"), SC_NULL);
    CHECK_INT(rs("Null"), SC_NULL);
    CHECK_INT(rs("NULL"), SC_NULL);
    CHECK_INT(rs("nULL"), SC_STR);
    CHECK_INT(rs("nil"), SC_STR);

    /* Booleans: YAML 1.2 core plus the YAML 1.1 words go-yaml v2 accepts. */
    const char *bools[] = {"true", "True", "TRUE", "false", "False", "FALSE",
                           "yes",  "Yes",  "YES",  "no",    "No",    "NO",
                           "on",   "On",   "ON",   "off",   "Off",   "OFF",
                           "y",    "Y",    "n",    "N"};
    for (size_t i = 0; i < sizeof bools / sizeof *bools; i++) {
        if (rs(bools[i]) != SC_BOOL) printf("  not a bool: %s\n", bools[i]);
        CHECK_INT(rs(bools[i]), SC_BOOL);
    }
    CHECK_INT(rs("tRUE"), SC_STR);
    CHECK_INT(rs("yEs"), SC_STR);
    CHECK_INT(rs("oN"), SC_STR);
    CHECK_INT(rs("truex"), SC_STR);
    CHECK_INT(rs("yess"), SC_STR);
    /* The length guard must not hide a number longer than five bytes. */
    CHECK_INT(rs("123456"), SC_INT);

    /* Integers. */
    CHECK_INT(rs("0"), SC_INT);
    CHECK_INT(rs("42"), SC_INT);
    CHECK_INT(rs("-17"), SC_INT);
    CHECK_INT(rs("+5"), SC_INT);
    CHECK_INT(rs("0x1F"), SC_INT);
    CHECK_INT(rs("0xff"), SC_INT);
    CHECK_INT(rs("0o17"), SC_INT);
    CHECK_INT(rs("1_000_000"), SC_INT);
    CHECK_INT(rs("0x"), SC_STR);
    CHECK_INT(rs("0o"), SC_STR);
    CHECK_INT(rs("0o8"), SC_STR);
    CHECK_INT(rs("0xG1"), SC_STR);
    /* go-yaml strips '_' and then needs digits: "0x_" is a string. */
    CHECK_INT(rs("0x_"), SC_STR);
    CHECK_INT(rs("0o__"), SC_STR);
    CHECK_INT(rs("_1"), SC_STR);

    /* Floats. */
    CHECK_INT(rs("1.5"), SC_FLOAT);
    CHECK_INT(rs("-0.5"), SC_FLOAT);
    CHECK_INT(rs(".5"), SC_FLOAT);
    CHECK_INT(rs("5."), SC_FLOAT);
    CHECK_INT(rs("1e3"), SC_FLOAT);
    CHECK_INT(rs("1E-3"), SC_FLOAT);
    CHECK_INT(rs("6.02e+23"), SC_FLOAT);
    const char *specials[] = {".inf",  ".Inf",  ".INF",  "-.inf", "-.Inf",
                              "-.INF", "+.inf", "+.Inf", "+.INF", ".nan",
                              ".NaN",  ".NAN"};
    for (size_t i = 0; i < sizeof specials / sizeof *specials; i++) {
        if (rs(specials[i]) != SC_FLOAT)
            printf("  not a float: %s\n", specials[i]);
        CHECK_INT(rs(specials[i]), SC_FLOAT);
    }
    CHECK_INT(rs("inf"), SC_STR);
    CHECK_INT(rs(".infinity"), SC_STR);

    /* Strings that look a bit like numbers. */
    CHECK_INT(rs("1.2.3"), SC_STR);
    CHECK_INT(rs("-"), SC_STR);
    CHECK_INT(rs("+"), SC_STR);
    CHECK_INT(rs("."), SC_STR);
    CHECK_INT(rs("25%"), SC_STR);
    CHECK_INT(rs("1e"), SC_STR);
    CHECK_INT(rs("e5"), SC_STR);
    CHECK_INT(rs("1e5.0"), SC_STR);
    CHECK_INT(rs("8080:80"), SC_STR); /* no sexagesimal ints in go-yaml */
    CHECK_INT(rs("v1"), SC_STR);
    CHECK_INT(rs("1 2"), SC_STR);

    /* len, not the NUL, bounds the text. */
    CHECK_INT(scalar_resolve("12abc", 2), SC_INT);
    CHECK_INT(scalar_resolve("nullx", 4), SC_NULL);
}

static void test_node_int(void) {
    int64_t v = 0;
    node n;
    n = plain("42");
    CHECK(node_int(&n, &v) && v == 42);
    n = plain("-17");
    CHECK(node_int(&n, &v) && v == -17);
    n = plain("+5");
    CHECK(node_int(&n, &v) && v == 5);
    n = plain("0x1F");
    CHECK(node_int(&n, &v) && v == 31);
    n = plain("-0x10");
    CHECK(node_int(&n, &v) && v == -16);
    n = plain("0o17");
    CHECK(node_int(&n, &v) && v == 15);
    n = plain("1_000_000");
    CHECK(node_int(&n, &v) && v == 1000000);

    /* Edges of int64. */
    n = plain("9223372036854775807");
    CHECK(node_int(&n, &v) && v == INT64_MAX);
    n = plain("-9223372036854775808");
    CHECK(node_int(&n, &v) && v == INT64_MIN);
    n = plain("0x7fffffffffffffff");
    CHECK(node_int(&n, &v) && v == INT64_MAX);
    v = 7;
    n = plain("9223372036854775808");
    CHECK_INT(n.type, SC_INT);
    CHECK(!node_int(&n, &v));
    n = plain("-9223372036854775809");
    CHECK(!node_int(&n, &v));
    n = plain("0x8000000000000000");
    CHECK(!node_int(&n, &v));
    n = plain("18446744073709551615"); /* fits uint64, not int64 */
    CHECK(!node_int(&n, &v));
    n = plain("99999999999999999999");
    CHECK_INT(n.type, SC_INT);
    CHECK(!node_int(&n, &v));
    CHECK_INT(v, 7); /* untouched on failure */

    /* Not integers. */
    n = plain("1.5");
    CHECK(!node_int(&n, &v));
    n = plain("true");
    CHECK(!node_int(&n, &v));
    n = (node){.kind = NODE_SCALAR, .type = SC_STR, .len = 1};
    n.u.str = "5"; /* a quoted "5" */
    CHECK(!node_int(&n, &v));
    CHECK(!node_int(NULL, &v));
    node m = {.kind = NODE_MAP};
    CHECK(!node_int(&m, &v));
}

static void test_node_bool(void) {
    const char *yes[] = {"true", "True", "TRUE", "yes", "Yes", "YES",
                         "on",   "On",   "ON",   "y",   "Y"};
    const char *no[] = {"false", "False", "FALSE", "no", "No",  "NO",
                        "off",   "Off",   "OFF",   "n",  "N"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; i++) {
        node n = plain(yes[i]);
        bool b = false;
        bool ok = node_bool(&n, &b) && b;
        if (!ok) printf("  %s is not true\n", yes[i]);
        CHECK(ok);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; i++) {
        node n = plain(no[i]);
        bool b = true;
        bool ok = node_bool(&n, &b) && !b;
        if (!ok) printf("  %s is not false\n", no[i]);
        CHECK(ok);
    }
    bool b = true;
    node s = {.kind = NODE_SCALAR, .type = SC_STR, .len = 4};
    s.u.str = "true"; /* quoted */
    CHECK(!node_bool(&s, &b));
    node i = plain("1");
    CHECK(!node_bool(&i, &b));
    CHECK(!node_bool(NULL, &b));
    CHECK(b); /* untouched */
}

static void test_node_equal_and_paths(void) {
    arena *a = arena_new();
    const node *r = yaml1(a,
                          "x: {a: 1, b: [p, q], c: {d: e}}\n"
                          "y: {c: {d: e}, b: [p, q], a: 1}\n"
                          "z: {a: 1, b: [q, p], c: {d: e}}\n"
                          "s: {a: '1', b: [p, q], c: {d: e}}\n"
                          "t: {a: 1, b: [p, q]}\n"
                          "u: {a: 1, b: [p, q], k: {d: e}}\n"
                          "v: {a: 1, b: [p, q], c: {d: f}}\n"
                          "w: {a: 1, b: [p, q, r], c: {d: e}}\n"
                          "spec:\n"
                          "  template:\n"
                          "    spec:\n"
                          "      containers: [{name: c}]\n");
    CHECK(r != NULL);
    if (!r) {
        arena_free(a);
        return;
    }
    const node *x = map_get(r, "x");
    CHECK(node_equal(x, x));
    CHECK(node_equal(x, map_get(r, "y"))); /* key order is irrelevant */
    CHECK(node_equal(map_get(r, "y"), x));
    CHECK(!node_equal(x, map_get(r, "z"))); /* list order is not */
    CHECK(!node_equal(x, map_get(r, "s"))); /* 1 is not "1" */
    CHECK(!node_equal(x, map_get(r, "t")));
    CHECK(!node_equal(map_get(r, "t"), x));
    CHECK(!node_equal(x, map_get(r, "u")));
    CHECK(!node_equal(x, map_get(r, "v")));
    CHECK(!node_equal(x, map_get(r, "w")));
    CHECK(!node_equal(x, NULL));
    CHECK(node_equal(NULL, NULL));
    node s1 = plain("abc"), s2 = plain("abd"), s3 = plain("abc");
    CHECK(!node_equal(&s1, &s2));
    CHECK(node_equal(&s1, &s3));

    /* map_get_path. */
    const node *cs = map_get_path(r, "spec.template.spec.containers");
    CHECK(node_is_seq(cs));
    CHECK_STR(node_text(map_get(seq_at(cs, 0), "name")), "c");
    CHECK(seq_at(cs, 1) == NULL);
    CHECK(map_get_path(r, "spec.template.missing.containers") == NULL);
    CHECK(map_get_path(r, "spec.template.spec.containers.name") == NULL);
    CHECK(map_get_path(r, "x.a") == map_get(x, "a"));
    CHECK(map_get_path(r, "x.a.b") == NULL); /* through a scalar */
    CHECK(map_get_path(NULL, "a") == NULL);
    char longkey[300];
    memset(longkey, 'k', sizeof longkey - 1);
    longkey[sizeof longkey - 1] = '\0';
    CHECK(map_get_path(r, longkey) == NULL);
    CHECK(map_get(r, "nope") == NULL);
    CHECK(map_get(cs, "x") == NULL); /* not a map */

    CHECK_STR(node_kind_name(x), "a mapping");
    CHECK_STR(node_kind_name(cs), "a list");
    CHECK_STR(node_kind_name(map_get(x, "a")), "an integer");
    CHECK_STR(node_kind_name(NULL), "nothing");
    arena_free(a);
}

static void test_arena(void) {
    arena *a = arena_new();
    CHECK(a != NULL);
    if (!a) return;
    CHECK_INT(arena_bytes(a), 0);

    /* Many small allocations: aligned, distinct and not overlapping. */
    enum { N = 100000 };
    uint32_t **p = malloc(N * sizeof *p);
    bool aligned = true, ok = true;
    for (size_t i = 0; i < N; i++) {
        p[i] = arena_alloc(a, 1 + i % 40);
        if (!p[i]) {
            ok = false;
            break;
        }
        if ((uintptr_t)p[i] % alignof(max_align_t)) aligned = false;
        *p[i] = (uint32_t)i * 2654435761u;
    }
    for (size_t i = 0; ok && i < N; i++)
        if (*p[i] != (uint32_t)i * 2654435761u) ok = false;
    CHECK(ok);
    CHECK(aligned);
    free(p);
    size_t before = arena_bytes(a);
    CHECK(before >= (size_t)N * 16);

    /* Zero bytes still give a usable, distinct pointer. */
    void *z1 = arena_alloc(a, 0), *z2 = arena_alloc(a, 0);
    CHECK(z1 && z2 && z1 != z2);

    /* One allocation larger than any chunk. */
    size_t big = (size_t)20 << 20;
    unsigned char *b = arena_alloc(a, big);
    CHECK(b != NULL);
    if (b) {
        memset(b, 0xAB, big);
        CHECK(b[0] == 0xAB && b[big - 1] == 0xAB);
    }
    CHECK(arena_bytes(a) >= before + big);
    char *after = arena_strdup(a, "still works");
    CHECK_STR(after, "still works");
    if (b) CHECK(b[big - 1] == 0xAB);

    /* A size that cannot be rounded up must fail, not wrap to a tiny block. */
    CHECK(arena_alloc(a, SIZE_MAX) == NULL);
    CHECK(arena_alloc(a, SIZE_MAX - 8) == NULL);
    CHECK(arena_strndup(a, "x", SIZE_MAX) == NULL);

    /* strndup keeps embedded NULs and terminates. */
    char *d = arena_strndup(a, "ab\0cd", 5);
    CHECK(d && memcmp(d, "ab\0cd", 6) == 0);
    CHECK_STR(arena_strndup(a, "hello", 3), "hel");
    CHECK_STR(arena_strndup(a, NULL, 0), "");

    /* arena_printf, short and longer than a chunk. */
    CHECK_STR(arena_printf(a, "%s-%d-%05.1f", "web", 42, 3.14159),
              "web-42-003.1");
    CHECK_STR(arena_printf(a, "%s", ""), "");
    char *longs = arena_printf(a, "%*s|", 40000, "x");
    CHECK(longs && strlen(longs) == 40001 && longs[39999] == 'x' &&
          longs[40000] == '|');
    arena_free(a);
    arena_free(NULL); /* harmless */
    CHECK_INT(arena_bytes(NULL), 0);
}

/* arena_rewind gives back what came after the mark, and the memory is
 * used again: the next allocations land where the rewound ones were. */
static void test_arena_rewind(void) {
    arena *a = arena_new();
    CHECK(a != NULL);
    if (!a) return;
    char *keep = arena_strdup(a, "kept");
    arena_mark m = arena_mark_now(a);
    char *first = arena_alloc(a, 100);
    /* Past several chunks: 16 KiB, 32 KiB, 64 KiB ... */
    for (int i = 0; i < 200; i++) CHECK(arena_alloc(a, 1000) != NULL);
    size_t grown = arena_bytes(a);
    arena_rewind(a, m);
    CHECK(arena_bytes(a) < grown);
    CHECK_STR(keep, "kept");
    char *again = arena_alloc(a, 100);
    CHECK(again == first);
    /* The chunks given back are reused, not allocated anew. */
    for (int i = 0; i < 200; i++) CHECK(arena_alloc(a, 1000) != NULL);
    CHECK_INT(arena_bytes(a), grown);
    /* A mark taken on an empty arena gives everything back. */
    arena_rewind(a, (arena_mark){NULL, 0});
    CHECK_INT(arena_bytes(a), 0);
    CHECK_STR(arena_strdup(a, "fresh"), "fresh");
    arena_free(a);
}

void test_doc(void) {
    test_scalar_resolve();
    test_node_int();
    test_node_bool();
    test_node_equal_and_paths();
    test_arena();
    test_arena_rewind();
}
