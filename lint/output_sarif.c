/* output_sarif.c: SARIF 2.1.0 as GitHub code scanning reads it, and GitHub
 * Actions workflow commands.  Rule metadata comes from the registry. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

static const char *sarif_level(severity s) {
    return s == SEV_ERROR ? "error" : s == SEV_WARNING ? "warning" : "note";
}

/* A relative URI reference for a path: unreserved characters and '/' stay,
 * the rest is percent-encoded. */
static char *path_uri(const char *path) {
    if (!path || strcmp(path, "<stdin>") == 0) path = "stdin";
    while (path[0] == '.' && path[1] == '/') path += 2;
    size_t n = strlen(path);
    char *u = malloc(n * 3 + 1), *p = u;
    if (!u) return NULL;
    for (const unsigned char *s = (const unsigned char *)path; *s; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
            (*s >= '0' && *s <= '9') || strchr("-._~/", *s))
            *p++ = (char)*s;
        else
            p += sprintf(p, "%%%02X", *s);
    }
    *p = '\0';
    return u;
}

static cJSON *text_obj(const char *text) {
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "text", text);
    return o;
}

static cJSON *location(const char *file, uint32_t line, uint32_t col) {
    cJSON *loc = cJSON_CreateObject();
    cJSON *phys = cJSON_AddObjectToObject(loc, "physicalLocation");
    cJSON *art = cJSON_AddObjectToObject(phys, "artifactLocation");
    char *uri = path_uri(file);
    cJSON_AddStringToObject(art, "uri", uri ? uri : "unknown");
    free(uri);
    if (line) {
        cJSON *reg = cJSON_AddObjectToObject(phys, "region");
        cJSON_AddNumberToObject(reg, "startLine", line);
        if (col) cJSON_AddNumberToObject(reg, "startColumn", col);
    }
    return loc;
}

static cJSON *rule_json(const rule *r) {
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "id", r->id);
    cJSON_AddItemToObject(j, "shortDescription", text_obj(r->summary));
    cJSON_AddItemToObject(j, "fullDescription", text_obj(r->why));
    size_t n = strlen(r->why) + strlen(r->hint) + strlen(r->fix) * 2 + 200;
    char *help = malloc(n), *md = malloc(n);
    if (help && md) {
        snprintf(help, n, "%s\n\nFix: %s\n\n%s", r->why, r->hint, r->fix);
        snprintf(md, n, "%s\n\n**Fix:** %s\n\n%s%s%s", r->why, r->hint,
                 *r->fix ? "```yaml\n" : "", r->fix, *r->fix ? "```\n" : "");
        cJSON *h = cJSON_AddObjectToObject(j, "help");
        cJSON_AddStringToObject(h, "text", help);
        cJSON_AddStringToObject(h, "markdown", md);
    }
    free(help);
    free(md);
    cJSON *dc = cJSON_AddObjectToObject(j, "defaultConfiguration");
    cJSON_AddStringToObject(dc, "level", sarif_level(r->sev));
    cJSON *props = cJSON_AddObjectToObject(j, "properties");
    cJSON *tags = cJSON_AddArrayToObject(props, "tags");
    cJSON_AddItemToArray(tags, cJSON_CreateString("kubernetes"));
    cJSON_AddItemToArray(tags, cJSON_CreateString(
        r->scope == SCOPE_DIAGNOSTIC ? "diagnostic" : "zero-downtime"));
    return j;
}

int output_sarif(FILE *out, const report *r, const output_opts *o) {
    (void)o;
    cJSON *doc = cJSON_CreateObject();
    if (!doc) goto oom;
    cJSON_AddStringToObject(doc, "$schema",
                            "https://json.schemastore.org/sarif-2.1.0.json");
    cJSON_AddStringToObject(doc, "version", "2.1.0");
    cJSON *runs = cJSON_AddArrayToObject(doc, "runs");
    cJSON *run = cJSON_CreateObject();
    cJSON_AddItemToArray(runs, run);
    cJSON *driver = cJSON_AddObjectToObject(cJSON_AddObjectToObject(run, "tool"), "driver");
    cJSON_AddStringToObject(driver, "name", "hitless");
    cJSON_AddStringToObject(driver, "version", HITLESS_VERSION);
    cJSON_AddStringToObject(driver, "semanticVersion", HITLESS_VERSION);
    cJSON *rules = cJSON_AddArrayToObject(driver, "rules");
    for (size_t i = 0; i < rule_count; i++)
        cJSON_AddItemToArray(rules, rule_json(&rule_table[i]));
    cJSON *results = cJSON_AddArrayToObject(run, "results");
    for (size_t i = 0; i < r->n; i++) {
        const finding *f = &r->items[i];
        cJSON *res = cJSON_CreateObject();
        cJSON_AddStringToObject(res, "ruleId", f->rule);
        ssize_t ri = rule_index(f->rule);
        if (ri >= 0) cJSON_AddNumberToObject(res, "ruleIndex", (double)ri);
        cJSON_AddStringToObject(res, "level", sarif_level(f->sev));
        char msg[1400];
        if (f->kind)
            snprintf(msg, sizeof msg, "%s (%s %s/%s)", f->message, f->kind,
                     f->ns, f->name);
        else
            snprintf(msg, sizeof msg, "%s", f->message);
        cJSON_AddItemToObject(res, "message", text_obj(msg));
        cJSON *locs = cJSON_AddArrayToObject(res, "locations");
        cJSON_AddItemToArray(locs, location(f->file, f->line, f->col));
        if (f->nrelated) {
            cJSON *rel = cJSON_AddArrayToObject(res, "relatedLocations");
            for (size_t j = 0; j < f->nrelated; j++) {
                const related *x = &f->related[j];
                cJSON *l = location(x->file, x->line, 1);
                cJSON_AddNumberToObject(l, "id", (double)j);
                char m[600];
                snprintf(m, sizeof m, "%s %s/%s", x->kind, x->ns, x->name);
                cJSON_AddItemToObject(l, "message", text_obj(m));
                cJSON_AddItemToArray(rel, l);
            }
        }
        if (f->justification) {
            cJSON *sups = cJSON_AddArrayToObject(res, "suppressions");
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "kind", "inSource");
            cJSON_AddStringToObject(s, "justification", f->justification);
            cJSON_AddItemToArray(sups, s);
        }
        cJSON_AddItemToArray(results, res);
    }
    char *s = cJSON_Print(doc);
    cJSON_Delete(doc);
    if (!s) goto oom;
    fputs(s, out);
    fputc('\n', out);
    free(s);
    return 0;
oom:
    fputs("hitless: out of memory while writing SARIF\n", stderr);
    return -1;
}

/* Workflow command escaping: data escapes % CR LF; properties also : and ,. */
static void gh_escape(FILE *out, const char *s, bool property) {
    for (; s && *s; s++) {
        switch (*s) {
        case '%': fputs("%25", out); break;
        case '\r': fputs("%0D", out); break;
        case '\n': fputs("%0A", out); break;
        case ':': property ? fputs("%3A", out) : fputc(':', out); break;
        case ',': property ? fputs("%2C", out) : fputc(',', out); break;
        default: fputc(*s, out);
        }
    }
}

int output_github(FILE *out, const report *r, const output_opts *o) {
    for (size_t i = 0; i < r->n; i++) {
        const finding *f = &r->items[i];
        if (f->justification) continue;
        if (o->quiet && f->sev < o->quiet_min) continue;
        fprintf(out, "::%s ", f->sev == SEV_ERROR ? "error"
                              : f->sev == SEV_WARNING ? "warning" : "notice");
        if (f->file) {
            fputs("file=", out);
            gh_escape(out, strcmp(f->file, "<stdin>") ? f->file : "stdin", true);
            if (f->line) fprintf(out, ",line=%u,col=%u", f->line, f->col);
            fputc(',', out);
        }
        fputs("title=", out);
        gh_escape(out, f->rule, true);
        fputs("::", out);
        gh_escape(out, f->message, false);
        if (f->kind) {
            char obj[600];
            snprintf(obj, sizeof obj, " (%s %s/%s)", f->kind, f->ns, f->name);
            gh_escape(out, obj, false);
        }
        if (f->hint) {
            gh_escape(out, "\nhint: ", false);
            gh_escape(out, f->hint, false);
        }
        fputc('\n', out);
    }
    return 0;
}
