/* models/contention_set.c: what hosts of one type and profile share in the
 * contention mechanism (models/contention.h): the models' parameters and
 * the native costs, loaded once for all of them; each phase's costs alone;
 * the running sets evaluated on them, each once for every host that runs
 * it (a data center's thousands of hosts run a few dozen), found by hash or
 * by a step another host took from the set before (and whether the step
 * leaves the entries that cost nothing extra at nothing); and the effect
 * of a set's co-runners on each of them, evaluated on demand.
 * Units: cycles at the host's clock, bytes, CPUs.
 * Invariants: a set is found for co-runners equal to it bit for bit in all
 * the models read (phase, own kernel, CPUs, cost alone, clock), and its
 * shares and effects are what evaluating those co-runners again would
 * give, bit for bit, whichever host and guests they are. */
#include <string.h>

#include "models/contention_internal.h"
#include "sim/alloc.h"

/* The models, in the order they are applied: the LLC shares come first, as
 * the DRAM traffic of each co-runner is what misses its share. */
static const contention_ops *const models[] = {&contention_llc_ops, &contention_dram_ops,
                                                &contention_kernel_ops};
#define N_MODELS (sizeof models / sizeof models[0])
_Static_assert(N_MODELS == CONTENTION_N_MODELS, "contention_shared.params holds each model's");

/* Buckets of a contention_shared's sets, and the bytes the sets of one may
 * hold: a data center's hosts of one type run the same few sets over and
 * over (the 10,000 hosts of scenarios/datacenter-10k.yaml a few dozen),
 * while rates that vary freely make every set new; past the bytes a new
 * set is evaluated in its host's own. */
#define SET_BUCKETS 256
#define SETS_MAX_BYTES ((size_t)1 << 20)

/* Entries of a contention_shared's phases alone, and how many may be
 * used: a data center's guests run a few dozen workload phases, each
 * found on thousands of hosts; past the limit (a table kept sparse, for
 * short probes) a phase's costs alone are computed where needed. */
#define ALONE_SLOTS 256
#define ALONE_MAX 192

/* What one unit of a phase costs and uses alone on hosts of a
 * contention_shared (contention_phase_alone's fields of a co-runner). */
typedef struct contention_alone {
  const sim_phase *phase;     /* a phase whose content never changes in place; NULL: free entry */
  double unit_cycles;         /* cycles */
  double llc_lines;           /* lines */
  double footprint_bytes;     /* bytes */
  double access_cycles[CONTENTION_ALONE_ACCESSES]; /* cycles */
} contention_alone;

void contention_shared_free(contention_shared *sh) {
  for (size_t m = 0; m < N_MODELS; m++)
    if (sh->params[m]) models[m]->free_params(sh->params[m]);
  for (size_t b = 0; sh->sets && b < SET_BUCKETS; b++)
    while (sh->sets[b]) {
      contention_set *next = sh->sets[b]->next;
      sim_free(sh->sets[b]);
      sh->sets[b] = next;
    }
  sim_free(sh->sets);
  sim_free(sh->alone);
  sim_free(sh);
}

contention_shared *contention_shared_of(eng *e, const eng_host *h) {
  for (contention_shared *sh = e->contention_shared; sh; sh = sh->next)
    if (sh->profile == h->profile && sh->type == h->type) return sh;
  contention_shared *sh = sim_calloc(1, sizeof *sh);
  if (!sh) return NULL;
  sh->profile = h->profile;
  sh->type = h->type;
  for (size_t m = 0; m < N_MODELS; m++) {
    if (models[m]->load(h->profile, h->type, &sh->params[m], e->diag) < 0) {
      contention_shared_free(sh);
      return NULL;
    }
    sh->any = sh->any || sh->params[m];
  }
  if (sh->any && native_costs_load(h->profile, h->type, &sh->costs, e->diag) < 0) {
    contention_shared_free(sh);
    return NULL;
  }
  sh->next = e->contention_shared;
  e->contention_shared = sh;
  return sh;
}

/* (its entry in sh->alone) */
void contention_shared_alone(contention_shared *sh, contention_guest *g) {
  if (!sh->alone) sh->alone = sim_calloc(ALONE_SLOTS, sizeof *sh->alone);
  contention_alone *x = NULL;
  if (sh->alone) {
    size_t at = (size_t)(((uint64_t)(uintptr_t)g->phase * 0x9e3779b97f4a7c15u) >> 56) % ALONE_SLOTS;
    while (sh->alone[at].phase && sh->alone[at].phase != g->phase) at = (at + 1) % ALONE_SLOTS;
    x = &sh->alone[at];
  }
  if (x && x->phase) {
    g->unit_cycles = x->unit_cycles;
    g->llc_lines = x->llc_lines;
    g->footprint_bytes = x->footprint_bytes;
    memcpy(g->alone_access_cycles, x->access_cycles, sizeof g->alone_access_cycles);
    return;
  }
  contention_phase_alone(&sh->costs, g->phase, g);
  if (!x || sh->n_alone >= ALONE_MAX) return;
  *x = (contention_alone){g->phase, g->unit_cycles, g->llc_lines, g->footprint_bytes, {0}};
  memcpy(x->access_cycles, g->alone_access_cycles, sizeof x->access_cycles);
  sh->n_alone++;
}

/* A hash of the n co-runners g at clock_hz: of their phases and CPUs (what
 * else the models read of one mostly follows from its phase; set_is
 * compares it all). */
static uint64_t set_hash(const contention_guest *g, size_t n, double clock_hz) {
  uint64_t hash = bits_of(clock_hz) ^ (uint64_t)n;
  for (size_t i = 0; i < n; i++) {
    hash = (hash ^ (uint64_t)(uintptr_t)g[i].phase) * 0x9e3779b97f4a7c15u; /* Fibonacci hashing */
    hash = (hash ^ bits_of(g[i].cpus)) * 0x9e3779b97f4a7c15u;
  }
  return hash ^ hash >> 32;
}

/* Whether set s is the n co-runners g at clock_hz as far as the models can
 * tell (contention_set), bit for bit. */
static bool set_is(const contention_set *s, uint64_t hash, const contention_guest *g, size_t n,
                   double clock_hz) {
  if (s->hash != hash || s->n != n || bits_of(s->clock_hz) != bits_of(clock_hz)) return false;
  for (size_t i = 0; i < n; i++)
    if (s->g[i].phase != g[i].phase || s->g[i].own_kernel != g[i].own_kernel ||
        bits_of(s->g[i].cpus) != bits_of(g[i].cpus) ||
        bits_of(s->g[i].unit_cycles) != bits_of(g[i].unit_cycles))
      return false;
  return true;
}

/* Lets each model share its resource among the co-runners of s. */
static void set_share(const contention_shared *sh, contention_set *s) {
  const native_costs *costs = &sh->costs;
  for (size_t k = 0; k < s->n; k++) s->effect_known[k] = false;
  if (s->n < 2) return; /* alone: no effect */
  contention_view view = {costs, s->clock_hz, s->g, s->n, 0, costs->mmu, 0};
  for (size_t k = 0; k < s->n; k++) s->g[k].llc_bytes = costs->mmu.cache_bytes[MMU_CACHE_LEVELS - 1];
  for (size_t m = 0; m < N_MODELS; m++)
    if (sh->params[m]) models[m]->share(sh->params[m], &view);
}

/* The set of c->known, shared by the hosts of c's type (evaluated when it
 * is new) when no co-runner's phase changes in place and there is room;
 * else c->own, evaluated now. */
static contention_set *set_of(contention_host *c) {
  contention_shared *sh = c->shared;
  size_t n = c->n_known;
  double clock_hz = c->known_clock_hz;
  if (n >= 2 && c->slots_static) {
    uint64_t hash = set_hash(c->known, n, clock_hz);
    if (!sh->sets) sh->sets = sim_calloc(SET_BUCKETS, sizeof *sh->sets);
    contention_set **bucket = sh->sets ? &sh->sets[hash % SET_BUCKETS] : NULL;
    for (contention_set *s = bucket ? *bucket : NULL; s; s = s->next)
      if (set_is(s, hash, c->known, n, clock_hz)) return s;
    size_t bytes = sizeof(contention_set) + n * (sizeof *c->known + sizeof *c->effect + 1);
    contention_set *s = bucket && sh->sets_bytes + bytes <= SETS_MAX_BYTES ? sim_malloc(bytes) : NULL;
    if (s) {
      /* the effects first: their alignment is the strictest */
      s->effect = (contention_effect *)(s + 1);
      s->g = (contention_guest *)(s->effect + n);
      s->effect_known = (bool *)(s->g + n);
      s->hash = hash;
      s->clock_hz = clock_hz;
      s->n = n;
      memset(s->steps, 0, sizeof s->steps);
      s->next_step = 0;
      memcpy(s->g, c->known, n * sizeof *s->g);
      set_share(sh, s);
      s->next = *bucket;
      *bucket = s;
      sh->sets_bytes += bytes;
      return s;
    }
  }
  c->own.n = n;
  c->own.clock_hz = clock_hz;
  set_share(sh, &c->own);
  return &c->own;
}

/* (contention_set_step found no step: set_of's set, remembered as a step
 * when shared) */
contention_set *contention_set_after(contention_host *c, contention_set *from, size_t at) {
  contention_set *s = set_of(c);
  if (contention_set_steps(c, from, at) && s != &c->own) {
    from->steps[from->next_step] = (contention_step){at, s, false, false};
    from->next_step = (from->next_step + 1) % SET_STEPS;
  }
  return s;
}

double contention_unit_extra(const contention_shared *sh, const contention_effect *x,
                             const sim_phase *ph, const double *alone) {
  double extra = 0;
  for (size_t i = 0; i < ph->n_access; i++) {
    const sim_access_spec *a = &ph->access[i];
    double own = alone && i < CONTENTION_ALONE_ACCESSES ? alone[i]
                                                        : mmu_data_cycles(&sh->costs.mmu, a);
    extra += a->count * (mmu_data_cycles(&x->mem, a) - own);
  }
  extra += (ph->syscalls + ph->process_creations) * x->kernel_wait;
  return extra > 0 ? extra : 0.0;
}

/* (effect_of asks it: out of line, so that effect_of, which every re-check
 * and dispatch asks, inlines to a test) */
void contention_effect_evaluate(const contention_shared *sh, contention_set *s, size_t self) {
  contention_view view = {&sh->costs, s->clock_hz, s->g, s->n, self, sh->costs.mmu, 0};
  for (size_t m = 0; m < N_MODELS; m++)
    if (sh->params[m]) models[m]->apply(sh->params[m], &view);
  s->effect[self] = (contention_effect){view.mem, view.kernel_wait_cycles, 0};
  s->effect[self].unit_extra =
      contention_unit_extra(sh, &s->effect[self], s->g[self].phase, s->g[self].alone_access_cycles);
  s->effect_known[self] = true;
}

/* The entry of set `from` that entry j of set `to` was, when `to` is
 * `from` with its entry `at` changed (replaced, removed or inserted: their
 * sizes tell; a replaced entry was its guest's entry before), or NO_STEP
 * when j is the entry inserted. */
static size_t entry_before(const contention_set *from, const contention_set *to, size_t at,
                           size_t j) {
  if (j < at || to->n == from->n) return j;
  if (to->n < from->n) return j + 1;
  return j == at ? NO_STEP : j - 1;
}

bool contention_step_zeros_stay(const contention_shared *sh, contention_set *from,
                                contention_step *st) {
  if (st->zeros_known) return st->zeros_stay;
  contention_set *to = st->to;
  bool stay = true;
  for (size_t j = 0; stay && j < to->n; j++) {
    size_t i = entry_before(from, to, st->at, j);
    if (i == NO_STEP) continue; /* inserted: its guest's runs are looked at (settled_after) */
    if (!from->effect_known[i]) contention_effect_evaluate(sh, from, i);
    if (bits_of(from->effect[i].unit_extra) != 0) continue;
    if (!to->effect_known[j]) contention_effect_evaluate(sh, to, j);
    /* (a replaced entry in another phase: its runs in the phase before no
     * longer cost its unit_extra) */
    stay = bits_of(to->effect[j].unit_extra) == 0 && to->g[j].phase == from->g[i].phase;
  }
  st->zeros_stay = stay;
  st->zeros_known = true;
  return stay;
}
