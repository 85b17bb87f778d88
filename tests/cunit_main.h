/* tests/cunit_main.h: each test file implements register_tests(). */
#ifndef TESTS_CUNIT_MAIN_H
#define TESTS_CUNIT_MAIN_H
#include <CUnit/CUnit.h>

/* Adds the file's suites; 0 on success. */
int register_tests(void);

/* Adds a suite of NULL-terminated {name, fn} tests; 0 on success. */
typedef struct test_case {
  const char *name;
  CU_TestFunc fn;
} test_case;
static inline int add_suite(const char *name, const test_case *tests) {
  CU_pSuite s = CU_add_suite(name, NULL, NULL);
  if (!s) return -1;
  for (; tests->name; tests++)
    if (!CU_add_test(s, tests->name, tests->fn)) return -1;
  return 0;
}

#endif
