/* tests/test_order.c: the loaded scenario's canonical order (sim/scenario.c
 * "canonical order"): whatever order a file lists its hosts, guests and
 * migrations in, the loader gives the same arrays (hosts, host types,
 * workloads and guests by name; migrations by start, then guest name), the
 * same references between them, the same spread placement and the same
 * resolved text; messages still point at the file's lines. */
#include <stdio.h>
#include <string.h>

#include "sim/scenario.h"
#include "sim/vocabulary.h"
#include "models/registry.h"
#include "tests/cunit_main.h"
#include "tests/test_data.h"

/* The lists of a scenario, entry by entry: every variant below joins them
 * in another order.  Host types are given out of name order; "vm{i}" makes
 * names that sort apart from their counter (vm10 before vm2); the ct guests
 * are spread over every host; the shipped workloads are named by guests in
 * an order other than their names'; two migrations start together. */
static const char *const head =
    "name: order\n"
    "simulation: {duration: 2 s}\n"
    "host_types:\n"
    "  std: {cores: 8, clock: 2 GHz, memory: 32 GiB}\n"
    "  fat: {cores: 16, clock: 2 GHz, memory: 64 GiB}\n";
static const char *const hosts[] = {
    "  - {name: \"r{i/4}-h{i%4:02}\", type: std, count: 8}\n",
    "  - {name: big, type: fat}\n",
    "  - {name: a-edge, type: std}\n",
};
static const char *const workloads =
    "workloads:\n"
    "  w: {phases: [{units: 100, ops: {instructions: 1000}}]}\n";
static const char *const guests[] = {
    "  - {name: \"vm{i}\", count: 12, technique: hvm-ept, host: \"r{i/4%2}-h{i%4:02}\", workload: w}\n",
    "  - {name: \"ct{i}\", count: 5, technique: container, host: {spread: \"*\"}, workload: lect-compute}\n",
    "  - {name: solo, technique: native, host: big, workload: fe14-linpack}\n",
};
static const char *const migrations[] = {
    "  - {at: 1 s, guest: vm3, to: r1-h00}\n",
    "  - {at: 1 s, guest: ct1, to: a-edge}\n",
    "  - {at: 500 ms, guest: solo, to: a-edge}\n",
};
#define N_ENTRIES 3

/* The scenario with each list in the order given (order[k]: which entry comes k-th). */
static void compose(char *out, size_t len, const int host_order[N_ENTRIES],
                    const int guest_order[N_ENTRIES], const int mig_order[N_ENTRIES]) {
  size_t n = (size_t)snprintf(out, len, "%shosts:\n", head);
  for (int k = 0; k < N_ENTRIES; k++) n += (size_t)snprintf(out + n, len - n, "%s", hosts[host_order[k]]);
  n += (size_t)snprintf(out + n, len - n, "%sguests:\n", workloads);
  for (int k = 0; k < N_ENTRIES; k++) n += (size_t)snprintf(out + n, len - n, "%s", guests[guest_order[k]]);
  n += (size_t)snprintf(out + n, len - n, "migrations:\n");
  for (int k = 0; k < N_ENTRIES; k++) n += (size_t)snprintf(out + n, len - n, "%s", migrations[mig_order[k]]);
  CU_ASSERT_FATAL(n < len);
}

static sim_scenario *load(const char *text) {
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *s = NULL;
  int rc = sim_scenario_load_text("order.yaml", text, strlen(text), test_vocabulary(), NULL, 0, &s, &d);
  if (rc) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  CU_ASSERT_EQUAL(rc, 0);
  return s;
}

static const int file_order[N_ENTRIES] = {0, 1, 2};
static const int reversed[N_ENTRIES] = {2, 1, 0};
static const int rotated[N_ENTRIES] = {1, 2, 0};

/* Every array, every reference and the resolved text are the same. */
static void check_same(const sim_scenario *a, const sim_scenario *b) {
  CU_ASSERT_EQUAL_FATAL(a->n_host_types, b->n_host_types);
  for (size_t i = 0; i < a->n_host_types; i++)
    CU_ASSERT_STRING_EQUAL(a->host_types[i].name, b->host_types[i].name);
  CU_ASSERT_EQUAL_FATAL(a->n_hosts, b->n_hosts);
  for (size_t i = 0; i < a->n_hosts; i++) {
    CU_ASSERT_STRING_EQUAL(a->hosts[i].name, b->hosts[i].name);
    CU_ASSERT_EQUAL(a->hosts[i].type, b->hosts[i].type);
  }
  CU_ASSERT_EQUAL_FATAL(a->n_workloads, b->n_workloads);
  for (size_t i = 0; i < a->n_workloads; i++)
    CU_ASSERT_STRING_EQUAL(a->workloads[i].name, b->workloads[i].name);
  CU_ASSERT_EQUAL_FATAL(a->n_guests, b->n_guests);
  for (size_t i = 0; i < a->n_guests; i++) {
    CU_ASSERT_STRING_EQUAL(a->guests[i].name, b->guests[i].name);
    CU_ASSERT_EQUAL(a->guests[i].host, b->guests[i].host);
    CU_ASSERT_EQUAL(a->guests[i].workload, b->guests[i].workload);
  }
  CU_ASSERT_EQUAL_FATAL(a->n_migrations, b->n_migrations);
  for (size_t i = 0; i < a->n_migrations; i++) {
    CU_ASSERT_STRING_EQUAL(a->migrations[i].name, b->migrations[i].name);
    CU_ASSERT_EQUAL(a->migrations[i].guest, b->migrations[i].guest);
    CU_ASSERT_EQUAL(a->migrations[i].dest_host, b->migrations[i].dest_host);
    CU_ASSERT_EQUAL(a->migrations[i].at_ns, b->migrations[i].at_ns);
  }
  CU_ASSERT_STRING_EQUAL(a->resolved_text, b->resolved_text);
}

static void test_permuted_lists_load_alike(void) {
  static char text[4096], other[4096];
  compose(text, sizeof text, file_order, file_order, file_order);
  sim_scenario *a = load(text);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  const int *const orders[] = {reversed, rotated};
  for (size_t h = 0; h < 2; h++)
    for (size_t g = 0; g < 2; g++)
      for (size_t m = 0; m < 2; m++) {
        compose(other, sizeof other, orders[h], orders[g], orders[m]);
        CU_ASSERT_STRING_NOT_EQUAL(text, other);
        sim_scenario *b = load(other);
        CU_ASSERT_PTR_NOT_NULL_FATAL(b);
        check_same(a, b);
        sim_scenario_free(b);
      }
  sim_scenario_free(a);
}

/* The order itself: names ascending (strcmp), the spread by the hosts'
 * names, migrations by start then guest name, references intact. */
static void test_canonical_order(void) {
  static char text[4096];
  compose(text, sizeof text, reversed, rotated, reversed);
  sim_scenario *s = load(text);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_STRING_EQUAL(s->host_types[0].name, "fat");
  CU_ASSERT_STRING_EQUAL(s->host_types[s->hosts[0].type].name, "std"); /* a-edge */
  CU_ASSERT_STRING_EQUAL(s->host_types[s->hosts[1].type].name, "fat"); /* big */
  for (size_t i = 1; i < s->n_hosts; i++) CU_ASSERT(strcmp(s->hosts[i - 1].name, s->hosts[i].name) < 0);
  for (size_t i = 1; i < s->n_workloads; i++)
    CU_ASSERT(strcmp(s->workloads[i - 1].name, s->workloads[i].name) < 0);
  CU_ASSERT_EQUAL_FATAL(s->n_guests, 18);
  for (size_t i = 1; i < s->n_guests; i++) CU_ASSERT(strcmp(s->guests[i - 1].name, s->guests[i].name) < 0);
  CU_ASSERT_STRING_EQUAL(s->guests[6].name, "vm0");
  CU_ASSERT_STRING_EQUAL(s->guests[7].name, "vm1");
  CU_ASSERT_STRING_EQUAL(s->guests[8].name, "vm10");
  for (size_t i = 0; i < s->n_guests; i++) {
    const sim_guest *g = &s->guests[i];
    unsigned k;
    if (sscanf(g->name, "ct%u", &k) == 1) {
      /* spread: instance k on the k-th host (mod 10) in name order */
      CU_ASSERT_EQUAL(g->host, k % s->n_hosts);
      CU_ASSERT_STRING_EQUAL(s->workloads[g->workload].name, "lect-compute");
    } else if (sscanf(g->name, "vm%u", &k) == 1) {
      char want[16];
      snprintf(want, sizeof want, "r%u-h%02u", k / 4 % 2, k % 4);
      CU_ASSERT_STRING_EQUAL(s->hosts[g->host].name, want);
      CU_ASSERT_STRING_EQUAL(s->workloads[g->workload].name, "w");
    } else {
      CU_ASSERT_STRING_EQUAL(g->name, "solo");
      CU_ASSERT_STRING_EQUAL(s->hosts[g->host].name, "big");
      CU_ASSERT_STRING_EQUAL(s->workloads[g->workload].name, "fe14-linpack");
    }
  }
  CU_ASSERT_EQUAL_FATAL(s->n_migrations, 3);
  static const char *const mig_guest[] = {"solo", "ct1", "vm3"};
  static const char *const mig_dest[] = {"a-edge", "a-edge", "r1-h00"};
  for (size_t i = 0; i < 3; i++) {
    CU_ASSERT_STRING_EQUAL(s->guests[s->migrations[i].guest].name, mig_guest[i]);
    CU_ASSERT_STRING_EQUAL(s->hosts[s->migrations[i].dest_host].name, mig_dest[i]);
  }
  sim_scenario_free(s);
}

/* The resolved text lists entries in the canonical order; loading it gives
 * the same scenario and the same text. */
static void test_resolved_text_reloads(void) {
  static char text[4096];
  compose(text, sizeof text, rotated, reversed, rotated);
  sim_scenario *a = load(text);
  CU_ASSERT_PTR_NOT_NULL_FATAL(a);
  sim_scenario *b = load(a->resolved_text);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  check_same(a, b);
  sim_scenario_free(b);
  sim_scenario_free(a);
}

/* An error in a permuted file names the line the entry has in the file. */
static void test_messages_keep_file_lines(void) {
  static const char *const lists[] = {
      "  - {name: a, technique: native, host: h0, workload: w}\n"
      "  - {name: b, technique: native, host: nowhere, workload: w}\n",
      "  - {name: b, technique: native, host: nowhere, workload: w}\n"
      "  - {name: a, technique: native, host: h0, workload: w}\n",
  };
  for (int v = 0; v < 2; v++) {
    char text[1024];
    snprintf(text, sizeof text,
             "host_types: {t: {cores: 2, clock: 1 GHz, memory: 4 GiB}}\n"
             "hosts: [{name: h1, type: t}, {name: h0, type: t}]\n"
             "workloads: {w: {phases: [{units: 1, ops: {instructions: 1}}]}}\n"
             "guests:\n%s",
             lists[v]);
    sim_diag d;
    sim_diag_init(&d);
    sim_scenario *s = NULL;
    CU_ASSERT_NOT_EQUAL(sim_scenario_load_text("bad.yaml", text, strlen(text), test_vocabulary(), NULL, 0, &s, &d), 0);
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_EQUAL_FATAL(d.errors, 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(d.entries[0].message, "'nowhere'"));
    CU_ASSERT_EQUAL(d.entries[0].line, 5 + (v == 0)); /* guests: is line 4 */
    sim_diag_clear(&d);
  }
}

int register_tests(void) {
  static const test_case tests[] = {
      {"permuted lists load alike", test_permuted_lists_load_alike},
      {"canonical order", test_canonical_order},
      {"resolved text reloads", test_resolved_text_reloads},
      {"messages keep the file's lines", test_messages_keep_file_lines},
      {NULL, NULL},
  };
  return add_suite("order", tests);
}
