/* models/contention.c: the contention mechanism (models/contention.h): the
 * co-runners of a guest on its host and the extra cost per unit of work
 * their effect gives it; the engine's side of it (set-up per host, the
 * cost at a dispatch, the re-check of the other runs when the running set
 * changes).  The running sets, evaluated once for all the hosts of a type
 * and profile that run them, are models/contention_set.c's; the state
 * both files keep, models/contention_internal.h's.
 * Units: cycles at the host's clock, bytes, CPUs.
 * Invariants: see contention.h; in particular nothing is charged, and no
 * run is re-planned, on a host where fewer than two guests run something a
 * model counts (a memory stream; a system call or a process creation
 * outside a VM); what is kept from one evaluation to the next (the known
 * set, its shares and effects, the slots' entries, the runs settled at
 * their cost, across a step too) is what evaluating again would give, bit
 * for bit. */
#include <assert.h>
#include <string.h>

#include "models/contention_internal.h"
#include "sim/alloc.h"

/* Whether vCPU v in its current phase ph uses what a model counts: memory
 * streams; system calls and process creations outside a VM (a VM's take
 * its own kernel's locks, which no other guest takes).  contending_in:
 * that phase when it does, NULL when not. */
static inline const sim_phase *contending_in(const eng *e, const eng_vcpu *v, const sim_phase *ph) {
  if (ph->n_access > 0) return ph;
  bool counted = e->guests[v->guest].spec->kind != SIM_GUEST_VM &&
                 (ph->syscalls > 0 || ph->process_creations > 0);
  return counted ? ph : NULL;
}

/* contending_in v's current phase. */
static const sim_phase *contending_phase(const eng *e, const eng_vcpu *v) {
  return contending_in(e, v, eng_phase_of(e, v));
}

/* ---- set-up ---- */

static void host_free(contention_host *c) {
  if (!c) return;
  sim_free(c->arrays);
  sim_free(c);
}

/* The next array of n entries of `size` bytes at *at, holding the n_old
 * entries of `old` first; *at moves past it. */
static void *carve(unsigned char **at, const void *old, size_t n_old, size_t n, size_t size) {
  void *array = *at;
  if (n_old) memcpy(array, old, n_old * size);
  *at += n * size;
  return array;
}

/* Makes c's arrays as long as h has slots, their entries kept: 0, or -1 out
 * of memory (room: only when they are not).  One allocation holds them all,
 * the 8-byte entries first: a data center sets up thousands of hosts, and
 * an allocation per array cost each a dozen allocations and frees. */
static int room_grow(const eng_host *h, contention_host *c) {
  size_t n = h->n_slots ? h->n_slots : 1, old = c->cap, words = (n + 63) / 64;
  size_t entry = 2 * sizeof *c->known + sizeof *c->effect + sizeof *c->running +
                 sizeof *c->slot_rate + sizeof *c->slot_epoch + sizeof *c->slot_extra +
                 sizeof *c->slot_phase + sizeof *c->slot_vcpu + sizeof *c->effect_known;
  unsigned char *block = sim_malloc(n * entry + 6 * words * sizeof(uint64_t)), *at = block;
  if (!block) return -1;
  memset(block, 0, 6 * words * sizeof(uint64_t)); /* the new slots hold no run */
  c->slot_running = carve(&at, c->slot_running, c->words, words, sizeof *c->slot_running);
  c->slot_settled = carve(&at, c->slot_settled, c->words, words, sizeof *c->slot_settled);
  c->slot_zero = carve(&at, c->slot_zero, c->words, words, sizeof *c->slot_zero);
  c->slot_quiet = carve(&at, c->slot_quiet, c->words, words, sizeof *c->slot_quiet);
  c->slot_fixed = carve(&at, c->slot_fixed, c->words, words, sizeof *c->slot_fixed);
  c->slot_now = carve(&at, c->slot_now, c->words, words, sizeof *c->slot_now);
  c->words = words;
  c->known = carve(&at, c->known, old, n, sizeof *c->known);
  c->scratch = carve(&at, c->scratch, old, n, sizeof *c->scratch);
  c->effect = carve(&at, c->effect, old, n, sizeof *c->effect);
  c->running = carve(&at, c->running, old, n, sizeof *c->running);
  c->slot_rate = carve(&at, c->slot_rate, old, n, sizeof *c->slot_rate);
  c->slot_epoch = carve(&at, c->slot_epoch, old, n, sizeof *c->slot_epoch);
  c->slot_extra = carve(&at, c->slot_extra, old, n, sizeof *c->slot_extra);
  c->slot_phase = carve(&at, c->slot_phase, old, n, sizeof *c->slot_phase);
  c->slot_vcpu = carve(&at, c->slot_vcpu, old, n, sizeof *c->slot_vcpu);
  c->effect_known = carve(&at, c->effect_known, old, n, sizeof *c->effect_known);
  c->own.g = c->known;
  c->own.effect = c->effect;
  c->own.effect_known = c->effect_known;
  sim_free(c->arrays);
  c->arrays = block;
  for (size_t p = old; p < n; p++) {
    c->slot_vcpu[p] = SLOT_UNKNOWN;
    c->slot_epoch[p] = 0;
  }
  c->cap = n;
  return 0;
}

static inline int room(const eng_host *h, contention_host *c) {
  return h->n_slots <= c->cap ? 0 : room_grow(h, c);
}

/* c's slot entries before any run on h has begun: every slot holds none,
 * as the first evaluation would record them, and known is the empty set at
 * h's clock, so that the first dispatches record their own slots alone
 * (record_one), not every slot of the host. */
static void slots_empty(const eng_host *h, contention_host *c) {
  for (uint32_t p = 0; p < h->n_slots; p++) {
    if (h->pcpus[p].vcpu >= 0) return; /* (a run: left to the first evaluation) */
    c->slot_vcpu[p] = -1;
    c->slot_phase[p] = NULL;
  }
  c->n_slot_known = h->n_slots;
  c->slots_static = true;
  c->vacated = NO_SLOT;
  c->known_clock_hz = h->clock_hz;
}

/* Host h's state in *out: NULL when no model is on for it. */
static int host_setup(eng *e, eng_host *h, contention_host **out) {
  *out = NULL;
  contention_shared *sh = contention_shared_of(e, h);
  if (!sh) return -1;
  if (!sh->any) return 0;
  contention_host *c = sim_calloc(1, sizeof *c);
  if (!c) return -1;
  c->shared = sh;
  c->set = &c->own;
  c->vacated = SLOTS_MANY;
  c->known_epoch = 1;
  c->now_ns = -1;
  if (room(h, c) < 0) {
    host_free(c);
    return -1;
  }
  slots_empty(h, c);
  *out = c;
  return 0;
}

/* Whether guest g may ever use what a model counts: a phase of its
 * workload (its boot's and its trace's source phases included) with a
 * memory stream, or outside a VM a system call or a process creation. */
static bool guest_may_contend(const eng_guest *g) {
  if (!g->wl) return false;
  bool vm = g->spec->kind == SIM_GUEST_VM;
  for (size_t k = 0; k < g->wl->n_phases; k++) {
    const sim_phase *ph = &g->wl->phases[k];
    if (ph->n_access > 0 || (!vm && (ph->syscalls > 0 || ph->process_creations > 0))) return true;
  }
  return false;
}

int contention_setup(eng *e) {
  /* no state at all (no memory, no work per dispatch) unless two guests may
   * contend: a guest alone is charged nothing */
  size_t may = 0;
  for (size_t gi = 0; gi < e->sc->n_guests && may < 2; gi++) may += guest_may_contend(&e->guests[gi]);
  if (may < 2) return 0;
  for (size_t hi = 0; hi < e->sc->n_hosts; hi++) {
    eng_host *h = &e->hosts[hi];
    if (host_setup(e, h, &h->contention) < 0) return -1;
  }
  return 0;
}

void contention_free(eng *e) {
  for (size_t hi = 0; e->hosts && hi < e->sc->n_hosts; hi++) {
    host_free(e->hosts[hi].contention);
    e->hosts[hi].contention = NULL;
  }
  while (e->contention_shared) {
    contention_shared *next = e->contention_shared->next;
    contention_shared_free(e->contention_shared);
    e->contention_shared = next;
  }
}

/* ---- the co-runners ---- */

/* What one unit of g's phase costs and uses alone (contention_phase_alone)
 * into *g (r: its lowest running vCPU), taken from c->known when its guest
 * was found there in that phase: a workload's own phases never change, so
 * this is computed once per host and running set; a request's or a trace
 * sample's phase changes in place, so it is computed every time.  *k: the
 * first entry of c->known whose guest may be g's, moved on (both lists are
 * in guest order). */
static void known_alone(const contention_host *c, const contention_run *r, size_t *k,
                        contention_guest *g) {
  while (*k < c->n_known && c->known[*k].guest < g->guest) ++*k;
  const contention_guest *known = *k < c->n_known ? &c->known[*k] : NULL;
  if (!r->in_place && known && known->guest == g->guest && known->phase == g->phase) {
    g->unit_cycles = known->unit_cycles;
    g->llc_lines = known->llc_lines;
    g->footprint_bytes = known->footprint_bytes;
    memcpy(g->alone_access_cycles, known->alone_access_cycles, sizeof g->alone_access_cycles);
    return;
  }
  if (r->in_place)
    contention_phase_alone(&c->shared->costs, g->phase, g);
  else
    contention_shared_alone(c->shared, g);
}

/* Whether the content of v's current phase may change in place while it
 * runs: a request's or a trace sample's (known_alone). */
static bool phase_in_place(const eng *e, const eng_vcpu *v) {
  return v->req_ph || e->guests[v->guest].wl->trace_mix;
}

/* Slot p's entry: it runs vCPU vi (negative: none) in its contending phase
 * ph (NULL: none), which then joins c->running, kept in index order, at
 * *at (when it joins); whether vi's phase may change in place. */
static inline bool slot_record(const eng *e, contention_host *c, uint32_t p, int32_t vi,
                               const sim_phase *ph, size_t *at) {
  c->slot_vcpu[p] = vi;
  c->slot_phase[p] = ph;
  c->slot_epoch[p] = 0;
  if (vi < 0) return false;
  const eng_vcpu *v = &e->vcpus[vi];
  bool in_place = phase_in_place(e, v);
  c->slot_rate[p] = v->rate;
  if (ph) {
    size_t k = c->n_running++;
    for (; k > 0 && c->running[k - 1].vcpu > vi; k--) c->running[k] = c->running[k - 1];
    c->running[k] = (contention_run){vi, p, v->guest, e->guests[v->guest].spec->kind == SIM_GUEST_VM,
                                     in_place, ph, v->rate};
    *at = k;
  }
  return in_place;
}

/* A guest index no guest has. */
#define NO_GUEST UINT32_MAX

/* Slot p's entry of c->running, if it has one, leaves it: its guest (*at:
 * the index it left), or NO_GUEST. */
static inline uint32_t running_drop(contention_host *c, uint32_t p, size_t *at) {
  if (!c->slot_phase[p]) return NO_GUEST; /* it recorded no contending run */
  size_t k = 0;
  while (k < c->n_running && c->running[k].slot != p) k++;
  if (k == c->n_running) return NO_GUEST;
  uint32_t guest = c->running[k].guest;
  *at = k;
  c->n_running--;
  for (; k < c->n_running; k++) c->running[k] = c->running[k + 1]; /* a few: no call */
  return guest;
}

/* The co-runner the guest of c->running[*i] is, into *g, from its running
 * vCPUs (c->running[*i] and those after it of the same guest, *i moved
 * past them): its phase its lowest-indexed running vCPU's, its CPUs the
 * sum of their rates in index order.  Whether it is one: a unit that costs
 * nothing has no rate of anything (then its next vCPU's phase is taken).
 * *k as in known_alone. */
static bool corunner_of(const contention_host *c, size_t *i, size_t *k, contention_guest *g) {
  uint32_t guest = c->running[*i].guest;
  bool is = false;
  for (; *i < c->n_running && c->running[*i].guest == guest; ++*i) {
    const contention_run *r = &c->running[*i];
    if (is) {
      g->cpus += r->rate;
      continue;
    }
    *g = (contention_guest){
        .guest = guest, .own_kernel = r->own_kernel, .phase = r->phase, .cpus = r->rate};
    known_alone(c, r, k, g);
    is = g->unit_cycles > 0;
  }
  return is;
}

/* Records the running vCPUs of h that use what a model counts in
 * c->running, and each slot's occupant in the slot entries.  Slot `slot`
 * is taken to run slot_vcpu (a dispatch in progress marks its slot only
 * after charging the run, in its contending phase slot_ph; NO_SLOT: none). */
static void record_slots(const eng *e, const eng_host *h, contention_host *c, uint32_t slot,
                         int32_t slot_vcpu, const sim_phase *slot_ph) {
  bool all_static = true;
  size_t at;
  c->n_running = 0;
  for (uint32_t p = 0; p < h->n_slots; p++) {
    int32_t vi = p == slot ? slot_vcpu : h->pcpus[p].vcpu;
    const sim_phase *ph = p == slot ? slot_ph : vi < 0 ? NULL : contending_phase(e, &e->vcpus[vi]);
    if (slot_record(e, c, p, vi, ph, &at)) all_static = false;
  }
  c->n_slot_known = h->n_slots;
  c->slots_static = all_static;
  c->vacated = NO_SLOT;
}

/* Collects the co-runners of c->running into c->scratch, in guest order
 * (the running vCPUs are in index order, and guests' vCPUs are consecutive,
 * guest by guest): their number. */
static size_t corunners(contention_host *c) {
  size_t n = 0, k = 0;
  for (size_t i = 0; i < c->n_running;)
    if (corunner_of(c, &i, &k, &c->scratch[n])) n++;
  return n;
}

/* Whether the running set of h (slot `slot` running slot_vcpu in slot_ph,
 * slot_in_place its phase_in_place, as in corunners) is still the one c->known was collected from: every
 * slot holds the run it held then, but for the dispatch on `slot`, which
 * brings back the vCPU the slot held, in the same phase at the same rate.
 * Only when no occupant's phase changes in place: then corunners would
 * collect known again, bit for bit. */
static bool slots_unchanged(const eng *e, const eng_host *h, const contention_host *c,
                            uint32_t slot, int32_t slot_vcpu, const sim_phase *slot_ph,
                            bool slot_in_place) {
  if (!c->slots_static || c->n_slot_known != h->n_slots || h->clock_hz != c->known_clock_hz)
    return false;
  if (slot == NO_SLOT) return c->vacated == NO_SLOT;
  if (c->vacated != NO_SLOT && c->vacated != slot) return false;
  if (slot_vcpu != c->slot_vcpu[slot]) return false;
  const eng_vcpu *v = &e->vcpus[slot_vcpu];
  return !slot_in_place && slot_ph == c->slot_phase[slot] &&
         v->rate == c->slot_rate[slot];
}

/* Whether co-runner a is b as far as the models can tell: the same guest in
 * the same phase on as many CPUs, the phase's unit costing the same (a
 * request or a trace sample changes a phase's content in place). */
static bool same_corunner(const contention_guest *a, const contention_guest *b) {
  return a->guest == b->guest && a->phase == b->phase && a->cpus == b->cpus &&
         a->unit_cycles == b->unit_cycles;
}

/* Makes guest's entry of c->known (if any) the co-runner corunners finds
 * for it in c->running now, in its place, where its runs, if it has any,
 * include c->running[near] or the one before it (near: where a run of it
 * joined or left the list): whether the entry changed (*step_at: its
 * index).  Inline in both of record_one's calls: a call cost about as much
 * as the few entries it looks at. */
static inline __attribute__((always_inline)) bool known_patch(contention_host *c, uint32_t guest,
                                                              size_t near, size_t *step_at) {
  /* its first run: running is in guest order (corunners) */
  size_t i = near < c->n_running && c->running[near].guest == guest ? near : near - (near > 0);
  if (i < c->n_running && c->running[i].guest == guest)
    while (i > 0 && c->running[i - 1].guest == guest) i--;
  else
    i = c->n_running;
  size_t at = 0;
  while (at < c->n_known && c->known[at].guest < guest) at++;
  *step_at = at;
  bool was = at < c->n_known && c->known[at].guest == guest;
  if (was && i < c->n_running && c->running[i].phase == c->known[at].phase &&
      !c->running[i].in_place) {
    /* its entry but for its CPUs: the rest follows from its phase */
    double cpus = c->running[i].rate;
    for (size_t j = i + 1; j < c->n_running && c->running[j].guest == guest; j++)
      cpus += c->running[j].rate;
    if (cpus == c->known[at].cpus) return false;
    c->known[at].cpus = cpus;
    return true;
  }
  contention_guest fresh;
  size_t k = at;
  bool is = i < c->n_running && corunner_of(c, &i, &k, &fresh);
  if (was == is && (!is || same_corunner(&fresh, &c->known[at]))) return false;
  if (was && !is) {
    c->n_known--;
    for (size_t j = at; j < c->n_known; j++) c->known[j] = c->known[j + 1];
  } else if (!was) {
    for (size_t j = c->n_known; j > at; j--) c->known[j] = c->known[j - 1];
    c->n_known++;
  }
  if (is) c->known[at] = fresh;
  return true;
}

/* Whether slot p is the one slot whose occupant may have changed since
 * c->known was collected at h's clock now (slot: a dispatch's, or NO_SLOT
 * for a re-check, with vacated as in evaluate): then its entry alone is
 * recorded again (slot `slot` running slot_vcpu in slot_ph), the others'
 * kept (a slot whose run went on keeps its recorded phase and rate), and
 * only the guests of its run before and now may have a co-runner changed,
 * found again in known (known_patch): *changes how many entries changed,
 * *step_at the one's index, *step_guest its guest, *step_near where a run
 * of it left or joined c->running. */
static bool record_one(const eng *e, const eng_host *h, contention_host *c, uint32_t slot,
                       int32_t slot_vcpu, const sim_phase *slot_ph, size_t *changes,
                       size_t *step_at, uint32_t *step_guest, size_t *step_near) {
  uint32_t p = slot == NO_SLOT ? c->vacated : slot;
  if (!c->slots_static || c->n_slot_known != h->n_slots || h->clock_hz != c->known_clock_hz ||
      p >= h->n_slots || (c->vacated != NO_SLOT && c->vacated != p))
    return false;
  int32_t vi = slot == NO_SLOT ? h->pcpus[p].vcpu : slot_vcpu;
  const sim_phase *ph = slot != NO_SLOT ? slot_ph : vi < 0 ? NULL : contending_phase(e, &e->vcpus[vi]);
  uint32_t now = ph ? e->vcpus[vi].guest : NO_GUEST;
  size_t left = 0, joined = 0, at;
  uint32_t before = running_drop(c, p, &left);
  *changes = 0;
  /* its guest before, when another: its runs are those it had (the run
   * that joins is not one of them), its entry before the new guest's */
  if (before != NO_GUEST && before != now && known_patch(c, before, left, &at)) {
    ++*changes;
    *step_at = at;
    *step_guest = before;
    *step_near = left;
  }
  c->slots_static = !slot_record(e, c, p, vi, ph, &joined);
  c->vacated = NO_SLOT;
  if (now != NO_GUEST && known_patch(c, now, joined, &at)) {
    ++*changes;
    *step_at = at;
    *step_guest = now;
    *step_near = joined;
  }
  return true;
}

/* Sets (on) or clears slot p's bit in the words `bits`. */
static void slot_bit(uint64_t *bits, uint32_t p, bool on) {
  uint64_t bit = (uint64_t)1 << (p % 64);
  if (on)
    bits[p / 64] |= bit;
  else
    bits[p / 64] &= ~bit;
}

/* Clears the settled bits of guest's runs in c->running (in guest order),
 * found from index `near`, at most one away from the first of them or from
 * where they would be. */
static void settled_clear_guest(contention_host *c, uint32_t guest, size_t near) {
  size_t k = near < c->n_running ? near : c->n_running;
  while (k > 0 && c->running[k - 1].guest >= guest) k--;
  while (k < c->n_running && c->running[k].guest < guest) k++;
  for (; k < c->n_running && c->running[k].guest == guest; k++)
    slot_bit(c->slot_settled, c->running[k].slot, false);
}

/* The settled runs after known changed from set `from` to c->set: none,
 * but after a step taken before (`step`: only entry step->at changed, of
 * guest `guest`, its runs near index `near` of c->running) that leaves
 * every entry whose unit_extra was 0 at 0 in the same phase
 * (contention_step_zeros_stay, found once for every host that takes the
 * step), the runs settled at a cost of 0 (slot_zero): a run in its guest's
 * entry's phase costs the entry's unit_extra, and a run of a guest in no
 * entry (or no longer in one) costs 0; their cost per unit is then what
 * evaluating them again gives, bit for bit.  But for the runs of a guest
 * the step inserts, which cost 0 before: in another phase than its entry's
 * their cost is not its unit_extra.  A change of one co-runner mostly
 * leaves most of a data center's runs at 0 (a streaming phase that loses
 * nothing to its neighbours), and a re-check need not look at them again. */
static void settled_after(contention_host *c, contention_set *from, contention_step *step,
                          uint32_t guest, size_t near) {
  bool keep = step && c->slots_static &&
              (step->zeros_known ? step->zeros_stay
                                 : contention_step_zeros_stay(c->shared, from, step));
  /* (the first word apart: a host of up to 64 slots, most of them, skips
   * the loop's set-up) */
  c->slot_settled[0] &= keep ? c->slot_zero[0] : 0;
  for (size_t w = 1; w < c->words; w++) c->slot_settled[w] &= keep ? c->slot_zero[w] : 0;
  if (keep && step->to->n > from->n) settled_clear_guest(c, guest, near);
}

/* Collects the running set of h in c->known from every slot (slot `slot`
 * running slot_vcpu in slot_ph, as in record_slots): whether it changed.
 * Out of line: most evaluations record one slot (record_one). */
static __attribute__((noinline)) bool known_collect(const eng *e, const eng_host *h,
                                                    contention_host *c, uint32_t slot,
                                                    int32_t slot_vcpu, const sim_phase *slot_ph) {
  record_slots(e, h, c, slot, slot_vcpu, slot_ph);
  size_t n = corunners(c);
  bool same = n == c->n_known && h->clock_hz == c->known_clock_hz;
  for (size_t i = 0; same && i < n; i++) same = same_corunner(&c->scratch[i], &c->known[i]);
  if (same) return false;
  memcpy(c->known, c->scratch, n * sizeof *c->known);
  c->n_known = n;
  c->known_clock_hz = h->clock_hz;
  return true;
}

/* evaluate when a slot changed: out of line, so that the test of the
 * common dispatch (a re-planned run dispatched again on its slot, most of
 * a burst's) inlines. */
static __attribute__((noinline)) void evaluate_slots(const eng *e, const eng_host *h,
                                                     contention_host *c, uint32_t slot,
                                                     int32_t slot_vcpu, const sim_phase *slot_ph) {
  size_t changes, step_at = NO_STEP;
  uint32_t step_guest = NO_GUEST;
  size_t step_near = 0;
  contention_set *from = c->set; /* known's before the change */
  if (record_one(e, h, c, slot, slot_vcpu, slot_ph, &changes, &step_at, &step_guest,
                 &step_near)) {
    if (changes == 0) return;
    if (changes != 1) step_at = NO_STEP;
  } else if (!known_collect(e, h, c, slot, slot_vcpu, slot_ph)) {
    return;
  }
  contention_step *step;
  c->set = contention_set_of_known(c, from, step_at, &step);
  c->known_epoch++;
  settled_after(c, from, step, step_guest, step_near);
}

/* Makes c->known the running set of h now (slot `slot` running
 * slot_vcpu in slot_ph, slot_in_place as in slots_unchanged) and, when it changed, unsettles every run and
 * finds its shares (contention_set_of_known); the effects on each are evaluated again (on
 * demand, effect_of) only then. */
static inline void evaluate(const eng *e, const eng_host *h, contention_host *c, uint32_t slot,
                            int32_t slot_vcpu, const sim_phase *slot_ph, bool slot_in_place) {
  if (slots_unchanged(e, h, c, slot, slot_vcpu, slot_ph, slot_in_place)) {
    c->vacated = NO_SLOT;
    return;
  }
  evaluate_slots(e, h, c, slot, slot_vcpu, slot_ph);
}

/* The extra cycles per unit of phase ph (v's current one) among the
 * co-runners c->known (evaluated with v running); *by_entry: whether it is
 * its guest's entry's unit_extra, or 0 with its guest in no entry
 * (slot_zero). */
static inline double vcpu_extra_in(contention_host *c, const eng_vcpu *v, const sim_phase *ph,
                                   bool *by_entry) {
  *by_entry = false;
  if (c->n_known < 2) return 0; /* alone: exactly what the models without contention give */
  size_t self = 0;
  while (self < c->n_known && c->known[self].guest != v->guest) self++;
  *by_entry = true;
  if (self == c->n_known) return 0; /* it uses nothing a model counts */
  /* the guest's effect on this vCPU's own phase (its lowest running vCPU's, mostly) */
  const contention_effect *x = effect_of(c, self);
  if (ph == c->known[self].phase) return x->unit_extra;
  *by_entry = false;
  return contention_unit_extra(c->shared, x, ph, NULL);
}

/* Marks (zero) or clears slot p in slot_zero. */
static inline void slot_zero_mark(contention_host *c, uint32_t p, bool zero) {
  uint64_t bit = (uint64_t)1 << (p % 64);
  c->slot_zero[p / 64] = (c->slot_zero[p / 64] & ~bit) | (zero ? bit : 0);
}

/* Keeps `extra`, the cost per unit vcpu_extra_in found for slot p's vCPU
 * in its entry's phase (one that does not change in place), for the
 * re-plan of its run on p (slot_extra, which holds while slot_epoch is
 * known_epoch).  A cost of 0 is kept only when the entry itself gave it
 * (by_entry): the re-plan marks the slot zero exactly when the cost it
 * takes is 0. */
static inline void slot_cost_keep(contention_host *c, uint32_t p, double extra, bool by_entry) {
  if (!by_entry && extra == 0) return;
  c->slot_extra[p] = extra;
  c->slot_epoch[p] = c->known_epoch;
}


/* Makes slot_now describe instant `now`, the marks of an earlier instant
 * forgotten. */
static inline void slot_now_at(contention_host *c, sim_time now) {
  if (c->now_ns != now) {
    c->slot_now[0] = 0; /* (the first word apart, as in settled_after) */
    for (size_t w = 1; w < c->words; w++) c->slot_now[w] = 0;
    c->now_ns = now;
  }
}

/* Marks slot p in slot_now at instant `now`. */
static inline void slot_now_mark(contention_host *c, uint32_t p, sim_time now) {
  slot_now_at(c, now);
  slot_bit(c->slot_now, p, true);
}

/* Whether the re-check that follows a dispatch (contention_recheck, at
 * this instant, known evaluated) has anything to look at: a slot holding a
 * run neither settled, nor quiet, nor marked now.  When there is none it
 * would do nothing, and is not due. */
static inline bool recheck_due(contention_host *c) {
  /* (the first word alone: a host of up to 64 slots, most of them) */
  uint64_t look = c->slot_running[0] & ~(c->slot_settled[0] | c->slot_quiet[0] | c->slot_now[0]);
  for (size_t w = 1; !look && w < c->words; w++)
    look = c->slot_running[w] & ~(c->slot_settled[w] | c->slot_quiet[w] | c->slot_now[w]);
  if (!look) return false;
  c->fresh = true;
  return true;
}

/* contention_unit_cycles but for a re-plan on its own slot: a new run, or
 * a slot or rate changed.  Out of line, so that the re-plan, most of a
 * data center's dispatches, saves and restores only what it uses. */
static __attribute__((noinline)) bool unit_cycles_new_run(eng *e, eng_host *h, contention_host *c,
                                                          eng_vcpu *v, uint32_t p,
                                                          const sim_phase *cur) {
  if (room(h, c) < 0) {
    eng_note_rec(e, -1); /* out of memory: the run fails */
    return true;
  }
  size_t w = p / 64;
  uint64_t bit = (uint64_t)1 << (p % 64);
  const sim_phase *ph = contending_in(e, v, cur);
  bool in_place = phase_in_place(e, v);
  /* A run that uses nothing counted, on a slot whose entry held none, the
   * only slot changed since known was collected: record_one would record
   * it in p's entry and known_patch find nothing changed, so it is recorded
   * here (as the re-check's evaluation would, known kept). */
  bool recorded = !ph && c->slots_static && c->n_slot_known == h->n_slots &&
                  (c->vacated == NO_SLOT || c->vacated == p) && !c->slot_phase[p] &&
                  h->clock_hz == c->known_clock_hz;
  if (recorded) {
    size_t at;
    c->slots_static = !slot_record(e, c, p, (int32_t)(v - e->vcpus), NULL, &at);
    c->vacated = NO_SLOT;
  } else if (!ph) {
    /* not evaluated with it: the re-check collects it */
    c->slot_vcpu[p] = SLOT_UNKNOWN;
    contention_run_ended(h, p);
  }
  /* a new run on p, to be looked at until it is found at its cost (from
   * the next instant: it began now); never, when it uses nothing counted
   * for its whole run: its guest's effect, if another of its vCPUs makes
   * it a co-runner, adds nothing to a phase without memory streams, and
   * nothing to its system calls and process creations, which only a VM's
   * phase has (contending_phase), and a VM waits for no other kernel */
  c->slot_running[w] |= bit;
  c->slot_settled[w] &= ~bit;
  c->slot_quiet[w] = (c->slot_quiet[w] & ~bit) | (!ph && !in_place ? bit : 0);
  /* (evaluate records ph in p's entry below, and every later evaluation
   * records the same while it runs there: contending_phase's of a phase
   * that does not change in place) */
  c->slot_fixed[w] = (c->slot_fixed[w] & ~bit) | (ph && !in_place ? bit : 0);
  slot_now_mark(c, p, v->run_start_ns);
  if (!ph && !recorded) return true; /* the re-check evaluates the set without it */
  if (ph) {
    evaluate(e, h, c, p, (int32_t)(v - e->vcpus), ph, in_place);
    bool by_entry;
    v->contention_unit = vcpu_extra_in(c, v, ph, &by_entry);
    if (!in_place) c->slot_settled[w] |= bit;
    slot_zero_mark(c, p, by_entry && v->contention_unit == 0);
  }
  return recheck_due(c);
}

/* Whether v's run on p in its current phase cur is the run that ended on
 * p going on there (a re-plan), no other slot changed, in the phase and at
 * the rate its entry holds: the running set is known's (slots_unchanged),
 * and p's bits are as replan_settle leaves them, quiet clear and fixed set
 * (the run before was in the same contending phase, not in place: nor is
 * it now, as a request's phase is its own and a guest's trace stays its).
 * (The slots known describes are h's: the arrays have room for p.) */
static inline bool replans_on_slot(const eng *e, const eng_host *h, const contention_host *c,
                                   const eng_vcpu *v, uint32_t p, const sim_phase *cur) {
  return c->vacated == p && c->n_slot_known == h->n_slots && c->slot_vcpu[p] == v - e->vcpus &&
         c->slot_phase[p] == cur && (c->slot_fixed[p / 64] >> (p % 64) & 1) &&
         v->rate == c->slot_rate[p] && c->slots_static && h->clock_hz == c->known_clock_hz;
}

/* The re-plan's run on p begins at `now`, settled at the cost it finds. */
static inline void replan_settle(contention_host *c, uint32_t p, sim_time now) {
  uint64_t bit = (uint64_t)1 << (p % 64);
  c->vacated = NO_SLOT;
  c->slot_running[p / 64] |= bit;
  c->slot_settled[p / 64] |= bit;
  slot_now_mark(c, p, now);
}

/* contention_unit_cycles for a re-plan whose cost was not kept: found, and
 * kept.  Out of line, as unit_cycles_new_run. */
static __attribute__((noinline)) bool unit_cycles_replan(contention_host *c, eng_vcpu *v,
                                                         uint32_t p, const sim_phase *cur) {
  replan_settle(c, p, v->run_start_ns);
  bool by_entry;
  v->contention_unit = vcpu_extra_in(c, v, cur, &by_entry);
  slot_zero_mark(c, p, by_entry && v->contention_unit == 0);
  slot_cost_keep(c, p, v->contention_unit, by_entry);
  return recheck_due(c);
}

bool contention_unit_cycles(eng *e, eng_host *h, eng_vcpu *v, uint32_t p, const sim_phase *cur) {
  contention_host *c = h->contention;
  if (!replans_on_slot(e, h, c, v, p, cur)) return unit_cycles_new_run(e, h, c, v, p, cur);
  assert(!phase_in_place(e, v));
  if (c->slot_epoch[p] != c->known_epoch) return unit_cycles_replan(c, v, p, cur);
  /* the cost a re-check found for the run before (slot_cost_keep's: its
   * slot_zero mark is the cost being 0) */
  replan_settle(c, p, v->run_start_ns);
  v->contention_unit = c->slot_extra[p];
  slot_zero_mark(c, p, v->contention_unit == 0);
  return recheck_due(c);
}

void contention_run_ended(eng_host *h, uint32_t p) {
  contention_host *c = h->contention;
  if (!c) return;
  c->vacated = c->vacated == NO_SLOT || c->vacated == p ? p : SLOTS_MANY;
  if (p < c->cap) slot_bit(c->slot_running, p, false);
}

/* Slot p's run (if it has one) ends now, to be dispatched again, when its
 * cost per unit is not what the co-runners give now; settled when it is.
 * p's bit is `bit` of word w of the slot_ bits (their loop's). */
static void recheck_slot(eng *e, const eng_host *h, contention_host *c, size_t w, uint64_t bit,
                         sim_time now) {
  uint32_t p = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bit));
  int32_t vi = h->pcpus[p].vcpu;
  if (vi < 0) return;
  eng_vcpu *r = &e->vcpus[vi];
  /* (a vCPU that uses nothing counted gets 0: its guest is not in known,
   * or its phase has nothing the effect applies to) */
  /* a run dispatched at this very instant keeps the cost its dispatch
   * found: ending it again would hand its pCPU back to the scheduler,
   * whose next pick changes the co-runners again, without time passing
   * (three vCPUs taking turns on two pCPUs never leave the instant).  Its
   * cost follows at the host's next change, at the latest its slice's end.
   * A run that ends now anyway (its phase's end, a re-plan already due) is
   * dispatched again at the cost of the moment.  (The runs of both kinds
   * that slot_now marks are not even visited.) */
  if (!r->end_ev || r->run_start_ns >= now) return;
  /* the cost first: a run found at its cost is settled whenever its end is
   * due (settled says only that its cost is what known gives, and the run
   * that follows on its slot begins unsettled), so most visits never ask
   * the loop for the end's time; its phase, eng_cur_phase's, as its slot
   * entry holds it when it cannot change (slot_fixed) */
  bool fixed = c->slot_fixed[w] & bit;
  assert(!fixed || (c->slot_vcpu[p] == vi && c->slot_phase[p] == eng_cur_phase(e, r)));
  bool by_entry = false;
  double extra = c->n_known < 2 ? 0
                                : vcpu_extra_in(c, r, fixed ? c->slot_phase[p] : eng_phase_of(e, r),
                                                &by_entry);
  if (extra == r->contention_unit) {
    /* (a phase that changes in place is looked at again) */
    if (fixed || !phase_in_place(e, r)) {
      c->slot_settled[w] |= bit;
      c->slot_zero[w] = (c->slot_zero[w] & ~bit) | (by_entry && extra == 0 ? bit : 0);
    }
    return;
  }
  if (fixed) slot_cost_keep(c, p, extra, by_entry); /* for its re-plan on p */
  if (!sim_reschedule_earlier(e->loop, r->end_ev, now)) return; /* it ends now anyway */
  slot_now_at(c, now);
  c->slot_now[w] |= bit;
}

void contention_recheck(eng *e, eng_host *h) {
  /* a run may last long past the change (a fluid host's until its phase
   * ends, a quantum host's when nothing else waits for its pCPU): every run
   * whose cost per unit the change alters ends now and is dispatched again */
  contention_host *c = h->contention;
  if (!c) return;
  bool fresh = c->fresh;
  c->fresh = false;
  if (room(h, c) < 0) {
    eng_note_rec(e, -1); /* out of memory: the run fails */
    return;
  }
  if (!fresh) evaluate(e, h, c, NO_SLOT, -1, NULL, false);
  /* the slots to look at, in slot order: those holding a run not settled
   * since known last changed (a settled run has the cost its co-runners give: its
   * phase is the same, and so are they), nor quiet (it would be settled),
   * and not marked at this instant in slot_now (recheck_slot would leave
   * such a run as it is) */
  sim_time now = sim_loop_now(e->loop);
  bool marks = c->now_ns == now; /* slot_now describes this instant */
  for (size_t w = 0; w < c->words; w++)
    for (uint64_t look = c->slot_running[w] &
                         ~(c->slot_settled[w] | c->slot_quiet[w] | (marks ? c->slot_now[w] : 0));
         look; look &= look - 1)
      recheck_slot(e, h, c, w, look & -look, now);
}

