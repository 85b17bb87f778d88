/* models/engine_dc.c: dynamic VM consolidation in a run [BB12]: the
 * controller of a scenario's `datacenter` section (scenarios/SCHEMA.md).
 *
 * Every interval it reads what each host and guest did over the interval
 * (the engine's per-host busy time and per-vCPU run and steal time), adds it
 * to their utilisation histories, charges each host's energy from its power
 * model, and then runs the policies (models/datacenter.h): the overload
 * detector on every switched-on host, the VM selection on each overloaded
 * one until it no longer is, the placement of the selected VMs, then the
 * underload detector, whose host is emptied only if every one of its VMs can
 * be placed elsewhere.  Each move is a live migration of the strategy the
 * section names (models/migration.h), on a network of the hosts' first NICs
 * that the migration streams share, with the guests' own traffic weighed in
 * as the scripted migrations do.  The guest changes host when its migration
 * resumes it (engine_migration.c), into a home (technique states, vCPUs
 * registered with the destination's scheduler) made when the move is decided
 * (eng_home_prepare, engine_setup.c): a guest has homes only on the hosts it
 * has been sent to, not on every host.  Empty hosts are
 * switched off (they draw nothing) and switched on, after their boot time,
 * when a VM is placed on them.
 * A VM's memory counts against its host's in every placement (`memory:
 * reserved`), or only in its own first placement, at the start or at its
 * arrival (`memory: placement-only`, as CloudSim 3.0.3 counts it: vm_load).
 * Guests that come and go (engine.c "Arrivals and departures"): one that
 * arrives is placed at its arrival by the placement policy, against the
 * loads of the moment (each guest's demand since the last interval, the
 * accounts closed at the arrival), or rejected when no
 * host has room; before its arrival, and after its departure or rejection,
 * a guest holds no host: no CPU, no memory, and it keeps no host on.
 *
 * Measures [BB12, Section 8.3] (engine_dc_report.c):
 *   energy      integral of each host's power over its utilisation, kWh
 *   SLATAH      mean over hosts of the share of their active time spent at
 *               100 % utilisation (an interval whose busy time is >= 99 % of
 *               the host's capacity counts whole)
 *   PDM         mean over VMs of the CPU time lost to migrations (10 % of
 *               what the VM ran while migrating) over the CPU time it
 *               requested (ran + waited runnable)
 *   SLAV        SLATAH x PDM;  ESV = energy x SLAV
 * Output (sim/recorder.h; DATASETS.md "Data center"):
 *   summary/datacenter   one row: energy, migrations, shutdowns, SLA metrics
 *   datacenter/hosts     per host: energy, active and 100 % time, boots
 *   datacenter/migrations one row per consolidation migration
 *   datacenter/placement guest-to-host mapping: a row at the start and at
 *                        every move
 *   series/host_power_w  each host's mean power per accounted span (the
 *                        intervals, and arrivals), written on change
 * Units: ns internally; s, W, kWh, bytes in tables.  Utilisation is a share
 * of a host's capacity (cores x clock); a VM's demand is in Hz (its CPU
 * share times its host's clock).
 * Invariants: at most one migration per guest at a time; the policies see a
 * copy of the loads, changed as moves are decided, so the state the engine
 * runs is touched only by the migrations. */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/datacenter.h"
#include "models/engine_internal.h"
#include "models/placement_random.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/rng.h"

#include "models/engine_dc_internal.h"

/* ---- migrations ---- */

static size_t view_groups(void *ctx, const sim_dirty_group **groups, double *utilisation) {
  dc_mig *m = ctx;
  const sim_phase *ph = m->dc->hooks.phase(m->dc->hooks.ctx, m->guest);
  *groups = ph ? ph->dirty : NULL;
  *utilisation = ph ? ph->cpu_demand : 1;
  return ph ? ph->n_dirty : 0;
}

static double view_demand(void *ctx) {
  dc_mig *m = ctx;
  return m->dc->hooks.net_demand_bps(m->dc->hooks.ctx, m->guest);
}

static void view_pause(void *ctx) {
  dc_mig *m = ctx;
  m->dc->hooks.pause(m->dc->hooks.ctx, m->guest);
}

static void view_resume(void *ctx, uint32_t host) {
  dc_mig *m = ctx;
  m->dc->hooks.resume(m->dc->hooks.ctx, m->guest, host);
}

static void view_throttle(void *ctx, double fraction) {
  dc_mig *m = ctx;
  m->dc->hooks.throttle(m->dc->hooks.ctx, m->guest, fraction);
}

static void view_slow(void *ctx, double service) {
  dc_mig *m = ctx;
  m->dc->hooks.slow(m->dc->hooks.ctx, m->guest, service);
}

/* A migration has ended: the guest runs on its destination. */
static void migration_done(void *ctx, migration *mig) {
  dc_mig *m = ctx;
  struct eng_dc *dc = m->dc;
  eng *e = dc->e;
  dc_gstate *gs = &dc->guests[m->guest];
  gs->migrating = false;
  dc->migrating_n[m->src]--;
  dc->migrating_n[m->dst]--;
  gs->degraded_s += MIGRATION_DEGRADATION * (dc_run_ns(e, &e->guests[m->guest]) - m->run_at_start_ns) * 1e-9;
  const migration_summary *s = migration_get_summary(mig);
  const sim_scenario *sc = e->sc;
  sim_cell row[8];
  row[0].f = (double)s->start_ns * 1e-9;
  row[1].s = sc->guests[m->guest].name;
  row[2].s = m->reason;
  row[3].s = sc->hosts[m->src].name;
  row[4].s = sc->hosts[m->dst].name;
  row[5].f = s->total_bytes;
  row[6].f = (double)s->total_ns * 1e-9;
  row[7].f = (double)s->downtime_ns * 1e-9;
  eng_note_rec(e, sim_table_append(dc->t_migs, row));
  eng_note_rec(e, dc_place_row(dc, sim_loop_now(e->loop), m->guest, m->dst));
  if (e->guests[m->guest].depart_pending) eng_depart(e, m->guest, true); /* its lifetime ended meanwhile */
}

static uint64_t resident_bytes(const sim_guest *g) {
  double r = round((double)g->memory_bytes * (1 - g->zero_fraction));
  return r >= 1 ? (uint64_t)r : 1;
}

/* Host hi's NIC links in the shared network, made when it first takes part
 * in a migration: every solve of the network goes over all its links, so a
 * data center's hosts that never migrate stay out of it.  0 or negative. */
static int host_links(struct eng_dc *dc, uint32_t hi) {
  if (dc->tx_link[hi] != LINKS_LATER) return 0;
  const sim_host_type *t = dc->e->hosts[hi].type;
  dc->tx_link[hi] = dc->rx_link[hi] = -1;
  if (!t->n_nics) return 0;
  dc->tx_link[hi] = net_share_link(dc->net, t->nics[0].bandwidth_bps);
  dc->rx_link[hi] = net_share_link(dc->net, t->nics[0].bandwidth_bps);
  return dc->tx_link[hi] < 0 || dc->rx_link[hi] < 0 ? -1 : 0;
}

/* Starts the migration of guest gi to host dst at `at`; 0 or negative. */
static int start_migration(struct eng_dc *dc, uint32_t gi, uint32_t dst, const char *reason, sim_time at) {
  eng *e = dc->e;
  const sim_scenario *sc = e->sc;
  uint32_t src = (uint32_t)(e->guests[gi].host - e->hosts);
  if (eng_home_prepare(e, gi, dst) < 0 || host_links(dc, src) < 0 || host_links(dc, dst) < 0) return -1;
  size_t cap_live = dc->cap_migs;
  if (sim_grow((void **)&dc->migs, &dc->cap_migs, dc->n_migs + 1, sizeof *dc->migs) < 0) return -1;
  if (sim_grow((void **)&dc->live, &cap_live, dc->n_migs + 1, sizeof *dc->live) < 0) return -1;
  dc_mig *m = sim_calloc(1, sizeof *m);
  if (!m) return -1;
  dc->live[dc->n_live++] = dc->n_migs;
  dc->migs[dc->n_migs++] = m;
  dc->migrating_n[src]++;
  dc->migrating_n[dst]++;
  *m = (dc_mig){.dc = dc, .guest = gi, .src = src, .dst = dst, .reason = reason};
  snprintf(m->name, sizeof m->name, "dc%zu-%s", dc->n_migs, sc->guests[gi].name);
  /* the rates and stop conditions a scripted migration has by default
   * (scenarios/SCHEMA.md "migrations") */
  m->spec = (sim_migration_spec){.name = m->name, .at_ns = at, .guest = gi, .dest_host = dst,
                                 .strategy = (char *)dc->spec->strategy, .min_rate_bps = 100e6,
                                 .max_rate_bps = 500e6, .max_rounds = 30};
  const sim_guest *g = &sc->guests[gi];
  const sim_host_type *st = &sc->host_types[sc->hosts[src].type], *dt = &sc->host_types[sc->hosts[dst].type];
  migration_env env = {
      .spec = &m->spec,
      .guest_name = g->name,
      .streams_name = sim_guest_streams(g),
      .seed = sc->seed,
      .run_index = sc->run_index,
      .source_name = sc->hosts[src].name,
      .dest_name = sc->hosts[dst].name,
      .source_host = src,
      .dest_host = dst,
      .view = {.ctx = m,
               .memory_bytes = g->memory_bytes,
               .resident_bytes = resident_bytes(g),
               .disk_bytes = g->disk_bytes,
               .vcpus = g->vcpus,
               .entity = e->guests[gi].entity,
               .dirty_groups = view_groups,
               .net_demand_bps = view_demand,
               .pause = view_pause,
               .resume = view_resume,
               .throttle = view_throttle,
               .slow = view_slow},
      .params = dc->params,
      .net = dc->net,
      .src_tx_link = dc->tx_link[src],
      .dst_rx_link = dc->rx_link[dst],
      .dst_tx_link = dc->tx_link[dst],
      .link_latency_ns = (st->n_nics ? st->nics[0].latency_ns : 0) + (dt->n_nics ? dt->nics[0].latency_ns : 0),
      .recording = dc->recording,
      .sample_interval_ns = sc->record.sample_interval_ns > 0 ? sc->record.sample_interval_ns : dc->spec->interval_ns,
      .finished = migration_done,
      .finished_ctx = m,
  };
  dc->net_used = true;
  if (migration_create(&env, &m->m, e->diag) < 0) return -1;
  if (migration_attach(m->m, e->loop, PRIO_RUN) < 0) return -1;
  dc->guests[gi].migrating = true;
  m->run_at_start_ns = dc_run_ns(e, &e->guests[gi]);
  return 0;
}

/* ---- the policies on the current loads ---- */

/* The longest migration of host hi's guests: memory over its NIC's rate
 * [BB12, Section 7.1], s (0 without a NIC), as dc->mig_s keeps it. */
static double max_migration_s(const struct eng_dc *dc, size_t hi) { return dc->mig_s[hi]; }

/* Guest gi's migration off host hi: its memory over the NIC's rate, s. */
static double migration_s(const struct eng_dc *dc, size_t gi, size_t hi) {
  const sim_host_type *t = dc->e->hosts[hi].type;
  return t->n_nics ? (double)dc->e->sc->guests[gi].memory_bytes * 8 / t->nics[0].bandwidth_bps : 0;
}

/* dc->mig_s of every host from where the guests are now: one pass over the
 * guests (the policies ask it of every host for every VM they place). */
static void refresh_migration_s(struct eng_dc *dc) {
  const eng *e = dc->e;
  for (size_t hi = 0; hi < e->sc->n_hosts; hi++) dc->mig_s[hi] = 0;
  for (size_t gi = 0; gi < e->sc->n_guests; gi++) {
    if (!dc_present(e, gi)) continue;
    size_t hi = (size_t)(e->guests[gi].host - e->hosts);
    dc->mig_s[hi] = fmax(dc->mig_s[hi], migration_s(dc, gi, hi));
  }
}

/* dc->mig_s of host hi alone during the initial placement, after a guest
 * left it: those declared on it still there (dc->on_host as group_by_host
 * made it before the placement) and those placed on it (dc->mig_in). */
static void refresh_host_migration_s(struct eng_dc *dc, size_t hi) {
  const eng *e = dc->e;
  dc->mig_s[hi] = dc->mig_in[hi];
  for (uint32_t k = dc->host_first[hi]; k < dc->host_first[hi + 1]; k++) {
    uint32_t gi = dc->on_host[k];
    if (e->guests[gi].host == &e->hosts[hi] && dc_present(e, gi))
      dc->mig_s[hi] = fmax(dc->mig_s[hi], migration_s(dc, gi, hi));
  }
}

/* Whether host hi is overloaded at the load in dc->load (its last history
 * sample replaced by that load). */
static bool overloaded_at(struct eng_dc *dc, size_t hi, double used_hz) {
  const dc_hstate *hs = &dc->hosts[hi];
  double u[DC_HISTORY_MAX];
  size_t n = hs->n_hist;
  memcpy(u, hs->hist, n * sizeof *u);
  if (n == 0) n = 1;
  u[n - 1] = used_hz / dc->load[hi].capacity_hz;
  dc_host_history h = {u, n, max_migration_s(dc, hi), (double)dc->spec->interval_ns * 1e-9};
  return dc->overload->overloaded(&h, dc->threshold, dc->safety);
}

static bool admit(void *ctx, size_t host, const dc_vm_load *vm) {
  struct eng_dc *dc = ctx;
  return !overloaded_at(dc, host, dc->load[host].used_hz + vm->demand_hz);
}

/* Guest gi's load where it is: its last demand, and its memory as
 * consolidation counts it: all of it (`memory: reserved`), or none
 * (`placement-only`): CloudSim 3.0.3, whose runs [BB12] reports, asks a VM
 * for its full RAM only while it is being instantiated
 * (Vm.getCurrentRequestedRam: isBeingInstantiated, cleared by
 * Datacenter.processVmCreate), afterwards for its cloudlets' RAM
 * utilisation times its RAM, and the PlanetLab examples
 * (PlanetLabHelper.createCloudletListPlanetLab) give the cloudlets
 * UtilizationModelNull for RAM: 0, so Host.isSuitableForVm
 * (RamProvisionerSimple) never refuses a migrating VM for memory, and each
 * consolidation's restoreAllocation re-creates every VM with 0 RAM. */
static dc_vm_load vm_load(const struct eng_dc *dc, uint32_t gi) {
  const eng *e = dc->e;
  return (dc_vm_load){dc->guests[gi].demand_cpus * e->guests[gi].host->clock_hz,
                      dc->spec->memory_placement_only ? 0 : e->sc->guests[gi].memory_bytes,
                      dc->placement->random
                          ? dc_placement_draw(e->sc->seed, e->sc->run_index, e->sc->guests[gi].name)
                          : 0};
}

/* Guest gi's load as its first placement counts it: all its memory, in
 * either accounting (CloudSim's VM being instantiated asks its full RAM). */
static dc_vm_load vm_load_placing(const struct eng_dc *dc, uint32_t gi) {
  dc_vm_load vm = vm_load(dc, gi);
  vm.memory_bytes = dc->e->sc->guests[gi].memory_bytes;
  return vm;
}

/* Host hi's entry of dc->load (or of an exclusion) has changed: the live indexes follow. */
static void load_changed(struct eng_dc *dc, size_t hi) {
  if (dc->room_live) dc_room_set(dc->room, hi, &dc->load[hi], dc->room_excluded && dc->room_excluded[hi]);
  if (dc->rank_live) dc_rank_set(dc->rank, dc->underload, hi, &dc->load[hi], dc->excluded_under[hi]);
}

/* dc->room indexes dc->load and `excluded` from now on. */
static void room_index(struct eng_dc *dc, const bool *excluded) {
  dc_room_build(dc->room, dc->load, excluded);
  dc->room_excluded = excluded;
  dc->room_live = true;
}

static void take(struct eng_dc *dc, size_t host, const dc_vm_load *vm, double sign) {
  dc->load[host].used_hz += sign * vm->demand_hz;
  if (sign > 0)
    dc->load[host].used_bytes += vm->memory_bytes;
  else
    dc->load[host].used_bytes -= vm->memory_bytes;
  load_changed(dc, host);
}

/* Sorts guests g[0..n-1] by decreasing demand (stable: ties keep their order). */
static void sort_by_demand(const struct eng_dc *dc, uint32_t *g, size_t n) {
  /* a bottom-up merge sort, stable as the order of equal demands requires:
   * runs of width w merged into dc->sort_tmp, then copied back */
  uint32_t *tmp = dc->sort_tmp;
  for (size_t w = 1; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n, a = lo, b = mid, k = lo;
      while (a < mid && b < hi)
        tmp[k++] = dc->guests[g[b]].demand_cpus > dc->guests[g[a]].demand_cpus ? g[b++] : g[a++];
      while (a < mid) tmp[k++] = g[a++];
      while (b < hi) tmp[k++] = g[b++];
    }
    memcpy(g, tmp, n * sizeof *g);
  }
}

/* Places guests g[0..n-1] (off their hosts in dc->load already) avoiding
 * dc->excluded; with `all`, either every one finds a host or none moves
 * (their loads are put back).  Returns how many were placed. */
static size_t place(struct eng_dc *dc, uint32_t *g, size_t n, const char *reason, bool all) {
  eng *e = dc->e;
  if (dc->placement->decreasing) sort_by_demand(dc, g, n);
  size_t first = dc->n_moves, placed = 0;
  for (size_t i = 0; i < n; i++) {
    dc_vm_load vm = vm_load(dc, g[i]);
    long d = dc->placement->choose(dc->load, e->sc->n_hosts, dc->excluded, dc->room, &vm, admit, dc);
    if (d < 0) {
      if (all) break;
      take(dc, (size_t)(e->guests[g[i]].host - e->hosts), &vm, +1); /* it stays */
      continue;
    }
    dc->load[d].active = true;
    take(dc, (size_t)d, &vm, +1);
    assert(dc->n_moves < dc->cap_moves); /* moves_room */
    dc->moves[dc->n_moves++] = (dc_move){g[i], (uint32_t)d, reason};
    placed++;
  }
  if (all && placed < n) { /* undo: they all stay */
    for (size_t k = first; k < dc->n_moves; k++) {
      dc_vm_load vm = vm_load(dc, dc->moves[k].guest);
      dc->load[dc->moves[k].dst].active = dc->hosts[dc->moves[k].dst].on;
      take(dc, dc->moves[k].dst, &vm, -1);
    }
    dc->n_moves = first;
    for (size_t i = 0; i < n; i++) {
      dc_vm_load vm = vm_load(dc, g[i]);
      take(dc, (size_t)(e->guests[g[i]].host - e->hosts), &vm, +1);
    }
    return 0;
  }
  return placed;
}

/* Whether a migration to or from host hi is under way (or waits for a boot). */
static bool migrating_at(const struct eng_dc *dc, size_t hi) { return dc->migrating_n[hi] > 0; }

/* dc->live less the migrations finished since, in start order (the order
 * the loads are summed in); its length. */
static size_t live_migs(struct eng_dc *dc) {
  size_t n = 0;
  for (size_t k = 0; k < dc->n_live; k++)
    if (!migration_finished(dc->migs[dc->live[k]]->m)) dc->live[n++] = dc->live[k];
  return dc->n_live = n;
}

/* Groups the guests by the host they are on (a counting sort: each host's
 * in guest order), so that a consolidation reads a host's guests without a
 * scan of them all; guests stay where they are while the moves are decided. */
static void group_by_host(struct eng_dc *dc) {
  const eng *e = dc->e;
  size_t nh = e->sc->n_hosts, ng = e->sc->n_guests;
  memset(dc->host_first, 0, (nh + 1) * sizeof *dc->host_first);
  for (size_t gi = 0; gi < ng; gi++)
    if (e->guests[gi].host) dc->host_first[(size_t)(e->guests[gi].host - e->hosts) + 1]++;
  for (size_t hi = 0; hi < nh; hi++) dc->host_first[hi + 1] += dc->host_first[hi];
  for (size_t gi = 0; gi < ng; gi++)
    if (e->guests[gi].host) {
      size_t hi = (size_t)(e->guests[gi].host - e->hosts);
      dc->on_host[dc->host_first[hi]++] = (uint32_t)gi;
    }
  for (size_t hi = nh; hi > 0; hi--) dc->host_first[hi] = dc->host_first[hi - 1];
  dc->host_first[0] = 0;
}

/* The guests on host hi that may move now (not migrating, not done), into g
 * in guest order; their count.  Needs group_by_host since the last move. */
static size_t movable(const struct eng_dc *dc, size_t hi, uint32_t *g) {
  const eng *e = dc->e;
  size_t n = 0;
  for (uint32_t k = dc->host_first[hi]; k < dc->host_first[hi + 1]; k++) {
    uint32_t gi = dc->on_host[k];
    if (!dc->guests[gi].migrating && e->guests[gi].finish_ns < 0 && dc_present(e, gi)) g[n++] = gi;
  }
  return n;
}

/* dc->load of every host as the guests now hold them: each present guest's
 * last demand and memory where it is, and where it is going too. */
static void current_loads(struct eng_dc *dc) {
  eng *e = dc->e;
  dc->room_live = dc->rank_live = false; /* rebuilt from the new loads */
  for (size_t hi = 0; hi < e->sc->n_hosts; hi++) {
    eng_host *h = &e->hosts[hi];
    dc->load[hi] = (dc_host_load){dc_capacity_hz(h), 0, h->type->memory_bytes, 0,
                                  dc->hosts[hi].has_power ? &dc->hosts[hi].power : NULL, dc->hosts[hi].on};
  }
  for (size_t gi = 0; gi < e->sc->n_guests; gi++) {
    if (!dc_present(e, gi)) continue;
    dc_vm_load vm = vm_load(dc, (uint32_t)gi);
    take(dc, (size_t)(e->guests[gi].host - e->hosts), &vm, +1);
  }
  /* a guest on its way holds its place at the destination too */
  for (size_t k = 0, n = live_migs(dc); k < n; k++) {
    const dc_mig *m = dc->migs[dc->live[k]];
    dc_vm_load vm = vm_load(dc, m->guest);
    take(dc, m->dst, &vm, +1);
  }
}

/* Room in dc->moves for n more moves; 0 or -1 (out of memory). */
static int moves_room(struct eng_dc *dc, size_t n) {
  return sim_grow((void **)&dc->moves, &dc->cap_moves, dc->n_moves + n, sizeof *dc->moves);
}

/* One consolidation [BB12, Section 5]: decides the moves into dc->moves. */
static void consolidate(struct eng_dc *dc, uint32_t *g) {
  eng *e = dc->e;
  size_t nh = e->sc->n_hosts;
  dc->n_moves = 0;
  refresh_migration_s(dc); /* the guests stay where they are while the moves are decided */
  group_by_host(dc);
  for (size_t hi = 0; hi < nh; hi++) {
    dc->excluded[hi] = false; /* a VM leaving an overloaded host may wake a switched-off one */
    dc->excluded_under[hi] = !dc->hosts[hi].on;
  }
  current_loads(dc);
  room_index(dc, dc->excluded);
  /* overloaded hosts: VMs leave each until it is not overloaded */
  size_t n_sel = 0;
  uint32_t *sel = g + e->sc->n_guests; /* the second half of the scratch */
  for (size_t hi = 0; hi < nh; hi++) {
    if (!dc->hosts[hi].on || dc->hosts[hi].n_hist == 0 || !overloaded_at(dc, hi, dc->load[hi].used_hz)) continue;
    dc->excluded[hi] = dc->excluded_under[hi] = true;
    load_changed(dc, hi);
    size_t n = movable(dc, hi, g);
    if (sim_grow((void **)&dc->cand, &dc->cap_cand, n, sizeof *dc->cand) < 0) {
      eng_note_rec(e, -1);
      dc->room_live = false;
      return;
    }
    dc_vm_candidate *cand = dc->cand;
    while (n > 0 && overloaded_at(dc, hi, dc->load[hi].used_hz)) {
      size_t nc = n;
      for (size_t k = 0; k < nc; k++) {
        const dc_gstate *gs = &dc->guests[g[k]];
        const sim_host_type *t = e->hosts[hi].type;
        double bw = t->n_nics ? t->nics[0].bandwidth_bps : INFINITY;
        cand[k] = (dc_vm_candidate){(double)e->sc->guests[g[k]].memory_bytes * 8 / bw,
                                    gs->demand_cpus * e->hosts[hi].clock_hz / dc->load[hi].capacity_hz, dc_guest_hist(dc, g[k]),
                                    gs->n_hist};
      }
      size_t k = dc->select->select(cand, nc, dc->rng);
      dc_vm_load vm = vm_load(dc, g[k]);
      take(dc, hi, &vm, -1);
      sel[n_sel++] = g[k];
      g[k] = g[--n];
    }
  }
  if (moves_room(dc, n_sel) < 0) {
    eng_note_rec(e, -1);
    dc->room_live = false;
    return;
  }
  place(dc, sel, n_sel, "overload", false);
  for (size_t k = 0; k < dc->n_moves; k++) dc->excluded_under[dc->moves[k].dst] = true;
  if (!dc->underload) {
    dc->room_live = false;
    return;
  }
  /* emptying a host onto a switched-off one saves nothing [BB12] */
  for (size_t hi = 0; hi < nh; hi++) dc->excluded[hi] |= !dc->load[hi].active;
  room_index(dc, dc->excluded);
  dc_rank_build(dc->rank, dc->underload, dc->load, dc->excluded_under);
  dc->rank_live = true;
  /* underloaded hosts: all VMs leave, or none; the hosts tried are no destinations */
  for (;;) {
    long u = dc_rank_lowest(dc->rank);
    if (u < 0) break;
    dc->excluded_under[u] = dc->excluded[u] = true;
    load_changed(dc, (size_t)u);
    size_t n = movable(dc, (size_t)u, g);
    if (n == 0 || migrating_at(dc, (size_t)u)) continue; /* [BB12]: not while VMs come or go */
    if (moves_room(dc, n) < 0) {
      eng_note_rec(e, -1);
      break;
    }
    for (size_t i = 0; i < n; i++) {
      dc_vm_load vm = vm_load(dc, g[i]);
      take(dc, (size_t)u, &vm, -1);
    }
    size_t before = dc->n_moves;
    if (place(dc, g, n, "underload", true) == 0) continue;
    for (size_t k = before; k < dc->n_moves; k++) {
      dc->excluded_under[dc->moves[k].dst] = true;
      load_changed(dc, dc->moves[k].dst);
    }
  }
  dc->room_live = dc->rank_live = false;
}

/* ---- the interval ---- */

static void switch_off_empty(struct eng_dc *dc) {
  eng *e = dc->e;
  if (!dc->spec->switch_off) return;
  for (size_t hi = 0; hi < e->sc->n_hosts; hi++) dc->used[hi] = false;
  for (size_t gi = 0; gi < e->sc->n_guests; gi++)
    if (dc_present(e, gi)) dc->used[e->guests[gi].host - e->hosts] = true;
  for (size_t k = 0, n = live_migs(dc); k < n; k++) dc->used[dc->migs[dc->live[k]]->dst] = true;
  for (size_t hi = 0; hi < e->sc->n_hosts; hi++) {
    dc_hstate *hs = &dc->hosts[hi];
    if (!hs->on || dc->used[hi]) continue;
    hs->on = false;
    hs->shutdowns++;
  }
}

/* A fresh network for the migrations about to start when every earlier one
 * has finished: a finished migration's flows stay in its network, inactive,
 * and every solve goes over all flows and links, so a day of thousands of
 * migrations would solve ever larger networks for the same few flows.  The
 * rates are the same: inactive flows take nothing.  0 or negative. */
static int fresh_net(struct eng_dc *dc) {
  if (!dc->net_used || live_migs(dc) > 0) return 0;
  if (sim_grow((void **)&dc->old_nets, &dc->cap_old_nets, dc->n_old_nets + 1, sizeof *dc->old_nets) < 0)
    return -1;
  net_share *net = net_share_new();
  if (!net) return -1;
  dc->old_nets[dc->n_old_nets++] = dc->net;
  dc->net = net;
  dc->net_used = false;
  for (size_t hi = 0; hi < dc->e->sc->n_hosts; hi++) dc->tx_link[hi] = dc->rx_link[hi] = LINKS_LATER;
  return 0;
}

static void interval_handler(sim_loop *loop, void *ctx, uint64_t arg) {
  (void)arg;
  struct eng_dc *dc = ctx;
  eng *e = dc->e;
  sim_time now = sim_loop_now(loop);
  dc_account(dc, now, true);
  switch_off_empty(dc);
  uint32_t *g = sim_malloc(2 * (e->sc->n_guests ? e->sc->n_guests : 1) * sizeof *g);
  if (!g) {
    eng_note_rec(e, -1);
    return;
  }
  consolidate(dc, g);
  sim_free(g);
  if (dc->n_moves && fresh_net(dc) < 0) eng_note_rec(e, -1);
  for (size_t k = 0; k < dc->n_moves && !e->failed; k++) {
    uint32_t d = dc->moves[k].dst;
    dc_hstate *hs = &dc->hosts[d];
    if (!hs->on) { /* switched on for it: the move waits for the boot */
      hs->on = true;
      hs->boots++;
      hs->booted_ns = now + e->sc->host_types[e->sc->hosts[d].type].power.boot_time_ns;
    }
    sim_time at = hs->booted_ns > now ? hs->booted_ns : now;
    eng_note_rec(e, start_migration(dc, dc->moves[k].guest, d, dc->moves[k].reason, at));
  }
  sim_time next = now + dc->spec->interval_ns;
  if (next < e->end_ns && !sim_schedule(loop, next, PRIO_DC, interval_handler, dc, 0)) eng_note_rec(e, -1);
}

/* ---- set-up and results ---- */

/* What a guest that has not run yet is taken to demand: its first phase's
 * share of each vCPU's time, CPUs. */
static double first_demand_cpus(const eng *e, const eng_guest *eg) {
  double d = !sim_workload_n_phases(eg->wl) ? 1
             : eg->wl->trace_mix          ? eng_trace_demand(e, eg, 0)
                                          : sim_workload_phase_demand(eg->wl, 0);
  return (d > 0 && d <= 1 ? d : 1) * eg->spec->vcpus;
}

/* Moves guest gi, which has not started, to host d as a migration's resume
 * moves it, without cost.  The technique states of the host it leaves were
 * never charged: they are freed (made again if a move brings it back,
 * eng_home_prepare), so that a placed guest holds the states of one host,
 * not two, unless scripted migrations may bring it back unprepared.  0 or
 * negative. */
static int move_unstarted(struct eng_dc *dc, uint32_t gi, uint32_t d) {
  eng *e = dc->e;
  uint32_t from = (uint32_t)(e->guests[gi].host - e->hosts);
  if (eng_home_prepare(e, gi, d) < 0) return -1;
  dc->hooks.pause(dc->hooks.ctx, gi);
  dc->hooks.resume(dc->hooks.ctx, gi, d);
  if (!e->sc->n_migrations) eng_home_release(e, gi, from);
  return 0;
}

/* Untouched twins: at the start every host is empty, off and without
 * history, so two hosts of one type and capacity are alike to every
 * placement policy (the same fit, power and room; their detector sees one
 * sample, its load, and falls back on its threshold), and of alike hosts the
 * policies take the first.  Only the first untouched host of each kind is
 * offered (dc->excluded hides the others, dc->twin links each to the next of
 * its kind); a host is touched when it takes a guest, and the next untouched
 * one of its kind is offered then.  For 10,000 hosts of two types this
 * offers the hosts in use and two empty ones, not every empty host.  A
 * random policy is offered every host: it draws among all that fit. */
static int hide_twins(struct eng_dc *dc) {
  const eng *e = dc->e;
  size_t nh = e->sc->n_hosts, nt = e->sc->n_host_types;
  uint32_t *last = sim_malloc((nt ? nt : 1) * sizeof *last); /* per type: the last host of its chain */
  if (!last) return -1;
  for (size_t t = 0; t < nt; t++) last[t] = UINT32_MAX;
  for (size_t hi = 0; hi < nh; hi++) {
    uint32_t t = e->sc->hosts[hi].type, k = last[t];
    dc->used[hi] = false; /* touched */
    dc->twin[hi] = UINT32_MAX;
    dc->excluded[hi] = !dc->placement->random && k != UINT32_MAX &&
                       dc->load[k].capacity_hz == dc->load[hi].capacity_hz;
    if (dc->excluded[hi]) dc->twin[k] = (uint32_t)hi;
    last[t] = (uint32_t)hi; /* a host of another capacity starts a chain of its own */
  }
  sim_free(last);
  return 0;
}

/* Host d takes a guest: offered from now on, and if it was the untouched
 * host offered for its kind, the next untouched one of its kind is. */
static void touch(struct eng_dc *dc, size_t d) {
  if (dc->used[d]) return;
  bool offered = !dc->excluded[d];
  dc->used[d] = true;
  dc->excluded[d] = false;
  load_changed(dc, d);
  if (!offered) return;
  uint32_t k = dc->twin[d];
  while (k != UINT32_MAX && dc->used[k]) k = dc->twin[k];
  if (k == UINT32_MAX) return;
  dc->excluded[k] = false;
  load_changed(dc, k);
}

/* Initial placement [BB12, Section 5]: before any guest starts, each goes
 * where the placement policy puts it (in decreasing order of its first
 * phase's demand when the policy sorts), all hosts empty and off; a guest no
 * host can take stays where the scenario put it.  Guests that arrive later
 * are placed at their arrival (eng_dc_arrive). */
static int place_at_start(struct eng_dc *dc, uint32_t *g) {
  eng *e = dc->e;
  size_t nh = e->sc->n_hosts, ng = 0;
  for (size_t hi = 0; hi < nh; hi++) {
    eng_host *h = &e->hosts[hi];
    dc->load[hi] = (dc_host_load){dc_capacity_hz(h), 0, h->type->memory_bytes, 0,
                                  dc->hosts[hi].has_power ? &dc->hosts[hi].power : NULL, false};
  }
  for (size_t gi = 0; gi < e->sc->n_guests; gi++) {
    if (!dc_present(e, gi)) continue;
    dc->guests[gi].demand_cpus = first_demand_cpus(e, &e->guests[gi]);
    g[ng++] = (uint32_t)gi;
  }
  if (dc->placement->decreasing) sort_by_demand(dc, g, ng);
  refresh_migration_s(dc);
  group_by_host(dc);
  for (size_t hi = 0; hi < nh; hi++) dc->mig_in[hi] = 0;
  if (hide_twins(dc) < 0) return -1;
  room_index(dc, dc->excluded);
  for (size_t k = 0; k < ng; k++) {
    dc_vm_load vm = vm_load_placing(dc, g[k]);
    long d = dc->placement->choose(dc->load, nh, dc->excluded, dc->room, &vm, admit, dc);
    if (d < 0) d = (long)e->sc->guests[g[k]].host;
    touch(dc, (size_t)d);
    dc->load[d].active = true;
    take(dc, (size_t)d, &vm, +1);
    if ((uint32_t)d == e->sc->guests[g[k]].host) continue;
    size_t from = (size_t)(e->guests[g[k]].host - e->hosts);
    if (move_unstarted(dc, g[k], (uint32_t)d) < 0) return -1;
    double s = migration_s(dc, g[k], (size_t)d);
    dc->mig_in[d] = fmax(dc->mig_in[d], s);
    refresh_host_migration_s(dc, from);
    dc->mig_s[d] = fmax(dc->mig_s[d], s);
  }
  dc->room_live = false;
  for (size_t gi = 0; gi < e->sc->n_guests; gi++) dc->guests[gi].demand_cpus = 0;
  return 0;
}

int eng_dc_arrive(eng *e, uint32_t gi, sim_time *start_ns) {
  struct eng_dc *dc = e->dc;
  sim_time now = sim_loop_now(e->loop);
  /* the books closed now (a host switched on for it is active from now),
   * the loads as measured since the last interval, with what is under way */
  dc_account(dc, now, false);
  refresh_migration_s(dc);
  current_loads(dc);
  dc_gstate *gs = &dc->guests[gi];
  gs->demand_cpus = first_demand_cpus(e, &e->guests[gi]);
  dc_vm_load vm = vm_load_placing(dc, gi);
  gs->demand_cpus = 0; /* it has requested nothing yet: the next interval measures it */
  room_index(dc, NULL);
  long d = dc->placement->choose(dc->load, e->sc->n_hosts, NULL, dc->room, &vm, admit, dc);
  dc->room_live = false;
  if (d < 0) {
    dc->rejected++;
    return 0;
  }
  dc_hstate *hs = &dc->hosts[d];
  if (!hs->on) { /* switched on for it: it starts when the host has booted */
    hs->on = true;
    hs->boots++;
    hs->booted_ns = now + e->sc->host_types[e->sc->hosts[d].type].power.boot_time_ns;
  }
  if (hs->booted_ns > now) *start_ns = hs->booted_ns;
  if (&e->hosts[d] != e->guests[gi].host && move_unstarted(dc, gi, (uint32_t)d) < 0) return -1;
  int rc = dc_place_row(dc, now, gi, (uint32_t)d);
  return rc < 0 ? rc : 1;
}

bool eng_dc_migrating(const eng *e, uint32_t gi) { return e->dc && e->dc->guests[gi].migrating; }

int eng_dc_start(eng *e, const sim_profile *profile) {
  const sim_scenario *sc = e->sc;
  if (!sc->datacenter.enabled) return 0;
  if (e->end_ns == SIM_TIME_MAX) {
    sim_diag_error(e->diag, sc->path, 0, 0, "the datacenter section needs simulation.duration");
    return -1;
  }
  struct eng_dc *dc = e->dc = sim_calloc(1, sizeof *dc);
  if (!dc) return -1;
  dc->e = e;
  dc->spec = &sc->datacenter;
  dc->placement = model_ops(MODEL_PLACEMENT, dc->spec->placement);
  dc->overload = model_ops(MODEL_OVERLOAD, dc->spec->overload);
  dc->underload = dc->spec->underload ? model_ops(MODEL_UNDERLOAD, dc->spec->underload) : NULL;
  dc->select = model_ops(MODEL_VM_SELECTION, dc->spec->vm_selection);
  if (!dc->placement || !dc->overload || !dc->select || (dc->spec->underload && !dc->underload)) {
    sim_diag_error(e->diag, sc->path, 0, 0, "datacenter: a policy is not in the catalog");
    return -1;
  }
  dc->threshold = dc->spec->threshold > 0 ? dc->spec->threshold : dc->overload->default_threshold;
  dc->safety = dc->spec->safety >= 0 ? dc->spec->safety : dc->overload->default_safety;
  sim_migration_spec probe = {.strategy = (char *)dc->spec->strategy};
  if (migration_params_from_profile(profile, &probe, 1, &dc->params, e->diag)) return -1;
  size_t nh = sc->n_hosts, ng = sc->n_guests ? sc->n_guests : 1;
  dc->rng = sim_rng_new(sc->seed, sc->run_index, sim_rng_stream_id("datacenter", "vm_selection"));
  dc->hosts = sim_calloc(nh, sizeof *dc->hosts);
  dc->guests = sim_calloc(ng, sizeof *dc->guests);
  if (dc->select && dc->select->needs_history)
    dc->guest_hist = sim_calloc(ng, DC_HISTORY_MAX * sizeof *dc->guest_hist);
  dc->load = sim_calloc(nh, sizeof *dc->load);
  dc->excluded = sim_calloc(nh, sizeof *dc->excluded);
  dc->excluded_under = sim_calloc(nh, sizeof *dc->excluded_under);
  dc->requested_hz = sim_calloc(nh, sizeof *dc->requested_hz);
  dc->used = sim_calloc(nh, sizeof *dc->used);
  dc->mig_s = sim_calloc(nh, sizeof *dc->mig_s);
  dc->mig_in = sim_calloc(nh, sizeof *dc->mig_in);
  dc->twin = sim_calloc(nh, sizeof *dc->twin);
  dc->migrating_n = sim_calloc(nh, sizeof *dc->migrating_n);
  dc->room = dc_room_new(nh);
  dc->rank = dc_rank_new(nh);
  dc->host_first = sim_calloc(nh + 1, sizeof *dc->host_first);
  dc->on_host = sim_calloc(ng, sizeof *dc->on_host);
  dc->sort_tmp = sim_calloc(ng, sizeof *dc->sort_tmp);
  dc->tx_link = sim_calloc(nh, sizeof *dc->tx_link);
  dc->rx_link = sim_calloc(nh, sizeof *dc->rx_link);
  dc->net = net_share_new();
  if (!dc->rng || !dc->hosts || !dc->guests || !dc->load || !dc->excluded || !dc->excluded_under || !dc->requested_hz || !dc->used || !dc->mig_s || !dc->mig_in || !dc->twin || !dc->migrating_n || !dc->room || !dc->rank || !dc->host_first || !dc->on_host || !dc->sort_tmp ||
      !dc->tx_link || !dc->rx_link || !dc->net ||
      (dc->select->needs_history && !dc->guest_hist))
    return -1;
  for (size_t hi = 0; hi < nh; hi++) {
    const sim_host_type *t = &sc->host_types[sc->hosts[hi].type];
    dc->tx_link[hi] = dc->rx_link[hi] = LINKS_LATER;
    dc_hstate *hs = &dc->hosts[hi];
    if (t->power.model) {
      const dc_power_ops *ops = model_ops(MODEL_POWER, t->power.model);
      if (!ops) return -1;
      hs->has_power = true;
      hs->power = (dc_power_model){ops, t->power.idle_w, t->power.max_w, {0}};
      memcpy(hs->power.table_w, t->power.table_w, sizeof hs->power.table_w);
    }
  }
  dc->hooks = eng_migration_hooks(e);
  if (eng_homes_preload(e) < 0) return -1;
  if (dc->spec->place_at_start) {
    uint32_t *g = sim_malloc(ng * sizeof *g);
    if (!g) return -1;
    int rc = place_at_start(dc, g);
    sim_free(g);
    if (rc < 0) return rc;
  }
  /* a host without guests at the start is off when hosts may be off */
  for (size_t hi = 0; hi < nh; hi++) dc->hosts[hi].on = !dc->spec->switch_off;
  for (size_t gi = 0; gi < sc->n_guests; gi++)
    if (dc_present(e, gi)) dc->hosts[e->guests[gi].host - e->hosts].on = true;
  if (sc->n_migrations == 0 && !(dc->recording = migration_recording_new(e->rec))) return -1;
  if (dc_declare_tables(dc) < 0) return -1;
  dc->sig_power = sim_recorder_signal(e->rec, "host_power_w", "W",
                                      "mean power the host draws from this row's time to its next row (0: "
                                      "switched off); its integral is the host's energy");
  if (dc->sig_power < 0 && dc->sig_power != SIM_SIGNAL_OFF) return -1;
  if (sim_recorder_signal_on_change(e->rec, dc->sig_power) < 0) return -1;
  for (size_t hi = 0; hi < nh; hi++) dc->hosts[hi].power_row_w = NAN;
  for (size_t gi = 0; gi < sc->n_guests; gi++) {
    if (!dc_present(e, gi)) continue; /* an arriving guest's row is made at its arrival */
    int rc = dc_place_row(dc, 0, (uint32_t)gi, (uint32_t)(e->guests[gi].host - e->hosts));
    if (rc < 0) return rc;
  }
  if (dc->spec->interval_ns < e->end_ns &&
      !sim_schedule(e->loop, dc->spec->interval_ns, PRIO_DC, interval_handler, dc, 0))
    return -1;
  return 0;
}

void eng_dc_free(struct eng_dc *dc) {
  if (!dc) return;
  for (size_t k = 0; k < dc->n_migs; k++) {
    migration_free(dc->migs[k]->m);
    sim_free(dc->migs[k]);
  }
  sim_free(dc->migs);
  migration_recording_free(dc->recording);
  net_share_free(dc->net);
  for (size_t k = 0; k < dc->n_old_nets; k++) net_share_free(dc->old_nets[k]);
  sim_free(dc->old_nets);
  if (dc->rng) gsl_rng_free(dc->rng);
  sim_free(dc->hosts);
  sim_free(dc->guests);
  sim_free(dc->guest_hist);
  sim_free(dc->load);
  sim_free(dc->excluded);
  sim_free(dc->excluded_under);
  sim_free(dc->host_first);
  sim_free(dc->on_host);
  sim_free(dc->sort_tmp);
  sim_free(dc->requested_hz);
  sim_free(dc->used);
  sim_free(dc->mig_s);
  sim_free(dc->mig_in);
  sim_free(dc->twin);
  sim_free(dc->migrating_n);
  sim_free(dc->live);
  dc_room_free(dc->room);
  dc_rank_free(dc->rank);
  sim_free(dc->cand);
  sim_free(dc->moves);
  sim_free(dc->tx_link);
  sim_free(dc->rx_link);
  sim_free(dc);
}
