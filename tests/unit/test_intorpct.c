/* test_intorpct.c: intstr.GetScaledValueFromIntOrPercent as the API server
 * applies it (rules/helpers.c), on values typed by the real loader. */
#include "util.h"

enum { FAILED = -999 };

/* Resolves the value of `v:` in a one-line YAML snippet; FAILED when
 * intorpct_resolve refuses it. */
static long long iop(const char *yaml, int64_t total, bool up, bool over) {
    arena *a = arena_new();
    const node *r = yaml1(a, yaml);
    int64_t out = FAILED;
    const node *v = map_get(r, "v");
    if (!r || !v) {
        printf("  no value in: %s\n", yaml);
        arena_free(a);
        return -12345;
    }
    if (!intorpct_resolve(v, total, up, over, &out)) out = FAILED;
    arena_free(a);
    return out;
}

static long long txt(const char *text, bool is_string, int64_t total, bool up,
                     bool over) {
    int64_t out = FAILED;
    if (!intorpct_resolve_text(text, is_string, total, up, over, &out))
        out = FAILED;
    return out;
}

void test_intorpct(void) {
    /* Integers pass through whatever the total and the rounding. */
    CHECK_INT(iop("v: 3", 10, true, false), 3);
    CHECK_INT(iop("v: 3", 10, false, false), 3);
    CHECK_INT(iop("v: 7", 2, false, false), 7); /* not capped by total */
    CHECK_INT(iop("v: 0", 10, true, false), 0);
    CHECK_INT(iop("v: 0x10", 10, true, false), 16); /* go-yaml reads hex */
    CHECK_INT(iop("v: 2147483647", 10, true, false), 2147483647);
    CHECK_INT(iop("v: 2147483648", 10, true, false), FAILED); /* int32 */

    /* Percentages: plain 25% is a string in YAML. */
    CHECK_INT(iop("v: 25%", 4, true, false), 1);
    CHECK_INT(iop("v: 25%", 4, false, false), 1);
    CHECK_INT(iop("v: 25%", 3, true, false), 1);
    CHECK_INT(iop("v: 25%", 3, false, false), 0);
    CHECK_INT(iop("v: 10%", 1, true, false), 1);
    CHECK_INT(iop("v: 10%", 1, false, false), 0);
    CHECK_INT(iop("v: 33%", 10, true, false), 4);
    CHECK_INT(iop("v: 33%", 10, false, false), 3);
    CHECK_INT(iop("v: 100%", 5, true, false), 5);
    CHECK_INT(iop("v: 100%", 5, false, false), 5);
    CHECK_INT(iop("v: '50%'", 7, true, false), 4);
    CHECK_INT(iop("v: \"50%\"", 7, false, false), 3);
    CHECK_INT(iop("v: 0%", 9, true, false), 0);
    CHECK_INT(iop("v: 0%", 9, false, false), 0);
    CHECK_INT(iop("v: 007%", 100, false, false), 7); /* Atoi takes zeros */

    /* Over 100% only where allowed (maxSurge). */
    CHECK_INT(iop("v: 150%", 4, true, true), 6);
    CHECK_INT(iop("v: 150%", 3, false, true), 4);
    CHECK_INT(iop("v: 150%", 4, true, false), FAILED);
    CHECK_INT(iop("v: 101%", 4, false, false), FAILED);

    /* A total of 0 (scaled to zero) rounds to 0 both ways. */
    CHECK_INT(iop("v: 25%", 0, true, false), 0);
    CHECK_INT(iop("v: 25%", 0, false, false), 0);
    CHECK_INT(iop("v: 100%", 0, true, false), 0);
    CHECK_INT(iop("v: 3", 0, true, false), 3);

    /* Invalid values the API server rejects. */
    CHECK_INT(iop("v: abc%", 10, true, true), FAILED);
    CHECK_INT(iop("v: '%'", 10, true, true), FAILED);
    CHECK_INT(iop("v: \"5\"", 10, true, true), FAILED); /* string, no % */
    CHECK_INT(iop("v: abc", 10, true, true), FAILED);
    CHECK_INT(iop("v: -5%", 10, true, true), FAILED);
    CHECK_INT(iop("v: 5.5%", 10, true, true), FAILED);
    CHECK_INT(iop("v: ' 5%'", 10, true, true), FAILED);
    CHECK_INT(iop("v: '5 %'", 10, true, true), FAILED);
    CHECK_INT(iop("v: 5%%", 10, true, true), FAILED);
    CHECK_INT(iop("v: 0x5%", 10, true, true), FAILED);
    /* IsValidPercent is ^[0-9]+%$: no sign, even though Atoi takes one. */
    CHECK_INT(iop("v: +5%", 10, true, true), FAILED);
    CHECK_INT(iop("v: -1", 10, true, true), FAILED);
    CHECK_INT(iop("v: 1.5", 10, true, true), FAILED);
    CHECK_INT(iop("v: 1.0", 10, true, true), FAILED);
    CHECK_INT(iop("v: true", 10, true, true), FAILED);
    CHECK_INT(iop("v: {a: 1}", 10, true, true), FAILED);
    CHECK_INT(iop("v: [1]", 10, true, true), FAILED);
    CHECK_INT(iop("v: 99999999999999999999", 10, true, true), FAILED);
    CHECK_INT(iop("v: 99999999999%", 10, true, true), FAILED);
    {
        int64_t out = 1;
        CHECK(!intorpct_resolve(NULL, 10, true, true, &out));
    }

    /* The text form: is_string says how the value was written. */
    CHECK_INT(txt("25%", true, 8, true, false), 2);
    CHECK_INT(txt("25%", true, 9, false, false), 2);
    CHECK_INT(txt("25%", true, 9, true, false), 3);
    CHECK_INT(txt("5", true, 10, true, false), FAILED);
    CHECK_INT(txt("5", false, 10, true, false), 5);
    CHECK_INT(txt("0x10", false, 10, true, false), 16); /* as the node form */
    CHECK_INT(txt("-3", false, 10, true, false), FAILED);
    CHECK_INT(txt("", false, 10, true, false), FAILED);
    CHECK_INT(txt(" 5", false, 10, true, false), FAILED);
    CHECK_INT(txt("5x", false, 10, true, false), FAILED);
    CHECK_INT(txt("", true, 10, true, false), FAILED);
    CHECK_INT(txt(NULL, true, 10, true, false), FAILED);
    CHECK_INT(txt("200%", true, 3, true, true), 6);
    CHECK_INT(txt("200%", true, 3, true, false), FAILED);
    /* A negative total is treated as 0, not as a negative count. */
    CHECK_INT(txt("50%", true, -4, true, false), 0);
}
