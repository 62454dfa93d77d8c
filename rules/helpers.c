/* helpers.c: Kubernetes semantics the rules share: int-or-percent scaling,
 * preStop durations, shell scripts as PID 1, and label selectors. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hitless.h"

/* ---- int-or-percent ------------------------------------------------------ */

/* intstr.GetScaledValueFromIntOrPercent: a string must be digits followed by
 * '%' (strconv.Atoi on the rest); the scaled value is rounded up or down. */
bool intorpct_resolve_text(const char *text, bool is_string, int64_t total,
                           bool round_up, bool allow_over_100, int64_t *out) {
    if (!text) return false;
    size_t len = strlen(text);
    if (!is_string) {
        /* The text of an integer scalar: read it exactly as intorpct_resolve
         * reads the node (0x10, 1_000), so that "", " 5" or "5x" are not
         * taken for numbers as strtoll would. */
        node n = {.kind = NODE_SCALAR, .type = scalar_resolve(text, len),
                  .len = len};
        n.u.str = text;
        return intorpct_resolve(&n, total, round_up, allow_over_100, out);
    }
    if (len < 2 || text[len - 1] != '%') return false;
    int64_t pct = 0;
    /* The API server validates with IsValidPercent, ^[0-9]+%$: no sign,
     * although strconv.Atoi alone would take "+5". */
    for (size_t i = 0; i < len - 1; i++) {
        if (!isdigit((unsigned char)text[i])) return false;
        pct = pct * 10 + (text[i] - '0');
        if (pct > INT32_MAX) return false;
    }
    if (pct > 100 && !allow_over_100) return false;
    if (total < 0) total = 0;
    /* pct <= 2^31 and total <= 2^31 keep the product inside int64. */
    int64_t prod = pct * (total > INT32_MAX ? INT32_MAX : total);
    *out = round_up ? (prod + 99) / 100 : prod / 100;
    return true;
}

bool intorpct_resolve(const node *v, int64_t total, bool round_up,
                      bool allow_over_100, int64_t *out) {
    if (!v || v->kind != NODE_SCALAR) return false;
    if (v->type == SC_INT) {
        int64_t n;
        if (!node_int(v, &n) || n < 0 || n > INT32_MAX) return false;
        *out = n;
        return true;
    }
    if (v->type != SC_STR) return false;
    return intorpct_resolve_text(v->u.str, true, total, round_up,
                                 allow_over_100, out);
}

/* ---- shell words --------------------------------------------------------- */

/* A tiny POSIX shell lexer: enough to find simple commands, their words and
 * the operator that ends each one.  Words that hold an expansion ($x, `x`)
 * are marked dynamic: their value is unknown until run time. */
typedef struct sh_word {
    char *text;
    bool dynamic;
} sh_word;

typedef struct sh_cmd {
    sh_word *words;
    size_t n;
    char end; /* ';' '&' '|' '\n' or 0 at end of script */
} sh_cmd;

typedef struct sh_script {
    sh_cmd *cmds;
    size_t n;
    bool ok;
} sh_script;

static void sh_free(sh_script *s) {
    for (size_t i = 0; i < s->n; i++) {
        for (size_t j = 0; j < s->cmds[i].n; j++) free(s->cmds[i].words[j].text);
        free(s->cmds[i].words);
    }
    free(s->cmds);
}

static bool sh_push_word(sh_cmd *c, char *text, bool dynamic) {
    sh_word *w = realloc(c->words, (c->n + 1) * sizeof *w);
    if (!w) return false;
    c->words = w;
    c->words[c->n++] = (sh_word){text, dynamic};
    return true;
}

static bool sh_end_cmd(sh_script *s, sh_cmd *c, char end) {
    if (c->n == 0) {
        /* `a; ;` or a leading operator: remember the operator on the last. */
        if (s->n && end && end != '\n' && end != ';') s->cmds[s->n - 1].end = end;
        return true;
    }
    sh_cmd *cmds = realloc(s->cmds, (s->n + 1) * sizeof *cmds);
    if (!cmds) return false;
    s->cmds = cmds;
    c->end = end;
    s->cmds[s->n++] = *c;
    *c = (sh_cmd){0};
    return true;
}

/* An '&' or '|' that belongs to a redirection word (2>&1, <&3, &>f, >|f)
 * rather than ending the command.  p points into the word begun at start. */
static bool sh_redirect_char(const char *start, const char *p) {
    bool after_redir = p > start && (p[-1] == '>' || p[-1] == '<');
    if (*p == '&') return after_redir || p[1] == '>';
    if (*p == '|') return p > start && p[-1] == '>';
    return false;
}

static sh_script sh_parse(const char *p) {
    sh_script s = {0};
    sh_cmd cur = {0};
    size_t len = strlen(p);
    char *buf = malloc(len + 1);
    if (!buf) return s;
    for (;;) {
        /* Every blank but the newline separates words; skipping only ' ' and
         * '\t' left a '\r' (CRLF scripts) that no branch consumed: an
         * endless loop. */
        while ((*p != '\n' && isspace((unsigned char)*p)) ||
               (*p == '\\' && p[1] == '\n'))
            p += *p == '\\' ? 2 : 1;
        if (*p == '#') {
            while (*p && *p != '\n') p++;
            continue;
        }
        if (!*p) break;
        /* `&>file` is a redirection, not a background operator. */
        if (strchr(";&|\n()", *p) && !(*p == '&' && p[1] == '>')) {
            char op = *p;
            if ((op == '&' || op == '|') && p[1] == op) p++; /* && || */
            if (op == '(' || op == ')') op = ';';
            if (!sh_end_cmd(&s, &cur, op)) goto fail;
            p++;
            continue;
        }
        size_t n = 0;
        bool dynamic = false;
        const char *start = p;
        while (*p && !isspace((unsigned char)*p) &&
               (!strchr(";&|()", *p) || sh_redirect_char(start, p))) {
            if (*p == '\'') {
                const char *q = strchr(p + 1, '\'');
                if (!q) goto fail;
                memcpy(buf + n, p + 1, (size_t)(q - p - 1));
                n += (size_t)(q - p - 1);
                p = q + 1;
            } else if (*p == '"') {
                for (p++; *p && *p != '"'; p++) {
                    if (*p == '\\' && p[1]) p++;
                    else if (*p == '$' || *p == '`') dynamic = true;
                    buf[n++] = *p;
                }
                if (*p != '"') goto fail;
                p++;
            } else if (*p == '\\' && p[1]) {
                buf[n++] = p[1];
                p += 2;
            } else {
                if (*p == '$' || *p == '`') dynamic = true;
                buf[n++] = *p++;
            }
        }
        char *w = strndup(buf, n);
        if (!w || !sh_push_word(&cur, w, dynamic)) {
            free(w);
            goto fail;
        }
    }
    if (!sh_end_cmd(&s, &cur, 0)) goto fail;
    free(buf);
    s.ok = true;
    return s;
fail:
    for (size_t j = 0; j < cur.n; j++) free(cur.words[j].text);
    free(cur.words);
    free(buf);
    sh_free(&s);
    return (sh_script){0};
}

static const char *base_name(const char *path) {
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* The word that names the command: past variable assignments (FOO=bar cmd)
 * and the reserved words that may lead a command (`do sleep 1`). */
static size_t sh_cmd_start(const sh_cmd *c) {
    static const char *const lead[] = {"{", "!", "do", "then", "else", NULL};
    size_t i = 0;
    while (i < c->n) {
        const char *w = c->words[i].text, *eq = strchr(w, '=');
        bool reserved = false;
        for (const char *const *l = lead; *l; l++)
            if (strcmp(w, *l) == 0) reserved = true;
        if (reserved) {
            i++;
            continue;
        }
        if (!eq || eq == w) break;
        for (const char *q = w; q < eq; q++)
            if (!isalnum((unsigned char)*q) && *q != '_') return i;
        i++;
    }
    return i;
}

/* ---- sleep --------------------------------------------------------------- */

/* GNU sleep: NUMBER[smhd], several operands add up.  "infinity" and
 * anything else we cannot read make the duration unknown. */
static bool sleep_operand_ms(const char *s, double *ms) {
    char *end;
    errno = 0;
    if (!*s || *s == '-' || isspace((unsigned char)*s)) return false;
    double v = strtod(s, &end);
    if (end == s || errno || !isfinite(v) || v < 0) return false;
    double mult = 1000;
    if (*end) {
        switch (*end) {
        case 's': mult = 1000; break;
        case 'm': mult = 60000; break;
        case 'h': mult = 3600000; break;
        case 'd': mult = 86400000; break;
        default: return false;
        }
        if (end[1]) return false;
    }
    *ms = v * mult;
    return *ms < 1e15;
}

bool sleep_args_ms(const char *const *argv, size_t argc, int64_t *ms) {
    double total = 0;
    if (argc == 0) return false;
    for (size_t i = 0; i < argc; i++) {
        double v;
        if (!sleep_operand_ms(argv[i], &v)) return false;
        total += v;
    }
    if (total >= 1e15) return false;
    *ms = (int64_t)(total + 0.5); /* rounded: total is >= 0 */
    return true;
}

static bool is_sleep_cmd(const char *w) { return strcmp(base_name(w), "sleep") == 0; }

bool shell_script_sleep_ms(const char *script, int64_t *ms) {
    sh_script s = sh_parse(script);
    if (!s.ok) return false;
    bool known = true, any = false;
    int64_t total = 0;
    for (size_t i = 0; i < s.n && known; i++) {
        const sh_cmd *c = &s.cmds[i];
        size_t st = sh_cmd_start(c);
        for (size_t j = st; j < c->n; j++) {
            const char *w = c->words[j].text;
            /* A loop or a wait may repeat or extend the sleep. */
            if (strcmp(w, "while") == 0 || strcmp(w, "until") == 0 ||
                strcmp(w, "for") == 0)
                known = false;
        }
        if (st >= c->n) continue;
        if (st < c->n && strcmp(c->words[st].text, "exec") == 0) st++;
        if (st >= c->n || !is_sleep_cmd(c->words[st].text)) continue;
        const char *args[64];
        size_t argc = 0;
        for (size_t j = st + 1; j < c->n && argc < 64; j++) {
            if (c->words[j].dynamic) known = false;
            args[argc++] = c->words[j].text;
        }
        int64_t v;
        if (!known || !sleep_args_ms(args, argc, &v)) {
            known = false;
            break;
        }
        total += v;
        any = true;
    }
    sh_free(&s);
    if (!known || !any) return false;
    *ms = total;
    return true;
}

/* ---- shells as PID 1 ----------------------------------------------------- */

static bool is_shell(const char *path) {
    static const char *const shells[] = {"sh", "bash", "ash", "dash", "zsh",
                                         "ksh", "mksh", NULL};
    const char *b = base_name(path);
    for (const char *const *s = shells; *s; s++)
        if (strcmp(b, *s) == 0) return true;
    return false;
}

const char *shell_c_script(const char *const *argv, size_t argc) {
    size_t i = 0;
    if (argc && strcmp(base_name(argv[0]), "env") == 0) {
        for (i = 1; i < argc && (argv[i][0] == '-' || strchr(argv[i], '='));
             i++) {}
    }
    if (i >= argc || !argv[i] || !is_shell(argv[i])) return NULL;
    bool saw_c = false;
    for (i++; i < argc; i++) {
        const char *a = argv[i];
        if (!a) return NULL;
        if (strcmp(a, "--") == 0) {
            i++;
            break;
        }
        if ((a[0] == '-' || a[0] == '+') && a[1]) {
            if (a[1] == '-') continue; /* --login, --norc */
            /* Each o/O of a cluster takes the next argument as its option
             * name: `bash -euo pipefail -c SCRIPT`, the common Dockerfile
             * SHELL, has its script after pipefail. */
            for (const char *q = a + 1; *q; q++) {
                if (*q == 'o' || *q == 'O') i++;
                else if (*q == 'c' && a[0] == '-') saw_c = true;
            }
            continue;
        }
        break;
    }
    return saw_c && i < argc ? argv[i] : NULL;
}

bool shell_script_forwards_sigterm(const char *script) {
    sh_script s = sh_parse(script);
    if (!s.ok) return true; /* unreadable: do not guess */
    bool ok = false;
    for (size_t i = 0; i < s.n && !ok; i++) {
        const sh_cmd *c = &s.cmds[i];
        size_t st = sh_cmd_start(c);
        if (st < c->n && strcmp(c->words[st].text, "trap") == 0)
            for (size_t j = st + 1; j < c->n; j++) {
                const char *w = c->words[j].text;
                if (strcmp(w, "TERM") == 0 || strcmp(w, "SIGTERM") == 0 ||
                    strcmp(w, "15") == 0)
                    ok = true;
            }
    }
    if (!ok && s.n) {
        const sh_cmd *last = &s.cmds[s.n - 1];
        size_t st = sh_cmd_start(last);
        ok = st < last->n && strcmp(last->words[st].text, "exec") == 0 &&
             last->end != '&';
    }
    sh_free(&s);
    return ok;
}

/* ---- preStop ------------------------------------------------------------- */

bool prestop_duration_ms(const node *lifecycle, int64_t *ms) {
    const node *pre = map_get(lifecycle, "preStop");
    if (!node_is_map(pre)) return false;
    const node *sl = map_get(pre, "sleep");
    if (sl) {
        int64_t s;
        /* s * 1000 must not overflow (UB); like sleep_args_ms, a wait of
         * 1e15 ms or more is unreadable rather than a number. */
        if (!node_int(map_get(sl, "seconds"), &s) || s < 0 ||
            s >= INT64_C(1000000000000))
            return false;
        *ms = s * 1000;
        return true;
    }
    const node *cmd = map_get_path(pre, "exec.command");
    if (!node_is_seq(cmd) || cmd->len == 0 || cmd->len > 256) return false;
    const char *argv[256];
    for (size_t i = 0; i < cmd->len; i++) {
        argv[i] = node_text(cmd->u.items[i]);
        if (!argv[i]) return false;
    }
    if (is_sleep_cmd(argv[0])) return sleep_args_ms(argv + 1, cmd->len - 1, ms);
    const char *script = shell_c_script(argv, cmd->len);
    return script && shell_script_sleep_ms(script, ms);
}

/* ---- selectors ----------------------------------------------------------- */

static bool scalar_text_eq(const node *a, const char *b) {
    const char *t = node_text(a);
    return t && b && strcmp(t, b) == 0;
}

bool labels_match_map(const node *want, const node *labels) {
    if (!node_is_map(want)) return false;
    for (size_t i = 0; i < want->len; i++) {
        const node *k = want->u.pairs[i].key;
        if (!scalar_text_eq(map_get(labels, node_text(k) ? node_text(k) : ""),
                            node_text(want->u.pairs[i].value)))
            return false;
    }
    return true;
}

/* A selector field written as null (`matchLabels:` with nothing after it,
 * as rendered charts often leave it) decodes in Go as an absent field, not
 * as a selector that matches nothing. */
static const node *selector_field(const node *sel, const char *key) {
    const node *n = map_get(sel, key);
    return n && n->kind == NODE_SCALAR && n->type == SC_NULL ? NULL : n;
}

bool selector_is_empty(const node *sel) {
    if (!node_is_map(sel)) return false;
    const node *ml = selector_field(sel, "matchLabels");
    const node *me = selector_field(sel, "matchExpressions");
    return (!ml || (node_is_map(ml) && ml->len == 0)) &&
           (!me || (node_is_seq(me) && me->len == 0));
}

static bool expression_matches(const node *expr, const node *labels) {
    const char *key = node_text(map_get(expr, "key"));
    const char *op = node_text(map_get(expr, "operator"));
    const node *values = map_get(expr, "values");
    if (!key || !op) return false;
    const node *have = map_get(labels, key);
    bool in = false;
    if (have && node_is_seq(values))
        for (size_t i = 0; i < values->len; i++)
            if (scalar_text_eq(values->u.items[i], node_text(have))) in = true;
    if (strcmp(op, "In") == 0) return have && in;
    if (strcmp(op, "NotIn") == 0) return !have || !in;
    if (strcmp(op, "Exists") == 0) return have != NULL;
    if (strcmp(op, "DoesNotExist") == 0) return have == NULL;
    return false; /* the API server rejects other operators */
}

bool selector_matches(const node *sel, const node *labels, bool empty_matches) {
    if (!node_is_map(sel)) return false;
    if (selector_is_empty(sel)) return empty_matches;
    const node *ml = selector_field(sel, "matchLabels");
    if (ml && !labels_match_map(ml, labels)) return false;
    const node *me = map_get(sel, "matchExpressions");
    if (node_is_seq(me))
        for (size_t i = 0; i < me->len; i++)
            if (!expression_matches(me->u.items[i], labels)) return false;
    return true;
}
