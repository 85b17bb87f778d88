/* tests/test_elastic.c: elastic services (sim/scenario_services.c,
 * models/engine_elastic.c) and their models against hand-computed cases:
 * target tracking's proportional rule, step scaling's bounds, scheduled
 * actions [AWS-ASG]; round robin and least outstanding requests [NGINX-LB];
 * the loader's keys and defaults; and a run: requests held until the first
 * member is ready, a scheduled scale-out paying a cold pull, round robin
 * splitting deterministic arrivals, a scale-in draining and stopping
 * billing, and a VM member booting through its technique before it serves. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/autoscale.h"
#include "models/balancer.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/image.h"
#include "sim/recorder.h"
#include "sim/results.h"
#include "sim/scenario_services.h"
#include "sim/yaml.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

#define NEAR(a, b) CU_ASSERT_DOUBLE_EQUAL(a, b, 1e-9 * (fabs((double)(b)) + 1))

static int64_t ask(const autoscale_ops *p, const sim_service *s, uint32_t current, double metric, sim_time now) {
  const char *why = NULL;
  autoscale_input in = {s, current, metric, now};
  int64_t d = p->desired(&in, &why);
  CU_ASSERT_PTR_NOT_NULL(why);
  return d;
}

/* desired = ceil(current x metric / target) */
static void test_target_tracking(void) {
  const autoscale_ops *p = model_autoscale("target-tracking");
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  sim_service s = {.target = 0.5};
  CU_ASSERT_EQUAL(ask(p, &s, 4, 0.75, 0), 6);  /* 4 x 0.75 / 0.5 = 6 */
  CU_ASSERT_EQUAL(ask(p, &s, 3, 0.9, 0), 6);   /* 5.4 -> 6 */
  CU_ASSERT_EQUAL(ask(p, &s, 5, 0.5, 0), 5);   /* at the target: no change */
  CU_ASSERT_EQUAL(ask(p, &s, 8, 0.1, 0), 2);   /* 1.6 -> 2 */
  CU_ASSERT_EQUAL(ask(p, &s, 3, NAN, 0), 3);   /* no measurement */
  s.target = 0.2; /* a latency target of 200 ms, a measured 300 ms */
  CU_ASSERT_EQUAL(ask(p, &s, 2, 0.3, 0), 3);
}

/* steps by breach (metric - target): above, lower inclusive; below, upper inclusive */
static void test_step(void) {
  const autoscale_ops *p = model_autoscale("step");
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  sim_scale_step steps[] = {{0, 0.25, 1}, {0.25, HUGE_VAL, 3}, {-0.25, 0, -1}};
  sim_service s = {.target = 0.5, .steps = steps, .n_steps = 3};
  CU_ASSERT_EQUAL(ask(p, &s, 4, 0.625, 0), 5); /* breach 0.125: +1 */
  CU_ASSERT_EQUAL(ask(p, &s, 4, 0.75, 0), 7);  /* breach 0.25: the upper step's lower bound, inclusive */
  CU_ASSERT_EQUAL(ask(p, &s, 4, 0.95, 0), 7);  /* breach 0.45: +3 */
  CU_ASSERT_EQUAL(ask(p, &s, 4, 0.5, 0), 5);   /* breach 0: the first step, lower inclusive */
  CU_ASSERT_EQUAL(ask(p, &s, 4, 0.375, 0), 3); /* breach -0.125: -1 */
  CU_ASSERT_EQUAL(ask(p, &s, 4, 0.25, 0), 4);  /* breach -0.25: the scale-in step's lower bound, exclusive */
  CU_ASSERT_EQUAL(ask(p, &s, 4, 0.1, 0), 4);   /* breach -0.4: no step */
  CU_ASSERT_EQUAL(ask(p, &s, 4, NAN, 0), 4);
}

static void test_scheduled(void) {
  const autoscale_ops *p = model_autoscale("scheduled");
  CU_ASSERT_PTR_NOT_NULL_FATAL(p);
  sim_scheduled_capacity sched[] = {{60 * SIM_S, 4}, {120 * SIM_S, 2}};
  sim_service s = {.schedule = sched, .n_schedule = 2};
  CU_ASSERT_EQUAL(ask(p, &s, 1, NAN, 30 * SIM_S), 1);
  CU_ASSERT_EQUAL(ask(p, &s, 1, NAN, 60 * SIM_S), 4);
  CU_ASSERT_EQUAL(ask(p, &s, 4, 0.9, 100 * SIM_S), 4); /* the metric plays no part */
  CU_ASSERT_EQUAL(ask(p, &s, 4, NAN, 200 * SIM_S), 2);
}

static void test_round_robin(void) {
  const balancer_ops *b = model_balancer("round-robin");
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  lb_instance in[3] = {{true, 5}, {false, 0}, {true, 0}};
  size_t cur = 0;
  CU_ASSERT_EQUAL(b->pick(in, 3, &cur), 0);
  CU_ASSERT_EQUAL(b->pick(in, 3, &cur), 2); /* 1 is not ready */
  CU_ASSERT_EQUAL(b->pick(in, 3, &cur), 0);
  in[1].ready = true;
  CU_ASSERT_EQUAL(b->pick(in, 3, &cur), 1);
  in[0].ready = in[1].ready = in[2].ready = false;
  CU_ASSERT_EQUAL(b->pick(in, 3, &cur), -1);
}

static void test_least_outstanding(void) {
  const balancer_ops *b = model_balancer("least-outstanding");
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  lb_instance in[3] = {{true, 3}, {true, 1}, {true, 1}};
  size_t cur = 0;
  CU_ASSERT_EQUAL(b->pick(in, 3, &cur), 1); /* the least; of the tied, the first in turn */
  CU_ASSERT_EQUAL(b->pick(in, 3, &cur), 2); /* the tie goes round */
  in[2].outstanding = 2;
  CU_ASSERT_EQUAL(b->pick(in, 3, &cur), 1);
  in[1].ready = false;
  CU_ASSERT_EQUAL(b->pick(in, 3, &cur), 2); /* the least of the ready ones */
  CU_ASSERT_PTR_NULL(model_balancer("least-conn"));
}

/* The profile of tests/test_provision.c: its quantities explicitly. */
static const char profile[] =
    "profile: {name: elastic-test, fallback: generic-x86-2020}\n"
    "quantities:\n"
    "  sched.tick: {value: 10 ms, source: test}\n"
    "  provision.unpack_cycles_per_byte: {value: 10 cycles, source: test}\n"
    "  provision.overlay_mount: {value: 5 ms, source: test}\n"
    "  container.namespace_create: {value: 2 ms, source: test}\n"
    "  container.cgroup_enter: {value: 50 us, source: test}\n";

/* Hosts of 1 GHz with a 1 Gbit/s NIC and a 200 MB/s disk; a registry of
 * 2 Gbit/s, 1 ms round trip.  Service web: members m0..m2, one per host,
 * each from image app (one layer, 10 MB -> 20 MB, cold on every host):
 *   pull 0.001 + 10e6 x 8 / 1e9 = 0.081 s; unpack max(20e6 x 10 / 1e9,
 *   20e6 / 200e6) = 0.2 s; mount 5 ms: ready 0.286 s after activation.
 * Arrivals every 10 ms (deterministic, 100/s), 1 ms of work each.
 *   - m0 starts at 0, ready at 0.286: the 28 requests of 0.01 .. 0.28 are
 *     held, then served in turn: the k-th completes about 0.288 + k ms
 *     (with the container's 2.05 ms set-up), a response of 0.288 - 0.009 k:
 *     over the 50 ms objective for k <= 26, so 26 violations, and no other
 *     request waits.
 *   - the schedule asks 2 at 2 s: m1 is activated at 2.0, ready at 2.286;
 *     from then round robin alternates m0 and m1: of the 372 arrivals of
 *     2.29 .. 6.00, m1 gets 186;
 *   - it asks 1 at 6 s: m1, the newest, drains and stops (by 6.002 s): it
 *     ran about 4 s of billing, m0 10 s.
 *   - 1000 arrivals in 10 s (the last at 10.00 does not complete).
 * Service boot: one VM member, image vm (100 MB, boot: 1e9 instructions):
 *   pulled 0.001 + 0.8 (the NIC's 1 Gbit/s), copied 0.5 s: provisioned
 *   1.301 s (its own host); then its boot through hvm-ept, a little over
 *   1 s, before it serves. */
static const char scenario[] =
    "name: elastic\n"
    "simulation: {duration: 10 s}\n"
    "registry: {bandwidth: 2 Gbit/s, latency: 1 ms}\n"
    "host_types:\n"
    "  t: {cores: 2, clock: 1 GHz, memory: 16 GiB, nics: [{name: eth0, bandwidth: 1 Gbit/s}],\n"
    "      disks: [{name: d, iops: 10000, bandwidth: 200 MB/s}]}\n"
    "hosts: [{name: \"h{i}\", count: 4, type: t}]\n"
    "instance_types:\n"
    "  small: {vcpus: 1, memory: 2 GiB, price_per_hour: 3.6, billing: per-second, billing_minimum: 0 s}\n"
    "workloads:\n"
    "  web: {requests: {ops: {instructions: 1M}, arrivals: {process: deterministic, rate: 100/s}}}\n"
    "  boot: {phases: [{name: kernel, units: 1, ops: {instructions: 1000000000}}]}\n"
    "images:\n"
    "  app: {kind: container, layers: [{digest: L1, size: 10 MB, unpacked: 20 MB}]}\n"
    "  vm: {kind: vm, size: 100 MB, boot: boot}\n"
    "guests:\n"
    "  - {name: \"m{i}\", count: 3, technique: container, host: \"h{i}\", image: app, workload: web,\n"
    "     instance_type: small}\n"
    "  - {name: v0, technique: hvm-ept, host: h3, vcpus: 1, memory: 1 GiB, workload: web}\n"
    "services:\n"
    "  web:\n"
    "    guests: \"m*\"\n"
    "    slo: 50 ms\n"
    "    min: 1\n"
    "    max: 3\n"
    "    autoscaling: {policy: scheduled, period: 1 s, scale_in_cooldown: 0 s,\n"
    "                  schedule: [{at: 2 s, capacity: 2}, {at: 6 s, capacity: 1}]}\n"
    "  boot: {guests: v0, slo: 50 ms, image: vm}\n";

static void test_loader(void) {
  char msg[512];
  int line = 0, col = 0;
  sim_scenario *s = fx_load_text("elastic.yaml", scenario, msg, sizeof msg, &line, &col);
  if (!s) fprintf(stderr, "%s\n", msg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL_FATAL(s->n_services, 2);
  const sim_service *w = &s->services[0], *b = &s->services[1];
  CU_ASSERT_STRING_EQUAL(w->name, "web");
  CU_ASSERT_STRING_EQUAL(w->balancer, "round-robin"); /* the default */
  CU_ASSERT_STRING_EQUAL(w->policy, "scheduled");
  CU_ASSERT_EQUAL(w->min, 1);
  CU_ASSERT_EQUAL(w->max, 3);
  CU_ASSERT_EQUAL(w->initial, 1);
  CU_ASSERT_EQUAL(w->period_ns, SIM_S);
  CU_ASSERT_EQUAL(w->slo_ns, 50 * SIM_MS);
  CU_ASSERT_EQUAL(w->scale_in_cooldown_ns, 0);
  CU_ASSERT_EQUAL(w->warmup_ns, 300 * SIM_S); /* [AWS-ASG]'s defaults */
  CU_ASSERT_EQUAL_FATAL(w->n_schedule, 2);
  CU_ASSERT_EQUAL(w->schedule[1].at_ns, 6 * SIM_S);
  CU_ASSERT_EQUAL(w->schedule[1].capacity, 1);
  CU_ASSERT_PTR_NULL(b->policy);
  CU_ASSERT_EQUAL(b->max, 1);
  CU_ASSERT_EQUAL(b->period_ns, 60 * SIM_S);
  CU_ASSERT_EQUAL(b->scale_in_cooldown_ns, 300 * SIM_S);
  /* the service names its member's image; the engine gives it to v0 */
  CU_ASSERT_STRING_EQUAL(s->guests[3].name, "v0");
  CU_ASSERT_EQUAL(s->guests[3].image, 0);
  CU_ASSERT_EQUAL_FATAL(b->image, 2); /* images in name order: app, vm */
  CU_ASSERT_STRING_EQUAL(s->images[b->image - 1].name, "vm");
  /* the resolved text, services included, loads back to the same */
  const char *text = s->resolved_text;
  CU_ASSERT_PTR_NOT_NULL_FATAL(strstr(text, "services:"));
  sim_scenario *t = fx_load_text("resolved.yaml", text, msg, sizeof msg, &line, &col);
  if (!t) fprintf(stderr, "%s\n%s\n", msg, text);
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  CU_ASSERT_EQUAL_FATAL(t->n_services, 2);
  CU_ASSERT_STRING_EQUAL(t->services[0].policy, "scheduled");
  CU_ASSERT_EQUAL(t->services[0].schedule[1].at_ns, 6 * SIM_S);
  CU_ASSERT_EQUAL(t->services[0].scale_in_cooldown_ns, 0);
  CU_ASSERT_EQUAL(t->services[1].image, b->image);
  CU_ASSERT_EQUAL(t->services[1].warmup_ns, 300 * SIM_S);
  sim_scenario_free(t);

  sim_scenario_free(s);
  /* a latency target is a time, steps' bounds plain numbers in s */
  static const char stepped[] =
      "simulation: {duration: 10 s}\n"
      "host_types: {t: {cores: 2, clock: 1 GHz, memory: 16 GiB}}\n"
      "hosts: [{name: h0, type: t}]\n"
      "workloads: {web: {requests: {ops: {instructions: 1M}, arrivals: {process: poisson, rate: 10/s}}}}\n"
      "images: {app: {kind: container, layers: [{digest: L1, size: 1 MB, unpacked: 2 MB}]}}\n"
      "guests: [{name: \"m{i}\", count: 2, technique: container, host: h0, image: app, workload: web}]\n"
      "services:\n"
      "  web: {guests: \"m*\", slo: 20 ms, balancer: least-outstanding,\n"
      "        autoscaling: {policy: step, metric: latency-p95, target: 10 ms,\n"
      "                      steps: [{lower: 0, change: 1}, {upper: -0.005, change: -1}]}}\n";
  s = fx_load_text("stepped.yaml", stepped, msg, sizeof msg, &line, &col);
  if (!s) fprintf(stderr, "%s\n", msg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  w = &s->services[0];
  CU_ASSERT_EQUAL(w->metric, SIM_SCALE_LATENCY_P95);
  NEAR(w->target, 0.01);
  CU_ASSERT_EQUAL_FATAL(w->n_steps, 2);
  CU_ASSERT(isinf(w->steps[0].upper) && w->steps[0].upper > 0);
  CU_ASSERT(isinf(w->steps[1].lower) && w->steps[1].lower < 0);
  NEAR(w->steps[1].upper, -0.005);
  CU_ASSERT_EQUAL(w->steps[1].change, -1);
  CU_ASSERT_STRING_EQUAL(w->balancer, "least-outstanding");
  sim_scenario_free(s);
}

/* The column of row `row` of a table whose string column `key` is `name`. */
static double by_name(sim_result *r, const char *table, const char *key, const char *name, const char *column) {
  char **names = NULL;
  size_t n = 0;
  if (sim_result_column_str(r, table, key, &names, &n) < 0) return NAN;
  double v = NAN;
  for (size_t i = 0; i < n; i++)
    if (!strcmp(names[i], name)) v = fx_col(r, table, column, i);
  sim_result_free_strings(names, n);
  return v;
}

static void test_run(void) {
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 0, .series = 0};
  fx_run o;
  CU_ASSERT_EQUAL_FATAL(fx_run_text_shipped("test-elastic", profile, "elastic.yaml", scenario, &cfg, &o), 0);
  const char *S = "summary/services";
  CU_ASSERT_EQUAL(by_name(o.r, S, "service", "web", "arrivals"), 1000);
  CU_ASSERT_EQUAL(by_name(o.r, S, "service", "web", "completed"), 999);
  CU_ASSERT_EQUAL(by_name(o.r, S, "service", "web", "slo_violations"), 26);
  CU_ASSERT_EQUAL(by_name(o.r, S, "service", "web", "scale_outs"), 1);
  CU_ASSERT_EQUAL(by_name(o.r, S, "service", "web", "scale_ins"), 1);
  CU_ASSERT_EQUAL(by_name(o.r, S, "service", "web", "peak_instances"), 2);
  NEAR(by_name(o.r, S, "service", "web", "mean_scale_out_s"), 0.286);
  /* m0 10 s, m1 from 2 s to its drain at 6.00x s: 14 s at 3.6 USD/h */
  CU_ASSERT_DOUBLE_EQUAL(by_name(o.r, S, "service", "web", "instance_hours") * 3600, 14, 0.003);
  CU_ASSERT_DOUBLE_EQUAL(by_name(o.r, S, "service", "web", "cost_usd"), 0.014, 0.000003);
  const char *P = "summary/provisioning";
  NEAR(by_name(o.r, P, "name", "m0", "provisioned_s"), 0.286);
  NEAR(by_name(o.r, P, "name", "m1", "provisioned_s"), 0.286);
  NEAR(by_name(o.r, P, "name", "m1", "ready_s"), 0.286 + 0.00205); /* with its namespace set-up */
  CU_ASSERT(isnan(by_name(o.r, P, "name", "m2", "provisioned_s"))); /* never started: no row */
  const char *R = "summary/requests";
  CU_ASSERT_DOUBLE_EQUAL(by_name(o.r, R, "name", "m1", "arrivals"), 186, 1);
  CU_ASSERT_EQUAL(by_name(o.r, R, "name", "m0", "arrivals") + by_name(o.r, R, "name", "m1", "arrivals"), 1000);
  const char *B = "summary/billing";
  CU_ASSERT_DOUBLE_EQUAL(by_name(o.r, B, "name", "m1", "running_s"), 4.0, 0.003);
  NEAR(by_name(o.r, B, "name", "m0", "running_s"), 10);
  NEAR(by_name(o.r, B, "name", "m2", "running_s"), 0);
  /* the VM member: its image, then its boot through hvm-ept, then requests */
  double ready = by_name(o.r, P, "name", "v0", "ready_s");
  NEAR(by_name(o.r, P, "name", "v0", "provisioned_s"), 1.301);
  CU_ASSERT(ready > 1.301 + 1.0 && ready < 1.301 + 1.05);
  CU_ASSERT_EQUAL(by_name(o.r, S, "service", "boot", "arrivals"), 1000);
  CU_ASSERT_EQUAL(by_name(o.r, S, "service", "boot", "completed"), 999);
  /* the requests of its start-up were held: the first waited all of it */
  CU_ASSERT(by_name(o.r, R, "name", "v0", "max_response_s") > ready - 0.01);
  size_t rows = 0;
  CU_ASSERT_EQUAL(sim_result_table_rows(o.r, "services/scaling", &rows), 0);
  CU_ASSERT_EQUAL(rows, 2);
  CU_ASSERT_EQUAL(sim_result_table_rows(o.r, "services/timeline", &rows), 0);
  CU_ASSERT_EQUAL(rows, 10); /* web every 1 s; boot evaluates every 60 s, past the run */
  fx_run_close(&o);
}

/* Target tracking on CPU, by hand: the members of `scenario` (1 ms a
 * request, 100 requests/s, each member on a host of its own), warm-up 0,
 * evaluated every 2 s against a target of 8 %.
 *   at 2 s: m0 was ready from 0.286 s and served the 28 held requests and
 *     the 172 arrivals of 0.29 .. 2.00: about 0.200 s of CPU in 1.714 s,
 *     0.117 (its 2 ms container set-up aside): desired ceil(1 x 0.117 /
 *     0.08) = 2, a scale-out;
 *   at 4 s: m0 served the 28 arrivals of 2.01 .. 2.28 alone, then half of
 *     the 172 of 2.29 .. 4.00: 114 requests in 2 s, 0.057; m1 the other 86
 *     in 1.714 s, 0.050: mean 0.054, desired ceil(2 x 0.054 / 0.08) = 2,
 *     no change. */
static void test_cpu_tracking_run(void) {
  char *text = sim_malloc(sizeof scenario + 64);
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  strcpy(text, scenario);
  const char *from = "    autoscaling: {policy: scheduled, period: 1 s, scale_in_cooldown: 0 s,\n"
                     "                  schedule: [{at: 2 s, capacity: 2}, {at: 6 s, capacity: 1}]}\n";
  char *at = strstr(text, from);
  CU_ASSERT_PTR_NOT_NULL_FATAL(at);
  const char *tail = at + strlen(from);
  char rest[256];
  snprintf(rest, sizeof rest, "%s", tail);
  sprintf(at, "    autoscaling: {policy: target-tracking, metric: cpu, target: 8 %%, period: 2 s, warmup: 0 s}\n%s",
          rest);
  memcpy(strstr(text, "duration: 10 s"), "duration:  5 s", 14); /* evaluations at 2 and 4 s */
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 0, .series = 0};
  fx_run o;
  int rc = fx_run_text_shipped("test-elastic-cpu", profile, "cpu.yaml", text, &cfg, &o);
  sim_free(text);
  CU_ASSERT_EQUAL_FATAL(rc, 0);
  const char *T = "services/timeline";
  /* rows in time order, web only (boot evaluates every 60 s) */
  CU_ASSERT_DOUBLE_EQUAL(fx_col(o.r, T, "time_s", 0), 2, 1e-9);
  CU_ASSERT_DOUBLE_EQUAL(fx_col(o.r, T, "cpu", 0), 0.200 / 1.714, 0.005);
  CU_ASSERT_EQUAL(fx_col(o.r, T, "desired", 0), 2);
  CU_ASSERT_EQUAL(fx_col(o.r, T, "provisioning", 0), 1);
  CU_ASSERT_DOUBLE_EQUAL(fx_col(o.r, T, "cpu", 1), (0.114 / 2 + 0.086 / 1.714) / 2, 0.005);
  CU_ASSERT_EQUAL(fx_col(o.r, T, "desired", 1), 2);
  CU_ASSERT_EQUAL(fx_col(o.r, T, "ready", 1), 2);
  CU_ASSERT_EQUAL(by_name(o.r, "summary/services", "service", "web", "scale_outs"), 1);
  CU_ASSERT_EQUAL(by_name(o.r, "summary/services", "service", "web", "scale_ins"), 0);
  size_t rows = 0;
  CU_ASSERT_EQUAL(sim_result_table_rows(o.r, T, &rows), 0);
  CU_ASSERT_EQUAL(rows, 2);
  fx_run_close(&o);
}

int register_tests(void) {
  static const test_case tests[] = {{"target tracking: ceil(current x metric / target)", test_target_tracking},
                                    {"step scaling: bounds by breach", test_step},
                                    {"scheduled capacity", test_scheduled},
                                    {"round robin skips instances not ready", test_round_robin},
                                    {"least outstanding, ties in turn", test_least_outstanding},
                                    {"services section: keys and defaults", test_loader},
                                    {"a run: held, scale-out, round robin, drain, boot", test_run},
                                    {"a run: target tracking on CPU", test_cpu_tracking_run},
                                    {NULL, NULL}};
  return add_suite("elastic", tests);
}
