/* models/engine_dc_report.c: what the consolidation controller
 * (engine_dc.c) measures and writes [BB12, Section 8.3]: each guest's
 * requested CPU and each host's busy time per interval, the hosts' energy
 * from their power models (at their P-state under DVFS, engine_dvfs.c), the
 * power series, the placement and migration tables, and at the run's end
 * summary/datacenter (energy, migrations, shutdowns, SLATAH, PDM, SLAV, ESV)
 * and datacenter/hosts.  Units: ns internally; s, W, kWh in tables. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/engine_dc_internal.h"
#include "sim/alloc.h"

/* Whether guest gi is on a host: arrived (or there from the start), not
 * departed, not rejected.  Every guest without `arrival` or `lifetime` is. */
bool dc_present(const eng *e, size_t gi) {
  const eng_guest *g = &e->guests[gi];
  return !g->arriving && !g->rejected && g->departure_ns < 0;
}

double dc_want_ns(const eng *e, const eng_guest *g) {
  double t = 0;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    const eng_vcpu *v = &e->vcpus[g->first_vcpu + i];
    t += (double)v->run_ns + (double)v->steal_ns;
  }
  return t;
}

double dc_run_ns(const eng *e, const eng_guest *g) {
  double t = 0;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) t += (double)e->vcpus[g->first_vcpu + i].run_ns;
  return t;
}

void dc_push(double *hist, size_t *n, double x) {
  if (*n == DC_HISTORY_MAX) {
    memmove(hist, hist + 1, (DC_HISTORY_MAX - 1) * sizeof *hist);
    (*n)--;
  }
  hist[(*n)++] = x;
}

/* A host's capacity at its top clock: under DVFS (engine_dvfs.c) its clock
 * follows its load, and a host its governor slowed while lightly loaded is
 * not a smaller host to the detectors and placement. */
double dc_capacity_hz(const eng_host *h) {
  double top_hz = h->dvfs.governor ? h->dvfs.policy.hz[h->dvfs.policy.n - 1] : h->clock_hz;
  return h->type->cores * top_hz;
}

/* Host hi drew `watts` on average from dc->last_ns to the time being
 * accounted: a row of series/host_power_w at dc->last_ns when that differs
 * from its last row (written on change: the value holds until the host's
 * next row), so the series integrates to the host's energy. */
static void power_row(struct eng_dc *dc, size_t hi, double watts) {
  dc_hstate *hs = &dc->hosts[hi];
  if (!hs->has_power || watts == hs->power_row_w) return;
  hs->power_row_w = watts;
  eng_note_rec(dc->e, sim_emit(dc->e->rec, dc->sig_power, dc->e->hosts[hi].entity, dc->last_ns, watts));
}

/* Energy, activity and 100 % time of every host from the last interval's end
 * to `now`; with `sample`, the utilisation histories grow by one. */
void dc_account(struct eng_dc *dc, sim_time now, bool sample) {
  eng *e = dc->e;
  double dt = (double)(now - dc->last_ns) * 1e-9;
  if (!(dt > 0)) return;
  for (size_t gi = 0; gi < e->sc->n_guests; gi++) {
    dc_gstate *gs = &dc->guests[gi];
    double w = dc_want_ns(e, &e->guests[gi]);
    gs->demand_cpus = (w - gs->prev_want_ns) * 1e-9 / dt;
    gs->prev_want_ns = w;
    double *hist = dc_guest_hist(dc, gi);
    if (sample && hist) {
      size_t n = gs->n_hist;
      dc_push(hist, &n, gs->demand_cpus);
      gs->n_hist = (uint32_t)n;
    }
  }
  /* each host's requested load: its guests' demands, summed in guest order */
  for (size_t hi = 0; sample && hi < e->sc->n_hosts; hi++) dc->requested_hz[hi] = 0;
  for (size_t gi = 0; sample && gi < e->sc->n_guests; gi++) {
    if (!dc_present(e, gi)) continue;
    const eng_host *h = e->guests[gi].host;
    dc->requested_hz[h - e->hosts] += dc->guests[gi].demand_cpus * h->clock_hz;
  }
  for (size_t hi = 0; hi < e->sc->n_hosts; hi++) {
    eng_host *h = &e->hosts[hi];
    dc_hstate *hs = &dc->hosts[hi];
    double busy = (double)(h->busy_ns - hs->prev_busy_ns) * 1e-9 / (dt * h->type->cores);
    hs->prev_busy_ns = h->busy_ns;
    if (!hs->on) {
      power_row(dc, hi, 0);
      continue;
    }
    /* while it boots it draws its full power and runs nothing [BB12 assumes it instant] */
    double boot_s = hs->booted_ns > dc->last_ns ? (double)(fmin(hs->booted_ns, now) - dc->last_ns) * 1e-9 : 0;
    if (hs->has_power) {
      double joules = dc_power_watts(&hs->power, 1) * boot_s + eng_dvfs_watts(h, &hs->power, busy) * (dt - boot_s);
      hs->energy_j += joules;
      power_row(dc, hi, joules / dt);
    }
    hs->active_s += dt;
    if (busy >= FULL_UTILISATION) hs->full_s += dt;
    if (!sample) continue;
    dc_push(hs->hist, &hs->n_hist, dc->requested_hz[hi] / dc_capacity_hz(h));
  }
  dc->last_ns = now;
}

/* ---- recording ---- */

int dc_place_row(struct eng_dc *dc, sim_time now, uint32_t guest, uint32_t host) {
  sim_cell row[3];
  row[0].f = (double)now * 1e-9;
  row[1].s = dc->e->sc->guests[guest].name;
  row[2].s = dc->e->sc->hosts[host].name;
  return sim_table_append(dc->t_place, row);
}

int dc_declare_tables(struct eng_dc *dc) {
  static const sim_column mcols[] = {
      {"start_s", SIM_COL_F64, "s", "when the migration started"},
      {"guest", SIM_COL_STR, "", "guest moved"},
      {"reason", SIM_COL_STR, "", "overload or underload: which detector chose its host"},
      {"source", SIM_COL_STR, "", "host it left"},
      {"destination", SIM_COL_STR, "", "host it went to"},
      {"bytes", SIM_COL_F64, "bytes", "on the wire, all rounds"},
      {"duration_s", SIM_COL_F64, "s", "start to the guest running at the destination"},
      {"downtime_s", SIM_COL_F64, "s", "guest stopped"},
  };
  static const sim_column pcols[] = {
      {"time_s", SIM_COL_F64, "s", "from then on"},
      {"guest", SIM_COL_STR, "", "guest"},
      {"host", SIM_COL_STR, "", "the host it runs on"},
  };
  sim_recorder *r = dc->e->rec;
  dc->t_migs = sim_recorder_table(r, "datacenter/migrations", "consolidation migrations, one row each",
                                  sizeof mcols / sizeof mcols[0], mcols);
  dc->t_place = sim_recorder_table(r, "datacenter/placement", "guest-to-host mapping over time",
                                   sizeof pcols / sizeof pcols[0], pcols);
  return dc->t_migs && dc->t_place ? 0 : -1;
}

int eng_dc_finish(eng *e, sim_time end) {
  struct eng_dc *dc = e->dc;
  if (!dc) return 0;
  dc_account(dc, end, false);
  /* the last rows: each host's last value holds until the end */
  for (size_t hi = 0; hi < e->sc->n_hosts; hi++)
    if (dc->hosts[hi].has_power && !isnan(dc->hosts[hi].power_row_w))
      eng_note_rec(e, sim_emit(e->rec, dc->sig_power, e->hosts[hi].entity, end, dc->hosts[hi].power_row_w));
  const sim_scenario *sc = e->sc;
  static const sim_column hcols[] = {
      {"name", SIM_COL_STR, "", "host name"},
      {"power_model", SIM_COL_STR, "", "its type's power model, empty: none"},
      {"energy_kwh", SIM_COL_F64, "kWh", "energy drawn over the run"},
      {"active_s", SIM_COL_F64, "s", "time switched on"},
      {"full_s", SIM_COL_F64, "s", "time at 100 % utilisation (SLATAH's numerator)"},
      {"shutdowns", SIM_COL_I64, "1", "times switched off"},
      {"boots", SIM_COL_I64, "1", "times switched on"},
  };
  sim_table *ht = sim_recorder_table(e->rec, "datacenter/hosts", "per host: energy and SLA time",
                                     sizeof hcols / sizeof hcols[0], hcols);
  if (!ht) return -1;
  double energy_j = 0, slatah = 0, pdm = 0;
  int64_t shutdowns = 0;
  size_t n_active = 0, n_vms = 0;
  for (size_t hi = 0; hi < sc->n_hosts; hi++) {
    const dc_hstate *hs = &dc->hosts[hi];
    const char *pm = sc->host_types[sc->hosts[hi].type].power.model;
    sim_cell row[7];
    row[0].s = sc->hosts[hi].name;
    row[1].s = pm ? pm : "";
    row[2].f = hs->energy_j / 3.6e6;
    row[3].f = hs->active_s;
    row[4].f = hs->full_s;
    row[5].i = hs->shutdowns;
    row[6].i = hs->boots;
    int rc = sim_table_append(ht, row);
    if (rc < 0) return rc;
    energy_j += hs->energy_j;
    shutdowns += hs->shutdowns;
    if (hs->active_s > 0) {
      slatah += hs->full_s / hs->active_s; /* [BB12, eq. (12)] */
      n_active++;
    }
  }
  for (size_t gi = 0; gi < sc->n_guests; gi++) {
    double requested_s = dc_want_ns(e, &e->guests[gi]) * 1e-9;
    if (!(requested_s > 0)) continue;
    pdm += dc->guests[gi].degraded_s / requested_s; /* [BB12, eq. (13)] */
    n_vms++;
  }
  slatah = n_active ? slatah / (double)n_active : 0;
  pdm = n_vms ? pdm / (double)n_vms : 0;
  int64_t finished = 0;
  for (size_t k = 0; k < dc->n_migs; k++) finished += migration_finished(dc->migs[k]->m);
  static const sim_column cols[] = {
      {"energy_kwh", SIM_COL_F64, "kWh", "energy of all hosts"},
      {"migrations", SIM_COL_I64, "1", "consolidation migrations started"},
      {"migrations_finished", SIM_COL_I64, "1", "of them, finished by the run's end"},
      {"shutdowns", SIM_COL_I64, "1", "hosts switched off"},
      {"slatah", SIM_COL_F64, "1", "SLA time per active host: mean share of active time at 100 %"},
      {"pdm", SIM_COL_F64, "1", "performance degradation due to migrations, mean over VMs"},
      {"slav", SIM_COL_F64, "1", "SLATAH x PDM"},
      {"esv", SIM_COL_F64, "kWh", "energy x SLAV"},
      {"interval_s", SIM_COL_F64, "s", "consolidation interval"},
      {"placement", SIM_COL_STR, "", "placement policy"},
      {"overload", SIM_COL_STR, "", "overload detector"},
      {"threshold", SIM_COL_F64, "1", "its threshold (static or fallback)"},
      {"safety", SIM_COL_F64, "1", "its safety parameter"},
      {"vm_selection", SIM_COL_STR, "", "VM selection policy"},
      {"rejected", SIM_COL_I64, "1", "arriving guests no host had room for (they never ran)"},
  };
  sim_table *t = sim_recorder_table(e->rec, "summary/datacenter", "dynamic consolidation: energy and SLA [BB12]",
                                    sizeof cols / sizeof cols[0], cols);
  if (!t) return -1;
  double kwh = energy_j / 3.6e6;
  sim_cell row[15];
  row[0].f = kwh;
  row[1].i = (int64_t)dc->n_migs;
  row[2].i = finished;
  row[3].i = shutdowns;
  row[4].f = slatah;
  row[5].f = pdm;
  row[6].f = slatah * pdm;
  row[7].f = kwh * slatah * pdm;
  row[8].f = (double)dc->spec->interval_ns * 1e-9;
  row[9].s = dc->spec->placement;
  row[10].s = dc->spec->overload;
  row[11].f = dc->threshold;
  row[12].f = dc->safety;
  row[13].s = dc->spec->vm_selection;
  row[14].i = dc->rejected;
  return sim_table_append(t, row);
}
