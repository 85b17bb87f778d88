/* models/migration.c: what every migration strategy shares: creation, the
 * state machine's stepping (by the caller or on the event loop), the network
 * share of the stream and of the guest's own traffic, pause and resume,
 * rounds, the summary, and recording.  The strategies are in
 * migration_{precopy,stopcopy,postcopy,container}.c.
 * Units: ns, bit/s, bytes, pages.  Invariants: see migration_impl.h; the
 * guest's service share is 0 while it is stopped and 1 once the migration
 * ends; the stream's rate is 0 outside transfers. */
#include <math.h>
#include <string.h>

#include "models/migration_impl.h"
#include "models/registry.h"
#include "sim/alloc.h"

struct migration_recording {
  sim_recorder *rec;       /* the run's recorder */
  sim_table *rounds;       /* migration/rounds */
  sim_table *summary;      /* migration/summary */
  int sig_rate;            /* migration_rate_bps */
  int sig_guest_bps;       /* migration_guest_throughput_bps */
  int sig_service;         /* migration_guest_service */
  int ev[MIG_EV_COUNT];    /* event types */
};

static const sim_column round_cols[] = {
    {"migration", SIM_COL_STR, "", "migration name"},
    {"round", SIM_COL_I64, "1", "0-based round; the last of a migration is its stop-and-copy"},
    {"start_s", SIM_COL_F64, "s", "round start, simulated time"},
    {"duration_s", SIM_COL_F64, "s", "round duration"},
    {"pages", SIM_COL_F64, "1", "pages sent (expected value)"},
    {"bytes", SIM_COL_F64, "bytes", "bytes on the wire"},
    {"rate_bps", SIM_COL_F64, "bit/s", "wire rate of the round"},
    {"dirty_rate_bps", SIM_COL_F64, "bit/s",
     "pages dirtied during the round x page size / duration"},
    {"pages_skipped", SIM_COL_F64, "1", "due pages dirtied again before their turn (not sent)"},
};
enum { N_ROUND_COLS = sizeof round_cols / sizeof round_cols[0] };

static const sim_column summary_cols[] = {
    {"migration", SIM_COL_STR, "", "migration name"},
    {"guest", SIM_COL_STR, "", "guest migrated"},
    {"strategy", SIM_COL_STR, "", "precopy, stop-and-copy, postcopy, container"},
    {"source", SIM_COL_STR, "", "source host"},
    {"destination", SIM_COL_STR, "", "destination host"},
    {"total_time_s", SIM_COL_F64, "s",
     "start to the guest running at the destination with all its pages"},
    {"downtime_s", SIM_COL_F64, "s", "guest stopped: final copy + CPU state + resume + ARP"},
    {"total_bytes", SIM_COL_F64, "bytes", "bytes on the wire, all rounds"},
    {"rounds", SIM_COL_I64, "1", "rows in migration/rounds, stop-and-copy included"},
    {"first_round_s", SIM_COL_F64, "s", "duration of round 0"},
    {"remaining_rounds_s", SIM_COL_F64, "s", "end of round 0 to the start of the stop-and-copy"},
    {"converged", SIM_COL_I64, "1", "1: pre-copy stopped because little was left to send"},
    {"stop_reason", SIM_COL_STR, "", "stop condition that ended pre-copy"},
    {"first_round_bytes", SIM_COL_F64, "bytes", "bytes on the wire in round 0"},
    {"guest_throughput_bps", SIM_COL_F64, "bit/s",
     "mean network throughput of the guest while it ran at the source"},
    {"min_service", SIM_COL_F64, "1", "lowest service share of the guest (0: stopped)"},
    {"degraded_s", SIM_COL_F64, "s", "time the guest ran below full service, downtime included"},
    {"status", SIM_COL_STR, "",
     "complete, failed, or unfinished (still running, or not begun, at the run's end)"},
};
enum { N_SUMMARY_COLS = sizeof summary_cols / sizeof summary_cols[0] };

static const char *const event_names[MIG_EV_COUNT][2] = {
    {"migration_start", "a migration began"},
    {"migration_switchover", "the guest resumed at the destination (value0: downtime, s)"},
    {"migration_end", "a migration ended (value0: total time, s; value1: bytes)"},
};

migration_recording *migration_recording_new(sim_recorder *rec) {
  migration_recording *r = sim_calloc(1, sizeof *r);
  if (!r) return NULL;
  r->rec = rec;
  r->rounds = sim_recorder_table(rec, "migration/rounds",
                                 "live migration rounds, one row per round", N_ROUND_COLS,
                                 round_cols);
  r->summary = sim_recorder_table(rec, "migration/summary", "live migrations, one row each",
                                  N_SUMMARY_COLS, summary_cols);
  r->sig_rate = sim_recorder_signal(rec, "migration_rate_bps", "bit/s",
                                    "wire rate of the migration stream");
  r->sig_guest_bps = sim_recorder_signal(rec, "migration_guest_throughput_bps", "bit/s",
                                         "network throughput of the migrating guest");
  r->sig_service = sim_recorder_signal(
      rec, "migration_guest_service", "1",
      "share of its unimpeded service rate the migrating guest gets (0 while stopped)");
  bool ok = r->rounds && r->summary && (r->sig_rate >= 0 || r->sig_rate == SIM_SIGNAL_OFF) &&
            (r->sig_guest_bps >= 0 || r->sig_guest_bps == SIM_SIGNAL_OFF) &&
            (r->sig_service >= 0 || r->sig_service == SIM_SIGNAL_OFF);
  for (int i = 0; i < MIG_EV_COUNT; i++) {
    r->ev[i] = sim_recorder_event_type(rec, event_names[i][0], event_names[i][1]);
    if (r->ev[i] < 0) ok = false;
  }
  if (!ok) {
    sim_free(r);
    return NULL;
  }
  return r;
}

void migration_recording_free(migration_recording *r) { sim_free(r); }

void *mig_strategy_state(migration *m) { return m->strategy_state; }

/* ---- service share of the guest ---- */

static double service_now(const migration *m) {
  if (m->paused) return 0;
  return m->net_service * m->fault_service * (1 - m->throttle);
}

static void record_error(migration *m, int rc) {
  if (rc < 0 && !m->error) m->error = rc;
}

static void emit_signals(migration *m, sim_time now) {
  migration_recording *r = m->env.recording;
  if (!r) return;
  record_error(m, sim_emit(r->rec, r->sig_rate, m->entity, now, m->rate_bps));
  record_error(m, sim_emit(r->rec, r->sig_guest_bps, m->env.view.entity, now, m->guest_bps));
  record_error(m, sim_emit(r->rec, r->sig_service, m->env.view.entity, now, service_now(m)));
}

void mig_event(migration *m, sim_time now, int which, double v0, double v1) {
  migration_recording *r = m->env.recording;
  if (!r) return;
  record_error(m, sim_record_event(r->rec, r->ev[which], now, m->entity, v0, v1));
}

/* ---- the guest's service share and the network ---- */

/* Accounts the time spent at the previous share (summary.min_service and
 * degraded_ns), takes the new one, tells the guest and records it. */
static void update_service(migration *m, sim_time now) {
  double s = service_now(m);
  if (m->service < 1 - 1e-9) m->summary.degraded_ns += now - m->service_since_ns;
  if (m->at_source) {
    m->source_bits += m->guest_bps_since * sim_time_to_s(now - m->service_since_ns);
    m->source_ns += now - m->service_since_ns;
  }
  m->at_source = m->state == MIG_RUNNING && !m->paused && !m->switched;
  m->guest_bps_since = m->guest_bps;
  if (s < m->summary.min_service) m->summary.min_service = s;
  m->service = s;
  m->service_since_ns = now;
  double slow = m->net_service * m->fault_service;
  if (!m->paused && m->env.view.slow && fabs(slow - m->slow_told) > 1e-12) {
    m->env.view.slow(m->env.view.ctx, slow);
    m->slow_told = slow;
  }
  emit_signals(m, now);
}

void mig_service_update(migration *m, sim_time now) { update_service(m, now); }

static net_share *net_of(migration *m) { return m->env.net ? m->env.net : m->own_net; }

void mig_net_update(migration *m, sim_time now, double target_bps) {
  net_share *net = net_of(m);
  double demand = 0;
  if (!m->paused && m->env.view.net_demand_bps)
    demand = m->env.view.net_demand_bps(m->env.view.ctx) * (1 - m->throttle);
  m->target_bps = target_bps;
  m->guest_demand_bps = demand;
  net_share_set_demand(net, m->mig_flow, target_bps);
  net_share_set_demand(net, m->guest_flow, demand);
  net_share_solve(net);
  m->rate_bps = net_share_rate(net, m->mig_flow);
  m->guest_bps = net_share_rate(net, m->guest_flow);
  m->net_service = demand > 0 ? fmin(1, m->guest_bps / demand) : 1;
  update_service(m, now);
}

/* Links of a path, leaving out those the caller does not model (< 0). */
static size_t path(int *out, int a, int b) {
  size_t n = 0;
  if (a >= 0) out[n++] = a;
  if (b >= 0) out[n++] = b;
  return n;
}

void mig_pause(migration *m, sim_time now) {
  if (m->paused) return;
  m->paused = true;
  m->paused_at_ns = now;
  if (m->env.view.pause) m->env.view.pause(m->env.view.ctx);
  update_service(m, now);
}

void mig_resume(migration *m, sim_time now) {
  if (!m->paused) return;
  m->paused = false;
  m->summary.downtime_ns += now - m->paused_at_ns;
  if (!m->switched) {
    m->switched = true;
    int links[2];
    size_t n = path(links, m->env.dst_tx_link, -1);
    if (net_share_set_links(net_of(m), m->guest_flow, links, n)) record_error(m, -1);
  }
  if (m->env.view.resume) m->env.view.resume(m->env.view.ctx, m->env.dest_host);
  mig_event(m, now, MIG_EV_SWITCH, sim_time_to_s(m->summary.downtime_ns), 0);
  update_service(m, now);
}

void mig_set_throttle(migration *m, double fraction) {
  m->throttle = fraction;
  dirty_set_activity(m->dirty, 1 - fraction);
  if (m->env.view.throttle) m->env.view.throttle(m->env.view.ctx, fraction);
}

double mig_page_wire_bytes(const migration *m) {
  return m->env.params.page_bytes * (m->env.spec->compress ? m->env.params.compress_ratio : 1);
}

double mig_zero_wire_bytes(const migration *m) {
  return m->env.spec->zero_page_elision ? m->env.params.zero_page_wire_bytes
                                        : mig_page_wire_bytes(m);
}

double mig_compress_cap_bps(const migration *m) {
  /* the compressor reads page bytes at compress_Bps and writes ratio times less */
  if (!m->env.spec->compress) return INFINITY;
  return m->env.params.compress_Bps * m->env.params.compress_ratio * 8;
}

int mig_sync_groups(migration *m) {
  const sim_dirty_group *groups = NULL;
  double utilisation = 1;
  size_t n = m->env.view.dirty_groups ? m->env.view.dirty_groups(m->env.view.ctx, &groups, &utilisation) : 0;
  if (!(utilisation > 0) || utilisation > 1) utilisation = 1;
  if (groups != m->groups || n != m->n_groups) {
    double stream = m->env.spec->block_migration
                        ? m->env.view.disk_write_Bps / m->env.params.page_bytes
                        : 0;
    int rc = dirty_set_groups(m->dirty, groups, n, stream);
    if (rc) return rc;
    m->groups = groups;
    m->n_groups = n;
  }
  /* the same groups at another trace sample: their rates follow its load */
  dirty_set_utilisation(m->dirty, groups, n, utilisation);
  return 0;
}

/* ---- rounds and the summary ---- */

int mig_add_round(migration *m, const migration_round *r) {
  if (sim_grow((void **)&m->rounds, &m->cap_rounds, m->n_rounds + 1, sizeof *m->rounds))
    return -1;
  m->rounds[m->n_rounds++] = *r;
  m->summary.total_bytes += r->bytes;
  m->summary.rounds = (uint32_t)m->n_rounds;
  migration_recording *rec = m->env.recording;
  if (!rec) return 0;
  sim_cell row[N_ROUND_COLS] = {
      {.s = m->env.spec->name},         {.i = r->round},
      {.f = sim_time_to_s(r->start_ns)}, {.f = sim_time_to_s(r->duration_ns)},
      {.f = r->pages},                   {.f = r->bytes},
      {.f = r->rate_bps},                {.f = r->dirty_rate_bps},
      {.f = r->pages_skipped},
  };
  return sim_table_append(rec->rounds, row);
}

/* Appends the migration's row to migration/summary with `status`; times not
 * reached yet are NaN. */
static int append_summary(const migration *m, const char *status) {
  migration_recording *rec = m->env.recording;
  if (!rec) return 0;
  const migration_summary *s = &m->summary;
  bool done = m->state == MIG_DONE;
  bool past_first = m->n_rounds > 0;
  sim_cell row[N_SUMMARY_COLS] = {
      {.s = m->env.spec->name},
      {.s = m->env.guest_name},
      {.s = m->ops->name},
      {.s = m->env.source_name},
      {.s = m->env.dest_name},
      {.f = done ? sim_time_to_s(s->total_ns) : NAN},
      {.f = sim_time_to_s(s->downtime_ns)},
      {.f = s->total_bytes},
      {.i = s->rounds},
      {.f = past_first ? sim_time_to_s(s->first_round_ns) : NAN},
      {.f = done ? sim_time_to_s(s->remaining_rounds_ns) : NAN},
      {.i = s->converged},
      {.s = s->stop_reason ? s->stop_reason : ""},
      {.f = s->first_round_bytes},
      {.f = s->guest_throughput_bps},
      {.f = s->min_service},
      {.f = sim_time_to_s(s->degraded_ns)},
      {.s = status},
  };
  return sim_table_append(rec->summary, row);
}

int migration_record_unfinished(migration *m, sim_time now) {
  if (m->state == MIG_DONE) return 0;
  migration_summary *s = &m->summary;
  if (m->state == MIG_RUNNING) {
    /* what it stands at now: stopped, degraded and source time so far
     * (accounted here, not through update_service: the run is over, nothing
     * may be told to the guest or emitted) */
    if (m->paused) {
      s->downtime_ns += now - m->paused_at_ns;
      m->paused_at_ns = now;
    }
    if (m->service < 1 - 1e-9) s->degraded_ns += now - m->service_since_ns;
    if (m->at_source) {
      m->source_bits += m->guest_bps_since * sim_time_to_s(now - m->service_since_ns);
      m->source_ns += now - m->service_since_ns;
    }
    m->service_since_ns = now;
    if (m->n_rounds) s->first_round_bytes = m->rounds[0].bytes;
    s->guest_throughput_bps =
        m->source_ns > 0 ? m->source_bits / sim_time_to_s(m->source_ns) : 0;
  }
  return append_summary(m, "unfinished");
}

int mig_finish(migration *m, sim_time now) {
  if (m->state == MIG_DONE) return 0;
  m->state = MIG_DONE;
  m->action_ns = SIM_TIME_MAX;
  m->sample_ns = SIM_TIME_MAX;
  migration_summary *s = &m->summary;
  s->total_ns = now - s->start_ns;
  if (m->n_rounds) s->first_round_bytes = m->rounds[0].bytes;
  net_share *net = net_of(m);
  net_share_remove(net, m->mig_flow);
  net_share_remove(net, m->guest_flow);
  m->rate_bps = 0;
  if (m->throttle > 0) mig_set_throttle(m, 0);
  m->fault_service = 1;
  m->net_service = 1;
  /* unimpeded again: the guest's throughput is its demand */
  m->guest_demand_bps = 0;
  if (!m->paused && m->env.view.net_demand_bps)
    m->guest_demand_bps = m->env.view.net_demand_bps(m->env.view.ctx);
  m->guest_bps = m->guest_demand_bps;
  update_service(m, now);
  s->guest_throughput_bps = m->source_ns > 0 ? m->source_bits / sim_time_to_s(m->source_ns) : 0;
  mig_event(m, now, MIG_EV_END, sim_time_to_s(s->total_ns), s->total_bytes);
  int rc = append_summary(m, s->stop_reason && !strcmp(s->stop_reason, "failed") ? "failed"
                                                                                  : "complete");
  if (m->env.finished) m->env.finished(m->env.finished_ctx, m);
  return rc;
}

/* A failed migration leaves the guest running where it was. */
static void fail(migration *m, sim_time now) {
  if (m->paused) {
    m->paused = false;
    m->summary.downtime_ns += now - m->paused_at_ns;
    if (m->env.view.resume) m->env.view.resume(m->env.view.ctx, m->env.source_host);
  }
  m->summary.stop_reason = "failed";
  mig_finish(m, now);
}

/* ---- the stop-and-copy, shared by pre-copy and stop-and-copy ---- */

void mig_after(migration *m, sim_time now, double delay_s) {
  double ns = ceil(delay_s * 1e9);
  m->action_ns = now + (ns < 1 ? 1 : (sim_time)ns);
}

double mig_max_rate_bps(const migration *m) {
  return fmin(m->env.spec->max_rate_bps, mig_compress_cap_bps(m));
}

int mig_stop_and_copy(migration *m, sim_time now) {
  mig_pause(m, now);
  dirty_set_activity(m->dirty, 0); /* a stopped guest dirties nothing */
  if (m->n_rounds > 0) {
    sim_time first_end = m->summary.start_ns + m->summary.first_round_ns;
    m->summary.remaining_rounds_ns = now - first_end;
  }
  mig_net_update(m, now, mig_max_rate_bps(m)); /* [CL05] 5.3: the final copy at the maximum rate */
  dirty_plan_round(m->dirty, m->rate_bps / 8, mig_page_wire_bytes(m), mig_zero_wire_bytes(m),
                   &m->planned);
  m->round_start_ns = now;
  m->round_rate_bps = m->rate_bps;
  m->phase = MIG_PH_FINAL;
  /* downtime = final copy + CPU state ([CL05] 5.3; + resume and ARP below) */
  mig_after(m, now, m->planned.duration_s + m->env.params.cpu_state_bytes * 8 / m->rate_bps);
  return 0;
}

int mig_final_act(migration *m, sim_time now) {
  if (m->phase == MIG_PH_FINAL) {
    dirty_commit_round(m->dirty, &m->planned);
    migration_round r = {
        .round = (uint32_t)m->n_rounds,
        .start_ns = m->round_start_ns,
        .duration_ns = now - m->round_start_ns,
        .pages = m->planned.pages_sent,
        .bytes = m->planned.wire_bytes + m->env.params.cpu_state_bytes,
        .rate_bps = m->round_rate_bps,
        .dirty_rate_bps = 0,
        .pages_skipped = 0,
        .stop_and_copy = true,
    };
    if (m->n_rounds == 0) m->summary.first_round_ns = r.duration_ns;
    int rc = mig_add_round(m, &r);
    mig_net_update(m, now, 0);
    m->phase = MIG_PH_RESUME;
    /* [CL05] 3.2: the destination resumes, then an unsolicited ARP reply
     * moves the guest's IP address to the new host */
    m->action_ns = now + m->env.params.resume_ns + m->env.params.arp_ns;
    if (m->action_ns == now) m->action_ns = now + 1;
    return rc;
  }
  mig_resume(m, now);
  return mig_finish(m, now);
}

/* ---- life cycle ---- */

int migration_create(const migration_env *env, migration **out, sim_diag *diag) {
  *out = NULL;
  const sim_migration_spec *spec = env->spec;
  const model_entry *e = model_find(MODEL_MIGRATION, spec->strategy);
  if (!e || !e->ops) {
    const char *names[8];
    size_t n = model_names(MODEL_MIGRATION, names, 8);
    char known[200] = "";
    for (size_t i = 0; i < n && i < 8; i++) {
      strncat(known, i ? ", " : "", sizeof known - strlen(known) - 1);
      strncat(known, names[i], sizeof known - strlen(known) - 1);
    }
    sim_diag_error(diag, NULL, 0, 0, "migration '%s': unknown strategy '%s' (known: %s)",
                   spec->name, spec->strategy, known);
    return -1;
  }
  const migration_params *p = &env->params;
  const migration_ops *ops = e->ops;
  bool checkpoint = ops->needs & MIGRATION_NEEDS_CHECKPOINT;
  if (!(p->page_bytes > 0) || !(spec->min_rate_bps > 0) || !(spec->max_rate_bps > 0) ||
      env->sample_interval_ns <= 0 ||
      (spec->compress && !(p->compress_ratio > 0 && p->compress_Bps > 0)) ||
      (checkpoint && !(p->dump_Bps > 0 && p->restore_Bps > 0))) {
    sim_diag_error(diag, NULL, 0, 0,
                   "migration '%s': page size, rates, sample interval, compression and "
                   "checkpoint parameters must be > 0",
                   spec->name);
    return -1;
  }
  migration *m = sim_calloc(1, sizeof *m);
  if (!m) goto oom;
  m->env = *env;
  m->ops = ops;
  m->state = MIG_WAITING;
  m->action_ns = spec->at_ns;
  m->sample_ns = SIM_TIME_MAX;
  m->net_service = m->fault_service = m->service = m->slow_told = 1;
  m->summary.min_service = 1;
  m->entity = -1;
  m->mig_flow = m->guest_flow = -1;
  double pb = p->page_bytes;
  double memory = (double)env->view.memory_bytes / pb;
  double resident = env->view.resident_bytes ? (double)env->view.resident_bytes / pb : memory;
  double disk = spec->block_migration ? (double)env->view.disk_bytes / pb : 0;
  m->dirty = dirty_new(memory, resident, disk);
  if (!m->dirty || dirty_set_streams(m->dirty, env->seed, env->run_index,
                                        env->streams_name ? env->streams_name : env->guest_name) < 0) goto oom;
  int rc = mig_sync_groups(m);
  if (rc == -1) {
    sim_diag_error(diag, NULL, 0, 0,
                   "migration '%s': guest '%s' has dirty page groups larger than its memory "
                   "(%.0f pages) or a negative rate",
                   spec->name, env->guest_name, memory);
    migration_free(m);
    return -1;
  }
  if (rc) goto oom;
  if (ops->create && ops->create(m, &m->strategy_state) < 0) goto oom;
  if (!env->net && !(m->own_net = net_share_new())) goto oom;
  int links[2];
  m->mig_flow =
      net_share_flow(net_of(m), 0, 1, links, path(links, env->src_tx_link, env->dst_rx_link));
  m->guest_flow = net_share_flow(net_of(m), 0, 1, links, path(links, env->src_tx_link, -1));
  if (m->mig_flow < 0 || m->guest_flow < 0) goto oom;
  if (env->recording) {
    m->entity = sim_recorder_entity(env->recording->rec, "migration", spec->name, env->view.entity);
    if (m->entity < 0) goto oom;
  }
  *out = m;
  return 0;
oom:
  sim_diag_error(diag, NULL, 0, 0, "migration '%s': out of memory", spec->name);
  migration_free(m);
  return -2;
}

void migration_free(migration *m) {
  if (!m) return;
  if (m->loop && m->event != SIM_EVENT_NONE) sim_cancel(m->loop, m->event);
  if (m->state != MIG_DONE && net_of(m)) {
    if (m->mig_flow >= 0) net_share_remove(net_of(m), m->mig_flow);
    if (m->guest_flow >= 0) net_share_remove(net_of(m), m->guest_flow);
  }
  net_share_free(m->own_net);
  dirty_free(m->dirty);
  if (m->strategy_state) m->ops->destroy(m->strategy_state);
  sim_free(m->rounds);
  sim_free(m);
}

sim_time migration_next_ns(const migration *m) {
  if (m->state == MIG_DONE) return SIM_TIME_MAX;
  return m->action_ns < m->sample_ns ? m->action_ns : m->sample_ns;
}

int migration_step(migration *m, sim_time now) {
  int rc = 0;
  if (m->state == MIG_WAITING && now >= m->action_ns) {
    m->state = MIG_RUNNING;
    m->action_ns = SIM_TIME_MAX;
    m->summary.start_ns = now;
    m->service_since_ns = now;
    m->sample_ns = now;
    mig_event(m, now, MIG_EV_START, 0, 0);
    rc = mig_sync_groups(m);
    if (!rc) rc = m->ops->begin(m, now);
  } else if (m->state == MIG_RUNNING && now >= m->action_ns) {
    m->action_ns = SIM_TIME_MAX;
    rc = m->ops->act(m, now);
  }
  if (m->state == MIG_RUNNING && now >= m->sample_ns) {
    emit_signals(m, now);
    m->sample_ns = now + m->env.sample_interval_ns;
  }
  record_error(m, rc);
  if (m->error && m->state != MIG_DONE) fail(m, now);
  return m->error;
}

static void on_event(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)arg;
  migration *m = ctx;
  m->event = SIM_EVENT_NONE;
  migration_step(m, sim_loop_now(loop));
  sim_time next = migration_next_ns(m);
  if (next == SIM_TIME_MAX) return;
  m->event = sim_schedule(loop, next, m->priority, on_event, m, 0);
  if (m->event == SIM_EVENT_NONE) {
    record_error(m, -1);
    fail(m, sim_loop_now(loop));
  }
}

int migration_attach(migration *m, sim_loop *loop, int32_t priority) {
  m->loop = loop;
  m->priority = priority;
  sim_time next = migration_next_ns(m);
  if (next == SIM_TIME_MAX) return 0;
  if (next < sim_loop_now(loop)) next = sim_loop_now(loop);
  m->event = sim_schedule(loop, next, priority, on_event, m, 0);
  return m->event == SIM_EVENT_NONE ? -1 : 0;
}

int migration_error(const migration *m) { return m->error; }
bool migration_finished(const migration *m) { return m->state == MIG_DONE; }
const migration_summary *migration_get_summary(const migration *m) { return &m->summary; }

size_t migration_get_rounds(const migration *m, const migration_round **rounds) {
  *rounds = m->rounds;
  return m->n_rounds;
}
