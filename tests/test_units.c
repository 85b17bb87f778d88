/* tests/test_units.c: quantities with units (sim/units.c) and suggestions (sim/suggest.c). */
#include <string.h>

#include "sim/suggest.h"
#include "sim/units.h"
#include "tests/cunit_main.h"

static char e[400];

static void test_time(void) {
  sim_time t;
  CU_ASSERT_EQUAL(sim_parse_time("30 ms", &t, e, sizeof e), 0);
  CU_ASSERT_EQUAL(t, 30 * SIM_MS);
  CU_ASSERT_EQUAL(sim_parse_time("2.5s", &t, e, sizeof e), 0);
  CU_ASSERT_EQUAL(t, 2500 * SIM_MS);
  CU_ASSERT_EQUAL(sim_parse_time("1 h", &t, e, sizeof e), 0);
  CU_ASSERT_EQUAL(t, 3600 * SIM_S);
  CU_ASSERT_EQUAL(sim_parse_time("7 us", &t, e, sizeof e), 0);
  CU_ASSERT_EQUAL(t, 7000);
  CU_ASSERT_EQUAL(sim_parse_time("1_000 ns", &t, e, sizeof e), 0);
  CU_ASSERT_EQUAL(t, 1000);
  CU_ASSERT_EQUAL(sim_parse_time("30", &t, e, sizeof e), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(e, "the unit is missing"));
  CU_ASSERT_EQUAL(sim_parse_time("4 GiB", &t, e, sizeof e), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(e, "(a size)"));
  CU_ASSERT_EQUAL(sim_parse_time("-1 s", &t, e, sizeof e), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(e, "negative"));
  CU_ASSERT_EQUAL(sim_parse_time("300 years", &t, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_parse_time("1e12 h", &t, e, sizeof e), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(e, "too large"));
  CU_ASSERT_EQUAL(sim_parse_time("inf s", &t, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_parse_time("nan s", &t, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_parse_time("0x10 s", &t, e, sizeof e), -1);
}

static void test_size(void) {
  uint64_t b;
  CU_ASSERT_EQUAL(sim_parse_size("4 GiB", &b, e, sizeof e), 0);
  CU_ASSERT_EQUAL(b, 4ULL << 30);
  CU_ASSERT_EQUAL(sim_parse_size("1 KB", &b, e, sizeof e), 0);
  CU_ASSERT_EQUAL(b, 1000); /* KB is decimal */
  CU_ASSERT_EQUAL(sim_parse_size("1 KiB", &b, e, sizeof e), 0);
  CU_ASSERT_EQUAL(b, 1024);
  CU_ASSERT_EQUAL(sim_parse_size("1.5 MiB", &b, e, sizeof e), 0);
  CU_ASSERT_EQUAL(b, 1572864);
  CU_ASSERT_EQUAL(sim_parse_size("16 TiB", &b, e, sizeof e), 0);
  CU_ASSERT_EQUAL(b, 16ULL << 40);
  CU_ASSERT_EQUAL(sim_parse_size("18446744073709551615 B", &b, e, sizeof e), 0);
  CU_ASSERT_EQUAL(b, UINT64_MAX);
  CU_ASSERT_EQUAL(sim_parse_size("18446744073709551616 B", &b, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_parse_size("20000000 TiB", &b, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_parse_size("4 Gb", &b, e, sizeof e), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(e, "Gb is bits"));
  CU_ASSERT_EQUAL(sim_parse_size("4 GiBs", &b, e, sizeof e), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(e, "did you mean 'GiB'"));
  CU_ASSERT_EQUAL(sim_parse_size("GiB", &b, e, sizeof e), -1);
}

static void test_rate_freq_ratio_count(void) {
  double v;
  CU_ASSERT_EQUAL(sim_parse_rate("10 Gbit/s", &v, e, sizeof e), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, 10e9, 1e-3);
  CU_ASSERT_EQUAL(sim_parse_rate("100 MB/s", &v, e, sizeof e), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, 800e6, 1e-3);
  CU_ASSERT_EQUAL(sim_parse_rate("1 MiB/s", &v, e, sizeof e), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, 8.0 * 1048576, 1e-6);
  CU_ASSERT_EQUAL(sim_parse_rate("10 Gbit", &v, e, sizeof e), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(e, "10 Gbit/s"));
  CU_ASSERT_EQUAL(sim_parse_freq("2.6 GHz", &v, e, sizeof e), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, 2.6e9, 1);
  CU_ASSERT_EQUAL(sim_parse_freq("2.6 Ghz", &v, e, sizeof e), -1);
  CU_ASSERT_PTR_NOT_NULL(strstr(e, "did you mean 'GHz'"));
  CU_ASSERT_EQUAL(sim_parse_ratio("20%", &v, e, sizeof e), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, 0.2, 1e-12);
  CU_ASSERT_EQUAL(sim_parse_ratio("0.25", &v, e, sizeof e), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, 0.25, 1e-12);
  CU_ASSERT_EQUAL(sim_parse_ratio("20 ms", &v, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_parse_count("1.5M", &v, e, sizeof e), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, 1.5e6, 1e-6);
  CU_ASSERT_EQUAL(sim_parse_count("1e9", &v, e, sizeof e), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, 1e9, 1e-3);
  CU_ASSERT_EQUAL(sim_parse_count("3 s", &v, e, sizeof e), -1);
  sim_quantity q;
  CU_ASSERT_EQUAL(sim_quantity_parse("200 cycles", &q, e, sizeof e), 0);
  CU_ASSERT_EQUAL(q.kind, SIM_UNIT_CYCLES);
  CU_ASSERT_DOUBLE_EQUAL(q.value, 200, 1e-9);
}

static void test_integers(void) {
  uint64_t u;
  int64_t i;
  CU_ASSERT_EQUAL(sim_parse_uint("16", 100, &u, e, sizeof e), 0);
  CU_ASSERT_EQUAL(u, 16);
  CU_ASSERT_EQUAL(sim_parse_uint("101", 100, &u, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_parse_uint("1.5", 100, &u, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_parse_uint("-1", 100, &u, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_parse_uint("4 cores", 100, &u, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_parse_uint("18446744073709551615", UINT64_MAX, &u, e, sizeof e), 0);
  CU_ASSERT_EQUAL(u, UINT64_MAX);
  CU_ASSERT_EQUAL(sim_parse_uint("18446744073709551616", UINT64_MAX, &u, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_parse_int("-1", -1, 10, &i, e, sizeof e), 0);
  CU_ASSERT_EQUAL(i, -1);
  CU_ASSERT_EQUAL(sim_parse_int("-2", -1, 10, &i, e, sizeof e), -1);
}

/* Formatting then parsing gives the value back exactly. */
static void test_format_round_trip(void) {
  char buf[64];
  const double sizes[] = {0, 1, 4096, 1536, 4.0 * (1 << 30), 1e9, 123456789};
  for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
    uint64_t b;
    sim_format_quantity(SIM_UNIT_SIZE, sizes[k], buf, sizeof buf);
    CU_ASSERT_EQUAL(sim_parse_size(buf, &b, e, sizeof e), 0);
    CU_ASSERT_EQUAL((double)b, sizes[k]);
  }
  sim_format_quantity(SIM_UNIT_SIZE, 4.0 * (1 << 30), buf, sizeof buf);
  CU_ASSERT_STRING_EQUAL(buf, "4 GiB");
  const double freqs[] = {2.6e9, 3.8e9, 1e6, 123.5};
  for (size_t k = 0; k < sizeof freqs / sizeof freqs[0]; k++) {
    double v;
    sim_format_quantity(SIM_UNIT_FREQ, freqs[k], buf, sizeof buf);
    CU_ASSERT_EQUAL(sim_parse_freq(buf, &v, e, sizeof e), 0);
    CU_ASSERT_EQUAL(v, freqs[k]);
  }
  sim_format_quantity(SIM_UNIT_TIME, 1500000, buf, sizeof buf);
  CU_ASSERT_STRING_EQUAL(buf, "1500 us");
  sim_format_quantity(SIM_UNIT_NONE, 0.42, buf, sizeof buf);
  CU_ASSERT_STRING_EQUAL(buf, "0.42");
}

static void test_suggest(void) {
  static const char *const keys[] = {"cores", "clock", "memory", "scheduler", "tlb_entries_4k"};
  CU_ASSERT_STRING_EQUAL(sim_suggest("memroy", keys, 5), "memory");
  CU_ASSERT_STRING_EQUAL(sim_suggest("clokc", keys, 5), "clock");
  CU_ASSERT_STRING_EQUAL(sim_suggest("Cores", keys, 5), "cores");
  CU_ASSERT_STRING_EQUAL(sim_suggest("schedular", keys, 5), "scheduler");
  CU_ASSERT_PTR_NULL(sim_suggest("bandwidth", keys, 5));
  CU_ASSERT_PTR_NULL(sim_suggest("cores", keys, 5)); /* exact: nothing to suggest */
  CU_ASSERT_EQUAL(sim_edit_distance("ab", "ba"), 2);   /* one transposition */
  CU_ASSERT_EQUAL(sim_edit_distance("abc", "abc"), 0);
}

int register_tests(void) {
  static const test_case tests[] = {{"time", test_time},
                                    {"size", test_size},
                                    {"rate, frequency, ratio, count", test_rate_freq_ratio_count},
                                    {"integers", test_integers},
                                    {"format round trip", test_format_round_trip},
                                    {"suggest", test_suggest},
                                    {NULL, NULL}};
  return add_suite("units", tests);
}
