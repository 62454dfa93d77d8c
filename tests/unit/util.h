/* util.h: helpers shared by the unit tests: YAML snippets through the real
 * loader, and finding counts.  Everything is static inline so that each test
 * file stays self-contained. */
#ifndef HITLESS_UNIT_UTIL_H
#define HITLESS_UNIT_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "../../lint/load.h"
#include "unit.h"

/* Loads a one-document snippet into arena a and returns its root, or NULL
 * (with a message) when it does not load cleanly. */
static inline const node *yaml1(arena *a, const char *text) {
    report *r = report_new();
    loaded res = {0};
    if (!r) return NULL;
    load_yaml("unit.yaml", text, strlen(text), &load_default_limits, a, r,
              &res);
    const node *root = res.n == 1 && r->n == 0 && !res.failed ? res.docs[0]
                                                               : NULL;
    if (!root)
        printf("note: snippet did not load cleanly (%zu docs, %zu findings): "
               "%s\n", res.n, r->n, text);
    free(res.docs);
    report_free(r);
    return root;
}

static inline size_t count_rule(const report *r, const char *rule_id) {
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->items[i].rule, rule_id) == 0) n++;
    return n;
}

static inline const finding *first_rule(const report *r, const char *rule_id) {
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->items[i].rule, rule_id) == 0) return &r->items[i];
    return NULL;
}

#endif
