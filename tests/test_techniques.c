/* tests/test_techniques.c: the six technique models (models/technique_*.c).
 * Per-operation costs by mechanism must be the profile's composition for
 * each [AA06] nanobenchmark; BT translates code only on first execution;
 * containers cost what native costs; each technique reads its own keys
 * and the shared ones, once per profile, and a missing one is an error
 * naming it; the shipped profiles hold every quantity; the [LECT] loops come
 * out in the published order.  Costs are the made-up ones of
 * tests/fixtures.h, loaded through a profile as a run loads them. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/registry.h"
#include "models/techniques.h"
#include "models/vcost.h"
#include "sim/profile.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"

#define K(costs, key) fx_cost(&(costs), (key))

/* Cycles of `units` units of ph under technique t with the costs c (loaded
 * from a profile holding them, fresh state). */
static cycles_by_mech run(const technique_ops *t, const fx_costs *c, const sim_phase *ph,
                          double units) {
  sim_profile *p = fx_costs_profile(c, "test");
  cycles_by_mech out = fx_charge(t, p, ph, units);
  sim_profile_free(p);
  return out;
}

/* A technique opened on the costs c for guest g (NULL: 4 KiB pages). */
typedef struct tech_on {
  sim_profile *p;
  fx_tech t;
} tech_on;
static void *open_on(tech_on *o, const technique_ops *ops, const fx_costs *c, const sim_guest *g) {
  o->p = fx_costs_profile(c, "test");
  fx_tech_open(&o->t, ops, o->p, g);
  return o->t.state;
}
static void close_on(tech_on *o) {
  fx_tech_close(&o->t);
  sim_profile_free(o->p);
}

/* The MMU parameters of the costs c, as the techniques load them. */
static mmu_params mmu_of(const fx_costs *c) {
  sim_profile *p = fx_costs_profile(c, "test");
  sim_diag d;
  sim_diag_init(&d);
  mmu_params m;
  CU_ASSERT_FATAL(mmu_params_load(p, NULL, K(*c, "cpu.clock"), &m, &d) == 0);
  sim_diag_clear(&d);
  sim_profile_free(p);
  return m;
}

static double total(const cycles_by_mech *m) { return cycles_total(m); }

static void near(double a, double b, unsigned line) {
  CU_assertImplementation(fabs(a - b) <= 1e-6 * (fabs(b) + 1), line, "NEAR", __FILE__, "",
                          CU_FALSE);
}
#define NEAR(a, b) near((a), (b), __LINE__)

static void test_syscall_by_technique(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  ph.syscalls = 1;
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 1000);
  NEAR(n.cycles[MECH_GUEST], 1000 * K(c, "syscall.native"));
  NEAR(total(&n), 1000 * K(c, "syscall.native"));
  cycles_by_mech b = run(&technique_bt_ops, &c, &ph, 1000);
  NEAR(b.cycles[MECH_GUEST], 1000 * K(c, "syscall.native"));
  NEAR(b.cycles[MECH_TRAP], 1000 * K(c, "bt.syscall_extra"));
  NEAR(total(&b), 1000 * (K(c, "syscall.native") + K(c, "bt.syscall_extra")));
  cycles_by_mech h = run(&technique_hvm_ops, &c, &ph, 1000);
  NEAR(total(&h), 1000 * K(c, "syscall.native")); /* no exit: native [AA06] */
  cycles_by_mech p = run(&technique_pv_ops, &c, &ph, 1000);
  NEAR(total(&p), 1000 * (K(c, "syscall.native") + K(c, "pv.syscall_extra")));
  NEAR(p.cycles[MECH_TRAP], 1000 * K(c, "pv.syscall_extra"));
}

static void test_sensitive_instructions_by_technique(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  ph.port_io = 1;
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 1), b = run(&technique_bt_ops, &c, &ph, 1),
                 h = run(&technique_hvm_ops, &c, &ph, 1),
                 e = run(&technique_hvm_ept_ops, &c, &ph, 1);
  NEAR(total(&n), K(c, "port_io.native"));
  NEAR(b.cycles[MECH_TRAP], K(c, "bt.tc_emulate.in")); /* emulated in the translation cache */
  NEAR(total(&b), K(c, "bt.tc_emulate.in"));
  NEAR(h.cycles[MECH_TRAP], K(c, "hvm.exit.user")); /* exit to the user-level device model */
  NEAR(total(&e), K(c, "hvm.exit.user"));
  CU_ASSERT(total(&b) < total(&n) &&
            total(&n) < total(&h)); /* [AA06]: BT 15x faster, HW 5x slower */

  ph = fx_op_phase();
  ph.cr8_writes = 1;
  b = run(&technique_bt_ops, &c, &ph, 1);
  h = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(total(&b), K(c, "bt.tc_emulate.cr8"));
  NEAR(total(&h), K(c, "cr8.native")); /* TPR shadow */
  fx_cost_set(&c, "hvm.tpr_shadow", 0);
  h = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(h.cycles[MECH_TRAP], K(c, "hvm.exit.roundtrip"));
  NEAR(h.cycles[MECH_HYPERVISOR], K(c, "hvm.exit.cr8"));

  fx_costs_init(&c);
  ph = fx_op_phase();
  ph.rdtsc = 1;
  ph.cli = 1;
  b = run(&technique_bt_ops, &c, &ph, 1);
  NEAR(total(&b), K(c, "bt.tc_emulate.rdtsc") + K(c, "bt.tc_emulate.cli"));
  cycles_by_mech p = run(&technique_pv_ops, &c, &ph, 1);
  NEAR(p.cycles[MECH_GUEST], K(c, "rdtsc.native"));
  NEAR(p.cycles[MECH_HYPERCALL], K(c, "pv.sensitive_op"));
  h = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(total(&h), K(c, "rdtsc.native") + K(c, "cli.native"));
}

static void test_memory_management_by_technique(void) {
  fx_costs c;
  fx_costs_init(&c);
  fx_cost_set(&c, "bt.adapt_threshold", 0); /* steady state: already adapted */
  sim_phase ph = fx_op_phase();
  ph.page_faults = 1;
  cycles_by_mech b = run(&technique_bt_ops, &c, &ph, 1), h = run(&technique_hvm_ops, &c, &ph, 1),
                 e = run(&technique_hvm_ept_ops, &c, &ph, 1),
                 p = run(&technique_pv_ops, &c, &ph, 1);
  NEAR(total(&b), K(c, "bt.page_fault"));
  NEAR(b.cycles[MECH_GUEST], K(c, "page_fault.native"));
  NEAR(total(&h),
       K(c, "page_fault.native") + K(c, "hvm.exit.roundtrip") + K(c, "hvm.exit.page_fault"));
  NEAR(h.cycles[MECH_TRAP], K(c, "hvm.exit.roundtrip"));
  NEAR(total(&e), K(c, "page_fault.native")); /* guest-owned tables under EPT */
  NEAR(total(&p), K(c, "page_fault.native") + K(c, "pv.page_fault_extra"));

  ph = fx_op_phase();
  ph.pte_updates = 1;
  b = run(&technique_bt_ops, &c, &ph, 64);
  h = run(&technique_hvm_ops, &c, &ph, 64);
  e = run(&technique_hvm_ept_ops, &c, &ph, 64);
  p = run(&technique_pv_ops, &c, &ph, 64);
  NEAR(total(&b), 64 * K(c, "bt.pte_write"));
  NEAR(total(&h),
       64 * (K(c, "pte_write.native") + K(c, "hvm.exit.roundtrip") + K(c, "hvm.exit.pte_write")));
  NEAR(total(&e), 64 * K(c, "pte_write.native"));
  /* two batched mmu_update hypercalls of 32 validated entries */
  NEAR(p.cycles[MECH_HYPERCALL], 64 * K(c, "pv.pte_validate") + 2 * K(c, "pv.hypercall"));
  NEAR(p.cycles[MECH_GUEST], 64 * K(c, "pte_write.native"));

  ph = fx_op_phase();
  ph.divide_faults = 1;
  b = run(&technique_bt_ops, &c, &ph, 1);
  h = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(total(&b), K(c, "bt.exception"));
  NEAR(total(&h), K(c, "exception.native") + K(c, "hvm.exception_extra"));

  ph = fx_op_phase();
  ph.call_ret = 1;
  b = run(&technique_bt_ops, &c, &ph, 1);
  h = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(total(&b), K(c, "bt.callret"));
  NEAR(total(&h), K(c, "callret.native"));
}

static void test_adaptive_bt_traps_then_emulates(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  ph.pte_updates = 1;
  tech_on o;
  void *s = open_on(&o, &technique_bt_ops, &c, NULL);
  cycles_by_mech first = {0}, later = {0};
  technique_bt_ops.charge(s, &ph, K(c, "bt.adapt_threshold"), &first);
  technique_bt_ops.charge(s, &ph, K(c, "bt.adapt_threshold"), &later);
  close_on(&o);
  NEAR(first.cycles[MECH_TRAP], K(c, "bt.adapt_threshold") * K(c, "bt.trap_emulate"));
  NEAR(later.cycles[MECH_TRAP], 0);
  NEAR(total(&later), K(c, "bt.adapt_threshold") * K(c, "bt.pte_write"));
}

static void test_fork_by_technique(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  sim_access_spec a = {.count = 0, .working_set_bytes = 4 * MiB, .pattern = SIM_ACCESS_RANDOM,
                       .page_bytes = 4096};
  ph.process_creations = 1;
  ph.n_access = 1;
  ph.access = &a;
  double pages = 1024, native = K(c, "fork.native") + K(c, "fork.per_resident_page") * pages;
  CU_ASSERT_DOUBLE_EQUAL(vcost_resident_pages(&ph), pages, 1e-9);
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 1), b = run(&technique_bt_ops, &c, &ph, 1),
                 h = run(&technique_hvm_ops, &c, &ph, 1),
                 e = run(&technique_hvm_ept_ops, &c, &ph, 1),
                 p = run(&technique_pv_ops, &c, &ph, 1);
  NEAR(total(&n), native);
  NEAR(total(&b), native + pages * K(c, "bt.shadow_fill") +
                      K(c, "fork.context_switches") * K(c, "bt.cr3_switch"));
  NEAR(total(&h), native + (pages + K(c, "fork.context_switches")) * K(c, "hvm.exit.roundtrip") +
                      pages * K(c, "hvm.exit.page_fault") +
                      K(c, "fork.context_switches") * K(c, "hvm.exit.cr3"));
  NEAR(total(&e), native);
  NEAR(total(&p),
       native + pages * K(c, "pv.pte_validate") +
           pages / K(c, "pv.pte_batch_size") * K(c, "pv.hypercall") +
           K(c, "fork.context_switches") * (K(c, "pv.hypercall") + K(c, "pv.cr3_switch")));
  CU_ASSERT(total(&h) > total(&b) && total(&b) > total(&p) && total(&p) > total(&n));
}

static void test_bt_translates_on_first_execution_only(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  ph.instructions = 100;
  ph.new_code_bytes = 4096;
  tech_on bt;
  void *s = open_on(&bt, &technique_bt_ops, &c, NULL);
  cycles_by_mech first = {0}, second = {0};
  technique_bt_ops.charge(s, &ph, 10, &first);
  technique_bt_ops.charge(s, &ph, 10, &second);
  NEAR(first.cycles[MECH_TRANSLATE],
       4096 / K(c, "bt.bytes_per_instr") * K(c, "bt.translate_per_instr"));
  NEAR(second.cycles[MECH_TRANSLATE], 0);
  CU_ASSERT(total(&second) < total(&first));
  NEAR(first.cycles[MECH_GUEST], second.cycles[MECH_GUEST]);
  /* a copy of the phase (a trace sample of it) runs the same code */
  sim_phase sample = ph;
  cycles_by_mech copy = {0};
  technique_bt_ops.charge(s, &sample, 10, &copy);
  NEAR(copy.cycles[MECH_TRANSLATE], 0);
  /* another phase is translated too; code beyond the cache flushes it */
  sim_phase other = ph;
  other.name = (char *)"other";
  other.new_code_bytes = K(c, "bt.tc_bytes"); /* does not fit beside ph: flush */
  cycles_by_mech o = {0}, again = {0};
  technique_bt_ops.charge(s, &other, 1, &o);
  CU_ASSERT(o.cycles[MECH_TRANSLATE] > 0);
  technique_bt_ops.charge(s, &ph, 1, &again); /* flushed: translated again */
  NEAR(again.cycles[MECH_TRANSLATE], first.cycles[MECH_TRANSLATE]);
  close_on(&bt);
  /* other techniques never translate */
  cycles_by_mech h = run(&technique_hvm_ops, &c, &ph, 10);
  NEAR(h.cycles[MECH_TRANSLATE], 0);
}

static void test_container_costs_native_after_setup(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  sim_access_spec a = {.count = 3, .working_set_bytes = 64 * MiB, .pattern = SIM_ACCESS_RANDOM,
                       .page_bytes = 4096};
  ph.instructions = 1000;
  ph.syscalls = 2;
  ph.page_faults = 0.5;
  ph.pte_updates = 3;
  ph.n_access = 1;
  ph.access = &a;
  tech_on o;
  void *s = open_on(&o, &technique_container_ops, &c, NULL);
  cycles_by_mech first = {0}, second = {0};
  technique_container_ops.charge(s, &ph, 100, &first);
  technique_container_ops.charge(s, &ph, 100, &second);
  close_on(&o);
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 100);
  for (int m = 0; m < MECH_COUNT; m++) NEAR(second.cycles[m], n.cycles[m]);
  NEAR(total(&first) - total(&n),
       (K(c, "container.namespace_create") + K(c, "container.cgroup_enter")) * 1e-9 *
           K(c, "cpu.clock"));
  NEAR(first.cycles[MECH_HYPERVISOR],
       (K(c, "container.namespace_create") + K(c, "container.cgroup_enter")) * 1e-9 *
           K(c, "cpu.clock"));
}

static void test_tlb_loop_walks_by_technique(void) {
  fx_costs c;
  fx_costs_init(&c);
  /* stores drain fast: the walks, not the memory, pace the loop */
  fx_cost_set(&c, "mem.bandwidth", 64 * 8 * K(c, "cpu.clock"));
  sim_phase ph = fx_op_phase();
  sim_access_spec a = {.count = 1, .working_set_bytes = 32 * MiB, .pattern = SIM_ACCESS_STRIDED,
                       .stride_bytes = 4097, .page_bytes = 4096, .write_fraction = 1};
  ph.instructions = 8;
  ph.n_access = 1;
  ph.access = &a;
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 1000),
                 b = run(&technique_bt_ops, &c, &ph, 1000),
                 h = run(&technique_hvm_ops, &c, &ph, 1000),
                 v = run(&technique_pv_ops, &c, &ph, 1000),
                 e = run(&technique_hvm_ept_ops, &c, &ph, 1000);
  CU_ASSERT(n.cycles[MECH_PAGEWALK] > 0);
  /* shadow tables: a 1D walk plus the software MMU's overhead on every miss
   * (one miss per access: a new page each time); the guest's own tables (pv):
   * native walks */
  mmu_params mmu = mmu_of(&c);
  double miss = mmu_tlb_miss_rate(&mmu, &a, 4096);
  CU_ASSERT(miss > 0.99);
  NEAR(b.cycles[MECH_PAGEWALK],
       n.cycles[MECH_PAGEWALK] + 1000 * miss * K(c, "shadow.tlb_miss_extra"));
  NEAR(h.cycles[MECH_PAGEWALK],
       n.cycles[MECH_PAGEWALK] + 1000 * miss * K(c, "shadow.tlb_miss_extra"));
  NEAR(v.cycles[MECH_PAGEWALK], n.cycles[MECH_PAGEWALK]);
  NEAR(b.cycles[MECH_GUEST] + b.cycles[MECH_TRANSLATE], n.cycles[MECH_GUEST]);
  /* without the overhead, shadow walks cost exactly what native walks cost */
  fx_costs z = c;
  fx_cost_set(&z, "shadow.tlb_miss_extra", 0);
  cycles_by_mech bz = run(&technique_bt_ops, &z, &ph, 1000);
  NEAR(bz.cycles[MECH_PAGEWALK], n.cycles[MECH_PAGEWALK]);
  CU_ASSERT(e.cycles[MECH_PAGEWALK] > 2 * n.cycles[MECH_PAGEWALK]); /* 2D */
  NEAR(e.cycles[MECH_GUEST], n.cycles[MECH_GUEST]);
  /* huge pages shrink the 2D walk */
  sim_guest huge = {.name = "huge", .huge_pages = true};
  tech_on o;
  void *s = open_on(&o, &technique_hvm_ept_ops, &c, &huge);
  cycles_by_mech eh = {0};
  technique_hvm_ept_ops.charge(s, &ph, 1000, &eh);
  CU_ASSERT(eh.cycles[MECH_PAGEWALK] < e.cycles[MECH_PAGEWALK]);
  close_on(&o);
}

/* The software MMU's overhead lengthens the walk, which overlaps the data in
 * flight: a data-bound stream hides it as it hides the walk; a TLB refill
 * after a flush pays it per reloaded entry. */
static void test_shadow_miss_overlaps_and_refills(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  sim_access_spec a = {.count = 1, .working_set_bytes = 256 * MiB, .pattern = SIM_ACCESS_RANDOM,
                       .page_bytes = 4096};
  ph.n_access = 1;
  ph.access = &a;
  mmu_params mmu = mmu_of(&c);
  double miss = mmu_tlb_miss_rate(&mmu, &a, 4096);
  double data = mmu_data_cycles(&mmu, &a), w1 = mmu_walk_1d(&mmu, &a, 4096, miss).cycles;
  /* data-bound with or without the overhead: nothing exposed */
  fx_cost_set(&c, "shadow.tlb_miss_extra", 0.5 * (data / miss - w1));
  CU_ASSERT_FATAL(K(c, "shadow.tlb_miss_extra") > 0);
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 100),
                 h = run(&technique_hvm_ops, &c, &ph, 100);
  NEAR(h.cycles[MECH_PAGEWALK], 0);
  NEAR(total(&h), total(&n));
  /* beyond the data: exposed in full */
  fx_cost_set(&c, "shadow.tlb_miss_extra", 2.0 * (data / miss - w1) + 50);
  h = run(&technique_hvm_ops, &c, &ph, 100);
  NEAR(h.cycles[MECH_PAGEWALK], 100 * (miss * (w1 + K(c, "shadow.tlb_miss_extra")) - data));
  /* refill after a flush (untagged TLB): one shadow walk per TLB entry */
  tech_on ob, on;
  void *sb = open_on(&ob, &technique_bt_ops, &c, NULL),
       *sn = open_on(&on, &technique_native_ops, &c, NULL);
  cycles_by_mech wb = {0}, wn = {0}, rb = {0}, rn = {0};
  technique_bt_ops.charge(sb, &ph, 10, &wb);
  technique_native_ops.charge(sn, &ph, 10, &wn);
  technique_bt_ops.switch_in(sb, &rb);
  technique_native_ops.switch_in(sn, &rn);
  close_on(&ob);
  close_on(&on);
  NEAR(rb.cycles[MECH_PAGEWALK] - rn.cycles[MECH_PAGEWALK],
       K(c, "tlb.entries.4k") * K(c, "shadow.tlb_miss_extra"));
}

static void test_walks_overlap_data_in_flight(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  sim_access_spec a = {.count = 1, .working_set_bytes = 256 * MiB, .pattern = SIM_ACCESS_RANDOM,
                       .page_bytes = 4096};
  ph.n_access = 1;
  ph.access = &a;
  mmu_params mmu = mmu_of(&c);
  double miss = mmu_tlb_miss_rate(&mmu, &a, 4096);
  double data = mmu_data_cycles(&mmu, &a);
  double w1 = mmu_walk_1d(&mmu, &a, 4096, miss).cycles;
  double w2 = mmu_walk_2d(&mmu, &a, 4096, 4096, miss).cycles;
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 100),
                 e = run(&technique_hvm_ept_ops, &c, &ph, 100);
  /* an access costs the busier of memory and page walker */
  NEAR(total(&n), 100 * fmax(data, miss * w1));
  NEAR(total(&e), 100 * fmax(data, miss * w2));
  NEAR(n.cycles[MECH_GUEST], 100 * data);
  NEAR(e.cycles[MECH_PAGEWALK], 100 * fmax(0, miss * w2 - data));
  CU_ASSERT(total(&e) >= total(&n));
}

static void test_switch_in_refills_untagged_tlb(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  sim_access_spec a = {.count = 1, .working_set_bytes = 32 * MiB, .pattern = SIM_ACCESS_RANDOM,
                       .page_bytes = 4096};
  ph.n_access = 1;
  ph.access = &a;
  const technique_ops *ts[] = {&technique_hvm_ops, &technique_hvm_ept_ops};
  for (int i = 0; i < 2; i++) {
    for (int tagged = 0; tagged < 2; tagged++) {
      fx_cost_set(&c, "tlb.tagged", tagged);
      tech_on o;
      void *s = open_on(&o, ts[i], &c, NULL);
      cycles_by_mech w = {0}, sw = {0};
      ts[i]->charge(s, &ph, 10, &w);
      ts[i]->switch_in(s, &sw);
      close_on(&o);
      NEAR(sw.cycles[MECH_HYPERVISOR], K(c, "context_switch.native"));
      if (tagged) {
        NEAR(sw.cycles[MECH_PAGEWALK], 0);
      } else {
        CU_ASSERT(sw.cycles[MECH_PAGEWALK] > 0);
      }
    }
  }
}

static void test_timer_interrupts_cost_exits(void) {
  fx_costs c;
  fx_costs_init(&c);
  fx_cost_set(&c, "timer.hz", 1000);
  sim_phase ph = fx_op_phase();
  ph.instructions = 1e6; /* 1 ms at 1 GHz: one tick */
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 1),
                 h = run(&technique_hvm_ops, &c, &ph, 1), b = run(&technique_bt_ops, &c, &ph, 1);
  NEAR(total(&n), 1e6);
  NEAR(h.cycles[MECH_TRAP],
       K(c, "hvm.interrupt_exits") * (K(c, "hvm.exit.roundtrip") + K(c, "hvm.exit.interrupt")));
  NEAR(b.cycles[MECH_TRAP], K(c, "bt.callout"));
}

static const technique_ops *const all_techniques[] = {
    &technique_native_ops, &technique_container_ops, &technique_bt_ops,
    &technique_pv_ops,     &technique_hvm_ops,       &technique_hvm_ept_ops};
enum { N_TECHNIQUES = sizeof all_techniques / sizeof all_techniques[0] };

/* Whether some error in d names `key` and the profile `profile`. */
static bool reported(const sim_diag *d, const char *key, const char *profile) {
  char quoted[128];
  snprintf(quoted, sizeof quoted, "'%s'", key);
  for (size_t i = 0; i < d->count; i++)
    if (d->entries[i].level == SIM_DIAG_ERROR && strstr(d->entries[i].message, quoted) &&
        d->entries[i].file && !strcmp(d->entries[i].file, profile))
      return true;
  return false;
}

static void test_shipped_profiles_hold_every_quantity(void) {
  const char *names[] = {"generic-x86-2020", "pentium4-2006", "xeon-e5-2014", "opteron-2008",
                         "xen-pe2650-2005"};
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
    sim_profile *p = fx_shipped_profile(names[i]);
    sim_diag d;
    sim_diag_init(&d);
    for (size_t t = 0; t < N_TECHNIQUES; t++) {
      void *params = NULL;
      CU_ASSERT(all_techniques[t]->load(p, NULL, &params, &d) == 0);
      if (params) all_techniques[t]->free_params(params);
    }
    native_costs c;
    CU_ASSERT(native_costs_load(p, NULL, &c, &d) == 0);
    if (d.count) sim_diag_print(&d, stderr);
    CU_ASSERT(c.clock_hz > 1e8);
    CU_ASSERT(c.mmu.dram_cycles > c.mmu.cache_cycles[0]);
    sim_diag_clear(&d);
    sim_profile_free(p);
  }
}

static void test_missing_quantity_is_reported_by_name(void) {
  sim_profile *p = fx_profile_text(
      "profile: {name: partial}\nquantities:\n  cpu.clock: {value: 2 GHz, source: test}\n"
      "  syscall.native: {value: 100 cycles, source: test}\n");
  sim_diag d;
  sim_diag_init(&d);
  void *params = NULL;
  CU_ASSERT(technique_bt_ops.load(p, NULL, &params, &d) < 0);
  CU_ASSERT_PTR_NULL(params);
  CU_ASSERT(d.errors > 10);
  CU_ASSERT(reported(&d, "page_fault.native", "partial"));
  CU_ASSERT(reported(&d, "tlb.entries.4k", "partial")); /* the MMU's */
  CU_ASSERT(reported(&d, "bt.callout", "partial"));
  CU_ASSERT(!reported(&d, "syscall.native", "partial")); /* present: not reported */
  CU_ASSERT(!reported(&d, "pv.hypercall", "partial"));   /* another technique's */
  sim_diag_clear(&d);
  sim_profile_free(p);
}

/* A technique needs its own keys and the shared ones, no other technique's;
 * a key none may lack has no default. */
static void test_each_technique_requires_its_own_keys(void) {
  static const struct {
    const char *key;
    const technique_ops *needs; /* the one technique that reads it */
  } own[] = {
      {"container.cgroup_enter", &technique_container_ops},
      {"bt.tc_emulate.in", &technique_bt_ops},
      {"pv.pte_batch_size", &technique_pv_ops},
      {"hvm.exit.pte_write", &technique_hvm_ops},
      {"hvm.untuned.cpu_efficiency", &technique_hvm_ept_ops},
  };
  for (size_t k = 0; k < sizeof own / sizeof own[0]; k++) {
    fx_costs c;
    fx_costs_init(&c);
    fx_cost_remove(&c, own[k].key);
    sim_profile *p = fx_costs_profile(&c, "lacking");
    for (size_t t = 0; t < N_TECHNIQUES; t++) {
      sim_diag d;
      sim_diag_init(&d);
      void *params = NULL;
      int rc = all_techniques[t]->load(p, NULL, &params, &d);
      if (all_techniques[t] == own[k].needs) {
        CU_ASSERT(rc < 0);
        CU_ASSERT(d.errors == 1);
        CU_ASSERT(reported(&d, own[k].key, "lacking"));
      } else {
        CU_ASSERT(rc == 0);
        all_techniques[t]->free_params(params);
      }
      sim_diag_clear(&d);
    }
    sim_profile_free(p);
  }
  /* the shared keys: every technique needs them */
  fx_costs c;
  fx_costs_init(&c);
  fx_cost_remove(&c, "timer.hz");
  sim_profile *p = fx_costs_profile(&c, "lacking");
  for (size_t t = 0; t < N_TECHNIQUES; t++) {
    sim_diag d;
    sim_diag_init(&d);
    void *params = NULL;
    CU_ASSERT(all_techniques[t]->load(p, NULL, &params, &d) < 0);
    CU_ASSERT(reported(&d, "timer.hz", "lacking"));
    sim_diag_clear(&d);
  }
  sim_profile_free(p);
}

/* Values no machine has are errors naming the key, not replaced by others. */
static void test_invalid_values_are_reported(void) {
  static const struct {
    const char *key;
    const technique_ops *ops;
  } bad[] = {
      {"pv.pte_batch_size", &technique_pv_ops},               /* no batch of 0 entries */
      {"hvm.untuned.cpu_efficiency", &technique_hvm_ept_ops}, /* a CPU that never runs */
  };
  for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
    fx_costs c;
    fx_costs_init(&c);
    fx_cost_set(&c, bad[k].key, 0);
    sim_profile *p = fx_costs_profile(&c, "zero");
    sim_diag d;
    sim_diag_init(&d);
    void *params = NULL;
    CU_ASSERT(bad[k].ops->load(p, NULL, &params, &d) < 0);
    CU_ASSERT_PTR_NULL(params);
    CU_ASSERT(reported(&d, bad[k].key, "zero"));
    sim_diag_clear(&d);
    sim_profile_free(p);
  }
}

/* The host type's clock converts ns, and its MMU figures replace the
 * profile's. */
static void test_host_type_overrides_the_profile(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_profile *p = fx_costs_profile(&c, "test");
  sim_host_type h = {.name = "fast", .clock_hz = 2e9, .tlb_entries_4k = 1536, .tlb_tagged = 1};
  sim_diag d;
  sim_diag_init(&d);
  native_costs n;
  CU_ASSERT_FATAL(native_costs_load(p, &h, &n, &d) == 0);
  CU_ASSERT_DOUBLE_EQUAL(n.clock_hz, 2e9, 0);
  NEAR(n.mmu.dram_cycles, 2 * K(c, "mem.latency.dram"));
  CU_ASSERT_DOUBLE_EQUAL(n.mmu.tlb_entries_4k, 1536, 0);
  CU_ASSERT_DOUBLE_EQUAL(n.mmu.tlb_entries_2m, K(c, "tlb.entries.2m"), 0);
  CU_ASSERT(n.tlb_tagged);
  h.tlb_tagged = -1; /* unset: the profile's */
  CU_ASSERT_FATAL(native_costs_load(p, &h, &n, &d) == 0);
  CU_ASSERT(!n.tlb_tagged);
  sim_diag_clear(&d);
  sim_profile_free(p);
}

/* Guests of one technique share its cost table, not their state: BT's
 * translation cache warms per guest. */
static void test_guests_share_costs_not_state(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_profile *p = fx_costs_profile(&c, "test");
  sim_diag d;
  sim_diag_init(&d);
  void *params = NULL, *a = NULL, *b = NULL;
  CU_ASSERT_FATAL(technique_bt_ops.load(p, NULL, &params, &d) == 0);
  CU_ASSERT_FATAL(technique_bt_ops.create(params, NULL, &a, &d) == 0);
  CU_ASSERT_FATAL(technique_bt_ops.create(params, NULL, &b, &d) == 0);
  sim_phase ph = fx_op_phase();
  ph.new_code_bytes = 4096;
  cycles_by_mech first_a = {0}, again_a = {0}, first_b = {0};
  technique_bt_ops.charge(a, &ph, 1, &first_a);
  technique_bt_ops.charge(a, &ph, 1, &again_a);
  technique_bt_ops.charge(b, &ph, 1, &first_b);
  CU_ASSERT(first_a.cycles[MECH_TRANSLATE] > 0);
  NEAR(again_a.cycles[MECH_TRANSLATE], 0);
  NEAR(first_b.cycles[MECH_TRANSLATE], first_a.cycles[MECH_TRANSLATE]);
  technique_bt_ops.destroy(a);
  technique_bt_ops.destroy(b);
  technique_bt_ops.free_params(params);
  sim_diag_clear(&d);
  sim_profile_free(p);
}

/* Guests over one cost table share their streams' per-access costs: a
 * guest charging streams another already charged pays exactly what it pays
 * over a table of its own, and a guest with 2 MiB pages does not get the
 * costs computed for 4 KiB pages. */
static void test_guests_share_stream_costs_exactly(void) {
  fx_costs c;
  fx_costs_init(&c);
  /* stores drain fast: the walks, not the memory, pace the streams */
  fx_cost_set(&c, "mem.bandwidth", 64 * 8 * K(c, "cpu.clock"));
  sim_profile *p = fx_costs_profile(&c, "test");
  sim_diag d;
  sim_diag_init(&d);
  sim_access_spec acc[2] = {{.count = 1, .working_set_bytes = 32 * MiB, .pattern = SIM_ACCESS_STRIDED,
                             .stride_bytes = 4097, .page_bytes = 4096, .write_fraction = 1},
                            {.count = 2, .working_set_bytes = 8 * MiB, .pattern = SIM_ACCESS_STRIDED,
                             .stride_bytes = 4097, .page_bytes = 4096, .write_fraction = 1}};
  sim_phase ph = fx_op_phase();
  ph.instructions = 8;
  ph.n_access = 2;
  ph.access = acc;
  sim_guest small = {.name = "small"}, huge = {.name = "huge", .huge_pages = true};
  const technique_ops *ops[] = {&technique_native_ops, &technique_hvm_ept_ops};
  for (size_t t = 0; t < 2; t++) {
    void *shared = NULL, *own_small = NULL, *own_huge = NULL;
    CU_ASSERT_FATAL(ops[t]->load(p, NULL, &shared, &d) == 0);
    CU_ASSERT_FATAL(ops[t]->load(p, NULL, &own_small, &d) == 0);
    CU_ASSERT_FATAL(ops[t]->load(p, NULL, &own_huge, &d) == 0);
    void *first = NULL, *second = NULL, *big = NULL, *alone = NULL, *alone_big = NULL;
    CU_ASSERT_FATAL(ops[t]->create(shared, &small, &first, &d) == 0);
    CU_ASSERT_FATAL(ops[t]->create(shared, &small, &second, &d) == 0);
    CU_ASSERT_FATAL(ops[t]->create(shared, &huge, &big, &d) == 0);
    CU_ASSERT_FATAL(ops[t]->create(own_small, &small, &alone, &d) == 0);
    CU_ASSERT_FATAL(ops[t]->create(own_huge, &huge, &alone_big, &d) == 0);
    cycles_by_mech a = {0}, b = {0}, h = {0}, ref = {0}, ref_h = {0};
    ops[t]->charge(first, &ph, 1000, &a);
    ops[t]->charge(second, &ph, 1000, &b);  /* the costs first computed */
    ops[t]->charge(big, &ph, 1000, &h);     /* the same streams, other pages */
    ops[t]->charge(alone, &ph, 1000, &ref);
    ops[t]->charge(alone_big, &ph, 1000, &ref_h);
    CU_ASSERT(a.cycles[MECH_PAGEWALK] > 0);
    CU_ASSERT(memcmp(&a, &ref, sizeof a) == 0);
    CU_ASSERT(memcmp(&b, &ref, sizeof b) == 0);
    CU_ASSERT(memcmp(&h, &ref_h, sizeof h) == 0);
    CU_ASSERT(h.cycles[MECH_PAGEWALK] < a.cycles[MECH_PAGEWALK]);
    void *states[] = {first, second, big, alone, alone_big};
    for (size_t k = 0; k < 5; k++) ops[t]->destroy(states[k]);
    ops[t]->free_params(shared);
    ops[t]->free_params(own_small);
    ops[t]->free_params(own_huge);
  }
  sim_diag_clear(&d);
  sim_profile_free(p);
}

static void test_registry_names_every_technique(void) {
  const char *names[] = {"native", "container", "bt", "pv", "hvm", "hvm-ept"};
  for (int i = 0; i < 6; i++) {
    const model_entry *e = model_find(MODEL_TECHNIQUE, names[i]);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e);
    CU_ASSERT_PTR_NOT_NULL_FATAL(e->ops);
    CU_ASSERT_STRING_EQUAL(((const technique_ops *)e->ops)->name, names[i]);
  }
  CU_ASSERT_STRING_EQUAL(mechanism_names[MECH_PAGEWALK], "pagewalk");
}

/* Native / technique throughput of one [LECT] loop on the P4 profile. */
static double ratio(sim_profile *p, const technique_ops *t, const sim_phase *ph, double units) {
  cycles_by_mech n = fx_charge(&technique_native_ops, p, ph, units);
  cycles_by_mech v = fx_charge(t, p, ph, units);
  return total(&n) / total(&v);
}

static void test_lect_loops_order(void) {
  sim_profile *p = fx_shipped_profile("pentium4-2006");
  sim_phase compute = fx_op_phase(), getppid = fx_op_phase(), fork = fx_op_phase(),
            tlb = fx_op_phase();
  compute.instructions = 3;
  compute.cycles_per_instruction = 0.5;
  getppid.instructions = 100;
  getppid.cycles_per_instruction = 2.5;
  getppid.syscalls = 1;
  sim_access_spec fa = {.count = 16, .working_set_bytes = 4 * MiB, .pattern = SIM_ACCESS_RANDOM,
                        .page_bytes = 4096};
  fork.process_creations = 1;
  fork.n_access = 1;
  fork.access = &fa;
  sim_access_spec ta[2] = {{.count = 1,
                            .working_set_bytes = 32 * MiB,
                            .pattern = SIM_ACCESS_SEQUENTIAL,
                            .stride_bytes = 1,
                            .page_bytes = 4096},
                           {.count = 1,
                            .working_set_bytes = 32 * MiB,
                            .pattern = SIM_ACCESS_STRIDED,
                            .stride_bytes = 4097,
                            .page_bytes = 4096,
                            .write_fraction = 1}};
  tlb.instructions = 8;
  tlb.n_access = 2;
  tlb.access = ta;
  double u = 1e6;
  /* compute: everyone near native */
  CU_ASSERT(ratio(p, &technique_bt_ops, &compute, u) > 0.9);
  CU_ASSERT(ratio(p, &technique_hvm_ops, &compute, u) > 0.9);
  CU_ASSERT(ratio(p, &technique_pv_ops, &compute, u) > 0.9);
  /* getppid: BT pays every call, HW runs it natively, PV near native */
  double bt_g = ratio(p, &technique_bt_ops, &getppid, u),
         hw_g = ratio(p, &technique_hvm_ops, &getppid, u);
  CU_ASSERT(bt_g < 0.35 && bt_g > 0.15);
  CU_ASSERT(hw_g > 0.9);
  CU_ASSERT(ratio(p, &technique_pv_ops, &getppid, u) > 0.9);
  /* fork: HW (exits on every shadow fill) below BT, both far below native */
  double bt_f = ratio(p, &technique_bt_ops, &fork, 1000),
         hw_f = ratio(p, &technique_hvm_ops, &fork, 1000);
  CU_ASSERT(hw_f < bt_f);
  CU_ASSERT(bt_f < 0.25);
  CU_ASSERT(ratio(p, &technique_pv_ops, &fork, 1000) > bt_f);
  CU_ASSERT(ratio(p, &technique_hvm_ept_ops, &fork, 1000) > 0.9);
  /* TLB loop, on a host with nested paging (the Pentium 4 has none): 2D
   * walks cost far more than BT's 1D walks on shadow tables */
  sim_profile *x = fx_shipped_profile("generic-x86-2020");
  double ept_t = ratio(x, &technique_hvm_ept_ops, &tlb, u),
         bt_t = ratio(x, &technique_bt_ops, &tlb, u);
  CU_ASSERT(ept_t < 0.8 * bt_t);
  /* shadow walks cost a native walk plus shadow.tlb_miss_extra per miss */
  CU_ASSERT(bt_t < 0.95 && bt_t > 0.75);
  CU_ASSERT(ratio(x, &technique_pv_ops, &tlb, u) > 0.95);
  sim_profile_free(x);
  /* containers: native on all four, over [LECT]'s 1e9 iterations (the
   * one-time namespace and cgroup set-up is amortized) */
  const sim_phase *loops[] = {&compute, &getppid, &fork, &tlb};
  for (int i = 0; i < 4; i++) CU_ASSERT(ratio(p, &technique_container_ops, loops[i], 1e9) > 0.95);
  sim_profile_free(p);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"syscall by technique", test_syscall_by_technique},
      {"sensitive instructions by technique", test_sensitive_instructions_by_technique},
      {"memory management by technique", test_memory_management_by_technique},
      {"adaptive BT traps, then emulates", test_adaptive_bt_traps_then_emulates},
      {"fork by technique", test_fork_by_technique},
      {"BT translates on first execution only", test_bt_translates_on_first_execution_only},
      {"container costs native after set-up", test_container_costs_native_after_setup},
      {"TLB loop walks by technique", test_tlb_loop_walks_by_technique},
      {"walks overlap data in flight", test_walks_overlap_data_in_flight},
      {"shadow-miss overhead overlaps data, refills pay it", test_shadow_miss_overlaps_and_refills},
      {"switch-in refills an untagged TLB", test_switch_in_refills_untagged_tlb},
      {"timer interrupts cost exits", test_timer_interrupts_cost_exits},
      {"shipped profiles hold every quantity", test_shipped_profiles_hold_every_quantity},
      {"missing quantity reported by name", test_missing_quantity_is_reported_by_name},
      {"each technique requires its own keys", test_each_technique_requires_its_own_keys},
      {"invalid values reported", test_invalid_values_are_reported},
      {"host type overrides the profile", test_host_type_overrides_the_profile},
      {"guests share costs, not state", test_guests_share_costs_not_state},
      {"guests share stream costs exactly", test_guests_share_stream_costs_exactly},
      {"registry names every technique", test_registry_names_every_technique},
      {"[LECT] loops in the published order", test_lect_loops_order},
      {NULL, NULL}};
  return add_suite("techniques", tests);
}
