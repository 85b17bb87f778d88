/* models/technique_hvm.h: what the two hardware-assisted techniques share
 * (technique_hvm.c: VT-x/AMD-V with shadow paging; technique_hvm_ept.c:
 * EPT/NPT): the costs of the VM exits both take, and the charge of the
 * operations that exit alike under both (cr8 writes, rdtsc, port I/O,
 * virtual timer interrupts) [AA06] sec. 4-5.
 * Units: cycles, counts.  Invariant: a VM exit costs hvm.exit.roundtrip
 * (MECH_TRAP) plus its handler's work by exit reason (MECH_HYPERVISOR). */
#ifndef MODELS_TECHNIQUE_HVM_H
#define MODELS_TECHNIQUE_HVM_H
#include <stdbool.h>
#include <stddef.h>

#include "models/vcost.h"

typedef struct hvm_exit_costs {
  double roundtrip;         /* hvm.exit.roundtrip: VM exit + entry, kernel-handled */
  double user;              /* hvm.exit.user: exit to the user-level device model, total */
  double cr8;               /* hvm.exit.cr8: handler of a CR8 write without TPR shadow */
  double rdtsc;             /* hvm.exit.rdtsc: handler of an RDTSC exit */
  double interrupt;         /* hvm.exit.interrupt: handler of an external-interrupt exit */
  double irq_exits;         /* hvm.interrupt_exits: exits per virtual timer interrupt, count */
  bool tpr_shadow;          /* hvm.tpr_shadow: CR8 writes do not exit */
  bool rdtsc_exiting;       /* hvm.rdtsc_exiting: RDTSC exits (no TSC offsetting) */
  double exception;         /* hvm.exception_extra: exception delivery inside a VM, beyond native */
} hvm_exit_costs;

/* The vcost_key entries of an hvm_exit_costs that is member `m` of table
 * type `T`, for the key table of each technique. */
#define HVM_EXIT_KEYS(T, m)                                                  \
  {"hvm.exit.roundtrip", offsetof(T, m.roundtrip), VCOST_SAME},              \
      {"hvm.exit.user", offsetof(T, m.user), VCOST_SAME},                    \
      {"hvm.exit.cr8", offsetof(T, m.cr8), VCOST_SAME},                      \
      {"hvm.exit.rdtsc", offsetof(T, m.rdtsc), VCOST_SAME},                  \
      {"hvm.exit.interrupt", offsetof(T, m.interrupt), VCOST_SAME},          \
      {"hvm.interrupt_exits", offsetof(T, m.irq_exits), VCOST_SAME},         \
      {"hvm.tpr_shadow", offsetof(T, m.tpr_shadow), VCOST_BOOL},             \
      {"hvm.rdtsc_exiting", offsetof(T, m.rdtsc_exiting), VCOST_BOOL},       \
      {"hvm.exception_extra", offsetof(T, m.exception), VCOST_SAME}

/* The cr8 writes, rdtsc and port I/O of `units` units of ph: natively when
 * the hardware lets them run (TPR shadow, TSC offsetting), else by exits;
 * port I/O always exits to the user-level device model. */
void hvm_charge_exiting_ops(const hvm_exit_costs *x, const native_costs *c, const sim_phase *ph,
                            double units, cycles_by_mech *out);

/* Cycles of the exits one virtual timer interrupt costs. */
double hvm_timer_irq_cycles(const hvm_exit_costs *x);

#endif
