/* tests/test_engine_replan.c: the fluid scheduler's answer on which the
 * engine lets a re-planned run go on without accounting it and picking it
 * again (models/engine.c run_end_handler, sched_fluid_running): true only
 * while the vCPU is picked and not yet accounted, and runnable, when an
 * account of it as runnable and a pick of its slot change nothing. */
#include <stdbool.h>
#include <stdint.h>

#include "models/engine_internal.h"
#include "models/scheduler.h"
#include "tests/cunit_main.h"

static void test_running_only_between_pick_and_account(void) {
  const scheduler_ops *o = &sched_fluid_ops;
  sched_env env = {NULL, NULL, 1};
  void *st = NULL;
  sim_diag d;
  sim_diag_init(&d);
  CU_ASSERT_EQUAL_FATAL(o->create(&env, &st, &d), 0);
  for (uint32_t i = 0; i < 2; i++) {
    sched_vcpu_info in = {i, -1, 256, 0};
    CU_ASSERT_EQUAL_FATAL(o->add_vcpu(st, &in), 0);
  }
  CU_ASSERT_FALSE(sched_fluid_running(st, 0)); /* blocked */
  o->wake(st, 0, 0);
  CU_ASSERT_FALSE(sched_fluid_running(st, 0)); /* runnable, not picked */
  CU_ASSERT_EQUAL(o->pick_next(st, 0, 0).vcpu, 0);
  CU_ASSERT_TRUE(sched_fluid_running(st, 0));
  CU_ASSERT_FALSE(sched_fluid_running(st, 1));
  /* a re-plan: accounted runnable and picked again, the same answer */
  o->account(st, 0, 0, 10, true, 10);
  CU_ASSERT_FALSE(sched_fluid_running(st, 0));
  CU_ASSERT_EQUAL(o->pick_next(st, 0, 10).vcpu, 0);
  CU_ASSERT_TRUE(sched_fluid_running(st, 0));
  /* a block: no longer */
  o->account(st, 0, 0, 10, false, 20);
  CU_ASSERT_FALSE(sched_fluid_running(st, 0));
  CU_ASSERT_TRUE(o->pick_next(st, 0, 20).vcpu < 0);
  o->destroy(st);
  sim_diag_clear(&d);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"fluid: running only between pick and account", test_running_only_between_pick_and_account},
      {NULL, NULL}};
  return add_suite("engine_replan", tests);
}
