/* config.c: .hitless.yaml.  Every key is checked: an unknown rule id,
 * parameter or key is an error, because a typo that silently does nothing
 * is worse than no config at all.
 *
 *   disable: [liveness-probe-missing]     # or [all], then enable some
 *   enable: [pdb-missing]
 *   severity:
 *     pdb-missing: error
 *   parameters:
 *     min-shutdown-seconds: 20
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input.h"

char *config_find(void) {
    char dir[PATH_MAX];
    if (!getcwd(dir, sizeof dir)) return NULL;
    for (;;) {
        char path[PATH_MAX + sizeof CONFIG_NAME + 1];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", strcmp(dir, "/") ? dir : "",
                 CONFIG_NAME);
        if (stat(path, &st) == 0 && S_ISREG(st.st_mode)) return strdup(path);
        char *slash = strrchr(dir, '/');
        if (!slash || slash == dir) {
            if (strcmp(dir, "/") == 0) return NULL;
            strcpy(dir, "/");
            continue;
        }
        *slash = '\0';
    }
}

typedef struct cfgctx {
    config *cfg;
    const char *path;
    FILE *err;
    int problems;
} cfgctx;

static void problem(cfgctx *c, const node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void problem(cfgctx *c, const node *at, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (at && at->line)
        fprintf(c->err, "%s:%u:%u: error: ", c->path, at->line, at->col);
    else
        fprintf(c->err, "%s: error: ", c->path);
    vfprintf(c->err, fmt, ap);
    fputc('\n', c->err);
    va_end(ap);
    c->problems++;
}

static ssize_t rule_of(cfgctx *c, const node *n, bool allow_all) {
    const char *id = node_text(n);
    if (!id) {
        problem(c, n, "expected a rule id, found %s", node_kind_name(n));
        return -1;
    }
    if (allow_all && strcmp(id, "all") == 0) return -2;
    ssize_t i = rule_index(id);
    if (i < 0) {
        problem(c, n, "unknown rule \"%s\" (see `hitless rules`)", id);
        return -1;
    }
    if (rule_table[i].scope == SCOPE_DIAGNOSTIC) {
        problem(c, n, "%s is a diagnostic; diagnostics cannot be configured", id);
        return -1;
    }
    return i;
}

static void toggle_list(cfgctx *c, const node *list, bool enable) {
    if (!node_is_seq(list)) {
        problem(c, list, "%s takes a list of rule ids",
                enable ? "enable" : "disable");
        return;
    }
    for (size_t i = 0; i < list->len; i++) {
        ssize_t r = rule_of(c, list->u.items[i], true);
        if (r == -2)
            for (size_t j = 0; j < rule_count; j++) c->cfg->enabled[j] = enable;
        else if (r >= 0)
            c->cfg->enabled[r] = enable;
    }
}

int config_load(config *cfg, const char *path, FILE *err) {
    cfgctx c = {cfg, path, err, 0};
    char *buf;
    size_t len;
    int e = read_file(path, 1 << 20, &buf, &len);
    if (e) {
        fprintf(err, "%s: error: cannot read config: %s\n", path,
                e == EFBIG ? "larger than 1 MiB" : strerror(e));
        return 1;
    }
    arena *a = arena_new();
    report *r = report_new();
    loaded res = {0};
    if (!a || !r) {
        fprintf(err, "%s: error: out of memory\n", path);
        c.problems++;
        goto done;
    }
    load_yaml(path, buf, len, &load_default_limits, a, r, &res);
    for (size_t i = 0; i < r->n; i++) {
        const finding *f = &r->items[i];
        fprintf(err, "%s:%u:%u: error: %s [%s]\n", path, f->line, f->col,
                f->message, f->rule);
        c.problems++;
    }
    if (c.problems) goto done;
    const node *root = res.n ? res.docs[0] : NULL;
    if (res.n > 1) problem(&c, res.docs[1], "the config holds one YAML document");
    if (!root || (root->kind == NODE_SCALAR && root->type == SC_NULL)) goto done;
    if (!node_is_map(root)) {
        problem(&c, root, "the config must be a mapping");
        goto done;
    }
    /* disable before enable, so that `disable: [all]` + `enable: [x]`
     * means "only x", whatever the key order in the file. */
    const node *dis = map_get(root, "disable"), *en = map_get(root, "enable");
    if (dis) toggle_list(&c, dis, false);
    if (en) toggle_list(&c, en, true);
    for (size_t i = 0; i < root->len; i++) {
        const node *k = root->u.pairs[i].key, *v = root->u.pairs[i].value;
        const char *key = node_text(k);
        if (key && (strcmp(key, "disable") == 0 || strcmp(key, "enable") == 0))
            continue;
        if (key && strcmp(key, "severity") == 0) {
            if (!node_is_map(v)) {
                problem(&c, v, "severity takes a mapping of rule id to "
                               "error|warning|info");
                continue;
            }
            for (size_t j = 0; j < v->len; j++) {
                ssize_t ri = rule_of(&c, v->u.pairs[j].key, false);
                const node *sv = v->u.pairs[j].value;
                int s = severity_parse(node_text(sv));
                if (s < SEV_INFO) {
                    problem(&c, sv, "severity must be error, warning or info");
                    continue;
                }
                if (ri >= 0) cfg->sev[ri] = (severity)s;
            }
        } else if (key && strcmp(key, "parameters") == 0) {
            if (!node_is_map(v)) {
                problem(&c, v, "parameters takes a mapping of name to value");
                continue;
            }
            for (size_t j = 0; j < v->len; j++) {
                const node *pk = v->u.pairs[j].key, *pv = v->u.pairs[j].value;
                const char *name = node_text(pk);
                size_t pi = 0;
                while (pi < param_count && (!name || strcmp(param_table[pi].name, name)))
                    pi++;
                if (pi == param_count) {
                    problem(&c, pk, "unknown parameter \"%s\" (see `hitless "
                                    "explain` of the rule)", name ? name : "?");
                    continue;
                }
                int64_t x;
                if (!node_int(pv, &x) || x < param_table[pi].min ||
                    x > param_table[pi].max) {
                    problem(&c, pv, "%s takes an integer from %lld to %lld",
                            name, (long long)param_table[pi].min,
                            (long long)param_table[pi].max);
                    continue;
                }
                cfg->param[pi] = x;
            }
        } else {
            problem(&c, k, "unknown key \"%s\" (expected disable, enable, "
                           "severity or parameters)", key ? key : "?");
        }
    }
done:
    free(buf);
    free(res.docs);
    report_free(r);
    arena_free(a);
    return c.problems;
}

int config_toggle(config *cfg, const char *list, bool enable, FILE *err) {
    char *copy = strdup(list), *save = NULL;
    int bad = 0;
    if (!copy) return 1;
    for (char *id = strtok_r(copy, ",", &save); id; id = strtok_r(NULL, ",", &save)) {
        if (strcmp(id, "all") == 0) {
            for (size_t j = 0; j < rule_count; j++) cfg->enabled[j] = enable;
            continue;
        }
        ssize_t i = rule_index(id);
        if (i < 0 || rule_table[i].scope == SCOPE_DIAGNOSTIC) {
            fprintf(err, "hitless: %s rule \"%s\"%s\n",
                    i < 0 ? "unknown" : "cannot toggle diagnostic", id,
                    i < 0 ? " (see `hitless rules`)" : "");
            bad = 1;
            continue;
        }
        cfg->enabled[i] = enable;
    }
    free(copy);
    return bad;
}
