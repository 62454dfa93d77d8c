/* rules.h: check functions named by the registry, and what they share. */
#ifndef HITLESS_RULES_H
#define HITLESS_RULES_H

#include "hitless.h"

void check_readiness_probe_missing(check_ctx *, const object *);
void check_prestop_hook_missing(check_ctx *, const object *);
void check_grace_period_too_short(check_ctx *, const object *);
void check_grace_period_margin(check_ctx *, const object *);
void check_liveness_probe_missing(check_ctx *, const object *);
void check_liveness_equals_readiness(check_ctx *, const object *);
void check_probe_port_unknown(check_ctx *, const object *);
void check_sigterm_not_forwarded(check_ctx *, const object *);
void check_standalone_pod(check_ctx *, const object *);
void check_recreate_strategy(check_ctx *, const object *);
void check_rolling_update_unavailable(check_ctx *, const object *);
void check_missing_node_spread(check_ctx *, const object *);
void check_hpa_min_replicas(check_ctx *, const object *);

void check_single_replica(check_ctx *, const manifest_set *);
void check_local_traffic_without_surge(check_ctx *, const manifest_set *);
void check_pdb_missing(check_ctx *, const manifest_set *);
void check_pdb_blocks_eviction(check_ctx *, const manifest_set *);
void check_pdb_overlap(check_ctx *, const manifest_set *);
void check_pdb_matches_nothing(check_ctx *, const manifest_set *);
void check_pdb_unhealthy_pod_policy(check_ctx *, const manifest_set *);
void check_service_selects_nothing(check_ctx *, const manifest_set *);
void check_service_target_port_unknown(check_ctx *, const manifest_set *);
void check_replicas_with_hpa(check_ctx *, const manifest_set *);

/* Containers of a workload's pod spec that are mappings, with their names. */
typedef struct container_iter {
    const node *list;
    size_t i;
    const node *c;
    const char *name;
} container_iter;

void container_iter_init(container_iter *it, const object *o);
bool container_next(container_iter *it);
/* A container that serves traffic: declares a containerPort, or belongs to
 * a pod template that a Service of the set selects. */
bool container_is_serving(const object *o, const node *c);
bool container_has_port_named(const node *c, const char *name);

/* Resolved Deployment rolling update (maxSurge, maxUnavailable against
 * replicas R).  False when the strategy is Recreate or a value is invalid. */
typedef struct rollout {
    bool recreate;
    bool valid;
    bool forced; /* both resolved to 0, so maxUnavailable was raised to 1 */
    int64_t surge, unavailable;
    const node *surge_node, *unavailable_node;
} rollout;
rollout deployment_rollout(const object *o, int64_t replicas);

/* terminationGracePeriodSeconds, default 30; node is NULL when defaulted. */
int64_t grace_period(const object *o, const node **at);

#endif
