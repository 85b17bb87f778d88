/* models/contention_internal.h: the state the files of the contention
 * mechanism (models/contention.h) share: a host's (contention_host: its
 * slots, its running vCPUs, the co-runners known and the runs settled at
 * their cost) and what hosts of one type and profile share
 * (contention_shared: the models' parameters, the native costs, the running
 * sets evaluated on them, contention_set).  models/contention.c keeps a
 * host's state along the dispatches and re-checks; models/contention_set.c
 * finds, shares and evaluates the running sets.  Not for the engine: it
 * speaks to the mechanism through models/contention.h only.
 * Units: cycles at the host's clock, bytes, CPUs.
 * Invariants: a host's known co-runners are what collecting its slots again
 * would give, bit for bit, in all the models read; its set (c->set) is a
 * set equal to them bit for bit, and the shares and effects a set keeps
 * are what evaluating it again would give, bit for bit. */
#ifndef MODELS_CONTENTION_INTERNAL_H
#define MODELS_CONTENTION_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "models/contention.h"
#include "models/engine_internal.h"

/* The models applied (contention_set.c's table): the LLC, DRAM and kernel. */
#define CONTENTION_N_MODELS 3

/* What the models make of the co-runners for one of them: the memory
 * system its accesses see and its kernel operations' wait. */
typedef struct contention_effect {
  mmu_params mem;             /* the host's MMU parameters with its LLC share, DRAM latency and
                               * bandwidth under the others' traffic */
  double kernel_wait;         /* cycles each of its system calls or process creations waits */
  double unit_extra;          /* cycles per unit this adds to the co-runner's phase (unit_extra) */
} contention_effect;

/* Steps a shared set remembers: the sets its hosts went to next when one
 * co-runner changed (contention_set_step); a host of a data center goes through the
 * sets others went through before it. */
#define SET_STEPS 4

/* A step from one shared set to another: the entry at `at` of the set
 * before changed (to's entry there; or removed, when to has one fewer). */
typedef struct contention_step {
  size_t at;                  /* index of the entry that changed */
  struct contention_set *to;  /* the set after the change; NULL: no step */
  bool zeros_stay;            /* every entry but one inserted whose effect's unit_extra is 0
                               * before the change is 0 after, in the same phase
                               * (contention_step_zeros_stay) */
  bool zeros_known;           /* zeros_stay was found */
} contention_step;

/* A running set as the models see it, and what they make of it: the
 * co-runners' shares (share()) and, on demand, the effect on each.  The
 * models read of a co-runner only its phase, its CPUs, whether it runs its
 * own kernel and what its phase costs alone (a function of the phase and
 * the host type), and the clock: a set equal in these, bit for bit, gets
 * the same shares and effects, whichever host and guests it is made of. */
typedef struct contention_set {
  uint64_t hash;              /* set_hash of the key */
  double clock_hz;            /* Hz: the host's clock */
  size_t n;                   /* co-runners */
  contention_guest *g;        /* n: the co-runners, their shares (guest indices those of the
                               * host that evaluated the set first: no model reads them) */
  contention_effect *effect;  /* n: per entry of g */
  bool *effect_known;         /* n: its effect was evaluated (effect_of) */
  struct contention_set *next; /* the next set of the same bucket */
  contention_step steps[SET_STEPS]; /* shared sets: steps taken from it, the oldest replaced */
  size_t next_step;           /* the entry of steps the next new step takes */
} contention_set;

/* What hosts of one type with one profile share: the models' parameters
 * and the native costs, loaded once for all of them (a data center's
 * thousands of hosts come in a few types), and the running sets evaluated
 * on them.  Owned by the engine's list (eng.contention_shared), freed with
 * it. */
typedef struct contention_shared {
  const sim_profile *profile; /* the hosts' profile (not owned) */
  const sim_host_type *type;  /* their type (not owned) */
  bool any;                   /* some model is on for them */
  native_costs costs;         /* their native costs and MMU parameters, at the type's clock */
  void *params[CONTENTION_N_MODELS];     /* each model's; NULL: off */
  contention_set **sets;      /* SET_BUCKETS chains of sets whose co-runners' phases never
                               * change in place, by hash; NULL until the first */
  size_t sets_bytes;          /* bytes the sets hold, at most SETS_MAX_BYTES */
  struct contention_alone *alone; /* ALONE_SLOTS entries (models/contention_set.c) by phase address (open addressing);
                               * NULL until the first */
  size_t n_alone;             /* entries used, at most ALONE_MAX */
  struct contention_shared *next; /* the engine's next entry */
} contention_shared;

/* A running vCPU with a contending phase, as its slot's entry recorded it:
 * what a collection of the co-runners reads of it, so that it reads the
 * engine's vCPU and guest once per run. */
typedef struct contention_run {
  int32_t vcpu;               /* its index */
  uint32_t slot;              /* the slot it runs on */
  uint32_t guest;             /* its guest's index */
  bool own_kernel;            /* its guest is a VM */
  bool in_place;              /* its phase's content may change in place (phase_in_place) */
  const sim_phase *phase;     /* its contending phase */
  double rate;                /* CPUs: its rate, as its dispatch set it for the run */
} contention_run;

/* A host's contention state. */
typedef struct contention_host {
  contention_shared *shared;  /* its type's costs, models' parameters and sets */
  contention_set *set;        /* the running set known is: one of shared's, or own */
  contention_set own;         /* known's set evaluated on the host itself (g: known; effect,
                               * effect_known: the arrays below) */
  void *arrays;               /* the one allocation that holds every array below (room_grow) */
  contention_run *running;    /* room for one per slot: the occupants of the slots with a
                               * contending phase in the slot entries, in vCPU index order */
  size_t n_running;           /* entries of running */
  contention_guest *scratch;  /* room for one co-runner per slot: the running set now */
  /* the running set the effects were computed for (set): evaluated again
   * only when it changes (a guest, its phase or its content, its CPUs, the
   * clock).  After each evaluation it is what corunners collects from
   * running, in all the models read, so that a change of one slot
   * re-collects only its guests (record_one). */
  contention_guest *known;    /* n_known entries */
  size_t n_known;
  double known_clock_hz;      /* Hz */
  contention_effect *effect;  /* own's: per entry of known */
  bool *effect_known;         /* own's: per entry of known */
  size_t cap;                 /* entries of running, scratch, known, effect, effect_known and
                               * the slot_ arrays: the host's slots (a fluid host's grow with
                               * its vCPUs) */
  bool fresh;                 /* known is the running set: a dispatch evaluated it and has not
                               * returned yet (contention_recheck need not collect it again) */
  /* What each slot held when known was collected, so that an evaluation
   * whose inputs did not change costs next to nothing (no phase look-up, no
   * model): a running vCPU's phase and rate stay as its dispatch set them
   * until its run ends (contention_run_ended), and every dispatch passes
   * through contention_unit_cycles. */
  int32_t *slot_vcpu;         /* each slot's vCPU index (negative: none; SLOT_UNKNOWN: forget) */
  const sim_phase **slot_phase; /* its contending phase then (NULL: it used nothing counted) */
  double *slot_rate;          /* CPUs: its rate then */
  uint32_t n_slot_known;      /* slots the entries describe; 0: none is valid */
  bool slots_static;          /* no occupant's phase changes in place (requests, trace samples),
                               * so the entries stand for their occupants while they run */
  uint32_t vacated;           /* the one slot whose occupant changed since known was collected
                               * (a run ended, a run known nothing of began): NO_SLOT none,
                               * SLOTS_MANY more than one */
  /* The slots a re-check looks at, a bit per slot (slot p: bit p % 64 of
   * word p / 64), so that it visits in slot order only the runs whose cost
   * may differ from what the co-runners known give: a settled run has their
   * cost. */
  uint64_t *slot_running;     /* the slot holds a run (contention_unit_cycles to
                               * contention_run_ended) */
  uint64_t *slot_settled;     /* its run was found at the cost known gives (cleared when a run
                               * begins, and when known changes but after a step that leaves
                               * its cost as it was, bit for bit: settled_after) */
  uint64_t *slot_zero;        /* its settled run's cost is 0, its guest's entry's unit_extra
                               * (its phase is the entry's) or its guest in no entry (valid
                               * where slot_settled holds) */
  uint64_t *slot_quiet;       /* its run, begun in a phase that uses nothing a model counts and
                               * does not change in place, costs nothing extra whatever the
                               * co-runners (vcpu_extra gives 0, its contention_unit): a
                               * re-check would settle it (valid while slot_running holds) */
  uint64_t *slot_fixed;       /* its run is in a contending phase that does not change in
                               * place: slot_phase holds that phase, eng_cur_phase's, while it
                               * runs (valid while slot_running holds) */
  /* The cost per unit a re-check found for a run it ended, so that the run
   * dispatched again on its slot (contention_unit_cycles) takes it: the cost
   * known gives slot_extra's slot's entry's vCPU in its entry's phase, one
   * that does not change in place, while slot_epoch is known_epoch (set
   * only where its slot_zero mark is the cost being 0; the entry recorded
   * again forgets it). */
  uint64_t known_epoch;       /* known's changes (evaluate_slots), from 1 */
  uint64_t *slot_epoch;       /* known_epoch when slot_extra was found; 0: none */
  double *slot_extra;         /* cycles per unit */
  /* The slots whose run no re-check at the instant now_ns looks at: it
   * began then (a dispatch keeps the cost it found) or a re-check ended it
   * then (its end event is due at that instant; events move only earlier,
   * never past now).  A burst of events at one instant (each run ended by
   * a change of the co-runners dispatched again in turn) then visits each
   * run once, not once per event of the burst.  Either stays true at the
   * instant whatever the slot holds later: a run that follows begins then. */
  uint64_t *slot_now;         /* valid while now_ns is the loop's now; stale (all clear) after */
  sim_time now_ns;            /* ns: the instant slot_now describes; -1 before any */
  size_t words;               /* words of slot_running, slot_settled, slot_zero, slot_quiet,
                               * slot_fixed and slot_now: cap / 64, rounded up */
} contention_host;

/* vacated: no slot, several slots. */
#define NO_SLOT UINT32_MAX
#define SLOTS_MANY (UINT32_MAX - 1)

/* A slot entry no vCPU index matches: evaluated again in full. */
#define SLOT_UNKNOWN INT32_MIN

/* An entry index no set has: no single entry changed. */
#define NO_STEP SIZE_MAX

/* The bits of x: two doubles are the same input to the models when their
 * bits are. */
static inline uint64_t bits_of(double x) {
  uint64_t b;
  memcpy(&b, &x, sizeof b);
  return b;
}


/* Whether entry a of a set is entry b of another as far as the models can
 * tell (contention_set). */
static inline bool same_entry(const contention_guest *a, const contention_guest *b) {
  return a->phase == b->phase && a->own_kernel == b->own_kernel &&
         bits_of(a->cpus) == bits_of(b->cpus) && bits_of(a->unit_cycles) == bits_of(b->unit_cycles);
}

/* Whether c->known, which differs from set `from` (the set of c->known
 * before) only in its entry `at` (NO_STEP: not so), may be found by a step
 * from `from`: only from a shared set, to one. */
static inline bool contention_set_steps(const contention_host *c, const contention_set *from,
                                        size_t at) {
  return from != &c->own && at != NO_STEP && c->n_known >= 2 && c->slots_static;
}

/* The step from `from` taken before that leads to the set of c->known (as
 * in contention_set_steps: the same entry changed to the same, or
 * removed), or NULL: inline, as most changes of a data center's hosts find
 * one, and a call per change cost more than the look. */
static inline contention_step *contention_set_step(const contention_host *c,
                                                   contention_set *from, size_t at) {
  size_t n = c->n_known;
  for (size_t k = 0; contention_set_steps(c, from, at) && k < SET_STEPS; k++) {
    contention_set *to = from->steps[k].to;
    if (to && from->steps[k].at == at && to->n == n &&
        (n < from->n || same_entry(&to->g[at], &c->known[at])))
      return &from->steps[k];
  }
  return NULL;
}

/* ---- models/contention_set.c ---- */

/* The shared entry of hosts of h's profile and type, loaded on first use
 * and kept in e's list (eng.contention_shared): NULL with the error in
 * e's diag (or out of memory). */
contention_shared *contention_shared_of(eng *e, const eng_host *h);

/* Frees sh, its models' parameters and its sets. */
void contention_shared_free(contention_shared *sh);

/* contention_phase_alone of g's phase, whose content never changes in
 * place, into *g: computed once for the hosts of sh, copied from then on. */
void contention_shared_alone(contention_shared *sh, contention_guest *g);

/* The set of c->known, which differs from set `from` (the set of c->known
 * before) only in its entry `at` (NO_STEP: not so), of two co-runners or
 * more, when contention_set_step finds none: shared by the hosts of c's type when it can be (evaluated
 * when new, and remembered as a step from `from`), else c->own, evaluated. */
contention_set *contention_set_after(contention_host *c, contention_set *from, size_t at);

/* Evaluates the effect of the others in set s (of sh) on its entry
 * `self`, once per set and entry. */
void contention_effect_evaluate(const contention_shared *sh, contention_set *s, size_t self);

/* Cycles per unit that effect x (of sh) adds to phase ph, whose first
 * streams' data cycles alone are alone[] (NULL: computed here). */
double contention_unit_extra(const contention_shared *sh, const contention_effect *x,
                             const sim_phase *ph, const double *alone);

/* Step st's zeros_stay from shared set `from`, found (evaluating the
 * effects it compares) the first time any host takes it. */
bool contention_step_zeros_stay(const contention_shared *sh, contention_set *from,
                                contention_step *st);

/* The set of c->known, which differs from set `from` (the set of c->known
 * before) only in its entry `at` (NO_STEP: not so): a step's (*step; else
 * NULL), or for fewer
 * than two co-runners c->own (no model applies to them: nothing to share),
 * else contention_set_after's.  Inline: most changes take one of the first
 * two ways, and a call per change cost more than they do. */
static inline contention_set *contention_set_of_known(contention_host *c, contention_set *from,
                                                      size_t at, contention_step **step) {
  *step = contention_set_step(c, from, at);
  if (*step) return (*step)->to;
  if (c->n_known >= 2) return contention_set_after(c, from, at);
  /* (set_of's for them: no step leads to it, no effect is known) */
  c->own.n = c->n_known;
  c->own.clock_hz = c->known_clock_hz;
  for (size_t k = 0; k < c->n_known; k++) c->own.effect_known[k] = false;
  return &c->own;
}

/* The effect of the others in c's set on its entry `self`: a test, inlined
 * where every re-check and dispatch asks it. */
static inline const contention_effect *effect_of(contention_host *c, size_t self) {
  if (!c->set->effect_known[self]) contention_effect_evaluate(c->shared, c->set, self);
  return &c->set->effect[self];
}

#endif
