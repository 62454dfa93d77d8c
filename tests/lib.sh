# tests/lib.sh: sourced by every tests/*.sh script.
#
# HITLESS names the binary under test (make check points it at the sanitizer
# build).  Each script calls pass/fail per assertion and ends with finish,
# which prints "NAME: N passed, N failed" for tests/run to add up.
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
HITLESS=${HITLESS:-$ROOT/hitless}
TEST_NAME=$(basename "$0" .sh)
PASS=0
FAIL=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/hitless-$TEST_NAME.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

pass() { PASS=$((PASS + 1)); if [ -n "${VERBOSE:-}" ]; then echo "ok: $1"; fi; }

fail() {
    FAIL=$((FAIL + 1))
    echo "FAIL: $TEST_NAME: $1"
    shift
    for line in "$@"; do printf '    %s\n' "$line"; done
}

# run CMD...: runs a command, leaving its stdout in $OUT, stderr in $ERR and
# exit status in $RC.  A sanitizer report on stderr is always a failure.
run() {
    "$@" >"$TMP/out" 2>"$TMP/err"
    RC=$?
    OUT=$(cat "$TMP/out")
    ERR=$(cat "$TMP/err")
    if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$TMP/err"; then
        fail "sanitizer report from: $*" "$(head -20 "$TMP/err")"
    fi
}

# expect_rc NAME WANT: the last run exited with WANT.
expect_rc() {
    if [ "$RC" -eq "$2" ]; then pass "$1"; else
        fail "$1: exit status $RC, expected $2" "stdout: $(printf '%s' "$OUT" | head -5)" "stderr: $(printf '%s' "$ERR" | head -5)"
    fi
}

# expect_out NAME PATTERN: stdout of the last run matches the grep -E PATTERN.
expect_out() {
    if printf '%s\n' "$OUT" | grep -qE -- "$2"; then pass "$1"; else
        fail "$1: stdout does not match /$2/" "$(printf '%s' "$OUT" | head -10)"
    fi
}

# expect_no_out NAME PATTERN: stdout of the last run does not match.
expect_no_out() {
    if printf '%s\n' "$OUT" | grep -qE -- "$2"; then
        fail "$1: stdout matches /$2/" "$(printf '%s' "$OUT" | grep -E -- "$2" | head -5)"
    else pass "$1"; fi
}

# expect_err NAME PATTERN: stderr of the last run matches.
expect_err() {
    if printf '%s\n' "$ERR" | grep -qE -- "$2"; then pass "$1"; else
        fail "$1: stderr does not match /$2/" "$(printf '%s' "$ERR" | head -10)"
    fi
}

# free_port: prints a TCP port on 127.0.0.1 that nothing listens on.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

finish() {
    echo "$TEST_NAME: $PASS passed, $FAIL failed"
    [ "$FAIL" -eq 0 ]
}
