/* tests/test_technique_unit.c: the split charges (models/technique_unit.h).
 * Every operation of a group a prepared unit may mark absent is charged
 * when the phase has it (a group left out wrongly would lose its cycles);
 * a unit prepared once and applied at charge after charge gives, bit for
 * bit, the cycles of the technique's own charge from a fresh state charged
 * the same way, also when units of several phases (with and without
 * memory streams, on 4 KiB or 2 MiB pages, with timer interrupts and a
 * hosted hypervisor's world switches) are applied in turn on one state, as
 * the vCPUs of a guest do; apply_fresh adds to cycles all +0 what apply
 * adds; techniques whose charge is not a function of the
 * phase and the table alone (BT's translation cache) are not split.
 * The units are also held to a reference: each technique's charge as its
 * model defines it, every operation charged whether its count is 0 or not,
 * from a cost table the test loads itself with the techniques' own keys.  Costs are the
 * made-up ones of tests/fixtures.h, loaded through a profile. */
#include <stddef.h>
#include <string.h>

#include "models/guest_ops.h"
#include "models/technique_hvm.h"
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

/* ---- the reference: each split technique's charge by its model ---- */

/* Every cost the split techniques read, loaded with their own keys. */
typedef struct reference_table {
  native_costs c;           /* first: a table of vcost_table_load */
  hvm_exit_costs x;
  double cpu_eff;           /* hvm.untuned.cpu_efficiency */
  guest_op_costs g;
  hosted_costs hosted;
  double namespace_ns, cgroup_ns; /* container set-up, ns */
} reference_table;

static const vcost_key reference_keys[] = {
    HVM_EXIT_KEYS(reference_table, x),
    {"hvm.untuned.cpu_efficiency", offsetof(reference_table, cpu_eff), VCOST_SAME},
    GUEST_OP_KEYS(reference_table, g),
    HOSTED_KEYS(reference_table, hosted),
    {"container.namespace_create", offsetof(reference_table, namespace_ns), VCOST_SAME},
    {"container.cgroup_enter", offsetof(reference_table, cgroup_ns), VCOST_SAME}};

static reference_table *reference_open(const sim_profile *p) {
  sim_diag d;
  sim_diag_init(&d);
  void *t = NULL;
  int rc = vcost_table_load(p, NULL, sizeof(reference_table), reference_keys,
                            sizeof reference_keys / sizeof reference_keys[0], &t, &d);
  if (rc < 0) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  CU_ASSERT_FATAL(rc == 0);
  return t;
}

/* technique t's charge of `units` units of ph, its memory model in *s (over
 * table r); *started: a container's set-up is charged. */
static void reference_charge(const technique_ops *t, const reference_table *r, vstate *s,
                             bool *started, const sim_phase *ph, double units,
                             cycles_by_mech *out) {
  const native_costs *c = &r->c;
  double *g = &out->cycles[MECH_GUEST];
  guest_op_events e = guest_ops_events(&r->g, ph, units);
  if (t == &technique_native_ops) {
    guest_op_events one = guest_ops_events(&r->g, ph, 1);
    *g += units * (vcost_native_cpu(c, ph) + guest_ops_native_cycles(c, &r->g, &one));
    vcost_charge_memory(s, ph, units, VCOST_WALK_1D, 0, out);
  } else if (t == &technique_container_ops) {
    if (!*started)
      out->cycles[MECH_HYPERVISOR] += (r->namespace_ns + r->cgroup_ns) * 1e-9 * c->clock_hz;
    *started = true;
    *g += units * vcost_native_cpu(c, ph);
    *g += guest_ops_native_cycles(c, &r->g, &e);
    vcost_charge_memory(s, ph, units, VCOST_WALK_1D, 0, out);
  } else {
    CU_ASSERT_PTR_EQUAL_FATAL(t, &technique_hvm_ept_ops);
    double before = cycles_total(out);
    *g += units * (vcost_instr_cycles(ph) / r->cpu_eff + ph->call_ret * c->callret +
                   ph->cli * c->cli + ph->syscalls * c->syscall);
    hvm_charge_exiting_ops(&r->x, c, ph, units, out);
    *g += units * (ph->pte_updates * c->pte_write + ph->page_faults * c->page_fault +
                   ph->process_creations * (c->fork + c->fork_per_page * vcost_resident_pages(ph)) +
                   ph->divide_faults * c->exception);
    out->cycles[MECH_TRAP] += units * ph->divide_faults * r->x.exception;
    *g += guest_ops_native_cycles(c, &r->g, &e);
    double world = hosted_exit_cycles(&r->hosted);
    out->cycles[MECH_HYPERVISOR] += units * ph->port_io * world;
    vcost_charge_memory(s, ph, units, VCOST_WALK_2D, 0, out);
    guest_ops_charge_switch_refill(s, ph, &e, out);
    vcost_charge_timer(c, cycles_total(out) - before, hvm_timer_irq_cycles(&r->x) + world, out);
    return;
  }
  guest_ops_charge_switch_refill(s, ph, &e, out);
}

#define N_MIXED 7 /* phases of the interleaved test: k = 0 and 6 have no grouped operation */

/* Phase k of the interleaved test: its own streams (none for k == 0, up to
 * six), and some of the operations of each group by k. */
static sim_phase mixed_phase(size_t k, sim_access_spec access[6]) {
  sim_phase ph = fx_op_phase();
  ph.instructions = 100 + 10 * (double)k;
  ph.syscalls = (double)k;
  ph.call_ret = 2.5 * (double)k;
  ph.n_access = k;
  ph.access = access;
  for (size_t i = 0; i < k; i++)
    access[i] = (sim_access_spec){.count = 1 + (double)i,
                                  .working_set_bytes = (64 * KiB) << (2 * i + k),
                                  .pattern = (sim_access_pattern)((i + k) % 3),
                                  .stride_bytes = 256,
                                  .page_bytes = (i + k) % 4 == 0 ? 2 * MiB : 4 * KiB,
                                  .write_fraction = 0.25};
  if (k % 2) ph.port_io = 0.5 * (double)k;             /* exits */
  if (k % 3 == 1) ph.divide_faults = 0.125;            /* kernel operations */
  if (k % 3 == 2) ph.context_switches = 0.75;          /* guest operations */
  return ph;
}

/* One guest's vCPUs charge phases in turn: units prepared once per phase
 * and applied in a shuffled order give, bit for bit, what charge() gives on
 * a twin state charged in the same order and what the reference gives, and
 * every switch-in after gives what the twin's does (its TLB refill reads
 * the pages of the phase charged last). */
static void test_units_of_several_phases_applied_in_turn(void) {
  fx_costs c;
  fx_costs_init(&c);
  fx_cost_set(&c, "tlb.tagged", 0);
  fx_cost_set(&c, "timer.hz", 250);
  fx_cost_set(&c, "hypervisor.hosted", 1);
  sim_profile *p = fx_costs_profile(&c, "test");
  static sim_access_spec access[N_MIXED][6];
  sim_phase ph[N_MIXED];
  for (size_t k = 0; k < N_MIXED; k++) ph[k] = mixed_phase(k, access[k]);
  sim_guest huge = {.huge_pages = true};
  const sim_guest *guests[] = {NULL, &huge};
  for (size_t t = 0; t < sizeof split / sizeof split[0]; t++)
    for (size_t gi = 0; gi < 2; gi++) {
      const technique_unit_ops *u = technique_unit_ops_at(technique_unit_index(split[t]));
      fx_tech whole, parts;
      fx_tech_open(&whole, split[t], p, guests[gi]);
      fx_tech_open(&parts, split[t], p, guests[gi]);
      reference_table *r = reference_open(p);
      vstate ref;
      vstate_init(&ref, &r->c, guests[gi]);
      bool ref_started = false;
      technique_unit prepared[N_MIXED];
      for (size_t k = 0; k < N_MIXED; k++) u->prepare(parts.state, &ph[k], &prepared[k]);
      cycles_by_mech by_charge = {{0}}, by_unit = {{0}}, by_reference = {{0}};
      size_t wrong = 0, unlike_reference = 0;
      for (size_t i = 0; i < 50; i++) {
        size_t k = (i * 3 + i / 7) % N_MIXED;
        double units = 0.5 + (double)(i % 9) * 1e3;
        split[t]->charge(whole.state, &ph[k], units, &by_charge);
        u->apply(parts.state, &ph[k], units, &prepared[k], &by_unit);
        reference_charge(split[t], r, &ref, &ref_started, &ph[k], units, &by_reference);
        unlike_reference += memcmp(&by_reference, &by_unit, sizeof by_unit) != 0;
        cycles_by_mech in_charge = {{0}}, in_unit = {{0}};
        split[t]->switch_in(whole.state, &in_charge);
        split[t]->switch_in(parts.state, &in_unit);
        wrong += memcmp(&by_charge, &by_unit, sizeof by_unit) != 0 ||
                 memcmp(&in_charge, &in_unit, sizeof in_unit) != 0;
      }
      CU_ASSERT_EQUAL(wrong, 0);
      CU_ASSERT_EQUAL(unlike_reference, 0);
      CU_ASSERT(by_unit.cycles[MECH_PAGEWALK] > 0);
      vcost_table_free(r);
      fx_tech_close(&whole);
      fx_tech_close(&parts);
    }
  sim_profile_free(p);
}

/* A unit's total (apply_total, the native reference's) is, bit for bit,
 * cycles_total of what apply adds to cycles all +0, and leaves the state as
 * apply does (a switch-in after reads it), over phases with and without
 * streams and guest operations and over units 0 to large. */
static void test_a_units_total_is_its_cycles_total(void) {
  fx_costs c;
  fx_costs_init(&c);
  fx_cost_set(&c, "tlb.tagged", 0);
  sim_profile *p = fx_costs_profile(&c, "test");
  static sim_access_spec access[N_MIXED][6];
  sim_phase ph[N_MIXED];
  for (size_t k = 0; k < N_MIXED; k++) ph[k] = mixed_phase(k, access[k]);
  CU_ASSERT_PTR_NOT_NULL(technique_native_unit_ops.apply_total);
  size_t totalled = 0;
  for (size_t t = 0; t < sizeof split / sizeof split[0]; t++) {
    const technique_unit_ops *u = technique_unit_ops_at(technique_unit_index(split[t]));
    if (!u->apply_total) continue;
    totalled++;
    fx_tech applied, totals;
    fx_tech_open(&applied, split[t], p, NULL);
    fx_tech_open(&totals, split[t], p, NULL);
    size_t wrong = 0;
    for (size_t i = 0; i < 40; i++) {
      size_t k = (i * 5 + i / 3) % N_MIXED;
      double units = i % 8 == 0 ? 0.0 : 0.25 + (double)(i % 7) * 1234.5;
      technique_unit unit;
      u->prepare(applied.state, &ph[k], &unit);
      cycles_by_mech by_apply = {{0}};
      u->apply(applied.state, &ph[k], units, &unit, &by_apply);
      double want = cycles_total(&by_apply), got = u->apply_total(totals.state, &ph[k], units, &unit);
      cycles_by_mech in_applied = {{0}}, in_totals = {{0}};
      split[t]->switch_in(applied.state, &in_applied);
      split[t]->switch_in(totals.state, &in_totals);
      wrong += memcmp(&want, &got, sizeof got) != 0 ||
               memcmp(&in_applied, &in_totals, sizeof in_totals) != 0;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    fx_tech_close(&applied);
    fx_tech_close(&totals);
  }
  CU_ASSERT(totalled > 0);
  sim_profile_free(p);
}

/* Every split's apply_fresh, which the engine charges chunks with, adds to
 * cycles all +0 what apply adds, bit for bit, and leaves the state as apply
 * does (a switch-in after reads it), over phases with and without streams,
 * exits, kernel and guest operations, and over units 0 to large. */
static void test_a_fresh_apply_is_apply_onto_zeros(void) {
  fx_costs c;
  fx_costs_init(&c);
  fx_cost_set(&c, "tlb.tagged", 0);
  fx_cost_set(&c, "timer.hz", 250); /* the timer's share of the cycles, which a fresh apply sums */
  sim_profile *p = fx_costs_profile(&c, "test");
  static sim_access_spec access[N_MIXED][6];
  sim_phase ph[N_MIXED];
  for (size_t k = 0; k < N_MIXED; k++) ph[k] = mixed_phase(k, access[k]);
  for (size_t t = 0; t < sizeof split / sizeof split[0]; t++) {
    const technique_unit_ops *u = technique_unit_ops_at(technique_unit_index(split[t]));
    CU_ASSERT_PTR_NOT_NULL_FATAL(u->apply_fresh);
    fx_tech applied, fresh;
    fx_tech_open(&applied, split[t], p, NULL);
    fx_tech_open(&fresh, split[t], p, NULL);
    size_t wrong = 0, timed = 0;
    for (size_t i = 0; i < 40; i++) {
      size_t k = (i * 5 + i / 3) % N_MIXED;
      double units = i % 8 == 0 ? 0.0 : 0.25 + (double)(i % 7) * 1234.5;
      technique_unit unit;
      u->prepare(applied.state, &ph[k], &unit);
      cycles_by_mech by_apply = {{0}}, by_fresh = {{0}};
      u->apply(applied.state, &ph[k], units, &unit, &by_apply);
      u->apply_fresh(fresh.state, &ph[k], units, &unit, &by_fresh);
      timed += by_fresh.cycles[MECH_TRAP] > 0;
      cycles_by_mech in_applied = {{0}}, in_fresh = {{0}};
      split[t]->switch_in(applied.state, &in_applied);
      split[t]->switch_in(fresh.state, &in_fresh);
      wrong += memcmp(&by_apply, &by_fresh, sizeof by_fresh) != 0 ||
               memcmp(&in_applied, &in_fresh, sizeof in_fresh) != 0;
    }
    CU_ASSERT_EQUAL(wrong, 0);
    if (split[t] == &technique_hvm_ept_ops) CU_ASSERT(timed > 10); /* its timer's cycles */
    fx_tech_close(&applied);
    fx_tech_close(&fresh);
  }
  sim_profile_free(p);
}

static void test_stateful_techniques_are_not_split(void) {
  CU_ASSERT_EQUAL(technique_unit_index(&technique_bt_ops), 0);
  /* the engine looks a guest's split up by its number alone: 0 finds none */
  CU_ASSERT_PTR_NULL(technique_unit_ops_at(technique_unit_index(&technique_bt_ops)));
  for (size_t t = 0; t < sizeof split / sizeof split[0]; t++)
    CU_ASSERT_PTR_EQUAL(technique_unit_ops_at(technique_unit_index(split[t]))->technique, split[t]);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"every grouped operation is charged", test_every_grouped_operation_is_charged},
      {"a prepared unit charges as charge does", test_prepared_unit_charges_as_charge_does},
      {"units of several phases applied in turn", test_units_of_several_phases_applied_in_turn},
      {"a unit's total is its cycles' total", test_a_units_total_is_its_cycles_total},
      {"a fresh apply is apply onto zeros", test_a_fresh_apply_is_apply_onto_zeros},
      {"stateful techniques are not split", test_stateful_techniques_are_not_split},
      {NULL, NULL}};
  return add_suite("technique_unit", tests);
}
