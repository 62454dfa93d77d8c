/* doc.h: the document tree shared by the YAML and JSON loaders.
 *
 * Every node knows where it came from (line and column, 1-based; 0 when the
 * source has no positions, as with AdmissionReview JSON).  All nodes and
 * strings of one input live in one arena and are freed together. */
#ifndef HITLESS_DOC_H
#define HITLESS_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct arena arena;

arena *arena_new(void);
void arena_free(arena *a);
/* Returns NULL only when the system is out of memory. */
void *arena_alloc(arena *a, size_t n);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_printf(arena *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
size_t arena_bytes(const arena *a);

/* Where an arena stands, to give back everything allocated after it. */
typedef struct arena_mark {
    const void *chunk;
    size_t used;
} arena_mark;
arena_mark arena_mark_now(const arena *a);
/* Frees what was allocated since m (pointers into it become invalid); the
 * memory is kept for the allocations that follow. */
void arena_rewind(arena *a, arena_mark m);

/* FNV-1a over n bytes: the hash of every string table (indexes, anchors,
 * mapping keys, file names). */
unsigned hash_bytes(const char *s, size_t n);

typedef enum { NODE_SCALAR, NODE_MAP, NODE_SEQ } node_kind;

/* How a scalar resolves under the YAML 1.2 core schema (plain scalars) or
 * JSON; quoted scalars are always strings. */
typedef enum { SC_NULL, SC_BOOL, SC_INT, SC_FLOAT, SC_STR } scalar_type;

typedef struct node node;
typedef struct node_pair { node *key, *value; } node_pair;

struct node {
    node_kind kind;
    scalar_type type;   /* scalars only */
    uint32_t line, col; /* 1-based; 0 = unknown */
    size_t len;         /* scalar: bytes in str; map: pairs; seq: items */
    union {
        const char *str; /* NUL-terminated, may contain NUL inside (len) */
        node_pair *pairs;
        node **items;
    } u;
};

/* Lookups return NULL when the node is not a map/seq or the key is absent. */
const node *map_get(const node *map, const char *key);
const node *map_get_path(const node *map, const char *dotted_path);
const node *seq_at(const node *seq, size_t i);

bool node_is_map(const node *n);
bool node_is_seq(const node *n);
bool node_is_str(const node *n); /* a scalar of type string */
/* The scalar's text when n is a scalar (any type), else NULL. */
const char *node_text(const node *n);
/* Returns true and sets *out when n is an integer scalar in range. */
bool node_int(const node *n, int64_t *out);
bool node_bool(const node *n, bool *out);
bool node_equal(const node *a, const node *b);
const char *node_kind_name(const node *n);

/* Classifies a plain scalar by the YAML 1.2 core schema. */
scalar_type scalar_resolve(const char *s, size_t len);

#endif
