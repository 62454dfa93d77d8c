#!/usr/bin/env bash
# The webhook, end to end: the real binary, certificates from `hitless
# certs`, and real TLS clients (curl with --cacert, so the chain and the
# host name are verified; openssl s_client).
. "$(dirname "$0")/lib.sh"
AD=$ROOT/testdata/admission
SVC=hitless
NS=hitless-system
HOST=$SVC.$NS.svc
cd "$TMP" || exit 1


# start NAME [webhook options...]: starts a server in the background; sets
# PORT and PID_<NAME>; its log goes to NAME.log.
start() {
    local name=$1 i
    shift
    PORT=$(free_port)
    "$HITLESS" webhook --tls-cert-file certs/tls.crt --tls-key-file certs/tls.key \
        --port "$PORT" "$@" 2>"$name.log" &
    eval "PID_$name=$!"
    for i in $(seq 100); do
        curl -s --cacert certs/ca.crt --resolve "$HOST:$PORT:127.0.0.1" "https://$HOST:$PORT/healthz" >/dev/null 2>&1 && return 0
        sleep 0.05
    done
    fail "server $name did not start" "$(cat "$name.log")"
    return 1
}

# req METHOD PATH [curl args...]: HTTPS request to the current PORT; sets
# CODE and BODY.
req() {
    local method=$1 path=$2
    shift 2
    CODE=$(curl -sS -o body.out -w '%{http_code}' --cacert "${CA:-certs/ca.crt}" \
        --resolve "$HOST:$PORT:127.0.0.1" -X "$method" "$@" "https://$HOST:$PORT$path" 2>curl.err)
    BODY=$(cat body.out)
}

review() { req POST /validate -H 'Content-Type: application/json' --data-binary "@$1"; }

# jq-like assertions on BODY with python.
body_py() { printf '%s' "$BODY" | python3 -c "import json,sys; r=json.load(sys.stdin); $1"; }

expect_code() {
    if [ "$CODE" = "$2" ]; then pass "$1"; else
        fail "$1: HTTP $CODE, expected $2" "$BODY" "$(cat curl.err)"; fi
}

expect_body() { # NAME PYTHON-ASSERTIONS (r = the JSON body)
    if body_py "$2" 2>py.err; then pass "$1"; else fail "$1" "$BODY" "$(tail -3 py.err)"; fi
}

# --- hitless certs -------------------------------------------------------------
run "$HITLESS" certs --service "$SVC" --namespace "$NS" --out certs --host localhost --host 127.0.0.1
expect_rc "certs" 0
bundle=$OUT
if [ "$(printf '%s' "$bundle" | base64 -d 2>/dev/null)" = "$(cat certs/ca.crt)" ]; then
    pass "certs prints the caBundle (base64 of ca.crt)"; else fail "caBundle" "$bundle"; fi
sans=$(openssl x509 -in certs/tls.crt -noout -ext subjectAltName 2>&1)
for san in "DNS:$SVC," "DNS:$SVC.$NS," "DNS:$SVC.$NS.svc," "DNS:$SVC.$NS.svc.cluster.local" "IP Address:127.0.0.1"; do
    case "$sans" in *"$san"*) pass "SAN $san" ;; *) fail "SAN $san missing" "$sans" ;; esac
done
if openssl verify -CAfile certs/ca.crt certs/tls.crt >/dev/null 2>&1; then pass "tls.crt chains to ca.crt"; else fail "tls.crt chains to ca.crt"; fi
if [ "$(stat -c %a certs/tls.key)" = 600 ] && [ "$(stat -c %a certs/ca.key)" = 600 ]; then pass "keys are 0600"; else fail "keys are 0600" "$(ls -l certs)"; fi
run "$HITLESS" certs --service x
expect_rc "certs without --namespace/--out" 2
mkdir -p other && "$HITLESS" certs --service other --namespace x --out other >/dev/null

# --- start-up checks ---------------------------------------------------------
run "$HITLESS" webhook --tls-cert-file certs/tls.crt --tls-key-file other/tls.key --port "$(free_port)"
expect_rc "mismatched key refused at start-up" 2
expect_err "mismatched key message" 'does not match the certificate'
run "$HITLESS" webhook --tls-cert-file nope.crt --tls-key-file certs/tls.key
expect_rc "missing certificate file" 2
run "$HITLESS" webhook --tls-key-file certs/tls.key
expect_rc "webhook without --tls-cert-file" 2
run "$HITLESS" webhook --tls-cert-file certs/tls.crt --tls-key-file certs/tls.key --mode loud
expect_rc "bad --mode" 2
run "$HITLESS" webhook --help
expect_out "webhook --help" '^usage: hitless webhook'

start main --shutdown-delay 2s --connection-timeout 3s || { finish; exit 1; }
PORT_MAIN=$PORT
if grep -q 'certificate loaded' main.log && grep -q "DNS:$HOST" main.log && grep -q 'expires=' main.log; then
    pass "start-up logs the certificate's SANs and expiry"; else fail "start-up log" "$(cat main.log)"; fi

# --- TLS -------------------------------------------------------------------------
req GET /healthz
expect_code "healthz over verified TLS" 200
curl -sS --cacert certs/ca.crt --resolve "wrong.example:$PORT:127.0.0.1" "https://wrong.example:$PORT/healthz" >/dev/null 2>curl.err
rc=$?
if [ $rc -eq 60 ] || [ $rc -eq 51 ]; then pass "wrong host name is refused by curl"; else fail "wrong host name: curl exit $rc" "$(cat curl.err)"; fi
curl -sS --cacert other/ca.crt --resolve "$HOST:$PORT:127.0.0.1" "https://$HOST:$PORT/healthz" >/dev/null 2>curl.err
rc=$?
if [ $rc -eq 60 ] || [ $rc -eq 35 ]; then pass "an unrelated CA is refused"; else fail "unrelated CA: curl exit $rc"; fi
s_out=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -servername "$HOST" -CAfile certs/ca.crt \
    -verify_return_error -verify_hostname "$HOST" 2>&1)
if printf '%s' "$s_out" | grep -q 'Verify return code: 0 (ok)'; then pass "openssl s_client verifies chain and host"; else
    fail "openssl s_client verify" "$(printf '%s' "$s_out" | tail -5)"; fi
# s_client prints the protocol it tried even when the handshake fails; a
# failed one has no cipher.
t12=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_2 -CAfile certs/ca.crt 2>&1)
if printf '%s' "$t12" | grep -q 'Protocol *: TLSv1.2' && ! printf '%s' "$t12" | grep -q 'Cipher is (NONE)'; then
    pass "TLS 1.2 accepted"; else fail "TLS 1.2 accepted" "$(printf '%s' "$t12" | tail -5)"; fi
t11=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -tls1_1 -cipher 'DEFAULT@SECLEVEL=0' 2>&1)
if printf '%s' "$t11" | grep -q 'Cipher is (NONE)'; then pass "TLS 1.1 refused"; else
    fail "TLS 1.1 must be refused" "$(printf '%s' "$t11" | tail -5)"; fi
plain=$(curl -sS -m 5 "http://127.0.0.1:$PORT/healthz" 2>&1)
req GET /healthz
if [ "$CODE" = 200 ]; then pass "plain HTTP to the TLS port fails, server keeps serving ($plain)"; else fail "after plain HTTP"; fi

# --- reviews -------------------------------------------------------------------
review "$AD/deployment-create-denied.json"
expect_code "denied review: HTTP 200" 200
expect_body "denied review (v1)" '
q=r["response"]; assert r["apiVersion"]=="admission.k8s.io/v1" and r["kind"]=="AdmissionReview"
assert q["uid"]=="'"$(python3 -c "import json;print(json.load(open('$AD/deployment-create-denied.json'))['request']['uid'])")"'"
assert q["allowed"] is False and q["status"]["code"]==403
m=q["status"]["message"]
assert "Deployment shop/nginx-deployment" in m and "[readiness-probe-missing]" in m and "fix:" in m
assert any("[prestop-hook-missing]" in w for w in q["warnings"])
assert all(len(w) <= 120 for w in q["warnings"])'
cp body.out denied.json
review "$AD/deployment-create-denied-v1beta1.json"
expect_body "denied review answered in v1beta1" 'assert r["apiVersion"]=="admission.k8s.io/v1beta1" and r["response"]["allowed"] is False'
review "$AD/deployment-create-allowed.json"
expect_body "allowed review, no warnings" 'q=r["response"]; assert q["allowed"] is True and "warnings" not in q and "status" not in q'
review "$AD/deployment-create-warned.json"
expect_body "warned review" 'q=r["response"]; assert q["allowed"] is True; assert [w for w in q["warnings"] if w.startswith("[prestop-hook-missing]")], q'
cp body.out warned.json
review "$AD/deployment-create-suppressed.json"
expect_body "suppression annotation honoured" 'q=r["response"]; assert q["allowed"] is True and not any("readiness-probe-missing" in w for w in q.get("warnings",[]))'
review "$AD/deployment-update-ratchet.json"
expect_body "UPDATE keeping an old violation: allowed, warned" 'q=r["response"]; assert q["allowed"] is True; assert any(w.startswith("(already present) [readiness-probe-missing]") for w in q["warnings"]), q'
review "$AD/deployment-update-new-violation.json"
expect_body "UPDATE adding a violation: denied" 'q=r["response"]; assert q["allowed"] is False and "[readiness-probe-missing]" in q["status"]["message"]'
review "$AD/deployment-delete.json"
expect_body "DELETE allowed" 'assert r["response"]["allowed"] is True and "warnings" not in r["response"]'
review "$AD/pod-owned.json"
expect_body "controller-owned Pod allowed unchecked" 'assert r["response"]["allowed"] is True and "warnings" not in r["response"]'
review "$AD/pod-bare-warned.json"
expect_body "bare Pod checked" 'q=r["response"]; assert q["allowed"] is True and any(w.startswith("[standalone-pod]") for w in q["warnings"])'
review "$AD/configmap-unchecked.json"
expect_body "unchecked kind allowed" 'assert r["response"]["allowed"] is True and "warnings" not in r["response"]'
review "$AD/hpa-create-warned.json"
expect_body "HPA warned" 'assert any(w.startswith("[hpa-min-replicas]") for w in r["response"]["warnings"])'
# Requests recorded from a real API server, when the shared folder has them.
if [ -d "$ROOT/../shared/admission" ]; then
    for f in "$ROOT"/../shared/admission/*.json; do
        [ -f "$f" ] || continue
        review "$f"
        expect_code "shared/admission/$(basename "$f"): HTTP 200" 200
        expect_body "shared/admission/$(basename "$f"): uid echoed" 'import json; assert r["response"]["uid"]==json.load(open("'"$f"'"))["request"]["uid"]'
    done
fi

# --- malformed requests ------------------------------------------------------------
bad() { # NAME BODY CODE PATTERN
    printf '%s' "$2" >bad.json
    req POST /validate -H 'Content-Type: application/json' --data-binary @bad.json
    expect_code "$1: HTTP $3" "$3"
    case "$BODY" in *$4*) pass "$1: message" ;; *) fail "$1: message" "$BODY" ;; esac
}
bad "not JSON" 'hello' 400 "not JSON"
bad "truncated JSON" '{"apiVersion": "admission.k8s.io/v1", "kind": "Admiss' 400 "not JSON"
bad "JSON array" '[1,2]' 400 "not a JSON object"
bad "not an AdmissionReview" '{"apiVersion":"v1","kind":"Pod"}' 400 "apiVersion must be"
bad "no request" '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}' 400 "no request"
bad "no uid" '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"operation":"CREATE","object":{}}}' 400 "no uid"
bad "object not a map" '{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"1","operation":"CREATE","object":[1]}}' 400 "not an object"
bad "empty body" '' 400 "not JSON"
python3 -c 'print("{\"a\":" * 5000 + "1" + "}" * 5000)' >deep.json
req POST /validate --data-binary @deep.json
expect_code "JSON nested 5000 deep: 400" 400
head -c 3200000 /dev/zero | tr '\0' ' ' >big.json
req POST /validate -H 'Content-Type: application/json' --data-binary @big.json
expect_code "body over --max-body-bytes: 413" 413
python3 -c 'import sys; sys.stdout.write(" " * 3200000)' | curl -sS -o body.out -w '%{http_code}' --cacert certs/ca.crt \
    --resolve "$HOST:$PORT:127.0.0.1" -H 'Transfer-Encoding: chunked' --data-binary @- "https://$HOST:$PORT/validate" >code.out 2>curl.err
CODE=$(cat code.out)
expect_code "chunked body over the limit: 413" 413
req GET /validate
expect_code "GET /validate: 405" 405
req POST /healthz --data x
expect_code "POST /healthz: 405" 405
req GET /nope
expect_code "unknown path: 404" 404

# A client that sends half a request and stalls is cut off by the
# connection timeout (3 s here) without holding up anyone else.  s_client
# -quiet ignores the end of its input, so only the server closing the
# connection ends it before `timeout 10`; its exit time is what counts.
slow_start=$(date +%s%N)
( { printf 'POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{"apiVer'; sleep 12; } |
    { timeout 10 openssl s_client -quiet -connect "127.0.0.1:$PORT" >slow.out 2>&1; date +%s%N >slow.end; } ) &
slow=$!
# Many idle connections, too.
idle_pids=()
for i in $(seq 40); do
    ( sleep 6 | timeout 8 openssl s_client -quiet -connect "127.0.0.1:$PORT" >/dev/null 2>&1 ) &
    idle_pids+=($!)
done
sleep 1
review "$AD/deployment-create-allowed.json"
expect_code "served while a client stalls and 40 sit idle" 200
while [ ! -s slow.end ] && [ $(( ($(date +%s%N) - slow_start) / 1000000000 )) -lt 12 ]; do sleep 0.1; done
cut_ms=$(( ($(cat slow.end 2>/dev/null || date +%s%N) - slow_start) / 1000000 ))
if [ "$cut_ms" -ge 2500 ] && [ "$cut_ms" -lt 8000 ]; then pass "stalled client cut off by the connection timeout (${cut_ms} ms)"; else
    fail "stalled client not cut off after the 3 s timeout (${cut_ms} ms)" "$(cat slow.out)"; fi
kill "$slow" 2>/dev/null
for p in "${idle_pids[@]}"; do wait "$p" 2>/dev/null; done

# --- metrics and logs ------------------------------------------------------------
req GET /metrics
expect_code "metrics" 200
expect_out_body() { if printf '%s\n' "$BODY" | grep -qE -- "$2"; then pass "$1"; else fail "$1" "$(printf '%s' "$BODY" | head -30)"; fi; }
expect_out_body "metrics: denied Deployment creates" '^hitless_admission_reviews_total\{kind="Deployment",operation="CREATE",decision="denied"\} 2$'
expect_out_body "metrics: warned updates" '^hitless_admission_reviews_total\{kind="Deployment",operation="UPDATE",decision="warned"\} 1$'
expect_out_body "metrics: invalid reviews" '^hitless_admission_reviews_total\{kind="other",operation="other",decision="invalid"\} [1-9]'
expect_out_body "metrics: latency histogram" '^hitless_admission_duration_seconds_bucket\{le="\+Inf"\} [1-9]'
expect_out_body "metrics: histogram count" '^hitless_admission_duration_seconds_count [1-9]'
expect_out_body "metrics: findings by rule" '^hitless_findings_total\{rule="readiness-probe-missing"\} [2-9]'
expect_out_body "metrics: 413 counted" '^hitless_http_responses_total\{code="413"\} 2$'
not_after=$(date -d "$(openssl x509 -in certs/tls.crt -noout -enddate | cut -d= -f2)" +%s)
expect_out_body "metrics: certificate expiry" "^hitless_certificate_expiry_timestamp_seconds $not_after\$"
expect_out_body "metrics: ready" '^hitless_ready 1$'
reviews=$(grep -c ' review ' main.log)
if [ "$reviews" -ge 20 ]; then pass "one log line per review ($reviews)"; else fail "review log lines: $reviews" "$(tail -5 main.log)"; fi
if grep -q 'review uid=.* kind=Deployment object=shop/nginx-deployment operation=CREATE decision=denied rules=readiness-probe-missing' main.log; then
    pass "review log line content"; else fail "review log line content" "$(grep ' review ' main.log | head -3)"; fi

# --- modes ------------------------------------------------------------------------
kill -TERM "$PID_main"
start warnmode --mode warn --shutdown-delay 0 || { finish; exit 1; }
review "$AD/deployment-create-denied.json"
expect_body "--mode warn never denies" 'q=r["response"]; assert q["allowed"] is True and any(w.startswith("[readiness-probe-missing]") for w in q["warnings"])'
kill -TERM "$PID_warnmode"
start strict --deny-on warning --log-format json --shutdown-delay 0 || { finish; exit 1; }
review "$AD/deployment-create-warned.json"
expect_body "--deny-on warning denies a warning" 'assert r["response"]["allowed"] is False and "[prestop-hook-missing]" in r["response"]["status"]["message"]'
printf 'disable: [prestop-hook-missing]\n' >wh-config.yaml
kill -TERM "$PID_strict"
wait "$PID_strict"
if grep '"msg":"review"' strict.log | python3 -c 'import json,sys; [json.loads(l) for l in sys.stdin]' 2>/dev/null &&
   grep -q '"decision":"denied"' strict.log; then pass "--log-format json"; else fail "--log-format json" "$(cat strict.log)"; fi
start cfg --deny-on warning --config wh-config.yaml --shutdown-delay 0 || { finish; exit 1; }
review "$AD/deployment-create-warned.json"
expect_body "--config applies to the webhook" 'assert r["response"]["allowed"] is True'
kill -TERM "$PID_cfg"
wait "$PID_main"
rc=$?
if [ $rc -eq 0 ]; then pass "main server exited 0 after SIGTERM"; else fail "main server exit $rc" "$(tail -5 main.log)"; fi
wait "$PID_warnmode" "$PID_cfg"

# --- SIGTERM with requests in flight -------------------------------------------------
start term --shutdown-delay 2s || { finish; exit 1; }
url="https://$HOST:$PORT/validate"
load() { # load N: requests in a loop until `stop` exists; counts failures
    local fails=0 n=0 code
    while [ ! -f stop ]; do
        code=$(curl -sS -o /dev/null -w '%{http_code}' --cacert certs/ca.crt --resolve "$HOST:$PORT:127.0.0.1" \
            -H 'Content-Type: application/json' --data-binary "@$AD/deployment-create-denied.json" "$url" 2>>load-$1.err)
        n=$((n + 1))
        [ "$code" = 200 ] || fails=$((fails + 1))
    done
    echo "$n $fails" >load-$1.out
}
rm -f stop
for i in 1 2 3; do load $i & done
load_pids=$(jobs -p | tail -3)
# A request whose body arrives slowly: in flight when the listener closes.
python3 -c 'import json; d=json.load(open("'"$AD/deployment-create-allowed.json"'")); print(json.dumps(d, indent=40))' >slow-body.json
curl -sS -o slow-reply.json -w '%{http_code}' --limit-rate 4k --cacert certs/ca.crt --resolve "$HOST:$PORT:127.0.0.1" \
    -H 'Content-Type: application/json' --data-binary @slow-body.json "$url" >slow-code.out 2>slow-curl.err &
slow_pid=$!
sleep 0.5
kill -TERM "$PID_term"
sleep 0.2
req GET /readyz
expect_code "/readyz turns 503 at once after SIGTERM" 503
req GET /healthz
expect_code "/healthz still 200 while shutting down" 200
sleep 1
touch stop
wait $load_pids
total=0 failed=0
for i in 1 2 3; do read -r n f <load-$i.out; total=$((total + n)); failed=$((failed + f)); done
if [ "$total" -gt 10 ] && [ "$failed" -eq 0 ]; then pass "no request failed across SIGTERM ($total requests)"; else
    fail "requests during SIGTERM: $failed of $total failed" "$(cat load-*.err | head -5)"; fi
wait "$slow_pid"
if [ "$(cat slow-code.out)" = 200 ] && python3 -c 'import json; assert json.load(open("slow-reply.json"))["response"]["allowed"]'; then
    pass "a request in flight when the listener closed finished"; else fail "slow in-flight request" "$(cat slow-code.out slow-curl.err)"; fi
wait "$PID_term"
rc=$?
if [ $rc -eq 0 ]; then pass "exit 0 after the shutdown sequence"; else fail "exit status $rc after SIGTERM" "$(tail -5 term.log)"; fi
if grep -q 'shutting down' term.log && grep -q 'stopped' term.log; then pass "shutdown logged"; else fail "shutdown log" "$(cat term.log)"; fi

# --- certificate replacement while serving -------------------------------------------
start rotate --shutdown-delay 0 || { finish; exit 1; }
"$HITLESS" certs --service "$SVC" --namespace "$NS" --out new >/dev/null
cat certs/ca.crt new/ca.crt >both-ca.crt
old_serial=$(openssl x509 -in certs/tls.crt -noout -serial)
new_serial=$(openssl x509 -in new/tls.crt -noout -serial)
url="https://$HOST:$PORT/validate"
loadk() { # keep-alive load: one curl, many requests on one connection
    local fails=0 n=0
    while [ ! -f stop2 ]; do
        out=$(curl -sS --cacert both-ca.crt --resolve "$HOST:$PORT:127.0.0.1" -H 'Content-Type: application/json' \
            -w '%{http_code}\n' -o /dev/null --data-binary "@$AD/deployment-create-allowed.json" "$url" \
            -o /dev/null --data-binary "@$AD/deployment-create-allowed.json" "$url" \
            -o /dev/null --data-binary "@$AD/deployment-create-allowed.json" "$url" 2>>loadk-$1.err)
        for c in $out; do n=$((n + 1)); [ "$c" = 200 ] || fails=$((fails + 1)); done
    done
    echo "$n $fails" >loadk-$1.out
}
rm -f stop2
for i in 1 2 3; do loadk $i & done
loadk_pids=$(jobs -p | tail -3)
sleep 0.7
# A rotation as cert-manager or kubelet does it: new files moved into place.
cp new/tls.key certs/tls.key.new && cp new/tls.crt certs/tls.crt.new
mv certs/tls.key.new certs/tls.key && mv certs/tls.crt.new certs/tls.crt
sleep 1.5
served=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -servername "$HOST" 2>/dev/null | openssl x509 -noout -serial)
if [ "$served" = "$new_serial" ] && [ "$served" != "$old_serial" ]; then pass "the new certificate is served"; else
    fail "served certificate: $served (new $new_serial, old $old_serial)" "$(tail -5 rotate.log)"; fi
CA=new/ca.crt req GET /healthz
expect_code "clients trusting only the new CA connect" 200
# A bad replacement (key of another certificate) keeps the good one serving.
cp other/tls.key certs/tls.key
sleep 1.2
served2=$(echo | openssl s_client -connect "127.0.0.1:$PORT" -servername "$HOST" 2>/dev/null | openssl x509 -noout -serial)
if [ "$served2" = "$new_serial" ] && grep -q 'certificate reload failed' rotate.log; then
    pass "a mismatched replacement is refused, the last good pair stays"; else fail "bad replacement" "$(tail -3 rotate.log)"; fi
touch stop2
wait $loadk_pids
total=0 failed=0
for i in 1 2 3; do read -r n f <loadk-$i.out; total=$((total + n)); failed=$((failed + f)); done
if [ "$total" -gt 10 ] && [ "$failed" -eq 0 ]; then pass "no request failed across the rotation ($total requests)"; else
    fail "requests during rotation: $failed of $total failed" "$(cat loadk-*.err | head -5)"; fi
CA=new/ca.crt req GET /metrics
expect_out_body "metrics: one successful reload" '^hitless_certificate_reloads_total\{result="success"\} 1$'
expect_out_body "metrics: a failed reload" '^hitless_certificate_reloads_total\{result="failure"\} [1-9]'
kill -TERM "$PID_rotate"
wait "$PID_rotate"
finish
