#!/usr/bin/env bash
# What docs/ci.md and docs/github-actions.yml tell users to run, run for
# real: the kustomize and helm pipes, the workflow's own hitless command
# line with its SARIF validated; and static checks of the Dockerfile.
. "$(dirname "$0")/lib.sh"
EX=$ROOT/testdata/examples
KZ=$ROOT/testdata/kustomize
WORKFLOW=$ROOT/docs/github-actions.yml
SCHEMA=$ROOT/../shared/schemas/sarif-schema-2.1.0.json
VALIDATE=$ROOT/tests/tools/validate-json.js
cd "$TMP" || exit 1
# Workflow steps call `hitless` by name.
mkdir -p bin
ln -s "$HITLESS" bin/hitless
PATH="$TMP/bin:$PATH"

for f in docs/ci.md docs/github-actions.yml Dockerfile .dockerignore; do
    if [ -s "$ROOT/$f" ]; then pass "$f exists"; else fail "$f is missing"; fi
done

# tool NAME: the machine's NAME, else the one tests/tools/bin provides.
tool() {
    if command -v "$1" >/dev/null 2>&1; then command -v "$1"
    elif [ -x "$ROOT/tests/tools/bin/$1" ]; then echo "$ROOT/tests/tools/bin/$1"
    fi
}

# --- kubectl kustomize DIR | hitless lint - ------------------------------------
KUBECTL=$(tool kubectl)
if [ -z "$KUBECTL" ]; then
    fail "kubectl is missing (.ci/install-helm puts one in tests/tools/bin)"
else
    if "$KUBECTL" kustomize "$KZ/overlays/prod" >prod.yaml 2>kustomize.err && [ -s prod.yaml ]; then
        pass "kubectl kustomize renders the prod overlay"
    else
        fail "kubectl kustomize overlays/prod failed" "$(head -5 kustomize.err)"
    fi
    run sh -c "'$KUBECTL' kustomize '$KZ/overlays/prod' | '$HITLESS' lint --no-config -"
    expect_rc "kustomize pipe: exit 0 (info only)" 0
    expect_out "kustomize pipe: the overlay's PDB lacks the eviction policy" \
        '^<stdin>:[0-9]+:[0-9]+: info: PodDisruptionBudget web .*\[pdb-unhealthy-pod-policy\]$'
    expect_out "kustomize pipe: the overlay's namespace" '^  PodDisruptionBudget shop/web$'
    expect_out "kustomize pipe: the whole overlay is one set" '^1 finding \(0 errors, 0 warnings, 1 info\) in 3 objects from 1 file$'
    # Rendered, the replicas patch and the PDB meet the base's Deployment.
    expect_no_out "kustomize pipe: replicas patched to 3" 'single-replica'
    expect_no_out "kustomize pipe: the PDB matches the Deployment" 'pdb-missing|pdb-matches-nothing'
    run sh -c "'$KUBECTL' kustomize '$KZ/overlays/prod' | '$HITLESS' lint --no-config --fail-on info -"
    expect_rc "kustomize pipe: --fail-on info" 1
    run sh -c "'$KUBECTL' kustomize '$KZ/overlays/prod' | '$HITLESS' lint --no-config --format json -"
    printf '%s\n' "$OUT" >prod.json
    run python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = d["findings"]
assert len(f) == 1, f
assert f[0]["rule"] == "pdb-unhealthy-pod-policy", f[0]
assert f[0]["object"] == {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
                          "namespace": "shop", "name": "web"}, f[0]["object"]
assert d["summary"]["objects"] == 3, d["summary"]
' prod.json
    expect_rc "kustomize pipe: JSON names the PDB in namespace shop" 0
    # The base alone: one replica.
    run sh -c "'$KUBECTL' kustomize '$KZ/base' | '$HITLESS' lint --no-config -"
    expect_rc "kustomize base: warnings only" 0
    expect_out "kustomize base: single replica" '^<stdin>:[0-9]+:[0-9]+: warning: Deployment web runs 1 replica.*\[single-replica\]$'
    run sh -c "'$KUBECTL' kustomize '$KZ/base' | '$HITLESS' lint --no-config --fail-on warning -"
    expect_rc "kustomize base: --fail-on warning" 1
    # What docs/ci.md warns about: the overlay's sources, unrendered.
    run "$HITLESS" lint --no-config "$KZ/overlays/prod"
    expect_rc "unrendered overlay fails" 1
    expect_out "unrendered patch is a Deployment without a template" 'replicas\.yaml:[0-9]+:[0-9]+: error: .*\[invalid-value\]'
    # A pipe whose renderer fails must fail the step (pipefail), as the docs say.
    run bash -o pipefail -c "'$KUBECTL' kustomize '$TMP/no-such-overlay' 2>/dev/null | '$HITLESS' lint --no-config -"
    if [ "$RC" -ne 0 ]; then pass "pipefail: a failing renderer fails the pipe"; else fail "pipefail: exit 0 with a failing renderer"; fi
fi

# --- helm template ... | hitless lint - ----------------------------------------
HELM=$(tool helm)
# The workflow's chart step calls `helm` by name.
if [ -n "$HELM" ] && ! command -v helm >/dev/null 2>&1; then ln -s "$HELM" bin/helm; fi
if [ -z "$HELM" ]; then
    # .ci/install-helm (run by .ci/install-deps) provides it.
    fail "helm is missing (run .ci/install-deps): the helm pipe is not tested"
else
    if [ -d "$ROOT/charts/hitless" ]; then
        # The chart that deploys the webhook must follow its own rules.
        run sh -c "'$HELM' template x '$ROOT/charts/hitless' | '$HITLESS' lint --no-config --fail-on warning -"
        if [ "$RC" -eq 0 ]; then pass "helm template charts/hitless | hitless lint --fail-on warning -: clean"; else
            fail "charts/hitless: helm template x charts/hitless | hitless lint --fail-on warning - exits $RC" \
                "$(printf '%s\n' "$OUT" "$ERR" | head -20)"
        fi
    fi
    # A tiny chart of our own: the pipe, and a finding with a template's value.
    mkdir -p chart/templates
    printf 'apiVersion: v2\nname: tiny\nversion: 0.1.0\n' >chart/Chart.yaml
    printf 'replicas: 1\nprobe: false\n' >chart/values.yaml
    cat >chart/templates/deployment.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-web
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}-web}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}-web}
    spec:
      containers:
      - name: web
        image: web:1
        ports: [{name: http, containerPort: 8080}]
        {{- if .Values.probe }}
        readinessProbe: {httpGet: {path: /ready, port: http}}
        {{- end }}
YAML
    run sh -c "'$HELM' template demo ./chart | '$HITLESS' lint --no-config -"
    expect_rc "helm pipe: error found" 1
    expect_out "helm pipe: readiness from the rendered chart" '^<stdin>:[0-9]+:[0-9]+: error: container "web" has no readinessProbe.*\[readiness-probe-missing\]$'
    expect_out "helm pipe: release name rendered" '^  Deployment default/demo-web, container web$'
    run sh -c "'$HELM' template demo ./chart --set probe=true --set replicas=1 | '$HITLESS' lint --no-config -"
    expect_rc "helm pipe: values that fix it" 0
    expect_out "helm pipe: one replica is a warning" '\[single-replica\]'
    # Linted as a file, the template is not YAML yet.
    run "$HITLESS" lint --no-config chart/templates/deployment.yaml
    expect_rc "unrendered template: exit 2" 2
    expect_out "unrendered template is reported" '\[template-not-rendered\]'
fi

# --- docs/github-actions.yml ----------------------------------------------------
# Parsed with PyYAML; it prints the run scripts of the two lint steps for
# the checks below to execute.
run python3 - "$WORKFLOW" <<'PY'
import sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
problems = []
jobs = wf.get("jobs") or {}
if not jobs:
    problems.append("no jobs")
on = wf.get("on", wf.get(True))       # YAML 1.1 reads a bare `on` as true
if not on:
    problems.append("no `on` triggers")
sarif_run = chart_run = None
for name, job in jobs.items():
    perms = dict(wf.get("permissions") or {})
    perms.update(job.get("permissions") or {})
    steps = job.get("steps") or []
    uploads = [s for s in steps if str(s.get("uses", "")).startswith("github/codeql-action/upload-sarif@")]
    lint = [s for s in steps if "hitless lint" in str(s.get("run", "")) and "--format sarif" in str(s.get("run", ""))]
    if not uploads:
        continue
    if perms.get("security-events") != "write":
        problems.append(f"job {name} uploads SARIF without permissions: security-events: write")
    files = {str((s.get("with") or {}).get("sarif_file")) for s in uploads}
    if "results.sarif" not in files:
        problems.append(f"job {name}: no upload-sarif of results.sarif ({sorted(files)})")
    for s in lint:
        r = s["run"]
        if "results.sarif" in r and "helm template" not in r:
            sarif_run = r
        if "helm template" in r:
            chart_run = r
    if len({str((s.get("with") or {}).get("category")) for s in uploads}) != len(uploads):
        problems.append("two upload-sarif steps share a category")
if sarif_run is None:
    problems.append("no step runs `hitless lint --format sarif ... >results.sarif`")
if chart_run is None:
    problems.append("no step pipes `helm template` into `hitless lint --format sarif -`")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
open("sarif-step.sh", "w").write(sarif_run)
open("chart-step.sh", "w").write(chart_run)
PY
expect_rc "workflow: sarif step, upload-sarif and security-events: write" 0

if [ -s sarif-step.sh ]; then
    # The workflow's own command line, with its env pointed at the examples.
    mkdir -p ws && cd ws || exit 1
    MANIFESTS=$EX run bash -eo pipefail ../sarif-step.sh
    expect_rc "workflow lint step on testdata/examples: exit 1 (naive.yaml)" 1
    if [ -s results.sarif ]; then pass "workflow lint step wrote results.sarif"; else fail "no results.sarif"; fi
    run python3 -c '
import json, sys
d = json.load(open("results.sarif"))
r = d["runs"][0]
ids = {x["ruleId"] for x in r["results"]}
assert "readiness-probe-missing" in ids, ids
files = {l["physicalLocation"]["artifactLocation"]["uri"] for x in r["results"] for l in x["locations"]}
assert any(f.endswith("examples/naive.yaml") for f in files), files
assert all("testdata/examples/" in f for f in files), files
'
    expect_rc "results.sarif: the findings of testdata/examples" 0
    if [ ! -f "$SCHEMA" ]; then
        fail "SARIF schema not found at $SCHEMA"
    elif [ ! -d "$ROOT/tests/tools/node_modules/ajv" ]; then
        fail "Ajv is not installed (run .ci/install-deps)"
    else
        run node "$VALIDATE" "$SCHEMA" results.sarif
        expect_rc "results.sarif validates against SARIF 2.1.0" 0
        expect_out "validator read it" '^results\.sarif: valid$'
    fi
    if [ -n "$HELM" ] && [ -s ../chart-step.sh ]; then
        RELEASE=demo CHART=$TMP/chart run bash -eo pipefail ../chart-step.sh
        expect_rc "workflow chart step on the tiny chart: exit 1" 1
        if [ -s chart.sarif ] && [ -f "$SCHEMA" ] && [ -d "$ROOT/tests/tools/node_modules/ajv" ]; then
            run node "$VALIDATE" "$SCHEMA" chart.sarif
            expect_rc "chart.sarif validates against SARIF 2.1.0" 0
        else
            fail "workflow chart step wrote no chart.sarif"
        fi
    fi
    cd "$TMP" || exit 1
fi

# docs/ci.md shows the commands it explains.
for want in 'helm template .*\| hitless lint -' 'kubectl kustomize .*\| hitless lint -' \
            '--format github' '--format sarif' 'upload-sarif' 'security-events: write' \
            '\| 0 \|' '\| 1 \|' '\| 2 \|' 'require_serial' '--fail-on'; do
    if grep -qE -- "$want" "$ROOT/docs/ci.md"; then pass "ci.md: $want"; else fail "docs/ci.md does not mention /$want/"; fi
done
# Every relative link in ci.md points at a file that exists.
for link in $(grep -oE '\]\([^)#:]+\)' "$ROOT/docs/ci.md" | sed -E 's/^\]\((.*)\)$/\1/'); do
    if [ -e "$ROOT/docs/$link" ]; then pass "ci.md link $link"; else fail "docs/ci.md links to missing $link"; fi
done

# --- Dockerfile (static: there is no Docker engine to build it here) -------------
run python3 - "$ROOT/Dockerfile" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
# Join continuation lines, drop comments and blank lines.
lines, cur = [], ""
for raw in text.splitlines():
    if not cur and raw.lstrip().startswith("#"):
        continue
    if raw.rstrip().endswith("\\"):
        cur += raw.rstrip()[:-1] + " "
        continue
    cur += raw
    if cur.strip():
        lines.append(cur.strip())
    cur = ""
stages = []
for line in lines:
    word, _, rest = line.partition(" ")
    word = word.upper()
    if word == "FROM":
        stages.append({"from": rest.strip(), "ins": []})
    elif stages:
        stages[-1]["ins"].append((word, rest.strip()))
problems = []
if len(stages) < 2:
    problems.append(f"{len(stages)} stage(s): want a build stage and a runtime stage")
else:
    build, final = stages[0], stages[-1]
    if not re.match(r"debian:bookworm(\s|$)", build["from"]):
        problems.append(f"build stage is FROM {build['from']}, not debian:bookworm")
    runs = " ".join(r for w, r in build["ins"] if w == "RUN")
    for pkg in "libyaml-dev libcjson-dev libmicrohttpd-dev libssl-dev pkg-config build-essential".split():
        if pkg not in runs:
            problems.append(f"build stage does not install {pkg}")
    if not re.search(r"\bmake install\b.*\bDESTDIR=/out\b", runs):
        problems.append("build stage does not run `make install DESTDIR=/out`")
    if "make -s runtime-libs" not in runs:
        problems.append("build stage does not collect libraries with `make -s runtime-libs`")
    m = re.match(r"(\S+)\s+AS\s+(\S+)", build["from"], re.I)
    name = m.group(2) if m else None
    if final["from"].split()[0] != "scratch":
        problems.append(f"runtime stage is FROM {final['from']}: want scratch (no shell)")
    copies = [r for w, r in final["ins"] if w == "COPY"]
    if not copies or not all(re.search(r"--from=" + re.escape(name or "0") + r"\b", c) for c in copies):
        problems.append("runtime stage must copy only from the build stage's /out")
    for w, r in final["ins"]:
        if w == "RUN" and not r.startswith("["):
            problems.append(f"shell-form RUN in the runtime stage: {r}")
        if w == "ADD":
            problems.append("ADD in the runtime stage")
    users = [r for w, r in final["ins"] if w == "USER"]
    if not users:
        problems.append("runtime stage sets no USER")
    else:
        uid = users[-1].split(":")[0]
        if not uid.isdigit() or int(uid) == 0:
            problems.append(f"USER {users[-1]}: want a numeric non-root uid")
    def exec_form(word):
        vals = [r for w, r in final["ins"] if w == word]
        if not vals:
            return None
        try:
            return json.loads(vals[-1])
        except ValueError:
            problems.append(f"{word} is not in exec (JSON) form: {vals[-1]}")
    if exec_form("ENTRYPOINT") != ["/usr/local/bin/hitless"]:
        problems.append("ENTRYPOINT is not [\"/usr/local/bin/hitless\"]")
    if exec_form("CMD") != ["--help"]:
        problems.append("CMD is not [\"--help\"]")
if problems:
    print("\n".join(problems), file=sys.stderr)
    sys.exit(1)
PY
expect_rc "Dockerfile: two stages, make install, scratch runtime, numeric USER, exec-form ENTRYPOINT" 0
# A binary or objects built on the host must not reach the build stage, where
# make would take them as up to date.
for pat in '/?hitless' '/?build/?' '\.git'; do
    if grep -qxE "$pat" "$ROOT/.dockerignore"; then pass ".dockerignore: $pat"; else fail ".dockerignore does not exclude $pat"; fi
done
# The Dockerfile installs what `make install` builds: the same PREFIX the
# ENTRYPOINT names.
if grep -q 'PREFIX=/usr/local' "$ROOT/Dockerfile"; then pass "Dockerfile: PREFIX=/usr/local"; else fail "Dockerfile: make install is not PREFIX=/usr/local"; fi

# The runtime image's files, put together as the Dockerfile does (make
# install, then every path of `make runtime-libs`) in a directory that holds
# nothing else, and run there with chroot: the linter, `hitless certs`
# (libcrypto, opened at run time) and the webhook serving TLS
# (libmicrohttpd and GnuTLS, opened at run time) must all work from it.
if [ "$(id -u)" -ne 0 ]; then
    echo "docs: image file set not checked: chroot needs root"
else
    img=$TMP/image
    if make -C "$ROOT" --no-print-directory -s install DESTDIR="$img" PREFIX=/usr/local >/dev/null 2>"$TMP/inst.err" &&
        libs=$(make -C "$ROOT" --no-print-directory -s runtime-libs 2>"$TMP/libs.err"); then
        for lib in $libs; do mkdir -p "$img$(dirname "$lib")" && cp -L "$lib" "$img$lib"; done
        rm -rf "$img/usr/local/share"
        mkdir -p "$img/work"
        pass "image file set: make install and make runtime-libs"
        printf '%s\n' "$libs" | grep -q '/libmicrohttpd\.so\.' && printf '%s\n' "$libs" | grep -q '/libcrypto\.so\.' &&
            pass "runtime-libs names the libraries the webhook opens" ||
            fail "runtime-libs misses libmicrohttpd or libcrypto" "$libs"
        cp "$ROOT/testdata/examples/naive.yaml" "$img/work/"
        run chroot "$img" /usr/local/bin/hitless lint /work/naive.yaml
        expect_rc "image: lint runs" 1
        expect_out "image: lint reports" '\[readiness-probe-missing\]$'
        run chroot "$img" /usr/local/bin/hitless certs --service hitless --namespace img --out /work/certs
        expect_rc "image: certs runs (libcrypto opened)" 0
        port=$(free_port)
        chroot "$img" /usr/local/bin/hitless webhook --tls-cert-file /work/certs/tls.crt \
            --tls-key-file /work/certs/tls.key --port "$port" --bind-address 127.0.0.1 \
            --shutdown-delay 0s >"$TMP/img-webhook.log" 2>&1 &
        wpid=$!
        ready=""
        for _ in $(seq 100); do
            ready=$(curl -s --cacert "$img/work/certs/ca.crt" --resolve "hitless.img.svc:$port:127.0.0.1" \
                "https://hitless.img.svc:$port/readyz" 2>/dev/null) && [ "$ready" = ok ] && break
            kill -0 "$wpid" 2>/dev/null || break
            sleep 0.1
        done
        if [ "$ready" = ok ]; then pass "image: webhook serves TLS (libmicrohttpd opened)"; else
            fail "image: webhook does not serve" "$(tail -5 "$TMP/img-webhook.log")"
        fi
        kill -TERM "$wpid" 2>/dev/null
        wait "$wpid"
        wrc=$?
        if [ "$wrc" -eq 0 ]; then pass "image: webhook exits 0 on SIGTERM"; else fail "image: webhook exit status $wrc"; fi
    else
        fail "image file set: make install or runtime-libs failed" "$(cat "$TMP/inst.err" "$TMP/libs.err")"
    fi
fi
finish
