#!/usr/bin/env bash
# Bad input (QUALITY.md, "Bad input", all but the webhook line): every case is
# reported with its rule id and path:line:col (path: for a whole file), never
# crashes or hangs, and does not stop the other inputs of the run from being
# checked: each bad file is linted next to good.yaml, whose finding must
# still appear.  Runs of risky inputs are wrapped in `timeout 60`, so a hang
# is a failure (exit 124), not a stuck suite.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
LINT=(timeout 60 "$HITLESS" lint --no-config --color never)

# --- helpers -----------------------------------------------------------------

# good.yaml has one error finding at a known place: with it in a run, the
# exit status is at least 1, and 2 exactly when some input could not be
# read or parsed (yaml-syntax, template-not-rendered, input-unreadable,
# input-limit).
cat >good.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: good
spec:
  replicas: 3
  selector:
    matchLabels: {app: good}
  template:
    metadata:
      labels: {app: good}
    spec:
      containers:
      - name: web
        image: nginx
        ports:
        - containerPort: 80
EOF
GOOD='^good\.yaml:14:9: error: container "web" has no readinessProbe.*\[readiness-probe-missing\]$'

# check NAME RC RULE LOC FILE...: lints FILE... then good.yaml; expects exit
# status RC, a [RULE] line located at LOC (a grep -E prefix: 'x\.yaml:4:1'
# or 'x\.yaml' for a whole file), and good.yaml's finding.
check() {
    local name=$1 want=$2 rule=$3 loc=$4
    shift 4
    run "${LINT[@]}" "$@" good.yaml
    expect_rc "$name: exit status" "$want"
    expect_out "$name: [$rule] at $loc" "^$loc: (error|warning|info): .*\\[$rule\\]\$"
    expect_out "$name: good.yaml is still checked" "$GOOD"
}

# json NAME EXPR: the last run printed JSON for which the Python expression
# EXPR is true; d is the document, F its findings, S its summary, and
# at(rule, file, line=None, col=None) lists the matching findings.
json() {
    if printf '%s' "$OUT" | python3 -c '
import json, sys
d = json.load(sys.stdin)
F, S = d["findings"], d["summary"]
def at(rule, file=None, line=None, col=None):
    return [f for f in F if f["rule"] == rule
            and (file is None or f["file"] == file)
            and (line is None or f["line"] == line)
            and (col is None or f["column"] == col)]
sys.exit(0 if eval(sys.argv[1]) else 1)' "$2" 2>"$TMP/json.err"; then
        pass "$1"
    else
        fail "$1" "false: $2" "$(head -3 "$TMP/json.err")" \
            "summary: $(printf '%s\n' "$OUT" | sed -n '/"summary"/,$p' | tr -d '\n\t')"
    fi
}

now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }

# timed RSSFILE CMD...: runs CMD, writing its peak RSS in KiB (GNU time's
# %M, which covers the children of timeout too) to RSSFILE when
# /usr/bin/time is there; rss_bound below says when it is not.
HAVE_TIME=
[ -x /usr/bin/time ] && HAVE_TIME=1
timed() {
    local f=$1
    shift
    if [ -n "$HAVE_TIME" ]; then /usr/bin/time -f '%M' -o "$f" "$@"; else "$@"; fi
}

# rss_bound NAME RSSFILE MAX_KIB: the timed run peaked under MAX_KIB.
rss_bound() {
    local kib
    if [ -z "$HAVE_TIME" ]; then
        echo "$TEST_NAME: skipped the peak-memory check of $1: /usr/bin/time (GNU time) is missing"
        return
    fi
    kib=$(tail -1 "$2" 2>/dev/null)
    if [ -n "$kib" ] && [ "$kib" -lt "$3" ]; then pass "$1: peak RSS $kib KiB"; else
        fail "$1: peak RSS ${kib:-unknown} KiB, limit $3 KiB"
    fi
}

# fast NAME MAX_MS START_MS: the last run took under MAX_MS.
fast() {
    local took=$(($(now_ms) - $3))
    if [ "$took" -lt "$2" ]; then pass "$1"; else fail "$1: took $took ms, limit $2 ms"; fi
}

# A file the size limits let through a release build in well under a second
# must not take minutes in a sanitizer build either; 20 s leaves room.
SLOW_MS=20000

# --- YAML syntax ----------------------------------------------------------------

printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tab\n' >tab.yaml
check "tab indentation" 2 yaml-syntax 'tab\.yaml:4:1' tab.yaml
expect_out "tab: message says what libyaml found" 'cannot start any token'

printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: "unclosed\n' >dquote.yaml
# An unclosed quote runs to the end of the file: located at the quote.
check "unclosed double quote" 2 yaml-syntax 'dquote\.yaml:4:9' dquote.yaml
expect_out "unclosed double quote: message" 'quoted scalar found unexpected end of stream'
printf "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: 'unclosed\n" >squote.yaml
check "unclosed single quote" 2 yaml-syntax 'squote\.yaml:4:9' squote.yaml

printf 'apiVersion: v1\nkind: ConfigMap\ndata:\n  list: [a, b\n' >bracket.yaml
check "unclosed [" 2 yaml-syntax 'bracket\.yaml:5:1' bracket.yaml
expect_out "unclosed [: names the line it started on" "flow sequence.*\\(line 4\\)"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x\ndata: {}\n' >brace.yaml
check "unclosed {" 2 yaml-syntax 'brace\.yaml:4:5' brace.yaml
printf '{"apiVersion": "v1", "kind": "ConfigMap",\n "metadata": {"name": "j"}\n' >brace.json
check "unclosed { in JSON" 2 yaml-syntax 'brace\.json:3:1' brace.json

# Documents before the error in the same file are still linted.
{ cat good.yaml; printf -- '---\nkind: [\n'; } >good-then-bad.yaml
run "${LINT[@]}" good-then-bad.yaml
expect_rc "document before a syntax error: exit status" 2
expect_out "document before a syntax error: error reported" '^good-then-bad\.yaml:20:1: error: .*\[yaml-syntax\]$'
expect_out "document before a syntax error: still linted" '^good-then-bad\.yaml:14:9: error: .*\[readiness-probe-missing\]$'

# --- files with no object: a note, not an error ------------------------------------

: >empty.yaml
printf '# only a comment\n   # and another\n' >comments.yaml
printf -- '---\n' >dashes.yaml
printf -- '---\n---\n...\n' >dashes2.yaml
for f in empty comments dashes dashes2; do
    check "$f file" 1 not-a-manifest "$f\\.yaml:1:1" $f.yaml
    expect_out "$f file: a note, not an error" "^$f\\.yaml:1:1: info: "
    run "${LINT[@]}" $f.yaml
    expect_rc "$f file alone: exit 0 (a note does not fail)" 0
done

printf 'just a string\n' >scalar.yaml
check "scalar document" 1 not-a-manifest 'scalar\.yaml:1:1' scalar.yaml
expect_out "scalar document: says what it is" 'document is a string, not a Kubernetes object'
printf -- '- apiVersion: v1\n- kind: ConfigMap\n' >list.yaml
check "list document" 1 not-a-manifest 'list\.yaml:1:1' list.yaml
expect_out "list document: says what it is" 'document is a list, not a Kubernetes object'
run "${LINT[@]}" scalar.yaml list.yaml
expect_rc "scalar and list documents alone: exit 0" 0

# --- encodings ---------------------------------------------------------------------

# A UTF-8 BOM and CRLF line ends are ordinary text: same findings, same
# positions as good.yaml, and no \r in any value.
{ printf '\xef\xbb\xbf'; cat good.yaml; } >bom.yaml
sed 's/$/\r/' good.yaml >crlf.yaml
run "${LINT[@]}" --format json bom.yaml crlf.yaml good.yaml
expect_rc "BOM and CRLF: exit status (good.yaml's error only)" 1
for f in bom crlf; do
    json "$f: parsed, finding at the same place as in good.yaml" \
        "len(at('readiness-probe-missing', '$f.yaml', 14, 9)) == 1"
    json "$f: no yaml-syntax" "not at('yaml-syntax')"
    json "$f: the object's name has no BOM or CR in it" \
        "[f['object']['name'] for f in at('readiness-probe-missing', '$f.yaml')] == ['good']"
done
json "BOM and CRLF: three objects from three files" "S['objects'] == 3 and S['files'] == 3"
json "BOM and CRLF: good.yaml is still checked" "len(at('readiness-probe-missing', 'good.yaml', 14, 9)) == 1"

printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: utf8\ndata:\n  a: "caf\xc3\xa9"\n  b: "caf\xe9 au lait"\n' >badutf8.yaml
check "invalid UTF-8" 2 yaml-syntax 'badutf8\.yaml:7:11' badutf8.yaml
expect_out "invalid UTF-8: says so, with the byte offset" 'UTF-8 octet \(0x20 at byte 83\)'
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ctl\x01\n' >control.yaml
check "control character" 2 yaml-syntax 'control\.yaml:4:12' control.yaml

# Binary garbage: fixed bytes (an ELF header), all zeros, the binary under
# test itself, and random bytes (no position asserted for those).
printf '\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x03\x00\x3e\x00' >elf.yaml
check "binary: ELF header" 2 yaml-syntax 'elf\.yaml:1:1' elf.yaml
head -c 4096 /dev/zero >zeros.yaml
check "binary: NUL bytes" 2 yaml-syntax 'zeros\.yaml:1:1' zeros.yaml
head -c 1000000 "$HITLESS" >exe.yaml
check "binary: an executable" 2 yaml-syntax 'exe\.yaml:[0-9]+:[0-9]+' exe.yaml
head -c 65536 /dev/urandom >random.yaml
check "binary: random bytes" 2 yaml-syntax 'random\.yaml:[0-9]+:[0-9]+' random.yaml

# --- Helm templates --------------------------------------------------------------------

cat >helm.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "chart.fullname" . }}
  labels:
    {{- include "chart.labels" . | nindent 4 }}
spec:
  replicas: {{ .Values.replicaCount }}
EOF
check "Helm template" 2 template-not-rendered 'helm\.yaml:4:9' helm.yaml
expect_out "Helm template: says to render first" 'unrendered Helm template'
expect_no_out "Helm template: no yaml-syntax on top" 'yaml-syntax'
printf '{{- if .Values.enabled }}\napiVersion: v1\nkind: ConfigMap\n{{- end }}\n' >helm-if.yaml
check "Helm template: {{- if }} line" 2 template-not-rendered 'helm-if\.yaml:1:1' helm-if.yaml
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n{{- end }}\n' >helm-end.yaml
check "Helm template: {{- end }} line" 2 template-not-rendered 'helm-end\.yaml:5:1' helm-end.yaml
printf 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: c\n    image: repo/app:{{ .Values.tag }}\n' >helm-plain.yaml
check "Helm template: action inside a plain scalar" 2 template-not-rendered 'helm-plain\.yaml:8:12' helm-plain.yaml
expect_no_out "Helm template: its documents are not linted" '^helm-plain\.yaml:.*\[(readiness|standalone)'
# Marks count characters, the buffer bytes: a BOM or non-ASCII text before
# the action must not hide it.
{ printf '\xef\xbb\xbf# \xc2\xa9 M\xc3\xbcller GmbH\n'; cat helm.yaml; } >helm-utf8.yaml
check "Helm template after a BOM and non-ASCII text" 2 template-not-rendered 'helm-utf8\.yaml:5:9' helm-utf8.yaml

# Rendered manifests carry {{ }} as data: Prometheus alert templates, written
# plain, quoted or as block scalars.  They are linted, not refused.
cat >alerts.yaml <<'EOF'
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: alerts
spec:
  groups:
  - name: pods
    rules:
    - alert: PodDown
      annotations:
        description: Pod {{ $labels.namespace }}/{{ $labels.pod }} is down.
        summary: "{{ $labels.pod }} is down"
        single: '{{ $value | humanize }}'
        runbook: |
          Check {{ $labels.pod }}.
      expr: up == 0
EOF
check "{{ }} in rendered alert text" 1 readiness-probe-missing 'good\.yaml:14:9' alerts.yaml
expect_no_out "{{ }} in rendered alert text: no template-not-rendered" 'template-not-rendered'
expect_out "{{ }} in rendered alert text: the rule is read" ' in 2 objects from 2 files$'
expect_no_out "{{ }} in rendered alert text: no finding on it at all" '^alerts\.yaml:'
# ... nor does it turn an unrelated syntax error below into a template one.
{ cat alerts.yaml; printf '  extra: [1, 2\n'; } >alerts-broken.yaml
check "{{ }} above an unrelated syntax error" 2 yaml-syntax 'alerts-broken\.yaml:18:1' alerts-broken.yaml
expect_no_out "{{ }} above an unrelated syntax error: not a template" 'template-not-rendered'
{ cat alerts.yaml; printf '   bad: indent\n'; } >alerts-indent.yaml
check "{{ }} in a block with an indentation error" 2 yaml-syntax 'alerts-indent\.yaml:17:4' alerts-indent.yaml
expect_no_out "{{ }} in a block with an indentation error: not a template" 'template-not-rendered'

# --- size and shape ------------------------------------------------------------------------

# Nesting 100 000 deep, in flow style (libyaml rescans every open flow level
# on each token: reading it all would take minutes) and block style; a good
# document after it in the same file is still linted.
awk 'BEGIN { s = "a: "; for (i = 0; i < 100000; i++) s = s "["; printf "%s", s;
             s = ""; for (i = 0; i < 100000; i++) s = s "]"; print s }' >deep.yaml
{ cat deep.yaml; echo '---'; cat good.yaml; } >deep-then-good.yaml
t0=$(now_ms)
check "nesting 100 000 deep (flow)" 2 input-limit 'deep-then-good\.yaml:1:515' deep-then-good.yaml
fast "nesting 100 000 deep (flow): stops early" "$SLOW_MS" "$t0"
expect_out "nesting: message" 'nesting deeper than 512 levels'
expect_out "nesting: the next document is still linted" '^deep-then-good\.yaml:16:9: error: .*\[readiness-probe-missing\]$'
awk 'BEGIN { s = ""; for (i = 0; i < 100000; i++) s = s "- "; print s "x" }' >deep-block.yaml
check "nesting 100 000 deep (block)" 2 input-limit 'deep-block\.yaml:1:1025' deep-block.yaml

# Billion laughs: 9 levels of 9 aliases is 387 million nodes expanded.
{
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\ndata:\n'
    printf '  a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    prev=a
    for c in b c d e f g h i; do
        printf '  %s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' $c $c $prev $prev $prev $prev $prev $prev $prev $prev $prev
        prev=$c
    done
    echo '---'
    cat good.yaml
} >bomb.yaml
t0=$(now_ms)
run timed "$TMP/bomb.rss" "${LINT[@]}" bomb.yaml good.yaml
fast "alias bomb: fast" "$SLOW_MS" "$t0"
expect_rc "alias bomb: exit status" 2
expect_out "alias bomb: [input-limit] located" '^bomb\.yaml:12:[0-9]+: error: document expands to more than 2000000 nodes .*\[input-limit\]$'
expect_out "alias bomb: the next document is still linted" '^bomb\.yaml:29:9: error: .*\[readiness-probe-missing\]$'
expect_out "alias bomb: good.yaml is still checked" "$GOOD"

# A bounded expansion is fine: 9^5 = 59 049 nodes through aliases.
{
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fanout\ndata:\n'
    printf '  a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    prev=a
    for c in b c d e; do
        printf '  %s: &%s [*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s,*%s]\n' $c $c $prev $prev $prev $prev $prev $prev $prev $prev $prev
        prev=$c
    done
} >fanout.yaml
run "${LINT[@]}" --format json fanout.yaml good.yaml
expect_rc "bounded alias expansion: exit status (good.yaml's error only)" 1
json "bounded alias expansion: loaded as an object, no diagnostic" \
    "S['objects'] == 2 and not [f for f in F if f['file'] == 'fanout.yaml']"

# A 100 MB scalar (the limit is 16 MiB), then a good document.
{
    printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n  a: '
    head -c 100000000 /dev/zero | tr '\0' a
    printf '\n---\n'
    cat good.yaml
} >big.yaml
run timed "$TMP/big.rss" "${LINT[@]}" big.yaml good.yaml
expect_rc "100 MB scalar: exit status" 2
expect_out "100 MB scalar: [input-limit] located" '^big\.yaml:6:6: error: scalar of 100000000 bytes is over the 16777216-byte limit \[input-limit\]$'
expect_out "100 MB scalar: the next document is still linted" '^big\.yaml:21:9: error: .*\[readiness-probe-missing\]$'
expect_out "100 MB scalar: good.yaml is still checked" "$GOOD"

# 100 000 documents are allowed; the 100 001st is not read.
gen_docs() {
    awk -v n="$1" 'BEGIN { for (i = 0; i < n; i++)
        printf "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c%d\n", i }'
}
gen_docs 100000 >docs100000.yaml
gen_docs 100001 >docs100001.yaml
run "${LINT[@]}" --format json docs100000.yaml good.yaml
expect_rc "100 000 documents: exit status (good.yaml's error only)" 1
json "100 000 documents: all read" "S['documents'] == 100001 and S['objects'] == 100001"
json "100 000 documents: no limit hit" "not at('input-limit')"
run "${LINT[@]}" --format json docs100001.yaml good.yaml
expect_rc "100 001 documents: exit status" 2
json "100 001 documents: [input-limit] at the 100 001st" \
    "len(at('input-limit', 'docs100001.yaml', 500001, 1)) == 1"
json "100 001 documents: the first 100 000 and good.yaml are read" \
    "S['objects'] == 100001 and len(at('readiness-probe-missing', 'good.yaml', 14, 9)) == 1"

# A 1 GB stream on stdin stops at the 128 MiB input limit, in bounded memory.
t0=$(now_ms)
TIME_SH=
[ -n "$HAVE_TIME" ] && TIME_SH="/usr/bin/time -f %M -o '$TMP/stdin.rss'"
run sh -c "yes 'key: value' | head -c 1000000000 |
    timeout 60 $TIME_SH '$HITLESS' lint --no-config --color never - good.yaml"
fast "1 GB on stdin: stops early" "$SLOW_MS" "$t0"
expect_rc "1 GB on stdin: exit status" 2
expect_out "1 GB on stdin: [input-limit] on <stdin>" '^<stdin>: error: input is larger than the 128 MiB limit; not read \[input-limit\]$'
expect_out "1 GB on stdin: good.yaml is still checked" "$GOOD"
# The stream must not be held whole (128 MiB is, once); a sanitizer build
# adds its shadow memory, hence bounds well above a release build's.
rss_bound "1 GB on stdin" "$TMP/stdin.rss" 700000
rss_bound "100 MB scalar" "$TMP/big.rss" 900000
rss_bound "alias bomb" "$TMP/bomb.rss" 300000

# --- Kubernetes shape ---------------------------------------------------------------------------

cat >nokind.yaml <<'EOF'
metadata:
  name: neither
---
apiVersion: v1
metadata:
  name: no-kind
---
kind: ConfigMap
metadata:
  name: no-api-version
EOF
check "no kind and no apiVersion" 1 not-a-manifest 'nokind\.yaml:1:1' nokind.yaml
expect_out "no kind and no apiVersion: message" '^nokind\.yaml:1:1: info: document has no apiVersion and no kind'
expect_out "no kind: located" '^nokind\.yaml:4:1: info: document has no kind'
expect_out "no apiVersion: located" '^nokind\.yaml:8:1: info: document has no apiVersion'
run "${LINT[@]}" nokind.yaml
expect_rc "no kind/apiVersion alone: exit 0 (notes only)" 0

cat >klist.yaml <<'EOF'
apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata:
    name: in-list
  spec:
    replicas: 2
    selector:
      matchLabels: {app: in-list}
    template:
      metadata:
        labels: {app: in-list}
      spec:
        containers:
        - name: c
          image: nginx
          ports:
          - containerPort: 80
- just a string
- 42
- [1, 2]
- kind: NoApiVersion
EOF
check "kind: List with bad items" 1 invalid-value 'klist\.yaml:21:3' klist.yaml
expect_out "List: string item" '^klist\.yaml:21:3: error: items\[1\]: expected an object, found a string'
expect_out "List: number item" '^klist\.yaml:22:3: error: items\[2\]: expected an object, found an integer'
expect_out "List: list item" '^klist\.yaml:23:3: error: items\[3\]: expected an object, found a list'
expect_out "List: item without apiVersion" '^klist\.yaml:24:3: info: .*\[not-a-manifest\]$'
expect_out "List: the good item is linted" '^klist\.yaml:17:11: error: container "c" has no readinessProbe.*\[readiness-probe-missing\]$'

# deploy FILE FIELD-LINES: a Deployment with extra spec lines (indented 2).
deploy() {
    {
        printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: shape\nspec:\n'
        printf '%s\n' "$2"
        printf '  selector:\n    matchLabels: {app: shape}\n  template:\n'
        printf '    metadata:\n      labels: {app: shape}\n    spec:\n'
        printf '      containers:\n      - name: c\n        image: nginx\n'
    } >"$1"
}
deploy replicas-two.yaml '  replicas: "two"'
check 'replicas: "two"' 1 invalid-value 'replicas-two\.yaml:6:13' replicas-two.yaml
expect_out 'replicas: "two": message' 'spec\.replicas: .*string.*two'
cat >containers-map.yaml <<'EOF'
apiVersion: v1
kind: Pod
metadata:
  name: pod
spec:
  containers: {}
EOF
check "containers: {}" 1 invalid-value 'containers-map\.yaml:6:15' containers-map.yaml
expect_out "containers: {}: message" 'spec\.containers: .*list.*mapping'
deploy replicas-huge.yaml '  replicas: 99999999999999999999'
check "replicas: 99999999999999999999" 1 invalid-value 'replicas-huge\.yaml:6:13' replicas-huge.yaml
expect_out "overflow: message" 'spec\.replicas: .*99999999999999999999'
deploy replicas-int32.yaml '  replicas: 2147483648'
check "replicas: 2^31" 1 invalid-value 'replicas-int32\.yaml:6:13' replicas-int32.yaml
expect_out "replicas: 2^31: out of range" 'spec\.replicas: 2147483648 '
deploy replicas-neg.yaml '  replicas: -1'
check "replicas: -1" 1 invalid-value 'replicas-neg\.yaml:6:13' replicas-neg.yaml
expect_out "replicas: -1: out of range" 'spec\.replicas: -1 '

n=0
for pct in '"150%"' '"abc%"' '"%"' '"-5%"' '-1'; do
    n=$((n + 1))
    deploy pct$n.yaml "  replicas: 4
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: $pct"
    check "maxUnavailable: $pct" 1 invalid-value "pct$n\\.yaml:10:23" pct$n.yaml
    expect_out "maxUnavailable: $pct: message" "^pct$n\\.yaml:10:23: error: spec\\.strategy\\.rollingUpdate\\.maxUnavailable: "
done
deploy pct-ok.yaml '  replicas: 4
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: "25%"'
run "${LINT[@]}" pct-ok.yaml
expect_no_out 'maxUnavailable: "25%" is valid' 'invalid-value'

cat >dup.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: first
  name: second
spec:
  replicas: 2
  replicas: 3
  selector:
    matchLabels: {app: dup}
  template:
    metadata:
      labels: {app: dup, app: dup}
    spec:
      containers:
      - name: c
        image: nginx
EOF
check "duplicate keys" 1 duplicate-key 'dup\.yaml:5:3' dup.yaml
expect_out "duplicate keys: second one" '^dup\.yaml:8:3: error: duplicate key "replicas" \(first at line 7\)'
expect_out "duplicate keys: in a flow mapping" '^dup\.yaml:13:26: error: duplicate key "app"'
expect_out "duplicate keys: the object is linted, the last value wins" '^  Deployment default/second'

# 200 000 keys, then the same keys again: each duplicate must be found in
# O(1) (a scan of the pairs per duplicate took 25 s for this file).
awk 'BEGIN { for (r = 0; r < 2; r++) for (i = 0; i < 200000; i++) printf "k%d: %d\n", i, i }' >dups.yaml
t0=$(now_ms)
run sh -c "timeout 60 '$HITLESS' lint --no-config --color never dups.yaml good.yaml >dups.out; echo \$? >dups.rc"
fast "200 000 duplicate keys: fast" 12000 "$t0"
# duplicate-key is an error finding, not an unreadable input: exit 1.
if [ "$(cat dups.rc)" = 1 ]; then pass "200 000 duplicate keys: exit status"; else fail "200 000 duplicate keys: exit status $(cat dups.rc)"; fi
if [ "$(grep -c '\[duplicate-key\]$' dups.out)" = 200000 ]; then pass "200 000 duplicate keys: all reported"; else
    fail "200 000 duplicate keys: $(grep -c '\[duplicate-key\]$' dups.out) reported"; fi
if grep -qE "$GOOD" dups.out; then pass "200 000 duplicate keys: good.yaml is still checked"; else
    fail "200 000 duplicate keys: good.yaml is still checked"; fi

# Merge keys and anchors are supported: a container merged from an anchor
# gets its probes and hooks; an explicit key wins over a merged one.
cat >merge.yaml <<'EOF'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: merged
  labels: &labels {app: merged}
spec:
  replicas: 2
  selector:
    matchLabels: *labels
  template:
    metadata:
      labels: *labels
    spec:
      containers:
      - &base
        name: a
        image: nginx
        ports:
        - {name: http, containerPort: 8080}
        readinessProbe:
          httpGet: {path: /ready, port: http}
        livenessProbe:
          tcpSocket: {port: http}
        lifecycle:
          preStop:
            exec: {command: ["sleep", "10"]}
      - <<: *base
        name: b
      - <<: [{image: other}, *base]
        name: c
        readinessProbe:
          httpGet: {path: /ready, port: admin}
      - name: d
        image: nginx
        ports:
        - containerPort: 9090
EOF
run "${LINT[@]}" --format json merge.yaml good.yaml
expect_rc "merge keys: exit status (findings, no input error)" 1
json "merge keys: no diagnostic" "not [f for f in F if f['rule'] in ('yaml-syntax', 'invalid-value', 'duplicate-key', 'input-limit')]"
json "merge keys: containers a, b (merged) and c (merged) have probes and hooks" \
    "not [f for f in F if f['file'] == 'merge.yaml' and f.get('container') in ('a', 'b', 'c') and f['rule'] in ('readiness-probe-missing', 'liveness-probe-missing', 'prestop-hook-missing')]"
json "merge keys: container d without them is flagged (the rules ran)" \
    "[f.get('container') for f in at('readiness-probe-missing', 'merge.yaml')] == ['d']"
json "merge keys: c's own readinessProbe wins over the merged one" \
    "[f.get('container') for f in at('probe-port-unknown', 'merge.yaml', 32, 41)] == ['c']"
json "merge keys: aliased labels are read as labels (no invalid-value)" \
    "not at('invalid-value', 'merge.yaml')"
json "merge keys: good.yaml is still checked" "len(at('readiness-probe-missing', 'good.yaml', 14, 9)) == 1"
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  <<: 5\n  a: b\n' >merge-bad.yaml
check "merge key on a scalar" 1 invalid-value 'merge-bad\.yaml:6:3' merge-bad.yaml
printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: m\ndata:\n  a: *nowhere\n' >alias-undef.yaml
check "alias with no anchor" 2 yaml-syntax 'alias-undef\.yaml:6:6' alias-undef.yaml

# Merges copy pairs (aliases do not), so they are budgeted per input: many
# documents each merging 990 copies of a 1000-key anchor hit input-limit.
awk 'BEGIN { k = ""; for (i = 0; i < 1000; i++) k = k (i ? ", " : "") "k" i ": " i;
             r = ""; for (i = 0; i < 990; i++) r = r (i ? ", " : "") "*a";
             for (d = 0; d < 200; d++) printf "---\na: &a {%s}\nb: {<<: [%s]}\n", k, r }' >mergebomb.yaml
t0=$(now_ms)
run timed "$TMP/merge.rss" "${LINT[@]}" mergebomb.yaml good.yaml
fast "merge amplification: fast" "$SLOW_MS" "$t0"
expect_rc "merge amplification: exit status" 2
expect_out "merge amplification: [input-limit] located" '^mergebomb\.yaml:9:4: error: merge keys \(<<\) copy more than 2000000 entries in this input; the rest is not read \[input-limit\]$'
if [ "$(printf '%s\n' "$OUT" | grep -c 'input-limit')" = 1 ]; then pass "merge amplification: reported once"; else
    fail "merge amplification: reported once" "$(printf '%s\n' "$OUT" | grep 'input-limit' | head -3)"; fi
expect_out "merge amplification: good.yaml is still checked" "$GOOD"
rss_bound "merge amplification" "$TMP/merge.rss" 400000

# --- files ----------------------------------------------------------------------------------------

check "missing path" 2 input-unreadable 'nope\.yaml' nope.yaml
expect_out "missing path: message" '^nope\.yaml: error: cannot read: No such file or directory'

mkdir -p nomanifests/sub && echo '# notes' >nomanifests/README.md && echo 'x' >nomanifests/sub/notes.txt
check "directory without manifests" 2 input-unreadable 'nomanifests' nomanifests
expect_out "directory without manifests: message" 'no \.yaml, \.yml or \.json files in this directory'

# Unreadable: tests run as root, who reads anything; drop to nobody.
if command -v setpriv >/dev/null 2>&1; then
    chmod 755 "$TMP"
    mkdir -p perm/locked && cp good.yaml perm/ok.yaml && cp good.yaml perm/secret.yaml &&
        cp good.yaml perm/locked/inner.yaml && cp good.yaml secret.yaml
    chmod 644 good.yaml perm/ok.yaml && chmod 000 secret.yaml perm/secret.yaml && chmod 000 perm/locked
    NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    run "${NOBODY[@]}" "${LINT[@]}" secret.yaml good.yaml
    expect_rc "unreadable file: exit status" 2
    expect_out "unreadable file: [input-unreadable] on the file" '^secret\.yaml: error: cannot read: Permission denied \[input-unreadable\]$'
    expect_out "unreadable file: good.yaml is still checked" "$GOOD"
    run "${NOBODY[@]}" "${LINT[@]}" perm
    expect_rc "unreadable file and directory in a walk: exit status" 2
    expect_out "unreadable file in a walk" '^perm/secret\.yaml: error: cannot read: Permission denied \[input-unreadable\]$'
    expect_out "unreadable directory in a walk" '^perm/locked: error: cannot read: Permission denied \[input-unreadable\]$'
    expect_out "unreadable entries in a walk: the readable file is checked" '^perm/ok\.yaml:14:9: error: .*\[readiness-probe-missing\]$'
    chmod 755 perm/locked
else
    echo "$TEST_NAME: skipped the unreadable-file case: setpriv (util-linux) is missing"
fi

# Symbolic link loops: a link to itself, and a directory link to its parent.
ln -s self.yaml self.yaml
check "self-referencing symlink" 2 input-unreadable 'self\.yaml' self.yaml
expect_out "self-referencing symlink: message" 'symbolic link loop'
mkdir -p loop/sub && cp good.yaml loop/in.yaml && ln -s .. loop/sub/up && ln -s me.yaml loop/me.yaml
run timeout 10 "$HITLESS" lint --no-config --color never loop good.yaml
expect_rc "directory symlink loop: exit status (no hang)" 2
expect_out "directory symlink loop: reported at the link" '^loop/sub/up: error: .*symbolic link loop.*\[input-unreadable\]$'
expect_out "self-referencing symlink in a walk" '^loop/me\.yaml: error: cannot read: .*\[input-unreadable\]$'
expect_out "directory symlink loop: the directory's manifest is checked" '^loop/in\.yaml:14:9: error: .*\[readiness-probe-missing\]$'
expect_out "directory symlink loop: good.yaml is still checked" "$GOOD"
if [ "$(printf '%s\n' "$OUT" | grep -c '^loop/.*in\.yaml:14:9: error:')" = 1 ]; then
    pass "directory symlink loop: no file read twice"
else
    fail "directory symlink loop: no file read twice" "$(printf '%s\n' "$OUT" | grep 'in\.yaml:14:9: error:')"
fi

# A FIFO would block on open or read forever: refused, without hanging
# (nobody ever writes to it; timeout 10 turns a hang into exit 124).
mkfifo fifo.yaml
mkdir -p special && mkfifo special/pipe.yaml && ln -s /dev/zero special/zero.yaml && cp good.yaml special/ok.yaml
run timeout 10 "$HITLESS" lint --no-config --color never fifo.yaml good.yaml
expect_rc "FIFO: exit status (no hang)" 2
expect_out "FIFO: refused" '^fifo\.yaml: error: .*not a regular file.*\[input-unreadable\]$'
expect_out "FIFO: good.yaml is still checked" "$GOOD"
run timeout 10 "$HITLESS" lint --no-config --color never /dev/null /dev/zero good.yaml
expect_rc "devices: exit status (no hang)" 2
expect_out "/dev/null: refused" '^/dev/null: error: .*not a regular file.*\[input-unreadable\]$'
expect_out "/dev/zero: refused" '^/dev/zero: error: .*not a regular file.*\[input-unreadable\]$'
expect_out "devices: good.yaml is still checked" "$GOOD"
run timeout 10 "$HITLESS" lint --no-config --color never special
expect_rc "FIFO and device in a walk: exit status (no hang)" 2
expect_out "FIFO in a walk: refused" '^special/pipe\.yaml: error: .*not a regular file.*\[input-unreadable\]$'
expect_out "device symlink in a walk: refused" '^special/zero\.yaml: error: .*not a regular file.*\[input-unreadable\]$'
expect_out "FIFO and device in a walk: the regular file is checked" '^special/ok\.yaml:14:9: error: .*\[readiness-probe-missing\]$'

# Every diagnostic of a file is also located in JSON: file set, and line and
# column 0 exactly for whole-file problems.
run "${LINT[@]}" --format json nope.yaml tab.yaml good.yaml
json "JSON: whole-file problem has line 0, column 0" "len(at('input-unreadable', 'nope.yaml', 0, 0)) == 1"
json "JSON: syntax error located" "len(at('yaml-syntax', 'tab.yaml', 4, 1)) == 1 and at('yaml-syntax')[0]['object'] is None"
json "JSON: good.yaml still checked" "len(at('readiness-probe-missing', 'good.yaml', 14, 9)) == 1 and S['files'] == 2"

finish
