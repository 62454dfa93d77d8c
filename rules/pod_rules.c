/* pod_rules.c: rules about the containers of one pod template. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "rules.h"

void container_iter_init(container_iter *it, const object *o) {
    memset(it, 0, sizeof *it);
    it->list = map_get(o->pod_spec, "containers");
}

bool container_next(container_iter *it) {
    while (node_is_seq(it->list) && it->i < it->list->len) {
        const node *c = it->list->u.items[it->i++];
        if (!node_is_map(c)) continue;
        it->c = c;
        const char *name = node_text(map_get(c, "name"));
        it->name = name ? name : "<unnamed>";
        return true;
    }
    return false;
}

bool container_is_serving(const object *o, const node *c) {
    if (o->service_selected) return true;
    const node *ports = map_get(c, "ports");
    for (size_t i = 0; node_is_seq(ports) && i < ports->len; i++)
        if (map_get(ports->u.items[i], "containerPort")) return true;
    return false;
}

bool container_has_port_named(const node *c, const char *name) {
    const node *ports = map_get(c, "ports");
    for (size_t i = 0; node_is_seq(ports) && i < ports->len; i++) {
        const char *n = node_text(map_get(ports->u.items[i], "name"));
        if (n && strcmp(n, name) == 0) return true;
    }
    return false;
}

int64_t grace_period(const object *o, const node **at) {
    const node *g = map_get(o->pod_spec, "terminationGracePeriodSeconds");
    int64_t v;
    if (node_int(g, &v) && v >= 0) {
        *at = g;
        return v;
    }
    *at = NULL;
    return 30; /* the API server's default */
}

void check_readiness_probe_missing(check_ctx *ctx, const object *o) {
    container_iter it;
    for (container_iter_init(&it, o); container_next(&it);)
        if (container_is_serving(o, it.c) && !map_get(it.c, "readinessProbe"))
            check_report(ctx, o, it.c, it.name,
                         "container \"%s\" has no readinessProbe: it receives "
                         "traffic before it can answer",
                         it.name);
}

void check_prestop_hook_missing(check_ctx *ctx, const object *o) {
    container_iter it;
    for (container_iter_init(&it, o); container_next(&it);)
        if (container_is_serving(o, it.c) &&
            !map_get(map_get(it.c, "lifecycle"), "preStop"))
            check_report(ctx, o, it.c, it.name,
                         "container \"%s\" has no preStop hook: it stops "
                         "while endpoints still route traffic to it",
                         it.name);
}

static void fmt_seconds(char *buf, size_t cap, int64_t ms) {
    if (ms % 1000)
        snprintf(buf, cap, "%.3g s", (double)ms / 1000);
    else
        snprintf(buf, cap, "%lld s", (long long)(ms / 1000));
}

/* Both grace rules compare G with the preStop wait P of each container. */
static void grace_rules(check_ctx *ctx, const object *o, bool margin) {
    const node *gnode;
    int64_t g = grace_period(o, &gnode);
    /* The API allows any int64; past a million years nothing overflows. */
    int64_t gms = g > INT64_MAX / 1000 ? INT64_MAX : g * 1000;
    /* A grace period that is set but invalid is reported as invalid-value;
     * judging the default in its place would name a value nobody wrote. */
    const node *set = map_get(o->pod_spec, "terminationGracePeriodSeconds");
    if (!gnode && set && !(set->kind == NODE_SCALAR && set->type == SC_NULL))
        return;
    int64_t min = config_param(ctx->cfg, "min-shutdown-seconds") * 1000;
    container_iter it;
    for (container_iter_init(&it, o); container_next(&it);) {
        const node *lc = map_get(it.c, "lifecycle");
        int64_t p;
        if (!prestop_duration_ms(lc, &p)) continue;
        const node *at = gnode ? gnode : map_get(lc, "preStop");
        char ps[32];
        fmt_seconds(ps, sizeof ps, p);
        if (!margin && gms <= p) {
            /* The kubelet stops waiting for the hook when the grace period
             * is spent, then sends SIGTERM with its 2 s minimum left
             * (minimumGracePeriodInSeconds) before SIGKILL. */
            finding *f = check_report(
                ctx, o, at, it.name,
                "terminationGracePeriodSeconds %lld%s is not longer than the "
                "%s preStop wait of container \"%s\": SIGTERM comes only 2 s "
                "before SIGKILL",
                (long long)g, gnode ? "" : " (default)", ps, it.name);
            if (f)
                f->hint = arena_printf(ctx->out->arena,
                                       "set terminationGracePeriodSeconds to "
                                       "at least %lld",
                                       (long long)((p + 999) / 1000 +
                                                   config_param(ctx->cfg, "min-shutdown-seconds")));
        } else if (margin && gms > p && gms - p < min) {
            char left[32];
            fmt_seconds(left, sizeof left, gms - p);
            finding *f = check_report(
                ctx, o, at, it.name,
                "only %s left after the %s preStop wait of container \"%s\" "
                "(terminationGracePeriodSeconds %lld%s); less than %lld s to "
                "drain",
                left, ps, it.name, (long long)g, gnode ? "" : ", the default",
                (long long)(min / 1000));
            if (f)
                f->hint = arena_printf(ctx->out->arena,
                                       "set terminationGracePeriodSeconds to "
                                       "at least %lld",
                                       (long long)((p + min + 999) / 1000));
        }
    }
}

void check_grace_period_too_short(check_ctx *ctx, const object *o) {
    grace_rules(ctx, o, false);
}

void check_grace_period_margin(check_ctx *ctx, const object *o) {
    grace_rules(ctx, o, true);
}

void check_liveness_probe_missing(check_ctx *ctx, const object *o) {
    container_iter it;
    for (container_iter_init(&it, o); container_next(&it);)
        if (container_is_serving(o, it.c) && !map_get(it.c, "livenessProbe"))
            check_report(ctx, o, it.c, it.name,
                         "container \"%s\" has no livenessProbe: a hung "
                         "process is never restarted",
                         it.name);
}

static const char *const handler_kinds[] = {"httpGet", "tcpSocket", "grpc",
                                            "exec", NULL};

static const char *text_or(const node *n, const char *def) {
    const char *t = node_text(n);
    return t ? t : def;
}

/* Same handler, with the API server's defaults filled in. */
static bool same_handler(const node *a, const node *b) {
    for (const char *const *k = handler_kinds; *k; k++) {
        const node *ha = map_get(a, *k), *hb = map_get(b, *k);
        if (!ha && !hb) continue;
        if (!ha || !hb) return false;
        if (strcmp(*k, "httpGet") != 0) return node_equal(ha, hb);
        return strcmp(text_or(map_get(ha, "path"), "/"),
                      text_or(map_get(hb, "path"), "/")) == 0 &&
               strcmp(text_or(map_get(ha, "port"), ""),
                      text_or(map_get(hb, "port"), "")) == 0 &&
               strcmp(text_or(map_get(ha, "scheme"), "HTTP"),
                      text_or(map_get(hb, "scheme"), "HTTP")) == 0 &&
               strcmp(text_or(map_get(ha, "host"), ""),
                      text_or(map_get(hb, "host"), "")) == 0 &&
               node_equal(map_get(ha, "httpHeaders"), map_get(hb, "httpHeaders"));
    }
    return false; /* neither has a handler we know */
}

static int64_t probe_field(const node *p, const char *key, int64_t def) {
    int64_t v;
    return node_int(map_get(p, key), &v) ? v : def;
}

static bool same_timing(const node *a, const node *b) {
    static const struct { const char *key; int64_t def; } fields[] = {
        {"initialDelaySeconds", 0}, {"periodSeconds", 10},
        {"timeoutSeconds", 1},      {"failureThreshold", 3},
    };
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
        if (probe_field(a, fields[i].key, fields[i].def) !=
            probe_field(b, fields[i].key, fields[i].def))
            return false;
    return true;
}

void check_liveness_equals_readiness(check_ctx *ctx, const object *o) {
    container_iter it;
    for (container_iter_init(&it, o); container_next(&it);) {
        const node *live = map_get(it.c, "livenessProbe");
        const node *ready = map_get(it.c, "readinessProbe");
        if (node_is_map(live) && node_is_map(ready) &&
            same_handler(live, ready) && same_timing(live, ready))
            check_report(ctx, o, live, it.name,
                         "livenessProbe of container \"%s\" is the same check "
                         "with the same timing as its readinessProbe",
                         it.name);
    }
}

static void check_named_port(check_ctx *ctx, const object *o,
                             const container_iter *it, const node *handler,
                             const char *what) {
    static const char *const with_ports[] = {"httpGet", "tcpSocket", "grpc", NULL};
    for (const char *const *k = with_ports; *k; k++) {
        const node *port = map_get(map_get(handler, *k), "port");
        if (!node_is_str(port) || container_has_port_named(it->c, port->u.str))
            continue;
        check_report(ctx, o, port, it->name,
                     "%s of container \"%s\" uses port \"%s\", but no "
                     "containerPort of the container has that name",
                     what, it->name, port->u.str);
    }
}

void check_probe_port_unknown(check_ctx *ctx, const object *o) {
    container_iter it;
    for (container_iter_init(&it, o); container_next(&it);) {
        check_named_port(ctx, o, &it, map_get(it.c, "readinessProbe"), "readinessProbe");
        check_named_port(ctx, o, &it, map_get(it.c, "livenessProbe"), "livenessProbe");
        check_named_port(ctx, o, &it, map_get(it.c, "startupProbe"), "startupProbe");
        const node *lc = map_get(it.c, "lifecycle");
        check_named_port(ctx, o, &it, map_get(lc, "preStop"), "preStop hook");
        check_named_port(ctx, o, &it, map_get(lc, "postStart"), "postStart hook");
    }
}

void check_sigterm_not_forwarded(check_ctx *ctx, const object *o) {
    container_iter it;
    for (container_iter_init(&it, o); container_next(&it);) {
        const node *cmd = map_get(it.c, "command");
        const node *args = map_get(it.c, "args");
        if (!node_is_seq(cmd) || cmd->len == 0) continue;
        const char *argv[256];
        size_t argc = 0;
        bool ok = true;
        for (size_t i = 0; i < cmd->len && argc < 256; i++)
            ok &= (argv[argc++] = node_text(cmd->u.items[i])) != NULL;
        for (size_t i = 0; node_is_seq(args) && i < args->len && argc < 256; i++)
            ok &= (argv[argc++] = node_text(args->u.items[i])) != NULL;
        const char *script = ok ? shell_c_script(argv, argc) : NULL;
        if (script && !shell_script_forwards_sigterm(script))
            check_report(ctx, o, cmd, it.name,
                         "container \"%s\" runs a shell as PID 1 whose last "
                         "command is not started with exec: SIGTERM never "
                         "reaches the app",
                         it.name);
    }
}

void check_standalone_pod(check_ctx *ctx, const object *o) {
    if (!object_is(o, "Pod") || !o->wk) return;
    const node *owners = map_get(o->meta, "ownerReferences");
    if (node_is_seq(owners) && owners->len > 0) return;
    check_report(ctx, o, NULL, NULL,
                 "Pod %s has no controller: nothing recreates it after "
                 "kubectl drain evicts it",
                 o->name);
}
