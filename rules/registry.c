/* registry.c: the one table of rules and diagnostics.  `hitless rules`,
 * `hitless explain`, the README table, JSON/SARIF rule metadata and the
 * config validator all read these rows. */
#include <string.h>

#include "hitless.h"
#include "rules.h"

const rule_param param_table[] = {
    {"min-shutdown-seconds", 30, 0, 86400,
     "seconds a container needs between the end of its preStop wait and "
     "SIGKILL to finish in-flight requests and close connections"},
};
const size_t param_count = sizeof param_table / sizeof *param_table;


const rule rule_table[] = {
    /* ---- pod rules ---- */
    {"readiness-probe-missing", SEV_ERROR, SCOPE_OBJECT,
     "A serving container has no readinessProbe.",
     "Without a readiness probe the kubelet marks the pod ready as soon as "
     "its containers start, so the Service sends it requests before the "
     "application can answer them. Every rollout and every rescheduled pod "
     "then fails requests for as long as the app takes to boot.",
     "add a readinessProbe that asks the app itself whether it can serve",
     "readinessProbe:\n  httpGet:\n    path: /ready\n    port: http\n"
     "  periodSeconds: 5\n  failureThreshold: 2\n",
     "", check_readiness_probe_missing, NULL},
    {"prestop-hook-missing", SEV_WARNING, SCOPE_OBJECT,
     "A serving container has no preStop hook.",
     "When a pod is deleted, the kubelet sends SIGTERM while the endpoint "
     "controller, kube-proxy, ingress controllers and cloud load balancers "
     "are still removing the pod from their tables. An app that exits on "
     "SIGTERM at once keeps receiving connections for a few seconds after it "
     "stopped listening: those requests fail. A short preStop wait keeps the "
     "app serving until every component has seen the removal.",
     "add lifecycle.preStop that waits ~5-15 s before SIGTERM is sent",
     "lifecycle:\n  preStop:\n    sleep:\n      seconds: 10   # Kubernetes 1.30+; "
     "older: exec: {command: [\"sleep\", \"10\"]}\n",
     "", check_prestop_hook_missing, NULL},
    {"grace-period-too-short", SEV_ERROR, SCOPE_OBJECT,
     "terminationGracePeriodSeconds is not longer than the preStop wait.",
     "The grace period counts from the moment deletion starts, and the preStop "
     "hook runs inside it. If the grace period ends before or as the hook "
     "ends, the kubelet gives up on the hook and sends SIGTERM with only its "
     "2-second minimum left before SIGKILL, so in-flight requests are cut "
     "off.",
     "make terminationGracePeriodSeconds the preStop wait plus time to drain",
     "spec:\n  terminationGracePeriodSeconds: 45   # preStop 10 s + 35 s to "
     "drain\n",
     "", check_grace_period_too_short, NULL},
    {"grace-period-margin", SEV_WARNING, SCOPE_OBJECT,
     "Little time is left between the end of the preStop wait and SIGKILL.",
     "After the preStop wait the app gets SIGTERM and must finish in-flight "
     "requests and close keep-alive connections before the grace period "
     "ends. With only a few seconds left, slow requests are killed.",
     "raise terminationGracePeriodSeconds so that min-shutdown-seconds remain "
     "after preStop",
     "spec:\n  terminationGracePeriodSeconds: 45   # preStop 10 s + 35 s\n",
     "min-shutdown-seconds", check_grace_period_margin, NULL},
    {"liveness-probe-missing", SEV_INFO, SCOPE_OBJECT,
     "A serving container has no livenessProbe.",
     "A process that hangs (deadlock, exhausted pool) but does not exit keeps "
     "its pod running; with a readiness probe it leaves rotation, without "
     "one it keeps failing requests, and nothing restarts it.",
     "add a livenessProbe that fails only when the process must be restarted",
     "livenessProbe:\n  httpGet:\n    path: /healthz\n    port: http\n"
     "  periodSeconds: 10\n  failureThreshold: 6\n",
     "", check_liveness_probe_missing, NULL},
    {"liveness-equals-readiness", SEV_WARNING, SCOPE_OBJECT,
     "The livenessProbe is the same check as the readinessProbe.",
     "Readiness says 'do not send me traffic now'; liveness says 'kill me'. "
     "When both are the same check, a pod that is merely slow under load is "
     "restarted instead of being taken out of rotation, which moves its load "
     "to the others until they too fail and restart: a cascading outage.",
     "give liveness a cheaper endpoint or a larger failureThreshold/period",
     "readinessProbe:\n  httpGet: {path: /ready, port: http}\n  "
     "failureThreshold: 2\nlivenessProbe:\n  httpGet: {path: /healthz, port: "
     "http}\n  failureThreshold: 6\n",
     "", check_liveness_equals_readiness, NULL},
    {"probe-port-unknown", SEV_ERROR, SCOPE_OBJECT,
     "A probe or lifecycle hook names a port the container does not define.",
     "A named port in a probe or hook is looked up among the container's own "
     "ports. If no containerPort has that name, the probe fails every time: "
     "the pod never becomes ready (or is restarted forever), and a rollout "
     "stalls.",
     "name the port in ports[] or use the port number",
     "ports:\n- name: http\n  containerPort: 8080\nreadinessProbe:\n  "
     "httpGet: {path: /ready, port: http}\n",
     "", check_probe_port_unknown, NULL},
    {"sigterm-not-forwarded", SEV_WARNING, SCOPE_OBJECT,
     "The container's command is a shell script that does not pass SIGTERM on.",
     "With `command: [sh, -c, ...]` the shell is PID 1. PID 1 ignores signals "
     "it has no handler for, and the shell does not forward SIGTERM to the "
     "program it started, so the app never hears that it should stop and is "
     "SIGKILLed at the end of the grace period with requests in flight.",
     "start the last command with exec (or trap TERM and forward it)",
     "command: [\"sh\", \"-c\", \"prepare-config && exec my-server --port "
     "8080\"]\n",
     "", check_sigterm_not_forwarded, NULL},
    {"standalone-pod", SEV_WARNING, SCOPE_OBJECT,
     "A Pod has no controller.",
     "`kubectl drain` evicts (or, with --force, deletes) bare pods and "
     "nothing recreates them: the service is gone until someone applies the "
     "manifest again.",
     "run the pod from a Deployment (or StatefulSet) instead",
     "apiVersion: apps/v1\nkind: Deployment\nspec:\n  replicas: 2\n  "
     "template:\n    # the Pod's metadata and spec go here\n",
     "", check_standalone_pod, NULL},
    /* ---- workload rules ---- */
    {"single-replica", SEV_WARNING, SCOPE_SET,
     "A workload runs fewer than two replicas.",
     "With one replica, evicting its pod during a node drain, or losing its "
     "node, leaves the service with no pod at all until a new one starts "
     "and becomes ready.",
     "run at least two replicas (or an HPA with minReplicas >= 2)",
     "spec:\n  replicas: 2\n",
     "", NULL, check_single_replica},
    {"recreate-strategy", SEV_ERROR, SCOPE_OBJECT,
     "A Deployment uses the Recreate strategy.",
     "Recreate scales the old ReplicaSet to zero before the new one starts, "
     "so every update is a full outage for as long as the new pods take to "
     "become ready.",
     "use a RollingUpdate that starts new pods first",
     "strategy:\n  type: RollingUpdate\n  rollingUpdate:\n    maxSurge: 1\n"
     "    maxUnavailable: 0\n",
     "", check_recreate_strategy, NULL},
    {"rolling-update-unavailable", SEV_ERROR, SCOPE_OBJECT,
     "The rolling update may take every replica down at once.",
     "maxUnavailable is how many pods the Deployment controller may stop "
     "before replacements are ready. When it resolves to the replica count "
     "or more, a rollout can stop all of them together.",
     "lower maxUnavailable (0 with maxSurge >= 1 is surge-first)",
     "strategy:\n  rollingUpdate:\n    maxSurge: 25%\n    maxUnavailable: 0\n",
     "", check_rolling_update_unavailable, NULL},
    {"missing-node-spread", SEV_INFO, SCOPE_OBJECT,
     "Nothing keeps the replicas on different nodes.",
     "The scheduler may place every replica on the same node. Draining or "
     "losing that node then stops them all, however many there are.",
     "add a topologySpreadConstraint (or pod anti-affinity) on "
     "kubernetes.io/hostname",
     "topologySpreadConstraints:\n- maxSkew: 1\n  topologyKey: "
     "kubernetes.io/hostname\n  whenUnsatisfiable: ScheduleAnyway\n  "
     "labelSelector:\n    matchLabels: {app: web}\n",
     "", check_missing_node_spread, NULL},
    {"local-traffic-without-surge", SEV_ERROR, SCOPE_SET,
     "externalTrafficPolicy: Local in front of a rollout that is not surge-first.",
     "With externalTrafficPolicy: Local a node only forwards load-balancer "
     "traffic to its own pods. When a rollout stops the last ready pod on a "
     "node before a new one is ready there, the load balancer keeps sending "
     "traffic to that node until its health check notices, and it is dropped. "
     "Surge-first updates (maxUnavailable 0) always add a pod before taking "
     "one away.",
     "use maxUnavailable: 0 and maxSurge >= 1 on the selected Deployment",
     "strategy:\n  type: RollingUpdate\n  rollingUpdate:\n    maxSurge: 1\n"
     "    maxUnavailable: 0\n",
     "", NULL, check_local_traffic_without_surge},
    /* ---- disruption budgets ---- */
    {"pdb-missing", SEV_WARNING, SCOPE_SET,
     "A replicated Deployment or StatefulSet has no PodDisruptionBudget.",
     "`kubectl drain` evicts pods through the eviction API, which only holds "
     "back when a PodDisruptionBudget says so. Without one, draining nodes "
     "can evict every replica at the same time.",
     "add a PDB that selects the pods and allows one disruption",
     "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: "
     "web\nspec:\n  maxUnavailable: 1\n  selector:\n    matchLabels: {app: "
     "web}\n  unhealthyPodEvictionPolicy: AlwaysAllow\n",
     "", NULL, check_pdb_missing},
    {"pdb-blocks-eviction", SEV_ERROR, SCOPE_SET,
     "A PodDisruptionBudget allows no voluntary disruption.",
     "If the budget can never allow an eviction (maxUnavailable 0, "
     "minAvailable 100%, or minAvailable at least the replica count), "
     "`kubectl drain` retries forever and node maintenance and cluster "
     "upgrades stall.",
     "allow at least one disruption, e.g. maxUnavailable: 1",
     "spec:\n  maxUnavailable: 1\n",
     "", NULL, check_pdb_blocks_eviction},
    {"pdb-overlap", SEV_ERROR, SCOPE_SET,
     "A workload's pods are matched by more than one PodDisruptionBudget.",
     "The eviction API refuses to evict a pod that more than one budget "
     "covers, so every drain of a node running these pods fails.",
     "keep exactly one PDB per set of pods; make the selectors disjoint",
     "spec:\n  selector:\n    matchLabels: {app: web, tier: frontend}\n",
     "", NULL, check_pdb_overlap},
    {"pdb-matches-nothing", SEV_WARNING, SCOPE_SET,
     "A PodDisruptionBudget selects no workload.",
     "A budget whose selector matches no pod protects nothing; usually its "
     "labels have a typo or drifted from the workload's template labels.",
     "make spec.selector match the workload's pod template labels",
     "spec:\n  selector:\n    matchLabels: {app: web}   # = "
     "spec.template.metadata.labels of the workload\n",
     "", NULL, check_pdb_matches_nothing},
    {"pdb-unhealthy-pod-policy", SEV_INFO, SCOPE_SET,
     "A PodDisruptionBudget lacks unhealthyPodEvictionPolicy: AlwaysAllow.",
     "By default pods that are running but not ready still count against the "
     "budget, so a few crash-looping pods can block every drain. AlwaysAllow "
     "(policy/v1, Kubernetes 1.27+) lets drains evict pods that are not "
     "serving anyway.",
     "set spec.unhealthyPodEvictionPolicy: AlwaysAllow",
     "spec:\n  unhealthyPodEvictionPolicy: AlwaysAllow\n",
     "", NULL, check_pdb_unhealthy_pod_policy},
    /* ---- services ---- */
    {"service-selects-nothing", SEV_WARNING, SCOPE_SET,
     "A Service's selector matches no workload.",
     "A Service whose selector matches no pod has no endpoints: every "
     "request to it fails.",
     "make spec.selector match the workload's pod template labels",
     "spec:\n  selector:\n    app: web   # = spec.template.metadata.labels of "
     "the workload\n",
     "", NULL, check_service_selects_nothing},
    {"service-target-port-unknown", SEV_ERROR, SCOPE_SET,
     "A Service targetPort names a port no selected container defines.",
     "A named targetPort is resolved in each selected pod. Pods without a "
     "containerPort of that name get no endpoint for the port, so traffic to "
     "it fails.",
     "name the containerPort, or use its number as targetPort",
     "# Service\nports:\n- port: 80\n  targetPort: http\n# container\nports:\n"
     "- name: http\n  containerPort: 8080\n",
     "", NULL, check_service_target_port_unknown},
    /* ---- autoscaling ---- */
    {"hpa-min-replicas", SEV_WARNING, SCOPE_OBJECT,
     "A HorizontalPodAutoscaler may scale down to one pod.",
     "At its floor the workload runs a single pod, and a node drain or a "
     "rollout at that moment leaves no pod serving.",
     "set minReplicas to 2 or more",
     "spec:\n  minReplicas: 2\n",
     "", check_hpa_min_replicas, NULL},
    {"replicas-with-hpa", SEV_WARNING, SCOPE_SET,
     "A workload scaled by an HPA also sets spec.replicas.",
     "Every `kubectl apply` of the manifest resets the replica count to the "
     "fixed value, overriding what the HPA chose: a loaded workload is "
     "scaled down until the HPA reacts.",
     "remove spec.replicas and let the HPA own the count",
     "spec:\n  # replicas: 3   <- remove; the HPA sets it\n",
     "", NULL, check_replicas_with_hpa},
    /* ---- diagnostics ---- */
    {"yaml-syntax", SEV_ERROR, SCOPE_DIAGNOSTIC,
     "The file is not valid YAML or JSON.",
     "kubectl would refuse the file; nothing in it can be checked.",
     "fix the syntax at the position shown", "", "", NULL, NULL},
    {"not-a-manifest", SEV_INFO, SCOPE_DIAGNOSTIC,
     "A document is not a Kubernetes object and was skipped.",
     "Documents without apiVersion and kind (values files, kustomization "
     "files, empty files) are not objects; they are noted so that nothing is "
     "skipped silently.",
     "lint only manifests, or ignore the note", "", "", NULL, NULL},
    {"template-not-rendered", SEV_ERROR, SCOPE_DIAGNOSTIC,
     "The file is an unrendered Helm template.",
     "`{{ }}` actions are filled in by Helm; what gets applied is the "
     "rendered output, so that is what must be linted.",
     "pipe the rendered chart: helm template RELEASE CHART | hitless lint -",
     "", "", NULL, NULL},
    {"invalid-value", SEV_ERROR, SCOPE_DIAGNOSTIC,
     "A field has the wrong type or is out of range.",
     "The API server would reject the object (or read it differently), and "
     "rules cannot reason about the field.",
     "fix the value as the message says", "", "", NULL, NULL},
    {"duplicate-key", SEV_ERROR, SCOPE_DIAGNOSTIC,
     "A mapping has the same key twice.",
     "kubectl's strict field validation rejects the object, and tools that "
     "accept it disagree on which value wins.",
     "keep one of the keys", "", "", NULL, NULL},
    {"duplicate-object", SEV_WARNING, SCOPE_DIAGNOSTIC,
     "The same object (kind, namespace, name) is defined more than once.",
     "Only one of the copies survives an apply, yet both are linted and "
     "matched against the other objects of the set. Usually two renderings "
     "or two environments were linted together: lint each on its own.",
     "lint one rendering per run, or remove the copy", "", "", NULL, NULL},
    {"ignore-without-reason", SEV_ERROR, SCOPE_DIAGNOSTIC,
     "A suppression annotation has no reason.",
     "A suppression must say why the finding does not apply, so that reviewers "
     "can judge it later; one without a reason is not honoured.",
     "write the reason as the annotation's value",
     "metadata:\n  annotations:\n    ignore.hitless.dev/pdb-missing: \"batch "
     "workers, drained by the queue\"\n",
     "", NULL, NULL},
    {"input-unreadable", SEV_ERROR, SCOPE_DIAGNOSTIC,
     "An input path could not be read.",
     "A missing file, a directory loop, a FIFO or device, or a read error: "
     "nothing in it was checked.",
     "check the path and its permissions", "", "", NULL, NULL},
    {"input-limit", SEV_ERROR, SCOPE_DIAGNOSTIC,
     "An input exceeds a safety limit.",
     "Inputs are bounded (size, nesting, alias expansion, documents) so that "
     "a hostile or broken file cannot exhaust memory or time.",
     "split or simplify the input", "", "", NULL, NULL},
};
const size_t rule_count = sizeof rule_table / sizeof *rule_table;

ssize_t rule_index(const char *id) {
    for (size_t i = 0; i < rule_count; i++)
        if (strcmp(rule_table[i].id, id) == 0) return (ssize_t)i;
    return -1;
}

const rule *rule_find(const char *id) {
    ssize_t i = rule_index(id);
    return i < 0 ? NULL : &rule_table[i];
}
