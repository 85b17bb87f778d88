/* models/vcost.h: the costs every technique model reads from the calibration
 * profile, and the per-guest state the technique models share.
 * What it models: nothing by itself; it gathers, once per guest at create(),
 * every named cost of models/profiles/README.md into a plain struct of
 * doubles (so that tests can fill one directly), and computes the native cost
 * of each kind of operation of a phase, which every technique starts from.
 * Units: cycles unless a field says otherwise; latencies given in ns in the
 * profile are converted to cycles at cpu.clock.
 * Invariants: every field is finite and >= 0 after vcost_load(); a technique
 * never uses a literal cost: what it charges is a field of this struct times
 * a count from the workload. */
#ifndef MODELS_VCOST_H
#define MODELS_VCOST_H
#include <stdbool.h>

#include "models/mmu.h"
#include "models/technique.h"

typedef struct vcost {
  double clock_hz;              /* cpu.clock, Hz */
  /* native costs */
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
  bool tlb_tagged;              /* tlb.tagged: TLB entries tagged (VPID/ASID) */
  mmu_params mmu;               /* tlb.*, pwc.*, ntlb.*, mem.* */
  /* container */
  double ct_namespace_ns;       /* container.namespace_create, ns (once, at start) */
  double ct_cgroup_ns;          /* container.cgroup_enter, ns (once, at start) */
  /* binary translation */
  double bt_translate;          /* bt.translate_per_instr: per guest instruction translated */
  double bt_instr_bytes;        /* bt.bytes_per_instr: mean guest instruction length, bytes */
  double bt_tc_bytes;           /* bt.tc_bytes: translation-cache capacity (guest code), bytes */
  double bt_callout;            /* bt.callout: exit from the TC to the VMM and back */
  double bt_tc_rdtsc, bt_tc_cli, bt_tc_cr8, bt_tc_in; /* bt.tc_emulate.*: in-TC emulation */
  double bt_trap;               /* bt.trap_emulate: trap-and-emulate of a not yet adapted instr */
  double bt_adapt;              /* bt.adapt_threshold: traps before adaptive BT retranslates, count */
  double bt_syscall;            /* bt.syscall_extra: VMM mediation of a system call */
  double bt_callret;            /* bt.callret: call/ret pair in translated code */
  double bt_page_fault;         /* bt.page_fault: guest page fault, total */
  double bt_exception;          /* bt.exception: divide fault, total */
  double bt_pte_write;          /* bt.pte_write: store to a traced guest page table, total */
  double bt_shadow_fill;        /* bt.shadow_fill: hidden fault filling a shadow entry */
  double bt_cr3;                /* bt.cr3_switch: guest address-space switch (shadow root) */
  /* software MMU (shadow page tables: bt, hvm) */
  double shadow_miss;           /* shadow.tlb_miss_extra: software-MMU overhead of one TLB miss
                                   on shadow page tables, beyond the hardware 1D walk (FITTED) */
  /* paravirtualization */
  double pv_hypercall;          /* pv.hypercall: one hypercall round trip */
  double pv_batch;              /* pv.pte_batch_size: entries per mmu_update hypercall, count */
  double pv_validate;           /* pv.pte_validate: validation of one entry by the hypervisor */
  double pv_syscall;            /* pv.syscall_extra: fast trap handler vs native */
  double pv_page_fault;         /* pv.page_fault_extra: fault bounced through the hypervisor */
  double pv_cr3;                /* pv.cr3_switch: new_baseptr hypercall work beyond the call */
  double pv_sensitive;          /* pv.sensitive_op: PV-op replacing cli/cr8/rdtsc (hypercall-free) */
  /* hardware assistance */
  double hvm_roundtrip;         /* hvm.exit.roundtrip: VM exit + entry, kernel-handled */
  double hvm_user;              /* hvm.exit.user: exit to the user-level device model, total */
  double hvm_pf;                /* hvm.exit.page_fault: handler of a page-fault exit */
  double hvm_pte;               /* hvm.exit.pte_write: handler of a traced PTE write */
  double hvm_cr3;               /* hvm.exit.cr3: handler of a CR3 load exit (shadow root) */
  double hvm_cr8;               /* hvm.exit.cr8: handler of a CR8 write without TPR shadow */
  double hvm_rdtsc;             /* hvm.exit.rdtsc: handler of an RDTSC exit */
  double hvm_interrupt;         /* hvm.exit.interrupt: handler of an external-interrupt exit */
  double hvm_irq_exits;         /* hvm.interrupt_exits: exits per virtual timer interrupt, count */
  bool hvm_tpr_shadow;          /* hvm.tpr_shadow: CR8 writes do not exit */
  bool hvm_rdtsc_exiting;       /* hvm.rdtsc_exiting: RDTSC exits (no TSC offsetting) */
  double hvm_exception;         /* hvm.exception_extra: exception delivery inside a VM */
  double hvm_cpu_eff;           /* hvm.untuned.cpu_efficiency: ratio, instruction throughput
                                   of an untuned guest CPU model vs host */
} vcost;

/* Reads every cost from env->profile (host-type MMU overrides applied).
 * 0, or negative with one error per missing quantity in diag. */
int vcost_load(const technique_env *env, vcost *c, sim_diag *diag);

/* A phase whose code is in the translation cache. */
typedef struct vtc_entry {
  const sim_phase *phase;   /* by identity */
  double bytes;             /* guest code translated, bytes */
} vtc_entry;

/* One guest's technique state (all techniques use the same layout). */
typedef struct vstate {
  vcost c;                  /* costs */
  bool huge_pages;          /* guest backs memory with 2 MiB pages, nested pages too */
  vtc_entry *tc;            /* translation cache contents */
  size_t tc_n, tc_cap;      /* entries used, allocated */
  double tc_used;           /* bytes in the translation cache */
  double traps_seen;        /* sensitive traps seen before adaptation (adaptive BT), count */
  double pages_touched;     /* distinct pages of the last phase charged, for TLB refills */
  double walk_cycles;       /* cycles of one walk in the last phase charged */
  bool started;             /* first charge done (container: setup charged) */
} vstate;

/* Creates a state over costs c (copied) for guest g (may be NULL); 0 or -1
 * when out of memory. */
int vstate_new(const vcost *c, const sim_guest *g, void **state);
void vstate_free(void *state);
/* create() of every technique: vcost_load then vstate_new. */
int vstate_create(const technique_env *env, void **state, sim_diag *diag);

/* Pages a page fault or fork touches: the resident pages of the phase's
 * process, the sum of its access streams' working sets, in 4 KiB pages. */
double vcost_resident_pages(const sim_phase *ph);

/* Native cycles of the ordinary instructions of one unit. */
double vcost_instr_cycles(const sim_phase *ph);

/* Which walk the memory accesses take: 1D on the guest's own tables (native,
 * container, pv), 1D on shadow tables kept by a software MMU (bt, hvm: the
 * hardware walk plus shadow.tlb_miss_extra per walk), 2D (EPT/NPT). */
typedef enum vcost_walk { VCOST_WALK_1D, VCOST_WALK_SHADOW, VCOST_WALK_2D } vcost_walk;

/* Charges `units` units of the memory accesses of ph: data accesses to
 * MECH_GUEST, TLB-miss walks (1D, shadow or 2D) to MECH_PAGEWALK as far as they
 * exceed the data cycles (the walker overlaps the data transfers of other,
 * independent accesses: an access costs max(data, miss rate * walk));
 * records the pages touched and the walk cost in s for switch_in. */
void vcost_charge_memory(vstate *s, const sim_phase *ph, double units, vcost_walk walk,
                         cycles_by_mech *out);

/* Native cycles of one unit of the CPU part of ph (every operation but the
 * memory accesses), as bare metal runs it. */
double vcost_native_cpu(const vcost *c, const sim_phase *ph);

/* Cycles to refill the TLB after a flush, for the pages the guest touched in
 * the last phase charged (one walk per entry reloaded). */
double vcost_tlb_refill(const vstate *s);

/* Sum of the cycles in c, all mechanisms. */
double vcost_total(const cycles_by_mech *c);

/* Virtual timer interrupts: a guest spending `cycles` of CPU receives
 * cycles / clock * timer.hz interrupts, each costing irq_cycles more than
 * natively; adds that to out's MECH_TRAP. */
void vcost_charge_timer(const vcost *c, double cycles, double irq_cycles, cycles_by_mech *out);

/* The translation cache (BT): cycles to translate the code of ph not yet in
 * the cache (its new_code_bytes, once per phase), flushing the cache when
 * full [AA06] sec. 3.  0 when already translated, or on out of memory (the
 * phase is then translated again next time). */
double vcost_translate(vstate *s, const sim_phase *ph);

#endif
