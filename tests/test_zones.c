/* tests/test_zones.c: availability zones and the fee for traffic between
 * them (sim/scenario_hosts.c `zone`, sim/scenario_services.c `zone` and
 * `inter_zone_per_gb`, models/engine_elastic.c, models/engine_billing.c)
 * against hand-computed cases: a service whose balancer is in zone a, one
 * member in a and one in b under round robin, so that half its requests
 * cross [AWS-EC2-DT]; none cross when every host is in the balancer's zone
 * or the balancer names none; the tenant's sum; the loader's keys. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/recorder.h"
#include "sim/results.h"
#include "sim/scenario_services.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

#define NEAR(a, b) CU_ASSERT_DOUBLE_EQUAL(a, b, 1e-9 * (fabs((double)(b)) + 1))

/* The profile of tests/test_elastic.c: its quantities explicitly. */
static const char profile[] =
    "profile: {name: zones-test, fallback: generic-x86-2020}\n"
    "quantities:\n"
    "  sched.tick: {value: 10 ms, source: test}\n"
    "  provision.unpack_cycles_per_byte: {value: 10 cycles, source: test}\n"
    "  provision.overlay_mount: {value: 5 ms, source: test}\n"
    "  container.namespace_create: {value: 2 ms, source: test}\n"
    "  container.cgroup_enter: {value: 50 us, source: test}\n";

/* Service web, balancer in zone a: m0 on h0 (zone "ZONE0"), m1 on h1 (zone
 * b), both from the start, round robin over deterministic arrivals every
 * 10 ms (1000 in 10 s).  One request is one exchange of 100 kB out and
 * 400 kB back: 5e5 bytes, 5e-4 GB.  Each member is ready 0.286 s after the
 * start (tests/test_elastic.c: a cold 10 MB layer pulled, unpacked,
 * mounted); the requests held until then go to the first ready, and
 * round robin alternates the rest, so m1 completes half of those, each
 * 5e-4 GB across zones at 0.01 USD/GB.  A schedule that
 * keeps the two evaluates every 5 s: the timeline's cost at 10 s. */
static const char scenario[] =
    "name: zones\n"
    "simulation: {duration: 10 s}\n"
    "registry: {bandwidth: 2 Gbit/s, latency: 1 ms}\n"
    "host_types:\n"
    "  t: {cores: 2, clock: 1 GHz, memory: 16 GiB, nics: [{name: eth0, bandwidth: 1 Gbit/s}],\n"
    "      disks: [{name: d, iops: 10000, bandwidth: 200 MB/s}]}\n"
    "hosts:\n"
    "  - {name: h0, type: t, zone: ZONE0}\n"
    "  - {name: h1, type: t, zone: us-east-1b}\n"
    "instance_types:\n"
    "  small: {vcpus: 1, memory: 2 GiB, price_per_hour: 3.6, billing: per-second, billing_minimum: 0 s}\n"
    "workloads:\n"
    "  web: {requests: {ops: {instructions: 1M, net: {messages: 1, tx: 100 kB, rx: 400 kB}},\n"
    "                   arrivals: {process: deterministic, rate: 100/s}}}\n"
    "images:\n"
    "  app: {kind: container, layers: [{digest: L1, size: 10 MB, unpacked: 20 MB}]}\n"
    "guests:\n"
    "  - {name: \"m{i}\", count: 2, technique: container, host: \"h{i}\", image: app, workload: web,\n"
    "     instance_type: small, tenant: shop}\n"
    "services:\n"
    "  web: {guests: \"m*\", slo: 50 ms, min: 2, max: 2, initial: 2, balancer: round-robin,\n"
    "        autoscaling: {policy: scheduled, period: 5 s, schedule: [{at: 1 s, capacity: 2}]},\n"
    "        SERVICEZONE}\n";

#define REQUEST_BYTES 5e5 /* 1 x (100 kB + 400 kB) */
#define PRICE_PER_GB 0.01

/* `scenario` with h0's zone and the service's zone keys replaced. */
static char *variant(const char *zone0, const char *service_zone) {
  size_t n = sizeof scenario + strlen(zone0) + strlen(service_zone) + 1;
  char *text = sim_malloc(n);
  if (!text) return NULL;
  const char *z = strstr(scenario, "ZONE0"), *sz = strstr(scenario, "SERVICEZONE");
  snprintf(text, n, "%.*s%s%.*s%s%s", (int)(z - scenario), scenario, zone0, (int)(sz - z - 5), z + 5, service_zone,
           sz + strlen("SERVICEZONE"));
  return text;
}

/* The column of the row of `table` whose string column `key` is `name`. */
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

static int run_variant(const char *tag, const char *zone0, const char *service_zone, fx_run *o) {
  char *text = variant(zone0, service_zone);
  if (!text) return -1;
  sim_record_config cfg = {.sample_interval_ns = 0, .events = 0, .series = 0};
  int rc = fx_run_text_shipped(tag, profile, "zones.yaml", text, &cfg, o);
  sim_free(text);
  return rc;
}

/* Half the requests cross: m1's, each REQUEST_BYTES at PRICE_PER_GB. */
static void test_half_cross(void) {
  fx_run o;
  CU_ASSERT_EQUAL_FATAL(run_variant("vdcsim-test-zones", "us-east-1a", "zone: us-east-1a, inter_zone_per_gb: 0.01", &o),
                        0);
  const char *R = "summary/requests", *B = "summary/billing", *S = "summary/services", *T = "summary/tenants";
  double done0 = by_name(o.r, R, "name", "m0", "completed"), done1 = by_name(o.r, R, "name", "m1", "completed");
  CU_ASSERT_DOUBLE_EQUAL(done0 + done1, 999, 0.5); /* the arrival at 10.00 s does not complete */
  /* the about 28 requests held until the first member is ready all go to it
   * (m0, the first in order); round robin halves the remaining 971 */
  CU_ASSERT(done0 > done1);
  CU_ASSERT_DOUBLE_EQUAL(done1, (999.0 - 28) / 2, 1.5);
  double gb = done1 * REQUEST_BYTES * 1e-9, fee = gb * PRICE_PER_GB;
  CU_ASSERT(fee > 0.0024 && fee < 0.0026); /* about 500 x 5e-4 GB x 0.01 USD/GB */
  NEAR(by_name(o.r, B, "name", "m1", "transfer_gb"), gb);
  NEAR(by_name(o.r, B, "name", "m1", "transfer_cost_usd"), fee);
  CU_ASSERT_EQUAL(by_name(o.r, B, "name", "m0", "transfer_gb"), 0); /* in the balancer's zone */
  CU_ASSERT_EQUAL(by_name(o.r, B, "name", "m0", "transfer_cost_usd"), 0);
  /* the instance's cost includes its fee: 10 s at 3.6 USD/h = 0.01 USD, plus the fee */
  NEAR(by_name(o.r, B, "name", "m1", "cost_usd"), by_name(o.r, B, "name", "m1", "instance_cost_usd") + fee);
  NEAR(by_name(o.r, B, "name", "m1", "instance_cost_usd"), 0.01);
  /* the tenant pays both members' instances and m1's fee */
  NEAR(by_name(o.r, T, "tenant", "shop", "transfer_gb"), gb);
  NEAR(by_name(o.r, T, "tenant", "shop", "transfer_cost_usd"), fee);
  NEAR(by_name(o.r, T, "tenant", "shop", "cost_usd"), 0.02 + fee);
  /* the service: its crossing bytes and their cost, in its cost and in its timeline's last row */
  NEAR(by_name(o.r, S, "service", "web", "cross_zone_gb"), gb);
  NEAR(by_name(o.r, S, "service", "web", "cross_zone_cost_usd"), fee);
  NEAR(by_name(o.r, S, "service", "web", "cost_usd"), 0.02 + fee);
  size_t rows = 0;
  CU_ASSERT_EQUAL_FATAL(sim_result_table_rows(o.r, "services/timeline", &rows), 0);
  CU_ASSERT_EQUAL_FATAL(rows, 2); /* at 5 and 10 s */
  NEAR(fx_col(o.r, "services/timeline", "cost_usd", 1), 0.02 + fee); /* every request completed by then */
  double early = fx_col(o.r, "services/timeline", "cost_usd", 0); /* 0.01 of instances, a half of the fee */
  CU_ASSERT(early > 0.01 + 0.4 * fee && early < 0.01 + 0.6 * fee);
  fx_run_close(&o);
}

/* Every host in the balancer's zone, or a balancer in no zone: no fee. */
static void test_no_cross(void) {
  const char *service_zones[] = {"zone: us-east-1b, inter_zone_per_gb: 0.01", "streams: web"};
  const char *zone0[] = {"us-east-1b", "us-east-1a"};
  for (int k = 0; k < 2; k++) {
    fx_run o;
    CU_ASSERT_EQUAL_FATAL(run_variant("vdcsim-test-zones-none", zone0[k], service_zones[k], &o), 0);
    const char *B = "summary/billing";
    CU_ASSERT(by_name(o.r, "summary/requests", "name", "m1", "completed") > 400);
    CU_ASSERT_EQUAL(by_name(o.r, B, "name", "m0", "transfer_gb"), 0);
    CU_ASSERT_EQUAL(by_name(o.r, B, "name", "m1", "transfer_gb"), 0);
    CU_ASSERT_EQUAL(by_name(o.r, "summary/tenants", "tenant", "shop", "transfer_cost_usd"), 0);
    CU_ASSERT_EQUAL(by_name(o.r, "summary/services", "service", "web", "cross_zone_cost_usd"), 0);
    NEAR(by_name(o.r, "summary/tenants", "tenant", "shop", "cost_usd"), 0.02);
    fx_run_close(&o);
  }
}

/* The keys as loaded, and through the resolved text. */
static void test_loader(void) {
  char msg[512];
  int line = 0, col = 0;
  char *text = variant("us-east-1a", "zone: us-east-1a, inter_zone_per_gb: 0.01");
  CU_ASSERT_PTR_NOT_NULL_FATAL(text);
  sim_scenario *s = fx_load_text("zones.yaml", text, msg, sizeof msg, &line, &col);
  sim_free(text);
  if (!s) fprintf(stderr, "%s\n", msg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_EQUAL_FATAL(s->n_hosts, 2);
  CU_ASSERT_STRING_EQUAL(s->hosts[0].zone, "us-east-1a");
  CU_ASSERT_STRING_EQUAL(s->hosts[1].zone, "us-east-1b");
  CU_ASSERT_STRING_EQUAL(s->services[0].zone, "us-east-1a");
  NEAR(s->services[0].inter_zone_per_gb, PRICE_PER_GB);
  CU_ASSERT_PTR_NOT_NULL(strstr(s->resolved_text, "inter_zone_per_gb: 0.01"));
  sim_scenario_free(s);
  /* no zone: none, and no price */
  text = variant("us-east-1a", "streams: web");
  s = fx_load_text("zones.yaml", text, msg, sizeof msg, &line, &col);
  sim_free(text);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  CU_ASSERT_STRING_EQUAL(s->services[0].zone, "");
  CU_ASSERT_EQUAL(s->services[0].inter_zone_per_gb, 0);
  sim_scenario_free(s);
  /* a negative price, and a zone no host is in, are refused where they are written */
  text = variant("us-east-1a", "zone: us-east-1a, inter_zone_per_gb: -0.01");
  s = fx_load_text("zones.yaml", text, msg, sizeof msg, &line, &col);
  sim_free(text);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_EQUAL(line, 23);
  text = variant("us-east-1a", "zone: us-east-1c");
  s = fx_load_text("zones.yaml", text, msg, sizeof msg, &line, &col);
  sim_free(text);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_PTR_NOT_NULL(strstr(msg, "no host is in that zone"));
}

int register_tests(void) {
  static const test_case tests[] = {{"half the requests cross: bytes x price, to the tenant", test_half_cross},
                                    {"none cross: one zone, or a balancer in none", test_no_cross},
                                    {"zone keys: loaded, resolved, refused", test_loader},
                                    {NULL, NULL}};
  return add_suite("zones", tests);
}
