/* tests/test_profile.c: calibration profiles (sim/profile.c): units, lookup,
 * fallback chains and their warning, cycles from times, errors, faults, the
 * search path of shipped profiles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/profile.h"
#include "tests/cunit_main.h"
#include "tests/scratch.h"
#include "tests/test_data.h"

static char dir[64];

static void write_file(const char *name, const char *text) {
  char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  fputs(text, f);
  fclose(f);
}

static char *path_of(const char *name) {
  static char path[128];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  return path;
}

static int setup(void) {
  return scratch_make(dir, sizeof dir, "test-profile");
}

static int teardown(void) {
  return scratch_remove(dir);
}

static bool has_message(const sim_diag *d, const char *part) {
  for (size_t i = 0; i < d->count; i++)
    if (strstr(d->entries[i].message, part)) return true;
  return false;
}

static void test_chain(void) {
  write_file("base.yaml",
             "profile: {name: base}\n"
             "quantities:\n"
             "  cpu.clock: 2 GHz\n"
             "  vmexit.roundtrip: {value: 500 ns, source: \"[AA06]\"}\n"
             "  nic.bandwidth: 10 Gbit/s\n");
  char top[512];
  snprintf(top, sizeof top,
           "profile: {name: top, fallback: %s}\n"
           "environment: {virtualized: true}\n"
           "quantities:\n"
           "  cpu.clock: {value: 4 GHz}\n"
           "  syscall.native: {value: 200 cycles, spread: 4 cycles, representative: false}\n"
           "  page.size: 4 KiB\n",
           path_of("base.yaml"));
  write_file("top.yaml", top);
  sim_diag d;
  sim_diag_init(&d);
  sim_profile *p = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(test_data_path(), path_of("top.yaml"), &p, &d), 0);
  CU_ASSERT_STRING_EQUAL(sim_profile_name(p), "top");
  CU_ASSERT_EQUAL(sim_profile_count(p), 3);
  double v;
  bool fb;
  CU_ASSERT_EQUAL(sim_profile_get(p, "cpu.clock", &v, &fb), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, 4e9, 1);
  CU_ASSERT_FALSE(fb);
  CU_ASSERT_EQUAL(sim_profile_get(p, "page.size", &v, NULL), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, 4096, 1e-9);
  CU_ASSERT_EQUAL(sim_profile_get(p, "nic.bandwidth", &v, &fb), 0);
  CU_ASSERT_DOUBLE_EQUAL(v, 10e9, 1);
  CU_ASSERT_TRUE(fb);
  CU_ASSERT_EQUAL(sim_profile_get(p, "missing.key", &v, NULL), -1);
  CU_ASSERT_DOUBLE_EQUAL(sim_profile_get_or(p, "missing.key", 7), 7, 0);
  /* 500 ns from the fallback at this profile's 4 GHz clock: 2000 cycles */
  double cyc;
  CU_ASSERT_EQUAL(sim_profile_get_cycles(p, "vmexit.roundtrip", &cyc), 0);
  CU_ASSERT_DOUBLE_EQUAL(cyc, 2000, 1e-6);
  CU_ASSERT_EQUAL(sim_profile_get_cycles(p, "syscall.native", &cyc), 0);
  CU_ASSERT_DOUBLE_EQUAL(cyc, 200, 1e-9);
  CU_ASSERT_TRUE(sim_profile_get_cycles(p, "page.size", &cyc) < 0); /* not a time */
  CU_ASSERT_FALSE(sim_profile_representative(p, "syscall.native"));
  CU_ASSERT_TRUE(sim_profile_representative(p, "cpu.clock"));
  const char **keys;
  size_t n = sim_profile_fallback_keys(p, &keys);
  CU_ASSERT_EQUAL_FATAL(n, 2);
  CU_ASSERT_STRING_EQUAL(keys[0], "nic.bandwidth");
  CU_ASSERT_STRING_EQUAL(keys[1], "vmexit.roundtrip");
  CU_ASSERT_PTR_NOT_NULL(strstr(sim_profile_text(p), "name: base"));
  CU_ASSERT_PTR_NOT_NULL(strstr(sim_profile_text(p), "name: top"));
  sim_profile_free(p);
  sim_diag_clear(&d);
}

static void test_errors(void) {
  sim_diag d;
  sim_diag_init(&d);
  sim_profile *p = NULL;
  char text[512];
  snprintf(text, sizeof text, "profile: {name: a, fallback: %s}\nquantities: {x: 1 ns}\n", path_of("loop-b.yaml"));
  write_file("loop-a.yaml", text);
  snprintf(text, sizeof text, "profile: {name: b, fallback: %s}\nquantities: {y: 1 ns}\n", path_of("loop-a.yaml"));
  write_file("loop-b.yaml", text);
  CU_ASSERT_EQUAL(sim_profile_load(test_data_path(), path_of("loop-a.yaml"), &p, &d), -1);
  CU_ASSERT_PTR_NULL(p);
  CU_ASSERT_TRUE(has_message(&d, "makes a cycle"));
  sim_diag_clear(&d);
  write_file("bad.yaml", "profile: {name: bad}\nquantities:\n  a: 200 cyclez\n  b: {spread: 1 ns}\n  c: [1]\nextra: 1\n");
  CU_ASSERT_EQUAL(sim_profile_load(test_data_path(), path_of("bad.yaml"), &p, &d), -1);
  CU_ASSERT_EQUAL(d.errors, 4);
  CU_ASSERT_TRUE(has_message(&d, "unknown unit 'cyclez'; did you mean 'cycles'?"));
  CU_ASSERT_TRUE(has_message(&d, "quantity 'b' has no 'value'"));
  CU_ASSERT_TRUE(has_message(&d, "unknown key 'extra'"));
  for (size_t i = 0; i < d.count; i++)
    if (strstr(d.entries[i].message, "cyclez")) {
      CU_ASSERT_TRUE(d.entries[i].file && strstr(d.entries[i].file, "bad.yaml"));
      CU_ASSERT_EQUAL(d.entries[i].line, 3);
      CU_ASSERT_EQUAL(d.entries[i].col, 6);
    }
  sim_diag_clear(&d);
  CU_ASSERT_EQUAL(sim_profile_load(test_data_path(), "no-such-profile", &p, &d), -1);
  CU_ASSERT_TRUE(has_message(&d, "calibration profile 'no-such-profile' not found"));
  sim_diag_clear(&d);
}

/* A misspelt key, at any level, is refused where it is written with the key
 * it most likely means; a bad 'representative' says what it found. */
static void test_unknown_key_suggestions(void) {
  sim_diag d;
  sim_diag_init(&d);
  sim_profile *p = NULL;
  write_file("typo.yaml", "profile: {name: t, descripton: x}\nquantities:\n"
                          "  cpu.clock: {value: 1 GHz, sorce: \"[AA06]\"}\n"
                          "  a: {value: 3 cycles, representative: maybe}\nquantites: {}\n");
  CU_ASSERT_EQUAL(sim_profile_load(test_data_path(), path_of("typo.yaml"), &p, &d), -1);
  CU_ASSERT_PTR_NULL(p);
  CU_ASSERT_EQUAL(d.errors, 4);
  static const struct {
    const char *message;
    int line, col;
  } want[] = {
      {"unknown key 'descripton' in 'profile'; did you mean 'description'?", 1, 20},
      {"unknown key 'sorce' in quantity 'cpu.clock'; did you mean 'source'?", 3, 29},
      {"'representative' in quantity 'a': expected true or false, found \"maybe\"", 4, 40},
      {"unknown key 'quantites' in the calibration profile; did you mean 'quantities'?", 5, 1}};
  for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
    bool found = false;
    for (size_t i = 0; i < d.count; i++)
      if (!strcmp(d.entries[i].message, want[w].message)) {
        found = true;
        CU_ASSERT_EQUAL(d.entries[i].line, want[w].line);
        CU_ASSERT_EQUAL(d.entries[i].col, want[w].col);
        CU_ASSERT_TRUE(d.entries[i].file && strstr(d.entries[i].file, "typo.yaml"));
      }
    CU_ASSERT_TRUE(found);
  }
  sim_diag_clear(&d);
}

/* Ranges: a clock of 0, a negative cost, a profile of free operations; a
 * relative fallback is found beside the profile, whatever the directory. */
static void test_ranges_and_relative_fallback(void) {
  sim_diag d;
  sim_diag_init(&d);
  sim_profile *p = NULL;
  write_file("ranges.yaml", "profile: {name: r}\nquantities:\n  cpu.clock: 0 GHz\n  syscall.native: -5 cycles\n"
                            "  pv.syscall_extra: 0 cycles\n  x.count: 0\n");
  CU_ASSERT_EQUAL(sim_profile_load(test_data_path(), path_of("ranges.yaml"), &p, &d), -1);
  CU_ASSERT_EQUAL(d.errors, 2); /* a 0 cost and a 0 count are fine */
  CU_ASSERT_TRUE(has_message(&d, "quantity 'cpu.clock' must be greater than 0"));
  for (size_t i = 0; i < d.count; i++)
    if (strstr(d.entries[i].message, "cpu.clock")) CU_ASSERT(d.entries[i].line == 3 && d.entries[i].col == 14);
  CU_ASSERT_TRUE(has_message(&d, "quantity 'syscall.native'")); /* the unit parser: no negatives */
  sim_diag_clear(&d);
  write_file("free.yaml", "profile: {name: free}\nquantities:\n  cpu.clock: 1 GHz\n  a: 0 cycles\n  b: 0 cycles\n");
  CU_ASSERT_EQUAL(sim_profile_load(test_data_path(), path_of("free.yaml"), &p, &d), -1);
  CU_ASSERT_TRUE(has_message(&d, "every cost in cycles is 0"));
  sim_diag_clear(&d);
  /* one cost given by the fallback is enough; the fallback is "free.yaml"
   * beside rel.yaml, read from a working directory where it is not */
  write_file("rel.yaml", "profile: {name: rel, fallback: ./free.yaml}\nquantities:\n  b: 3 cycles\n");
  char cwd[512];
  CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof cwd));
  CU_ASSERT_EQUAL_FATAL(chdir("/"), 0);
  int rc = sim_profile_load(test_data_path(), path_of("rel.yaml"), &p, &d);
  CU_ASSERT_EQUAL(chdir(cwd), 0);
  sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  double v = -1;
  CU_ASSERT(sim_profile_get(p, "a", &v, NULL) == 0 && v == 0);
  CU_ASSERT(sim_profile_get(p, "b", &v, NULL) == 0 && v == 3);
  sim_profile_free(p);
  sim_diag_clear(&d);
}

/* Shipped profiles (models/profiles) load, with their fallbacks. */
static void test_shipped(void) {
  static const char *const names[] = {"pentium4-2006", "xeon-e5-2014", "generic-x86-2020"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    sim_diag d;
    sim_diag_init(&d);
    sim_profile *p = NULL;
    int rc = sim_profile_load(test_data_path(), names[i], &p, &d);
    sim_diag_print(&d, stderr);
    CU_ASSERT_EQUAL(rc, 0);
    if (p) {
      double hz;
      CU_ASSERT_EQUAL(sim_profile_get(p, "cpu.clock", &hz, NULL), 0);
      CU_ASSERT(hz > 1e8);
    }
    sim_profile_free(p);
    sim_diag_clear(&d);
  }
}

/* Shipped names are looked up along a search path, first directory first;
 * a name found nowhere names every place looked in. */
static void test_search_path(void) {
  char a[128], b[128], path[400];
  snprintf(a, sizeof a, "%s/first", dir);
  snprintf(b, sizeof b, "%s/second", dir);
  const char *const made[] = {a, b};
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/profiles", made[i]);
    CU_ASSERT_FATAL(mkdir(made[i], 0755) == 0 && mkdir(path, 0755) == 0);
    snprintf(path, sizeof path, "%s/profiles/here.yaml", made[i]);
    FILE *f = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(f);
    fprintf(f, "profile: {name: from-%s}\nquantities: {cpu.clock: 1 GHz}\n", i ? "second" : "first");
    fclose(f);
  }
  sim_data_path search = {{"", b, a}, 3}; /* an empty entry is skipped */
  sim_diag d;
  sim_diag_init(&d);
  sim_profile *p = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(&search, "here", &p, &d), 0);
  CU_ASSERT_STRING_EQUAL(sim_profile_name(p), "from-second");
  sim_profile_free(p);
  char *found = NULL;
  CU_ASSERT_EQUAL(sim_data_find(&search, "profiles", "../here", &found), -1);
  CU_ASSERT_EQUAL(sim_data_find(&search, "workloads", "here", &found), -1);
  CU_ASSERT_PTR_NULL(found);
  CU_ASSERT_EQUAL(sim_profile_load(&search, "nowhere", &p, &d), -1);
  snprintf(path, sizeof path, "(looked in /profiles, %s/profiles and %s/profiles)", b, a);
  CU_ASSERT_TRUE(has_message(&d, path));
  sim_diag_clear(&d);
  /* only the path given is searched */
  sim_data_path first = {{a}, 1};
  CU_ASSERT_EQUAL_FATAL(sim_profile_load(&first, "here", &p, &d), 0);
  CU_ASSERT_STRING_EQUAL(sim_profile_name(p), "from-first");
  sim_profile_free(p);
  CU_ASSERT_EQUAL(sim_profile_load(&first, "pentium4-2006", &p, &d), -1); /* not along this path */
  sim_diag_clear(&d);
  for (int i = 0; i < 2; i++) {
    snprintf(path, sizeof path, "%s/profiles/here.yaml", made[i]);
    unlink(path);
    snprintf(path, sizeof path, "%s/profiles", made[i]);
    rmdir(path);
    rmdir(made[i]);
  }
}

static void test_allocation_faults(void) {
  long n;
  for (n = 1; n < 100000; n++) {
    sim_diag d;
    sim_diag_init(&d);
    sim_profile *p = NULL;
    sim_fault_arm(SIM_FAULT_ALLOC, n);
    int rc = sim_profile_load(test_data_path(), path_of("top.yaml"), &p, &d);
    sim_fault_arm(SIM_FAULT_ALLOC, 0);
    sim_diag_clear(&d);
    if (rc == 0) {
      sim_profile_free(p);
      break;
    }
    CU_ASSERT_PTR_NULL(p);
  }
  CU_ASSERT(n > 10 && n < 100000);
}

int register_tests(void) {
  static const test_case tests[] = {{"fallback chain, units, cycles", test_chain},
                                    {"errors", test_errors},
                                    {"unknown keys get suggestions", test_unknown_key_suggestions},
                                    {"ranges, relative fallback", test_ranges_and_relative_fallback},
                                    {"shipped profiles", test_shipped},
                                    {"allocation faults", test_allocation_faults},
                                    {"search path", test_search_path},
                                    {NULL, NULL}};
  CU_pSuite s = CU_add_suite("profile", setup, teardown);
  if (!s) return -1;
  for (const test_case *t = tests; t->name; t++)
    if (!CU_add_test(s, t->name, t->fn)) return -1;
  return 0;
}
