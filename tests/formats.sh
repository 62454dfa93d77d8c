#!/usr/bin/env bash
# SARIF 2.1.0 (validated against the official schema with Ajv) and GitHub
# workflow annotations.
. "$(dirname "$0")/lib.sh"
EX=$ROOT/testdata/examples
SCHEMA=$ROOT/../shared/schemas/sarif-schema-2.1.0.json
VALIDATE=$ROOT/tests/tools/validate-json.js
cd "$TMP" || exit 1

# A set spread over two files, with a suppression, a related object, a file
# with a space in its name and a file that does not parse.
mkdir -p "set dir"
cat >"set dir/app.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  annotations:
    ignore.hitless.dev/missing-node-spread: "two zones, spread by the node pool"
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web:1
        ports: [{name: http, containerPort: 8080}]
YAML
cat >"set dir/pdb.yaml" <<'YAML'
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 3
  selector: {matchLabels: {app: web}}
YAML
printf 'apiVersion: v1\nkind: "Service\n' >"set dir/broken.yaml"

run "$HITLESS" lint --no-config --format sarif "set dir"
expect_rc "sarif: exit 2 with a broken file" 2
printf '%s\n' "$OUT" >set.sarif
run "$HITLESS" lint --no-config --format sarif "$EX/naive.yaml"
printf '%s\n' "$OUT" >naive.sarif
run "$HITLESS" lint --no-config --format sarif "$EX/fixed.yaml"
printf '%s\n' "$OUT" >fixed.sarif
run sh -c "'$HITLESS' lint --no-config --format sarif - <'$EX/naive.yaml'"
printf '%s\n' "$OUT" >stdin.sarif

if [ ! -f "$SCHEMA" ]; then
    fail "SARIF schema not found at $SCHEMA"
elif [ ! -d "$ROOT/tests/tools/node_modules/ajv" ]; then
    fail "Ajv is not installed (run .ci/install-deps)"
else
    run node "$VALIDATE" "$SCHEMA" set.sarif naive.sarif fixed.sarif stdin.sarif
    expect_rc "SARIF validates against the 2.1.0 schema" 0
    expect_out "validator saw all four" 'stdin\.sarif: valid'
    # The validator must be able to say no.
    sed -E 's/"version":[[:space:]]*"2\.1\.0"/"version": "2.0.0"/' naive.sarif >bad.sarif
    run node "$VALIDATE" "$SCHEMA" bad.sarif
    expect_rc "the validator rejects a wrong version" 1
fi

if python3 - <<'PY'
import json
s = json.load(open("set.sarif"))
assert s["version"] == "2.1.0"
run = s["runs"][0]
drv = run["tool"]["driver"]
assert drv["name"] == "hitless"
ids = [r["id"] for r in drv["rules"]]
assert "pdb-blocks-eviction" in ids and "yaml-syntax" in ids
r = drv["rules"][ids.index("pdb-blocks-eviction")]
assert r["defaultConfiguration"]["level"] == "error"
assert "maxUnavailable" in r["help"]["markdown"] and r["shortDescription"]["text"]
res = {x["ruleId"]: x for x in run["results"]}
pb = res["pdb-blocks-eviction"]
loc = pb["locations"][0]["physicalLocation"]
assert loc["artifactLocation"]["uri"] == "set%20dir/pdb.yaml", loc
assert loc["region"] == {"startLine": 5, "startColumn": 17}, loc
assert pb["ruleIndex"] == ids.index("pdb-blocks-eviction")
rel = pb["relatedLocations"][0]
assert rel["physicalLocation"]["artifactLocation"]["uri"] == "set%20dir/app.yaml"
assert "Deployment default/web" in rel["message"]["text"]
sup = res["missing-node-spread"]["suppressions"][0]
assert sup == {"kind": "inSource", "justification": "two zones, spread by the node pool"}
syn = res["yaml-syntax"]
assert syn["level"] == "error"
assert syn["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
PY
then pass "SARIF content: rules, regions, related locations, suppressions"
else fail "SARIF content" "$(head -c 600 set.sarif)"; fi

python3 -c '
import json; s=json.load(open("stdin.sarif"))
u={r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in s["runs"][0]["results"]}
assert u=={"stdin"}, u' && pass "SARIF: stdin uri" || fail "SARIF: stdin uri"
python3 -c '
import json; s=json.load(open("fixed.sarif")); assert s["runs"][0]["results"]==[]' &&
    pass "SARIF: clean input has no results" || fail "SARIF: clean input has no results"

# --- GitHub annotations -----------------------------------------------------
run "$HITLESS" lint --no-config --format github "set dir"
expect_rc "github: exit status" 2
expect_out "github: error annotation" '^::error file=set dir/pdb\.yaml,line=5,col=17,title=pdb-blocks-eviction::PodDisruptionBudget web requires 3 available pods'
expect_out "github: hint on a second line (escaped)" 'so drains hang \(PodDisruptionBudget default/web\)%0Ahint: allow at least one disruption'
expect_out "github: syntax error" '^::error file=set dir/broken\.yaml,line=2,col=[0-9]+,title=yaml-syntax::'
expect_no_out "github: suppressed findings are not annotated" 'missing-node-spread'
run "$HITLESS" lint --no-config --format github "$EX/naive.yaml"
expect_out "github: warning" '^::warning file=.*naive\.yaml,line=21,col=9,title=prestop-hook-missing::'
expect_out "github: info is a notice" '^::notice file=.*title=liveness-probe-missing::'
printf 'apiVersion: v1\nkind: Pod\nmetadata: {name: "a,b:c%%d"}\nspec:\n  containers: [{name: x, image: x, ports: [{containerPort: 1}]}]\n' >"odd,na:me.yaml"
run "$HITLESS" lint --no-config --format github "odd,na:me.yaml"
expect_out "github: property escaping" '^::error file=odd%2Cna%3Ame\.yaml,line='
expect_out "github: data escaping" 'Pod a,b:c%25d has no controller'
finish
