/* models/sched_common.h: what every CPU scheduler of models/scheduler.h has
 * in common, so that a sched_<name>.c holds only its policy.
 *  - parameters: a scheduler's profile quantities, read once at create,
 *    required (a key the profile lacks is an error naming it and the
 *    profile) and range-checked;
 *  - the host: its pCPUs, each IDLE, KICKED (the engine will call pick_next
 *    on it) or RUNNING one vCPU for a slice; its vCPUs (guest, pinning,
 *    queued or running, enqueue order); the guests with a vCPU on it
 *    (weight, cap), in the order their first vCPU was added;
 *  - the queries the quantum schedulers (rr, credit, credit2, cfs) all make
 *    when a vCPU wakes or is picked: an idle pCPU it may use, the oldest
 *    unbounded run to bound, whether a queued vCPU will still wait for a
 *    pCPU.
 * A scheduler keeps its own per-vCPU and per-guest policy state (credit,
 * virtual time, budgets) in arrays indexed like the host's.
 * Units: ns (sim_time); weights relative; caps in CPUs.
 * Invariants: a vCPU is queued iff it is runnable and not running (the
 * scheduler keeps this through sched_enqueue and sched_vcpu_run/stop); a
 * RUNNING pCPU has vcpu >= 0 and end_ns = SIM_TIME_MAX while
 * its run is unbounded; an IDLE or KICKED one has vcpu -1 and end_ns
 * SIM_TIME_MAX; guest weights are >= 1 (0 in a sched_vcpu_info means 1). */
#ifndef MODELS_SCHED_COMMON_H
#define MODELS_SCHED_COMMON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/scheduler.h"

/* Reads the profile quantity `key` (its canonical unit) for scheduler
 * `sched` into *out and checks lo <= value <= hi.  0, or -1 with a
 * diagnostic when there is no profile, the profile (or its fallbacks) lacks
 * it, or it is out of range: a scheduler never runs on made-up values. */
int sched_param(const sched_env *env, const char *sched, const char *key, double lo, double hi, double *out,
                sim_diag *diag);

typedef enum sched_pcpu_state { SCHED_PCPU_IDLE, SCHED_PCPU_KICKED, SCHED_PCPU_RUNNING } sched_pcpu_state;

typedef struct sched_pcpu {
  sched_pcpu_state state; /* see the invariants above */
  int32_t vcpu;           /* vCPU running (RUNNING), else -1 */
  sim_time start_ns;      /* ns: when the running vCPU's run started */
  sim_time end_ns;        /* ns: planned end or kick; SIM_TIME_MAX while unbounded */
} sched_pcpu;

typedef struct sched_guest {
  uint32_t id;     /* guest index in the scenario */
  uint32_t weight; /* relative share, >= 1 */
  double cap;      /* CPUs, 0 = uncapped */
} sched_guest;

typedef struct sched_vcpu {
  uint32_t guest; /* index into sched_host.guests */
  int32_t pinned; /* pCPU it must run on, or -1 */
  bool queued;    /* in the run queue */
  bool running;   /* on a pCPU */
  uint64_t seq;   /* enqueue order: smaller first where a policy ties */
} sched_vcpu;

typedef struct sched_host {
  uint32_t n_pcpus;            /* count */
  sched_pcpu *pcpus;           /* n_pcpus entries */
  sched_vcpu *vcpus;           /* n_vcpus entries, in the order added */
  size_t n_vcpus, cap_vcpus;   /* count, capacity (sched_exact_room) */
  sched_guest *guests;         /* guests with a vCPU here */
  size_t n_guests, cap_guests; /* count, capacity (sched_exact_room) */
  uint64_t seq;                /* enqueues so far */
} sched_host;

/* Room for exactly `need` entries of `size` bytes in *array (*capacity of
 * them).  A host's vCPUs are added at set-up (sched_host_reserve makes room
 * for them all at once), then only when a guest moves to it for the first
 * time: exact room costs a reallocation on those rare adds, where doubling
 * would hold up to twice the entries for the whole run on every host of a
 * data center.  0, or -1 when out of memory (*array unchanged). */
int sched_exact_room(void **array, size_t *capacity, size_t need, size_t size);

/* n_pcpus IDLE pCPUs and no guest.  0, or -1 when out of memory. */
int sched_host_init(sched_host *h, uint32_t n_pcpus);
void sched_host_free(sched_host *h);
/* Room for n_vcpus vCPUs of n_guests guests in all (at least the room
 * there is), so that adding them reallocates nothing.  0, or -1 when out
 * of memory. */
int sched_host_reserve(sched_host *h, size_t n_vcpus, size_t n_guests);
/* Registers the next vCPU (not runnable), and its guest (weight, cap from
 * `info`) on the guest's first vCPU, when *new_guest is set true.  Its guest's
 * index in h->guests, or -1 when out of memory. */
long sched_host_add_vcpu(sched_host *h, const sched_vcpu_info *info, bool *new_guest);

/* The index in h->guests of the guest whose scenario index is `guest`, or
 * -1 when it has no vCPU here (a scheduler's set_cap finds it so). */
long sched_host_guest(const sched_host *h, uint32_t guest);

/* vCPU v joins the run queue, after every vCPU queued before it. */
static inline void sched_enqueue(sched_host *h, int32_t v) {
  h->vcpus[v].queued = true;
  h->vcpus[v].seq = ++h->seq;
}

/* Whether a vCPU pinned to `pinned` (-1: any) may run on pCPU p. */
static inline bool sched_allowed(int32_t pinned, int32_t p) { return pinned < 0 || pinned == p; }

/* pCPU p becomes IDLE / RUNNING vCPU v from now for `slice` ns
 * (SIM_TIME_MAX: unbounded). */
void sched_pcpu_idle(sched_host *h, int32_t p);
void sched_pcpu_run(sched_host *h, int32_t p, int32_t v, sim_time now, sim_time slice);

/* The lowest-numbered IDLE pCPU a vCPU pinned to `pinned` may use, or -1. */
int32_t sched_idle_pcpu(const sched_host *h, int32_t pinned);
/* Of the RUNNING pCPUs it may use with an unbounded run, the one whose run
 * started first (lowest number on ties), or -1: the run a waking vCPU bounds
 * when it may not preempt. */
int32_t sched_oldest_unbounded(const sched_host *h, int32_t pinned);
/* Whether a queued vCPU will still wait for pCPU p once the pCPUs already
 * due for a pick (KICKED) have taken theirs: one pinned to p always does;
 * unpinned ones when they outnumber those pCPUs.  O(vCPUs + pCPUs). */
bool sched_contended(const sched_host *h, int32_t p);

#endif
