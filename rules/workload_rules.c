/* workload_rules.c: rules about how a workload is rolled and spread, and
 * the HPA floor. */
#include <stdio.h>
#include <string.h>

#include "rules.h"

/* The Deployment controller's ResolveFenceposts: maxSurge rounds up,
 * maxUnavailable rounds down, and when both come to 0 one pod may be
 * unavailable so that the rollout can make progress. */
rollout deployment_rollout(const object *o, int64_t replicas) {
    rollout r = {.valid = true};
    const node *st = map_get(o->root, "spec");
    st = map_get(st, "strategy");
    const char *type = node_text(map_get(st, "type"));
    if (type && strcmp(type, "Recreate") == 0) {
        r.recreate = true;
        return r;
    }
    const node *ru = map_get(st, "rollingUpdate");
    r.surge_node = map_get(ru, "maxSurge");
    r.unavailable_node = map_get(ru, "maxUnavailable");
    if (r.surge_node) {
        if (!intorpct_resolve(r.surge_node, replicas, true, true, &r.surge))
            r.valid = false;
    } else {
        intorpct_resolve_text("25%", true, replicas, true, true, &r.surge);
    }
    if (r.unavailable_node) {
        if (!intorpct_resolve(r.unavailable_node, replicas, false, false,
                              &r.unavailable))
            r.valid = false;
    } else {
        intorpct_resolve_text("25%", true, replicas, false, false, &r.unavailable);
    }
    /* Both written as 0 (or 0%): the API server refuses the Deployment,
     * which is reported as invalid-value; there is no rollout to judge. */
    int64_t s0, u0;
    if (r.surge_node && r.unavailable_node &&
        intorpct_resolve(r.surge_node, 100, false, true, &s0) &&
        intorpct_resolve(r.unavailable_node, 100, false, false, &u0) && s0 == 0 &&
        u0 == 0)
        r.valid = false;
    if (r.valid && r.surge == 0 && r.unavailable == 0) {
        r.unavailable = 1;
        r.forced = true;
    }
    return r;
}

void check_recreate_strategy(check_ctx *ctx, const object *o) {
    if (!object_is(o, "Deployment")) return;
    const node *type = map_get_path(o->root, "spec.strategy.type");
    const char *t = node_text(type);
    if (t && strcmp(t, "Recreate") == 0)
        check_report(ctx, o, type, NULL,
                     "Deployment %s uses strategy Recreate: every update "
                     "stops all pods before new ones start",
                     o->name);
}

void check_rolling_update_unavailable(check_ctx *ctx, const object *o) {
    if (!object_is(o, "Deployment") || !o->replicas_valid) return;
    int64_t r = o->effective_replicas;
    if (r < 1) return;
    rollout ro = deployment_rollout(o, r);
    if (ro.recreate || !ro.valid || ro.unavailable < r) return;
    const node *at = ro.unavailable_node ? ro.unavailable_node
                                         : map_get_path(o->root, "spec.strategy");
    /* With an HPA, R is its floor, not spec.replicas: say so. */
    char floor[300] = "";
    if (o->hpa)
        snprintf(floor, sizeof floor, " (the minReplicas of HorizontalPodAutoscaler %s)",
                 o->hpa->name);
    finding *f = check_report(ctx, o, at, NULL,
                 "maxUnavailable resolves to %lld%s with %lld replica%s%s: a "
                 "rollout may stop every pod at once",
                 (long long)ro.unavailable,
                 ro.forced ? " (maxSurge and maxUnavailable both resolve to "
                             "0, and Kubernetes then allows 1)"
                           : "",
                 (long long)r, r == 1 ? "" : "s", floor);
    if (o->hpa) finding_relate(ctx, f, o->hpa);
}

static bool spread_key(const char *key) {
    return key && (strcmp(key, "kubernetes.io/hostname") == 0 ||
                   strcmp(key, "topology.kubernetes.io/zone") == 0 ||
                   strcmp(key, "failure-domain.beta.kubernetes.io/zone") == 0);
}

static bool term_spreads(const node *term, const node *labels) {
    return spread_key(node_text(map_get(term, "topologyKey"))) &&
           selector_matches(map_get(term, "labelSelector"), labels, true);
}

static bool spreads_across_nodes(const object *o) {
    const node *anti = map_get_path(o->pod_spec, "affinity.podAntiAffinity");
    const node *req = map_get(anti, "requiredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; node_is_seq(req) && i < req->len; i++)
        if (term_spreads(req->u.items[i], o->pod_labels)) return true;
    const node *pref = map_get(anti, "preferredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; node_is_seq(pref) && i < pref->len; i++)
        if (term_spreads(map_get(pref->u.items[i], "podAffinityTerm"), o->pod_labels))
            return true;
    /* A spread constraint counts the pods its labelSelector picks; one that
     * does not pick its own pods spreads nothing.  matchLabelKeys only
     * narrows the labelSelector (the two are ANDed, and the API server
     * refuses matchLabelKeys without a labelSelector), and its values are
     * the pod's own, so the labelSelector alone decides. */
    const node *tsc = map_get(o->pod_spec, "topologySpreadConstraints");
    for (size_t i = 0; node_is_seq(tsc) && i < tsc->len; i++) {
        const node *c = tsc->u.items[i];
        if (spread_key(node_text(map_get(c, "topologyKey"))) &&
            selector_matches(map_get(c, "labelSelector"), o->pod_labels, true))
            return true;
    }
    return false;
}

void check_missing_node_spread(check_ctx *ctx, const object *o) {
    if (!o->wk || !o->wk->replicas_path || !o->replicas_valid) return;
    if (o->effective_replicas < 2 || !o->pod_spec) return;
    if (spreads_across_nodes(o)) return;
    check_report(ctx, o, o->pod_spec, NULL,
                 "%lld replicas with no pod anti-affinity or topology spread "
                 "on a node or zone key: they may all run on one node",
                 (long long)o->effective_replicas);
}

void check_hpa_min_replicas(check_ctx *ctx, const object *o) {
    if (!object_is(o, "HorizontalPodAutoscaler")) return;
    const node *spec = map_get(o->root, "spec");
    if (!node_is_map(spec)) return;
    const node *mn = map_get(spec, "minReplicas");
    int64_t min = 1;
    if (mn && !node_int(mn, &min)) return; /* reported as invalid-value */
    if (min >= 2) return;
    const char *target = node_text(map_get_path(spec, "scaleTargetRef.name"));
    check_report(ctx, o, mn ? mn : spec, NULL,
                 "minReplicas is %lld%s: at its floor %s runs %s",
                 (long long)min, mn ? "" : " (the default)",
                 target ? target : "the target",
                 min == 1 ? "a single pod" : "no pod");
}
