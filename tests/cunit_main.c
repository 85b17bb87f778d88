/* tests/cunit_main.c: the main() every CUnit suite file shares.
 * Each test file defines register_tests(), adding its suites to the registry;
 * this runs them all and exits non-zero when any assertion failed, so ctest
 * sees the result. */
#include <CUnit/Basic.h>
#include <stdio.h>

#include "tests/cunit_main.h"

int main(void) {
  if (CU_initialize_registry() != CUE_SUCCESS) return 2;
  if (register_tests() != 0) {
    fprintf(stderr, "suite registration failed: %s\n", CU_get_error_msg());
    CU_cleanup_registry();
    return 2;
  }
  CU_basic_set_mode(CU_BRM_VERBOSE);
  CU_basic_run_tests();
  unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
  unsigned run = CU_get_number_of_tests_run();
  CU_cleanup_registry();
  if (run == 0) {
    fprintf(stderr, "no test ran\n");
    return 1;
  }
  return failed ? 1 : 0;
}
