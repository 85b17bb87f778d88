/* tests/test_vcost.c: the memory model of one guest (models/vcost.h).
 * The costs of a phase's streams are computed once per table and kept; every
 * charge from them (vcost_charge_memory, or vcost_charge_streams of a
 * prepared unit) must give, bit for bit, what the model's definition gives
 * when computed afresh at the charge: per stream, the data cycles and the
 * walk cycles they do not hide (models/mmu.h), times count x units, added
 * stream by stream; the pages touched and the mean walk for TLB refills.
 * The reference below computes that definition from the MMU model alone.
 * Costs are the made-up ones of tests/fixtures.h, loaded through a profile. */
#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "models/mmu.h"
#include "models/vcost.h"
#include "sim/profile.h"
#include "tests/cunit_main.h"
#include "tests/fixtures.h"

/* What the model charges for `units` units of ph's streams, computed
 * afresh: added to *out; the pages touched and the mean walk in *pages and
 * *walk_cycles. */
static void reference_memory(const native_costs *c, bool huge, const sim_phase *ph, double units,
                             vcost_walk walk, double miss_extra, cycles_by_mech *out,
                             double *pages, double *walk_cycles) {
  double pages_sum = 0, walk_sum = 0;
  for (size_t i = 0; i < ph->n_access; i++) {
    sim_access_spec a = ph->access[i];
    uint64_t page = mmu_guest_page_bytes(a.page_bytes, huge);
    a.page_bytes = page;
    double miss = mmu_tlb_miss_rate(&c->mmu, &a, page);
    mmu_walk w = walk == VCOST_WALK_2D ? mmu_walk_2d(&c->mmu, &a, page, page, miss)
                                       : mmu_walk_1d(&c->mmu, &a, page, miss);
    if (miss_extra > 0) w.cycles += miss_extra;
    double data = mmu_data_cycles(&c->mmu, &a);
    double exposed = fmax(0.0, miss * w.cycles - data);
    double n = a.count * units;
    out->cycles[MECH_GUEST] += n * data;
    out->cycles[MECH_PAGEWALK] += n * exposed;
    pages_sum += ceil((double)a.working_set_bytes / (double)page);
    walk_sum += w.cycles;
  }
  *pages = pages_sum;
  *walk_cycles = walk_sum / (double)ph->n_access;
}

/* A table of native costs only, from the made-up profile. */
static native_costs *open_table(sim_profile **p) {
  fx_costs c;
  fx_costs_init(&c);
  *p = fx_costs_profile(&c, "test");
  sim_diag d;
  sim_diag_init(&d);
  void *table = NULL;
  int rc = vcost_table_load(*p, NULL, sizeof(native_costs), NULL, 0, &table, &d);
  if (rc < 0) sim_diag_print(&d, stderr);
  sim_diag_clear(&d);
  CU_ASSERT_FATAL(rc == 0);
  return table;
}

#define N_PHASES 40   /* distinct stream arrays: more than a table first holds */
#define MAX_STREAMS 7 /* streams of the largest phase */

/* Phase k: 1 + k % MAX_STREAMS streams of varied patterns, working sets,
 * page sizes, strides, store shares and counts, in its own array. */
static sim_phase varied_phase(size_t k, sim_access_spec access[MAX_STREAMS]) {
  sim_phase ph = fx_op_phase();
  ph.instructions = 50 + (double)k;
  ph.n_access = 1 + k % MAX_STREAMS;
  ph.access = access;
  for (size_t i = 0; i < ph.n_access; i++) {
    size_t v = k * MAX_STREAMS + i;
    access[i] = (sim_access_spec){
        .count = 0.5 + (double)(v % 11) * 1.25,
        .working_set_bytes = (4 * KiB) << (v % 19),
        .pattern = (sim_access_pattern)(v % 3),
        .stride_bytes = 64u << (v % 7),
        .page_bytes = v % 5 == 0 ? 2 * MiB : 4 * KiB,
        .write_fraction = (double)(v % 4) / 4.0};
  }
  return ph;
}

static bool same_bits(const cycles_by_mech *a, const cycles_by_mech *b) {
  return memcmp(a, b, sizeof *a) == 0;
}

/* Two guests (4 KiB and 2 MiB pages) over one table charge 40 phases in
 * turn, each under both walks and with and without a software-MMU extra,
 * over and over: every charge, whether its streams' costs are computed,
 * found in the table or in the guest's memo, equals the reference, bit for
 * bit, as do the pages and walk a TLB refill reads. */
static void test_kept_stream_costs_charge_as_computed_afresh(void) {
  sim_profile *p;
  native_costs *table = open_table(&p);
  static sim_access_spec access[N_PHASES][MAX_STREAMS];
  sim_phase ph[N_PHASES];
  for (size_t k = 0; k < N_PHASES; k++) ph[k] = varied_phase(k, access[k]);
  sim_guest huge_guest = {.huge_pages = true};
  vstate s[2];
  vstate_init(&s[0], table, NULL);
  vstate_init(&s[1], table, &huge_guest);
  const double units[] = {1, 0.001, 12345.678, 3e8};
  const double extra[] = {0, 250.5};
  size_t wrong = 0, refills_wrong = 0, charges = 0;
  for (size_t round = 0; round < 3; round++)
    for (size_t k = 0; k < N_PHASES; k++)
      for (int w = 0; w < 2; w++)
        for (size_t x = 0; x < 2; x++)
          for (size_t g = 0; g < 2; g++) {
            /* twice in a row: the second from the guest's memo */
            for (int again = 0; again < 2; again++) {
              double u = units[(k + round + (size_t)again) % 4];
              cycles_by_mech got = {{1.5, 2.5, 0, 3.5, 0, 0, 0}}, want = got;
              vcost_charge_memory(&s[g], &ph[k], u, (vcost_walk)w, extra[x], &got);
              double pages, walk_cycles;
              reference_memory(table, g == 1, &ph[k], u, (vcost_walk)w, extra[x], &want, &pages,
                               &walk_cycles);
              wrong += !same_bits(&got, &want);
              refills_wrong += vcost_tlb_refill(&s[g]) !=
                               mmu_refill_cycles(&table->mmu, pages,
                                                 mmu_guest_page_bytes(0, g == 1), walk_cycles);
              charges++;
            }
          }
  CU_ASSERT_EQUAL(charges, 3 * N_PHASES * 2 * 2 * 2 * 2);
  CU_ASSERT_EQUAL(wrong, 0);
  CU_ASSERT_EQUAL(refills_wrong, 0);
  vcost_table_free(table);
  sim_profile_free(p);
}

/* What a prepared unit keeps: vcost_streams_of gives one set of costs per
 * phase, walk, extra and page size, the same one every time (it stays valid
 * while the table grows), and vcost_charge_streams from it charges what
 * vcost_charge_memory does on a twin state, bit for bit; a phase without
 * streams has none. */
static void test_prepared_streams_charge_as_charge_memory(void) {
  sim_profile *p;
  native_costs *table = open_table(&p);
  static sim_access_spec access[N_PHASES][MAX_STREAMS];
  sim_phase ph[N_PHASES];
  const vcost_streams *kept[N_PHASES][2];
  vstate prepared, charged;
  vstate_init(&prepared, table, NULL);
  vstate_init(&charged, table, NULL);
  for (size_t k = 0; k < N_PHASES; k++) {
    ph[k] = varied_phase(k, access[k]);
    for (int w = 0; w < 2; w++) {
      kept[k][w] = vcost_streams_of(&prepared, &ph[k], (vcost_walk)w, 0);
      CU_ASSERT_PTR_NOT_NULL_FATAL(kept[k][w]);
      CU_ASSERT_EQUAL(kept[k][w]->n, ph[k].n_access);
    }
    CU_ASSERT_PTR_NOT_EQUAL(kept[k][0], kept[k][1]);
  }
  size_t moved = 0, wrong = 0;
  for (size_t round = 0; round < 2; round++)
    for (size_t k = 0; k < N_PHASES; k++)
      for (int w = 0; w < 2; w++) {
        moved += vcost_streams_of(&prepared, &ph[k], (vcost_walk)w, 0) != kept[k][w];
        cycles_by_mech a = {{7, 0, 0, 9, 0, 0, 0}}, b = a;
        double u = 0.37 * (double)(k + 1) + (double)round;
        vcost_charge_streams(&prepared, kept[k][w], u, &a);
        vcost_charge_memory(&charged, &ph[k], u, (vcost_walk)w, 0, &b);
        wrong += !same_bits(&a, &b) || vcost_tlb_refill(&prepared) != vcost_tlb_refill(&charged);
      }
  CU_ASSERT_EQUAL(moved, 0);
  CU_ASSERT_EQUAL(wrong, 0);
  sim_phase none = fx_op_phase();
  CU_ASSERT_PTR_NULL(vcost_streams_of(&prepared, &none, VCOST_WALK_1D, 0));
  vcost_table_free(table);
  sim_profile_free(p);
}

/* Two tables (two clocks) hold costs of their own for the same streams. */
static void test_each_table_keeps_its_own_costs(void) {
  sim_profile *p;
  native_costs *slow = open_table(&p);
  sim_diag d;
  sim_diag_init(&d);
  sim_host_type fast_type = {.clock_hz = 3e9, .tlb_tagged = -1};
  void *fast = NULL;
  CU_ASSERT_FATAL(vcost_table_load(p, &fast_type, sizeof(native_costs), NULL, 0, &fast, &d) == 0);
  sim_diag_clear(&d);
  sim_access_spec access[MAX_STREAMS];
  sim_phase ph = varied_phase(3, access);
  vstate a, b;
  vstate_init(&a, slow, NULL);
  vstate_init(&b, fast, NULL);
  cycles_by_mech on_slow = {{0}}, on_fast = {{0}}, want_slow = {{0}}, want_fast = {{0}};
  double pages, walk_cycles;
  vcost_charge_memory(&a, &ph, 10, VCOST_WALK_1D, 0, &on_slow);
  vcost_charge_memory(&b, &ph, 10, VCOST_WALK_1D, 0, &on_fast);
  reference_memory(slow, false, &ph, 10, VCOST_WALK_1D, 0, &want_slow, &pages, &walk_cycles);
  reference_memory(fast, false, &ph, 10, VCOST_WALK_1D, 0, &want_fast, &pages, &walk_cycles);
  CU_ASSERT(same_bits(&on_slow, &want_slow));
  CU_ASSERT(same_bits(&on_fast, &want_fast));
  CU_ASSERT(!same_bits(&on_slow, &on_fast));
  vcost_table_free(fast);
  vcost_table_free(slow);
  sim_profile_free(p);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"kept stream costs charge as computed afresh",
       test_kept_stream_costs_charge_as_computed_afresh},
      {"prepared streams charge as charge_memory", test_prepared_streams_charge_as_charge_memory},
      {"each table keeps its own costs", test_each_table_keeps_its_own_costs},
      {NULL, NULL}};
  return add_suite("vcost", tests);
}
