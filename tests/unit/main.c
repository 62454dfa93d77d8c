/* main.c: runs the C unit tests of the engine's helpers. */
#include "unit.h"

int unit_pass, unit_fail;

void test_doc(void);
void test_intorpct(void);
void test_prestop(void);
void test_selector(void);
void test_load(void);

int main(void) {
    test_doc();
    test_intorpct();
    test_prestop();
    test_selector();
    test_load();
    printf("unit: %d passed, %d failed\n", unit_pass, unit_fail);
    return unit_fail != 0;
}
