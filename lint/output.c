/* output.c: text (compiler style), JSON (the stable contract), SARIF 2.1.0
 * and GitHub workflow commands. */
#include "output.h"

#include <cjson/cJSON.h>
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

/* ---- JSON ---------------------------------------------------------------- */

static cJSON *finding_json(const finding *f) {
    cJSON *j = cJSON_CreateObject();
    if (!j) return NULL;
    cJSON_AddStringToObject(j, "rule", f->rule);
    cJSON_AddStringToObject(j, "severity", severity_name(f->sev));
    cJSON_AddStringToObject(j, "message", f->message);
    if (f->hint) cJSON_AddStringToObject(j, "hint", f->hint);
    else cJSON_AddNullToObject(j, "hint");
    if (f->file) cJSON_AddStringToObject(j, "file", f->file);
    else cJSON_AddNullToObject(j, "file");
    cJSON_AddNumberToObject(j, "line", f->line);
    cJSON_AddNumberToObject(j, "column", f->col);
    if (f->kind) {
        cJSON *obj = cJSON_AddObjectToObject(j, "object");
        cJSON_AddStringToObject(obj, "apiVersion", f->api_version);
        cJSON_AddStringToObject(obj, "kind", f->kind);
        cJSON_AddStringToObject(obj, "namespace", f->ns);
        cJSON_AddStringToObject(obj, "name", f->name);
    } else {
        cJSON_AddNullToObject(j, "object");
    }
    if (f->container) cJSON_AddStringToObject(j, "container", f->container);
    if (f->nrelated) {
        cJSON *rel = cJSON_AddArrayToObject(j, "related");
        for (size_t i = 0; i < f->nrelated; i++) {
            const related *x = &f->related[i];
            cJSON *e = cJSON_CreateObject();
            cJSON_AddStringToObject(e, "kind", x->kind);
            cJSON_AddStringToObject(e, "namespace", x->ns);
            cJSON_AddStringToObject(e, "name", x->name);
            cJSON_AddStringToObject(e, "file", x->file);
            cJSON_AddNumberToObject(e, "line", x->line);
            cJSON_AddItemToArray(rel, e);
        }
    }
    if (f->justification) cJSON_AddStringToObject(j, "justification", f->justification);
    return j;
}

static int print_json(FILE *out, cJSON *doc) {
    char *s = doc ? cJSON_Print(doc) : NULL;
    cJSON_Delete(doc);
    if (!s) {
        fputs("hitless: out of memory while writing JSON\n", stderr);
        return -1;
    }
    fputs(s, out);
    fputc('\n', out);
    free(s);
    return 0;
}

int output_json(FILE *out, const report *r, const output_opts *o) {
    (void)o;
    cJSON *doc = cJSON_CreateObject();
    if (!doc) return print_json(out, NULL);
    cJSON_AddNumberToObject(doc, "version", 1);
    cJSON *fs = cJSON_AddArrayToObject(doc, "findings");
    cJSON *sup = cJSON_AddArrayToObject(doc, "suppressed");
    size_t count[3] = {0}, nsup = 0;
    for (size_t i = 0; i < r->n; i++) {
        const finding *f = &r->items[i];
        cJSON_AddItemToArray(f->justification ? sup : fs, finding_json(f));
        if (f->justification) nsup++;
        else count[f->sev]++;
    }
    cJSON *sum = cJSON_AddObjectToObject(doc, "summary");
    cJSON_AddNumberToObject(sum, "files", (double)r->files);
    cJSON_AddNumberToObject(sum, "documents", (double)r->documents);
    cJSON_AddNumberToObject(sum, "objects", (double)r->objects);
    cJSON_AddNumberToObject(sum, "findings", (double)(count[0] + count[1] + count[2]));
    cJSON_AddNumberToObject(sum, "errors", (double)count[SEV_ERROR]);
    cJSON_AddNumberToObject(sum, "warnings", (double)count[SEV_WARNING]);
    cJSON_AddNumberToObject(sum, "info", (double)count[SEV_INFO]);
    cJSON_AddNumberToObject(sum, "suppressed", (double)nsup);
    return print_json(out, doc);
}
