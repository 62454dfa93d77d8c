#!/usr/bin/env bash
# The real-manifest corpus (../shared/corpus, read-only): hitless lints every
# file without crashing (exit 0, 1 or 2; `run` fails on any sanitizer
# report), says yaml-syntax only about files libyaml itself rejects, and
# takes no rendered manifest for an unrendered template.
#
# "libyaml accepts" is decided independently of hitless by a small C program
# that runs libyaml's event parser (yaml_parser_parse) over each file: that is
# the parser hitless is built on, libyaml-dev is a build dependency anyway,
# and the bare event loop accepts at least what any loader accepts, so the
# check is as strict as it can be.
. "$(dirname "$0")/lib.sh"

CORPUS=${CORPUS:-$ROOT/../shared/corpus}
if [ ! -d "$CORPUS" ]; then
    echo "$TEST_NAME: skipped: no corpus at $CORPUS (set CORPUS=DIR)"
    finish
    exit
fi
CORPUS=$(cd "$CORPUS" && pwd)

# Unrendered templates that are in the corpus on purpose: the vitess example
# fills `{{uid}}`, `{{keyspace}}` ... in with sed before applying it (its
# metadata.name is `vttablet-{{uid}}`, which the API server would reject).
# These must be reported as templates; every other file must not be.
KNOWN_TEMPLATES=(
    kubernetes_examples/_archived__storage__vitess__vttablet-pod-template.yaml
)

# --- the oracle: libyaml's event parser ---------------------------------------------

cat >"$TMP/yamlcheck.c" <<'EOF'
/* Reads NUL-terminated paths on stdin; for each writes "ok\tPATH\0" or
 * "error\tPATH\0" after running libyaml's event parser over the file. */
#include <stdio.h>
#include <stdlib.h>
#include <yaml.h>

int main(void) {
    char *path = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getdelim(&path, &cap, '\0', stdin)) > 0) {
        FILE *f = fopen(path, "rb");
        int ok = 0;
        yaml_parser_t p;
        if (f && yaml_parser_initialize(&p)) {
            yaml_parser_set_input_file(&p, f);
            for (;;) {
                yaml_event_t ev;
                if (!yaml_parser_parse(&p, &ev)) break;
                int end = ev.type == YAML_STREAM_END_EVENT;
                yaml_event_delete(&ev);
                if (end) {
                    ok = 1;
                    break;
                }
            }
            yaml_parser_delete(&p);
        }
        if (f) fclose(f);
        printf("%s\t%s%c", ok ? "ok" : "error", path, '\0');
    }
    free(path);
    return 0;
}
EOF
YAML_FLAGS=$(pkg-config --cflags --libs yaml-0.1 2>/dev/null || echo -lyaml)
# shellcheck disable=SC2086
if ! cc -std=c11 -D_GNU_SOURCE -O2 -o "$TMP/yamlcheck" "$TMP/yamlcheck.c" $YAML_FLAGS 2>"$TMP/cc.err"; then
    fail "cannot build the libyaml checker" "$(head -5 "$TMP/cc.err")"
    finish
    exit
fi

# The oracle itself: it must tell a good file from a bad one.
printf 'a: [1, 2\n' >"$TMP/bad.yaml"
printf 'a: [1, 2]\n' >"$TMP/ok.yaml"
printf '%s\0' "$TMP/bad.yaml" "$TMP/ok.yaml" | "$TMP/yamlcheck" | tr '\0\t' '\n ' >"$TMP/selftest"
if [ "$(cat "$TMP/selftest")" = "error $TMP/bad.yaml
ok $TMP/ok.yaml" ]; then pass "the libyaml checker tells good from bad"; else
    fail "the libyaml checker tells good from bad" "$(cat "$TMP/selftest")"
fi

# The files a directory walk reads, in its order: entries sorted bytewise
# per directory, hidden ones skipped, *.yaml, *.yml and *.json.
python3 - "$CORPUS" >"$TMP/files" <<'PY'
import os, stat, sys
def walk(d, rel):
    for name in sorted(os.listdir(os.path.join(d, rel) if rel else d), key=os.fsencode):
        if name.startswith("."):
            continue
        r = os.path.join(rel, name) if rel else name
        st = os.stat(os.path.join(d, r))
        if stat.S_ISDIR(st.st_mode):
            walk(d, r)
        elif name.endswith((".yaml", ".yml", ".json")):
            sys.stdout.buffer.write(os.fsencode(r) + b"\0")
walk(sys.argv[1], "")
PY
(cd "$CORPUS" && "$TMP/yamlcheck" <"$TMP/files") >"$TMP/libyaml"
nfiles=$(tr -cd '\0' <"$TMP/files" | wc -c)
if [ "$nfiles" -gt 0 ]; then pass "corpus has files"; else fail "no *.yaml/*.yml/*.json file in $CORPUS"; fi

# --- hitless over the whole directory -------------------------------------------------------

# The directory itself, named as a user would; findings are matched to the
# oracle's relative paths by dropping the "$CORPUS/" prefix.
cd "$CORPUS" || exit 1
run timeout 300 "$HITLESS" lint --no-config --format json "$CORPUS"
case $RC in
0 | 1 | 2) pass "directory: exit status $RC" ;;
*) fail "directory: exit status $RC (crash or hang)" "$(printf '%s' "$ERR" | head -5)" ;;
esac
printf '%s\n' "$OUT" >"$TMP/lint.json"
DIR_RC=$RC

# Compares hitless's findings with the oracle; prints "pass NAME" or
# "fail NAME<TAB>DETAIL" lines, and last
# "summary FILES OBJECTS FINDINGS REJECTED".
python3 - "$CORPUS/" "$TMP/lint.json" "$TMP/libyaml" "${KNOWN_TEMPLATES[@]}" >"$TMP/verdict" <<'PY'
import json, sys

prefix, lint_path, oracle_path, known = sys.argv[1], sys.argv[2], sys.argv[3], set(sys.argv[4:])
def norm(p):
    return p[len(prefix):] if p.startswith(prefix) else p
try:
    d = json.load(open(lint_path))
except ValueError as e:
    print("fail JSON output parses\t%s" % e)
    sys.exit(0)
print("pass JSON output parses")
oracle = {}
for rec in open(oracle_path, encoding="utf-8", errors="surrogateescape").read().split("\0"):
    if rec:
        status, path = rec.split("\t", 1)
        oracle[path] = status
F, S = d["findings"], d["summary"]
by_rule = {}
for f in F:
    by_rule.setdefault(f["rule"], []).append(f)

def verdict(name, bad):
    if bad:
        print("fail %s\t%s" % (name, "; ".join(bad[:10]) + (" ... (%d in all)" % len(bad) if len(bad) > 10 else "")))
    else:
        print("pass %s" % name)

def where(f):
    return "%s:%s:%s %s" % (norm(f["file"] or "?"), f["line"], f["column"], f["message"][:100])

accepted = {p for p, s in oracle.items() if s == "ok"}
verdict("no yaml-syntax on a file libyaml accepts",
        [where(f) for f in by_rule.get("yaml-syntax", []) if norm(f["file"]) in accepted])
verdict("no yaml-syntax without a file",
        [where(f) for f in by_rule.get("yaml-syntax", []) if norm(f["file"] or "") not in oracle])
verdict("no template-not-rendered on a rendered manifest",
        [where(f) for f in by_rule.get("template-not-rendered", []) if norm(f["file"]) not in known])
templated = {norm(f["file"]) for f in by_rule.get("template-not-rendered", [])}
verdict("the known unrendered templates are reported as such",
        [p + ": no template-not-rendered" for p in sorted(known - templated)])
verdict("no input-limit or input-unreadable on a corpus file",
        [f["rule"] + " " + where(f) for r in ("input-limit", "input-unreadable") for f in by_rule.get(r, [])])
verdict("every file was read (summary.files = files found)",
        [] if S["files"] == len(oracle) else ["summary.files %d, files found %d" % (S["files"], len(oracle))])
rejected = sorted(p for p, s in oracle.items() if s != "ok")
verdict("every file libyaml rejects gets yaml-syntax or template-not-rendered",
        [p for p in rejected if not any(norm(f["file"] or "") == p for r in ("yaml-syntax", "template-not-rendered") for f in by_rule.get(r, []))])
print("summary %d %d %d %d" % (S["files"], S["objects"], S["findings"], len(rejected)))
PY
while IFS= read -r line; do
    case $line in
    pass\ *) pass "${line#pass }" ;;
    fail\ *)
        line=${line#fail }
        fail "${line%%$'\t'*}" "${line#*$'\t'}"
        ;;
    summary\ *) read -r _ files objects findings rejected <<<"$line" ;;
    esac
done <"$TMP/verdict"
grep -q '^summary ' "$TMP/verdict" || fail "no verdict from the comparison" "$(head -5 "$TMP/verdict")"

# A crash in the directory run: find the files that cause it, one by one.
if [ "$DIR_RC" -gt 2 ] || grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$TMP/err"; then
    while IFS= read -r -d '' f; do
        run timeout 60 "$HITLESS" lint --no-config --format json "$f"
        [ "$RC" -le 2 ] || fail "$f: exit status $RC" "$(printf '%s' "$ERR" | head -5)"
    done <"$TMP/files"
fi

# The same files named one by one on the command line, in the walk's order
# (all inputs form one set, and where the corpus defines the same object in
# several files, which one an HPA or PDB attaches to follows input order),
# and the other output formats: no crash either.
mapfile -d '' -t names <"$TMP/files"
run timeout 300 "$HITLESS" lint --no-config --format json "${names[@]}"
case $RC in 0 | 1 | 2) pass "files as arguments: exit status $RC" ;; *) fail "files as arguments: exit status $RC" ;; esac
# Same findings, once the walk's "$CORPUS/" prefix is dropped (paths appear
# in messages too: "first at FILE:LINE").
printf '%s\n' "$OUT" >"$TMP/args.json"
if [ "$RC" = "$DIR_RC" ] && python3 - "$CORPUS/" "$TMP/args.json" "$TMP/lint.json" <<'PY'
import json, sys
prefix = sys.argv[1]
def load(p):
    d = json.load(open(p))
    return (d["summary"], sorted(json.dumps(f, sort_keys=True).replace(prefix, "") for f in d["findings"]))
sys.exit(0 if load(sys.argv[2]) == load(sys.argv[3]) else 1)
PY
then
    pass "files as arguments: same findings as the directory walk"
else
    fail "files as arguments: same findings as the directory walk (exit $RC vs $DIR_RC)"
fi
for fmt in text sarif github; do
    run timeout 300 "$HITLESS" lint --no-config --format $fmt "$CORPUS"
    case $RC in 0 | 1 | 2) pass "--format $fmt: exit status $RC" ;; *) fail "--format $fmt: exit status $RC" ;; esac
done

echo "corpus: ${files:-?} files, ${objects:-?} objects, ${findings:-?} findings (libyaml rejects ${rejected:-?} of $nfiles files)"
finish
