#!/usr/bin/env bash
# docs/hitless.1 stays in step with the program: every command and every
# option that `hitless CMD --help` prints is documented in that command's
# section, every option the page documents exists, the rule list matches
# `hitless rules`; the page renders without a groff warning; make install
# puts the binary and the page where man finds them.
. "$(dirname "$0")/lib.sh"
MAN=$ROOT/docs/hitless.1
cd "$TMP" || exit 1

if [ ! -f "$MAN" ]; then
    fail "docs/hitless.1 is missing"
    finish
    exit
fi

# The page as plain words: roff writes a hyphen in an option as \- and
# switches fonts with \fB..\fR; drop the escapes so that `\-\-fail\-on`
# reads --fail-on.
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' \
    -e 's/\\&//g' -e 's/\\%//g' -e 's/\\(em/--/g' "$MAN" >man.txt

# section_of CMD: the COMMANDS subsection `.SS "hitless CMD ..."`.
section_of() {
    awk -v cmd="$1" '
        /^\.S[HS]/ { inside = 0 }
        $0 ~ "^\\.SS \"?hitless " cmd "( |\"|$)" { inside = 1 }
        inside' man.txt
}
# long_opts: the --options in stdin, one a line, sorted.
long_opts() { grep -oE -- '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u; }
# has_short SECTION-FILE X: -X appears as a word.
has_short() { grep -qE -- "(^|[^A-Za-z0-9-])-$2([^A-Za-z0-9-]|$)" "$1"; }

run "$HITLESS" --help
expect_rc "hitless --help" 0
commands=$(printf '%s\n' "$OUT" | awk '/^commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 } f && /^$/ { f = 0 }')
if [ -n "$commands" ]; then pass "commands listed by --help"; else fail "no commands parsed from hitless --help"; fi
printf '%s\n' "$OUT" | long_opts >all-help-opts

for cmd in $commands; do
    section_of "$cmd" >"sec-$cmd"
    if [ -s "sec-$cmd" ]; then pass "$cmd: has a section"; else
        fail "$cmd: docs/hitless.1 has no section .SS \"hitless $cmd ...\""
        continue
    fi
    run "$HITLESS" "$cmd" --help
    if [ "$RC" -ne 0 ] || [ -z "$OUT" ]; then
        fail "$cmd --help: exit status $RC" "$ERR"
        continue
    fi
    help=$OUT
    printf '%s\n' "$help" | long_opts >"help-$cmd"
    cat "help-$cmd" >>all-help-opts
    long_opts <"sec-$cmd" >"man-$cmd"
    # Every option of --help is in the command's section...
    missing=$(comm -23 "help-$cmd" "man-$cmd" | tr '\n' ' ')
    if [ -z "$missing" ]; then pass "$cmd: every --help option is documented"; else
        fail "$cmd: options in --help but not in its man page section: $missing"
    fi
    # ...and the section documents no option the command lacks.
    extra=$(comm -13 "help-$cmd" "man-$cmd" | tr '\n' ' ')
    if [ -z "$extra" ]; then pass "$cmd: man page documents only real options"; else
        fail "$cmd: options in the man page section but not in --help: $extra"
    fi
    # Short forms (-f, --format) are documented with their long form.
    printf '%s\n' "$help" | sed -nE 's/^ +-([A-Za-z]), --([a-z-]+).*/\1 --\2/p' >"short-$cmd"
    while read -r short long; do
        if has_short "sec-$cmd" "$short"; then pass "$cmd: -$short documented"; else
            fail "$cmd: short option -$short ($long) is not in the man page"
        fi
    done <"short-$cmd"
done

# Options named anywhere else on the page (synopsis, examples, exit
# status) exist in some command.
sort -u all-help-opts -o all-help-opts
long_opts <man.txt >all-man-opts
extra=$(comm -13 all-help-opts all-man-opts | tr '\n' ' ')
if [ -z "$extra" ]; then pass "every option on the page exists"; else
    fail "options on the man page that no --help prints: $extra"
fi
# Every section of the page belongs to a command that exists.
for s in $(sed -nE 's/^\.SS "?hitless ([a-z]+).*/\1/p' man.txt); do
    if printf '%s\n' "$commands" | grep -qx "$s"; then pass "section $s is a command"; else
        fail "man page documents a command hitless does not have: $s"
    fi
done

# The sections a user looks for, and the things they must find there.
for sh in NAME SYNOPSIS DESCRIPTION COMMANDS "EXIT STATUS" CONFIGURATION \
          "SUPPRESSING A FINDING" RULES ENVIRONMENT FILES EXAMPLES "SEE ALSO"; do
    if grep -qE "^\.SH \"?$sh\"?$" man.txt; then pass "section $sh"; else fail "no .SH $sh"; fi
done
for want in 'NO_COLOR' 'ignore\.hitless\.dev/' '\.hitless\.yaml' 'min-shutdown-seconds' \
            'ignore-without-reason' 'helm template' 'kubectl kustomize'; do
    if grep -qE -- "$want" man.txt; then pass "mentions $want"; else fail "the man page does not mention $want"; fi
done
# Exit status 0, 1 and 2 are each explained.
for code in 0 1 2; do
    if awk '/^\.SH "?EXIT STATUS/ { f = 1; next } /^\.SH/ { f = 0 } f' man.txt | grep -qx "\.B $code"; then
        pass "exit status $code"
    else fail "EXIT STATUS does not list $code"; fi
done

# The rule list is the registry's.
run "$HITLESS" rules --format json
printf '%s\n' "$OUT" | sed -nE 's/.*"id": *"([a-z0-9-]+)".*/\1/p' | sort -u >rules-tool
awk '/^\.SH "?RULES"?$/ { f = 1; next } /^\.SH/ { f = 0 }
     f && prev == ".TP" && /^\.B / { print $2 } { prev = $0 }' man.txt | sort -u >rules-man
if [ -s rules-tool ]; then pass "hitless rules --format json parsed"; else fail "no rule ids from hitless rules --format json"; fi
missing=$(comm -23 rules-tool rules-man | tr '\n' ' ')
if [ -z "$missing" ]; then pass "every rule is on the page"; else
    fail "rules missing from the man page's RULES section: $missing"
fi
extra=$(comm -13 rules-tool rules-man | tr '\n' ' ')
if [ -z "$extra" ]; then pass "no rule on the page that hitless lacks"; else
    fail "rules in the man page that hitless rules does not list: $extra"
fi

# --- rendering ---------------------------------------------------------------
if command -v groff >/dev/null; then
    run groff -man -ww -z "$MAN"
    if [ "$RC" -eq 0 ] && [ -z "$ERR" ]; then pass "groff -man -ww: no warning"; else
        fail "groff -man -ww -z docs/hitless.1: exit $RC" "$ERR"
    fi
    run groff -man -Tutf8 "$MAN"
    expect_rc "groff renders" 0
    expect_out "rendered page has its title" 'HITLESS\(1\)'
else
    fail "groff is not installed (groff-base)"
fi
if command -v man >/dev/null; then
    LC_ALL=C.UTF-8 MANWIDTH=80 run man -l "$MAN"
    expect_rc "man -l renders" 0
    if [ -z "$ERR" ]; then pass "man -l: nothing on stderr"; else fail "man -l warns" "$ERR"; fi
    expect_out "man -l: lint options" '--fail-on level'
fi
if command -v lexgrog >/dev/null; then
    # The NAME line is what whatis(1) and apropos(1) index.
    run lexgrog "$MAN"
    expect_rc "lexgrog reads the NAME section" 0
    expect_out "whatis line" 'hitless - find what breaks'
fi

# --- make install --------------------------------------------------------------
if make -C "$ROOT" --no-print-directory -s install DESTDIR="$TMP/d" PREFIX=/usr >/dev/null 2>"$TMP/inst.err"; then
    pass "make install DESTDIR PREFIX=/usr"
    if [ -x "$TMP/d/usr/bin/hitless" ] && "$TMP/d/usr/bin/hitless" version | grep -q '^hitless '; then
        pass "installed binary runs"
    else fail "no working $TMP/d/usr/bin/hitless" "$(find "$TMP/d" | head)"; fi
    page=$TMP/d/usr/share/man/man1/hitless.1
    if cmp -s "$MAN" "$page"; then pass "man page installed"; else fail "share/man/man1/hitless.1 missing or different"; fi
    if [ "$(stat -c %a "$page" 2>/dev/null)" = 644 ]; then pass "man page mode 644"; else fail "man page mode $(stat -c %a "$page" 2>/dev/null)"; fi
    if command -v man >/dev/null; then
        # Found by name under the installed tree, as `man hitless` will.
        LC_ALL=C.UTF-8 MANPATH=$TMP/d/usr/share/man MANWIDTH=80 run man hitless
        expect_rc "man hitless finds the installed page" 0
        expect_out "installed page renders" '^NAME'
    fi
else
    fail "make install failed" "$(cat "$TMP/inst.err")"
fi
finish
