/* input.h: turning paths (files, directories, stdin) into parsed documents. */
#ifndef HITLESS_INPUT_H
#define HITLESS_INPUT_H

#include "load.h"

typedef struct input_opts {
    size_t max_bytes; /* per file or stdin */
    load_limits limits;
} input_opts;

extern const size_t input_default_max_bytes;

typedef struct inputs {
    arena *trees; /* every file's documents, until inputs_free */
    size_t files;
    char *buf; /* read buffer, reused from file to file */
    size_t buf_cap;
} inputs;

/* Reads PATH (file, directory walked recursively for .yaml/.yml/.json, or
 * "-" for stdin), parses it and adds its documents to the set.  Every
 * problem becomes a diagnostic on out; nothing is skipped silently. */
void input_add_path(inputs *in, const char *path, const input_opts *opts,
                    manifest_set *set, report *out);
/* Parses an in-memory buffer as one input named name. */
void input_add_buffer(inputs *in, const char *name, const char *buf,
                      size_t len, const input_opts *opts, manifest_set *set,
                      report *out);
void inputs_free(inputs *in);

/* Reads a whole regular file (or stdin for "-") up to max bytes.  Returns 0,
 * or an errno-style code (EFBIG over the limit, EINVAL not a regular file). */
int read_file(const char *path, size_t max, char **buf, size_t *len);
/* The same into *buf of *cap bytes, which it grows as needed and the caller
 * frees (also after an error). */
int read_file_into(const char *path, size_t max, char **buf, size_t *cap,
                   size_t *len);

#endif
