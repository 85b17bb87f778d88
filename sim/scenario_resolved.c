/* sim/scenario_resolved.c: the resolved scenario as YAML (--print-resolved,
 * and stored with the results): every default filled in, every quantity in
 * a unit that reads back to the same value, templates as written (entries,
 * not instances), so loading the text gives the same scenario.  Entries,
 * workloads and migrations come in the loaded scenario's canonical order
 * (sim/scenario.c), so a file whose lists are permuted resolves to the same
 * text.  Trace samples are not written: the trace file is named, as in the
 * scenario. */
#include <stdio.h>
#include <stdlib.h>

#include "sim/scenario_instances.h"
#include "sim/scenario_images.h"
#include "sim/scenario_internal.h"
#include "sim/scenario_services.h"
#include "sim/units.h"

static void wq(sim_yaml_writer *w, const char *key, sim_unit_kind kind, double v) {
  char buf[64];
  sim_format_quantity(kind, v, buf, sizeof buf);
  sim_yaml_write_kv(w, key, buf);
}

static void wu(sim_yaml_writer *w, const char *key, unsigned long long v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%llu", v);
  sim_yaml_write_kv(w, key, buf);
}

static void wb(sim_yaml_writer *w, const char *key, bool v) { sim_yaml_write_kv(w, key, v ? "true" : "false"); }

/* ---- workloads ---- */

static void write_access(sim_yaml_writer *w, const sim_phase *f) {
  sim_yaml_write_scalar(w, "memory");
  sim_yaml_write_seq_start(w, false);
  for (size_t i = 0; i < f->n_access; i++) {
    const sim_access_spec *a = &f->access[i];
    sim_yaml_write_map_start(w, true);
    wq(w, "count", SIM_UNIT_NONE, a->count);
    wq(w, "working_set", SIM_UNIT_SIZE, (double)a->working_set_bytes);
    sim_yaml_write_kv(w, "pattern", scenario_access_patterns[a->pattern]);
    wq(w, "stride", SIM_UNIT_SIZE, (double)a->stride_bytes);
    wq(w, "page_size", SIM_UNIT_SIZE, (double)a->page_bytes);
    wq(w, "write_fraction", SIM_UNIT_NONE, a->write_fraction);
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_seq_end(w);
}

/* The operation mix: the keys of sim/opmix.def, memory streams, disk, net. */
static void write_ops(sim_yaml_writer *w, const sim_phase *f) {
  sim_yaml_write_scalar(w, "ops");
  sim_yaml_write_map_start(w, false);
#define SIM_OPMIX(key, field, parse, dflt, unit, doc) wq(w, #key, SIM_UNIT_NONE, f->field);
#include "sim/opmix.def"
#undef SIM_OPMIX
  if (f->n_access) write_access(w, f);
  sim_yaml_write_scalar(w, "disk");
  sim_yaml_write_map_start(w, true);
  wq(w, "reads", SIM_UNIT_NONE, f->disk_reads);
  wq(w, "writes", SIM_UNIT_NONE, f->disk_writes);
  wq(w, "request_size", SIM_UNIT_SIZE, (double)f->disk_request_bytes);
  wb(w, "random", f->disk_random);
  sim_yaml_write_map_end(w);
  sim_yaml_write_scalar(w, "net");
  sim_yaml_write_map_start(w, true);
  wq(w, "messages", SIM_UNIT_NONE, f->net_messages);
  wq(w, "tx", SIM_UNIT_SIZE, (double)f->net_tx_bytes);
  wq(w, "rx", SIM_UNIT_SIZE, (double)f->net_rx_bytes);
  sim_yaml_write_map_end(w);
  sim_yaml_write_map_end(w);
}

static void write_phase(sim_yaml_writer *w, const sim_phase *f) {
  sim_yaml_write_map_start(w, false);
  sim_yaml_write_kv(w, "name", f->name);
  if (f->length.family != SIM_DIST_DETERMINISTIC) {
    sim_yaml_write_scalar(w, f->units > 0 ? "units" : "duration");
    sim_dist_write(w, &f->length);
  } else {
    if (f->units > 0) wq(w, "units", SIM_UNIT_NONE, f->units);
    if (f->duration_ns > 0) wq(w, "duration", SIM_UNIT_TIME, (double)f->duration_ns);
  }
  wq(w, "cpu_demand", SIM_UNIT_NONE, f->cpu_demand);
  wu(w, "io_window", f->io_window);
  write_ops(w, f);
  if (f->n_dirty) {
    sim_yaml_write_scalar(w, "dirty");
    sim_yaml_write_seq_start(w, false);
    for (size_t i = 0; i < f->n_dirty; i++) {
      sim_yaml_write_map_start(w, true);
      wu(w, "pages", f->dirty[i].pages);
      wq(w, "rate", SIM_UNIT_FREQ, f->dirty[i].rate_hz);
      if (f->dirty[i].process == SIM_DIRTY_POISSON) sim_yaml_write_kv(w, "process", "poisson");
      if (f->dirty[i].follows_utilisation) sim_yaml_write_kv(w, "follows", "utilisation");
      sim_yaml_write_map_end(w);
    }
    sim_yaml_write_seq_end(w);
  }
  sim_yaml_write_map_end(w);
}

static void write_workloads(sim_yaml_writer *w, const sim_scenario *s) {
  sim_yaml_write_scalar(w, "workloads");
  sim_yaml_write_map_start(w, false);
  for (size_t i = 0; i < s->n_workloads; i++) {
    const sim_workload *wl = &s->workloads[i];
    if (wl->trace_template) continue; /* its guest entry's `trace` makes it again */
    sim_yaml_write_scalar(w, wl->name);
    sim_yaml_write_map_start(w, false);
    if (wl->description) sim_yaml_write_kv(w, "description", wl->description);
    if (wl->source) sim_yaml_write_kv(w, "source", wl->source);
    if (wl->requests) {
      /* the requests section, not the mean-request phase made from it */
      scenario_write_requests(w, wl);
    } else {
      wb(w, "repeat", wl->repeat);
      if (wl->trace_path) {
        sim_yaml_write_scalar(w, "trace");
        sim_yaml_write_map_start(w, true);
        sim_yaml_write_kv(w, "file", wl->trace_path);
        wq(w, "interval", SIM_UNIT_TIME, (double)wl->trace_interval_ns);
        sim_yaml_write_map_end(w);
      }
      if (wl->n_phases) {
        sim_yaml_write_scalar(w, "phases");
        sim_yaml_write_seq_start(w, false);
        for (size_t k = 0; k < wl->n_phases; k++) write_phase(w, &wl->phases[k]);
        sim_yaml_write_seq_end(w);
      }
    }
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_map_end(w);
}

/* ---- simulation, hosts ---- */

static void write_simulation(sim_yaml_writer *w, const sim_scenario *s) {
  sim_yaml_write_scalar(w, "simulation");
  sim_yaml_write_map_start(w, false);
  wq(w, "duration", SIM_UNIT_TIME, (double)s->duration_ns);
  wu(w, "seed", s->seed);
  wu(w, "run_index", s->run_index);
  wu(w, "replications", s->replications);
  if (s->output) sim_yaml_write_kv(w, "output", s->output);
  sim_yaml_write_scalar(w, "record");
  sim_yaml_write_map_start(w, false);
  wq(w, "sample_interval", SIM_UNIT_TIME, (double)s->record.sample_interval_ns);
  wb(w, "events", s->record.events);
  wb(w, "series", s->record.series);
  if (s->record.signals) {
    sim_yaml_write_scalar(w, "signals");
    sim_yaml_write_seq_start(w, true);
    for (size_t i = 0; i < s->record.n_signals; i++) sim_yaml_write_scalar(w, s->record.signals[i]);
    sim_yaml_write_seq_end(w);
  }
  wb(w, "request_latencies", s->record.request_latencies);
  wu(w, "compression", (unsigned long long)s->record.compression_level);
  sim_yaml_write_map_end(w);
  sim_yaml_write_map_end(w);
}

static void write_nics_disks(sim_yaml_writer *w, const sim_host_type *t) {
  if (t->n_nics) {
    sim_yaml_write_scalar(w, "nics");
    sim_yaml_write_seq_start(w, false);
    for (size_t k = 0; k < t->n_nics; k++) {
      sim_yaml_write_map_start(w, true);
      sim_yaml_write_kv(w, "name", t->nics[k].name);
      wq(w, "bandwidth", SIM_UNIT_RATE, t->nics[k].bandwidth_bps);
      wq(w, "latency", SIM_UNIT_TIME, (double)t->nics[k].latency_ns);
      const sim_dist *jitter = &t->nics[k].jitter;
      if (jitter->family != SIM_DIST_DETERMINISTIC || jitter->a > 0) {
        sim_yaml_write_scalar(w, "jitter");
        sim_dist_write(w, jitter);
      }
      sim_yaml_write_map_end(w);
    }
    sim_yaml_write_seq_end(w);
  }
  if (t->n_disks) {
    sim_yaml_write_scalar(w, "disks");
    sim_yaml_write_seq_start(w, false);
    for (size_t k = 0; k < t->n_disks; k++) {
      const sim_disk_spec *d = &t->disks[k];
      sim_yaml_write_map_start(w, true);
      sim_yaml_write_kv(w, "name", d->name);
      wq(w, "iops", SIM_UNIT_NONE, d->iops);
      wq(w, "bandwidth", SIM_UNIT_RATE, d->bandwidth_Bps * 8);
      if (d->latency_dist.family != SIM_DIST_DETERMINISTIC) {
        sim_yaml_write_scalar(w, "latency");
        sim_dist_write(w, &d->latency_dist);
      } else {
        wq(w, "latency", SIM_UNIT_TIME, (double)d->latency_ns);
      }
      wu(w, "queue_depth", d->queue_depth);
      sim_yaml_write_map_end(w);
    }
    sim_yaml_write_seq_end(w);
  }
}

/* The shortest of %.15g .. %.17g that reads back as v, then `suffix`. */
static void format_exact(char *buf, size_t size, double v, const char *suffix) {
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, size, "%.*g%s", digits, v, suffix);
    if (strtod(buf, NULL) == v) return;
  }
}

static void write_watts(sim_yaml_writer *w, const char *key, double watts) {
  char buf[48];
  format_exact(buf, sizeof buf, watts, " W");
  sim_yaml_write_kv(w, key, buf);
}

static void write_ratio(sim_yaml_writer *w, const char *key, double v) {
  char buf[48];
  format_exact(buf, sizeof buf, v, "");
  sim_yaml_write_kv(w, key, buf);
}

/* power: the keys its model takes (sim/scenario_hosts.c load_power). */
static void write_power(sim_yaml_writer *w, const ctx *C, const sim_power_spec *p) {
  sim_vocab_kind takes = SIM_VOCAB_POWER_SHIPPED;
  for (size_t i = 0; i < C->power_names.n; i++)
    if (C->power_words[i] == p->model) takes = C->power_kind[i];
  sim_yaml_write_scalar(w, "power");
  sim_yaml_write_map_start(w, true);
  sim_yaml_write_kv(w, "model", p->model);
  if (takes == SIM_VOCAB_POWER_IDLE_MAX) {
    write_watts(w, "idle", p->idle_w);
    write_watts(w, "max", p->max_w);
  } else if (takes == SIM_VOCAB_POWER_TABLE) {
    sim_yaml_write_scalar(w, "table");
    sim_yaml_write_seq_start(w, true);
    for (size_t i = 0; i < SIM_POWER_TABLE_POINTS; i++) {
      char buf[48];
      format_exact(buf, sizeof buf, p->table_w[i], " W");
      sim_yaml_write_scalar(w, buf);
    }
    sim_yaml_write_seq_end(w);
  }
  wq(w, "boot_time", SIM_UNIT_TIME, (double)p->boot_time_ns);
  sim_yaml_write_map_end(w);
}

/* dvfs: the governor, the P-states and the governor's settings
 * (sim/scenario_hosts.c load_dvfs). */
static void write_dvfs(sim_yaml_writer *w, const sim_host_type *t) {
  sim_yaml_write_scalar(w, "dvfs");
  sim_yaml_write_map_start(w, false);
  sim_yaml_write_kv(w, "governor", t->dvfs_governor);
  sim_yaml_write_scalar(w, "pstates");
  sim_yaml_write_seq_start(w, false);
  for (size_t k = 0; k < t->n_pstates; k++) {
    char buf[48];
    sim_yaml_write_map_start(w, true);
    wq(w, "frequency", SIM_UNIT_FREQ, t->pstate_hz[k]);
    format_exact(buf, sizeof buf, t->pstate_volts[k], " V");
    sim_yaml_write_kv(w, "voltage", buf);
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_seq_end(w);
  wq(w, "sampling_period", SIM_UNIT_TIME, (double)t->dvfs_period_ns);
  write_ratio(w, "up_threshold", t->dvfs_up_threshold);
  write_ratio(w, "down_differential", t->dvfs_down_differential);
  write_ratio(w, "down_threshold", t->dvfs_down_threshold);
  write_ratio(w, "freq_step", t->dvfs_freq_step);
  sim_yaml_write_map_end(w);
}

static void write_host_types(sim_yaml_writer *w, const ctx *C, const sim_scenario *s) {
  sim_yaml_write_scalar(w, "host_types");
  sim_yaml_write_map_start(w, false);
  for (size_t i = 0; i < s->n_host_types; i++) {
    const sim_host_type *t = &s->host_types[i];
    sim_yaml_write_scalar(w, t->name);
    sim_yaml_write_map_start(w, false);
    wu(w, "cores", t->cores);
    wq(w, "clock", SIM_UNIT_FREQ, t->clock_hz);
    wq(w, "memory", SIM_UNIT_SIZE, (double)t->memory_bytes);
    wu(w, "tlb_entries_4k", t->tlb_entries_4k);
    wu(w, "tlb_entries_2m", t->tlb_entries_2m);
    wu(w, "page_walk_levels", t->page_walk_levels);
    wu(w, "pwc_entries", t->pwc_entries);
    sim_yaml_write_kv(w, "tlb_tagged", t->tlb_tagged < 0 ? "profile" : t->tlb_tagged ? "true" : "false");
    if (t->scheduler) sim_yaml_write_kv(w, "scheduler", t->scheduler);
    sim_yaml_write_kv(w, "fidelity", t->fidelity);
    wb(w, "allow_overcommit", t->allow_overcommit);
    if (t->calibration) sim_yaml_write_kv(w, "calibration", t->calibration);
    write_nics_disks(w, t);
    if (t->power.model) write_power(w, C, &t->power);
    if (t->dvfs_governor) write_dvfs(w, t);
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_map_end(w);
}

static void write_hosts(sim_yaml_writer *w, const ctx *C, const sim_scenario *s) {
  sim_yaml_write_scalar(w, "hosts");
  sim_yaml_write_seq_start(w, false);
  for (size_t i = 0; i < C->n_hrec; i++) {
    const entry_rec *r = &C->hrec[i];
    sim_yaml_write_map_start(w, true);
    sim_yaml_write_kv(w, "name", r->pattern);
    sim_yaml_write_kv(w, "type", s->host_types[r->type].name);
    if (r->count && s->hosts[r->first].zone[0]) sim_yaml_write_kv(w, "zone", s->hosts[r->first].zone);
    wu(w, "count", r->count);
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_seq_end(w);
}

/* ---- guests, migrations, sweep ---- */

/* arrival and lifetime of a guest entry (sim/scenario_guests.c): the
 * process and its rate, exact, and the lifetime's distribution. */
static void write_churn(sim_yaml_writer *w, const sim_guest_churn *c) {
  if (c->process != SIM_GUEST_AT_START) {
    char buf[48];
    format_exact(buf, sizeof buf, c->rate_per_s, "/s");
    sim_yaml_write_scalar(w, "arrival");
    sim_yaml_write_map_start(w, true);
    sim_yaml_write_kv(w, "process", c->process == SIM_GUEST_POISSON ? "poisson" : "deterministic");
    sim_yaml_write_kv(w, "rate", buf);
    sim_yaml_write_map_end(w);
  }
  if (c->has_lifetime) {
    sim_yaml_write_scalar(w, "lifetime");
    sim_dist_write(w, &c->lifetime);
  }
}

/* rated: "N MIPS" (sim/scenario_guests.c), N in the fewest digits that read
 * back to the same instructions/s. */
static void write_rated(sim_yaml_writer *w, double rated_ips) {
  char buf[64];
  for (int digits = 15; digits <= 17; digits++) {
    snprintf(buf, sizeof buf, "%.*g MIPS", digits, rated_ips / 1e6);
    if (strtod(buf, NULL) * 1e6 == rated_ips) break;
  }
  sim_yaml_write_kv(w, "rated", buf);
}

/* A guest entry, with the settings of its first instance (all share them). */
static void write_guest(sim_yaml_writer *w, const entry_rec *r, const sim_scenario *s) {
  const sim_guest *g = &s->guests[r->first];
  sim_yaml_write_map_start(w, true);
  sim_yaml_write_kv(w, "name", r->pattern);
  wu(w, "count", r->count);
  sim_yaml_write_kv(w, "technique", g->technique);
  sim_yaml_write_kv(w, "io_path", g->io_path);
  sim_yaml_write_scalar(w, "host");
  if (r->spread) {
    sim_yaml_write_map_start(w, true);
    sim_yaml_write_kv(w, "spread", r->host);
    sim_yaml_write_map_end(w);
  } else
    sim_yaml_write_scalar(w, r->host);
  wu(w, "vcpus", g->vcpus);
  wq(w, "memory", SIM_UNIT_SIZE, (double)g->memory_bytes);
  if (g->pinning) {
    sim_yaml_write_scalar(w, "pinning");
    sim_yaml_write_seq_start(w, true);
    for (uint32_t v = 0; v < g->vcpus; v++) {
      char buf[16];
      snprintf(buf, sizeof buf, "%d", g->pinning[v]);
      sim_yaml_write_scalar(w, buf);
    }
    sim_yaml_write_seq_end(w);
  }
  wu(w, "weight", g->weight);
  wq(w, "cap", SIM_UNIT_NONE, g->cap);
  wb(w, "huge_pages", g->huge_pages);
  const sim_workload *wl = &s->workloads[g->workload];
  sim_yaml_write_kv(w, "workload", wl->trace_template ? wl->trace_template : wl->name);
  scenario_write_guest_trace(w, r, s);
  wq(w, "start", SIM_UNIT_TIME, (double)g->start_ns);
  if (g->disk_bytes) wq(w, "disk", SIM_UNIT_SIZE, (double)g->disk_bytes);
  if (g->zero_fraction > 0) wq(w, "zero_fraction", SIM_UNIT_NONE, g->zero_fraction);
  if (g->rated_ips > 0) write_rated(w, g->rated_ips);
  if (g->churn) write_churn(w, &s->churns[g->churn - 1]);
  scenario_write_guest_instance(w, g, s);
  if (r->streams) sim_yaml_write_kv(w, "streams", r->streams);
  scenario_write_guest_image(w, g, s);
  sim_yaml_write_map_end(w);
}

static void write_migrations(sim_yaml_writer *w, const sim_scenario *s) {
  sim_yaml_write_scalar(w, "migrations");
  sim_yaml_write_seq_start(w, false);
  for (size_t i = 0; i < s->n_migrations; i++) {
    const sim_migration_spec *m = &s->migrations[i];
    sim_yaml_write_map_start(w, false);
    sim_yaml_write_kv(w, "name", m->name);
    wq(w, "at", SIM_UNIT_TIME, (double)m->at_ns);
    sim_yaml_write_kv(w, "guest", s->guests[m->guest].name);
    sim_yaml_write_kv(w, "to", s->hosts[m->dest_host].name);
    sim_yaml_write_kv(w, "strategy", m->strategy);
    wq(w, "min_rate", SIM_UNIT_RATE, m->min_rate_bps);
    wq(w, "max_rate", SIM_UNIT_RATE, m->max_rate_bps);
    wq(w, "max_downtime", SIM_UNIT_TIME, (double)m->max_downtime_ns);
    wu(w, "max_rounds", m->max_rounds);
    wb(w, "auto_converge", m->auto_converge);
    wb(w, "compress", m->compress);
    wb(w, "zero_page_elision", m->zero_page_elision);
    wb(w, "block_migration", m->block_migration);
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_seq_end(w);
}

/* datacenter: every key, defaults filled in (sim/scenario_datacenter.c). */
static void write_datacenter(sim_yaml_writer *w, const sim_datacenter_spec *dc) {
  sim_yaml_write_scalar(w, "datacenter");
  sim_yaml_write_map_start(w, false);
  wq(w, "interval", SIM_UNIT_TIME, (double)dc->interval_ns);
  sim_yaml_write_kv(w, "placement", dc->placement);
  sim_yaml_write_scalar(w, "overload");
  sim_yaml_write_map_start(w, true);
  sim_yaml_write_kv(w, "policy", dc->overload);
  if (dc->threshold > 0) write_ratio(w, "threshold", dc->threshold);
  if (dc->safety >= 0) write_ratio(w, "safety", dc->safety);
  sim_yaml_write_map_end(w);
  sim_yaml_write_kv(w, "underload", dc->underload ? dc->underload : "none");
  sim_yaml_write_kv(w, "vm_selection", dc->vm_selection);
  sim_yaml_write_kv(w, "strategy", dc->strategy);
  wb(w, "switch_off", dc->switch_off);
  wb(w, "place_at_start", dc->place_at_start);
  if (dc->memory_placement_only) sim_yaml_write_kv(w, "memory", "placement-only");
  sim_yaml_write_map_end(w);
}

static void write_sweep(sim_yaml_writer *w, const sim_scenario *s) {
  sim_yaml_write_scalar(w, "sweep");
  sim_yaml_write_map_start(w, false);
  wu(w, "replications", s->sweep_replications);
  sim_yaml_write_scalar(w, "axes");
  sim_yaml_write_seq_start(w, false);
  for (size_t i = 0; i < s->n_sweep_axes; i++) {
    sim_yaml_write_map_start(w, true);
    sim_yaml_write_kv(w, "path", s->sweep[i].path);
    sim_yaml_write_scalar(w, "values");
    sim_yaml_write_seq_start(w, true);
    for (size_t k = 0; k < s->sweep[i].n_values; k++) sim_yaml_write_scalar(w, s->sweep[i].values[k]);
    sim_yaml_write_seq_end(w);
    sim_yaml_write_map_end(w);
  }
  sim_yaml_write_seq_end(w);
  sim_yaml_write_map_end(w);
}

int scenario_write_resolved(const ctx *C, const sim_scenario *s, char **out) {
  sim_yaml_writer *w = sim_yaml_writer_new();
  if (!w) return -1;
  sim_yaml_write_map_start(w, false);
  sim_yaml_write_kv(w, "name", s->name);
  if (s->description) sim_yaml_write_kv(w, "description", s->description);
  write_simulation(w, s);
  sim_yaml_write_kv(w, "calibration", s->calibration);
  write_host_types(w, C, s);
  write_hosts(w, C, s);
  write_workloads(w, s);
  scenario_write_instance_types(w, s);
  scenario_write_images(w, s);
  sim_yaml_write_scalar(w, "guests");
  sim_yaml_write_seq_start(w, false);
  for (size_t i = 0; i < C->n_grec; i++) write_guest(w, &C->grec[i], s);
  sim_yaml_write_seq_end(w);
  if (s->n_migrations) write_migrations(w, s);
  if (s->datacenter.enabled) write_datacenter(w, &s->datacenter);
  scenario_write_services(w, s);
  if (s->n_sweep_axes) write_sweep(w, s);
  sim_yaml_write_map_end(w);
  int rc = sim_yaml_writer_finish(w, out);
  sim_yaml_writer_free(w);
  return rc;
}
