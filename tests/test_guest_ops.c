/* tests/test_guest_ops.c: the guest operations of the mix (models/guest_ops.c)
 * as each technique charges them: a process switch, an exec, a signal, an
 * mmap+munmap pair, a protection fault and a metadata call must cost their
 * native work plus exactly the mechanisms of the technique (BT callouts and
 * shadow-root switches, hvm exits, pv hypercalls, nothing under EPT); an
 * untagged TLB is refilled after a process switch through the technique's
 * walk; shadow tables rebuilt on a CR3 load cost one fill per resident page;
 * a hosted hypervisor pays its world switch per I/O exit and host interrupt
 * and a type I one never; each key is required by the techniques that read
 * it.  Costs are the made-up ones of tests/fixtures.h plus distinct ones for
 * the guest operations, loaded through a profile as a run loads them. */
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "models/techniques.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"

#define K(costs, key) fx_cost(&(costs), (key))

/* Cycles of `units` units of ph under technique t with the costs c, from a
 * fresh state. */
static cycles_by_mech run(const technique_ops *t, const fx_costs *c, const sim_phase *ph,
                          double units) {
  sim_profile *p = fx_costs_profile(c, "test");
  cycles_by_mech out = fx_charge(t, p, ph, units);
  sim_profile_free(p);
  return out;
}

/* Their total. */
static double total_of(const technique_ops *t, const fx_costs *c, const sim_phase *ph,
                       double units) {
  cycles_by_mech out = run(t, c, ph, units);
  return cycles_total(&out);
}

static void near(double a, double b, unsigned line) {
  CU_assertImplementation(fabs(a - b) <= 1e-9 * (fabs(b) + 1), line, "NEAR", __FILE__, "",
                          CU_FALSE);
}
#define NEAR(a, b) near((a), (b), __LINE__)

#define M(out, mech) ((out).cycles[MECH_##mech])

/* The exits of hvm: n of them with handler h each, round trips apart. */
static double roundtrips(const fx_costs *c, double n) { return n * K(*c, "hvm.exit.roundtrip"); }

static void test_process_switch_by_technique(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  ph.context_switches = 1;
  const double u = 1000, ps = K(c, "process_switch.native");
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, u);
  NEAR(M(n, GUEST), u * ps);
  NEAR(cycles_total(&n), u * ps); /* no memory touched: nothing to refill */
  cycles_by_mech b = run(&technique_bt_ops, &c, &ph, u);
  NEAR(M(b, GUEST), u * ps);
  NEAR(M(b, TRAP), u * K(c, "bt.cr3_switch")); /* the privileged CR3 write: shadow root */
  NEAR(cycles_total(&b), u * (ps + K(c, "bt.cr3_switch")));
  cycles_by_mech h = run(&technique_hvm_ops, &c, &ph, u);
  NEAR(M(h, GUEST), u * ps);
  NEAR(M(h, TRAP), roundtrips(&c, u));
  NEAR(M(h, HYPERVISOR), u * K(c, "hvm.exit.cr3"));
  cycles_by_mech e = run(&technique_hvm_ept_ops, &c, &ph, u);
  NEAR(cycles_total(&e), u * ps); /* no exit on CR3 under EPT */
  cycles_by_mech p = run(&technique_pv_ops, &c, &ph, u);
  NEAR(M(p, GUEST), u * ps);
  NEAR(M(p, HYPERCALL), u * (K(c, "pv.hypercall") + K(c, "pv.cr3_switch"))); /* new_baseptr */
  NEAR(cycles_total(&p), u * (ps + K(c, "pv.hypercall") + K(c, "pv.cr3_switch")));
  cycles_by_mech k = run(&technique_container_ops, &c, &ph, u);
  NEAR(M(k, GUEST), u * ps);
}

/* PAGEWALK cycles a process switch adds to a unit touching 64 MiB at random. */
static double refill_of(const technique_ops *t, const fx_costs *c) {
  sim_access_spec a = fx_stream(SIM_ACCESS_RANDOM, 64 * MiB, 0, 4096);
  sim_phase ph = fx_op_phase();
  ph.n_access = 1;
  ph.access = &a;
  cycles_by_mech without = run(t, c, &ph, 1);
  ph.context_switches = 1;
  cycles_by_mech with = run(t, c, &ph, 1);
  return M(with, PAGEWALK) - M(without, PAGEWALK);
}

static void test_switch_refills_an_untagged_tlb_by_walk(void) {
  fx_costs c;
  fx_costs_init(&c);
  double native = refill_of(&technique_native_ops, &c);
  CU_ASSERT(native > 0);
  NEAR(refill_of(&technique_container_ops, &c), native);
  NEAR(refill_of(&technique_pv_ops, &c), native); /* the guest's own tables, 1D */
  CU_ASSERT(refill_of(&technique_bt_ops, &c) > native);     /* shadow walks pay the extra */
  CU_ASSERT(refill_of(&technique_hvm_ops, &c) > native);
  CU_ASSERT(refill_of(&technique_hvm_ept_ops, &c) > 2 * native); /* 2D walks [BH08] */
  fx_cost_set(&c, "tlb.tagged", 1); /* PCID/ASID: nothing flushed */
  CU_ASSERT_DOUBLE_EQUAL(refill_of(&technique_native_ops, &c), 0, 0);
  CU_ASSERT_DOUBLE_EQUAL(refill_of(&technique_hvm_ept_ops, &c), 0, 0);
  CU_ASSERT_DOUBLE_EQUAL(refill_of(&technique_bt_ops, &c), 0, 0);
}

static void test_exec_by_technique(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  ph.execs = 1;
  const double pages = K(c, "exec.pages"), pf = K(c, "page_fault.native"),
               pte = K(c, "pte_write.native"), sys = K(c, "syscall.native");
  const double native = sys + K(c, "exec.native") + pages * (pf + pte);
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 1);
  NEAR(cycles_total(&n), native);
  NEAR(M(n, GUEST), native);

  /* BT: the first bt.adapt_threshold teardown writes trap, the rest are emulated */
  cycles_by_mech b = run(&technique_bt_ops, &c, &ph, 1);
  double trapped = fmin(pages, K(c, "bt.adapt_threshold"));
  NEAR(M(b, GUEST), native - trapped * pte);
  NEAR(M(b, TRAP), K(c, "bt.syscall_extra") + trapped * K(c, "bt.trap_emulate") +
                       K(c, "bt.cr3_switch"));
  NEAR(M(b, HYPERVISOR), pages * (K(c, "bt.page_fault") - pf) +
                             (pages - trapped) * (K(c, "bt.pte_write") - pte));

  cycles_by_mech h = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(M(h, GUEST), native);
  NEAR(M(h, TRAP), roundtrips(&c, 2 * pages + 1)); /* faults, clears, one CR3 load */
  NEAR(M(h, HYPERVISOR), pages * (K(c, "hvm.exit.page_fault") + K(c, "hvm.exit.pte_write")) +
                             K(c, "hvm.exit.cr3"));

  cycles_by_mech e = run(&technique_hvm_ept_ops, &c, &ph, 1);
  NEAR(cycles_total(&e), native);

  cycles_by_mech p = run(&technique_pv_ops, &c, &ph, 1);
  NEAR(M(p, GUEST), native);
  NEAR(M(p, TRAP), K(c, "pv.syscall_extra") + pages * K(c, "pv.page_fault_extra"));
  NEAR(M(p, HYPERCALL), pages * K(c, "pv.pte_validate") +
                            pages / K(c, "pv.pte_batch_size") * K(c, "pv.hypercall") +
                            K(c, "pv.hypercall") + K(c, "pv.cr3_switch"));
}

static void test_signals_and_metadata_calls_enter_the_kernel(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  ph.signals = 1;     /* kill and sigreturn: two entries */
  ph.fs_metadata = 1; /* one entry */
  const double u = 100, sys = K(c, "syscall.native");
  const double native = u * (3 * sys + K(c, "signal.native") + K(c, "fs_metadata.native"));
  NEAR(total_of(&technique_native_ops, &c, &ph, u), native);
  cycles_by_mech b = run(&technique_bt_ops, &c, &ph, u);
  NEAR(M(b, GUEST), native);
  NEAR(M(b, TRAP), u * 3 * K(c, "bt.syscall_extra"));
  cycles_by_mech h = run(&technique_hvm_ops, &c, &ph, u);
  NEAR(cycles_total(&h), native); /* system calls do not exit */
  cycles_by_mech p = run(&technique_pv_ops, &c, &ph, u);
  NEAR(M(p, TRAP), u * 3 * K(c, "pv.syscall_extra"));
  NEAR(cycles_total(&p), native + u * 3 * K(c, "pv.syscall_extra"));
}

static void test_mmap_pair_by_technique(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  ph.mmaps = 1;
  const double m = K(c, "mmap.pages"), inv = K(c, "invlpg.native");
  const double native = 2 * K(c, "syscall.native") + K(c, "mmap.native") +
                        m * (K(c, "page_fault.native") + K(c, "pte_write.native") + inv);
  NEAR(total_of(&technique_native_ops, &c, &ph, 1), native);
  /* hvm: each fault, clear and invlpg exits; the handler does the invalidation */
  cycles_by_mech h = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(M(h, GUEST), native - m * inv);
  NEAR(M(h, TRAP), roundtrips(&c, 3 * m));
  NEAR(M(h, HYPERVISOR), m * (K(c, "hvm.exit.page_fault") + K(c, "hvm.exit.pte_write") +
                              K(c, "hvm.exit.invlpg")));
  /* pv: clears and invalidations ride the same batched multicalls */
  cycles_by_mech p = run(&technique_pv_ops, &c, &ph, 1);
  double batches = m / K(c, "pv.pte_batch_size");
  NEAR(M(p, HYPERCALL),
       m * K(c, "pv.pte_validate") + 2 * batches * K(c, "pv.hypercall"));
  NEAR(M(p, GUEST), native);
  /* BT: the invalidations are callouts */
  cycles_by_mech b = run(&technique_bt_ops, &c, &ph, 1);
  double trapped = fmin(m, K(c, "bt.adapt_threshold"));
  NEAR(M(b, TRAP), 2 * K(c, "bt.syscall_extra") + trapped * K(c, "bt.trap_emulate") +
                       m * K(c, "bt.callout"));
  NEAR(total_of(&technique_hvm_ept_ops, &c, &ph, 1), native);
}

static void test_protection_fault_takes_the_fault_path(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  ph.protection_faults = 1;
  const double u = 10, prot = K(c, "protection_fault.native");
  NEAR(total_of(&technique_native_ops, &c, &ph, u), u * prot);
  cycles_by_mech b = run(&technique_bt_ops, &c, &ph, u);
  NEAR(M(b, GUEST), u * prot);
  NEAR(M(b, HYPERVISOR), u * (K(c, "bt.page_fault") - K(c, "page_fault.native")));
  cycles_by_mech h = run(&technique_hvm_ops, &c, &ph, u);
  NEAR(M(h, TRAP), roundtrips(&c, u));
  NEAR(M(h, HYPERVISOR), u * K(c, "hvm.exit.page_fault"));
  cycles_by_mech p = run(&technique_pv_ops, &c, &ph, u);
  NEAR(M(p, TRAP), u * K(c, "pv.page_fault_extra"));
  NEAR(total_of(&technique_hvm_ept_ops, &c, &ph, u), u * prot);
}

/* Shadow tables rebuilt on every CR3 load: one fill per resident page. */
static void test_shadow_rebuild_fills_every_resident_page(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_access_spec a = fx_stream(SIM_ACCESS_RANDOM, 1 * MiB, 0, 4096); /* 256 pages */
  sim_phase ph = fx_op_phase();
  ph.n_access = 1;
  ph.access = &a;
  ph.context_switches = 1;
  cycles_by_mech b0 = run(&technique_bt_ops, &c, &ph, 1), h0 = run(&technique_hvm_ops, &c, &ph, 1);
  fx_cost_set(&c, "shadow.rebuild_fraction", 1);
  cycles_by_mech b1 = run(&technique_bt_ops, &c, &ph, 1), h1 = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(M(b1, HYPERVISOR) - M(b0, HYPERVISOR), 256 * K(c, "bt.shadow_fill"));
  NEAR(M(h1, TRAP) - M(h0, TRAP), roundtrips(&c, 256));
  NEAR(M(h1, HYPERVISOR) - M(h0, HYPERVISOR), 256 * K(c, "hvm.exit.page_fault"));
  /* pv and EPT keep no shadow tables */
  cycles_by_mech p1 = run(&technique_pv_ops, &c, &ph, 1);
  fx_cost_set(&c, "shadow.rebuild_fraction", 0);
  NEAR(cycles_total(&p1), total_of(&technique_pv_ops, &c, &ph, 1));
}

static const technique_ops *const all_techniques[] = {
    &technique_native_ops, &technique_container_ops, &technique_bt_ops,
    &technique_pv_ops,     &technique_hvm_ops,       &technique_hvm_ept_ops};
enum { N_TECHNIQUES = sizeof all_techniques / sizeof all_techniques[0] };

/* Whether `ops` loads the costs c; a failure must name `key`. */
static bool loads(const technique_ops *ops, const fx_costs *c, const char *key) {
  sim_profile *p = fx_costs_profile(c, "test");
  sim_diag d;
  sim_diag_init(&d);
  void *params = NULL;
  bool ok = ops->load(p, NULL, &params, &d) == 0;
  if (ok) {
    ops->free_params(params);
  } else {
    bool named = false;
    char quoted[96];
    snprintf(quoted, sizeof quoted, "'%s'", key);
    for (size_t i = 0; i < d.count; i++)
      if (strstr(d.entries[i].message, quoted)) named = true;
    CU_ASSERT(named);
    CU_ASSERT_PTR_NULL(params);
  }
  sim_diag_clear(&d);
  sim_profile_free(p);
  return ok;
}

static void test_hosted_pays_a_world_switch_per_host_exit(void) {
  fx_costs c;
  fx_costs_init(&c);
  sim_phase ph = fx_op_phase();
  ph.port_io = 1;
  const double u = 100, ws = K(c, "hypervisor.world_switch");
  cycles_by_mech type1[N_TECHNIQUES], type2[N_TECHNIQUES];
  for (size_t t = 0; t < N_TECHNIQUES; t++) type1[t] = run(all_techniques[t], &c, &ph, u);
  fx_cost_set(&c, "hypervisor.hosted", 1);
  for (size_t t = 0; t < N_TECHNIQUES; t++) {
    type2[t] = run(all_techniques[t], &c, &ph, u);
    const technique_ops *o = all_techniques[t];
    bool hosted_vmm = o == &technique_bt_ops || o == &technique_hvm_ops ||
                      o == &technique_hvm_ept_ops;
    NEAR(M(type2[t], HYPERVISOR) - M(type1[t], HYPERVISOR), hosted_vmm ? u * ws : 0);
    NEAR(cycles_total(&type2[t]) - cycles_total(&type1[t]), hosted_vmm ? u * ws : 0);
  }
  /* a host timer interrupt taken while the guest runs goes to the host too */
  sim_phase tick = fx_op_phase();
  tick.instructions = 1e6; /* 1 ms at 1 GHz: one tick at 1000 Hz */
  fx_cost_set(&c, "timer.hz", 1000);
  cycles_by_mech b2 = run(&technique_bt_ops, &c, &tick, 1);
  fx_cost_set(&c, "hypervisor.hosted", 0);
  cycles_by_mech b1 = run(&technique_bt_ops, &c, &tick, 1);
  NEAR(M(b2, TRAP) - M(b1, TRAP), ws);
}

static void test_keys_required_by_their_readers(void) {
  static const struct {
    const char *key;
    unsigned readers; /* bit t: all_techniques[t] reads it */
  } keys[] = {
      {"process_switch.native", 0x3f}, {"exec.pages", 0x3f}, {"fs_metadata.native", 0x3f},
      {"shadow.rebuild_fraction", 0x14}, /* bt, hvm */
      {"hvm.exit.invlpg", 0x10},         /* hvm */
      {"hypervisor.hosted", 0x34},       /* bt, hvm, hvm-ept */
      {"hypervisor.world_switch", 0x34},
  };
  for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
    fx_costs c;
    fx_costs_init(&c);
    fx_cost_remove(&c, keys[k].key);
    for (size_t t = 0; t < N_TECHNIQUES; t++)
      CU_ASSERT(loads(all_techniques[t], &c, keys[k].key) == !(keys[k].readers >> t & 1));
  }
  /* a rebuilt share is a share */
  fx_costs c;
  fx_costs_init(&c);
  fx_cost_set(&c, "shadow.rebuild_fraction", 1.5);
  CU_ASSERT(!loads(&technique_bt_ops, &c, "shadow.rebuild_fraction"));
  CU_ASSERT(!loads(&technique_hvm_ops, &c, "shadow.rebuild_fraction"));
  CU_ASSERT(loads(&technique_pv_ops, &c, "shadow.rebuild_fraction"));
}

int register_tests(void) {
  static const test_case tests[] = {
      {"process switch by technique", test_process_switch_by_technique},
      {"switch refills an untagged TLB by walk", test_switch_refills_an_untagged_tlb_by_walk},
      {"exec by technique", test_exec_by_technique},
      {"signals and metadata calls enter the kernel",
       test_signals_and_metadata_calls_enter_the_kernel},
      {"mmap pair by technique", test_mmap_pair_by_technique},
      {"protection fault takes the fault path", test_protection_fault_takes_the_fault_path},
      {"shadow rebuild fills every resident page", test_shadow_rebuild_fills_every_resident_page},
      {"hosted pays a world switch per host exit", test_hosted_pays_a_world_switch_per_host_exit},
      {"keys required by their readers", test_keys_required_by_their_readers},
      {NULL, NULL}};
  return add_suite("guest_ops", tests);
}
