/* tests/test_scenario.c: the scenario loader (sim/scenario.c): the shipped
 * scenarios, templates and name patterns, references, --set overrides, the
 * resolved text, error collection, allocation faults and load time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sim/alloc.h"
#include "sim/cli_args.h"
#include "sim/scenario.h"
#include "sim/scenario_names.h"
#include "sim/vocabulary.h"
#include "models/registry.h"
#include "tests/cunit_main.h"
#include "tests/test_data.h"

static char *source_path(const char *rel) {
  const char *dir = getenv("VDCSIM_SOURCE_DIR");
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/%s", dir ? dir : ".", rel);
  return buf;
}

static bool has_message(const sim_diag *d, const char *part) {
  for (size_t i = 0; i < d->count; i++)
    if (strstr(d->entries[i].message, part)) return true;
  return false;
}

static sim_scenario *load_text(const char *text, const sim_override *ovs, size_t n, sim_diag *d) {
  sim_diag_init(d);
  sim_scenario *s = NULL;
  int rc = sim_scenario_load_text("t.yaml", text, strlen(text), test_vocabulary(), ovs, n, &s, d);
  CU_ASSERT_EQUAL(rc == 0, s != NULL);
  CU_ASSERT_EQUAL(rc == 0, d->errors == 0);
  return s;
}

static const char *base =
    "host_types:\n"
    "  std: {cores: 8, clock: 2 GHz, memory: 32 GiB}\n"
    "hosts:\n"
    "  - {name: \"r{i/4}-h{i%4:02}\", type: std, count: 8}\n"
    "workloads:\n"
    "  w: {phases: [{units: 100, ops: {instructions: 1000}}]}\n"
    "guests:\n"
    "  - {name: \"vm{i}\", count: 8, technique: hvm-ept, host: \"r{i/4}-h{i%4:02}\", workload: w}\n"
    "  - {name: \"ct{i}\", count: 5, technique: container, host: {spread: \"r1-*\"}, workload: w}\n"
    "migrations:\n"
    "  - {at: 1 s, guest: vm3, to: r1-h00}\n";

static void test_demo(void) {
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *s = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_scenario_load(source_path("scenarios/demo.yaml"), test_vocabulary(), NULL, 0, &s, &d), 0);
  CU_ASSERT_EQUAL(s->n_hosts, 1);
  CU_ASSERT_EQUAL(s->n_guests, 6);
  CU_ASSERT_EQUAL(s->duration_ns, 5 * SIM_S);
  CU_ASSERT_DOUBLE_EQUAL(s->host_types[0].clock_hz, 3.8e9, 1);
  CU_ASSERT_STRING_EQUAL(s->calibration, "pentium4-2006");
  /* guests are in name order, whatever the file's order (bt, container, hvm, hvm-ept, native, pv) */
  static const char *const techs[] = {"bt", "container", "hvm", "hvm-ept", "native", "pv"};
  static const char *const io[] = {"emulated", "bridge", "emulated", "virtio", "native", "pv"};
  for (size_t i = 0; i < 6; i++) {
    CU_ASSERT_STRING_EQUAL(s->guests[i].technique, techs[i]);
    CU_ASSERT_STRING_EQUAL(s->guests[i].io_path, io[i]);
    CU_ASSERT_EQUAL(s->guests[i].memory_bytes, 1ULL << 30); /* from the merged anchor */
  }
  CU_ASSERT_EQUAL(s->guests[4].kind, SIM_GUEST_NATIVE);
  CU_ASSERT_EQUAL(s->guests[1].kind, SIM_GUEST_CONTAINER);
  CU_ASSERT_EQUAL(s->guests[0].kind, SIM_GUEST_VM);
  CU_ASSERT_DOUBLE_EQUAL(s->workloads[0].phases[0].units, 1e7, 1e-6);
  CU_ASSERT_PTR_NOT_NULL(s->resolved_text);
  sim_scenario_free(s);
  sim_diag_clear(&d);
}

static void test_templates_and_references(void) {
  sim_diag d;
  sim_scenario *s = load_text(base, NULL, 0, &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL(s->n_hosts, 8);
  CU_ASSERT_STRING_EQUAL(s->hosts[0].name, "r0-h00");
  CU_ASSERT_STRING_EQUAL(s->hosts[7].name, "r1-h03");
  CU_ASSERT_EQUAL(s->n_guests, 13);
  /* guests in name order: ct0 .. ct4, then vm0 .. vm7 */
  CU_ASSERT_STRING_EQUAL(s->guests[0].name, "ct0");
  CU_ASSERT_STRING_EQUAL(s->guests[5].name, "vm0");
  for (size_t i = 0; i < 8; i++) CU_ASSERT_EQUAL(s->guests[5 + i].host, i); /* pattern follows i */
  /* spread: round-robin over r1-h00 .. r1-h03 (hosts 4..7) */
  for (size_t i = 0; i < 5; i++) CU_ASSERT_EQUAL(s->guests[i].host, 4 + i % 4);
  CU_ASSERT_EQUAL(s->n_migrations, 1);
  CU_ASSERT_EQUAL(s->migrations[0].guest, 8); /* vm3 */
  CU_ASSERT_EQUAL(s->migrations[0].dest_host, 4);
  CU_ASSERT_DOUBLE_EQUAL(s->migrations[0].max_rate_bps, 500e6, 1); /* [CL05] default */
  CU_ASSERT_STRING_EQUAL(s->migrations[0].name, "vm3-to-r1-h00");
  sim_scenario_free(s);
  sim_diag_clear(&d);
}

static void test_name_patterns(void) {
  char out[64], e[200];
  CU_ASSERT_EQUAL(sim_name_expand("rack{i/40:03}-h{i%40:02}", 85, out, sizeof out, e, sizeof e), 0);
  CU_ASSERT_STRING_EQUAL(out, "rack002-h05");
  CU_ASSERT_EQUAL(sim_name_expand("n{i+1}", 0, out, sizeof out, e, sizeof e), 0);
  CU_ASSERT_STRING_EQUAL(out, "n1");
  CU_ASSERT_EQUAL(sim_name_expand("{{x}}-{i*2}", 3, out, sizeof out, e, sizeof e), 0);
  CU_ASSERT_STRING_EQUAL(out, "{x}-6");
  CU_ASSERT_EQUAL(sim_name_expand("h{i-1}", 0, out, sizeof out, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_name_expand("h{i%0}", 0, out, sizeof out, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_name_expand("h{i:3}", 0, out, sizeof out, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_name_expand("h}", 0, out, sizeof out, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_name_expand("h{i:020}", 0, out, 8, e, sizeof e), -1); /* too long */
}

static void test_overrides(void) {
  sim_diag d;
  sim_override ovs[] = {{"simulation.seed", "7"},
                        {"guests.vm{i}.vcpus", "2"},
                        {"hosts.0.count", "12"},
                        {"host_types.std.memory", "64 GiB"}};
  sim_scenario *s = load_text(base, ovs, 4, &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL(s->seed, 7);
  CU_ASSERT_EQUAL(s->guests[5].vcpus, 2); /* vm0 */
  CU_ASSERT_EQUAL(s->guests[0].vcpus, 1); /* ct0 */
  CU_ASSERT_EQUAL(s->n_hosts, 12);
  CU_ASSERT_EQUAL(s->host_types[0].memory_bytes, 64ULL << 30);
  CU_ASSERT_PTR_NOT_NULL(strstr(s->resolved_text, "seed: 7"));
  sim_scenario_free(s);
  sim_diag_clear(&d);
  /* an unknown path, a bad value, and a typo in a new key: all reported */
  sim_override bad[] = {{"guests.nope.vcpus", "2"}, {"simulation.sed", "7"}, {"guests.0.vcpus", "two"}};
  CU_ASSERT_PTR_NULL(load_text(base, bad, 3, &d));
  CU_ASSERT_TRUE(has_message(&d, "no key 'guests.nope.vcpus' in the scenario"));
  CU_ASSERT_TRUE(has_message(&d, "unknown key 'sed' in simulation; did you mean 'seed'?"));
  CU_ASSERT_TRUE(has_message(&d, "expected a whole number, found \"two\""));
  bool labelled = false;
  for (size_t i = 0; i < d.count; i++)
    labelled |= d.entries[i].file && !strcmp(d.entries[i].file, "--set guests.0.vcpus=two");
  CU_ASSERT_TRUE(labelled);
  sim_diag_clear(&d);
  /* the CLI's parser */
  sim_override o;
  char e[200];
  CU_ASSERT_EQUAL(sim_override_parse("a.b=c=d", &o, e, sizeof e), 0);
  CU_ASSERT_STRING_EQUAL(o.path, "a.b");
  CU_ASSERT_STRING_EQUAL(o.value, "c=d");
  sim_free((void *)o.path);
  CU_ASSERT_EQUAL(sim_override_parse("a.b", &o, e, sizeof e), -1);
  CU_ASSERT_EQUAL(sim_override_parse("=3", &o, e, sizeof e), -1);
}

static void test_all_errors_reported(void) {
  sim_diag d;
  const char *text =
      "simulation: {duration: 3 parsecs}\n"
      "host_types:\n"
      "  std: {cores: 2, clock: 2 GHz, memory: 4 GiB, memroy: 1}\n"
      "hosts: [{name: h0, type: std}]\n"
      "workloads:\n"
      "  w: {phases: [{units: 1, ops: {instructions: 1}}]}\n"
      "guests:\n"
      "  - {name: a, technique: hvm-etp, host: h0, workload: w}\n"
      "  - {name: b, technique: pv, host: h9, workload: w}\n"
      "  - {name: c, technique: pv, vcpus: 4, memory: 8 GiB, host: h0, workload: w}\n";
  CU_ASSERT_PTR_NULL(load_text(text, NULL, 0, &d));
  CU_ASSERT_EQUAL(d.errors, 6);
  CU_ASSERT_TRUE(has_message(&d, "unknown unit 'parsecs'"));
  CU_ASSERT_TRUE(has_message(&d, "did you mean 'memory'?"));
  CU_ASSERT_TRUE(has_message(&d, "did you mean 'hvm-ept'?"));
  CU_ASSERT_TRUE(has_message(&d, "guest 'b' is on host 'h9', which does not exist"));
  CU_ASSERT_TRUE(has_message(&d, "its guests have 4 vCPUs for 2 cores"));
  CU_ASSERT_TRUE(has_message(&d, "its guests have 8 GiB of memory, the host 4 GiB"));
  sim_diag_clear(&d);
  /* allow_overcommit lifts it */
  sim_override ov = {"host_types.std.allow_overcommit", "true"};
  const char *ok = "host_types:\n  std: {cores: 2, clock: 2 GHz, memory: 4 GiB}\n"
                   "hosts: [{name: h0, type: std}]\n"
                   "workloads: {w: {phases: [{units: 1}]}}\n"
                   "guests: [{name: c, technique: pv, vcpus: 4, host: h0, workload: w}]\n";
  sim_scenario *s = load_text(ok, &ov, 1, &d);
  CU_ASSERT_PTR_NOT_NULL(s);
  sim_scenario_free(s);
  sim_diag_clear(&d);
}

/* The resolved text loads back to the same scenario. */
static void test_resolved_round_trip(void) {
  sim_diag d;
  sim_scenario *a = NULL;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(sim_scenario_load(source_path("scenarios/demo.yaml"), test_vocabulary(), NULL, 0, &a, &d), 0);
  sim_scenario *b = load_text(a->resolved_text, NULL, 0, &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT_STRING_EQUAL(a->resolved_text, b->resolved_text);
  CU_ASSERT_EQUAL(a->n_guests, b->n_guests);
  CU_ASSERT_EQUAL(a->duration_ns, b->duration_ns);
  CU_ASSERT_EQUAL(a->host_types[0].clock_hz, b->host_types[0].clock_hz);
  CU_ASSERT_EQUAL(a->host_types[0].disks[0].bandwidth_Bps, b->host_types[0].disks[0].bandwidth_Bps);
  sim_scenario_free(a);
  sim_scenario_free(b);
  sim_diag_clear(&d);
  sim_scenario *c = load_text(base, NULL, 0, &d);
  sim_scenario *e = c ? load_text(c->resolved_text, NULL, 0, &d) : NULL;
  CU_ASSERT_PTR_NOT_NULL_FATAL(e);
  CU_ASSERT_STRING_EQUAL(c->resolved_text, e->resolved_text);
  CU_ASSERT_EQUAL(e->n_guests, 13);
  CU_ASSERT_EQUAL(e->guests[12].host, c->guests[12].host);
  sim_scenario_free(c);
  sim_scenario_free(e);
  sim_diag_clear(&d);
}

/* The Nth allocation fails, for N = 1, 2, ...: an error each time, never a
 * crash or a leak (ASan checks), until the load succeeds. */
static void test_allocation_faults(void) {
  sim_override ov = {"simulation.seed", "3"};
  long n;
  for (n = 1; n < 100000; n++) {
    sim_diag d;
    sim_diag_init(&d);
    sim_scenario *s = NULL;
    sim_fault_arm(SIM_FAULT_ALLOC, n);
    int rc = sim_scenario_load(source_path("scenarios/demo.yaml"), test_vocabulary(), &ov, 1, &s, &d);
    long calls = sim_fault_calls(SIM_FAULT_ALLOC);
    sim_fault_arm(SIM_FAULT_ALLOC, 0);
    if (rc == 0) {
      CU_ASSERT_TRUE(calls < n);
      CU_ASSERT_EQUAL(s->seed, 3);
      sim_scenario_free(s);
      sim_diag_clear(&d);
      break;
    }
    CU_ASSERT_PTR_NULL(s);
    CU_ASSERT_TRUE(d.errors > 0);
    sim_diag_clear(&d);
  }
  CU_ASSERT_TRUE(n > 50 && n < 100000);
}

/* scenarios/datacenter-10k.yaml: 10,000 hosts in under 50 lines, loaded in
 * under a second of CPU (checked without sanitizers, which slow it down). */
static void test_datacenter_10k(void) {
  FILE *f = fopen(source_path("scenarios/datacenter-10k.yaml"), "r");
  CU_ASSERT_PTR_NOT_NULL_FATAL(f);
  int lines = 0, c;
  while ((c = fgetc(f)) != EOF) lines += c == '\n';
  fclose(f);
  CU_ASSERT(lines < 50);
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *s = NULL;
  clock_t t0 = clock();
  int rc = sim_scenario_load(source_path("scenarios/datacenter-10k.yaml"), test_vocabulary(), NULL, 0, &s, &d);
  double cpu_s = (double)(clock() - t0) / CLOCKS_PER_SEC;
  sim_diag_print(&d, stderr);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  CU_ASSERT_EQUAL(s->n_hosts, 10000);
  CU_ASSERT(s->n_guests >= 10000);
  printf("\n    datacenter-10k: %zu hosts, %zu guests loaded in %.3f s of CPU\n", s->n_hosts,
         s->n_guests, cpu_s);
#ifndef __SANITIZE_ADDRESS__
  /* tests/run-valgrind sets VDCSIM_UNDER_VALGRIND: memcheck slows it 20-50x */
  if (!getenv("VDCSIM_UNDER_VALGRIND")) CU_ASSERT(cpu_s < 1.0);
#endif
  sim_scenario_free(s);
  sim_diag_clear(&d);
}

static void test_sweep_block(void) {
  sim_diag d;
  char text[2048];
  snprintf(text, sizeof text, "%s%s", base,
           "sweep:\n  replications: 3\n  axes:\n    - {path: \"guests.vm{i}.vcpus\", values: [1, 2, 4]}\n");
  sim_scenario *s = load_text(text, NULL, 0, &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL(s->n_sweep_axes, 1);
  CU_ASSERT_EQUAL(s->sweep_replications, 3);
  CU_ASSERT_EQUAL(s->sweep[0].n_values, 3);
  CU_ASSERT_STRING_EQUAL(s->sweep[0].values[2], "4");
  sim_scenario_free(s);
  sim_diag_clear(&d);
  snprintf(text, sizeof text, "%s%s", base, "sweep:\n  axes:\n    - {path: guests.vm.cpus, values: [1]}\n");
  CU_ASSERT_PTR_NULL(load_text(text, NULL, 0, &d));
  CU_ASSERT_TRUE(has_message(&d, "sweep path 'guests.vm.cpus' names no key"));
  sim_diag_clear(&d);
  /* every point is checked: a typo in the last key, a value out of range */
  snprintf(text, sizeof text, "%s%s", base,
           "sweep:\n  axes:\n    - {path: \"guests.vm{i}.cpus\", values: [1]}\n"
           "    - {path: \"guests.vm{i}.vcpus\", values: [1, 0]}\n");
  CU_ASSERT_PTR_NULL(load_text(text, NULL, 0, &d));
  CU_ASSERT_EQUAL(d.errors, 2);
  CU_ASSERT_TRUE(has_message(&d, "sweep value 1 of 'guests.vm{i}.cpus' gives an invalid scenario: "
                                 "unknown key 'cpus' in guest 'vm{i}'; did you mean 'vcpus'?"));
  CU_ASSERT_TRUE(has_message(&d, "sweep value 0 of 'guests.vm{i}.vcpus' gives an invalid scenario"));
  sim_diag_clear(&d);
}

/* A phase's io_window: 0 unless given, kept by the resolved text, a whole
 * number from 0 to 1000000. */
static void test_io_window(void) {
  sim_diag d;
  sim_scenario *s = load_text(base, NULL, 0, &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL(s->workloads[0].phases[0].io_window, 0);
  sim_scenario_free(s);
  sim_diag_clear(&d);
  sim_override ov = {"workloads.w.phases.0.io_window", "64"};
  s = load_text(base, &ov, 1, &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL(s->workloads[0].phases[0].io_window, 64);
  sim_scenario *b = load_text(s->resolved_text, NULL, 0, &d);
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT_EQUAL(b->workloads[0].phases[0].io_window, 64);
  sim_scenario_free(b);
  sim_scenario_free(s);
  sim_diag_clear(&d);
  static const char *const bad[] = {"1000001", "-1", "2.5"};
  for (size_t i = 0; i < 3; i++) {
    ov.value = bad[i];
    CU_ASSERT_PTR_NULL(load_text(base, &ov, 1, &d));
    CU_ASSERT_EQUAL(d.errors, 1);
    CU_ASSERT_TRUE(has_message(&d, "'io_window' in phase 'phase0' of workload 'w'"));
    sim_diag_clear(&d);
  }
}

/* The loader knows no model: it accepts the names of the vocabulary it is
 * given, takes a technique's guest kind and default I/O path from it, and a
 * migration's default strategy is the vocabulary's first. */
static bool small_word(sim_vocab_kind kind, size_t i, sim_vocab_word *out) {
  static const char *const names[SIM_VOCAB_KINDS][3] = {
      {"plain", "boxed", NULL}, {"wire", "pipe", NULL}, {"fifo", NULL, NULL}, {"copy", "move", NULL}};
  if (i >= 2 || !names[kind][i]) return false;
  *out = (sim_vocab_word){names[kind][i], NULL, SIM_GUEST_VM};
  if (kind == SIM_VOCAB_TECHNIQUE) {
    out->default_io_path = i == 0 ? "wire" : "pipe";
    out->guest_kind = i == 0 ? SIM_GUEST_NATIVE : SIM_GUEST_CONTAINER;
  }
  return true;
}

static void test_vocabulary_given(void) {
  static const sim_vocabulary small = {small_word, NULL};
  static const char fmt[] =
      "simulation: {duration: 1 s}\n"
      "host_types: {std: {cores: 4, clock: 1 GHz, memory: 8 GiB, scheduler: %s}}\n"
      "hosts: [{name: \"h{i}\", type: std, count: 2}]\n"
      "workloads: {w: {phases: [{units: 1, ops: {instructions: 1}}]}}\n"
      "guests: [{name: g, technique: %s, host: h0, workload: w}]\n"
      "migrations: [{at: 0.5 s, guest: g, to: h1}]\n";
  char text[1024];
  snprintf(text, sizeof text, fmt, "fifo", "boxed");
  sim_diag d;
  sim_diag_init(&d);
  sim_scenario *s = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_scenario_load_text("v.yaml", text, strlen(text), &small, NULL, 0, &s, &d), 0);
  CU_ASSERT_STRING_EQUAL(s->guests[0].technique, "boxed");
  CU_ASSERT_STRING_EQUAL(s->guests[0].io_path, "pipe");
  CU_ASSERT_EQUAL(s->guests[0].kind, SIM_GUEST_CONTAINER);
  CU_ASSERT_STRING_EQUAL(s->migrations[0].strategy, "copy");
  sim_scenario_free(s);
  sim_diag_clear(&d);
  /* a catalog name the vocabulary lacks is unknown, listed from the vocabulary */
  snprintf(text, sizeof text, fmt, "credit", "hvm");
  CU_ASSERT(sim_scenario_load_text("v.yaml", text, strlen(text), &small, NULL, 0, &s, &d) < 0);
  CU_ASSERT_TRUE(has_message(&d, "unknown scheduler 'credit' in host type 'std' (known: fifo)"));
  CU_ASSERT_TRUE(has_message(&d, "unknown technique 'hvm' in guest 'g' (known: plain, boxed)"));
  sim_diag_clear(&d);
}

int register_tests(void) {
  static const test_case tests[] = {{"demo scenario", test_demo},
                                    {"templates and references", test_templates_and_references},
                                    {"name patterns", test_name_patterns},
                                    {"overrides", test_overrides},
                                    {"all errors reported", test_all_errors_reported},
                                    {"resolved text round trip", test_resolved_round_trip},
                                    {"allocation faults", test_allocation_faults},
                                    {"10,000 hosts", test_datacenter_10k},
                                    {"sweep block", test_sweep_block},
                                    {"phase io_window", test_io_window},
                                    {"vocabulary given by the caller", test_vocabulary_given},
                                    {NULL, NULL}};
  return add_suite("scenario", tests);
}
