/* models/vcost.h: what every technique model shares: reading costs from the
 * calibration profile, the native costs every technique starts from, and the
 * per-guest state of the memory model.
 * What it models: nothing by itself.  Each technique reads its own cost
 * table once per (profile, host type) in its load(): the native costs and
 * the MMU parameters below, then its own keys (bt.*, pv.*, hvm.* ...) through
 * vcost_read, into a struct of doubles that begins with a native_costs.
 * Units: cycles unless a field says otherwise; latencies given in ns in the
 * profile are converted to cycles at the clock (cpu.clock, or the host
 * type's), bit/s to bytes per cycle.
 * Invariants: every field read is finite and >= 0; a missing or invalid
 * quantity is an error naming the key and the profile, never a default; a
 * technique never uses a literal cost: what it charges is a field of its
 * table times a count from the workload. */
#ifndef MODELS_VCOST_H
#define MODELS_VCOST_H
#include <stdbool.h>
#include <stddef.h>

#include "models/mmu.h"
#include "models/technique.h"

/* ---- reading a cost table ---- */

/* How a quantity is stored into its field. */
typedef enum vcost_conv {
  VCOST_SAME,    /* double: cycles, counts, bytes, Hz, ratios, as read */
  VCOST_NS,      /* double: ns -> cycles at the clock */
  VCOST_BOOL,    /* bool: a count, nonzero is true */
  VCOST_BITRATE  /* double: bit/s -> bytes per cycle at the clock */
} vcost_conv;

/* One quantity of a cost table. */
typedef struct vcost_key {
  const char *key;  /* profile quantity */
  size_t offset;    /* of its double or bool in the table */
  vcost_conv how;
} vcost_key;

/* The profile's name, for messages ("(no profile)" when there is none). */
const char *vcost_profile_name(const sim_profile *profile);

/* Reads keys[0..n) from `profile` into the table at `table`, converting at
 * clock_hz.  Returns the number of quantities missing or invalid (negative
 * or not finite), each reported in diag by key and profile. */
size_t vcost_read(const sim_profile *profile, double clock_hz, const vcost_key *keys, size_t n,
                  void *table, sim_diag *diag);

/* ---- the native costs, shared by every technique ---- */

typedef struct native_costs {
  double clock_hz;              /* the clock (vcost_clock), Hz */
  double syscall;               /* syscall.native: entry + exit of one system call */
  double page_fault;            /* page_fault.native: one minor fault, delivery to return */
  double fork;                  /* fork.native: fork+exit+wait of a small process */
  double fork_per_page;         /* fork.per_resident_page: per resident 4 KiB page of the parent */
  double fork_switches;         /* fork.context_switches: address-space switches per fork, count */
  double context_switch;        /* context_switch.native */
  double rdtsc, cli, cr8, port_io; /* rdtsc.native, cli.native, cr8.native, port_io.native */
  double callret;               /* callret.native: one call/ret pair */
  double exception;             /* exception.native: divide fault delivered to the guest */
  double pte_write;             /* pte_write.native: one page-table entry store */
  double timer_hz;              /* timer.hz: guest timer interrupts per second, Hz */
  bool tlb_tagged;              /* tlb.tagged, or the host type's: TLB entries tagged (VPID) */
  mmu_params mmu;               /* tlb.*, pwc.*, ntlb.*, mem.* (mmu_params_load) */
} native_costs;

/* Reads the native costs and the MMU parameters from `profile` (host_type's
 * overrides applied; it may be NULL).  0, or negative with one error per
 * missing quantity. */
int native_costs_load(const sim_profile *profile, const sim_host_type *host_type, native_costs *c,
                      sim_diag *diag);

/* Allocates a cost table of `size` bytes that begins with a native_costs and
 * loads the native costs into it, then `n` more keys at the same clock.
 * 0 with *table, or negative with every missing quantity in diag (nothing
 * allocated).  The load() of every technique. */
int vcost_table_load(const sim_profile *profile, const sim_host_type *host_type, size_t size,
                     const vcost_key *keys, size_t n, void **table, sim_diag *diag);
/* Frees a table of vcost_table_load (free_params of every technique). */
void vcost_table_free(void *table);

/* Native cycles of the ordinary instructions of one unit. */
double vcost_instr_cycles(const sim_phase *ph);

/* The identity of the code a phase runs, for caches of translated code: the
 * phase's name string, which every copy of the phase shares (the engine
 * expands a trace into one copy of its source phase per sample: the same
 * code, models/engine_setup.c trace_expand), and which distinct phases do
 * not (each has its own); a phase without a name is its own identity. */
const void *vcost_code_id(const sim_phase *ph);

/* Pages a page fault or fork touches: the resident pages of the phase's
 * process, the sum of its access streams' working sets, in 4 KiB pages. */
double vcost_resident_pages(const sim_phase *ph);

/* Native cycles of one unit of the CPU part of ph (every operation but the
 * memory accesses), as bare metal runs it. */
double vcost_native_cpu(const native_costs *c, const sim_phase *ph);

/* Virtual timer interrupts: a guest spending `cycles` of CPU receives
 * cycles / clock * timer.hz interrupts, each costing irq_cycles more than
 * natively; adds that to out's MECH_TRAP.  Inline: hardware-assisted
 * techniques charge it at every event. */
static inline void vcost_charge_timer(const native_costs *c, double cycles, double irq_cycles,
                                      cycles_by_mech *out) {
  out->cycles[MECH_TRAP] += cycles / c->clock_hz * c->timer_hz * irq_cycles;
}

/* ---- the memory model of one guest ---- */

/* Which walk a TLB miss takes: 1D on page tables the hardware walks (the
 * guest's own: native, container, pv; or shadow tables: bt, hvm), 2D under
 * EPT/NPT. */
typedef enum vcost_walk { VCOST_WALK_1D, VCOST_WALK_2D } vcost_walk;

/* The per-access costs of the memory streams of one phase under one table:
 * a function of the streams, the table, the walk kind, the software-MMU
 * extra and the guest's page size only, never of the units charged.  Each
 * is computed once, at the first charge (or prepared unit) that needs it,
 * and kept unchanged by its table until the table is freed (models/vcost.c),
 * so every state over the table, and every prepared unit
 * (models/technique_unit.h), charges from the same one. */
typedef struct vcost_stream_cost {
  double count;             /* accesses per unit of work (the stream's count) */
  double data;              /* cycles of one access's data */
  double walk_exposed;      /* cycles of one access's walk the data does not hide */
} vcost_stream_cost;

typedef struct vcost_streams {
  const sim_access_spec *access; /* the streams: the phase's array, which outlives the run and
                             never changes (a request's phase is a copy that shares it) */
  size_t n;                 /* how many, >= 1 */
  vcost_walk walk;          /* the walk they were computed for */
  double miss_extra;        /* cycles, the software-MMU extra they include */
  bool huge_pages;          /* for a guest with 2 MiB pages */
  double pages;             /* 4 KiB or 2 MiB pages the streams touch (pages_touched) */
  double walk_cycles;       /* cycles of one walk, the streams' mean (walk_cycles) */
  vcost_stream_cost stream[]; /* per stream, in the phase's order */
} vcost_streams;

/* What every technique keeps per guest: where its accesses go and what a TLB
 * refill costs after a flush. */
typedef struct vstate {
  const native_costs *c;    /* the technique's table (shared, not owned) */
  double pages_touched;     /* distinct pages of the last phase charged, for TLB refills */
  double walk_cycles;       /* cycles of one walk in the last phase charged */
  /* The costs of the streams last charged (the table's, not owned): a guest
   * charges the same phase at every event of its run, and its vCPUs the same
   * phases, and finds them here without a look-up.  NULL until the first
   * phase with streams (and when they could not be kept: they are then
   * computed at each charge, to the same values). */
  const vcost_streams *memo;
  bool huge_pages;          /* guest backs memory with 2 MiB pages, nested pages too */
} vstate;

/* The state of guest g (NULL: 4 KiB pages) over table c, a table of
 * vcost_table_load.  It holds nothing to free. */
void vstate_init(vstate *s, const native_costs *c, const sim_guest *g);

/* create() and destroy() of a technique whose state is a bare vstate. */
int vstate_create(const void *params, const sim_guest *g, void **state, sim_diag *diag);
void vstate_free(void *state);

/* The costs of ph's memory streams for s under walk and miss_extra, from
 * s's table (computed there at the first request): NULL when ph has no
 * streams, or when they could not be kept (out of memory). */
const vcost_streams *vcost_streams_of(const vstate *s, const sim_phase *ph, vcost_walk walk,
                                      double miss_extra);

/* Charges `units` units of the memory accesses of ph: data accesses to
 * MECH_GUEST, TLB-miss walks to MECH_PAGEWALK as far as they exceed the data
 * cycles (the walker overlaps the data transfers of other, independent
 * accesses: an access costs max(data, miss rate * walk)).  miss_extra is
 * what a software MMU adds to every miss on shadow page tables
 * (shadow.tlb_miss_extra), 0 for hardware-walked tables.  Records the pages
 * touched and the walk cost in s for vcost_tlb_refill. */
void vcost_charge_memory(vstate *s, const sim_phase *ph, double units, vcost_walk walk,
                         double miss_extra, cycles_by_mech *out);

/* vcost_charge_memory of the phase m is of (vcost_streams_of(s, ph, walk,
 * miss_extra)), from m: the same operations in the same order, so the same
 * cycles bit for bit, and the same pages and walk recorded in s (m becomes
 * its memo).  Inline: a prepared unit charges it at every event. */
static inline void vcost_charge_streams(vstate *s, const vcost_streams *m, double units,
                                        cycles_by_mech *out) {
  double guest = out->cycles[MECH_GUEST], pagewalk = out->cycles[MECH_PAGEWALK];
  for (size_t i = 0; i < m->n; i++) {
    double n = m->stream[i].count * units;
    guest += n * m->stream[i].data;
    pagewalk += n * m->stream[i].walk_exposed;
  }
  out->cycles[MECH_GUEST] = guest;
  out->cycles[MECH_PAGEWALK] = pagewalk;
  s->pages_touched = m->pages;
  s->walk_cycles = m->walk_cycles;
  s->memo = m;
}

/* Cycles to refill the TLB after a flush, for the pages the guest touched in
 * the last phase charged (one walk per entry reloaded). */
double vcost_tlb_refill(const vstate *s);

#endif
