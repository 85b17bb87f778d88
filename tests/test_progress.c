/* tests/test_progress.c: the progress bar (sim/progress.h).
 * The clock is passed in (sim_progress_new_at / _update_at), so the delay,
 * the redraw rate and the ETA are tested without sleeping; the output goes
 * to a memory stream, which is not a terminal. */
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/progress.h"
#include "tests/cunit_main.h"

#define S ((int64_t)1000000000)
#define MS ((int64_t)1000000)

static void test_format(void) {
  char buf[128];
  sim_progress_format(buf, sizeof buf, 42, 100, 10 * S, 10);
  /* 42% after 10 s: 58/42 * 10 s = 13.8 s left */
  CU_ASSERT_STRING_EQUAL(buf, "[####......]  42.0%  ETA 14s");
  sim_progress_format(buf, sizeof buf, 0, 100, 5 * S, 4);
  CU_ASSERT_STRING_EQUAL(buf, "[....]   0.0%  ETA --");
  sim_progress_format(buf, sizeof buf, 1, 4, 100 * S, 4);
  CU_ASSERT_STRING_EQUAL(buf, "[#...]  25.0%  ETA 5m00s");
  sim_progress_format(buf, sizeof buf, 1, 100, 60 * S, 4);
  CU_ASSERT_STRING_EQUAL(buf, "[....]   1.0%  ETA 1h39m");
  sim_progress_format(buf, sizeof buf, 150, 100, 60 * S, 4); /* overshoot is clamped */
  CU_ASSERT_STRING_EQUAL(buf, "[####] 100.0%  ETA 0s");
  sim_progress_format(buf, sizeof buf, 3, 0, 60 * S, 2); /* no total: nothing known */
  CU_ASSERT_STRING_EQUAL(buf, "[..]   0.0%  ETA --");
  /* truncation reports the full length, as snprintf does */
  char small[8];
  int n = sim_progress_format(small, sizeof small, 42, 100, 10 * S, 10);
  CU_ASSERT_EQUAL(n, (int)strlen("[####......]  42.0%  ETA 14s"));
  CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
}

/* Runs a scripted sequence of updates at given clock values; returns what
 * was written (the caller frees it).  The stream's buffer and length live
 * outside the frame, so that an optimising compiler does not take the
 * returned text for a pointer into it. */
static char *drive(bool enabled, const int64_t *at_ms, size_t n, bool *drawn_any) {
  static char *buf;
  static size_t len;
  buf = NULL;
  len = 0;
  FILE *f = open_memstream(&buf, &len);
  if (!f) abort();
  sim_progress *p = sim_progress_new_at(f, enabled, 1000 * S);
  CU_ASSERT_PTR_NOT_NULL(p);
  long before = 0;
  *drawn_any = false;
  for (size_t i = 0; i < n; i++) {
    sim_progress_update_at(p, (double)i + 1, (double)n, 1000 * S + at_ms[i] * MS);
    fflush(f);
    if ((long)len != before) *drawn_any = true;
    before = (long)len;
  }
  sim_progress_finish(p);
  fclose(f);
  return buf;
}

static size_t count(const char *s, const char *what) {
  size_t c = 0;
  for (const char *q = strstr(s, what); q; q = strstr(q + 1, what)) c++;
  return c;
}

static void test_silent_during_first_second(void) {
  static const int64_t at[] = {0, 100, 500, 999};
  bool drawn;
  char *out = drive(true, at, 4, &drawn);
  CU_ASSERT_FALSE(drawn);
  CU_ASSERT_STRING_EQUAL(out, ""); /* and nothing to erase */
  free(out);
}

static void test_redraw_at_most_ten_per_second(void) {
  /* 60 updates between 1.0 s and 1.59 s, 10 ms apart: six 100 ms windows */
  int64_t at[60];
  for (int i = 0; i < 60; i++) at[i] = 1000 + 10 * i;
  bool drawn;
  char *out = drive(true, at, 60, &drawn);
  CU_ASSERT(drawn);
  size_t draws = count(out, "ETA");
  CU_ASSERT_EQUAL(draws, 6);
  /* the last draw (at 1.5 s, 51 of 60 done) is then erased */
  CU_ASSERT_PTR_NOT_NULL(strstr(out, " 85.0%"));
  size_t len = strlen(out);
  CU_ASSERT(len >= 4 && strcmp(out + len - 4, "\r\033[K") == 0);
  free(out);
}

static void test_disabled_draws_nothing(void) {
  static const int64_t at[] = {2000, 3000, 4000};
  bool drawn;
  char *out = drive(false, at, 3, &drawn);
  CU_ASSERT_FALSE(drawn);
  CU_ASSERT_STRING_EQUAL(out, "");
  free(out);
}

/* sim_progress_new checks for a terminal: a memory stream is not one. */
static void test_not_a_terminal(void) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  sim_progress *p = sim_progress_new(f, true);
  CU_ASSERT_PTR_NOT_NULL(p);
  /* even far past the delay, by the injected clock */
  sim_progress_update_at(p, 1, 2, INT64_MAX / 2);
  sim_progress_update(p, 1, 2);
  sim_progress_finish(p);
  fclose(f);
  CU_ASSERT_EQUAL(len, 0);
  free(buf);
}

static void test_out_of_memory_is_harmless(void) {
  sim_fault_arm(SIM_FAULT_ALLOC, 1);
  sim_progress *p = sim_progress_new(stderr, true);
  sim_fault_arm(SIM_FAULT_ALLOC, 0);
  CU_ASSERT_PTR_NULL(p);
  sim_progress_update(p, 1, 2);
  sim_progress_update_at(p, 1, 2, 10 * S);
  sim_progress_finish(p);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"format: bar, percentage, ETA", test_format},
      {"silent during the first second", test_silent_during_first_second},
      {"redraw at most ten times a second, erased at the end", test_redraw_at_most_ten_per_second},
      {"disabled draws nothing", test_disabled_draws_nothing},
      {"not a terminal", test_not_a_terminal},
      {"out of memory is harmless", test_out_of_memory_is_harmless},
      {NULL, NULL}};
  return add_suite("progress", tests);
}
