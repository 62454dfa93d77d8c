#!/usr/bin/env bash
# The pre-commit hook (.pre-commit-hooks.yaml) as users install it: a real
# pre-commit, a hooks repository holding this tree's hook definition, and a
# project repository whose commits the hook must let through or reject.
# Offline: language: system installs nothing, the hooks repo is a local path.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

PRE_COMMIT=$(command -v pre-commit || true)
if [ -z "$PRE_COMMIT" ]; then
    fail "pre-commit is not installed (run .ci/install-deps)"
    finish
    exit
fi
if [ ! -f "$ROOT/.pre-commit-hooks.yaml" ]; then
    fail "no .pre-commit-hooks.yaml at the repository root"
    finish
    exit
fi

# The hook calls `hitless` by name: put the binary under test first on PATH.
mkdir -p bin
ln -s "$HITLESS" bin/hitless
export PATH="$TMP/bin:$PATH"
export PRE_COMMIT_HOME="$TMP/pre-commit-home"
# Keep the caller's git setup (a global core.hooksPath would make pre-commit
# refuse to install; GIT_DIR from an enclosing hook would redirect git) out.
unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_OBJECT_DIRECTORY
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export NO_COLOR=1

git_repo() { # git_repo DIR: a fresh repository with a local identity
    git init -q "$1" &&
    git -C "$1" config user.name "hitless tests" &&
    git -C "$1" config user.email "tests@hitless.invalid" &&
    git -C "$1" config commit.gpgsign false
}

# --- the hooks repository: this tree's hook definition, committed ----------
git_repo hooks || { fail "git init hooks"; finish; exit; }
cp "$ROOT/.pre-commit-hooks.yaml" hooks/
git -C hooks add .pre-commit-hooks.yaml
git -C hooks commit -q -m "hitless hook"
REV=$(git -C hooks rev-parse HEAD)

run "$PRE_COMMIT" validate-manifest hooks/.pre-commit-hooks.yaml
expect_rc "pre-commit accepts .pre-commit-hooks.yaml" 0

# --- the project repository ------------------------------------------------
git_repo project || { fail "git init project"; finish; exit; }
cd project || exit 1
cat >.pre-commit-config.yaml <<EOF
repos:
- repo: $TMP/hooks
  rev: $REV
  hooks:
  - id: hitless
EOF
run "$PRE_COMMIT" validate-config .pre-commit-config.yaml
expect_rc "pre-commit accepts the project config" 0
run "$PRE_COMMIT" install
expect_rc "pre-commit install" 0
if [ -x .git/hooks/pre-commit ]; then pass "git hook installed"; else fail "no .git/hooks/pre-commit"; fi

# commit MSG: git commit, output (both streams, as a user sees it) in $OUT.
commit() {
    git commit -m "$1" >"$TMP/commit.out" 2>&1
    RC=$?
    OUT=$(cat "$TMP/commit.out")
    # shellcheck disable=SC2034 # read by lib.sh's expect_rc
    ERR=""
}
head_is() { # head_is NAME SHA: the branch did (not) move
    if [ "$(git rev-parse -q --verify HEAD)" = "$2" ]; then pass "$1"; else fail "$1: HEAD moved"; fi
}

# A YAML file that is no manifest (the config itself) does not block.
git add .pre-commit-config.yaml
commit "pre-commit config"
expect_rc "non-manifest YAML commits" 0
expect_out "the hook ran on it" '^hitless\.+Passed'
BASE=$(git rev-parse HEAD)

# A Deployment with no readinessProbe is rejected with hitless's message.
cat >deploy.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: web:1
        ports:
        - containerPort: 8080
YAML
git add deploy.yaml
commit "bad deployment"
if [ "$RC" -ne 0 ]; then pass "bad manifest: commit rejected"; else
    fail "bad manifest: commit went through" "$(head -20 "$TMP/commit.out")"
fi
expect_out "the hook failed" '^hitless\.+Failed'
expect_out "hitless's finding, with file and line" '^deploy\.yaml:[0-9]+:[0-9]+: error: container "web" has no readinessProbe.*\[readiness-probe-missing\]'
expect_out "hitless's hint" '^  hint: '
expect_out "hitless's exit status" 'exit code: 1'
head_is "bad manifest: nothing committed" "$BASE"
REJECTED=$OUT

# The same file, made safe, commits.
git rm -q --cached deploy.yaml
rm deploy.yaml
cp "$ROOT/testdata/examples/fixed.yaml" app.yaml
git add app.yaml
commit "safe deployment"
expect_rc "good manifest commits" 0
expect_out "the hook passed" '^hitless\.+Passed'
if git ls-files --error-unmatch app.yaml >/dev/null 2>&1; then pass "app.yaml is in the commit"; else fail "app.yaml is not in the commit"; fi

# Files the hook does not match are not linted.
cp "$ROOT/testdata/examples/naive.yaml" notes.txt
git add notes.txt
commit "notes"
expect_rc "a .txt file is not linted" 0
expect_out "hook skipped" '^hitless\.+\(no files to check\)Skipped'

# require_serial: all staged files form one set, so a Service in one file
# is checked against the Deployment in another.  Enough files that
# pre-commit would otherwise split them over several processes.
cat >api.yaml <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  template:
    metadata: {labels: {app: api}}
    spec:
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: kubernetes.io/hostname, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: api}}}
      containers:
      - name: api
        image: api:1
        ports: [{name: http, containerPort: 8080}]
        readinessProbe: {httpGet: {path: /ready, port: http}}
        livenessProbe: {tcpSocket: {port: http}}
        lifecycle: {preStop: {sleep: {seconds: 5}}}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: api}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: api}}
  unhealthyPodEvictionPolicy: AlwaysAllow
YAML
cat >api-svc.yaml <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80, targetPort: metrics}]
YAML
for i in 1 2 3 4 5 6 7 8; do
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm%s}\ndata: {k: v}\n' "$i" >"cm$i.yaml"
done
run hitless lint api-svc.yaml
expect_no_out "alone, the Service has no error" 'service-target-port-unknown'
run hitless lint api.yaml
expect_rc "alone, the Deployment is clean" 0
git add api.yaml api-svc.yaml cm*.yaml
commit "api"
if [ "$RC" -ne 0 ]; then pass "cross-file finding rejects the commit"; else
    fail "cross-file finding: commit went through" "$(head -20 "$TMP/commit.out")"
fi
expect_out "Service checked against the Deployment of another file" '^api-svc\.yaml:[0-9]+:[0-9]+: error: .*\[service-target-port-unknown\]'
if [ "$(grep -c 'in [0-9]* objects\? from' "$TMP/commit.out")" -eq 1 ]; then
    pass "one hitless run for all staged files"
else
    fail "hitless ran more than once (require_serial)" "$(grep 'objects\? from' "$TMP/commit.out")"
fi

# docs/ci.md's set-up for a kustomize tree: the repo hook leaves the
# unrendered sources out, a local hook lints the rendered overlay.
git reset -q
rm -f api.yaml api-svc.yaml cm*.yaml
KUBECTL=$(command -v kubectl || true)
[ -n "$KUBECTL" ] || { [ -x "$ROOT/tests/tools/bin/kubectl" ] && KUBECTL=$ROOT/tests/tools/bin/kubectl; }
if [ -z "$KUBECTL" ]; then
    fail "kubectl is missing (.ci/install-helm puts one in tests/tools/bin)"
else
    command -v kubectl >/dev/null || ln -s "$KUBECTL" "$TMP/bin/kubectl"
    cp -R "$ROOT/testdata/kustomize/base" "$ROOT/testdata/kustomize/overlays" .
    cat >.pre-commit-config.yaml <<EOF
repos:
- repo: $TMP/hooks
  rev: $REV
  hooks:
  - id: hitless
    exclude: ^(base|overlays)/
- repo: local
  hooks:
  - id: hitless-prod-overlay
    name: hitless (kustomize overlays/prod)
    language: system
    entry: bash -o pipefail -c 'kubectl kustomize overlays/prod | hitless lint -'
    pass_filenames: false
    files: ^(base|overlays)/
EOF
    git add .pre-commit-config.yaml base overlays
    commit "kustomize tree"
    expect_rc "kustomize tree commits: sources excluded, overlay rendered" 0
    expect_out "the overlay hook ran" '^hitless \(kustomize overlays/prod\)\.+Passed'
    BASE=$(git rev-parse HEAD)
    # A PDB that allows no eviction, visible only against the rendered replicas.
    sed -i 's/maxUnavailable: 1/maxUnavailable: 0/' overlays/prod/pdb.yaml
    git add overlays/prod/pdb.yaml
    commit "pdb"
    if [ "$RC" -ne 0 ]; then pass "blocking PDB in the overlay: commit rejected"; else
        fail "blocking PDB in the overlay: commit went through" "$(head -20 "$TMP/commit.out")"
    fi
    expect_out "the repo hook skipped the overlay source" '^hitless\.+\(no files to check\)Skipped'
    expect_out "rendered overlay: pdb-blocks-eviction" '^<stdin>:[0-9]+:[0-9]+: error: .*\[pdb-blocks-eviction\]'
    head_is "blocking PDB: nothing committed" "$BASE"
fi

# What the rejection looked like, for a reader of VERBOSE output.
if [ -n "${VERBOSE:-}" ]; then printf '%s\n' "$REJECTED"; fi
finish
