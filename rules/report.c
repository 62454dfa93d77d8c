/* report.c: the findings list every front end prints from. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hitless.h"

const char *severity_name(severity s) {
    switch (s) {
    case SEV_ERROR: return "error";
    case SEV_WARNING: return "warning";
    case SEV_INFO: return "info";
    case SEV_NONE: break;
    }
    return "none";
}

int severity_parse(const char *s) {
    if (!s) return -2;
    if (strcmp(s, "error") == 0) return SEV_ERROR;
    if (strcmp(s, "warning") == 0) return SEV_WARNING;
    if (strcmp(s, "info") == 0) return SEV_INFO;
    if (strcmp(s, "none") == 0) return SEV_NONE;
    return -2;
}

report *report_new(void) {
    report *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    if (!(r->arena = arena_new())) {
        free(r);
        return NULL;
    }
    return r;
}

void report_free(report *r) {
    if (!r) return;
    arena_free(r->arena);
    free(r->items);
    free(r->file_names);
    free(r->file_slots);
    free(r);
}

finding *report_add(report *r, const char *rule_id, severity sev,
                    const char *file, uint32_t line, uint32_t col,
                    const char *hint, const char *fmt, ...) {
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        finding *items = realloc(r->items, cap * sizeof *items);
        if (!items) {
            r->input_errors++;
            return NULL;
        }
        r->items = items;
        r->cap = cap;
    }
    va_list ap;
    va_start(ap, fmt);
    char msg[1024];
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    finding *f = &r->items[r->n];
    memset(f, 0, sizeof *f);
    f->rule = rule_id;
    f->sev = sev;
    f->message = arena_strdup(r->arena, msg);
    f->hint = hint;
    f->file = file;
    f->line = line;
    f->col = col;
    f->seq = r->n;
    if (!f->message) {
        r->input_errors++;
        return NULL;
    }
    r->n++;
    return f;
}

/* Puts file_names[i] into the hash, which has room. */
static void file_slot_put(report *r, size_t i) {
    size_t mask = r->file_slots_cap - 1;
    const char *name = r->file_names[i];
    size_t j = hash_bytes(name, strlen(name)) & mask;
    while (r->file_slots[j]) j = (j + 1) & mask;
    r->file_slots[j] = i + 1;
}

/* Hashed, so that a tree of 100 000 files is not 10^10 comparisons. */
const char *report_file(report *r, const char *name) {
    if (r->file_slots_cap) {
        size_t mask = r->file_slots_cap - 1;
        for (size_t j = hash_bytes(name, strlen(name)) & mask; r->file_slots[j];
             j = (j + 1) & mask) {
            const char *f = r->file_names[r->file_slots[j] - 1];
            if (strcmp(f, name) == 0) return f;
        }
    }
    if ((r->nfiles + 1) * 2 > r->file_slots_cap) {
        size_t cap = r->file_slots_cap ? r->file_slots_cap * 2 : 64;
        size_t *slots = calloc(cap, sizeof *slots);
        if (!slots) return NULL;
        free(r->file_slots);
        r->file_slots = slots;
        r->file_slots_cap = cap;
        for (size_t i = 0; i < r->nfiles; i++) file_slot_put(r, i);
    }
    if (r->nfiles == r->files_cap) {
        size_t cap = r->files_cap ? r->files_cap * 2 : 16;
        const char **f = realloc(r->file_names, cap * sizeof *f);
        if (!f) return NULL;
        r->file_names = f;
        r->files_cap = cap;
    }
    char *copy = arena_strdup(r->arena, name);
    if (!copy) return NULL;
    r->file_names[r->nfiles] = copy;
    file_slot_put(r, r->nfiles++);
    return copy;
}

typedef struct rank_entry { const char *p; size_t rank; } rank_entry;

static int cmp_rank_entry(const void *a, const void *b) {
    const char *x = ((const rank_entry *)a)->p, *y = ((const rank_entry *)b)->p;
    return x < y ? -1 : x > y;
}

/* Files in the order they were given, then source order inside a file. */
static int cmp_finding(const void *pa, const void *pb) {
    const finding *a = pa, *b = pb;
    if (a->file_rank != b->file_rank) return a->file_rank < b->file_rank ? -1 : 1;
    if (a->line != b->line) return a->line < b->line ? -1 : 1;
    if (a->col != b->col) return a->col < b->col ? -1 : 1;
    int c = strcmp(a->rule, b->rule);
    if (c) return c;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void report_sort(report *r) {
    rank_entry *ranks = malloc((r->nfiles ? r->nfiles : 1) * sizeof *ranks);
    for (size_t i = 0; ranks && i < r->nfiles; i++)
        ranks[i] = (rank_entry){r->file_names[i], i};
    if (ranks && r->nfiles) qsort(ranks, r->nfiles, sizeof *ranks, cmp_rank_entry);
    for (size_t i = 0; i < r->n; i++) {
        finding *f = &r->items[i];
        rank_entry key = {f->file, 0}, *hit = NULL;
        if (ranks && r->nfiles && f->file)
            hit = bsearch(&key, ranks, r->nfiles, sizeof *ranks, cmp_rank_entry);
        f->file_rank = hit ? hit->rank : r->nfiles;
    }
    free(ranks);
    if (r->n) qsort(r->items, r->n, sizeof *r->items, cmp_finding);
}

size_t report_count(const report *r, severity at_least) {
    size_t n = 0;
    for (size_t i = 0; i < r->n; i++)
        if (!r->items[i].justification && r->items[i].sev >= at_least) n++;
    return n;
}
