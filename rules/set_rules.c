/* set_rules.c: rules that relate objects of one namespace: replica counts
 * under HPAs, PodDisruptionBudgets, Services.  Each reads the indexes that
 * set_index_build made, so the whole pass is linear in the set. */
#include <stdio.h>
#include <string.h>

#include "rules.h"

static bool has_replica_count(const object *o) {
    return o->wk && !o->controlled && o->wk->replicas_path && o->replicas_valid;
}

static void relate_all(check_ctx *ctx, finding *f, const object **objs,
                       size_t n) {
    for (size_t i = 0; f && i < n; i++) finding_relate(ctx, f, objs[i]);
}

void check_single_replica(check_ctx *ctx, const manifest_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const object *o = s->objects[i];
        if (!has_replica_count(o)) continue;
        int64_t r = o->effective_replicas;
        if (r == 0 || r >= 2) continue;
        finding *f;
        if (o->hpa) {
            f = check_report(ctx, o, map_get_path(o->hpa->root, "spec.minReplicas"),
                             NULL,
                             "%s %s can be scaled down to %lld replica by "
                             "HorizontalPodAutoscaler %s: draining its node is "
                             "an outage",
                             o->kind, o->name, (long long)r, o->hpa->name);
            /* The finding belongs to the workload even when the HPA's
             * minReplicas is the line to change. */
            if (f) {
                f->file = o->file;
                const node *at = map_get_path(o->root, o->wk->replicas_path);
                if (!at) at = o->root;
                f->line = at->line;
                f->col = at->col;
                finding_relate(ctx, f, o->hpa);
            }
        } else {
            check_report(ctx, o, map_get_path(o->root, o->wk->replicas_path),
                         NULL,
                         "%s %s runs %lld replica%s: draining its node is an "
                         "outage",
                         o->kind, o->name, (long long)r,
                         o->replicas_set ? "" : " (spec.replicas defaults to 1)");
        }
    }
}

static bool is_local_external_service(const object *svc) {
    const node *spec = map_get(svc->root, "spec");
    const char *type = node_text(map_get(spec, "type"));
    const char *etp = node_text(map_get(spec, "externalTrafficPolicy"));
    return type && etp && strcmp(etp, "Local") == 0 &&
           (strcmp(type, "LoadBalancer") == 0 || strcmp(type, "NodePort") == 0);
}

void check_local_traffic_without_surge(check_ctx *ctx, const manifest_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const object *w = s->objects[i];
        if (!object_is(w, "Deployment") || !has_replica_count(w)) continue;
        /* Scaled to zero: no pod to roll, and percentages of 0 resolve to
         * 0/0, which would read as "maxUnavailable 1" for any strategy. */
        if (w->effective_replicas == 0) continue;
        const object *svc = NULL;
        for (size_t j = 0; j < w->nservices && !svc; j++)
            if (is_local_external_service(w->services[j])) svc = w->services[j];
        if (!svc) continue;
        rollout ro = deployment_rollout(w, w->effective_replicas);
        if (!ro.valid) continue;
        if (!ro.recreate && ro.unavailable == 0 && ro.surge >= 1) continue;
        const node *at = map_get_path(w->root, "spec.strategy");
        if (!ro.recreate && ro.unavailable_node) at = ro.unavailable_node;
        finding *f;
        if (ro.recreate)
            f = check_report(ctx, w, at, NULL,
                             "Deployment %s uses Recreate behind Service %s "
                             "with externalTrafficPolicy: Local: nodes lose "
                             "their last local pod during every update",
                             w->name, svc->name);
        else
            f = check_report(ctx, w, at, NULL,
                             "Deployment %s is behind Service %s with "
                             "externalTrafficPolicy: Local but its rollout is "
                             "not surge-first (maxSurge %lld, maxUnavailable "
                             "%lld)",
                             w->name, svc->name, (long long)ro.surge,
                             (long long)ro.unavailable);
        for (size_t j = 0; f && j < w->nservices; j++)
            if (is_local_external_service(w->services[j]))
                finding_relate(ctx, f, w->services[j]);
    }
}

void check_pdb_missing(check_ctx *ctx, const manifest_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const object *o = s->objects[i];
        if (!object_is(o, "Deployment") && !object_is(o, "StatefulSet")) continue;
        if (!has_replica_count(o) || o->effective_replicas < 2 || o->npdbs) continue;
        check_report(ctx, o, NULL, NULL,
                     "%s %s runs %lld replicas and no PodDisruptionBudget "
                     "matches its pods: a drain may evict them all at once",
                     o->kind, o->name, (long long)o->effective_replicas);
    }
}

static bool is_pdb(const object *o) {
    return object_is(o, "PodDisruptionBudget") &&
           strncmp(o->api_version, "policy/", 7) == 0;
}

void check_pdb_blocks_eviction(check_ctx *ctx, const manifest_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const object *pdb = s->objects[i];
        if (!is_pdb(pdb)) continue;
        const node *spec = map_get(pdb->root, "spec");
        const node *min = map_get(spec, "minAvailable");
        const node *max = map_get(spec, "maxUnavailable");
        int64_t v;
        finding *f = NULL;
        if (max && intorpct_resolve(max, 100, true, false, &v) && v == 0) {
            f = check_report(ctx, pdb, max, NULL,
                             "PodDisruptionBudget %s has maxUnavailable %s: "
                             "no pod can ever be evicted, so drains hang",
                             pdb->name, max->u.str);
            relate_all(ctx, f, pdb->selected, pdb->nselected);
            continue;
        }
        if (!min || max) continue;
        if (node_is_str(min) && strcmp(min->u.str, "100%") == 0) {
            f = check_report(ctx, pdb, min, NULL,
                             "PodDisruptionBudget %s has minAvailable 100%%: "
                             "no pod can ever be evicted, so drains hang",
                             pdb->name);
            relate_all(ctx, f, pdb->selected, pdb->nselected);
            continue;
        }
        /* The disruption controller weighs minAvailable against every pod
         * the budget selects (getExpectedPodCount): the scales of all the
         * matched workloads add up, so a budget over two Deployments of 2
         * with minAvailable 2 still allows two evictions.  A matched
         * DaemonSet's pod count depends on the nodes: no verdict then. */
        int64_t total = 0;
        size_t counted = 0;
        const object *only = NULL;
        bool unknown = false;
        for (size_t j = 0; j < pdb->nselected; j++) {
            const object *w = pdb->selected[j];
            if (w->controlled) continue; /* counted through its owner */
            if (has_replica_count(w))
                total += w->effective_replicas;
            else if (object_is(w, "Pod"))
                total += 1; /* a bare Pod is one pod */
            else
                unknown = true; /* a DaemonSet, or an invalid replica count */
            counted++;
            only = w;
        }
        int64_t need;
        if (unknown || total < 1 ||
            !intorpct_resolve(min, total, true, false, &need) || need < total)
            continue;
        if (counted == 1)
            f = check_report(ctx, pdb, min, NULL,
                             "PodDisruptionBudget %s requires %lld available "
                             "pods but %s %s runs %lld: no pod can be evicted, "
                             "so drains hang",
                             pdb->name, (long long)need, only->kind, only->name,
                             (long long)total);
        else
            f = check_report(ctx, pdb, min, NULL,
                             "PodDisruptionBudget %s requires %lld available "
                             "pods but the %zu workloads it matches run %lld "
                             "together: no pod can be evicted, so drains hang",
                             pdb->name, (long long)need, counted, (long long)total);
        for (size_t j = 0; f && j < pdb->nselected; j++)
            if (!pdb->selected[j]->controlled) finding_relate(ctx, f, pdb->selected[j]);
    }
}

void check_pdb_overlap(check_ctx *ctx, const manifest_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const object *o = s->objects[i];
        if (!o->wk || o->controlled || o->npdbs < 2) continue;
        finding *f = check_report(ctx, o, o->pod_meta ? o->pod_meta : NULL, NULL,
                                  "%s %s is matched by %zu PodDisruptionBudgets "
                                  "(%s, %s%s): the eviction API refuses its "
                                  "pods",
                                  o->kind, o->name, o->npdbs, o->pdbs[0]->name,
                                  o->pdbs[1]->name, o->npdbs > 2 ? ", ..." : "");
        relate_all(ctx, f, o->pdbs, o->npdbs);
    }
}

void check_pdb_matches_nothing(check_ctx *ctx, const manifest_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const object *pdb = s->objects[i];
        if (!is_pdb(pdb) || pdb->nselected || !set_namespace_workloads(s, pdb->ns)) continue;
        const node *sel = map_get_path(pdb->root, "spec.selector");
        bool beta_empty = selector_is_empty(sel) &&
                          strcmp(pdb->api_version, "policy/v1") != 0;
        check_report(ctx, pdb, sel, NULL,
                     "PodDisruptionBudget %s %s no workload in namespace %s",
                     pdb->name,
                     !sel ? "has no selector, so it matches"
                     : beta_empty ? "has an empty policy/v1beta1 selector, which matches"
                                  : "matches",
                     pdb->ns);
    }
}

void check_pdb_unhealthy_pod_policy(check_ctx *ctx, const manifest_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const object *pdb = s->objects[i];
        if (!object_is(pdb, "PodDisruptionBudget") ||
            strcmp(pdb->api_version, "policy/v1") != 0)
            continue;
        const node *spec = map_get(pdb->root, "spec");
        const node *pol = map_get(spec, "unhealthyPodEvictionPolicy");
        const char *p = node_text(pol);
        if (p && strcmp(p, "AlwaysAllow") == 0) continue;
        if (p)
            check_report(ctx, pdb, pol, NULL,
                         "PodDisruptionBudget %s uses unhealthyPodEvictionPolicy "
                         "%s: unready pods count against the budget and can "
                         "block drains",
                         pdb->name, p);
        else
            check_report(ctx, pdb, pol ? pol : spec, NULL,
                         "PodDisruptionBudget %s does not set "
                         "unhealthyPodEvictionPolicy: AlwaysAllow: unready pods "
                         "count against the budget and can block drains",
                         pdb->name);
    }
}

void check_service_selects_nothing(check_ctx *ctx, const manifest_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const object *svc = s->objects[i];
        if (!object_is(svc, "Service") || strcmp(svc->api_version, "v1") != 0)
            continue;
        const node *sel = map_get_path(svc->root, "spec.selector");
        if (!node_is_map(sel) || sel->len == 0 || svc->nselected) continue;
        if (!set_namespace_workloads(s, svc->ns)) continue;
        check_report(ctx, svc, sel, NULL,
                     "Service %s selects no workload in namespace %s: it has "
                     "no endpoints",
                     svc->name, svc->ns);
    }
}

static bool workload_has_port_named(const object *w, const char *name) {
    container_iter it;
    for (container_iter_init(&it, w); container_next(&it);)
        if (container_has_port_named(it.c, name)) return true;
    return false;
}

void check_service_target_port_unknown(check_ctx *ctx, const manifest_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const object *svc = s->objects[i];
        if (!object_is(svc, "Service") || !svc->nselected) continue;
        const node *ports = map_get_path(svc->root, "spec.ports");
        for (size_t p = 0; node_is_seq(ports) && p < ports->len; p++) {
            const node *tp = map_get(ports->u.items[p], "targetPort");
            if (!node_is_str(tp)) continue;
            finding *f = NULL;
            for (size_t j = 0; j < svc->nselected; j++) {
                const object *w = svc->selected[j];
                if (workload_has_port_named(w, tp->u.str)) continue;
                if (!f)
                    f = check_report(ctx, svc, tp, NULL,
                                     "Service %s targetPort \"%s\" names no "
                                     "containerPort of %s %s: that port has no "
                                     "endpoints there",
                                     svc->name, tp->u.str, w->kind, w->name);
                finding_relate(ctx, f, w);
            }
        }
    }
}

void check_replicas_with_hpa(check_ctx *ctx, const manifest_set *s) {
    for (size_t i = 0; i < s->n; i++) {
        const object *o = s->objects[i];
        if (!o->hpa || !o->replicas_set || o->controlled) continue;
        finding *f = check_report(ctx, o, map_get_path(o->root, o->wk->replicas_path),
                                  NULL,
                                  "%s %s sets spec.replicas but "
                                  "HorizontalPodAutoscaler %s scales it: every "
                                  "apply resets the count",
                                  o->kind, o->name, o->hpa->name);
        finding_relate(ctx, f, o->hpa);
    }
}
