/* tests/test_alloc.c: allocation wrappers, fault injection and diagnostics. */
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/diag.h"
#include "tests/cunit_main.h"

static void test_nth_allocation_fails(void) {
  sim_fault_arm(SIM_FAULT_ALLOC, 3);
  void *a = sim_malloc(8), *b = sim_malloc(8), *c = sim_malloc(8), *d = sim_malloc(8);
  CU_ASSERT_PTR_NOT_NULL(a);
  CU_ASSERT_PTR_NOT_NULL(b);
  CU_ASSERT_PTR_NULL(c);
  CU_ASSERT_PTR_NOT_NULL(d);
  CU_ASSERT_EQUAL(sim_fault_calls(SIM_FAULT_ALLOC), 4);
  sim_free(a);
  sim_free(b);
  sim_free(d);
  sim_fault_arm(SIM_FAULT_ALLOC, 0);
}

static void test_grow_keeps_array_on_failure(void) {
  int *arr = NULL;
  size_t cap = 0;
  CU_ASSERT_EQUAL(sim_grow((void **)&arr, &cap, 5, sizeof *arr), 0);
  CU_ASSERT(cap >= 5);
  arr[4] = 42;
  size_t before = cap;
  sim_fault_arm(SIM_FAULT_ALLOC, 1);
  CU_ASSERT_EQUAL(sim_grow((void **)&arr, &cap, before + 1, sizeof *arr), -1);
  sim_fault_arm(SIM_FAULT_ALLOC, 0);
  CU_ASSERT_EQUAL(cap, before);
  CU_ASSERT_EQUAL(arr[4], 42);
  sim_free(arr);
}

static void test_strndup_truncates(void) {
  char *s = sim_strndup("abcdef", 3);
  CU_ASSERT_STRING_EQUAL(s, "abc");
  sim_free(s);
}

static void test_diag_formats_file_line_col(void) {
  sim_diag d;
  sim_diag_init(&d);
  sim_diag_error(&d, "a.yaml", 3, 7, "unknown key '%s'", "cpus");
  sim_diag_warning(&d, "a.yaml", 0, 0, "profile fallback");
  CU_ASSERT_EQUAL(d.errors, 1);
  CU_ASSERT_EQUAL(d.count, 2);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  sim_diag_print(&d, f);
  fclose(f);
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "a.yaml:3:7: error: unknown key 'cpus'\n"));
  CU_ASSERT_PTR_NOT_NULL(strstr(buf, "a.yaml: warning: profile fallback\n"));
  free(buf);
  sim_diag_clear(&d);
  CU_ASSERT_EQUAL(d.count, 0);
}

int register_tests(void) {
  static const test_case alloc_tests[] = {
      {"nth allocation fails", test_nth_allocation_fails},
      {"grow keeps array on failure", test_grow_keeps_array_on_failure},
      {"strndup truncates", test_strndup_truncates},
      {NULL, NULL}};
  static const test_case diag_tests[] = {
      {"diag formats file:line:col", test_diag_formats_file_line_col}, {NULL, NULL}};
  return add_suite("alloc", alloc_tests) || add_suite("diag", diag_tests);
}
