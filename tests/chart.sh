#!/usr/bin/env bash
# The Helm chart (charts/hitless), with the real helm of tests/tools
# (.ci/install-helm): helm lint; helm template in both certificate modes and
# with overrides, the rendered objects checked with python3 + PyYAML; the
# generated certificates checked with openssl and served by the real binary
# with the rendered flags; the webhook's CEL match condition evaluated by a
# CEL implementation; the reuse of an existing Secret (lookup) against a
# minimal fake API server; and every rendering linted by hitless itself.
. "$(dirname "$0")/lib.sh"
HELM=${HELM:-$ROOT/tests/tools/bin/helm}
CHART=$ROOT/charts/hitless
CEL=$ROOT/tests/tools/node_modules/@marcbachmann/cel-js/lib/index.js
REL=hitless
NS=hitless-system
cd "$TMP" || exit 1

if [ ! -x "$HELM" ]; then
    fail "no helm at $HELM (run .ci/install-deps, or .ci/install-helm)"
    finish
    exit 1
fi

# --- helm lint -----------------------------------------------------------------
run "$HELM" lint "$CHART"
expect_rc "helm lint" 0
expect_out "helm lint: no chart failed" '1 chart\(s\) linted, 0 chart\(s\) failed'
run "$HELM" lint --strict "$CHART"
expect_rc "helm lint --strict" 0
run "$HELM" lint --strict "$CHART" --set certManager.enabled=true
expect_rc "helm lint --strict, cert-manager mode" 0

# Every value is in the README's table, and every row of it is a value.
run python3 - "$CHART" <<'EOF'
import re, sys, yaml
chart = sys.argv[1]
values = yaml.safe_load(open(chart + "/values.yaml"))
whole = {"podSecurityContext", "securityContext", "resources"}  # one row each
def leaves(d, p=""):
    for k, v in d.items():
        if isinstance(v, dict) and v and p + k not in whole:
            yield from leaves(v, p + k + ".")
        else:
            yield p + k
keys = set(leaves(values))
rows = set(re.findall(r"^\| `([^`]+)` \|", open(chart + "/README.md").read(), re.M))
rows = {r for r in rows if not r[0].isupper()}  # the table of objects
print("missing:", sorted(keys - rows), "unknown:", sorted(rows - keys))
sys.exit(keys != rows)
EOF
expect_rc "README values table matches values.yaml" 0

# --- values that must be refused ------------------------------------------------------
run "$HELM" template "$REL" "$CHART" --set webhook.mode=loud
expect_rc "schema refuses webhook.mode=loud" 1
expect_err "schema message for webhook.mode" 'webhook/mode'
run "$HELM" template "$REL" "$CHART" --set replicaCont=3
expect_rc "schema refuses a misspelt key" 1
run "$HELM" template "$REL" "$CHART" --set terminationGracePeriodSeconds=12
expect_rc "grace period not above preStop + shutdown delay is refused" 1
expect_err "grace period message" 'must exceed preStopSleepSeconds'
run "$HELM" template "$REL" "$CHART" --set podDisruptionBudget.maxUnavailable=0
expect_rc "a PDB that blocks drains is refused" 1

# --- renderings --------------------------------------------------------------------------
# render NAME [helm args...]: helm template into NAME.yaml.
render() {
    local name=$1
    shift
    run "$HELM" template "$REL" "$CHART" --namespace "$NS" "$@"
    expect_rc "helm template $name" 0
    printf '%s\n' "$OUT" >"$name.yaml"
}
render generated
render certmanager --set certManager.enabled=true
render issuer --set certManager.enabled=true --set certManager.issuerRef.name=corp-ca \
    --set certManager.issuerRef.kind=ClusterIssuer
render custom --set replicaCount=3 --set webhook.failurePolicy=Fail --set webhook.mode=warn \
    --set webhook.timeoutSeconds=10 --set topologySpread.zone.enabled=true \
    --set 'webhook.excludeNamespaces={monitoring}' --set 'config.disable={liveness-probe-missing}' \
    --set config.parameters.min-shutdown-seconds=20 --set config.severity.pdb-missing=error
render rotate --set generatedCerts.rotate=true

cat >check.py <<'EOF'
# check.py FILE: assertions on a rendering; prints PASS/FAIL lines, tab-separated.
# Expectations come from the environment: MODE (generated, certmanager,
# issuer), REPLICAS, FAILURE, TIMEOUT, WMODE, ZONE, EXCLUDE (comma list).
import base64, os, sys, yaml
env = os.environ
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
mode, rel, ns = env["MODE"], env["REL"], env["NS"]
def check(name, cond, detail=""):
    print("%s\t%s\t%s" % ("PASS" if cond else "FAIL", name, str(detail)[:300]))
def kind(k):
    return [d for d in docs if d["kind"] == k]
def one(k):
    l = kind(k)
    check("one %s" % k, len(l) == 1, [d["metadata"]["name"] for d in l])
    return l[0] if l else {}
def dig(o, *path):
    for p in path:
        o = o.get(p, {}) if isinstance(o, dict) else (o[p] if isinstance(o, list) and len(o) > p else {})
    return o
def selects(sel, labels):
    return bool(sel) and all(labels.get(k) == v for k, v in sel.items())

kinds = sorted(d["kind"] for d in docs)
want = ["ConfigMap", "Deployment", "PodDisruptionBudget", "Service", "ServiceAccount",
        "ValidatingWebhookConfiguration"]
want += {"generated": ["Secret"], "certmanager": ["Certificate", "Certificate", "Issuer", "Issuer"],
         "issuer": ["Certificate"]}[mode]
check("kinds", kinds == sorted(want), kinds)
for d in docs:
    if d["kind"] != "ValidatingWebhookConfiguration":
        if d["metadata"].get("namespace") != ns:
            check("namespace of %s" % d["kind"], False, d["metadata"])

dep, svc, pdb, sa, cm = one("Deployment"), one("Service"), one("PodDisruptionBudget"), one("ServiceAccount"), one("ConfigMap")
vwc = one("ValidatingWebhookConfiguration")
pod = dep["spec"]["template"]
labels = pod["metadata"]["labels"]
spec = pod["spec"]
c = spec["containers"][0]
args = c.get("args", [])
names = [svc["metadata"]["name"] + s for s in ("", "." + ns, "." + ns + ".svc", "." + ns + ".svc.cluster.local")]

# Deployment
check("replicas", dep["spec"]["replicas"] == int(env["REPLICAS"]), dep["spec"]["replicas"])
check("selector picks the pods", selects(dep["spec"]["selector"]["matchLabels"], labels))
ru = dig(dep, "spec", "strategy", "rollingUpdate")
check("surge-first rolling update", dep["spec"]["strategy"]["type"] == "RollingUpdate" and
      ru.get("maxSurge") == 1 and ru.get("maxUnavailable") == 0, dep["spec"]["strategy"])
check("image", c["image"] == "ghcr.io/hitless-dev/hitless:0.1.0" and c["command"] == ["/usr/local/bin/hitless"],
      (c["image"], c.get("command")))
check("config checksum on the pod template",
      len(pod["metadata"].get("annotations", {}).get("checksum/config", "")) == 64)
ports = {p["name"]: p for p in c["ports"]}
check("container port https 8443", ports.get("https", {}).get("containerPort") == 8443, c["ports"])
for probe, path in (("readinessProbe", "/readyz"), ("livenessProbe", "/healthz")):
    g = dig(c, probe, "httpGet")
    check("%s GET %s over HTTPS on the named port" % (probe, path),
          g.get("path") == path and g.get("port") == "https" and g.get("scheme") == "HTTPS", c.get(probe))
pre = dig(c, "lifecycle", "preStop", "sleep", "seconds")
grace = spec.get("terminationGracePeriodSeconds")
check("native preStop sleep", pre == 10 and "exec" not in dig(c, "lifecycle", "preStop"), c.get("lifecycle"))
check("grace period exceeds preStop + 30 s", isinstance(grace, int) and grace > pre + 30, grace)
check("webhook flags", args[:1] == ["webhook"] and "--mode=" + env["WMODE"] in args and
      "--log-format=json" in args and "--deny-on=error" in args and "--shutdown-delay=2s" in args, args)
mounts = {m["name"]: m for m in c["volumeMounts"]}
vols = {v["name"]: v for v in spec["volumes"]}
check("mounts read-only, no subPath", all(m.get("readOnly") is True and "subPath" not in m for m in mounts.values()), mounts)
check("--config is the mounted ConfigMap", "--config=%s/hitless.yaml" % mounts["config"]["mountPath"] in args and
      dig(vols, "config", "configMap", "name") == cm["metadata"]["name"], args)
check("TLS flags point into the mounted Secret",
      "--tls-cert-file=%s/tls.crt" % mounts["tls"]["mountPath"] in args and
      "--tls-key-file=%s/tls.key" % mounts["tls"]["mountPath"] in args, args)
psc, csc = spec.get("securityContext", {}), c.get("securityContext", {})
check("pod security context", psc.get("runAsNonRoot") is True and psc.get("runAsUser") == 65532 and
      dig(psc, "seccompProfile", "type") == "RuntimeDefault", psc)
check("container security context", csc.get("runAsNonRoot") is True and csc.get("runAsUser") == 65532 and
      csc.get("readOnlyRootFilesystem") is True and csc.get("allowPrivilegeEscalation") is False and
      dig(csc, "capabilities", "drop") == ["ALL"] and dig(csc, "seccompProfile", "type") == "RuntimeDefault", csc)
check("service account without token", spec.get("serviceAccountName") == sa["metadata"]["name"] and
      sa.get("automountServiceAccountToken") is False and spec.get("automountServiceAccountToken") is False)
tsc = {t["topologyKey"]: t for t in spec.get("topologySpreadConstraints", [])}
host = tsc.get("kubernetes.io/hostname", {})
check("spread over nodes, selecting its own pods", host.get("maxSkew") == 1 and
      selects(dig(host, "labelSelector", "matchLabels"), labels), tsc)
check("zone spread only when enabled", ("topology.kubernetes.io/zone" in tsc) == (env["ZONE"] == "1"), list(tsc))

# Service and PDB
sp = svc["spec"]["ports"]
check("Service 443 -> https", len(sp) == 1 and sp[0]["port"] == 443 and sp[0]["targetPort"] == "https", sp)
check("Service selects the pods", selects(svc["spec"]["selector"], labels))
check("PDB policy/v1, maxUnavailable 1, AlwaysAllow", pdb["apiVersion"] == "policy/v1" and
      pdb["spec"].get("maxUnavailable") == 1 and "minAvailable" not in pdb["spec"] and
      pdb["spec"].get("unhealthyPodEvictionPolicy") == "AlwaysAllow", pdb["spec"])
check("PDB selects the pods", selects(pdb["spec"]["selector"]["matchLabels"], labels))

# ConfigMap
conf = yaml.safe_load(cm["data"]["hitless.yaml"])
check("config file keys", isinstance(conf, dict) and set(conf) <= {"disable", "enable", "severity", "parameters"}, conf)
open(sys.argv[1] + ".config", "w").write(cm["data"]["hitless.yaml"])

# ValidatingWebhookConfiguration
check("one webhook", len(vwc["webhooks"]) == 1)
w = vwc["webhooks"][0]
check("sideEffects None", w.get("sideEffects") == "None")
check("admissionReviewVersions v1, v1beta1", w.get("admissionReviewVersions") == ["v1", "v1beta1"], w.get("admissionReviewVersions"))
check("failurePolicy", w.get("failurePolicy") == env["FAILURE"], w.get("failurePolicy"))
check("timeoutSeconds", w.get("timeoutSeconds") == int(env["TIMEOUT"]), w.get("timeoutSeconds"))
exprs = w.get("namespaceSelector", {}).get("matchExpressions", [])
notin = [e for e in exprs if e.get("key") == "kubernetes.io/metadata.name" and e.get("operator") == "NotIn"]
excluded = set(notin[0]["values"]) if notin else set()
wanted = {"kube-system", ns} | set(filter(None, env.get("EXCLUDE", "").split(",")))
check("namespaceSelector excludes kube-system and the release namespace", excluded == wanted, exprs)
cs = w["clientConfig"].get("service", {})
check("clientConfig.service", cs == {"name": svc["metadata"]["name"], "namespace": ns, "path": "/validate", "port": 443}, cs)
got = set()
ops_ok = True
for r in w.get("rules", []):
    ops_ok = ops_ok and sorted(r["operations"]) == ["CREATE", "UPDATE"]
    for g in r["apiGroups"]:
        for res in r["resources"]:
            got.add((g, res))
want_rules = {("apps", x) for x in ("deployments", "statefulsets", "daemonsets", "replicasets")} | \
    {("", x) for x in ("pods", "replicationcontrollers", "services")} | \
    {("policy", "poddisruptionbudgets"), ("autoscaling", "horizontalpodautoscalers")}
check("rules: resources", got == want_rules, sorted(got ^ want_rules))
check("rules: CREATE and UPDATE only", ops_ok)
mc = w.get("matchConditions", [])
check("one match condition", len(mc) == 1, mc)
if mc:
    open(sys.argv[1] + ".cel", "w").write(mc[0]["expression"])
ann = vwc["metadata"].get("annotations", {})
tlsvol = dig(vols, "tls", "secret", "secretName")
if mode == "generated":
    sec = one("Secret")
    check("Secret kubernetes.io/tls", sec.get("type") == "kubernetes.io/tls" and
          set(sec.get("data", {})) == {"tls.crt", "tls.key", "ca.crt"}, sec.get("type"))
    check("pods mount the generated Secret", tlsvol == sec["metadata"]["name"], tlsvol)
    check("no inject-ca-from", "cert-manager.io/inject-ca-from" not in ann)
    bundle = w["clientConfig"].get("caBundle", "")
    check("caBundle is base64", bool(bundle) and base64.b64decode(bundle).startswith(b"-----BEGIN CERTIFICATE-----"))
    out = os.path.splitext(sys.argv[1])[0]
    for k, v in sec.get("data", {}).items():
        open("%s.%s" % (out, k), "wb").write(base64.b64decode(v))
    open(out + ".bundle.pem", "wb").write(base64.b64decode(bundle))
else:
    certs = {d["metadata"]["name"]: d for d in kind("Certificate")}
    serving = certs.get(svc["metadata"]["name"], {})
    check("inject-ca-from names the serving Certificate",
          ann.get("cert-manager.io/inject-ca-from") == "%s/%s" % (ns, serving.get("metadata", {}).get("name")), ann)
    check("no caBundle (the cainjector sets it)", "caBundle" not in w["clientConfig"])
    check("Certificate has the four Service names", dig(serving, "spec", "dnsNames") == names, dig(serving, "spec", "dnsNames"))
    check("pods mount the Certificate's Secret", tlsvol == dig(serving, "spec", "secretName"), tlsvol)
    issuer = dig(serving, "spec", "issuerRef")
    if mode == "issuer":
        check("issuerRef given is used", issuer == {"name": "corp-ca", "kind": "ClusterIssuer", "group": "cert-manager.io"}, issuer)
    else:
        issuers = {d["metadata"]["name"]: d for d in kind("Issuer")}
        selfsigned = [n for n, d in issuers.items() if "selfSigned" in d["spec"]]
        check("a self-signed Issuer", len(selfsigned) == 1, list(issuers))
        ca = [d for d in certs.values() if dig(d, "spec", "isCA") is True]
        check("a CA Certificate from the self-signed Issuer", len(ca) == 1 and
              dig(ca[0], "spec", "issuerRef", "name") in selfsigned)
        signer = issuers.get(issuer.get("name"), {})
        check("serving Certificate signed by the CA Issuer", issuer.get("kind") == "Issuer" and
              ca and dig(signer, "spec", "ca", "secretName") == dig(ca[0], "spec", "secretName"), issuer)
EOF

# check FILE [VAR=value...]: runs check.py on FILE with defaults overridden.
check() {
    local file=$1 st name detail n=0
    shift
    while IFS=$'\t' read -r st name detail; do
        n=$((n + 1))
        if [ "$st" = PASS ]; then pass "$file: $name"; else fail "$file: $name" "$detail"; fi
    done < <(env MODE=generated REPLICAS=2 FAILURE=Ignore TIMEOUT=5 WMODE=enforce ZONE=0 EXCLUDE= \
        REL="$REL" NS="$NS" "$@" python3 check.py "$file" 2>check.err)
    if [ "$n" -lt 30 ] || [ -s check.err ]; then fail "$file: check.py did not finish ($n checks)" "$(tail -5 check.err)"; fi
}
check generated.yaml
check certmanager.yaml MODE=certmanager
check issuer.yaml MODE=issuer
check custom.yaml REPLICAS=3 FAILURE=Fail WMODE=warn TIMEOUT=10 ZONE=1 EXCLUDE=monitoring
check rotate.yaml

c1=$(grep 'checksum/config' generated.yaml)
c2=$(grep 'checksum/config' custom.yaml)
if [ -n "$c1" ] && [ "$c1" != "$c2" ]; then pass "a config change changes the pod template"; else fail "config checksum" "$c1" "$c2"; fi

# --- hitless lints its own chart -----------------------------------------------------------
for r in generated certmanager issuer custom; do
    run "$HITLESS" lint --fail-on warning - <"$r.yaml"
    expect_rc "hitless lint --fail-on warning: $r" 0
    echo "chart ($r): $(printf '%s\n' "$OUT" | tail -1)"
    run "$HITLESS" lint --format json --fail-on info - <"$r.yaml"
    if printf '%s' "$OUT" | python3 -c 'import json,sys; s=json.load(sys.stdin)["summary"]; assert s["findings"] == s["suppressed"] == 0, s' 2>/dev/null; then
        pass "no finding at all (not even info), none suppressed: $r"; else fail "findings in $r" "$OUT"; fi
done
# The rendered config files are valid hitless configs.
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\n' >cm.yaml
for r in generated custom; do
    run "$HITLESS" lint --config "$r.yaml.config" cm.yaml
    expect_rc "hitless accepts the rendered config ($r)" 0
done

# --- generated certificates ------------------------------------------------------------------
if openssl verify -CAfile generated.bundle.pem generated.tls.crt >verify.out 2>&1; then
    pass "the caBundle's CA verifies the Secret's tls.crt"; else fail "openssl verify" "$(cat verify.out)"; fi
if cmp -s generated.bundle.pem generated.ca.crt; then pass "caBundle = the Secret's ca.crt"; else fail "caBundle differs from ca.crt"; fi
sans=$(openssl x509 -in generated.tls.crt -noout -ext subjectAltName 2>&1)
for san in "DNS:$REL," "DNS:$REL.$NS," "DNS:$REL.$NS.svc," "DNS:$REL.$NS.svc.cluster.local"; do
    case "$sans" in *"$san"*) pass "SAN $san" ;; *) fail "SAN $san missing" "$sans" ;; esac
done
if [ "$(openssl x509 -in generated.tls.crt -noout -pubkey)" = "$(openssl pkey -in generated.tls.key -pubout 2>/dev/null)" ]; then
    pass "tls.key matches tls.crt"; else fail "tls.key does not match tls.crt"; fi
if ! openssl verify -CAfile rotate.bundle.pem generated.tls.crt >/dev/null 2>&1; then
    pass "each rendering without a cluster makes a new CA"; else fail "two renderings share a CA"; fi

# The real binary, started with the rendered container arguments (paths moved
# from the pod's mounts to here), serves the probes' paths over TLS that
# verifies against the caBundle under the Service's name.
mkdir -p tls config
cp generated.tls.crt tls/tls.crt && cp generated.tls.key tls/tls.key && cp generated.yaml.config config/hitless.yaml
port=$(free_port)
mapfile -t args < <(python3 -c '
import sys, yaml
d = [d for d in yaml.safe_load_all(open("generated.yaml")) if d and d["kind"] == "Deployment"][0]
for a in d["spec"]["template"]["spec"]["containers"][0]["args"]:
    a = a.replace("/etc/hitless/tls", "tls").replace("/etc/hitless/config", "config")
    print("--port='"$port"'" if a.startswith("--port=") else a)')
"$HITLESS" "${args[@]}" 2>server.log &
server=$!
host=$REL.$NS.svc
for _ in $(seq 100); do
    curl -s --cacert generated.bundle.pem --resolve "$host:$port:127.0.0.1" "https://$host:$port/healthz" >/dev/null 2>&1 && break
    sleep 0.05
done
for path in /readyz /healthz; do
    code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert generated.bundle.pem --resolve "$host:$port:127.0.0.1" \
        "https://$host:$port$path" 2>curl.err)
    if [ "$code" = 200 ]; then pass "rendered flags: $path 200 over TLS verified by the caBundle"; else
        fail "rendered flags: $path: HTTP $code" "$(cat curl.err)" "$(tail -5 server.log)"; fi
done
kill -TERM "$server"
wait "$server"
rc=$?
if [ $rc -eq 0 ] && grep -q '"msg":"serving"' server.log; then pass "rendered flags: json logs, clean exit"; else
    fail "rendered flags: exit $rc" "$(tail -5 server.log)"; fi

# --- the match condition, evaluated by a CEL implementation -------------------------------------------
cat >cel.mjs <<'EOF'
// cel.mjs LIB EXPR-FILE: evaluates the condition on sample requests.
import { readFileSync } from 'node:fs';
const { evaluate } = await import(process.argv[2]);
const expr = readFileSync(process.argv[3], 'utf8');
const owner = (controller) => [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: 'u', controller }];
const cases = [
  ['bare Pod is sent', 'pods', {}, true],
  ['Pod of a ReplicaSet is skipped', 'pods', { ownerReferences: owner(true) }, false],
  ['Pod with a non-controller owner is skipped', 'pods', { ownerReferences: owner(false) }, false],
  ['Deployment is sent', 'deployments', {}, true],
  ['ReplicaSet of a Deployment is skipped', 'replicasets', { ownerReferences: owner(true) }, false],
  ['ReplicaSet with a non-controller owner is sent', 'replicasets', { ownerReferences: owner(false) }, true],
  ['StatefulSet of an operator is skipped', 'statefulsets', { ownerReferences: owner(true) }, false],
  ['Service with an owner is sent', 'services', { ownerReferences: owner(true) }, true],
  ['PDB with an owner is sent', 'poddisruptionbudgets', { ownerReferences: owner(true) }, true],
  ['HPA with an owner is sent', 'horizontalpodautoscalers', { ownerReferences: owner(true) }, true],
  ['empty ownerReferences is sent', 'pods', { ownerReferences: [] }, true],
];
for (const [name, resource, meta, want] of cases) {
  let got;
  try {
    got = evaluate(expr, { request: { resource: { group: '', version: 'v1', resource } },
                           object: { metadata: { name: 'n', ...meta } } });
  } catch (e) { got = 'error: ' + e.message; }
  console.log(`${got === want ? 'PASS' : 'FAIL'}\tmatch condition: ${name}\tgot ${got}`);
}
EOF
n=0
while IFS=$'\t' read -r st name detail; do
    n=$((n + 1))
    if [ "$st" = PASS ]; then pass "$name"; else fail "$name" "$detail"; fi
done < <(node cel.mjs "$CEL" generated.yaml.cel 2>cel.err)
[ "$n" -ge 11 ] || fail "CEL evaluation did not run ($n cases)" "$(tail -5 cel.err)"

# --- lookup: an upgrade keeps the Secret --------------------------------------------------------------
# A minimal API server: discovery for the rendered kinds and GET of one
# Secret, enough for `helm template --dry-run=server` (which runs lookup).
cat >fakeapi.py <<'EOF'
import json, sys, http.server
secret = json.load(open(sys.argv[1]))
def res(name, kind, namespaced=True):
    return {"name": name, "singularName": kind.lower(), "namespaced": namespaced, "kind": kind, "verbs": ["get", "list"]}
groups = {
    "v1": [res("secrets", "Secret"), res("configmaps", "ConfigMap"), res("services", "Service"),
           res("serviceaccounts", "ServiceAccount")],
    "apps/v1": [res("deployments", "Deployment")],
    "policy/v1": [res("poddisruptionbudgets", "PodDisruptionBudget")],
    "admissionregistration.k8s.io/v1": [res("validatingwebhookconfigurations", "ValidatingWebhookConfiguration", False)],
}
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a):
        sys.stderr.write("%s %s\n" % (self.command, self.path))
    def send(self, code, obj):
        b = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(b)))
        self.end_headers()
        self.wfile.write(b)
    def do_GET(self):
        p = self.path.split("?")[0]
        if p == "/version":
            return self.send(200, {"major": "1", "minor": "33", "gitVersion": "v1.33.0"})
        if p == "/api":
            return self.send(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": []})
        if p == "/apis":
            gl = [{"name": gv.split("/")[0], "versions": [{"groupVersion": gv, "version": gv.split("/")[1]}],
                   "preferredVersion": {"groupVersion": gv, "version": gv.split("/")[1]}} for gv in groups if "/" in gv]
            return self.send(200, {"kind": "APIGroupList", "apiVersion": "v1", "groups": gl})
        gv = p.split("/", 2)[2] if p.startswith(("/api/", "/apis/")) else ""
        if gv in groups:
            return self.send(200, {"kind": "APIResourceList", "groupVersion": gv, "resources": groups[gv]})
        m = secret and secret["metadata"]
        if m and p == "/api/v1/namespaces/%s/secrets/%s" % (m["namespace"], m["name"]):
            return self.send(200, secret)
        if p.endswith(("/secrets", "/configmaps")):
            return self.send(200, {"kind": "List", "apiVersion": "v1", "metadata": {}, "items": []})
        self.send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
EOF
# The Secret as the cluster would hold it after the first install.
python3 - <<'EOF'
import json, yaml
s = [d for d in yaml.safe_load_all(open("generated.yaml")) if d and d["kind"] == "Secret"][0]
s["metadata"]["annotations"].update({"meta.helm.sh/release-name": "hitless", "meta.helm.sh/release-namespace": "hitless-system"})
json.dump(s, open("secret.json", "w"))
s["metadata"]["annotations"]["hitless.dev/dns-names"] = "other,names"
json.dump(s, open("secret-other-names.json", "w"))
EOF
# upgrade NAME SECRET-JSON [helm args...]: helm template --dry-run=server
# against the fake API server holding SECRET-JSON; writes NAME.yaml.
upgrade() {
    local name=$1 secret=$2 port pid
    shift 2
    python3 fakeapi.py "$secret" >"api-$name.port" 2>"api-$name.log" &
    pid=$!
    for _ in $(seq 100); do [ -s "api-$name.port" ] && break; sleep 0.02; done
    port=$(cat "api-$name.port")
    printf 'apiVersion: v1\nkind: Config\nclusters: [{name: f, cluster: {server: "http://127.0.0.1:%s"}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: c, context: {cluster: f, user: u}}]\ncurrent-context: c\n' "$port" >kubeconfig
    chmod 600 kubeconfig
    run env KUBECONFIG="$TMP/kubeconfig" "$HELM" template "$REL" "$CHART" --namespace "$NS" \
        --dry-run=server --disable-openapi-validation "$@"
    kill "$pid"
    wait "$pid" 2>/dev/null
    expect_rc "helm template --dry-run=server ($name)" 0
    printf '%s\n' "$OUT" >"$name.yaml"
}
tls_of() { # FILE: prints the Secret's data and the caBundle, one per line
    python3 -c '
import sys, yaml
d = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
s = [x for x in d if x["kind"] == "Secret"][0]["data"]
w = [x for x in d if x["kind"] == "ValidatingWebhookConfiguration"][0]["webhooks"][0]["clientConfig"]["caBundle"]
print(s["tls.crt"]); print(s["tls.key"]); print(s["ca.crt"]); print(w)' "$1"
}
upgrade reuse secret.json
if grep -q 'GET /api/v1/namespaces/hitless-system/secrets/hitless-tls' api-reuse.log; then
    pass "lookup asks for the Secret"; else fail "no lookup of the Secret" "$(cat api-reuse.log)"; fi
if [ "$(tls_of reuse.yaml)" = "$(tls_of generated.yaml)" ]; then
    pass "upgrade keeps the existing certificate, key, CA and caBundle"; else fail "upgrade replaced the certificates"; fi
upgrade renamed secret-other-names.json
if [ "$(tls_of renamed.yaml | sed -n 1p)" != "$(tls_of generated.yaml | sed -n 1p)" ]; then
    pass "a Secret made for other names is replaced"; else fail "a Secret for other names was kept"; fi
upgrade rotation secret.json --set generatedCerts.rotate=true
tls_of rotation.yaml | sed -n 4p | base64 -d >rotation.bundle.pem
tls_of rotation.yaml | sed -n 1p | base64 -d >rotation.tls.crt
n=$(grep -c 'BEGIN CERTIFICATE' rotation.bundle.pem)
if [ "$n" -eq 2 ] && openssl verify -CAfile rotation.bundle.pem rotation.tls.crt >/dev/null 2>&1 &&
   openssl verify -CAfile rotation.bundle.pem generated.tls.crt >/dev/null 2>&1 &&
   ! cmp -s rotation.tls.crt generated.tls.crt; then
    pass "rotation: new certificate, caBundle trusts the new and the old CA"
else
    fail "rotation" "$n CA certificates in the bundle"
fi

finish
