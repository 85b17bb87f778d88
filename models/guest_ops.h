/* models/guest_ops.h: the guest operations real benchmarks exercise beyond
 * the nanobenchmark mix (sim/opmix.def: context_switches, execs, signals,
 * mmaps, protection_faults, fs_metadata), broken down into the mechanisms a
 * technique charges them through (kernel entries, demand faults, page-table
 * stores, TLB invalidations, address-space switches), and the hosted (type
 * II) option of a hypervisor: a world switch to the host OS per I/O exit.
 * Every technique reads the guest-op costs (GUEST_OP_KEYS) and charges the
 * events of guest_ops_events through its own mechanisms (technique_*.c); bt,
 * hvm and hvm-ept also read the hosted costs (HOSTED_KEYS).
 * Units: cycles, counts per unit of work.  Invariants: with every guest
 * operation 0 the events are all 0 and a technique charges exactly what it
 * charged before; with hypervisor.hosted 0 the world switch is never
 * charged.  Sources: [LMBENCH] (what each operation is), [BDF03] Tables 3-5,
 * [SUG01] (the hosted architecture), the profiles' own `source:` entries. */
#ifndef MODELS_GUEST_OPS_H
#define MODELS_GUEST_OPS_H
#include <stdbool.h>
#include <stddef.h>

#include "models/vcost.h"

/* The native costs of the guest operations, each the kernel's work beyond
 * the kernel entries, faults and page-table stores it makes (those are
 * charged through the technique's own mechanisms). */
typedef struct guest_op_costs {
  double process_switch;    /* process_switch.native: in-guest process switch (save/restore,
                               scheduler, CR3 write), cycles, TLB refill excluded */
  double exec;              /* exec.native: exec of a small program beyond its entry, faults and
                               teardown (ELF load, new mm, dynamic linking), cycles */
  double exec_pages;        /* exec.pages: pages an exec maps and faults in, torn down at the
                               next exec or exit, count */
  double signal;            /* signal.native: delivery to a handler and sigreturn, beyond the
                               two kernel entries (kill, sigreturn), cycles */
  double mmap;              /* mmap.native: an mmap+munmap pair beyond its two kernel entries,
                               faults, page-table stores and invalidations, cycles */
  double mmap_pages;        /* mmap.pages: pages one pair maps, touches and unmaps, count */
  double invlpg;            /* invlpg.native: one single-page TLB invalidation, cycles */
  double protection_fault;  /* protection_fault.native: a write-protect fault handled by the
                               guest kernel, delivery to return, cycles */
  double fs_metadata;       /* fs_metadata.native: kernel work of one stat/open/close beyond its
                               entry (path lookup, dentry/inode), cycles */
} guest_op_costs;

/* The vcost_key entries of a guest_op_costs that is member `m` of table
 * type `T`, for the key table of each technique. */
#define GUEST_OP_KEYS(T, m)                                                       \
  {"process_switch.native", offsetof(T, m.process_switch), VCOST_SAME},           \
      {"exec.native", offsetof(T, m.exec), VCOST_SAME},                           \
      {"exec.pages", offsetof(T, m.exec_pages), VCOST_SAME},                      \
      {"signal.native", offsetof(T, m.signal), VCOST_SAME},                       \
      {"mmap.native", offsetof(T, m.mmap), VCOST_SAME},                           \
      {"mmap.pages", offsetof(T, m.mmap_pages), VCOST_SAME},                      \
      {"invlpg.native", offsetof(T, m.invlpg), VCOST_SAME},                       \
      {"protection_fault.native", offsetof(T, m.protection_fault), VCOST_SAME},   \
      {"fs_metadata.native", offsetof(T, m.fs_metadata), VCOST_SAME}

/* What `units` units of a phase's guest operations make happen, in the
 * mechanisms techniques charge. */
typedef struct guest_op_events {
  double kernel;            /* cycles of native kernel work beyond the events below */
  double entries;           /* kernel entries: execve 1, kill + sigreturn 2, mmap + munmap 2,
                               one per metadata call */
  double faults;            /* demand page faults of new mappings (exec, mmap) */
  double pte_clears;        /* page-table entries cleared by teardown (exec, munmap) */
  double invlpgs;           /* single-page TLB invalidations (munmap) */
  double cr3_loads;         /* address-space switches: one per process switch and per exec */
  double protection_faults; /* write-protect faults */
  double switches;          /* process switches, for the TLB refill where untagged */
} guest_op_events;

guest_op_events guest_ops_events(const guest_op_costs *g, const sim_phase *ph, double units);

/* Native cycles of the events e: what bare metal (and a container) spends
 * on them, TLB refills excluded. */
double guest_ops_native_cycles(const native_costs *c, const guest_op_costs *g,
                               const guest_op_events *e);

/* Adds to out's MECH_PAGEWALK the TLB refills the process switches of e
 * cost when the TLB is untagged: each reloads the entries of the pages the
 * phase touches, at the walk of the phase's last charge (1D, shadow or 2D:
 * s after vcost_charge_memory of ph).  A phase without memory streams
 * touches no page: nothing to refill. */
void guest_ops_charge_switch_refill(const vstate *s, const sim_phase *ph, const guest_op_events *e,
                                    cycles_by_mech *out);

/* 0 when `value`, the profile's quantity `key`, is a share in [0, 1];
 * else -1 with an error naming the key and the profile. */
int guest_ops_check_share(const sim_profile *profile, const char *key, double value,
                          sim_diag *diag);

/* ---- hosted (type II) hypervisors [SUG01] ---- */

/* A hosted hypervisor's VMM runs beside a host OS that owns the devices:
 * every exit that needs the host (an I/O exit to the device model, a host
 * interrupt taken while the guest runs) is a world switch to the host and
 * back [SUG01] sec. 2. */
typedef struct hosted_costs {
  bool hosted;              /* hypervisor.hosted: type II (1) or type I (0) */
  double world_switch;      /* hypervisor.world_switch: VMM world -> host world -> VMM, cycles */
} hosted_costs;

#define HOSTED_KEYS(T, m)                                                   \
  {"hypervisor.hosted", offsetof(T, m.hosted), VCOST_BOOL},                 \
      {"hypervisor.world_switch", offsetof(T, m.world_switch), VCOST_SAME}

/* Cycles a hosted hypervisor adds to one exit that goes to the host: the
 * world switch, 0 for a type I hypervisor. */
double hosted_exit_cycles(const hosted_costs *h);

#endif
