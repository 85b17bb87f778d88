/* models/contention.h: guests that run at the same time on one host slow
 * each other down through what the host shares: its last-level cache, its
 * DRAM bandwidth, and (for containers and native processes) its one kernel.
 * What it models: the mechanism.  At each dispatch the engine hands it the
 * guests running on the host at that moment (the co-runners), and after
 * each change of them the runs whose cost it alters are re-planned; the
 * models (models/contention_llc.c, contention_dram.c, contention_kernel.c, applied
 * in that order, each one file) turn the co-runners' operation mixes into
 * what one guest's accesses and kernel operations see: its share of the
 * LLC, the DRAM latency and bandwidth under the others' traffic, the wait
 * for the kernel's locks.  The difference with what the guest sees alone is
 * an extra cost per unit of work, charged as the guest's own work
 * (MECH_GUEST), and to its native twin too (the same work natively beside
 * the same neighbours).
 * A model is on for a host when its profile (fallback chain included)
 * holds the model's quantities, off when it lacks them: no scenario key
 * enables it, since a research tool should show noisy neighbours without
 * being asked.  A quantity present but invalid is an error.
 * Units: cycles at the host's clock for costs, bytes, CPUs, seconds where a
 * field says so.
 * Invariants: a guest running alone on its host (no other guest running
 * with a memory stream, or outside a VM with a system call or a process
 * creation) pays exactly nothing extra, so its results stay those of the
 * models without contention; co-runners are summed in guest-index order, so the costs do
 * not depend on which pCPU or slot each runs on; a co-runner's intensity
 * comes from its phase's cost alone (contention_alone_cycles), never from
 * what contention made it cost, so re-evaluating a run whose co-runners did
 * not change gives bit for bit the same cost and re-plans end. */
#ifndef MODELS_CONTENTION_H
#define MODELS_CONTENTION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/vcost.h"
#include "sim/diag.h"
#include "sim/profile.h"
#include "sim/scenario.h"

/* Access streams of a phase whose data cycles alone a co-runner keeps
 * (contention_guest.alone_access_cycles): every shipped workload's phases
 * have at most two; the extra of a phase with more computes the rest. */
#define CONTENTION_ALONE_ACCESSES 4

/* One guest running on the host now. */
typedef struct contention_guest {
  uint32_t guest;             /* its index: co-runners are in increasing order */
  bool own_kernel;            /* a VM: its processes take its own kernel's locks */
  const sim_phase *phase;     /* the phase of its lowest-indexed running vCPU */
  double cpus;                /* CPUs its running vCPUs hold now (fluid rates summed), > 0 */
  double unit_cycles;         /* cycles of one unit of its phase alone, > 0 */
  double llc_lines;           /* LLC lines one unit of its phase fetches alone */
  double footprint_bytes;     /* bytes its phase's accesses span: the most of the LLC it can use */
  double alone_access_cycles[CONTENTION_ALONE_ACCESSES]; /* cycles: the data cycles of one access
                               * of each of its phase's first CONTENTION_ALONE_ACCESSES streams
                               * alone, kept from unit_cycles' sum for the extra of its effect */
  double llc_bytes;           /* bytes of the LLC it holds (contention_llc.c); the whole LLC
                               * until a model shares it */
  /* what the models' share() computes for each co-runner */
  double llc_rate;            /* lines per cycle it fetches into the LLC (contention_llc.c) */
  double dram_bytes_per_s;    /* B/s it moves to and from DRAM (contention_dram.c) */
  double lock_load;           /* share of the time its kernel's locks are held for it, 1 */
  double lock_hold_sq;        /* s: sum over its lock takers of rate x hold^2 (contention_kernel.c) */
} contention_guest;

/* What the models see and set: the co-runners (share() fills their
 * per-guest fields once per running set), then one guest (`self`) among
 * them (apply() sets what it sees). */
typedef struct contention_view {
  const native_costs *costs;  /* the host's native costs and MMU parameters (not owned) */
  double clock_hz;            /* Hz: the host's clock now */
  contention_guest *g;        /* the co-runners, in guest order */
  size_t n;                   /* how many, >= 2 */
  size_t self;                /* apply(): index in g of the guest whose cost is wanted */
  mmu_params mem;             /* apply(): the memory system self's accesses see: costs->mmu with
                               * the LLC share, DRAM latency and bandwidth the models set */
  double kernel_wait_cycles;  /* apply(): cycles each system call or process creation of self waits */
} contention_view;

/* One contention model: a resource of the host and its cost. */
typedef struct contention_ops {
  const char *name;
  /* Reads the model's quantities from `profile` for hosts of `type`: 0 with
   * *params, or 0 with *params NULL when the profile does not describe the
   * resource (the model is off), or negative with the error in diag. */
  int (*load)(const sim_profile *profile, const sim_host_type *type, void **params, sim_diag *diag);
  void (*free_params)(void *params);
  /* Once per running set: each co-runner's use of the resource (its
   * fields of contention_guest), in guest order. */
  void (*share)(const void *params, contention_view *view);
  /* For view->self: adds the resource's effect on it to view->mem or
   * view->kernel_wait_cycles, from what share() computed. */
  void (*apply)(const void *params, contention_view *view);
} contention_ops;

extern const contention_ops contention_llc_ops;
extern const contention_ops contention_dram_ops;
extern const contention_ops contention_kernel_ops;

/* Cycles of one unit of ph alone on a host of `costs`: its CPU work and its
 * memory accesses' data, as bare metal runs them; how intensely it uses the
 * shared resources is its counts over these cycles. */
double contention_alone_cycles(const native_costs *costs, const sim_phase *ph);

/* Sets what g's phase ph costs and uses alone on a host of `costs`:
 * unit_cycles (contention_alone_cycles, bit for bit), llc_lines,
 * footprint_bytes (the models read them; they depend on the phase and the
 * host type only) and alone_access_cycles. */
void contention_phase_alone(const native_costs *costs, const sim_phase *ph, contention_guest *g);

/* A profile quantity of a contention model: 1 with *value when present and
 * valid, 0 when absent, -1 (error in diag) when negative or not finite. */
int contention_quantity(const sim_profile *profile, const char *key, double *value,
                        sim_diag *diag);

/* The highest load a queue of these models is evaluated at: at or beyond
 * saturation a queue has no steady state and its wait grows without bound;
 * the cap keeps it finite (9.5 mean service times of an M/D/1 queue), the
 * order of the loaded latencies memory and lock measurements report near
 * saturation. */
#define CONTENTION_MAX_LOAD 0.95

/* The mean wait before service of a single-server queue with Poisson
 * arrivals (Pollaczek-Khinchine, M/G/1 [KLE75] sec. 5.7): the sum over
 * its arrival streams of rate x service time squared, over 2 (1 - load),
 * the load capped at CONTENTION_MAX_LOAD.  Units: those of the service
 * times (rate_service_sq in time). */
double contention_queue_wait(double load, double rate_service_sq);

/* LLC and memory-controller domains of a host of `cores` cores whose
 * sockets have socket_cores each: ceil(cores / socket_cores), at least 1. */
double contention_domains(uint32_t cores, double socket_cores);

/* ---- the engine's side (models/engine.c) ---- */

struct eng;
struct eng_host;
struct eng_vcpu;

/* The contention state of every host whose profile describes a shared
 * resource (eng_host.contention; NULL for the others).  0, or negative with
 * the error in diag. */
int contention_setup(struct eng *e);
void contention_free(struct eng *e);

/* Sets v->contention_unit: the cycles per unit of work the co-runners of v
 * on h add to v's current phase ph (eng_cur_phase's) now, v being
 * dispatched on slot p of h (its rate set, its run_start_ns now): 0 when it
 * runs alone.  Every run's start
 * on h passes through it (eng_dispatch), as every end through
 * contention_run_ended: between the two the slot holds a run a re-check may
 * look at.  Whether the re-check the dispatch owes (contention_recheck,
 * once its run is scheduled, at the same instant) may do anything: false
 * when it would find nothing to look at, and then it need not be made. */
bool contention_unit_cycles(struct eng *e, struct eng_host *h, struct eng_vcpu *v, uint32_t p,
                            const sim_phase *ph);

/* The run on slot p of h ends (its vCPU leaves the slot): the next
 * evaluation of h's co-runners looks at that slot again.  Every run's end
 * passes through it (eng_finish_run). */
void contention_run_ended(struct eng_host *h, uint32_t p);

/* The running set of h changed (a dispatch, a pCPU gone idle): every other
 * run on h whose cost per unit the change alters ends now, keeping its
 * work, and is dispatched again at its new cost. */
void contention_recheck(struct eng *e, struct eng_host *h);

#endif
