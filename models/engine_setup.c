/* models/engine_setup.c: the engine's set-up and teardown: hosts (profile,
 * clock, scheduler, pCPUs), guests (workload, technique states, vCPUs
 * registered with their host's scheduler, start event), the homes of guests
 * that migrate, the I/O model, trace-driven workloads, and the arrivals and
 * lifetimes of guests that come and go.
 * Units: ns, Hz, as in models/engine_internal.h.
 * Invariants: everything a run may need is allocated here, before the loop
 * runs (a scripted migration moves a guest without allocating), except the
 * homes consolidation decides on while the run goes (eng_home_prepare), made
 * when a move is decided, before its migration starts; teardown frees
 * whatever exists, also after a failure part-way.
 *
 * Trace-driven workloads (DATASETS.md "Utilisation traces"): the loader
 * reads a workload's trace (sim/trace.h: one CPU % per sample); at set-up
 * the engine makes the workload as runs play it (sim/workload_phase.c),
 * shared by every guest of that workload: one phase per sample, lasting the
 * trace interval, with cpu_demand = sample / 100 clamped to (0, 1] and the
 * operation mix of the workload's first phase (the work done per unit of CPU
 * time; plain instructions at CPI 1 when it has no phases).  An idle (0)
 * sample runs at a demand of 1/1000 (its timer ticks): the vCPU sleeps
 * nearly all the interval.  The guest completes at the trace's end unless
 * the workload repeats.  Cost: the loader's samples (8 bytes each) and one
 * mix phase per trace-driven workload, nothing per guest: a vCPU's phase is
 * composed when asked for (eng_trace_phase), in the mix itself, since the
 * phases differ in cpu_demand alone and every reader of a phase's demand
 * reads it at once.  The engine reads no file. */
#include <assert.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models/engine_internal.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/rng.h"
#include "sim/trace.h"

/* Whether the model lookup knows any model of `kind` (the registry knows
 * every I/O path the loader accepts). */
static bool model_names_of(const eng *e, model_kind kind) {
  static const char *const io_paths[] = {"native",      "emulated", "pv", "virtio",
                                         "passthrough", "bridge",   "nat"};
  if (kind != MODEL_IO_PATH) return true;
  for (size_t i = 0; i < sizeof io_paths / sizeof io_paths[0]; i++)
    if (e->find(kind, io_paths[i])) return true;
  return false;
}

/* The I/O model, when some guest's workload does I/O: each such guest with
 * its I/O path (guests[].io_path) and the native path as reference. */
int eng_setup_io(eng *e) {
  const sim_scenario *sc = e->sc;
  for (size_t gi = 0; gi < sc->n_guests; gi++) {
    eng_guest *g = &e->guests[gi];
    bool any = false;
    for (size_t k = 0; k < sim_workload_n_phases(g->wl) && !any; k++)
      any = io_phase_has_io(sim_workload_phase_body(g->wl, k));
    if (!any) continue;
    const char *pname = g->spec->io_path ? g->spec->io_path : "native";
    const model_entry *pe = e->find(MODEL_IO_PATH, pname);
    const model_entry *ne = e->find(MODEL_IO_PATH, "native");
    /* A model table without I/O paths (a test's) runs without the I/O model. */
    if (!model_names_of(e, MODEL_IO_PATH)) continue;
    if (!pe || !ne || !pe->ops || !ne->ops) {
      sim_diag_error(e->diag, sc->path, 0, 0, "guest '%s': unknown I/O path '%s'", g->spec->name,
                     pe ? "native" : pname);
      return -1;
    }
    if (!e->io && !(e->io = io_model_new(e->loop, sc, e->rec, PRIO_RUN))) return -1;
    int rc = io_model_add_guest(e->io, (uint32_t)gi, g->host->profile, pe->ops, ne->ops, g->entity,
                                e->diag);
    if (rc < 0) return rc;
  }
  return 0;
}

int eng_setup_host(eng *e, size_t hi, const sim_profile *scenario_profile) {
  eng_host *h = &e->hosts[hi];
  const sim_scenario *sc = e->sc;
  h->e = e;
  h->spec = &sc->hosts[hi];
  h->type = &sc->host_types[h->spec->type];
  uint32_t ti = h->spec->type;
  if (h->type->calibration && !e->own_profiles[ti]) {
    static const sim_data_path nowhere = {{NULL}, 0};
    const sim_data_path *search = e->opt && e->opt->data_path ? e->opt->data_path : &nowhere;
    if (sim_profile_load(search, h->type->calibration, &e->own_profiles[ti], e->diag) < 0) return -1;
  }
  h->profile = e->own_profiles[ti] ? e->own_profiles[ti] : scenario_profile;
  h->clock_hz = h->type->clock_hz;
  if (!(h->clock_hz > 0)) {
    if (!h->profile || sim_profile_get(h->profile, "cpu.clock", &h->clock_hz, NULL) < 0 ||
        !(h->clock_hz > 0)) {
      sim_diag_error(e->diag, sc->path, 0, 0,
                     "host '%s': no clock: set host_types.%s.clock or cpu.clock in the profile",
                     h->spec->name, h->type->name);
      return -1;
    }
  }
  if (h->type->cores == 0) {
    sim_diag_error(e->diag, sc->path, 0, 0, "host '%s' has no cores", h->spec->name);
    return -1;
  }
  const char *sname = h->type->scheduler ? h->type->scheduler : SCHED_DEFAULT_NAME;
  const model_entry *me = e->find(MODEL_SCHEDULER, sname);
  if (!me || !me->ops) {
    sim_diag_error(e->diag, sc->path, 0, 0, "host type '%s': unknown scheduler '%s'",
                   h->type->name, sname);
    return -1;
  }
  h->sched = me->ops;
  /* fidelity fluid: whatever the scheduler, CPU time is shared as its
   * weights and caps would share it in the limit (models/sched_fluid.c). */
  h->fluid = h->type->fidelity && !strcmp(h->type->fidelity, "fluid");
  if (h->fluid) h->sched = &sched_fluid_ops;
  if (!(h->sched->modes & (h->fluid ? SCHED_FLUID : SCHED_QUANTUM)) ||
      (h->fluid && (!h->sched->rate || !h->sched->set_demand))) {
    sim_diag_error(e->diag, sc->path, 0, 0, "scheduler '%s' has no %s mode", sname,
                   h->fluid ? "fluid" : "time-slice");
    return -1;
  }
  sched_env env = {h->type, h->profile, h->type->cores};
  if (h->sched->create(&env, &h->sched_state, e->diag) < 0) return -1;
  /* its vCPUs are added one by one: room for all of them at once saves a
   * data center's hosts a reallocation per vCPU */
  if (h->fluid && sched_fluid_reserve(h->sched_state, h->vcpu_cap, h->guest_cap) < 0) return -1;
  h->n_slots = h->type->cores;
  if (h->fluid && h->vcpu_cap > h->n_slots) h->n_slots = (uint32_t)h->vcpu_cap;
  h->pcpus = sim_calloc(h->n_slots, sizeof *h->pcpus);
  if (!h->pcpus) return -1;
  for (uint32_t p = 0; p < h->n_slots; p++) {
    h->pcpus[p].vcpu = -1;
    h->pcpus[p].last_guest = -1;
  }
  h->entity = sim_recorder_entity(e->rec, "host", h->spec->name, -1);
  return h->entity < 0 ? h->entity : 0;
}

/* ---- trace-driven workloads ---- */

/* A played trace's mix (sim_workload.trace_mix points at its phase).  The
 * workloads the loader made of one template for its guest entries' trace
 * files have the template's phases (sim/scenario_traces.c): at one interval
 * their mixes are alike, and one serves them all (a mix's readers read its
 * content, and the code identity it gives, vcost_code_id, is compared
 * within one guest's state, which plays one workload). */
typedef struct eng_mix {
  sim_phase phase;           /* the mix; first, so that the phase's address is the mix's */
  const char *template_name; /* the template (sim_workload.trace_template), the mix shared and
                              * chained in eng.mixes; NULL: its one workload's alone */
  sim_time interval_ns;      /* ns: its duration, the traces' interval */
  struct eng_mix *next;      /* the next shared mix (eng.mixes) */
} eng_mix;

/* Builds e->trace_wl[wi], trace-driven workload wi as runs play it
 * (sim/workload_phase.c), once: the scenario's workload with its mix phase
 * (owned here, shared by the workloads of its template, eng_mix) and a
 * sample of 100 % one vCPU's whole time.  The mix is the workload's first
 * phase (plain instructions at CPI 1 when it has none) lasting the trace's
 * interval. */
static int trace_played(eng *e, uint32_t wi) {
  if (e->trace_wl[wi].trace_mix) return 0;
  const sim_workload *src = &e->sc->workloads[wi];
  if (src->trace_interval_ns <= 0) {
    sim_diag_error(e->diag, src->trace_path, 0, 0, "trace of workload '%s' has no interval",
                   src->name);
    return -1;
  }
  if (!src->trace_cpu_percent || src->n_trace_samples == 0) {
    sim_diag_error(e->diag, src->trace_path, 0, 0, "trace of workload '%s' has no samples",
                   src->name);
    return -1;
  }
  eng_mix *m = e->mixes;
  while (m && !(src->trace_template && m->template_name == src->trace_template &&
                m->interval_ns == src->trace_interval_ns))
    m = m->next;
  if (!m) {
    if (!(m = sim_malloc(sizeof *m))) return -1;
    sim_phase *mix = &m->phase;
    *mix = src->n_phases ? src->phases[0] : (sim_phase){.instructions = 1000, .cycles_per_instruction = 1.0};
    mix->units = 0;
    mix->duration_ns = src->trace_interval_ns;
    mix->length = (sim_dist){0}; /* the trace gives every sample's length */
    m->template_name = src->trace_template;
    m->interval_ns = src->trace_interval_ns;
    m->next = NULL;
    if (m->template_name) { /* shared from now on */
      m->next = e->mixes;
      e->mixes = m;
    }
  }
  sim_phase *mix = &m->phase;
  sim_workload *w = &e->trace_wl[wi];
  *w = *src;
  /* the phases it plays are the samples' (sim_workload_phase), none stored */
  w->phases = NULL;
  w->n_phases = 0;
  w->trace_mix = mix;
  w->trace_scale = 1.0;
  return 0;
}

/* ---- rated speed ----
 * A guest with `rated` (sim_guest.rated_ips, R instructions/s) reads its
 * trace as CloudSim reads a VM's [BB12, Section 7.1]: a sample u asks
 * u x R instructions/s, against hosts of cores x MIPS.  Here that rate is
 * turned into what the vCPU asks of a core of its host: at the workload's
 * cycles per instruction c and the host's clock f, u x R x c / f of the
 * core's time (a share above 1 is clamped: one vCPU runs on one core at a
 * time).  With CPI 1, f in MHz is CloudSim's host MIPS per core, so a
 * 2500-MIPS VM at 100 % asks 1 core of a 1860 MHz G4 (it would need 1.34)
 * and 0.94 of a 2660 MHz G5.  The share, R x c / f, is worked out when a
 * sample's phase is composed (eng_trace_phase), from the guest's speed, its
 * trace's mix and its host's type (f: the clock of that type's hosts at
 * set-up): a guest plays its workload's one played trace on any host, a
 * migration changes its host alone, and nothing is held per speed. */

/* The clock of every host type's hosts (hosts are set up before guests). */
static int type_clocks(eng *e) {
  if (e->type_clock_hz) return 0;
  const sim_scenario *sc = e->sc;
  e->type_clock_hz = sim_calloc(sc->n_host_types ? sc->n_host_types : 1, sizeof *e->type_clock_hz);
  if (!e->type_clock_hz) return -1;
  for (size_t hi = 0; hi < sc->n_hosts; hi++) e->type_clock_hz[sc->hosts[hi].type] = e->hosts[hi].clock_hz;
  return 0;
}

/* The share of a core 100 % of guest g's played trace asks on its host: 1
 * when g is not rated. */
static double trace_scale(const eng *e, const eng_guest *g) {
  if (!(g->spec->rated_ips > 0)) return g->wl->trace_scale;
  const sim_phase *mix = g->wl->trace_mix;
  double cpi = mix->cycles_per_instruction > 0 ? mix->cycles_per_instruction : 1.0;
  return g->spec->rated_ips * cpi / e->type_clock_hz[g->host->spec->type];
}

double eng_trace_demand(const eng *e, const eng_guest *g, size_t k) {
  const sim_workload *wl = g->wl;
  assert(wl->trace_mix && k < wl->n_trace_samples);
  return sim_trace_demand(wl->trace_cpu_percent[k], trace_scale(e, g));
}

const sim_phase *eng_trace_phase(const eng *e, const eng_guest *g, size_t k) {
  size_t n = sim_workload_n_phases(g->wl);
  assert(g->wl->trace_mix && n > 0);
  /* past the last sample (a vCPU done) the last one's, the phase it ended in */
  sim_phase *mix = g->wl->trace_mix;
  mix->cpu_demand = eng_trace_demand(e, g, k < n ? k : n - 1);
  return mix;
}

int eng_setup_demand_period(eng *e, const sim_profile *profile) {
  double tick = 0;
  if (!profile || sim_profile_get(profile, "sched.tick", &tick, NULL) < 0 || !(tick >= 1)) {
    sim_diag_error(e->diag, profile ? sim_profile_name(profile) : e->sc->path, 0, 0,
                   "calibration profile lacks quantity 'sched.tick' (at least 1 ns): the burst "
                   "period of a partial cpu_demand");
    return -1;
  }
  e->demand_period_ns = (sim_time)tick;
  return 0;
}

/* ---- technique cost tables and states ---- */

/* The cost table of technique ops on host h: loaded on first use, then
 * shared by every guest of ops on hosts of the same profile and type. */
static int tech_params(eng *e, const technique_ops *ops, const eng_host *h, void **params) {
  for (size_t i = 0; i < e->n_params; i++) {
    const eng_params *p = &e->params[i];
    if (p->ops == ops && p->profile == h->profile && p->host_type == h->spec->type) {
      *params = p->params;
      return 0;
    }
  }
  if (sim_grow((void **)&e->params, &e->params_cap, e->n_params + 1, sizeof *e->params) < 0)
    return -1;
  if (ops->load(h->profile, h->type, params, e->diag) < 0) return -1;
  e->params[e->n_params++] = (eng_params){ops, h->profile, h->spec->type, *params};
  return 0;
}

/* A state of technique ops for guest g on host h. */
static int tech_state_new(eng *e, const technique_ops *ops, const eng_host *h, const sim_guest *g,
                          void **state) {
  void *params = NULL;
  if (tech_params(e, ops, h, &params) < 0) return -1;
  return ops->create(params, g, state, e->diag);
}

static void tech_state_free(const technique_ops *ops, void *state) {
  if (state) ops->destroy(state);
}

/* vCPUs (and guests) each host may run at the start: its own guests', and
 * those of guests a scripted migration brings to it (each guest counted
 * once per host).  Consolidation brings guests to hosts while the run goes: their
 * homes are made then (eng_home_prepare), and the host's tables grow. */
void eng_count_host_vcpus(eng *e) {
  const sim_scenario *sc = e->sc;
  for (size_t gi = 0; gi < sc->n_guests; gi++) {
    e->hosts[sc->guests[gi].host].vcpu_cap += sc->guests[gi].vcpus;
    e->hosts[sc->guests[gi].host].guest_cap++;
  }
  for (size_t i = 0; i < sc->n_migrations; i++) {
    const sim_migration_spec *m = &sc->migrations[i];
    bool seen = m->dest_host == sc->guests[m->guest].host;
    for (size_t j = 0; j < i && !seen; j++)
      seen = sc->migrations[j].guest == m->guest && sc->migrations[j].dest_host == m->dest_host;
    if (!seen) {
      e->hosts[m->dest_host].vcpu_cap += sc->guests[m->guest].vcpus;
      e->hosts[m->dest_host].guest_cap++;
    }
  }
}

/* Room for one more home of g (its arrays hold homes_cap homes).  The four
 * arrays share one allocation, home_tech's: a guest of a datacenter has two
 * homes at least (its own, and where placement puts it), and four small
 * blocks would cost twice the bytes of their entries in allocator overhead. */
static int homes_grow(eng_guest *g) {
  if (g->n_homes < g->homes_cap) return 0;
  size_t cap = g->homes_cap ? 2 * (size_t)g->homes_cap : 2, nv = g->spec->vcpus, n = g->n_homes;
  /* pointers first, then the 4-byte arrays: each stays aligned */
  void **tech = sim_malloc(cap * (2 * sizeof(void *) + sizeof(uint32_t) + nv * sizeof(int32_t)));
  if (!tech) return -1;
  void **native = tech + cap;
  uint32_t *host = (uint32_t *)(native + cap);
  int32_t *sched = (int32_t *)(host + cap);
  if (n) {
    memcpy(tech, g->home_tech, n * sizeof *tech);
    memcpy(native, eng_home_native(g), n * sizeof *native);
    memcpy(host, eng_home_host(g), n * sizeof *host);
    memcpy(sched, eng_home_sched(g), n * nv * sizeof *sched);
  }
  sim_free(g->home_tech);
  g->home_tech = tech;
  g->homes_cap = (uint32_t)cap;
  assert(eng_home_native(g) == native && eng_home_host(g) == host && eng_home_sched(g) == sched);
  return 0;
}

/* Room for `need` entries of `size` bytes in *array (*capacity of them),
 * grown to need exactly: a host gains a vCPU at run time only when a guest
 * comes to it for the first time, and room doubled on every host of a data
 * center would hold up to twice its entries for the whole run. */
static int room_for(void **array, size_t *capacity, size_t need, size_t size) {
  if (need <= *capacity) return 0;
  void *grown = sim_realloc(*array, need * size);
  if (!grown) return -1;
  *array = grown;
  *capacity = need;
  return 0;
}

/* Host h may run one more vCPU: its scheduler-id table, and in fluid mode
 * its slots (one per vCPU), grow. */
static int host_room(eng_host *h) {
  if (room_for((void **)&h->vcpu_of_sched, &h->vcpu_cap, h->n_vcpus + 1, sizeof *h->vcpu_of_sched) < 0)
    return -1;
  if (!h->fluid || h->n_vcpus < h->n_slots) return 0;
  size_t cap = h->n_slots;
  if (room_for((void **)&h->pcpus, &cap, h->n_vcpus + 1, sizeof *h->pcpus) < 0) return -1;
  for (size_t p = h->n_slots; p < cap; p++) h->pcpus[p] = (eng_pcpu){-1, -1, SIM_EVENT_NONE};
  h->n_slots = (uint32_t)cap;
  return 0;
}

/* Guest g's technique states on its home k, made now (a state is a
 * function of the technique's table and the guest until charged). */
static int home_states(eng *e, eng_guest *g, uint32_t k) {
  const eng_host *h = &e->hosts[eng_home_host(g)[k]];
  if (tech_state_new(e, g->tech, h, g->spec, &g->home_tech[k]) < 0) return -1;
  return tech_state_new(e, g->native, h, g->spec, &eng_home_native(g)[k]);
}

/* A home of guest gi on host d, added as home g->n_homes: its technique
 * states there and its vCPUs registered (blocked) with d's scheduler. */
static int home_add(eng *e, size_t gi, uint32_t d) {
  eng_guest *g = &e->guests[gi];
  uint32_t nv = g->spec->vcpus;
  if (homes_grow(g) < 0) return -1;
  uint32_t k = g->n_homes;
  eng_host *h = &e->hosts[d];
  eng_home_host(g)[k] = d;
  g->home_tech[k] = eng_home_native(g)[k] = NULL;
  g->n_homes++; /* teardown frees what exists of it */
  if (home_states(e, g, k) < 0) return -1;
  for (uint32_t i = 0; i < nv; i++) {
    int32_t pin = g->spec->pinning ? g->spec->pinning[i] : -1;
    if (pin >= (int32_t)h->type->cores) pin = -1; /* a pin the destination lacks */
    sched_vcpu_info info = {(uint32_t)gi, pin, g->spec->weight, g->spec->cap};
    if (host_room(h) < 0 || h->sched->add_vcpu(h->sched_state, &info) < 0) return -1;
    eng_home_sched(g)[(size_t)k * nv + i] = (int32_t)h->n_vcpus;
    h->vcpu_of_sched[h->n_vcpus++] = g->first_vcpu + i;
  }
  return 0;
}

/* For a guest that may migrate, its home list, its own host first.  A
 * scripted migration's destination gets its home here, before the run, so
 * that the migration moves the guest without any allocation; under dynamic
 * consolidation (engine_dc.c) any host may become a destination, and a home
 * is made when a move to it is decided (eng_home_prepare): preparing one on
 * every host would cost guests x hosts homes. */
static int setup_homes(eng *e, size_t gi) {
  const sim_scenario *sc = e->sc;
  eng_guest *g = &e->guests[gi];
  bool scripted = false;
  for (size_t i = 0; i < sc->n_migrations && !scripted; i++) scripted = sc->migrations[i].guest == gi;
  if (!scripted && !sc->datacenter.enabled) return 0;
  if (homes_grow(g) < 0) return -1;
  g->n_homes = 1;
  eng_home_host(g)[0] = g->spec->host;
  g->home_tech[0] = g->tech_state;
  eng_home_native(g)[0] = g->native_state;
  for (uint32_t i = 0; i < g->spec->vcpus; i++) eng_home_sched(g)[i] = e->vcpus[g->first_vcpu + i].sched_id;
  for (size_t mi = 0; mi < sc->n_migrations; mi++) {
    uint32_t d = sc->migrations[mi].dest_host;
    if (sc->migrations[mi].guest != gi) continue;
    bool seen = false;
    for (uint32_t k = 0; k < g->n_homes; k++) seen |= eng_home_host(g)[k] == d;
    if (!seen && home_add(e, gi, d) < 0) return -1;
  }
  return 0;
}

int eng_home_prepare(eng *e, uint32_t gi, uint32_t host) {
  eng_guest *g = &e->guests[gi];
  assert(g->n_homes > 0); /* set-up gave it a home list (setup_homes) */
  for (uint32_t k = 0; k < g->n_homes; k++)
    if (eng_home_host(g)[k] == host) /* its states again if it left them unused (eng_home_release) */
      return g->home_tech[k] ? 0 : home_states(e, g, k);
  return home_add(e, gi, host);
}

void eng_home_release(eng *e, uint32_t gi, uint32_t host) {
  eng_guest *g = &e->guests[gi];
  assert(!e->sc->n_migrations); /* a scripted migration resumes without preparing */
  for (uint32_t k = 0; k < g->n_homes; k++) {
    if (eng_home_host(g)[k] != host) continue;
    assert(g->home_tech[k] != g->tech_state); /* it is elsewhere now */
    tech_state_free(g->tech, g->home_tech[k]);
    tech_state_free(g->native, eng_home_native(g)[k]);
    g->home_tech[k] = eng_home_native(g)[k] = NULL;
  }
}

int eng_homes_preload(eng *e) {
  const sim_scenario *sc = e->sc;
  const technique_ops *seen[16];
  size_t n_seen = 0;
  for (size_t gi = 0; gi < sc->n_guests; gi++) {
    const technique_ops *ops[2] = {e->guests[gi].tech, e->guests[gi].native};
    for (int j = 0; j < 2; j++) {
      bool known = false;
      for (size_t s = 0; s < n_seen && !known; s++) known = seen[s] == ops[j];
      if (known) continue;
      assert(n_seen < sizeof seen / sizeof seen[0]); /* the catalog has fewer techniques */
      seen[n_seen++] = ops[j];
      /* one host of each type: the tables are per (profile, type), the
       * profile per type */
      for (size_t t = 0; t < sc->n_host_types; t++)
        for (size_t hi = 0; hi < sc->n_hosts; hi++) {
          if (sc->hosts[hi].type != t) continue;
          void *params;
          if (tech_params(e, ops[j], &e->hosts[hi], &params) < 0) return -1;
          break;
        }
    }
  }
  return 0;
}

static void teardown_homes(eng_guest *g) {
  for (uint32_t k = 0; k < g->n_homes; k++) {
    tech_state_free(g->tech, g->home_tech[k]);
    tech_state_free(g->native, eng_home_native(g)[k]);
  }
  sim_free(g->home_tech); /* the other home arrays' too (homes_grow) */
}

/* ---- arrivals and departures ----
 * A guest entry's `arrival` (sim_guest_churn) is drawn here, at set-up, not
 * by the loader: the loaded (and resolved) scenario is the same for every
 * seed and run index, and each replication draws its own arrivals.  The
 * entry's instances take the arrivals of one stream, "<pattern>/arrivals",
 * in instance order: instance i arrives at the (i + 1)-th, so adding another
 * entry, or reordering the file, changes no arrival.  Poisson gaps are
 * exponential of mean 1 / rate; deterministic arrivals fall at
 * start + (i + 1) / rate exactly.  A lifetime is drawn per guest from its
 * own stream "<guest>/lifetime" and counts from its arrival. */

/* A time in ns from a double, clamped to [0, SIM_TIME_MAX]. */
static sim_time ns_of(double t) { return !(t < 9e18) ? SIM_TIME_MAX : t <= 0 ? 0 : (sim_time)llround(t); }

/* The arrivals of churn c into the start_ns of its guests: who[i] is the
 * guest of instance i (SIZE_MAX: none), n of them. */
static int draw_arrivals(eng *e, const sim_guest_churn *c, const size_t *who, size_t n) {
  const sim_scenario *sc = e->sc;
  gsl_rng *r = sim_rng_new(sc->seed, sc->run_index, sim_rng_stream_id(c->pattern, "arrivals"));
  if (!r) return -1;
  double origin = -1, t = 0;
  for (size_t i = 0; i < n && origin < 0; i++)
    if (who[i] != SIZE_MAX) origin = (double)e->guest_specs[who[i]].start_ns;
  for (size_t i = 0; i < n; i++) {
    if (c->process == SIM_GUEST_POISSON)
      t += gsl_ran_exponential(r, 1e9 / c->rate_per_s);
    else
      t = (double)(i + 1) * 1e9 / c->rate_per_s;
    if (who[i] != SIZE_MAX) e->guest_specs[who[i]].start_ns = ns_of(origin + t);
  }
  gsl_rng_free(r);
  return 0;
}

int eng_setup_arrivals(eng *e) {
  const sim_scenario *sc = e->sc;
  e->ev_depart = e->ev_reject = -1;
  if (!sc->n_churns) return 0;
  size_t ng = sc->n_guests, nc = sc->n_churns;
  e->guest_specs = sim_malloc((ng ? ng : 1) * sizeof *e->guest_specs);
  size_t *first = sim_calloc(nc + 1, sizeof *first); /* churn c's instances: who[first[c] ..] */
  if (!e->guest_specs || !first) {
    sim_free(first);
    return -1;
  }
  if (ng) memcpy(e->guest_specs, sc->guests, ng * sizeof *e->guest_specs);
  for (size_t gi = 0; gi < ng; gi++) {
    const sim_guest *g = &sc->guests[gi];
    if (g->churn && first[g->churn] < g->instance + 1) first[g->churn] = g->instance + 1;
  }
  for (size_t c = 0; c < nc; c++) first[c + 1] += first[c]; /* counts to offsets */
  size_t *who = sim_malloc((first[nc] ? first[nc] : 1) * sizeof *who);
  int rc = who ? 0 : -1;
  for (size_t k = 0; who && k < first[nc]; k++) who[k] = SIZE_MAX;
  for (size_t gi = 0; who && gi < ng; gi++) {
    const sim_guest *g = &sc->guests[gi];
    if (g->churn) who[first[g->churn - 1] + g->instance] = gi;
  }
  for (size_t c = 0; rc == 0 && c < nc; c++)
    if (sc->churns[c].process != SIM_GUEST_AT_START)
      rc = draw_arrivals(e, &sc->churns[c], who + first[c], first[c + 1] - first[c]);
  sim_free(who);
  sim_free(first);
  if (rc < 0) return rc;
  e->ev_depart = sim_recorder_event_type(e->rec, "guest_departure",
                                         "a guest's lifetime ends and it leaves its host; value0 = time "
                                         "since its arrival, s; value1 = 1 when it waited for its "
                                         "migration's end");
  e->ev_reject = sim_recorder_event_type(e->rec, "guest_rejected",
                                         "no host has room for an arriving guest: it never runs; "
                                         "value0 = its vCPUs, value1 = its memory, bytes");
  if (e->ev_depart < 0) return e->ev_depart;
  return e->ev_reject < 0 ? e->ev_reject : 0;
}

/* Schedules guest gi's departure, a lifetime drawn from its stream after
 * its arrival (none after the run's end). */
static int schedule_departure(eng *e, size_t gi) {
  const sim_scenario *sc = e->sc;
  const eng_guest *g = &e->guests[gi];
  const sim_guest_churn *c = g->spec->churn ? &sc->churns[g->spec->churn - 1] : NULL;
  if (!c || !c->has_lifetime) return 0;
  gsl_rng *r = sim_rng_new(sc->seed, sc->run_index, sim_rng_stream_id(sim_guest_streams(g->spec), "lifetime"));
  if (!r) return -1;
  double lifetime = sim_dist_sample(&c->lifetime, r);
  gsl_rng_free(r);
  sim_time at = ns_of((double)g->spec->start_ns + lifetime);
  if (at > e->end_ns) return 0;
  return sim_schedule(e->loop, at, PRIO_DEPART, eng_depart_handler, e, gi) ? 0 : -1;
}

/* A vCPU's entity name, "<guest>/vcpu<i>", cut to size - 1 characters as
 * snprintf would: a data center names a hundred thousand vCPUs at set-up,
 * and a format string's parsing costs ten times this.  Its prefix,
 * "<guest>/vcpu", the same for each vCPU of a guest, is written once a
 * guest (vcpu_name_prefix), each vCPU's number after it (vcpu_name_number). */

/* "<guest>/vcpu" into out (size bytes), cut: its length. */
static size_t vcpu_name_prefix(char *out, size_t size, const char *guest) {
  size_t len = 0;
  for (const char *c = guest; *c && len + 1 < size; c++) out[len++] = *c;
  for (const char *c = "/vcpu"; *c && len + 1 < size; c++) out[len++] = *c;
  out[len] = '\0';
  return len;
}

/* i after out's prefix of len characters (vcpu_name_prefix), cut. */
static void vcpu_name_number(char *out, size_t size, size_t len, uint32_t i) {
  char digits[10]; /* UINT32_MAX has 10 */
  size_t n_digits = 0;
  do {
    digits[n_digits++] = (char)('0' + i % 10);
    i /= 10;
  } while (i);
  while (n_digits > 0 && len + 1 < size) out[len++] = digits[--n_digits];
  out[len] = '\0';
}

int eng_setup_guest(eng *e, size_t gi, uint32_t *next_vcpu) {
  const sim_scenario *sc = e->sc;
  eng_guest *g = &e->guests[gi];
  g->spec = e->guest_specs ? &e->guest_specs[gi] : &sc->guests[gi];
  g->arriving = g->spec->churn && sc->churns[g->spec->churn - 1].process != SIM_GUEST_AT_START;
  g->departure_ns = -1;
  g->wl = &sc->workloads[g->spec->workload];
  g->host = &e->hosts[g->spec->host];
  g->finish_ns = -1;
  g->service = 1;
  eng_host *h = g->host;
  const char *tname = g->spec->technique ? g->spec->technique : "native";
  /* the guests of a data center name a few techniques, one after another:
   * the rows the last guest found are the ones its technique's name finds */
  if (!e->setup_tname || strcmp(e->setup_tname, tname) != 0) {
    e->setup_tech = e->find(MODEL_TECHNIQUE, tname);
    e->setup_native = e->find(MODEL_TECHNIQUE, "native");
    e->setup_tname = tname;
  }
  const model_entry *me = e->setup_tech;
  const model_entry *nat = e->setup_native;
  if (!me || !nat || !me->ops || !nat->ops) {
    sim_diag_error(e->diag, sc->path, 0, 0, "guest '%s': unknown technique '%s'", g->spec->name,
                   me ? "native" : tname);
    return -1;
  }
  if (g->wl->trace_path) {
    if (trace_played(e, g->spec->workload) < 0) return -1;
    if (g->spec->rated_ips > 0 && type_clocks(e) < 0) return -1;
    g->wl = &e->trace_wl[g->spec->workload];
  }
  if (g->wl->repeat && e->end_ns == SIM_TIME_MAX) {
    sim_diag_error(e->diag, sc->path, 0, 0,
                   "guest '%s': workload '%s' repeats forever: set simulation.duration",
                   g->spec->name, g->wl->name);
    return -1;
  }
  if (g->spec->vcpus == 0) {
    sim_diag_error(e->diag, sc->path, 0, 0, "guest '%s' has no vCPUs", g->spec->name);
    return -1;
  }
  g->tech = me->ops;
  if (tech_state_new(e, g->tech, h, g->spec, &g->tech_state) < 0) return -1;
  g->native = nat->ops;
  g->tech_unit = technique_unit_index(g->tech);
  g->native_unit = technique_unit_index(g->native);
  if (tech_state_new(e, g->native, h, g->spec, &g->native_state) < 0) return -1;
  g->entity = sim_recorder_entity(e->rec, "guest", g->spec->name, h->entity);
  if (g->entity < 0) return g->entity;
  g->first_vcpu = *next_vcpu;
  g->unit_holder = g->first_vcpu;
  char name[160]; /* its vCPUs' entity names, each the guest's prefix and its number */
  size_t name_prefix = vcpu_name_prefix(name, sizeof name, g->spec->name);
  for (uint32_t i = 0; i < g->spec->vcpus; i++) {
    eng_vcpu *v = &e->vcpus[*next_vcpu];
    v->guest = (uint32_t)gi;
    v->pcpu = -1;
    v->rate = 1.0;
    v->want = 1.0;
    v->state = V_BLOCKED;
    v->phase_end_ns = SIM_TIME_MAX;
    int32_t pin = g->spec->pinning ? g->spec->pinning[i] : -1;
    if (pin >= (int32_t)h->type->cores) {
      sim_diag_error(e->diag, sc->path, 0, 0, "guest '%s': vCPU %u pinned to CPU %d of %u",
                     g->spec->name, i, pin, h->type->cores);
      return -1;
    }
    sched_vcpu_info info = {(uint32_t)gi, pin, g->spec->weight, g->spec->cap};
    if (h->sched->add_vcpu(h->sched_state, &info) < 0) return -1;
    v->sched_id = (int32_t)h->n_vcpus;
    h->vcpu_of_sched[h->n_vcpus++] = *next_vcpu;
    vcpu_name_number(name, sizeof name, name_prefix, i);
    v->entity = sim_recorder_entity(e->rec, "vcpu", name, g->entity);
    if (v->entity < 0) return v->entity;
    (*next_vcpu)++;
  }
  if (setup_homes(e, gi) < 0) return -1;
  if (g->wl->requests && eng_requests_setup(e, g) < 0) return -1;
  bool random_length = false;
  for (size_t k = 0; k < sim_workload_n_phases(g->wl) && !random_length; k++)
    random_length = sim_workload_phase_body(g->wl, k)->length.family != SIM_DIST_DETERMINISTIC;
  if (random_length && !(g->length_rng = sim_rng_new(sc->seed, sc->run_index,
                                                     sim_rng_stream_id(sim_guest_streams(g->spec), "phase_length"))))
    return -1;
  /* a guest with an image starts once provisioned (engine_provision.c) */
  sim_time start_ns = g->spec->start_ns;
  if (g->spec->image && eng_provision_guest(e, gi, &start_ns) < 0) return -1;
  if (!sim_schedule(e->loop, start_ns, PRIO_WAKE, eng_start_handler, e, gi)) return -1;
  return schedule_departure(e, gi);
}

void eng_teardown(eng *e) {
  for (size_t gi = 0; gi < e->sc->n_guests && e->guests; gi++) {
    eng_guest *g = &e->guests[gi];
    eng_requests_free(g);
    if (g->length_rng) gsl_rng_free(g->length_rng);
    if (!g->n_homes) { /* else they are its first home's */
      if (g->tech) tech_state_free(g->tech, g->tech_state);
      if (g->native) tech_state_free(g->native, g->native_state);
    }
    teardown_homes(g);
  }
  for (size_t i = 0; i < e->n_params; i++) e->params[i].ops->free_params(e->params[i].params);
  sim_free(e->params);
  for (size_t hi = 0; hi < e->sc->n_hosts && e->hosts; hi++) {
    eng_host *h = &e->hosts[hi];
    if (h->sched && h->sched_state) h->sched->destroy(h->sched_state);
    sim_free(h->pcpus);
    sim_free(h->vcpu_of_sched);
  }
  for (size_t t = 0; t < e->sc->n_host_types && e->own_profiles; t++)
    sim_profile_free(e->own_profiles[t]);
  sim_free(e->own_profiles);
  sim_free(e->hosts);
  sim_free(e->guests);
  sim_free(e->guest_specs);
  sim_free(e->vcpus);
  /* the mixes, shallow copies: their arrays are the scenario's */
  for (size_t wi = 0; wi < e->sc->n_workloads && e->trace_wl; wi++) {
    eng_mix *m = (eng_mix *)e->trace_wl[wi].trace_mix;
    if (m && !m->template_name) sim_free(m); /* a shared one is in e->mixes */
  }
  for (eng_mix *m = e->mixes, *next; m; m = next) {
    next = m->next;
    sim_free(m);
  }
  sim_free(e->trace_wl);
  sim_free(e->sampled_cycles);
  sim_free(e->sampled_steal);
  sim_free(e->sampled_vsteal);
  sim_free(e->waits);
  sim_free(e->type_clock_hz);
  migration_set_free(e->migrations); /* before the loop its events are on */
  eng_dc_free(e->dc);
  eng_instances_free(e->instances);
  eng_provision_free(e->prov);
  io_model_free(e->io);
  sim_loop_free(e->loop);
}
