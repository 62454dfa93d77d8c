/* output.h: one function per output format, all over the same report. */
#ifndef HITLESS_OUTPUT_H
#define HITLESS_OUTPUT_H

#include <stdio.h>

#include "../rules/hitless.h"

typedef enum { FMT_TEXT, FMT_JSON, FMT_SARIF, FMT_GITHUB } output_format;

typedef struct output_opts {
    bool color;
    bool quiet;          /* findings only, and none below quiet_min */
    severity quiet_min;  /* warning, or info when --fail-on info */
} output_opts;

/* Diagnostics that mean an input could not be read or parsed (exit 2). */
bool finding_is_input_error(const finding *f);

int output_text(FILE *out, const report *r, const output_opts *o);
int output_json(FILE *out, const report *r, const output_opts *o);
int output_sarif(FILE *out, const report *r, const output_opts *o);
int output_github(FILE *out, const report *r, const output_opts *o);

#endif
