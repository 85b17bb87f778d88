/* tests/test_techniques.c: the six technique models (models/technique_*.c).
 * Per-operation costs by mechanism must be the profile's composition for
 * each [AA06] nanobenchmark; BT translates code only on first execution;
 * containers cost what native costs; the shipped profiles hold every
 * quantity; the [LECT] loops come out in the published order. */
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

#define MiB (1024ull * 1024ull)

/* Distinct made-up costs, so that a cost charged to the wrong operation or
 * mechanism shows.  Timer interrupts are off (timer_hz 0) unless a test
 * turns them on. */
static vcost test_costs(void) {
  vcost c;
  memset(&c, 0, sizeof c);
  c.clock_hz = 1e9;
  c.syscall = 200;
  c.page_fault = 1000;
  c.fork = 50000;
  c.fork_per_page = 10;
  c.fork_switches = 2;
  c.context_switch = 3000;
  c.rdtsc = 30;
  c.cli = 60;
  c.cr8 = 140;
  c.port_io = 3000;
  c.callret = 11;
  c.exception = 900;
  c.pte_write = 1;
  c.tlb_tagged = false;
  c.mmu.tlb_entries_4k = 64;
  c.mmu.tlb_entries_2m = 32;
  c.mmu.walk_levels = 4;
  c.mmu.pte_bytes = 8;
  c.mmu.pwc_entries = 24;
  c.mmu.pwc_hit_cycles = 2;
  c.mmu.pwc_nested = true;
  c.mmu.ntlb_entries = 16;
  c.mmu.ntlb_hit_cycles = 2;
  c.mmu.cache_bytes[0] = 32768;
  c.mmu.cache_cycles[0] = 4;
  c.mmu.cache_bytes[1] = 1 << 20;
  c.mmu.cache_cycles[1] = 14;
  c.mmu.dram_cycles = 200;
  c.mmu.line_bytes = 64;
  c.mmu.bandwidth_bytes_per_cycle = 4;
  c.ct_namespace_ns = 1000;
  c.ct_cgroup_ns = 500;
  c.bt_translate = 2300;
  c.bt_instr_bytes = 4;
  c.bt_tc_bytes = 1 << 20;
  c.bt_callout = 1254;
  c.bt_tc_rdtsc = 216;
  c.bt_tc_cli = 7;
  c.bt_tc_cr8 = 35;
  c.bt_tc_in = 214;
  c.bt_trap = 2030;
  c.bt_adapt = 5;
  c.bt_syscall = 2000;
  c.bt_callret = 51;
  c.bt_page_fault = 3927;
  c.bt_exception = 3223;
  c.bt_pte_write = 391;
  c.bt_shadow_fill = 2834;
  c.bt_cr3 = 1300;
  c.shadow_miss = 7;
  c.pv_hypercall = 700;
  c.pv_batch = 32;
  c.pv_validate = 150;
  c.pv_syscall = 3;
  c.pv_page_fault = 800;
  c.pv_cr3 = 900;
  c.pv_sensitive = 9;
  c.hvm_roundtrip = 2409;
  c.hvm_user = 15826;
  c.hvm_pf = 7740;
  c.hvm_pte = 10323;
  c.hvm_cr3 = 2100;
  c.hvm_cr8 = 1100;
  c.hvm_rdtsc = 450;
  c.hvm_interrupt = 1900;
  c.hvm_irq_exits = 2;
  c.hvm_tpr_shadow = true;
  c.hvm_rdtsc_exiting = false;
  c.hvm_exception = 125;
  c.hvm_cpu_eff = 1;
  return c;
}

static void *make(const vcost *c) {
  void *s = NULL;
  CU_ASSERT_FATAL(vstate_new(c, NULL, &s) == 0);
  return s;
}

/* Cycles of `units` units of ph under technique t with costs c (fresh state). */
static cycles_by_mech run(const technique_ops *t, const vcost *c, const sim_phase *ph, double units) {
  cycles_by_mech out;
  memset(&out, 0, sizeof out);
  void *s = make(c);
  t->charge(s, ph, units, &out);
  t->destroy(s);
  return out;
}

static double total(const cycles_by_mech *m) { return vcost_total(m); }

static sim_phase op_phase(void) {
  sim_phase ph;
  memset(&ph, 0, sizeof ph);
  ph.name = "op";
  ph.cycles_per_instruction = 1;
  return ph;
}

static void near(double a, double b, unsigned line) {
  CU_assertImplementation(fabs(a - b) <= 1e-6 * (fabs(b) + 1), line, "NEAR", __FILE__, "", CU_FALSE);
}
#define NEAR(a, b) near((a), (b), __LINE__)

static void test_syscall_by_technique(void) {
  vcost c = test_costs();
  sim_phase ph = op_phase();
  ph.syscalls = 1;
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 1000);
  NEAR(n.cycles[MECH_GUEST], 1000 * c.syscall);
  NEAR(total(&n), 1000 * c.syscall);
  cycles_by_mech b = run(&technique_bt_ops, &c, &ph, 1000);
  NEAR(b.cycles[MECH_GUEST], 1000 * c.syscall);
  NEAR(b.cycles[MECH_TRAP], 1000 * c.bt_syscall);
  NEAR(total(&b), 1000 * (c.syscall + c.bt_syscall));
  cycles_by_mech h = run(&technique_hvm_ops, &c, &ph, 1000);
  NEAR(total(&h), 1000 * c.syscall); /* no exit: native [AA06] */
  cycles_by_mech p = run(&technique_pv_ops, &c, &ph, 1000);
  NEAR(total(&p), 1000 * (c.syscall + c.pv_syscall));
  NEAR(p.cycles[MECH_TRAP], 1000 * c.pv_syscall);
}

static void test_sensitive_instructions_by_technique(void) {
  vcost c = test_costs();
  sim_phase ph = op_phase();
  ph.port_io = 1;
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 1), b = run(&technique_bt_ops, &c, &ph, 1),
                 h = run(&technique_hvm_ops, &c, &ph, 1), e = run(&technique_hvm_ept_ops, &c, &ph, 1);
  NEAR(total(&n), c.port_io);
  NEAR(b.cycles[MECH_TRAP], c.bt_tc_in); /* emulated in the translation cache */
  NEAR(total(&b), c.bt_tc_in);
  NEAR(h.cycles[MECH_TRAP], c.hvm_user); /* exit to the user-level device model */
  NEAR(total(&e), c.hvm_user);
  CU_ASSERT(total(&b) < total(&n) && total(&n) < total(&h)); /* [AA06]: BT 15x faster, HW 5x slower */

  ph = op_phase();
  ph.cr8_writes = 1;
  b = run(&technique_bt_ops, &c, &ph, 1);
  h = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(total(&b), c.bt_tc_cr8);
  NEAR(total(&h), c.cr8); /* TPR shadow */
  c.hvm_tpr_shadow = false;
  h = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(h.cycles[MECH_TRAP], c.hvm_roundtrip);
  NEAR(h.cycles[MECH_HYPERVISOR], c.hvm_cr8);

  c = test_costs();
  ph = op_phase();
  ph.rdtsc = 1;
  ph.cli = 1;
  b = run(&technique_bt_ops, &c, &ph, 1);
  NEAR(total(&b), c.bt_tc_rdtsc + c.bt_tc_cli);
  cycles_by_mech p = run(&technique_pv_ops, &c, &ph, 1);
  NEAR(p.cycles[MECH_GUEST], c.rdtsc);
  NEAR(p.cycles[MECH_HYPERCALL], c.pv_sensitive);
  h = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(total(&h), c.rdtsc + c.cli);
}

static void test_memory_management_by_technique(void) {
  vcost c = test_costs();
  c.bt_adapt = 0; /* steady state: already adapted */
  sim_phase ph = op_phase();
  ph.page_faults = 1;
  cycles_by_mech b = run(&technique_bt_ops, &c, &ph, 1), h = run(&technique_hvm_ops, &c, &ph, 1),
                 e = run(&technique_hvm_ept_ops, &c, &ph, 1), p = run(&technique_pv_ops, &c, &ph, 1);
  NEAR(total(&b), c.bt_page_fault);
  NEAR(b.cycles[MECH_GUEST], c.page_fault);
  NEAR(total(&h), c.page_fault + c.hvm_roundtrip + c.hvm_pf);
  NEAR(h.cycles[MECH_TRAP], c.hvm_roundtrip);
  NEAR(total(&e), c.page_fault); /* guest-owned tables under EPT */
  NEAR(total(&p), c.page_fault + c.pv_page_fault);

  ph = op_phase();
  ph.pte_updates = 1;
  b = run(&technique_bt_ops, &c, &ph, 64);
  h = run(&technique_hvm_ops, &c, &ph, 64);
  e = run(&technique_hvm_ept_ops, &c, &ph, 64);
  p = run(&technique_pv_ops, &c, &ph, 64);
  NEAR(total(&b), 64 * c.bt_pte_write);
  NEAR(total(&h), 64 * (c.pte_write + c.hvm_roundtrip + c.hvm_pte));
  NEAR(total(&e), 64 * c.pte_write);
  /* two batched mmu_update hypercalls of 32 validated entries */
  NEAR(p.cycles[MECH_HYPERCALL], 64 * c.pv_validate + 2 * c.pv_hypercall);
  NEAR(p.cycles[MECH_GUEST], 64 * c.pte_write);

  ph = op_phase();
  ph.divide_faults = 1;
  b = run(&technique_bt_ops, &c, &ph, 1);
  h = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(total(&b), c.bt_exception);
  NEAR(total(&h), c.exception + c.hvm_exception);

  ph = op_phase();
  ph.call_ret = 1;
  b = run(&technique_bt_ops, &c, &ph, 1);
  h = run(&technique_hvm_ops, &c, &ph, 1);
  NEAR(total(&b), c.bt_callret);
  NEAR(total(&h), c.callret);
}

static void test_adaptive_bt_traps_then_emulates(void) {
  vcost c = test_costs();
  sim_phase ph = op_phase();
  ph.pte_updates = 1;
  void *s = make(&c);
  cycles_by_mech first = {0}, later = {0};
  technique_bt_ops.charge(s, &ph, c.bt_adapt, &first);
  technique_bt_ops.charge(s, &ph, c.bt_adapt, &later);
  technique_bt_ops.destroy(s);
  NEAR(first.cycles[MECH_TRAP], c.bt_adapt * c.bt_trap);
  NEAR(later.cycles[MECH_TRAP], 0);
  NEAR(total(&later), c.bt_adapt * c.bt_pte_write);
}

static void test_fork_by_technique(void) {
  vcost c = test_costs();
  sim_phase ph = op_phase();
  sim_access_spec a = {.count = 0, .working_set_bytes = 4 * MiB, .pattern = SIM_ACCESS_RANDOM,
                       .page_bytes = 4096};
  ph.process_creations = 1;
  ph.n_access = 1;
  ph.access = &a;
  double pages = 1024, native = c.fork + c.fork_per_page * pages;
  CU_ASSERT_DOUBLE_EQUAL(vcost_resident_pages(&ph), pages, 1e-9);
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 1), b = run(&technique_bt_ops, &c, &ph, 1),
                 h = run(&technique_hvm_ops, &c, &ph, 1), e = run(&technique_hvm_ept_ops, &c, &ph, 1),
                 p = run(&technique_pv_ops, &c, &ph, 1);
  NEAR(total(&n), native);
  NEAR(total(&b), native + pages * c.bt_shadow_fill + c.fork_switches * c.bt_cr3);
  NEAR(total(&h), native + (pages + c.fork_switches) * c.hvm_roundtrip + pages * c.hvm_pf +
                      c.fork_switches * c.hvm_cr3);
  NEAR(total(&e), native);
  NEAR(total(&p), native + pages * c.pv_validate + pages / c.pv_batch * c.pv_hypercall +
                      c.fork_switches * (c.pv_hypercall + c.pv_cr3));
  CU_ASSERT(total(&h) > total(&b) && total(&b) > total(&p) && total(&p) > total(&n));
}

static void test_bt_translates_on_first_execution_only(void) {
  vcost c = test_costs();
  sim_phase ph = op_phase();
  ph.instructions = 100;
  ph.new_code_bytes = 4096;
  void *s = make(&c);
  cycles_by_mech first = {0}, second = {0};
  technique_bt_ops.charge(s, &ph, 10, &first);
  technique_bt_ops.charge(s, &ph, 10, &second);
  NEAR(first.cycles[MECH_TRANSLATE], 4096 / c.bt_instr_bytes * c.bt_translate);
  NEAR(second.cycles[MECH_TRANSLATE], 0);
  CU_ASSERT(total(&second) < total(&first));
  NEAR(first.cycles[MECH_GUEST], second.cycles[MECH_GUEST]);
  /* another phase is translated too; code beyond the cache flushes it */
  sim_phase other = ph;
  other.new_code_bytes = c.bt_tc_bytes; /* does not fit beside ph: flush */
  cycles_by_mech o = {0}, again = {0};
  technique_bt_ops.charge(s, &other, 1, &o);
  CU_ASSERT(o.cycles[MECH_TRANSLATE] > 0);
  technique_bt_ops.charge(s, &ph, 1, &again); /* flushed: translated again */
  NEAR(again.cycles[MECH_TRANSLATE], first.cycles[MECH_TRANSLATE]);
  technique_bt_ops.destroy(s);
  /* other techniques never translate */
  cycles_by_mech h = run(&technique_hvm_ops, &c, &ph, 10);
  NEAR(h.cycles[MECH_TRANSLATE], 0);
}

static void test_container_costs_native_after_setup(void) {
  vcost c = test_costs();
  sim_phase ph = op_phase();
  sim_access_spec a = {.count = 3, .working_set_bytes = 64 * MiB, .pattern = SIM_ACCESS_RANDOM,
                       .page_bytes = 4096};
  ph.instructions = 1000;
  ph.syscalls = 2;
  ph.page_faults = 0.5;
  ph.pte_updates = 3;
  ph.n_access = 1;
  ph.access = &a;
  void *s = make(&c);
  cycles_by_mech first = {0}, second = {0};
  technique_container_ops.charge(s, &ph, 100, &first);
  technique_container_ops.charge(s, &ph, 100, &second);
  technique_container_ops.destroy(s);
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 100);
  for (int m = 0; m < MECH_COUNT; m++) NEAR(second.cycles[m], n.cycles[m]);
  NEAR(total(&first) - total(&n), (c.ct_namespace_ns + c.ct_cgroup_ns) * 1e-9 * c.clock_hz);
  NEAR(first.cycles[MECH_HYPERVISOR], (c.ct_namespace_ns + c.ct_cgroup_ns) * 1e-9 * c.clock_hz);
}

static void test_tlb_loop_walks_by_technique(void) {
  vcost c = test_costs();
  /* stores drain fast: the walks, not the memory, pace the loop */
  c.mmu.bandwidth_bytes_per_cycle = 64;
  sim_phase ph = op_phase();
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
  double miss = mmu_tlb_miss_rate(&c.mmu, &a, 4096);
  CU_ASSERT(miss > 0.99);
  NEAR(b.cycles[MECH_PAGEWALK], n.cycles[MECH_PAGEWALK] + 1000 * miss * c.shadow_miss);
  NEAR(h.cycles[MECH_PAGEWALK], n.cycles[MECH_PAGEWALK] + 1000 * miss * c.shadow_miss);
  NEAR(v.cycles[MECH_PAGEWALK], n.cycles[MECH_PAGEWALK]);
  NEAR(b.cycles[MECH_GUEST] + b.cycles[MECH_TRANSLATE], n.cycles[MECH_GUEST]);
  /* without the overhead, shadow walks cost exactly what native walks cost */
  vcost z = c;
  z.shadow_miss = 0;
  cycles_by_mech bz = run(&technique_bt_ops, &z, &ph, 1000);
  NEAR(bz.cycles[MECH_PAGEWALK], n.cycles[MECH_PAGEWALK]);
  CU_ASSERT(e.cycles[MECH_PAGEWALK] > 2 * n.cycles[MECH_PAGEWALK]); /* 2D */
  NEAR(e.cycles[MECH_GUEST], n.cycles[MECH_GUEST]);
  /* huge pages shrink the 2D walk */
  vstate *s = make(&c);
  s->huge_pages = true;
  cycles_by_mech eh = {0};
  technique_hvm_ept_ops.charge(s, &ph, 1000, &eh);
  CU_ASSERT(eh.cycles[MECH_PAGEWALK] < e.cycles[MECH_PAGEWALK]);
  technique_hvm_ept_ops.destroy(s);
}

/* The software MMU's overhead lengthens the walk, which overlaps the data in
 * flight: a data-bound stream hides it as it hides the walk; a TLB refill
 * after a flush pays it per reloaded entry. */
static void test_shadow_miss_overlaps_and_refills(void) {
  vcost c = test_costs();
  sim_phase ph = op_phase();
  sim_access_spec a = {.count = 1, .working_set_bytes = 256 * MiB, .pattern = SIM_ACCESS_RANDOM,
                       .page_bytes = 4096};
  ph.n_access = 1;
  ph.access = &a;
  double miss = mmu_tlb_miss_rate(&c.mmu, &a, 4096);
  double data = mmu_data_cycles(&c.mmu, &a), w1 = mmu_walk_1d(&c.mmu, &a, 4096, miss).cycles;
  /* data-bound with or without the overhead: nothing exposed */
  c.shadow_miss = 0.5 * (data / miss - w1);
  CU_ASSERT_FATAL(c.shadow_miss > 0);
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 100), h = run(&technique_hvm_ops, &c, &ph, 100);
  NEAR(h.cycles[MECH_PAGEWALK], 0);
  NEAR(total(&h), total(&n));
  /* beyond the data: exposed in full */
  c.shadow_miss = 2.0 * (data / miss - w1) + 50;
  h = run(&technique_hvm_ops, &c, &ph, 100);
  NEAR(h.cycles[MECH_PAGEWALK], 100 * (miss * (w1 + c.shadow_miss) - data));
  /* refill after a flush (untagged TLB): one shadow walk per TLB entry */
  void *sb = make(&c), *sn = make(&c);
  cycles_by_mech wb = {0}, wn = {0}, rb = {0}, rn = {0};
  technique_bt_ops.charge(sb, &ph, 10, &wb);
  technique_native_ops.charge(sn, &ph, 10, &wn);
  technique_bt_ops.switch_in(sb, &rb);
  technique_native_ops.switch_in(sn, &rn);
  technique_bt_ops.destroy(sb);
  technique_native_ops.destroy(sn);
  NEAR(rb.cycles[MECH_PAGEWALK] - rn.cycles[MECH_PAGEWALK], c.mmu.tlb_entries_4k * c.shadow_miss);
}

static void test_walks_overlap_data_in_flight(void) {
  vcost c = test_costs();
  sim_phase ph = op_phase();
  sim_access_spec a = {.count = 1, .working_set_bytes = 256 * MiB, .pattern = SIM_ACCESS_RANDOM,
                       .page_bytes = 4096};
  ph.n_access = 1;
  ph.access = &a;
  double miss = mmu_tlb_miss_rate(&c.mmu, &a, 4096);
  double data = mmu_data_cycles(&c.mmu, &a);
  double w1 = mmu_walk_1d(&c.mmu, &a, 4096, miss).cycles, w2 = mmu_walk_2d(&c.mmu, &a, 4096, 4096, miss).cycles;
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 100), e = run(&technique_hvm_ept_ops, &c, &ph, 100);
  /* an access costs the busier of memory and page walker */
  NEAR(total(&n), 100 * fmax(data, miss * w1));
  NEAR(total(&e), 100 * fmax(data, miss * w2));
  NEAR(n.cycles[MECH_GUEST], 100 * data);
  NEAR(e.cycles[MECH_PAGEWALK], 100 * fmax(0, miss * w2 - data));
  CU_ASSERT(total(&e) >= total(&n));
}

static void test_switch_in_refills_untagged_tlb(void) {
  vcost c = test_costs();
  sim_phase ph = op_phase();
  sim_access_spec a = {.count = 1, .working_set_bytes = 32 * MiB, .pattern = SIM_ACCESS_RANDOM,
                       .page_bytes = 4096};
  ph.n_access = 1;
  ph.access = &a;
  const technique_ops *ts[] = {&technique_hvm_ops, &technique_hvm_ept_ops};
  for (int i = 0; i < 2; i++) {
    for (int tagged = 0; tagged < 2; tagged++) {
      c.tlb_tagged = tagged;
      void *s = make(&c);
      cycles_by_mech w = {0}, sw = {0};
      ts[i]->charge(s, &ph, 10, &w);
      ts[i]->switch_in(s, &sw);
      ts[i]->destroy(s);
      NEAR(sw.cycles[MECH_HYPERVISOR], c.context_switch);
      if (tagged) {
        NEAR(sw.cycles[MECH_PAGEWALK], 0);
      } else {
        CU_ASSERT(sw.cycles[MECH_PAGEWALK] > 0);
      }
    }
  }
}

static void test_timer_interrupts_cost_exits(void) {
  vcost c = test_costs();
  c.timer_hz = 1000;
  sim_phase ph = op_phase();
  ph.instructions = 1e6; /* 1 ms at 1 GHz: one tick */
  cycles_by_mech n = run(&technique_native_ops, &c, &ph, 1), h = run(&technique_hvm_ops, &c, &ph, 1),
                 b = run(&technique_bt_ops, &c, &ph, 1);
  NEAR(total(&n), 1e6);
  NEAR(h.cycles[MECH_TRAP], c.hvm_irq_exits * (c.hvm_roundtrip + c.hvm_interrupt));
  NEAR(b.cycles[MECH_TRAP], c.bt_callout);
}

/* Profiles shipped in the source tree. */
static int load_profile(const char *name, sim_profile **p) {
  const char *src = getenv("VDCSIM_SOURCE_DIR");
  char path[4096];
  snprintf(path, sizeof path, "%s/models/profiles/%s.yaml", src ? src : ".", name);
  sim_diag d;
  sim_diag_init(&d);
  int rc = sim_profile_load(path, p, &d);
  if (rc < 0) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  return rc;
}

static void test_shipped_profiles_hold_every_quantity(void) {
  const char *names[] = {"generic-x86-2020", "pentium4-2006", "xeon-e5-2014", "opteron-2008"};
  for (int i = 0; i < 4; i++) {
    sim_profile *p = NULL;
    CU_ASSERT_FATAL(load_profile(names[i], &p) == 0);
    technique_env env = {p, NULL, NULL};
    sim_diag d;
    sim_diag_init(&d);
    vcost c;
    CU_ASSERT(vcost_load(&env, &c, &d) == 0);
    if (d.count) sim_diag_print(&d, stderr);
    CU_ASSERT(c.clock_hz > 1e8);
    CU_ASSERT(c.mmu.dram_cycles > c.mmu.cache_cycles[0]);
    sim_diag_clear(&d);
    sim_profile_free(p);
  }
}

static void test_missing_quantity_is_reported_by_name(void) {
  char path[] = "/tmp/vdcsim-test-profile-XXXXXX";
  int fd = mkstemp(path);
  CU_ASSERT_FATAL(fd >= 0);
  FILE *f = fdopen(fd, "w");
  CU_ASSERT_FATAL(f != NULL);
  fputs("profile: {name: partial}\nquantities:\n  cpu.clock: {value: 2 GHz, source: test}\n"
        "  syscall.native: {value: 100 cycles, source: test}\n",
        f);
  fclose(f);
  sim_profile *p = NULL;
  sim_diag d;
  sim_diag_init(&d);
  int rc = sim_profile_load(path, &p, &d);
  remove(path);
  CU_ASSERT_FATAL(rc == 0);
  technique_env env = {p, NULL, NULL};
  void *st = NULL;
  CU_ASSERT(technique_bt_ops.create(&env, &st, &d) < 0);
  CU_ASSERT_PTR_NULL(st);
  CU_ASSERT(d.errors > 10);
  bool named_fault = false, named_syscall = false;
  for (size_t i = 0; i < d.count; i++) {
    named_fault |= strstr(d.entries[i].message, "'page_fault.native'") != NULL;
    named_syscall |= strstr(d.entries[i].message, "'syscall.native'") != NULL;
  }
  CU_ASSERT(named_fault);
  CU_ASSERT(!named_syscall); /* present: not reported */
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
  technique_env env = {p, NULL, NULL};
  sim_diag d;
  sim_diag_init(&d);
  void *sn = NULL, *st = NULL;
  CU_ASSERT_FATAL(technique_native_ops.create(&env, &sn, &d) == 0);
  CU_ASSERT_FATAL(t->create(&env, &st, &d) == 0);
  cycles_by_mech n = {0}, v = {0};
  technique_native_ops.charge(sn, ph, units, &n);
  t->charge(st, ph, units, &v);
  technique_native_ops.destroy(sn);
  t->destroy(st);
  sim_diag_clear(&d);
  return total(&n) / total(&v);
}

static void test_lect_loops_order(void) {
  sim_profile *p = NULL;
  CU_ASSERT_FATAL(load_profile("pentium4-2006", &p) == 0);
  sim_phase compute = op_phase(), getppid = op_phase(), fork = op_phase(), tlb = op_phase();
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
  sim_access_spec ta[2] = {
      {.count = 1, .working_set_bytes = 32 * MiB, .pattern = SIM_ACCESS_SEQUENTIAL, .stride_bytes = 1,
       .page_bytes = 4096},
      {.count = 1, .working_set_bytes = 32 * MiB, .pattern = SIM_ACCESS_STRIDED, .stride_bytes = 4097,
       .page_bytes = 4096, .write_fraction = 1}};
  tlb.instructions = 8;
  tlb.n_access = 2;
  tlb.access = ta;
  double u = 1e6;
  /* compute: everyone near native */
  CU_ASSERT(ratio(p, &technique_bt_ops, &compute, u) > 0.9);
  CU_ASSERT(ratio(p, &technique_hvm_ops, &compute, u) > 0.9);
  CU_ASSERT(ratio(p, &technique_pv_ops, &compute, u) > 0.9);
  /* getppid: BT pays every call, HW runs it natively, PV near native */
  double bt_g = ratio(p, &technique_bt_ops, &getppid, u), hw_g = ratio(p, &technique_hvm_ops, &getppid, u);
  CU_ASSERT(bt_g < 0.35 && bt_g > 0.15);
  CU_ASSERT(hw_g > 0.9);
  CU_ASSERT(ratio(p, &technique_pv_ops, &getppid, u) > 0.9);
  /* fork: HW (exits on every shadow fill) below BT, both far below native */
  double bt_f = ratio(p, &technique_bt_ops, &fork, 1000), hw_f = ratio(p, &technique_hvm_ops, &fork, 1000);
  CU_ASSERT(hw_f < bt_f);
  CU_ASSERT(bt_f < 0.25);
  CU_ASSERT(ratio(p, &technique_pv_ops, &fork, 1000) > bt_f);
  CU_ASSERT(ratio(p, &technique_hvm_ept_ops, &fork, 1000) > 0.9);
  /* TLB loop, on a host with nested paging (the Pentium 4 has none): 2D
   * walks cost far more than BT's 1D walks on shadow tables */
  sim_profile *x = NULL;
  CU_ASSERT_FATAL(load_profile("generic-x86-2020", &x) == 0);
  double ept_t = ratio(x, &technique_hvm_ept_ops, &tlb, u), bt_t = ratio(x, &technique_bt_ops, &tlb, u);
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
      {"registry names every technique", test_registry_names_every_technique},
      {"[LECT] loops in the published order", test_lect_loops_order},
      {NULL, NULL}};
  return add_suite("techniques", tests);
}
