/* test_selector.c: label maps and metav1.LabelSelector (rules/helpers.c). */
#include "util.h"

static const char *const DOC =
    "labels: {app: web, tier: front, version: '2'}\n"
    "nolabels: {}\n"
    "s:\n"
    "  app: {app: web}\n"
    "  both: {app: web, tier: front}\n"
    "  other: {app: api}\n"
    "  extra: {app: web, env: prod}\n"
    "  typed: {version: 2}\n"
    "  empty: {}\n"
    "  str: app=web\n"
    "sel:\n"
    "  and_ok: {matchLabels: {app: web}, matchExpressions: "
    "[{key: tier, operator: In, values: [front, back]}]}\n"
    "  and_bad_labels: {matchLabels: {app: api}, matchExpressions: "
    "[{key: tier, operator: In, values: [front]}]}\n"
    "  and_bad_expr: {matchLabels: {app: web}, matchExpressions: "
    "[{key: tier, operator: In, values: [back]}]}\n"
    "  in_missing: {matchExpressions: [{key: zone, operator: In, values: [a]}]}\n"
    "  notin_missing: {matchExpressions: [{key: zone, operator: NotIn, values: [a]}]}\n"
    "  notin_hit: {matchExpressions: [{key: tier, operator: NotIn, values: [front]}]}\n"
    "  notin_miss: {matchExpressions: [{key: tier, operator: NotIn, values: [back]}]}\n"
    "  exists: {matchExpressions: [{key: tier, operator: Exists}]}\n"
    "  exists_missing: {matchExpressions: [{key: zone, operator: Exists}]}\n"
    "  dne: {matchExpressions: [{key: tier, operator: DoesNotExist}]}\n"
    "  dne_missing: {matchExpressions: [{key: zone, operator: DoesNotExist}]}\n"
    "  unknown_op: {matchExpressions: [{key: tier, operator: Equals, values: [front]}]}\n"
    "  lower_op: {matchExpressions: [{key: tier, operator: in, values: [front]}]}\n"
    "  no_key: {matchExpressions: [{operator: Exists}]}\n"
    "  two_exprs: {matchExpressions: [{key: tier, operator: Exists}, "
    "{key: app, operator: In, values: [api]}]}\n"
    "  empty: {}\n"
    "  empty_ml: {matchLabels: {}}\n"
    "  empty_me: {matchExpressions: []}\n"
    "  empty_both: {matchLabels: {}, matchExpressions: []}\n"
    "  null_ml: {matchLabels: null}\n"
    "  bare_ml:\n"
    "    matchLabels:\n"
    "  null_ml_expr: {matchLabels: ~, matchExpressions: [{key: tier, operator: Exists}]}\n"
    "  null_me_labels: {matchLabels: {app: web}, matchExpressions: null}\n"
    "  null_me_other: {matchLabels: {app: api}, matchExpressions: null}\n"
    "  typo: {matchLabel: {app: api}}\n"
    "  ml_only: {matchLabels: {app: web}}\n"
    "  str: app=web\n"
    "  seq: []\n";

void test_selector(void) {
    arena *a = arena_new();
    const node *r = yaml1(a, DOC);
    CHECK(r != NULL);
    if (!r) {
        arena_free(a);
        return;
    }
    const node *labels = map_get(r, "labels");
    const node *none = map_get(r, "nolabels");
#define S(name) map_get_path(r, "s." name)
#define SEL(name) map_get_path(r, "sel." name)
    CHECK(S("app") && SEL("and_ok") && SEL("seq")); /* the fixture loaded */

    /* Plain label maps (Service selectors). */
    CHECK(labels_match_map(S("app"), labels));
    CHECK(labels_match_map(S("both"), labels));
    CHECK(!labels_match_map(S("other"), labels));
    CHECK(!labels_match_map(S("extra"), labels));
    CHECK(!labels_match_map(S("app"), none));
    CHECK(!labels_match_map(S("app"), NULL));
    CHECK(!labels_match_map(NULL, labels));
    CHECK(!labels_match_map(S("str"), labels));
    /* Label values compare as text: version: 2 and version: '2' agree. */
    CHECK(labels_match_map(S("typed"), labels));
    /* An empty map is a subset of anything; callers that give empty Service
     * selectors "selects nothing" check for emptiness first. */
    CHECK(labels_match_map(S("empty"), labels));

    /* matchLabels AND matchExpressions. */
    CHECK(selector_matches(SEL("and_ok"), labels, false));
    CHECK(!selector_matches(SEL("and_bad_labels"), labels, true));
    CHECK(!selector_matches(SEL("and_bad_expr"), labels, true));
    CHECK(selector_matches(SEL("ml_only"), labels, false));
    CHECK(!selector_matches(SEL("ml_only"), none, true));
    CHECK(!selector_matches(SEL("ml_only"), NULL, true));
    CHECK(!selector_matches(SEL("in_missing"), labels, false));
    CHECK(selector_matches(SEL("notin_missing"), labels, false));
    CHECK(selector_matches(SEL("notin_missing"), none, false));
    CHECK(!selector_matches(SEL("notin_hit"), labels, false));
    CHECK(selector_matches(SEL("notin_miss"), labels, false));
    CHECK(selector_matches(SEL("exists"), labels, false));
    CHECK(!selector_matches(SEL("exists_missing"), labels, false));
    CHECK(!selector_matches(SEL("dne"), labels, false));
    CHECK(selector_matches(SEL("dne_missing"), labels, false));
    CHECK(!selector_matches(SEL("unknown_op"), labels, true));
    CHECK(!selector_matches(SEL("lower_op"), labels, true));
    CHECK(!selector_matches(SEL("no_key"), labels, true));
    CHECK(!selector_matches(SEL("two_exprs"), labels, true)); /* every term */

    /* Empty selectors: what they mean is the caller's choice. */
    const char *empties[] = {"empty", "empty_ml", "empty_me", "empty_both",
                             "null_ml", "bare_ml", "typo"};
    for (size_t i = 0; i < sizeof empties / sizeof *empties; i++) {
        char path[64];
        snprintf(path, sizeof path, "sel.%s", empties[i]);
        const node *e = map_get_path(r, path);
        bool ok = e && selector_is_empty(e) &&
                  selector_matches(e, labels, true) &&
                  selector_matches(e, none, true) &&
                  !selector_matches(e, labels, false);
        if (!ok) printf("  empty selector not treated as empty: %s\n", path);
        CHECK(ok);
    }
    /* null matchLabels / matchExpressions are absent, not "match nothing". */
    CHECK(selector_matches(SEL("null_ml_expr"), labels, false));
    CHECK(!selector_is_empty(SEL("null_ml_expr")));
    CHECK(selector_matches(SEL("null_me_labels"), labels, false));
    CHECK(!selector_matches(SEL("null_me_other"), labels, true));

    /* A missing selector (or one that is not a mapping) never matches. */
    CHECK(!selector_matches(NULL, labels, true));
    CHECK(!selector_matches(SEL("str"), labels, true));
    CHECK(!selector_matches(SEL("seq"), labels, true));
    CHECK(!selector_is_empty(NULL));
    CHECK(!selector_is_empty(SEL("seq")));
    CHECK(!selector_is_empty(SEL("ml_only")));
    CHECK(!selector_is_empty(SEL("exists")));
#undef S
#undef SEL
    arena_free(a);
}
