/* tests/test_requests.c: the engine's request mode (models/engine_requests.c).
 * Scenarios are built in memory and run on the fake technique of
 * tests/fixtures.h (instructions x CPI cycles a request, FX_SWITCH_CYCLES
 * for the first dispatch onto a pCPU) at 1 GHz, so one cycle is one ns and
 * with deterministic arrivals and demand every response time below follows
 * by hand: queueing behind the vCPU, c vCPUs serving one FIFO queue, closed
 * loops with think times.  Drawn demand: the same seed gives the same
 * request table, another seed another one.  Results are read back from the
 * HDF5 file, as validation and plots read them.  The loader's `requests`
 * section: what it builds, and what it refuses. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/engine.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/results.h"
#include "sim/scenario_internal.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"
#include "tests/test_data.h"

typedef struct req_world {
  sim_scenario sc;
  sim_host_type type;
  sim_host host;
  sim_workload wl;
  sim_phase phase;       /* the mean request */
  sim_requests rq;
  sim_request_draw draw; /* instructions, when drawn */
  sim_guest guest;
  int32_t pins[4];
} req_world;

/* A host of `cores` cores at 1 GHz and one guest of `vcpus` pinned vCPUs
 * serving `count` requests of `service_ns` of CPU each. */
static void world_init(req_world *w, uint32_t cores, uint32_t vcpus, double count, double service_ns) {
  memset(w, 0, sizeof *w);
  w->type = (sim_host_type){.name = "t", .cores = cores, .clock_hz = 1e9, .scheduler = "rr"};
  w->host = (sim_host){.name = "h0", .type = 0};
  w->phase = (sim_phase){.name = "request", .units = 1, .instructions = service_ns,
                         .cycles_per_instruction = 1.0, .cpu_demand = 1.0};
  w->rq = (sim_requests){.count = count, .process = SIM_ARRIVALS_DETERMINISTIC, .rate_per_s = 1000};
  w->wl = (sim_workload){.name = "svc", .n_phases = 1, .phases = &w->phase, .requests = &w->rq};
  for (uint32_t i = 0; i < vcpus; i++) w->pins[i] = (int32_t)i;
  w->guest = (sim_guest){.name = "g", .kind = SIM_GUEST_VM, .technique = "fake", .host = 0,
                         .vcpus = vcpus, .weight = 256, .workload = 0, .pinning = w->pins};
  w->sc = (sim_scenario){.path = "test.yaml", .name = "test", .seed = 1, .n_host_types = 1,
                         .host_types = &w->type, .n_hosts = 1, .hosts = &w->host, .n_workloads = 1,
                         .workloads = &w->wl, .n_guests = 1, .guests = &w->guest,
                         .record = {.request_latencies = true}};
}

typedef struct run_out {
  char path[256];
  sim_result *r;
} run_out;

static int run_world(req_world *w, run_out *o) {
  sim_record_config cfg = {10 * SIM_MS, 0, 0, NULL, 0, 0};
  sim_recorder *rec = sim_recorder_new(&cfg);
  CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
  sim_diag d;
  sim_diag_init(&d);
  engine_options opt = {.find_model = fx_find_model};
  sim_profile *prof = fx_fake_profile();
  int rc = engine_run(&w->sc, prof, rec, &opt, NULL, &d);
  sim_profile_free(prof);
  if (rc == 0) {
    const char *tmp = getenv("TMPDIR");
    snprintf(o->path, sizeof o->path, "%s/test_requests_%ld.h5", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    rc = sim_recorder_write(rec, o->path, &d);
  }
  if (rc == 0) rc = sim_result_open(o->path, &o->r, &d);
  if (rc != 0) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  sim_recorder_free(rec);
  return rc;
}

static void run_close(run_out *o) {
  sim_result_close(o->r);
  remove(o->path);
}

/* The response times (ns) of requests/latency, in row order; *n rows. */
static double *responses(run_out *o, size_t *n) {
  double *v = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_result_column_f64(o->r, "requests/latency", "response_ns", &v, n), 0);
  return v;
}

static double summary(run_out *o, const char *column) { return fx_col(o->r, "summary/requests", column, 0); }

/* One vCPU, arrivals every 1 ms (the first 1 ms after the start), service
 * 1.5 ms: request k waits for k-1 before it, response (1.5 + 0.5 k) ms, plus
 * the first dispatch's switch for every request behind the first. */
static void test_queue_behind_one_vcpu(void) {
  req_world w;
  world_init(&w, 1, 1, 4, 1.5e6);
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o), 0);
  size_t n;
  double *r = responses(&o, &n);
  CU_ASSERT_EQUAL_FATAL(n, 4);
  for (size_t k = 0; k < 4; k++) CU_ASSERT_DOUBLE_EQUAL(r[k], 1.5e6 + 0.5e6 * (double)k + FX_SWITCH_CYCLES, 0);
  sim_free(r);
  double *arr = NULL, *start = NULL;
  CU_ASSERT_EQUAL(sim_result_column_f64(o.r, "requests/latency", "arrival_ns", &arr, &n), 0);
  CU_ASSERT_EQUAL(sim_result_column_f64(o.r, "requests/latency", "start_ns", &start, &n), 0);
  for (size_t k = 0; k < 4; k++) CU_ASSERT_DOUBLE_EQUAL(arr[k], 1e6 * (double)(k + 1), 0);
  CU_ASSERT_DOUBLE_EQUAL(start[0], 1e6, 0);
  CU_ASSERT_DOUBLE_EQUAL(start[1], 2.5e6 + FX_SWITCH_CYCLES, 0); /* when request 0 completed */
  sim_free(arr);
  sim_free(start);
  /* the guest completes with its last request: 1 ms + switch + 4 x 1.5 ms */
  double T = 7e6 + FX_SWITCH_CYCLES;
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "elapsed_s"), T * 1e-9, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "mean_response_s"), (2.25e6 + FX_SWITCH_CYCLES) * 1e-9, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "mean_wait_s"), (0.75e6 + 0.75 * FX_SWITCH_CYCLES) * 1e-9, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "p50_s"), (2e6 + FX_SWITCH_CYCLES) * 1e-9, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "p99_s"), (3e6 + FX_SWITCH_CYCLES) * 1e-9, 1e-15);
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "throughput_per_s"), 4 / (T * 1e-9), 1e-9);
  /* Little: every request completed, so L = lambda W exactly */
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "mean_in_system"), 4 * (2.25e6 + FX_SWITCH_CYCLES) / T, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "little_error"), 0, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(fx_col(o.r, "summary/guests", "units", 0), 4, 1e-12);
  run_close(&o);
}

/* Two vCPUs on two cores: the same load never queues; the first request on
 * each pCPU pays its switch. */
static void test_two_vcpus_share_one_queue(void) {
  req_world w;
  world_init(&w, 2, 2, 4, 1.5e6);
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o), 0);
  size_t n;
  double *r = responses(&o, &n);
  CU_ASSERT_EQUAL_FATAL(n, 4);
  CU_ASSERT_DOUBLE_EQUAL(r[0], 1.5e6 + FX_SWITCH_CYCLES, 0);
  CU_ASSERT_DOUBLE_EQUAL(r[1], 1.5e6 + FX_SWITCH_CYCLES, 0);
  CU_ASSERT_DOUBLE_EQUAL(r[2], 1.5e6, 0);
  CU_ASSERT_DOUBLE_EQUAL(r[3], 1.5e6, 0);
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "mean_wait_s"), 0, 0);
  sim_free(r);
  run_close(&o);
}

/* Closed loop: one client thinking 1 ms, service 1 ms: it issues at 1 ms,
 * 3 ms + switch and 5 ms + switch; each response is 1 ms (+ the switch). */
static void test_closed_loop(void) {
  req_world w;
  world_init(&w, 1, 1, 3, 1e6);
  w.rq.process = SIM_ARRIVALS_CLOSED;
  w.rq.clients = 1;
  w.rq.think = sim_dist_constant(SIM_UNIT_TIME, 1e6);
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o), 0);
  size_t n;
  double *arr = NULL;
  CU_ASSERT_EQUAL(sim_result_column_f64(o.r, "requests/latency", "arrival_ns", &arr, &n), 0);
  CU_ASSERT_EQUAL_FATAL(n, 3);
  CU_ASSERT_DOUBLE_EQUAL(arr[0], 1e6, 0);
  CU_ASSERT_DOUBLE_EQUAL(arr[1], 3e6 + FX_SWITCH_CYCLES, 0);
  CU_ASSERT_DOUBLE_EQUAL(arr[2], 5e6 + FX_SWITCH_CYCLES, 0);
  sim_free(arr);
  double *r = responses(&o, &n);
  CU_ASSERT_DOUBLE_EQUAL(r[0], 1e6 + FX_SWITCH_CYCLES, 0);
  CU_ASSERT_DOUBLE_EQUAL(r[2], 1e6, 0);
  sim_free(r);
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "elapsed_s"), (6e6 + FX_SWITCH_CYCLES) * 1e-9, 1e-15);
  run_close(&o);
}

/* A run with a duration stops arrivals at its end; requests still in the
 * guest count in L but not in W. */
static void test_duration_cuts_arrivals(void) {
  req_world w;
  world_init(&w, 1, 1, 0, 1.5e6);
  w.sc.duration_ns = 10 * SIM_MS;
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o), 0);
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "arrivals"), 10, 0); /* at 1, 2, ..., 10 ms */
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "completed"), 5, 0); /* done at 2.5 + 1.5 k ms + switch, k < 5 */
  /* in the guest at the end: 5 requests for 4, 3, 2, 1 and 0 ms; done ones
   * (1.5 + 0.5 k) ms + switch each */
  double S = FX_SWITCH_CYCLES * 1e-6; /* ms */
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "mean_in_system"), (22.5 + 5 * S) / 10, 1e-12);
  CU_ASSERT_DOUBLE_EQUAL(summary(&o, "little_lambda_w"), 2.5 + S, 1e-12);
  run_close(&o);
}

/* An endless request stream without a duration is refused. */
static void test_endless_refused(void) {
  req_world w;
  world_init(&w, 1, 1, 0, 1e6);
  sim_record_config cfg = {10 * SIM_MS, 0, 0, NULL, 0, 0};
  sim_recorder *rec = sim_recorder_new(&cfg);
  sim_diag d;
  sim_diag_init(&d);
  engine_options opt = {.find_model = fx_find_model};
  sim_profile *prof = fx_fake_profile();
  CU_ASSERT(engine_run(&w.sc, prof, rec, &opt, NULL, &d) < 0);
  CU_ASSERT(d.errors >= 1);
  sim_profile_free(prof);
  sim_diag_clear(&d);
  sim_recorder_free(rec);
}

/* Poisson arrivals and exponential demand: `seed`'s response times. */
static double *random_run(uint64_t seed, size_t *n) {
  req_world w;
  world_init(&w, 1, 1, 500, 0.5e6);
  w.rq.process = SIM_ARRIVALS_POISSON;
  w.sc.seed = seed;
  w.draw = (sim_request_draw){.offset = offsetof(sim_phase, instructions),
                              .dist = {.family = SIM_DIST_EXPONENTIAL, .kind = SIM_UNIT_NONE, .a = 0.5e6}};
  w.rq.n_draws = 1;
  w.rq.draws = &w.draw;
  run_out o;
  CU_ASSERT_EQUAL_FATAL(run_world(&w, &o), 0);
  double *r = responses(&o, n);
  run_close(&o);
  return r;
}

static void test_seed_reproduces(void) {
  size_t n1, n2, n3;
  double *a = random_run(7, &n1), *b = random_run(7, &n2), *c = random_run(8, &n3);
  CU_ASSERT_EQUAL_FATAL(n1, 500);
  CU_ASSERT_EQUAL_FATAL(n2, 500);
  CU_ASSERT_EQUAL_FATAL(n3, 500);
  CU_ASSERT_EQUAL(memcmp(a, b, n1 * sizeof *a), 0);
  size_t differ = 0;
  for (size_t k = 0; k < n1; k++) differ += a[k] != c[k];
  CU_ASSERT(differ > 400);
  /* drawn demand: response times vary */
  double lo = INFINITY, hi = 0;
  for (size_t k = 0; k < n1; k++) {
    lo = fmin(lo, a[k]);
    hi = fmax(hi, a[k]);
  }
  CU_ASSERT(hi > 5 * lo);
  sim_free(a);
  sim_free(b);
  sim_free(c);
}

/* ---- the loader's requests section ---- */

#define SCENARIO_HEAD                                                              \
  "name: t\nsimulation: {duration: 1 s}\ncalibration: generic-x86-2020\n"         \
  "host_types: {x: {cores: 2, clock: 1 GHz, memory: 4 GiB, scheduler: rr,"         \
  " nics: [{bandwidth: 1 Gbit/s}],"                                                \
  " disks: [{iops: 20000, bandwidth: 500 MB/s, latency: 100 us}]}}\n"              \
  "hosts: [{name: h, type: x}]\n"                                                 \
  "guests: [{name: g, technique: native, memory: 1 GiB, host: h, workload: w}]\n"

/* Loads SCENARIO_HEAD + `workload` (the text of workload w); *diag keeps errors. */
static sim_scenario *load(const char *workload, sim_diag *diag) {
  char text[4096];
  snprintf(text, sizeof text, SCENARIO_HEAD "workloads:\n  w:\n%s", workload);
  sim_scenario *s = NULL;
  sim_diag_init(diag);
  sim_scenario_load_text("t.yaml", text, strlen(text), test_vocabulary(), NULL, 0, &s, diag);
  return s;
}

static void free_scenario(sim_scenario *s) {
  for (size_t i = 0; s && i < s->n_workloads; i++) {
    scenario_free_requests(s->workloads[i].requests);
    s->workloads[i].requests = NULL;
  }
  sim_scenario_free(s);
}

static void test_loader_builds_requests(void) {
  sim_diag d;
  sim_scenario *s = load("    requests:\n"
                         "      count: 10\n"
                         "      ops:\n"
                         "        instructions: {dist: exponential, mean: 2M}\n"
                         "        syscalls: 7\n"
                         "        net: {messages: 1, tx: {dist: uniform, min: 1 KiB, max: 3 KiB}, rx: 100 B}\n"
                         "      arrivals: {process: mmpp2, rates: [100/s, 2 kHz], mean_sojourn: [1 s, 10 ms]}\n",
                         &d);
  if (!s) sim_diag_print(&d, stderr);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  const sim_workload *w = &s->workloads[0];
  CU_ASSERT_PTR_NOT_NULL_FATAL(w->requests);
  const sim_requests *rq = w->requests;
  CU_ASSERT_EQUAL(rq->count, 10);
  CU_ASSERT_EQUAL(rq->process, SIM_ARRIVALS_MMPP2);
  CU_ASSERT_DOUBLE_EQUAL(rq->mmpp_rate_per_s[1], 2000, 1e-9);
  CU_ASSERT_EQUAL(rq->mmpp_sojourn_ns[1], 10 * SIM_MS);
  /* the mean request is the workload's one phase; constants are not drawn */
  CU_ASSERT_EQUAL_FATAL(w->n_phases, 1);
  CU_ASSERT_DOUBLE_EQUAL(w->phases[0].instructions, 2e6, 1e-6);
  CU_ASSERT_DOUBLE_EQUAL(w->phases[0].syscalls, 7, 0);
  CU_ASSERT_EQUAL(w->phases[0].net_tx_bytes, 2048);
  CU_ASSERT_EQUAL(w->phases[0].units, 1);
  CU_ASSERT_EQUAL_FATAL(rq->n_draws, 2);
  CU_ASSERT_EQUAL(rq->draws[0].offset, offsetof(sim_phase, instructions));
  CU_ASSERT_EQUAL(rq->draws[1].offset, offsetof(sim_phase, net_tx_bytes));
  CU_ASSERT_TRUE(rq->draws[1].u64 && rq->draws[1].whole);
  free_scenario(s);
  sim_diag_clear(&d);
}

/* Each bad requests section: refused, the first message containing `says`. */
static void refused(const char *workload, const char *says) {
  sim_diag d;
  sim_scenario *s = load(workload, &d);
  CU_ASSERT_PTR_NULL(s);
  CU_ASSERT_TRUE_FATAL(d.count >= 1);
  CU_ASSERT(d.entries[0].line > 0);
  if (!strstr(d.entries[0].message, says))
    fprintf(stderr, "\nmessage '%s' lacks '%s'\n", d.entries[0].message, says);
  CU_ASSERT_PTR_NOT_NULL(strstr(d.entries[0].message, says));
  free_scenario(s);
  sim_diag_clear(&d);
}

static void test_loader_refuses(void) {
  refused("    requests: {ops: {instructions: 1}}\n", "exactly one of 'arrivals'");
  refused("    requests: {ops: {instructions: 1}, arrivals: {process: poisson, rate: 1/s}, clients: {count: 1}}\n",
          "exactly one of 'arrivals'");
  refused("    requests: {ops: {instructions: 1}, arrivals: {process: posson, rate: 1/s}}\n", "poisson");
  refused("    requests: {ops: {instructions: 1}, arrivals: {process: poisson}}\n", "'rate'");
  refused("    requests: {ops: {instructions: 1}, arrivals: {process: poisson, rate: 0/s}}\n", "greater than 0");
  refused("    requests: {ops: {instructions: 1}, arrivals: {process: poisson, rate: 5 GiB}}\n", "2000/s");
  refused("    requests: {ops: {instructions: 1}, arrivals: {process: mmpp2, rates: [1/s], mean_sojourn: [1 s, 1 s]}}\n",
          "found 1 values");
  refused("    requests: {ops: {instructions: 1}, arrivals: {process: trace, file: /nonexistent}}\n", "cannot be read");
  refused("    requests: {ops: {instructions: 1}, clients: {count: 0}}\n", "'count'");
  refused("    requests: {ops: {instrucions: 1}, clients: {count: 1}}\n", "instructions");
  refused("    requests: {ops: {instructions: 1}, clients: {count: 1}, rate: 3}\n", "'rate'");
  refused("    requests: {ops: {net: {messages: 1, tx: 1 KiB}}, clients: {count: 1}}\n", "'rx'");
  refused("    requests: {count: 2.5, ops: {instructions: 1}, clients: {count: 1}}\n", "whole number");
  refused("    requests: {ops: {instructions: 1}, clients: {count: 1}}\n"
          "    phases: [{units: 1}]\n",
          "takes no 'phases'");
}

/* The requests section written for the resolved text reads back the same. */
static void roundtrip(const char *workload) {
  sim_diag d;
  sim_scenario *s = load(workload, &d);
  if (!s) sim_diag_print(&d, stderr);
  CU_ASSERT_PTR_NOT_NULL_FATAL(s);
  sim_yaml_writer *w = sim_yaml_writer_new();
  CU_ASSERT_PTR_NOT_NULL_FATAL(w);
  sim_yaml_write_map_start(w, false);
  sim_yaml_write_scalar(w, "workloads");
  sim_yaml_write_map_start(w, false);
  sim_yaml_write_scalar(w, "w");
  sim_yaml_write_map_start(w, false);
  scenario_write_requests(w, &s->workloads[0]);
  sim_yaml_write_map_end(w);
  sim_yaml_write_map_end(w);
  sim_yaml_write_map_end(w);
  char *text = NULL;
  CU_ASSERT_EQUAL_FATAL(sim_yaml_writer_finish(w, &text), 0);
  sim_yaml_writer_free(w);
  char full[8192];
  snprintf(full, sizeof full, SCENARIO_HEAD "%s", text);
  sim_free(text);
  sim_scenario *t = NULL;
  sim_diag d2;
  sim_diag_init(&d2);
  sim_scenario_load_text("r.yaml", full, strlen(full), test_vocabulary(), NULL, 0, &t, &d2);
  if (!t) {
    sim_diag_print(&d2, stderr);
    fprintf(stderr, "%s\n", full);
  }
  CU_ASSERT_PTR_NOT_NULL_FATAL(t);
  const sim_requests *a = s->workloads[0].requests, *b = t->workloads[0].requests;
  CU_ASSERT_PTR_NOT_NULL_FATAL(b);
  CU_ASSERT_EQUAL(a->count, b->count);
  CU_ASSERT_EQUAL(a->process, b->process);
  CU_ASSERT_EQUAL(a->rate_per_s, b->rate_per_s);
  CU_ASSERT_EQUAL(a->mmpp_rate_per_s[1], b->mmpp_rate_per_s[1]);
  CU_ASSERT_EQUAL(a->mmpp_sojourn_ns[0], b->mmpp_sojourn_ns[0]);
  CU_ASSERT_EQUAL(a->clients, b->clients);
  CU_ASSERT_EQUAL(a->think.family, b->think.family);
  CU_ASSERT_EQUAL(a->think.a, b->think.a);
  CU_ASSERT_EQUAL_FATAL(a->n_draws, b->n_draws);
  for (size_t i = 0; i < a->n_draws; i++) {
    const sim_dist *x = &a->draws[i].dist, *y = &b->draws[i].dist;
    CU_ASSERT_EQUAL(a->draws[i].offset, b->draws[i].offset);
    CU_ASSERT_EQUAL(x->family, y->family);
    CU_ASSERT_DOUBLE_EQUAL(x->a, y->a, 1e-12 * fabs(x->a));
    CU_ASSERT_DOUBLE_EQUAL(x->b, y->b, 1e-12 * fabs(x->b));
    CU_ASSERT_EQUAL(x->c, y->c);
    CU_ASSERT_EQUAL_FATAL(x->n, y->n);
    for (size_t k = 0; k < x->n; k++) CU_ASSERT_EQUAL(x->values[k], y->values[k]);
  }
  const sim_phase *p = &s->workloads[0].phases[0], *q = &t->workloads[0].phases[0];
  CU_ASSERT_DOUBLE_EQUAL(p->instructions, q->instructions, 1e-9 * p->instructions);
  CU_ASSERT_EQUAL(p->syscalls, q->syscalls);
  CU_ASSERT_EQUAL(p->cycles_per_instruction, q->cycles_per_instruction);
  CU_ASSERT_EQUAL(p->net_rx_bytes, q->net_rx_bytes);
  CU_ASSERT_EQUAL(p->disk_request_bytes, q->disk_request_bytes);
  CU_ASSERT_EQUAL(p->n_access, q->n_access);
  free_scenario(s);
  free_scenario(t);
  sim_diag_clear(&d);
  sim_diag_clear(&d2);
}

static void test_resolved_roundtrip(void) {
  roundtrip("    requests:\n"
            "      count: 10\n"
            "      ops:\n"
            "        instructions: {dist: lognormal, mean: 2M, sd: 1M}\n"
            "        cpi: 1.3\n"
            "        syscalls: {dist: gamma, shape: 2, mean: 10}\n"
            "        page_faults: {dist: empirical, cdf: [[0, 0], [3, 0.5], [9, 1]]}\n"
            "        memory: [{count: 100, working_set: 1 MiB}]\n"
            "        disk: {reads: {dist: weibull, shape: 1.5, scale: 2}, request_size: {dist: pareto, alpha: 2.5, min: 4 KiB}}\n"
            "        net: {messages: 1, tx: {dist: normal, mean: 2 KiB, sd: 1 KiB, min: 100 B}, rx: {dist: uniform, min: 1 B, max: 9 KiB}}\n"
            "      arrivals: {process: mmpp2, rates: [100/s, 2 kHz], mean_sojourn: [1 s, 10 ms]}\n");
  roundtrip("    requests:\n"
            "      ops: {instructions: {dist: exponential, mean: 1M}}\n"
            "      clients: {count: 7, think: {dist: exponential, mean: 3 ms}}\n");
  roundtrip("    requests:\n"
            "      ops: {instructions: 5k}\n"
            "      arrivals: {process: deterministic, rate: 1/3 ms}\n");
}

int register_tests(void) {
  static const test_case tests[] = {
      {"requests queue behind one vCPU", test_queue_behind_one_vcpu},
      {"two vCPUs serve one queue", test_two_vcpus_share_one_queue},
      {"closed loop with think time", test_closed_loop},
      {"a duration cuts arrivals", test_duration_cuts_arrivals},
      {"an endless stream is refused", test_endless_refused},
      {"a seed reproduces its requests", test_seed_reproduces},
      {"the loader builds requests", test_loader_builds_requests},
      {"the loader refuses bad requests", test_loader_refuses},
      {"the resolved requests read back the same", test_resolved_roundtrip},
      {NULL, NULL}};
  return add_suite("requests", tests);
}
