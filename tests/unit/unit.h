/* unit.h: a minimal unit-test harness.  Each test file defines functions
 * with TEST(name); tests/unit/main.c runs them all and prints
 * "unit: N passed, N failed". */
#ifndef HITLESS_UNIT_H
#define HITLESS_UNIT_H

#include <stdio.h>
#include <string.h>

extern int unit_pass, unit_fail;

#define CHECK(cond)                                                         \
    do {                                                                    \
        if (cond) unit_pass++;                                              \
        else {                                                              \
            unit_fail++;                                                    \
            printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);          \
        }                                                                   \
    } while (0)

#define CHECK_INT(got, want)                                                \
    do {                                                                    \
        long long g_ = (long long)(got), w_ = (long long)(want);            \
        if (g_ == w_) unit_pass++;                                          \
        else {                                                              \
            unit_fail++;                                                    \
            printf("FAIL %s:%d: %s = %lld, want %lld\n", __FILE__, __LINE__, \
                   #got, g_, w_);                                           \
        }                                                                   \
    } while (0)

#define CHECK_STR(got, want)                                                \
    do {                                                                    \
        const char *g_ = (got), *w_ = (want);                               \
        if ((!g_ && !w_) || (g_ && w_ && strcmp(g_, w_) == 0)) unit_pass++; \
        else {                                                              \
            unit_fail++;                                                    \
            printf("FAIL %s:%d: %s = \"%s\", want \"%s\"\n", __FILE__,      \
                   __LINE__, #got, g_ ? g_ : "(null)", w_ ? w_ : "(null)"); \
        }                                                                   \
    } while (0)

#endif
