/* load.h: YAML and JSON text to document trees, with libyaml. */
#ifndef HITLESS_LOAD_H
#define HITLESS_LOAD_H

#include "../rules/hitless.h"

typedef struct load_limits {
    size_t max_depth;      /* nesting of mappings and sequences */
    size_t max_nodes;      /* per document, counting alias expansions */
    size_t max_scalar;     /* bytes in one scalar */
    size_t max_documents;  /* per input */
} load_limits;

extern const load_limits load_default_limits;

typedef struct loaded {
    /* Set by the caller, or NULL: called on each document as it ends; a
     * copy it returns (built in the arena given) replaces the document,
     * and the memory the full tree took is reused for the next one. */
    node *(*slim)(arena *a, const node *doc);
    node **docs;
    size_t n, cap;
    bool failed; /* a diagnostic that makes the input unreadable was reported */
} loaded;

/* Parses buf (len bytes) into document trees allocated in a.  Problems are
 * reported on out against file; documents before a syntax error are kept.
 * A Helm template (unrendered `{{ }}`) yields template-not-rendered and no
 * documents. */
void load_yaml(const char *file, const char *buf, size_t len,
               const load_limits *lim, arena *a, report *out, loaded *res);

#endif
