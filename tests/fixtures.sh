#!/usr/bin/env bash
# Data-driven rule tests.  testdata/rules/<rule-id>/ holds cases: a file
# (CASE.yaml, CASE.yml, CASE.json) or a directory (CASE/, linted as one set).
# Each case is linted from inside the rule's folder with
#   hitless lint --no-config --color never [$(cat CASE.args)] CASE
# and stdout plus a last line "exit: N" must equal CASE.out exactly.
# Cases named fail* must report [<rule-id>]; cases named pass* must not.
# Every rule and diagnostic of `hitless rules` needs a fail* and a pass* case.
# UPDATE=1 rewrites the .out files (review the diff by eye).
. "$(dirname "$0")/lib.sh"

ids=$("$HITLESS" rules --format json | sed -nE 's/.*"id": "([^"]+)".*/\1/p')
[ -n "$ids" ] || fail "hitless rules --format json lists no rule"

for id in $ids; do
    dir="$ROOT/testdata/rules/$id"
    if [ ! -d "$dir" ]; then
        fail "$id: no fixture folder testdata/rules/$id"
        continue
    fi
    ls "$dir" | grep -qE '^fail' || fail "$id: no fail* case"
    ls "$dir" | grep -qE '^pass' || fail "$id: no pass* case"
done

for dir in "$ROOT"/testdata/rules/*/; do
    id=$(basename "$dir")
    printf '%s\n' $ids | grep -qx -- "$id" || fail "testdata/rules/$id: no rule has this id"
    for case in "$dir"*; do
        name=$(basename "$case")
        case "$name" in
        *.out | *.args) continue ;;
        *.yaml | *.yml | *.json) stem=${name%.*} ;;
        *) [ -d "$case" ] || continue; stem=$name ;;
        esac
        args=()
        if [ -f "$dir$stem.args" ]; then read -r -a args <"$dir$stem.args"; fi
        actual=$(cd "$dir" && "$HITLESS" lint --no-config --color never ${args[@]+"${args[@]}"} "$name" 2>"$TMP/err"; echo "exit: $?")
        if grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$TMP/err"; then
            fail "$id/$name: sanitizer report" "$(head -20 "$TMP/err")"
        fi
        expected_file="$dir$stem.out"
        if [ -n "${UPDATE:-}" ]; then printf '%s\n' "$actual" >"$expected_file"; fi
        if [ ! -f "$expected_file" ]; then
            fail "$id/$name: no expected output $stem.out"
            continue
        fi
        if [ "$actual" = "$(cat "$expected_file")" ]; then pass "$id/$name"; else
            fail "$id/$name: output differs from $stem.out" \
                "$(diff <(printf '%s\n' "$actual") "$expected_file" | head -20)"
        fi
        case "$stem" in
        fail*) grep -q "\[$id\]" "$expected_file" || fail "$id/$name: a fail case that does not report $id" ;;
        pass*) if grep -q "\[$id\]" "$expected_file"; then fail "$id/$name: a pass case that reports $id"; fi ;;
        esac
    done
done

# Docs: every rule explains itself, and README's rule table is the registry's.
for id in $ids; do
    run "$HITLESS" explain "$id"
    expect_rc "explain $id" 0
    printf '%s' "$OUT" | grep -q '^why:' && printf '%s' "$OUT" | grep -q '^fix:' ||
        fail "explain $id: no why/fix section"
done
table=$("$HITLESS" rules --format markdown)
readme=$(sed -n '/<!-- rules:begin -->/,/<!-- rules:end -->/p' "$ROOT/README.md" | sed '1d;$d')
if [ "$table" = "$readme" ]; then pass "README rule table"; else
    fail "README rule table differs from hitless rules --format markdown" \
        "$(diff <(printf '%s\n' "$table") <(printf '%s\n' "$readme") | head -10)"
fi
finish
