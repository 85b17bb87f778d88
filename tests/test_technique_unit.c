/* tests/test_technique_unit.c: the split charges (models/technique_unit.h).
 * Every operation of a group a prepared unit may mark absent is charged
 * when the phase has it (a group left out wrongly would lose its cycles);
 * a unit prepared once and applied at charge after charge gives, bit for
 * bit, the cycles of the technique's own charge from a fresh state charged
 * the same way; techniques whose charge is not a function of the phase and
 * the table alone (BT's translation cache) are not split.  Costs are the
 * made-up ones of tests/fixtures.h, loaded through a profile. */
#include <stddef.h>
#include <string.h>

#include "models/technique_unit.h"
#include "models/techniques.h"
#include "sim/profile.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"

static const technique_ops *const split[] = {&technique_native_ops, &technique_container_ops,
                                             &technique_hvm_ept_ops};

/* The operations of the groups apply may leave out: exits, kernel
 * operations and guest operations. */
static const size_t grouped_ops[] = {
    offsetof(sim_phase, cr8_writes),   offsetof(sim_phase, rdtsc),
    offsetof(sim_phase, port_io),      offsetof(sim_phase, context_switches),
    offsetof(sim_phase, execs),        offsetof(sim_phase, signals),
    offsetof(sim_phase, mmaps),        offsetof(sim_phase, fs_metadata),
    offsetof(sim_phase, protection_faults), offsetof(sim_phase, pte_updates),
    offsetof(sim_phase, page_faults),  offsetof(sim_phase, process_creations),
    offsetof(sim_phase, divide_faults)};

static double *op_of(sim_phase *ph, size_t offset) { return (double *)((char *)ph + offset); }

/* A phase of ordinary instructions over one memory stream. */
static sim_phase base_phase(sim_access_spec *a) {
  sim_phase ph = fx_op_phase();
  *a = (sim_access_spec){.count = 2, .working_set_bytes = 64 * MiB, .pattern = SIM_ACCESS_RANDOM,
                         .page_bytes = 4096};
  ph.instructions = 100;
  ph.n_access = 1;
  ph.access = a;
  return ph;
}

static void test_every_grouped_operation_is_charged(void) {
  fx_costs c;
  fx_costs_init(&c);
  fx_cost_set(&c, "tlb.tagged", 0); /* process switches refill the TLB too */
  sim_profile *p = fx_costs_profile(&c, "test");
  sim_access_spec a;
  sim_phase base = base_phase(&a);
  for (size_t t = 0; t < sizeof split / sizeof split[0]; t++) {
    CU_ASSERT_FATAL(technique_unit_index(split[t]) > 0);
    cycles_by_mech alone = fx_charge(split[t], p, &base, 10);
    double without = cycles_total(&alone);
    for (size_t k = 0; k < sizeof grouped_ops / sizeof grouped_ops[0]; k++) {
      sim_phase ph = base;
      *op_of(&ph, grouped_ops[k]) = 1;
      cycles_by_mech with = fx_charge(split[t], p, &ph, 10);
      CU_ASSERT(cycles_total(&with) > without);
    }
  }
  sim_profile_free(p);
}

static void test_prepared_unit_charges_as_charge_does(void) {
  fx_costs c;
  fx_costs_init(&c);
  fx_cost_set(&c, "tlb.tagged", 0);
  sim_profile *p = fx_costs_profile(&c, "test");
  sim_access_spec a;
  sim_phase ph = base_phase(&a);
  for (size_t k = 0; k < sizeof grouped_ops / sizeof grouped_ops[0]; k++)
    *op_of(&ph, grouped_ops[k]) = 0.25 * (double)(k + 1);
  ph.syscalls = 3;
  ph.page_faults = 0.5;
  ph.call_ret = 7;
  const double units[] = {1, 0.001, 12345.678, 3e8, 0.5};
  for (size_t t = 0; t < sizeof split / sizeof split[0]; t++) {
    CU_ASSERT_FATAL(technique_unit_index(split[t]) > 0);
    const technique_unit_ops *u = technique_unit_ops_at(technique_unit_index(split[t]));
    fx_tech whole, parts;
    fx_tech_open(&whole, split[t], p, NULL);
    fx_tech_open(&parts, split[t], p, NULL);
    technique_unit prepared;
    u->prepare(parts.state, &ph, &prepared);
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
      cycles_by_mech by_charge, by_unit;
      memset(&by_charge, 0, sizeof by_charge);
      memset(&by_unit, 0, sizeof by_unit);
      split[t]->charge(whole.state, &ph, units[i], &by_charge);
      u->apply(parts.state, &ph, units[i], &prepared, &by_unit);
      CU_ASSERT_EQUAL(memcmp(&by_charge, &by_unit, sizeof by_unit), 0);
    }
    fx_tech_close(&whole);
    fx_tech_close(&parts);
  }
  sim_profile_free(p);
}

static void test_stateful_techniques_are_not_split(void) {
  CU_ASSERT_EQUAL(technique_unit_index(&technique_bt_ops), 0);
  for (size_t t = 0; t < sizeof split / sizeof split[0]; t++)
    CU_ASSERT_PTR_EQUAL(technique_unit_ops_at(technique_unit_index(split[t]))->technique, split[t]);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"every grouped operation is charged", test_every_grouped_operation_is_charged},
      {"a prepared unit charges as charge does", test_prepared_unit_charges_as_charge_does},
      {"stateful techniques are not split", test_stateful_techniques_are_not_split},
      {NULL, NULL}};
  return add_suite("technique_unit", tests);
}
