/* engine.c: runs the registry over a manifest set, applies configuration
 * (enabled rules, severities, parameters) and suppression annotations. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hitless.h"

#define IGNORE_PREFIX "ignore.hitless.dev/"

config *config_new(void) {
    config *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->enabled = calloc(rule_count, sizeof *c->enabled);
    c->sev = calloc(rule_count, sizeof *c->sev);
    c->param = calloc(param_count ? param_count : 1, sizeof *c->param);
    if (!c->enabled || !c->sev || !c->param) {
        config_free(c);
        return NULL;
    }
    for (size_t i = 0; i < rule_count; i++) {
        c->enabled[i] = true;
        c->sev[i] = rule_table[i].sev;
    }
    for (size_t i = 0; i < param_count; i++) c->param[i] = param_table[i].def;
    return c;
}

void config_free(config *c) {
    if (!c) return;
    free(c->enabled);
    free(c->sev);
    free(c->param);
    free(c);
}

int64_t config_param(const config *c, const char *name) {
    for (size_t i = 0; i < param_count; i++)
        if (strcmp(param_table[i].name, name) == 0)
            return c ? c->param[i] : param_table[i].def;
    return 0;
}

void finding_set_object(finding *f, const object *o) {
    f->obj = o;
    f->api_version = o->api_version;
    f->kind = o->kind;
    f->ns = o->ns;
    f->name = o->name;
}

finding *check_report(check_ctx *ctx, const object *o, const node *at,
                      const char *container, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (!at || at->line == 0) at = o->root;
    finding *f = report_add(ctx->out, ctx->rule->id, ctx->sev, o->file,
                            at ? at->line : 0, at ? at->col : 0,
                            ctx->rule->hint, "%s", msg);
    if (!f) return NULL;
    finding_set_object(f, o);
    if (container) f->container = arena_strdup(ctx->out->arena, container);
    return f;
}

void finding_relate(check_ctx *ctx, finding *f, const object *other) {
    if (!f) return;
    related *r = arena_alloc(ctx->out->arena, (f->nrelated + 1) * sizeof *r);
    if (!r) return;
    if (f->nrelated) memcpy(r, f->related, f->nrelated * sizeof *r);
    r[f->nrelated++] = (related){other->kind, other->ns, other->name,
                                 other->file, other->root ? other->root->line : 0};
    f->related = r;
}

static bool blank(const char *s) {
    for (; s && *s; s++)
        if (!isspace((unsigned char)*s)) return false;
    return true;
}

/* Reports broken ignore.hitless.dev/<rule> annotations of an object. */
static void check_suppressions(report *out, const object *o) {
    const node *ann = o->annotations;
    size_t plen = strlen(IGNORE_PREFIX);
    for (size_t i = 0; node_is_map(ann) && i < ann->len; i++) {
        const node *k = ann->u.pairs[i].key, *v = ann->u.pairs[i].value;
        const char *key = node_text(k);
        if (!key || strncmp(key, IGNORE_PREFIX, plen) != 0) continue;
        const char *id = key + plen;
        const rule *r = rule_find(id);
        finding *f = NULL;
        if (!r)
            f = report_add(out, "invalid-value", SEV_ERROR, o->file, k->line,
                           k->col, "run `hitless rules` for the list of ids",
                           "annotation %s names no hitless rule", key);
        else if (r->scope == SCOPE_DIAGNOSTIC)
            f = report_add(out, "invalid-value", SEV_ERROR, o->file, k->line,
                           k->col, "fix the problem the diagnostic reports",
                           "%s is a diagnostic and cannot be suppressed", id);
        else if (!node_is_str(v) || blank(v->u.str))
            f = report_add(out, "ignore-without-reason", SEV_ERROR, o->file,
                           k->line, k->col,
                           "write why the rule does not apply as the value",
                           "suppression of %s has no reason, so it is not "
                           "honoured",
                           id);
        if (f) finding_set_object(f, o);
    }
}

/* The justification for suppressing f, or NULL. */
static const char *suppression_for(const finding *f) {
    char key[160];
    if (!f->obj || !f->obj->annotations) return NULL;
    snprintf(key, sizeof key, IGNORE_PREFIX "%s", f->rule);
    const node *v = map_get(f->obj->annotations, key);
    return node_is_str(v) && !blank(v->u.str) ? v->u.str : NULL;
}

void engine_run(manifest_set *s, const config *cfg, report *out) {
    check_ctx ctx = {.set = s, .cfg = cfg, .out = out};
    size_t first = out->n;
    for (size_t i = 0; i < s->n; i++) {
        const object *o = s->objects[i];
        if (o->controlled) continue;
        for (size_t r = 0; r < rule_count; r++) {
            const rule *ru = &rule_table[r];
            if (ru->scope != SCOPE_OBJECT || !ru->check) continue;
            if (cfg && !cfg->enabled[r]) continue;
            ctx.rule = ru;
            ctx.sev = cfg ? cfg->sev[r] : ru->sev;
            ru->check(&ctx, o);
        }
    }
    for (size_t r = 0; r < rule_count; r++) {
        const rule *ru = &rule_table[r];
        if (ru->scope != SCOPE_SET || !ru->check_set) continue;
        if (cfg && !cfg->enabled[r]) continue;
        ctx.rule = ru;
        ctx.sev = cfg ? cfg->sev[r] : ru->sev;
        ru->check_set(&ctx, s);
    }
    /* Diagnostics cannot be suppressed: only this run's rule findings. */
    for (size_t i = first; i < out->n; i++)
        out->items[i].justification = suppression_for(&out->items[i]);
    for (size_t i = 0; i < s->n; i++)
        if (s->objects[i]->annotations) check_suppressions(out, s->objects[i]);
}
