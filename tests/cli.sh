#!/usr/bin/env bash
# The command line: commands, options, config file, output formats, exit
# codes, colour, stdin, the bundled examples, make install.
. "$(dirname "$0")/lib.sh"
EX=$ROOT/testdata/examples
cd "$TMP" || exit 1

# --- the seed example ------------------------------------------------------
run "$HITLESS" lint --no-config "$EX/naive.yaml"
expect_rc "naive example fails" 1
expect_out "naive: readiness-probe-missing" 'naive\.yaml:21:9: error: container "nginx" has no readinessProbe.*\[readiness-probe-missing\]'
expect_out "naive: prestop-hook-missing" 'naive\.yaml:21:9: warning: .*\[prestop-hook-missing\]'
expect_out "naive: object line" '^  Deployment default/nginx-deployment, container nginx$'
expect_out "naive: hint line" '^  hint: '
expect_out "naive: summary" '^5 findings \(1 error, 2 warnings, 2 info\) in 2 objects from 1 file$'
run "$HITLESS" lint --no-config "$EX/fixed.yaml"
expect_rc "fixed example is clean" 0
expect_out "fixed: summary" '^no findings in 3 objects from 1 file$'

# --- exit codes and --fail-on ---------------------------------------------
run "$HITLESS" lint --no-config --fail-on none "$EX/naive.yaml"
expect_rc "--fail-on none" 0
run "$HITLESS" lint --no-config --disable readiness-probe-missing "$EX/naive.yaml"
expect_rc "only warnings: exit 0 at --fail-on error" 0
run "$HITLESS" lint --no-config --disable readiness-probe-missing --fail-on warning "$EX/naive.yaml"
expect_rc "warnings fail at --fail-on warning" 1
run "$HITLESS" lint --no-config --disable readiness-probe-missing,prestop-hook-missing,pdb-missing --fail-on info "$EX/naive.yaml"
expect_rc "info fails at --fail-on info" 1
run "$HITLESS" lint --no-config --disable all --fail-on info "$EX/naive.yaml"
expect_rc "--disable all" 0
expect_out "--disable all: no findings" '^no findings in 2 objects'
run "$HITLESS" lint --no-config --disable all --enable prestop-hook-missing "$EX/naive.yaml"
expect_out "--enable after --disable all" 'prestop-hook-missing'
expect_no_out "--enable after --disable all: only that rule" 'readiness-probe-missing'
run "$HITLESS" lint --no-config --fail-on bogus "$EX/naive.yaml"
expect_rc "bad --fail-on is a usage error" 2
expect_err "bad --fail-on message" 'fail-on takes error, warning, info or none'
run "$HITLESS" lint --no-config --format yaml "$EX/naive.yaml"
expect_rc "bad --format" 2
run "$HITLESS" lint --no-config --disable no-such-rule "$EX/naive.yaml"
expect_rc "unknown rule in --disable" 2
expect_err "unknown rule message" 'unknown rule "no-such-rule"'
run "$HITLESS" lint --no-config --disable yaml-syntax "$EX/naive.yaml"
expect_rc "diagnostics cannot be disabled" 2
run "$HITLESS" lint --no-config
expect_rc "no input is a usage error" 2
expect_err "no input message" 'no input'
run "$HITLESS" lint --no-config - - </dev/null
expect_rc "stdin twice" 2
run "$HITLESS" frobnicate
expect_rc "unknown command" 2
run "$HITLESS"
expect_rc "no command" 2

# --- stdin and namespaces ----------------------------------------------------
run sh -c "cat '$EX/naive.yaml' | '$HITLESS' lint --no-config -"
expect_rc "stdin" 1
expect_out "stdin is named <stdin>" '^<stdin>:21:9: error: .*\[readiness-probe-missing\]'
# A pipe that delivers no document (the render before it failed) is an input
# error, not a clean pass; an empty file among others stays a note.
for empty in '' '# only a comment\n' '---\n'; do
    run sh -c "printf '$empty' | '$HITLESS' lint --no-config -"
    expect_rc "stdin holding no document (${empty:-empty}): exit 2" 2
    expect_out "stdin holding no document (${empty:-empty}): says so" '^<stdin>: error: standard input holds no YAML document .*\[input-unreadable\]$'
done
run sh -c "printf '' | '$HITLESS' lint --no-config - '$EX/fixed.yaml'"
expect_rc "empty stdin next to a clean file: exit 2" 2
: >"$TMP/empty.yaml"
run "$HITLESS" lint --no-config "$TMP/empty.yaml" "$EX/fixed.yaml"
expect_rc "an empty file next to a clean one: exit 0" 0
expect_out "an empty file: a note" 'empty\.yaml:1:1: info: .*\[not-a-manifest\]$'
run sh -c "cat '$EX/naive.yaml' | '$HITLESS' lint --no-config --namespace shop -"
expect_out "--namespace sets the default namespace" '^  Deployment shop/nginx-deployment'
run "$HITLESS" lint --no-config --namespace "" "$EX/naive.yaml"
expect_rc "empty --namespace" 2

# --- colour ------------------------------------------------------------------
esc=$(printf '\033')
run "$HITLESS" lint --no-config --color always "$EX/naive.yaml"
expect_out "--color always colours" "$esc\\[1;31merror"
run "$HITLESS" lint --no-config --color never "$EX/naive.yaml"
expect_no_out "--color never" "$esc"
run "$HITLESS" lint --no-config "$EX/naive.yaml"
expect_no_out "auto: no colour when stdout is not a terminal" "$esc"
if command -v script >/dev/null; then
    script -qec "'$HITLESS' lint --no-config '$EX/naive.yaml'" /dev/null >"$TMP/tty.out" 2>&1
    if grep -q "$esc\[" "$TMP/tty.out"; then pass "auto: colour on a terminal"; else fail "auto: colour on a terminal"; fi
    NO_COLOR=1 script -qec "'$HITLESS' lint --no-config '$EX/naive.yaml'" /dev/null >"$TMP/tty.out" 2>&1
    if grep -q "$esc\[" "$TMP/tty.out"; then fail "NO_COLOR on a terminal"; else pass "NO_COLOR on a terminal"; fi
else
    fail "script(1) from util-linux is missing: cannot test a terminal"
fi

# --- --quiet -----------------------------------------------------------------
run "$HITLESS" lint --no-config --quiet "$EX/naive.yaml"
expect_no_out "--quiet: no summary" 'findings \('
expect_no_out "--quiet: no info" '\[liveness-probe-missing\]'
expect_out "--quiet: errors" '\[readiness-probe-missing\]'
run "$HITLESS" lint --no-config --quiet --fail-on info "$EX/naive.yaml"
expect_out "--quiet --fail-on info shows what fails the run" '\[liveness-probe-missing\]'

# --- JSON contract ---------------------------------------------------------
run "$HITLESS" lint --no-config --format json "$EX/naive.yaml"
expect_rc "json exit status" 1
printf '%s' "$OUT" >"$TMP/naive.json"
if python3 - "$TMP/naive.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == 1
f = [x for x in d["findings"] if x["rule"] == "readiness-probe-missing"][0]
for k in ("rule", "severity", "message", "hint", "file", "line", "column", "object"):
    assert k in f, k
assert f["severity"] == "error" and f["line"] == 21 and f["column"] == 9
assert f["object"] == {"apiVersion": "apps/v1", "kind": "Deployment",
                       "namespace": "default", "name": "nginx-deployment"}
assert f["container"] == "nginx"
s = d["summary"]
assert (s["files"], s["objects"], s["findings"], s["errors"], s["warnings"], s["info"]) == (1, 2, 5, 1, 2, 2), s
assert d["suppressed"] == []
PY
then pass "json contract"; else fail "json contract" "$OUT"; fi

# --- suppression ---------------------------------------------------------------
cat >"$TMP/sup.yaml" <<'YAML'
apiVersion: v1
kind: Pod
metadata:
  name: debug
  annotations:
    ignore.hitless.dev/standalone-pod: "a debugging pod, deleted by hand"
    ignore.hitless.dev/readiness-probe-missing: "  "
spec:
  containers:
  - name: shell
    image: busybox
    ports:
    - containerPort: 8080
YAML
run "$HITLESS" lint --no-config --format json "$TMP/sup.yaml"
printf '%s' "$OUT" >"$TMP/sup.json"
if python3 - "$TMP/sup.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
rules = sorted(f["rule"] for f in d["findings"])
assert "standalone-pod" not in rules, rules
assert "readiness-probe-missing" in rules, rules          # blank reason: not honoured
assert "ignore-without-reason" in rules, rules
sup = d["suppressed"]
assert len(sup) == 1 and sup[0]["rule"] == "standalone-pod"
assert sup[0]["justification"] == "a debugging pod, deleted by hand"
assert d["summary"]["suppressed"] == 1
PY
then pass "suppression with and without reason"; else fail "suppression with and without reason" "$OUT"; fi
run "$HITLESS" lint --no-config "$TMP/sup.yaml"
expect_out "text summary counts suppressed" '; 1 suppressed$'
expect_out "ignore-without-reason location" 'sup\.yaml:7:5: error: suppression of readiness-probe-missing has no reason'

# --- config file -----------------------------------------------------------
mkdir -p "$TMP/proj/sub/deeper"
cp "$EX/naive.yaml" "$TMP/proj/sub/deeper/app.yaml"
cat >"$TMP/proj/.hitless.yaml" <<'YAML'
disable: [liveness-probe-missing]
severity:
  prestop-hook-missing: error
YAML
run sh -c "cd '$TMP/proj/sub/deeper' && '$HITLESS' lint app.yaml"
expect_out "config found upward: severity override" 'error: .*\[prestop-hook-missing\]'
expect_no_out "config found upward: disable" 'liveness-probe-missing'
run sh -c "cd '$TMP/proj/sub/deeper' && '$HITLESS' lint --no-config app.yaml"
expect_out "--no-config ignores the file" 'liveness-probe-missing'
run sh -c "cd '$TMP/proj/sub/deeper' && '$HITLESS' lint --enable liveness-probe-missing app.yaml"
expect_out "--enable overrides the config's disable" 'liveness-probe-missing'

cat >"$TMP/margin.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
      - name: web
        image: web
        lifecycle:
          preStop:
            sleep: {seconds: 10}
YAML
run "$HITLESS" lint --no-config "$TMP/margin.yaml"
expect_out "default min-shutdown-seconds 30: margin fires" 'grace-period-margin'
printf 'parameters:\n  min-shutdown-seconds: 20\n' >"$TMP/c1.yaml"
run "$HITLESS" lint --config "$TMP/c1.yaml" "$TMP/margin.yaml"
expect_no_out "min-shutdown-seconds 20: margin quiet" 'grace-period-margin'
printf 'parameters:\n  min-shutdown-seconds: 25\n' >"$TMP/c1.yaml"
run "$HITLESS" lint --config "$TMP/c1.yaml" "$TMP/margin.yaml"
expect_out "min-shutdown-seconds 25: margin fires" 'less than 25 s to drain'

bad_config() { # NAME CONTENT PATTERN
    printf '%b' "$2" >"$TMP/bad.yaml"
    run "$HITLESS" lint --config "$TMP/bad.yaml" "$EX/naive.yaml"
    expect_rc "config: $1: exit 2" 2
    expect_err "config: $1: message" "$3"
}
bad_config "unknown rule" 'disable: [readiness-probe-mising]\n' 'bad\.yaml:1:11: error: unknown rule "readiness-probe-mising"'
bad_config "unknown parameter" 'parameters:\n  min-shutdown: 5\n' 'bad\.yaml:2:3: error: unknown parameter "min-shutdown"'
bad_config "parameter out of range" 'parameters:\n  min-shutdown-seconds: -5\n' 'bad\.yaml:2:25: error: min-shutdown-seconds takes an integer'
bad_config "parameter wrong type" 'parameters:\n  min-shutdown-seconds: lots\n' 'takes an integer'
bad_config "unknown key" 'disabled: [pdb-missing]\n' 'unknown key "disabled"'
bad_config "bad severity" 'severity:\n  pdb-missing: fatal\n' 'bad\.yaml:2:16: error: severity must be error, warning or info'
bad_config "diagnostic" 'disable: [yaml-syntax]\n' 'diagnostic'
bad_config "not a mapping" '- a\n- b\n' 'must be a mapping'
bad_config "yaml syntax" 'disable: [a\n' 'bad\.yaml:.*yaml-syntax'
bad_config "disable not a list" 'disable: pdb-missing\n' 'takes a list'
run "$HITLESS" lint --config "$TMP/missing.yaml" "$EX/naive.yaml"
expect_rc "missing config file" 2
expect_err "missing config file message" 'missing\.yaml: error: cannot read config'

# --- rules, explain, version, help ------------------------------------------
run "$HITLESS" rules
expect_rc "rules" 0
expect_out "rules lists readiness-probe-missing" '^readiness-probe-missing +error +object '
expect_out "rules lists a set rule" '^pdb-blocks-eviction +error +set '
expect_out "rules lists diagnostics" '^yaml-syntax +error +diagnostic '
run "$HITLESS" rules --format json
printf '%s' "$OUT" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert len(d) >= 31 and all({"id","severity","scope"} <= set(r) for r in d)' &&
    pass "rules --format json" || fail "rules --format json" "$OUT"
run "$HITLESS" explain grace-period-margin
expect_rc "explain" 0
expect_out "explain: why" '^why:'
expect_out "explain: parameter" 'min-shutdown-seconds \(default 30\)'
expect_out "explain: suppression" 'ignore\.hitless\.dev/grace-period-margin'
run "$HITLESS" explain nope
expect_rc "explain unknown" 2
run "$HITLESS" explain
expect_rc "explain without id" 2
run "$HITLESS" version
expect_out "version" '^hitless [0-9]+\.[0-9]+\.[0-9]+ \(libyaml 0\.[0-9.]+, cJSON [0-9.]+\)$'
for cmd in lint rules explain version; do
    run "$HITLESS" $cmd --help
    expect_rc "$cmd --help" 0
    expect_out "$cmd --help: usage" "^usage: hitless $cmd"
done
run "$HITLESS" --help
expect_out "--help lists commands" '^  lint \[PATH\|-\]'

# --- make install ------------------------------------------------------------
if make -C "$ROOT" --no-print-directory -s install DESTDIR="$TMP/dest" PREFIX=/opt/hl >/dev/null 2>"$TMP/inst.err"; then
    if [ -x "$TMP/dest/opt/hl/bin/hitless" ] && "$TMP/dest/opt/hl/bin/hitless" version | grep -q '^hitless '; then
        pass "make install DESTDIR PREFIX"
    else fail "make install: no working binary in DESTDIR" "$(find "$TMP/dest" | head)"; fi
else fail "make install failed" "$(cat "$TMP/inst.err")"; fi
finish
