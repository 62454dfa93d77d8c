/* output.c: text (compiler style), JSON (the stable contract), SARIF 2.1.0
 * and GitHub workflow commands. */
#include "output.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool finding_is_input_error(const finding *f) {
    static const char *const ids[] = {"yaml-syntax", "template-not-rendered",
                                      "input-unreadable", "input-limit", NULL};
    for (const char *const *i = ids; *i; i++)
        if (strcmp(f->rule, *i) == 0) return true;
    return false;
}

/* ---- text ---------------------------------------------------------------- */

#define C_RESET "\033[0m"
#define C_BOLD "\033[1m"
#define C_RED "\033[1;31m"
#define C_YELLOW "\033[1;35m"
#define C_CYAN "\033[1;36m"
#define C_DIM "\033[2m"

static const char *sev_color(severity s) {
    return s == SEV_ERROR ? C_RED : s == SEV_WARNING ? C_YELLOW : C_CYAN;
}

static void print_location(FILE *out, const char *file, uint32_t line,
                           uint32_t col) {
    if (!file) fputs("hitless", out);
    else if (line) fprintf(out, "%s:%u:%u", file, line, col);
    else fputs(file, out);
}

int output_text(FILE *out, const report *r, const output_opts *o) {
    const char *b = o->color ? C_BOLD : "", *z = o->color ? C_RESET : "";
    const char *dim = o->color ? C_DIM : "";
    size_t count[3] = {0}, suppressed = 0;
    for (size_t i = 0; i < r->n; i++) {
        const finding *f = &r->items[i];
        if (f->justification) {
            suppressed++;
            continue;
        }
        count[f->sev]++;
        if (o->quiet && f->sev < o->quiet_min && !finding_is_input_error(f)) continue;
        fputs(b, out);
        print_location(out, f->file, f->line, f->col);
        fprintf(out, ":%s %s%s:%s %s%s %s[%s]%s\n", z,
                o->color ? sev_color(f->sev) : "", severity_name(f->sev), z, b,
                f->message, z, f->rule, "");
        if (f->kind) {
            fprintf(out, "  %s%s %s/%s", dim, f->kind, f->ns, f->name);
            if (f->container) fprintf(out, ", container %s", f->container);
            fprintf(out, "%s\n", z);
        }
        for (size_t j = 0; j < f->nrelated; j++) {
            const related *x = &f->related[j];
            fprintf(out, "  %srelated: %s %s/%s (%s:%u)%s\n", dim, x->kind,
                    x->ns, x->name, x->file, x->line, z);
        }
        if (f->hint) fprintf(out, "  hint: %s\n", f->hint);
    }
    if (o->quiet) return 0;
    size_t total = count[0] + count[1] + count[2];
    if (total)
        fprintf(out, "%zu finding%s (%zu error%s, %zu warning%s, %zu info)",
                total, total == 1 ? "" : "s", count[SEV_ERROR],
                count[SEV_ERROR] == 1 ? "" : "s", count[SEV_WARNING],
                count[SEV_WARNING] == 1 ? "" : "s", count[SEV_INFO]);
    else
        fputs("no findings", out);
    fprintf(out, " in %zu object%s from %zu file%s", r->objects,
            r->objects == 1 ? "" : "s", r->files, r->files == 1 ? "" : "s");
    if (suppressed) fprintf(out, "; %zu suppressed", suppressed);
    fputc('\n', out);
    return 0;
}

/* ---- JSON ----------------------------------------------------------------
 *
 * Written as it goes, in exactly the layout of cJSON_Print (tabs, "key":<tab>
 * value, ", " between array elements), which the golden files hold: building
 * a cJSON tree of every finding and then a string of all of it cost more than
 * the rest of the run on large sets (on 10 000 workloads, 12% of the
 * instructions, 0.4 s of 1.5 s, and 50 MB of peak memory). */

typedef struct json_writer {
    FILE *out;
    bool failed;
    int depth;
    bool first[16]; /* per open object or array: no member written yet */
    size_t n;
    char buf[1 << 16];
} json_writer;

static void jw_flush(json_writer *w) {
    if (w->n && fwrite(w->buf, 1, w->n, w->out) != w->n) w->failed = true;
    w->n = 0;
}

static void jw_put(json_writer *w, const char *s, size_t len) {
    if (len > sizeof w->buf - w->n) {
        jw_flush(w);
        if (len > sizeof w->buf) {
            if (fwrite(s, 1, len, w->out) != len) w->failed = true;
            return;
        }
    }
    memcpy(w->buf + w->n, s, len);
    w->n += len;
}

static void jw_lit(json_writer *w, const char *s) { jw_put(w, s, strlen(s)); }

static void jw_tabs(json_writer *w, int n) {
    static const char tabs[] = "\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t\t";
    for (; n > 0; n -= 16) jw_put(w, tabs, n < 16 ? (size_t)n : 16);
}

/* As cJSON: ", \\ and control characters escaped, everything else (UTF-8
 * included) as it is. */
static void jw_string(json_writer *w, const char *s) {
    jw_put(w, "\"", 1);
    const char *run = s;
    for (;; s++) {
        unsigned char c = (unsigned char)*s;
        if (c > 31 && c != '"' && c != '\\') continue;
        jw_put(w, run, (size_t)(s - run));
        if (!c) break;
        char esc[8];
        switch (c) {
        case '"': jw_put(w, "\\\"", 2); break;
        case '\\': jw_put(w, "\\\\", 2); break;
        case '\b': jw_put(w, "\\b", 2); break;
        case '\f': jw_put(w, "\\f", 2); break;
        case '\n': jw_put(w, "\\n", 2); break;
        case '\r': jw_put(w, "\\r", 2); break;
        case '\t': jw_put(w, "\\t", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04x", c);
            jw_put(w, esc, 6);
        }
        run = s + 1;
    }
    jw_put(w, "\"", 1);
}

/* As cJSON prints a number made from this count: %d up to INT_MAX, and past
 * it %1.15g, or %1.17g when that does not read back. */
static void jw_count(json_writer *w, uint64_t v) {
    char num[32];
    if (v <= INT_MAX) {
        char *p = num + sizeof num;
        do *--p = (char)('0' + v % 10);
        while (v /= 10);
        jw_put(w, p, (size_t)(num + sizeof num - p));
        return;
    }
    double d = (double)v;
    snprintf(num, sizeof num, "%1.15g", d);
    double back = strtod(num, NULL);
    double mag = fabs(back) > fabs(d) ? fabs(back) : fabs(d);
    if (fabs(back - d) > mag * DBL_EPSILON)
        snprintf(num, sizeof num, "%1.17g", d);
    jw_lit(w, num);
}

static void jw_open(json_writer *w, const char *bracket) {
    jw_lit(w, bracket);
    w->first[++w->depth] = true;
}

static void jw_close_object(json_writer *w) {
    if (!w->first[w->depth]) jw_put(w, "\n", 1);
    jw_tabs(w, w->depth - 1);
    jw_put(w, "}", 1);
    w->depth--;
}

static void jw_close_array(json_writer *w) {
    jw_put(w, "]", 1);
    w->depth--;
}

/* Starts a member of the innermost object; its value follows. */
static void jw_key(json_writer *w, const char *key) {
    if (!w->first[w->depth]) jw_put(w, ",\n", 2);
    w->first[w->depth] = false;
    jw_tabs(w, w->depth);
    jw_string(w, key);
    jw_put(w, ":\t", 2);
}

/* Starts an element of the innermost array. */
static void jw_element(json_writer *w) {
    if (!w->first[w->depth]) jw_put(w, ", ", 2);
    w->first[w->depth] = false;
}

/* A string member; none at all when the value is NULL (as
 * cJSON_AddStringToObject, which fails on NULL). */
static void jw_str_member(json_writer *w, const char *key, const char *value) {
    if (!value) return;
    jw_key(w, key);
    jw_string(w, value);
}

/* A string member that is null when there is no value. */
static void jw_str_or_null(json_writer *w, const char *key, const char *value) {
    jw_key(w, key);
    if (value) jw_string(w, value);
    else jw_put(w, "null", 4);
}

static void jw_count_member(json_writer *w, const char *key, uint64_t v) {
    jw_key(w, key);
    jw_count(w, v);
}

static void finding_json(json_writer *w, const finding *f) {
    jw_element(w);
    jw_open(w, "{\n");
    jw_str_member(w, "rule", f->rule);
    jw_str_member(w, "severity", severity_name(f->sev));
    jw_str_member(w, "message", f->message);
    jw_str_or_null(w, "hint", f->hint);
    jw_str_or_null(w, "file", f->file);
    jw_count_member(w, "line", f->line);
    jw_count_member(w, "column", f->col);
    jw_key(w, "object");
    if (f->kind) {
        jw_open(w, "{\n");
        jw_str_member(w, "apiVersion", f->api_version);
        jw_str_member(w, "kind", f->kind);
        jw_str_member(w, "namespace", f->ns);
        jw_str_member(w, "name", f->name);
        jw_close_object(w);
    } else {
        jw_put(w, "null", 4);
    }
    jw_str_member(w, "container", f->container);
    if (f->nrelated) {
        jw_key(w, "related");
        jw_open(w, "[");
        for (size_t i = 0; i < f->nrelated; i++) {
            const related *x = &f->related[i];
            jw_element(w);
            jw_open(w, "{\n");
            jw_str_member(w, "kind", x->kind);
            jw_str_member(w, "namespace", x->ns);
            jw_str_member(w, "name", x->name);
            jw_str_member(w, "file", x->file);
            jw_count_member(w, "line", x->line);
            jw_close_object(w);
        }
        jw_close_array(w);
    }
    jw_str_member(w, "justification", f->justification);
    jw_close_object(w);
}

int output_json(FILE *out, const report *r, const output_opts *o) {
    (void)o;
    json_writer *w = malloc(sizeof *w);
    if (!w) {
        fputs("hitless: out of memory while writing JSON\n", stderr);
        return -1;
    }
    w->out = out;
    w->failed = false;
    w->depth = 0;
    w->n = 0;
    size_t count[3] = {0}, nsup = 0;
    jw_open(w, "{\n");
    jw_count_member(w, "version", 1);
    /* Findings first, then the suppressed ones: two passes. */
    for (int pass = 0; pass < 2; pass++) {
        jw_key(w, pass ? "suppressed" : "findings");
        jw_open(w, "[");
        for (size_t i = 0; i < r->n; i++) {
            const finding *f = &r->items[i];
            if (!f->justification != !pass) continue;
            finding_json(w, f);
            if (f->justification) nsup++;
            else count[f->sev]++;
        }
        jw_close_array(w);
    }
    jw_key(w, "summary");
    jw_open(w, "{\n");
    jw_count_member(w, "files", r->files);
    jw_count_member(w, "documents", r->documents);
    jw_count_member(w, "objects", r->objects);
    jw_count_member(w, "findings", count[0] + count[1] + count[2]);
    jw_count_member(w, "errors", count[SEV_ERROR]);
    jw_count_member(w, "warnings", count[SEV_WARNING]);
    jw_count_member(w, "info", count[SEV_INFO]);
    jw_count_member(w, "suppressed", nsup);
    jw_close_object(w);
    jw_close_object(w);
    jw_put(w, "\n", 1);
    jw_flush(w);
    int rc = w->failed ? -1 : 0;
    free(w);
    return rc;
}
