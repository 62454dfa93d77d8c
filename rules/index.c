/* index.c: open-addressing hash multimap; lists are plain growable arrays. */
#include "index.h"

#include <stdlib.h>
#include <string.h>

static bool grow(obj_index *ix) {
    size_t cap = ix->cap ? ix->cap * 2 : 64;
    index_entry *slots = calloc(cap, sizeof *slots);
    if (!slots) return false;
    for (size_t i = 0; i < ix->cap; i++) {
        index_entry *e = &ix->slots[i];
        if (!e->key) continue;
        size_t j = e->hash & (cap - 1);
        while (slots[j].key) j = (j + 1) & (cap - 1);
        slots[j] = *e;
    }
    free(ix->slots);
    ix->slots = slots;
    ix->cap = cap;
    return true;
}

static index_entry *find(const obj_index *ix, const char *key, size_t len,
                         unsigned h) {
    if (!ix->cap) return NULL;
    size_t j = h & (ix->cap - 1);
    for (; ix->slots[j].key; j = (j + 1) & (ix->cap - 1)) {
        index_entry *e = &ix->slots[j];
        if (e->hash == h && e->keylen == len && memcmp(e->key, key, len) == 0)
            return e;
    }
    return &ix->slots[j];
}

bool index_add(obj_index *ix, arena *a, const char *key, size_t len,
               const object *o) {
    if ((ix->n + 1) * 2 > ix->cap && !grow(ix)) return false;
    unsigned h = hash_bytes(key, len);
    index_entry *e = find(ix, key, len, h);
    if (!e->key) {
        char *k = arena_alloc(a, len ? len : 1);
        if (!k) return false;
        memcpy(k, key, len);
        e->key = k;
        e->keylen = len;
        e->hash = h;
        ix->n++;
    }
    obj_list *l = &e->list;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 4;
        const object **items = realloc(l->items, cap * sizeof *items);
        if (!items) return false;
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = o;
    return true;
}

const obj_list *index_get(const obj_index *ix, const char *key, size_t len) {
    index_entry *e = find(ix, key, len, hash_bytes(key, len));
    return e && e->key ? &e->list : NULL;
}

void index_free(obj_index *ix) {
    for (size_t i = 0; i < ix->cap; i++) free(ix->slots[i].list.items);
    free(ix->slots);
    memset(ix, 0, sizeof *ix);
}

size_t index_key(char *buf, size_t cap, const char *a, const char *b,
                 const char *c) {
    const char *parts[3] = {a, b, c};
    size_t n = 0;
    for (int i = 0; i < 3 && parts[i]; i++) {
        size_t l = strlen(parts[i]);
        if (n + l + 1 > cap) return 0;
        if (i) buf[n++] = '\0';
        memcpy(buf + n, parts[i], l);
        n += l;
    }
    return n;
}
