/* index.h: string-keyed multimap of objects, used for the set's indexes
 * (namespace -> objects, namespace+label -> workloads, namespace+kind+name). */
#ifndef HITLESS_INDEX_H
#define HITLESS_INDEX_H

#include "hitless.h"

typedef struct obj_list {
    const object **items;
    size_t n, cap;
} obj_list;

typedef struct index_entry {
    const char *key;
    size_t keylen;
    unsigned hash;
    obj_list list;
} index_entry;

typedef struct obj_index {
    index_entry *slots;
    size_t cap, n;
} obj_index;

/* Keys are byte strings (they may hold NUL separators).  Returns false on
 * allocation failure. */
bool index_add(obj_index *ix, arena *a, const char *key, size_t keylen,
               const object *o);
const obj_list *index_get(const obj_index *ix, const char *key, size_t keylen);
void index_free(obj_index *ix);

/* Builds "a\0b\0c" into buf; returns its length, or 0 when it does not fit. */
size_t index_key(char *buf, size_t cap, const char *a, const char *b,
                 const char *c);

#endif
