/* models/migration_set.c: the migrations of a scenario, set up for a run.
 * Builds the network the migration streams and the guests' traffic share
 * (each host's first NIC, its transmit and receive directions as two links of
 * its bandwidth: Ethernet is full duplex), reads the machinery's costs from
 * the calibration profile, gives every migration a view of its guest through
 * the engine's hooks, and schedules it on the loop.
 * The guest's memory counts as written except its zero_fraction (zero pages
 * that zero-page elision sends as headers only, [QEMU] ram.c
 * save_zero_page), and block migration copies its local disk image (`disk`,
 * 0: none) in the bulk first round ([QEMU] migration/block.c); disk blocks
 * the guest writes during the migration are not reported by the engine, so
 * none are dirtied again.
 * Units: ns, bit/s, bytes.  Invariants: one migration per scenario entry;
 * the network outlives every migration of the set. */
#include <math.h>

#include "models/migration.h"
#include "sim/alloc.h"

/* The view of one guest: adapts the per-guest hooks to a migration's view. */
typedef struct set_guest {
  struct migration_set *set; /* owner */
  uint32_t guest;            /* scenario index */
} set_guest;

struct migration_set {
  const sim_scenario *sc;           /* the scenario */
  migration_engine_hooks hooks;     /* the engine's (members may be NULL) */
  net_share *net;                   /* links of every host's first NIC */
  int *tx_link, *rx_link;           /* per host; -1: no NIC (unlimited) */
  migration_recording *recording;   /* shared tables and signals */
  set_guest *views;                 /* one per migration */
  migration **migs;                 /* one per migration */
  size_t n;                         /* migrations created */
};

static const sim_phase *phase_of(const set_guest *v) {
  const migration_set *s = v->set;
  if (s->hooks.phase) return s->hooks.phase(s->hooks.ctx, v->guest);
  const sim_workload *wl = &s->sc->workloads[s->sc->guests[v->guest].workload];
  return sim_workload_n_phases(wl) ? sim_workload_phase_body(wl, 0) : NULL;
}

/* Memory ever written: all but the zero pages, at least one byte (0 would
 * mean "all of it" to the view). */
static uint64_t resident_bytes(const sim_guest *g) {
  double r = round((double)g->memory_bytes * (1 - g->zero_fraction));
  return r >= 1 ? (uint64_t)r : 1;
}

static size_t view_groups(void *ctx, const sim_dirty_group **groups, double *utilisation) {
  const sim_phase *ph = phase_of(ctx);
  *groups = ph ? ph->dirty : NULL;
  *utilisation = ph ? ph->cpu_demand : 1;
  return ph ? ph->n_dirty : 0;
}

static double view_demand(void *ctx) {
  set_guest *v = ctx;
  if (v->set->hooks.net_demand_bps)
    return v->set->hooks.net_demand_bps(v->set->hooks.ctx, v->guest);
  /* Without the engine's word: a phase that sends data is network-bound and
   * would use its whole NIC. */
  const sim_phase *ph = phase_of(v);
  const migration_set *s = v->set;
  const sim_host_type *t = &s->sc->host_types[s->sc->hosts[s->sc->guests[v->guest].host].type];
  if (!ph || !(ph->net_messages > 0 && ph->net_tx_bytes > 0) || !t->n_nics) return 0;
  return t->nics[0].bandwidth_bps;
}

static void view_pause(void *ctx) {
  set_guest *v = ctx;
  if (v->set->hooks.pause) v->set->hooks.pause(v->set->hooks.ctx, v->guest);
}

static void view_resume(void *ctx, uint32_t host) {
  set_guest *v = ctx;
  if (v->set->hooks.resume) v->set->hooks.resume(v->set->hooks.ctx, v->guest, host);
}

static void view_throttle(void *ctx, double fraction) {
  set_guest *v = ctx;
  if (v->set->hooks.throttle) v->set->hooks.throttle(v->set->hooks.ctx, v->guest, fraction);
}

static void view_slow(void *ctx, double service) {
  set_guest *v = ctx;
  if (v->set->hooks.slow) v->set->hooks.slow(v->set->hooks.ctx, v->guest, service);
}

/* The host's first NIC, or NULL. */
static const sim_nic_spec *nic_of(const sim_scenario *sc, uint32_t host) {
  const sim_host_type *t = &sc->host_types[sc->hosts[host].type];
  return t->n_nics ? &t->nics[0] : NULL;
}

int migration_set_start(const sim_scenario *sc, const sim_profile *profile, sim_loop *loop,
                        sim_recorder *rec, const migration_engine_hooks *hooks, int32_t priority,
                        migration_set **out, sim_diag *diag) {
  *out = NULL;
  migration_params params;
  if (sc->n_migrations == 0) return 0;
  if (migration_params_from_profile(profile, sc->migrations, sc->n_migrations, &params, diag))
    return -1;
  migration_set *s = sim_calloc(1, sizeof *s);
  if (!s) goto oom;
  s->sc = sc;
  if (hooks) s->hooks = *hooks;
  s->net = net_share_new();
  s->tx_link = sim_calloc(sc->n_hosts, sizeof *s->tx_link);
  s->rx_link = sim_calloc(sc->n_hosts, sizeof *s->rx_link);
  s->views = sim_calloc(sc->n_migrations, sizeof *s->views);
  s->migs = sim_calloc(sc->n_migrations, sizeof *s->migs);
  if (!s->net || !s->tx_link || !s->rx_link || !s->views || !s->migs) goto oom;
  for (size_t h = 0; h < sc->n_hosts; h++) {
    const sim_nic_spec *nic = nic_of(sc, (uint32_t)h);
    s->tx_link[h] = s->rx_link[h] = -1;
    if (!nic) continue;
    s->tx_link[h] = net_share_link(s->net, nic->bandwidth_bps);
    s->rx_link[h] = net_share_link(s->net, nic->bandwidth_bps);
    if (s->tx_link[h] < 0 || s->rx_link[h] < 0) goto oom;
  }
  if (rec && !(s->recording = migration_recording_new(rec))) goto oom;
  for (size_t i = 0; i < sc->n_migrations; i++) {
    const sim_migration_spec *spec = &sc->migrations[i];
    const sim_guest *g = &sc->guests[spec->guest];
    uint32_t src = g->host, dst = spec->dest_host;
    s->views[i] = (set_guest){.set = s, .guest = spec->guest};
    const sim_nic_spec *sn = nic_of(sc, src), *dn = nic_of(sc, dst);
    migration_env env = {
        .spec = spec,
        .guest_name = g->name,
        .streams_name = sim_guest_streams(g),
        .seed = sc->seed,
        .run_index = sc->run_index,
        .source_name = sc->hosts[src].name,
        .dest_name = sc->hosts[dst].name,
        .source_host = src,
        .dest_host = dst,
        .view = {.ctx = &s->views[i],
                 .memory_bytes = g->memory_bytes,
                 .resident_bytes = resident_bytes(g),
                 .disk_bytes = g->disk_bytes,
                 .disk_write_Bps = 0,
                 .vcpus = g->vcpus,
                 .entity = s->hooks.entity ? s->hooks.entity(s->hooks.ctx, spec->guest) : -1,
                 .dirty_groups = view_groups,
                 .net_demand_bps = view_demand,
                 .pause = view_pause,
                 .resume = view_resume,
                 .throttle = view_throttle,
                 .slow = view_slow},
        .params = params,
        .net = s->net,
        .src_tx_link = s->tx_link[src],
        .dst_rx_link = s->rx_link[dst],
        .dst_tx_link = s->tx_link[dst],
        .link_latency_ns = (sn ? sn->latency_ns : 0) + (dn ? dn->latency_ns : 0),
        .recording = s->recording,
        .sample_interval_ns = sc->record.sample_interval_ns,
    };
    if (migration_create(&env, &s->migs[i], diag)) {
      migration_set_free(s);
      return -1;
    }
    s->n = i + 1;
    if (migration_attach(s->migs[i], loop, priority)) goto oom;
  }
  *out = s;
  return 0;
oom:
  sim_diag_error(diag, NULL, 0, 0, "live migrations: out of memory");
  migration_set_free(s);
  return -1;
}

int migration_set_error(const migration_set *s) {
  if (!s) return 0;
  for (size_t i = 0; i < s->n; i++)
    if (migration_error(s->migs[i])) return migration_error(s->migs[i]);
  return 0;
}

int migration_set_record_unfinished(migration_set *s, sim_time now) {
  if (!s) return 0;
  for (size_t i = 0; i < s->n; i++) {
    int rc = migration_record_unfinished(s->migs[i], now);
    if (rc < 0) return rc;
  }
  return 0;
}

void migration_set_free(migration_set *s) {
  if (!s) return;
  for (size_t i = 0; i < s->n; i++) migration_free(s->migs[i]);
  migration_recording_free(s->recording);
  net_share_free(s->net);
  sim_free(s->tx_link);
  sim_free(s->rx_link);
  sim_free(s->views);
  sim_free(s->migs);
  sim_free(s);
}
