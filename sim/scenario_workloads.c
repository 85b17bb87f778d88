/* sim/scenario_workloads.c: the `workloads` section and workload resolution
 * (scenarios/SCHEMA.md "workloads"): phases and their operation mix per unit
 * of work (the op-mix keys come from sim/opmix.def), workload files, shipped
 * workloads found by name, and CPU-utilisation traces, read here
 * (sim/trace.h) so that a bad trace is an error of `check`, not of a run;
 * request-driven workloads (`requests`: an operation mix drawn per request
 * from distributions, sim/dist.h, and how requests arrive), whose mean
 * request becomes the workload's one phase (units 1), so that every model
 * that looks at a workload's phases sees what its requests do on average.
 * A phase's dirty page groups may count their pages as a random process
 * (`process: poisson`, models/dirty.h). */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/profile.h"
#include "sim/scenario_internal.h"
#include "sim/suggest.h"

const char *const scenario_access_patterns[3] = {"sequential", "strided", "random"};
static const sim_schema_names pattern_list = {scenario_access_patterns, 3, "access pattern"};

/* The memory access streams of a phase; `of` names the phase. */
static void load_access(ctx *C, const sim_yaml_node *mem, const char *of, sim_phase *ph) {
  ph->access = sim_calloc(mem->n, sizeof *ph->access);
  if (!ph->access) { sim_schema_nomem(&C->S); return; }
  ph->n_access = mem->n;
  for (size_t i = 0; i < mem->n; i++) {
    const sim_yaml_node *m = mem->items[i];
    sim_access_spec *a = &ph->access[i];
    a->pattern = SIM_ACCESS_RANDOM;
    a->stride_bytes = 64;
    a->page_bytes = 4096;
    sim_schema_set_what(&C->S, "memory stream %zu of %.200s", i, of);
    if (!sim_schema_is_map(&C->S, m, "a memory access stream")) continue;
    static const char *const keys[] = {"count", "working_set", "pattern", "stride", "page_size", "write_fraction"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
    sim_schema_count(&C->S, m, "count", &a->count);
    if (sim_schema_need(&C->S, m, "working_set")) sim_schema_size(&C->S, m, "working_set", &a->working_set_bytes, 1);
    size_t p;
    if (sim_schema_enum(&C->S, m, "pattern", &pattern_list, &p)) a->pattern = (sim_access_pattern)p;
    sim_schema_size(&C->S, m, "stride", &a->stride_bytes, 1);
    sim_schema_size(&C->S, m, "page_size", &a->page_bytes, 1);
    if (a->page_bytes != 4096 && a->page_bytes != 2097152)
      sim_schema_error(&C->S, sim_schema_opt(m, "page_size"), "'page_size' in %s must be 4 KiB or 2 MiB", C->S.what);
    sim_schema_real(&C->S, m, "write_fraction", &a->write_fraction, SIM_UNIT_PERCENT, 0, 1);
  }
}

/* Disk requests and network exchanges per unit; `of` names the phase. */
static void load_io(ctx *C, const sim_yaml_node *ops, const char *of, sim_phase *ph) {
  const sim_yaml_node *disk = sim_schema_opt(ops, "disk");
  ph->disk_request_bytes = 4096;
  ph->disk_random = true;
  if (disk && sim_schema_is_map(&C->S, disk, "disk requests {reads, writes, request_size, random}")) {
    sim_schema_set_what(&C->S, "disk requests of %.200s", of);
    static const char *const dkeys[] = {"reads", "writes", "request_size", "random"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, disk, dkeys);
    sim_schema_count(&C->S, disk, "reads", &ph->disk_reads);
    sim_schema_count(&C->S, disk, "writes", &ph->disk_writes);
    sim_schema_size(&C->S, disk, "request_size", &ph->disk_request_bytes, 1);
    sim_schema_bool(&C->S, disk, "random", &ph->disk_random);
  }
  const sim_yaml_node *net = sim_schema_opt(ops, "net");
  if (net && sim_schema_is_map(&C->S, net, "network exchanges {messages, tx, rx}")) {
    sim_schema_set_what(&C->S, "network exchanges of %.200s", of);
    static const char *const nkeys[] = {"messages", "tx", "rx"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, net, nkeys);
    sim_schema_count(&C->S, net, "messages", &ph->net_messages);
    sim_schema_size(&C->S, net, "tx", &ph->net_tx_bytes, 0);
    sim_schema_size(&C->S, net, "rx", &ph->net_rx_bytes, 0);
  }
}

/* How each kind of sim/opmix.def line is read. */
#define OPMIX_COUNT(key, field) sim_schema_count(&C->S, ops, key, &ph->field)
#define OPMIX_CPI(key, field) sim_schema_real(&C->S, ops, key, &ph->field, SIM_UNIT_NONE, 1e-6, 1e6)
#define OPMIX_BYTES(key, field) sim_schema_bytes(&C->S, ops, key, &ph->field)

/* The operation mix of a phase (`ops`): the keys of sim/opmix.def, then
 * memory streams, disk and network. */
static void load_ops(ctx *C, const sim_yaml_node *ops, sim_phase *ph) {
  static const char *const keys[] = {
#define SIM_OPMIX(key, field, parse, dflt, unit, doc) #key,
#include "sim/opmix.def"
#undef SIM_OPMIX
      "memory", "disk", "net"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, ops, keys);
#define SIM_OPMIX(key, field, parse, dflt, unit, doc) OPMIX_##parse(#key, field);
#include "sim/opmix.def"
#undef SIM_OPMIX
  char saved[sizeof C->S.what];
  memcpy(saved, C->S.what, sizeof saved);
  const sim_yaml_node *mem = sim_schema_opt(ops, "memory");
  if (mem && sim_schema_is_seq(&C->S, mem, "a list of memory access streams")) load_access(C, mem, saved, ph);
  if (!C->S.oom) load_io(C, ops, saved, ph);
  memcpy(C->S.what, saved, sizeof saved);
}

/* A dirty group's `process`, by sim_dirty_process: "expected" counts the
 * expected distinct pages (the default), "poisson" draws them
 * (models/dirty.h). */
static const char *const dirty_processes[] = {"expected", "poisson"};
static const sim_schema_names dirty_process_list = {dirty_processes, 2, "dirty-page process"};

/* What a dirty group's rate follows: nothing (the default: the rate holds
 * whatever the guest's load) or the utilisation of its trace
 * (models/dirty.h "utilisation"). */
static const char *const dirty_follows[] = {"nothing", "utilisation"};
static const sim_schema_names dirty_follows_list = {dirty_follows, 2, "dirty-rate 'follows' value"};

static void load_dirty(ctx *C, const sim_yaml_node *dirty, sim_phase *f) {
  f->dirty = sim_calloc(dirty->n, sizeof *f->dirty);
  if (!f->dirty) { sim_schema_nomem(&C->S); return; }
  f->n_dirty = dirty->n;
  for (size_t d = 0; d < dirty->n; d++) {
    const sim_yaml_node *g = dirty->items[d];
    if (!sim_schema_is_map(&C->S, g, "a dirty page group {pages, rate}")) continue;
    static const char *const keys[] = {"pages", "rate", "process", "follows"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, g, keys);
    double pages = 0;
    if (sim_schema_need(&C->S, g, "pages")) sim_schema_real(&C->S, g, "pages", &pages, SIM_UNIT_NONE, 0, 1e15);
    f->dirty[d].pages = (uint64_t)pages;
    if (sim_schema_need(&C->S, g, "rate"))
      sim_schema_real(&C->S, g, "rate", &f->dirty[d].rate_hz, SIM_UNIT_FREQ, 0, 1e12);
    size_t process;
    if (sim_schema_opt(g, "process") && sim_schema_enum(&C->S, g, "process", &dirty_process_list, &process))
      f->dirty[d].process = (sim_dirty_process)process;
    size_t follows;
    if (sim_schema_opt(g, "follows") && sim_schema_enum(&C->S, g, "follows", &dirty_follows_list, &follows))
      f->dirty[d].follows_utilisation = follows == 1;
  }
}

/* A phase's `units` or `duration`: a scalar as always, or a distribution of
 * the length, drawn each time the phase starts, whose mean stands for the
 * length wherever one value is needed (estimates, checks). */
static void load_length(ctx *C, const sim_yaml_node *p, sim_phase *f) {
  const sim_yaml_node *units = sim_schema_opt(p, "units"), *duration = sim_schema_opt(p, "duration");
  if (units && units->kind == SIM_YAML_MAP) {
    if (sim_dist_parse(&C->S, p, "units", SIM_UNIT_NONE, C->dir, &f->length)) f->units = sim_dist_mean(&f->length);
  } else {
    sim_schema_count(&C->S, p, "units", &f->units);
  }
  if (duration && duration->kind == SIM_YAML_MAP) {
    sim_dist length;
    if (sim_dist_parse(&C->S, p, "duration", SIM_UNIT_TIME, C->dir, &length)) {
      double mean = sim_dist_mean(&length);
      f->duration_ns = mean >= 9e18 ? SIM_TIME_MAX : (sim_time)llround(mean);
      /* with units given too, the phase is an error (load_phase) */
      if (f->units > 0)
        sim_dist_free(&length);
      else
        f->length = length;
    }
  } else {
    sim_schema_time(&C->S, p, "duration", &f->duration_ns, 0);
  }
}

/* Phase i of a workload (`of`), from p into f. */
static void load_phase(ctx *C, const sim_yaml_node *p, size_t i, const char *of, sim_phase *f) {
#define SIM_OPMIX(key, field, parse, dflt, unit, doc) f->field = dflt;
#include "sim/opmix.def"
#undef SIM_OPMIX
  f->cpu_demand = 1;
  f->disk_request_bytes = 4096;
  f->disk_random = true;
  char dflt[32];
  snprintf(dflt, sizeof dflt, "phase%zu", i);
  f->name = sim_schema_strdup(&C->S, dflt);
  sim_schema_set_what(&C->S, "phase %zu of %.200s", i, of);
  if (!sim_schema_is_map(&C->S, p, "a phase")) return;
  static const char *const keys[] = {"name", "units", "duration", "cpu_demand", "io_window", "ops", "dirty"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, p, keys);
  sim_schema_str(&C->S, p, "name", &f->name);
  sim_schema_set_what(&C->S, "phase '%.100s' of %.200s", f->name ? f->name : "?", of);
  load_length(C, p, f);
  if ((f->units > 0) == (f->duration_ns > 0) && !C->S.oom)
    sim_schema_error(&C->S, p, "%s needs exactly one of 'units' and 'duration' greater than 0", C->S.what);
  sim_schema_real(&C->S, p, "cpu_demand", &f->cpu_demand, SIM_UNIT_PERCENT, 1e-9, 1);
  /* a window beyond a million units is no longer a buffer but a mistake */
  sim_schema_u32(&C->S, p, "io_window", 0, 1000000, &f->io_window);
  const sim_yaml_node *ops = sim_schema_opt(p, "ops");
  if (ops && sim_schema_is_map(&C->S, ops, "an operation mix")) load_ops(C, ops, f);
  const sim_yaml_node *dirty = sim_schema_opt(p, "dirty");
  if (dirty && sim_schema_is_seq(&C->S, dirty, "a list of dirty page groups {pages, rate}")) load_dirty(C, dirty, f);
}

/* Whether a phase of units asks for no work at all: no operation (the CPI
 * alone is no work), no memory access, no I/O.  Such a phase ends the instant
 * it starts. */
static bool phase_costs_nothing(const sim_phase *f) {
  if (f->duration_ns > 0) return false;
#define OPMIX_ZERO_COUNT(field) f->field == 0
#define OPMIX_ZERO_BYTES(field) f->field == 0
#define OPMIX_ZERO_CPI(field) true
#define SIM_OPMIX(key, field, parse, dflt, unit, doc) if (!(OPMIX_ZERO_##parse(field))) return false;
#include "sim/opmix.def"
#undef SIM_OPMIX
  for (size_t i = 0; i < f->n_access; i++)
    if (f->access[i].count > 0) return false;
  return f->disk_reads == 0 && f->disk_writes == 0 && f->net_messages == 0;
}

/* A repeating workload whose every phase costs nothing would repeat forever
 * at one instant of simulated time. */
static void check_repeat_costs(ctx *C, const sim_yaml_node *m, const sim_workload *w) {
  if (!w->repeat || w->n_phases == 0) return;
  for (size_t i = 0; i < w->n_phases; i++)
    if (!phase_costs_nothing(&w->phases[i])) return;
  sim_schema_error(&C->S, sim_schema_opt(m, "repeat"),
                   "%s repeats, but none of its phases asks for any work (no ops, memory or I/O, no "
                   "duration): it would repeat forever without simulated time passing",
                   C->S.what);
}

/* A workload's trace {file, interval}: its samples are read now, so that a
 * malformed trace is an error of the scenario (FILE:LINE:COL in the trace). */
static void load_trace(ctx *C, const sim_yaml_node *tr, sim_workload *w) {
  static const char *const keys[] = {"file", "interval"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, tr, keys);
  w->trace_interval_ns = 300 * SIM_S;
  sim_schema_time(&C->S, tr, "interval", &w->trace_interval_ns, 1);
  const sim_yaml_node *f = sim_schema_need(&C->S, tr, "file");
  const char *t = f ? sim_schema_scalar(&C->S, f, "file", "a path") : NULL;
  if (!t || !(w->trace_path = scenario_rel_path(C, t))) return;
  if (access(w->trace_path, R_OK) != 0) {
    sim_schema_error(&C->S, f, "trace file '%s' of %s cannot be read", w->trace_path, C->S.what);
    return;
  }
  int rc = sim_workload_read_trace(w, w->trace_path, C->S.diag);
  if (rc == -2 || C->S.diag->oom) sim_schema_nomem(&C->S);
}

/* ---- request-driven workloads ---- */

/* Quantity `key` of a request's mix: a value or a distribution of `kind`.
 * The phase field at `offset` gets its mean; a distribution that is not a
 * constant is drawn per request (a draw added to rq).  `whole` rounds draws
 * (I/O counts, sizes); draws are at least `min`. */
static void request_quantity(ctx *C, const sim_yaml_node *map, const char *key, sim_unit_kind kind,
                             bool whole, bool u64, double min, size_t offset, sim_phase *ph,
                             sim_requests *rq) {
  const sim_yaml_node *v = sim_schema_opt(map, key);
  sim_dist d;
  if (!v || !sim_dist_parse_node(&C->S, v, key, kind, C->dir, &d)) return;
  double mean = sim_dist_mean(&d);
  if (whole) mean = round(mean);
  if (mean < min) mean = min;
  if (u64)
    *(uint64_t *)((char *)ph + offset) = (uint64_t)mean;
  else
    *(double *)((char *)ph + offset) = mean;
  if (d.family == SIM_DIST_DETERMINISTIC) return;
  size_t cap = rq->n_draws;
  if (sim_grow((void **)&rq->draws, &cap, rq->n_draws + 1, sizeof *rq->draws) < 0) {
    sim_dist_free(&d);
    sim_schema_nomem(&C->S);
    return;
  }
  rq->draws[rq->n_draws++] = (sim_request_draw){offset, whole, u64, min, d};
}

/* The operation mix of one request: the keys of sim/opmix.def, memory
 * streams (fixed), disk and network, each a value or a distribution. */
static void load_request_ops(ctx *C, const sim_yaml_node *ops, sim_phase *ph, sim_requests *rq) {
  static const char *const keys[] = {
#define SIM_OPMIX(key, field, parse, dflt, unit, doc) #key,
#include "sim/opmix.def"
#undef SIM_OPMIX
      "memory", "disk", "net"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, ops, keys);
#define REQ_KIND_COUNT SIM_UNIT_NONE
#define REQ_KIND_CPI SIM_UNIT_NONE
#define REQ_KIND_BYTES SIM_UNIT_SIZE
#define SIM_OPMIX(key, field, parse, dflt, unit, doc) \
  request_quantity(C, ops, #key, REQ_KIND_##parse, false, false, 0, offsetof(sim_phase, field), ph, rq);
#include "sim/opmix.def"
#undef SIM_OPMIX
  if (!(ph->cycles_per_instruction >= 1e-6))
    sim_schema_error(&C->S, sim_schema_opt(ops, "cpi"), "'cpi' in %s must be at least 1e-6", C->S.what);
  char saved[sizeof C->S.what];
  memcpy(saved, C->S.what, sizeof saved);
  const sim_yaml_node *mem = sim_schema_opt(ops, "memory");
  if (mem && sim_schema_is_seq(&C->S, mem, "a list of memory access streams")) load_access(C, mem, saved, ph);
  const sim_yaml_node *disk = sim_schema_opt(ops, "disk");
  if (!C->S.oom && disk && sim_schema_is_map(&C->S, disk, "disk requests {reads, writes, request_size, random}")) {
    sim_schema_set_what(&C->S, "disk requests of %.200s", saved);
    static const char *const dkeys[] = {"reads", "writes", "request_size", "random"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, disk, dkeys);
    request_quantity(C, disk, "reads", SIM_UNIT_NONE, true, false, 0, offsetof(sim_phase, disk_reads), ph, rq);
    request_quantity(C, disk, "writes", SIM_UNIT_NONE, true, false, 0, offsetof(sim_phase, disk_writes), ph, rq);
    request_quantity(C, disk, "request_size", SIM_UNIT_SIZE, true, true, 1,
                     offsetof(sim_phase, disk_request_bytes), ph, rq);
    sim_schema_bool(&C->S, disk, "random", &ph->disk_random);
  }
  const sim_yaml_node *net = sim_schema_opt(ops, "net");
  if (!C->S.oom && net && sim_schema_is_map(&C->S, net, "network exchanges {messages, tx, rx}")) {
    sim_schema_set_what(&C->S, "network exchanges of %.200s", saved);
    static const char *const nkeys[] = {"messages", "tx", "rx"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, net, nkeys);
    request_quantity(C, net, "messages", SIM_UNIT_NONE, true, false, 0, offsetof(sim_phase, net_messages), ph, rq);
    request_quantity(C, net, "tx", SIM_UNIT_SIZE, true, true, 0, offsetof(sim_phase, net_tx_bytes), ph, rq);
    request_quantity(C, net, "rx", SIM_UNIT_SIZE, true, true, 0, offsetof(sim_phase, net_rx_bytes), ph, rq);
    /* an exchange without a response is a bandwidth stream, not a request's I/O (models/io.h) */
    if (ph->net_messages > 0 && ph->net_rx_bytes == 0)
      sim_schema_error(&C->S, net, "%s: a request's network exchange needs a response ('rx' greater than 0)", C->S.what);
  }
  memcpy(C->S.what, saved, sizeof saved);
}

/* Two quantities [a, b] of `key` (mmpp2 rates and sojourns); false when wrong. */
static bool load_pair(ctx *C, const sim_yaml_node *m, const char *key, const char *expected,
                      const sim_yaml_node **items) {
  const sim_yaml_node *v = sim_schema_need(&C->S, m, key);
  if (!v || !sim_schema_is_seq(&C->S, v, expected)) return false;
  if (v->n != 2) {
    sim_schema_error(&C->S, v, "'%s' in %s: expected %s, found %zu values", key, C->S.what, expected, v->n);
    return false;
  }
  for (int k = 0; k < 2; k++) {
    if (!sim_schema_scalar(&C->S, v->items[k], key, expected)) return false;
    items[k] = v->items[k];
  }
  return true;
}

/* A rate "2000/s" at node v, > 0 unless `zero_ok`. */
static bool load_rate(ctx *C, const sim_yaml_node *v, const char *key, bool zero_ok, double *out) {
  const char *t = sim_schema_scalar(&C->S, v, key, "a rate such as \"2000/s\"");
  if (!t) return false;
  char e[300];
  if (sim_parse_per_second(t, out, e, sizeof e) < 0) {
    sim_schema_error(&C->S, v, "'%s' in %s: expected a rate such as \"2000/s\", %s", key, C->S.what, e);
    return false;
  }
  if (!zero_ok && !(*out > 0)) {
    sim_schema_error(&C->S, v, "'%s' in %s must be greater than 0", key, C->S.what);
    return false;
  }
  return true;
}

static const char *const arrival_processes[] = {"poisson", "deterministic", "trace", "mmpp2"};

/* arrivals {process, ...} (open loop). */
static void load_arrivals(ctx *C, const sim_yaml_node *a, sim_requests *rq) {
  static const sim_schema_names list = {arrival_processes, 4, "arrival process"};
  size_t p;
  if (!sim_schema_need(&C->S, a, "process") || !sim_schema_enum(&C->S, a, "process", &list, &p)) return;
  rq->process = (sim_arrival_process)(p + SIM_ARRIVALS_POISSON);
  char of[sizeof C->S.what];
  memcpy(of, C->S.what, sizeof of); /* the message names what holds the arrivals */
  sim_schema_set_what(&C->S, "the %s arrivals of %.200s", arrival_processes[p], of);
  if (rq->process == SIM_ARRIVALS_POISSON || rq->process == SIM_ARRIVALS_DETERMINISTIC) {
    static const char *const keys[] = {"process", "rate"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, a, keys);
    const sim_yaml_node *r = sim_schema_need(&C->S, a, "rate");
    if (r) load_rate(C, r, "rate", false, &rq->rate_per_s);
  } else if (rq->process == SIM_ARRIVALS_MMPP2) {
    static const char *const keys[] = {"process", "rates", "mean_sojourn"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, a, keys);
    const sim_yaml_node *it[2];
    if (load_pair(C, a, "rates", "two rates [R0, R1]", it)) {
      load_rate(C, it[0], "rates", true, &rq->mmpp_rate_per_s[0]);
      load_rate(C, it[1], "rates", true, &rq->mmpp_rate_per_s[1]);
      if (!(rq->mmpp_rate_per_s[0] + rq->mmpp_rate_per_s[1] > 0))
        sim_schema_error(&C->S, sim_schema_opt(a, "rates"), "'rates' in %s: at least one must be greater than 0", C->S.what);
    }
    if (load_pair(C, a, "mean_sojourn", "two times [T0, T1]", it)) {
      for (int k = 0; k < 2; k++) {
        char e[300];
        if (sim_parse_time(it[k]->text, &rq->mmpp_sojourn_ns[k], e, sizeof e) < 0)
          sim_schema_error(&C->S, it[k], "'mean_sojourn' in %s: expected a time such as \"1 s\", %s", C->S.what, e);
        else if (rq->mmpp_sojourn_ns[k] <= 0)
          sim_schema_error(&C->S, it[k], "'mean_sojourn' in %s must be greater than 0", C->S.what);
      }
    }
  } else {
    static const char *const keys[] = {"process", "file", "interval"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, a, keys);
    rq->trace_interval_ns = SIM_S;
    sim_schema_time(&C->S, a, "interval", &rq->trace_interval_ns, 1);
    const sim_yaml_node *f = sim_schema_need(&C->S, a, "file");
    const char *t = f ? sim_schema_scalar(&C->S, f, "file", "a path") : NULL;
    if (!t || !(rq->trace_path = scenario_rel_path(C, t))) return;
    if (sim_dist_read_values(&C->S, f, rq->trace_path, 1, &rq->trace_rate_per_s, &rq->n_trace) == 0) {
      double sum = 0;
      for (size_t i = 0; i < rq->n_trace; i++) sum += rq->trace_rate_per_s[i];
      if (!(sum > 0)) sim_schema_error(&C->S, f, "rate trace '%s' of %s has no rate greater than 0", t, C->S.what);
    }
  }
}

/* The `requests` section of workload w: its mean request becomes w's one
 * phase. */
static void load_requests(ctx *C, const sim_yaml_node *m, sim_workload *w) {
  static const char *const keys[] = {"count", "ops", "arrivals", "clients"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
  sim_requests *rq = w->requests = sim_calloc(1, sizeof *rq);
  w->phases = sim_calloc(1, sizeof *w->phases);
  if (!rq || !w->phases) {
    sim_schema_nomem(&C->S);
    return;
  }
  w->n_phases = 1;
  sim_phase *ph = &w->phases[0];
#define SIM_OPMIX(key, field, parse, dflt, unit, doc) ph->field = dflt;
#include "sim/opmix.def"
#undef SIM_OPMIX
  ph->name = sim_schema_strdup(&C->S, "request");
  ph->units = 1;
  ph->cpu_demand = 1;
  ph->disk_request_bytes = 4096;
  ph->disk_random = true;
  char saved[sizeof C->S.what];
  memcpy(saved, C->S.what, sizeof saved);
  sim_schema_set_what(&C->S, "the requests of %.200s", saved);
  char of[sizeof C->S.what];
  memcpy(of, C->S.what, sizeof of);
  sim_schema_count(&C->S, m, "count", &rq->count);
  if (rq->count != floor(rq->count))
    sim_schema_error(&C->S, sim_schema_opt(m, "count"), "'count' in %s must be a whole number", C->S.what);
  const sim_yaml_node *ops = sim_schema_need(&C->S, m, "ops");
  if (ops && sim_schema_is_map(&C->S, ops, "an operation mix")) load_request_ops(C, ops, ph, rq);
  memcpy(C->S.what, of, sizeof of);
  const sim_yaml_node *arr = sim_schema_opt(m, "arrivals");
  const sim_yaml_node *cl = sim_schema_opt(m, "clients");
  if (!arr == !cl) {
    sim_schema_error(&C->S, m, "%s need exactly one of 'arrivals' (open loop) and 'clients' (closed loop)", C->S.what);
  } else if (arr) {
    if (sim_schema_is_map(&C->S, arr, "arrivals {process, ...}")) load_arrivals(C, arr, rq);
  } else if (sim_schema_is_map(&C->S, cl, "clients {count, think}")) {
    rq->process = SIM_ARRIVALS_CLOSED;
    sim_schema_set_what(&C->S, "the clients of %.200s", of);
    static const char *const ckeys[] = {"count", "think"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, cl, ckeys);
    if (sim_schema_need(&C->S, cl, "count")) sim_schema_u32(&C->S, cl, "count", 1, 10000000, &rq->clients);
    rq->think = sim_dist_constant(SIM_UNIT_TIME, 0);
    sim_dist_parse(&C->S, cl, "think", SIM_UNIT_TIME, C->dir, &rq->think);
  }
  memcpy(C->S.what, saved, sizeof saved);
}

/* ---- the resolved text of a requests section ---- */

/* Writes `key`: its draw when the request draws it, else the constant the
 * mean request holds. */
static void write_request_quantity(sim_yaml_writer *w, const sim_requests *rq, const sim_phase *ph,
                                   const char *key, sim_unit_kind kind, bool u64, size_t offset) {
  sim_yaml_write_scalar(w, key);
  for (size_t i = 0; i < rq->n_draws; i++)
    if (rq->draws[i].offset == offset) {
      sim_dist_write(w, &rq->draws[i].dist);
      return;
    }
  double v = u64 ? (double)*(const uint64_t *)((const char *)ph + offset) : *(const double *)((const char *)ph + offset);
  sim_dist c = sim_dist_constant(kind, v);
  sim_dist_write(w, &c);
}

static void write_kq(sim_yaml_writer *w, const char *key, sim_unit_kind kind, double v) {
  char buf[64];
  sim_format_quantity(kind, v, buf, sizeof buf);
  sim_yaml_write_kv(w, key, buf);
}

static void write_request_ops(sim_yaml_writer *w, const sim_requests *rq, const sim_phase *ph) {
  sim_yaml_write_scalar(w, "ops");
  sim_yaml_write_map_start(w, false);
#define SIM_OPMIX(key, field, parse, dflt, unit, doc) \
  write_request_quantity(w, rq, ph, #key, REQ_KIND_##parse, false, offsetof(sim_phase, field));
#include "sim/opmix.def"
#undef SIM_OPMIX
  if (ph->n_access) {
    sim_yaml_write_scalar(w, "memory");
    sim_yaml_write_seq_start(w, false);
    for (size_t i = 0; i < ph->n_access; i++) {
      const sim_access_spec *a = &ph->access[i];
      sim_yaml_write_map_start(w, true);
      write_kq(w, "count", SIM_UNIT_NONE, a->count);
      write_kq(w, "working_set", SIM_UNIT_SIZE, (double)a->working_set_bytes);
      sim_yaml_write_kv(w, "pattern", scenario_access_patterns[a->pattern]);
      write_kq(w, "stride", SIM_UNIT_SIZE, (double)a->stride_bytes);
      write_kq(w, "page_size", SIM_UNIT_SIZE, (double)a->page_bytes);
      write_kq(w, "write_fraction", SIM_UNIT_NONE, a->write_fraction);
      sim_yaml_write_map_end(w);
    }
    sim_yaml_write_seq_end(w);
  }
  sim_yaml_write_scalar(w, "disk");
  sim_yaml_write_map_start(w, true);
  write_request_quantity(w, rq, ph, "reads", SIM_UNIT_NONE, false, offsetof(sim_phase, disk_reads));
  write_request_quantity(w, rq, ph, "writes", SIM_UNIT_NONE, false, offsetof(sim_phase, disk_writes));
  write_request_quantity(w, rq, ph, "request_size", SIM_UNIT_SIZE, true, offsetof(sim_phase, disk_request_bytes));
  sim_yaml_write_kv(w, "random", ph->disk_random ? "true" : "false");
  sim_yaml_write_map_end(w);
  sim_yaml_write_scalar(w, "net");
  sim_yaml_write_map_start(w, true);
  write_request_quantity(w, rq, ph, "messages", SIM_UNIT_NONE, false, offsetof(sim_phase, net_messages));
  write_request_quantity(w, rq, ph, "tx", SIM_UNIT_SIZE, true, offsetof(sim_phase, net_tx_bytes));
  write_request_quantity(w, rq, ph, "rx", SIM_UNIT_SIZE, true, offsetof(sim_phase, net_rx_bytes));
  sim_yaml_write_map_end(w);
  sim_yaml_write_map_end(w);
}

static void write_rate(sim_yaml_writer *w, const char *key, double per_s) {
  char buf[64];
  snprintf(buf, sizeof buf, "%.17g/s", per_s);
  if (key)
    sim_yaml_write_kv(w, key, buf);
  else
    sim_yaml_write_scalar(w, buf);
}

void scenario_write_requests(sim_yaml_writer *w, const sim_workload *wl) {
  const sim_requests *rq = wl->requests;
  char buf[64];
  sim_yaml_write_scalar(w, "requests");
  sim_yaml_write_map_start(w, false);
  snprintf(buf, sizeof buf, "%.17g", rq->count);
  sim_yaml_write_kv(w, "count", buf);
  write_request_ops(w, rq, &wl->phases[0]);
  if (rq->process == SIM_ARRIVALS_CLOSED) {
    sim_yaml_write_scalar(w, "clients");
    sim_yaml_write_map_start(w, true);
    snprintf(buf, sizeof buf, "%u", rq->clients);
    sim_yaml_write_kv(w, "count", buf);
    sim_yaml_write_scalar(w, "think");
    sim_dist_write(w, &rq->think);
    sim_yaml_write_map_end(w);
  } else {
    sim_yaml_write_scalar(w, "arrivals");
    sim_yaml_write_map_start(w, true);
    sim_yaml_write_kv(w, "process", arrival_processes[rq->process - SIM_ARRIVALS_POISSON]);
    if (rq->process == SIM_ARRIVALS_POISSON || rq->process == SIM_ARRIVALS_DETERMINISTIC) {
      write_rate(w, "rate", rq->rate_per_s);
    } else if (rq->process == SIM_ARRIVALS_TRACE) {
      sim_yaml_write_kv(w, "file", rq->trace_path);
      write_kq(w, "interval", SIM_UNIT_TIME, (double)rq->trace_interval_ns);
    } else {
      sim_yaml_write_scalar(w, "rates");
      sim_yaml_write_seq_start(w, true);
      for (int k = 0; k < 2; k++) write_rate(w, NULL, rq->mmpp_rate_per_s[k]);
      sim_yaml_write_seq_end(w);
      sim_yaml_write_scalar(w, "mean_sojourn");
      sim_yaml_write_seq_start(w, true);
      for (int k = 0; k < 2; k++) {
        sim_format_quantity(SIM_UNIT_TIME, (double)rq->mmpp_sojourn_ns[k], buf, sizeof buf);
        sim_yaml_write_scalar(w, buf);
      }
      sim_yaml_write_seq_end(w);
    }
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_map_end(w);
}

void scenario_free_requests(sim_requests *rq) {
  if (!rq) return;
  for (size_t i = 0; i < rq->n_draws; i++) sim_dist_free(&rq->draws[i].dist);
  sim_free(rq->draws);
  sim_dist_free(&rq->think);
  sim_free(rq->trace_path);
  sim_free(rq->trace_rate_per_s);
  sim_free(rq);
}

/* Parses a workload mapping into w (zeroed by the caller); `key` is its
 * name in the scenario, or NULL for a workload file (then `name` is required). */
static void load_workload(ctx *C, const sim_yaml_node *m, const char *key, sim_workload *w) {
  sim_schema_set_what(&C->S, "workload '%.200s'", key ? key : "?");
  if (!sim_schema_is_map(&C->S, m, "a workload")) return;
  static const char *const keys[] = {"name", "description", "source", "repeat", "trace", "phases", "requests"};
  const sim_yaml_node *nn = key ? sim_schema_opt(m, "name") : sim_schema_need(&C->S, m, "name");
  const char *name = nn ? sim_schema_scalar(&C->S, nn, "name", "a workload name") : key;
  if (!name) name = "?";
  if (key && nn && strcmp(name, key))
    sim_schema_error(&C->S, nn, "workload '%s' is named '%s'; the name must match its key", key, name);
  sim_schema_set_what(&C->S, "workload '%.200s'", name);
  SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
  w->name = sim_schema_strdup(&C->S, key ? key : name);
  sim_schema_str(&C->S, m, "description", &w->description);
  sim_schema_str(&C->S, m, "source", &w->source);
  sim_schema_bool(&C->S, m, "repeat", &w->repeat);
  const sim_yaml_node *tr = sim_schema_opt(m, "trace");
  const sim_yaml_node *rq = sim_schema_opt(m, "requests");
  const sim_yaml_node *ph = sim_schema_opt(m, "phases");
  if (rq) {
    if (ph || tr || sim_schema_opt(m, "repeat"))
      sim_schema_error(&C->S, ph ? ph : tr ? tr : sim_schema_opt(m, "repeat"),
                       "%s has 'requests': it takes no 'phases', 'trace' or 'repeat'", C->S.what);
    else if (sim_schema_is_map(&C->S, rq, "requests {count, ops, arrivals | clients}"))
      load_requests(C, rq, w);
    return;
  }
  if (tr && sim_schema_is_map(&C->S, tr, "a trace {file, interval}")) load_trace(C, tr, w);
  if (!ph && !tr) {
    sim_schema_error(&C->S, m, "%s has neither 'phases' nor 'trace' nor 'requests'", C->S.what);
    return;
  }
  if (!ph || !sim_schema_is_seq(&C->S, ph, "a list of phases")) return;
  if (ph->n == 0) sim_schema_error(&C->S, ph, "%s has an empty list of phases", C->S.what);
  w->phases = sim_calloc(ph->n, sizeof *w->phases);
  if (!w->phases) { sim_schema_nomem(&C->S); return; }
  w->n_phases = ph->n;
  char saved[sizeof C->S.what];
  memcpy(saved, C->S.what, sizeof saved);
  for (size_t i = 0; i < ph->n && !C->S.oom; i++) load_phase(C, ph->items[i], i, saved, &w->phases[i]);
  memcpy(C->S.what, saved, sizeof saved);
  if (!C->S.oom) check_repeat_costs(C, m, w);
}

long scenario_add_workload_slot(ctx *C, const char *lookup_key) {
  sim_scenario *s = C->s;
  size_t cap = C->cap_workloads;
  if (sim_grow((void **)&s->workloads, &C->cap_workloads, s->n_workloads + 1, sizeof *s->workloads) < 0)
    return -1;
  if (sim_grow((void **)&C->wl_key, &cap, s->n_workloads + 1, sizeof *C->wl_key) < 0) return -1;
  if (cap != C->cap_workloads) {
    void *p = sim_realloc(C->wl_key, C->cap_workloads * sizeof *C->wl_key);
    if (!p) return -1;
    C->wl_key = p;
  }
  size_t i = s->n_workloads;
  memset(&s->workloads[i], 0, sizeof s->workloads[i]);
  C->wl_key[i] = sim_strdup(lookup_key);
  if (!C->wl_key[i]) return -1;
  s->n_workloads++;
  if (sim_name_index_add(&C->wl_ix, C->wl_key, sizeof *C->wl_key, C->wl_key[i], (uint32_t)i) == -1)
    return -1;
  return (long)i;
}

void scenario_load_workloads(ctx *C, const sim_yaml_node *wls) {
  if (sim_name_index_init(&C->wl_ix, 16) < 0) { sim_schema_nomem(&C->S); return; }
  if (!wls || !sim_schema_is_map(&C->S, wls, "workloads (a mapping from workload name to its description)")) return;
  for (size_t i = 0; i < wls->n && !C->S.oom; i++) {
    long k = scenario_add_workload_slot(C, wls->pairs[i].key->text);
    if (k < 0) { sim_schema_nomem(&C->S); return; }
    load_workload(C, wls->pairs[i].value, wls->pairs[i].key->text, &C->s->workloads[k]);
  }
}

/* Loads a workload file into a new slot under `lookup`; -1 on error. */
static long load_workload_file(ctx *C, const sim_yaml_node *at, const char *path, const char *lookup) {
  char *text = NULL;
  size_t len = 0;
  char e[400];
  if (sim_read_file(path, &text, &len, e, sizeof e) < 0) {
    if (!text && strstr(e, "memory")) sim_schema_nomem(&C->S);
    sim_schema_error(&C->S, at, "cannot read workload file '%s': %s", path, e);
    return -1;
  }
  sim_yaml_node *root = NULL;
  int rc = sim_yaml_parse(path, text, len, &root, C->S.diag);
  sim_free(text);
  if (rc < 0) return -1;
  long k = scenario_add_workload_slot(C, lookup);
  if (k < 0) {
    sim_yaml_free(root);
    sim_schema_nomem(&C->S);
    return -1;
  }
  const char *saved_file = C->S.file;
  char saved_what[sizeof C->S.what];
  memcpy(saved_what, C->S.what, sizeof saved_what);
  C->S.file = path;
  if (!root)
    sim_schema_error(&C->S, NULL, "empty workload file");
  else
    load_workload(C, root, NULL, &C->s->workloads[k]);
  C->S.file = saved_file;
  memcpy(C->S.what, saved_what, sizeof saved_what);
  sim_yaml_free(root);
  return k;
}

long scenario_resolve_workload(ctx *C, const sim_yaml_node *v) {
  sim_scenario *s = C->s;
  if (v->kind == SIM_YAML_MAP) {
    static const char *const keys[] = {"file"};
    SIM_SCHEMA_CHECK_KEYS(&C->S, v, keys);
    const sim_yaml_node *f = sim_schema_need(&C->S, v, "file");
    const char *t = f ? sim_schema_scalar(&C->S, f, "file", "a path") : NULL;
    if (!t) return -1;
    char *path = scenario_rel_path(C, t);
    if (!path) return -1;
    size_t kl = strlen(path) + 6;
    char *lookup = sim_malloc(kl);
    if (!lookup) {
      sim_free(path);
      sim_schema_nomem(&C->S);
      return -1;
    }
    snprintf(lookup, kl, "file:%s", path);
    long k = sim_name_index_find(&C->wl_ix, C->wl_key, sizeof *C->wl_key, lookup);
    if (k < 0) k = load_workload_file(C, f, path, lookup);
    sim_free(lookup);
    sim_free(path);
    return k;
  }
  const char *name = sim_schema_scalar(&C->S, v, "workload", "a workload name or {file: PATH}");
  if (!name) return -1;
  long k = sim_name_index_find(&C->wl_ix, C->wl_key, sizeof *C->wl_key, name);
  if (k >= 0) return k;
  char *path = NULL;
  const sim_data_path *data = C->src->vocab->data_path;
  int rc = strchr(name, '/') || !data
               ? -1
               : sim_data_find(data, "workloads", name, &path);
  if (rc == -2) {
    sim_schema_nomem(&C->S);
    return -1;
  }
  if (rc == 0) {
    k = load_workload_file(C, v, path, name);
    sim_free(path);
    return k;
  }
  const char **names = sim_malloc((s->n_workloads + 1) * sizeof *names);
  if (!names) {
    sim_schema_nomem(&C->S);
    return -1;
  }
  size_t n = 0;
  for (size_t i = 0; i < s->n_workloads; i++)
    if (strncmp(C->wl_key[i], "file:", 5)) names[n++] = C->wl_key[i];
  const char *near = sim_suggest(name, names, n);
  if (near)
    sim_schema_error(&C->S, v, "%s uses workload '%s', which is neither in workloads nor shipped; did you mean '%s'?", C->S.what, name, near);
  else
    sim_schema_error(&C->S, v, "%s uses workload '%s', which is neither in workloads nor shipped", C->S.what, name);
  sim_free(names);
  return -1;
}

