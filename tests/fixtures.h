/* tests/fixtures.h: what the model and engine tests share: a calibration
 * profile of made-up costs, a technique opened on a profile, fake techniques
 * of known cost with the model lookup that finds them, memory streams, and
 * scenario results read back.
 * Units: cycles at a 1 GHz clock (one cycle a nanosecond) for the made-up
 * costs and the fakes, bytes for streams.
 * Invariants: every made-up cost is distinct, so a cost charged to the wrong
 * operation or mechanism shows; every helper asserts its own success (a
 * failed set-up fails the test that called it). */
#ifndef TESTS_FIXTURES_H
#define TESTS_FIXTURES_H
#include <stddef.h>
#include <stdint.h>

#include "models/engine.h"
#include "models/registry.h"
#include "models/technique.h"
#include "sim/profile.h"
#include "sim/recorder.h"
#include "sim/results.h"
#include "sim/scenario.h"

#define KiB 1024ull
#define MiB (1024ull * 1024ull)
#define GiB (1024ull * 1024ull * 1024ull)

/* ---- calibration profiles ---- */

/* A profile's quantities by key, in their canonical units (cycles, ns,
 * bytes, Hz, bit/s, counts). */
enum { FX_MAX_QUANTITIES = 128 };
typedef struct fx_costs {
  size_t n;
  struct {
    const char *key;
    double value;
  } q[FX_MAX_QUANTITIES];
} fx_costs;

/* Every quantity a technique or the MMU model reads, with distinct made-up
 * values: cpu.clock 1 GHz, an untagged TLB, timer interrupts off (timer.hz
 * 0), a TPR shadow and no RDTSC exiting. */
void fx_costs_init(fx_costs *c);
/* The value of `key` (the test fails when it is absent). */
double fx_cost(const fx_costs *c, const char *key);
/* Sets `key` to `value`, adding it when absent. */
void fx_cost_set(fx_costs *c, const char *key, double value);
/* Removes `key`. */
void fx_cost_remove(fx_costs *c, const char *key);
/* A profile named `name` holding exactly c's quantities. */
sim_profile *fx_costs_profile(const fx_costs *c, const char *name);

/* A new scratch directory, vdcsim-TAG- and six random characters (mkdtemp),
 * under $TMPDIR (else /tmp), its path in buf; the test fails at once when
 * it cannot be made. */
void fx_scratch_dir(char *buf, size_t size, const char *tag);
/* A profile from YAML text. */
sim_profile *fx_profile_text(const char *yaml);
/* The profile a run on the fake techniques needs: the engine's sched.tick
 * (10 ms) and nothing else. */
sim_profile *fx_fake_profile(void);
/* A profile shipped in models/profiles/. */
sim_profile *fx_shipped_profile(const char *name);

/* ---- a technique on a profile ---- */

/* A technique's cost table loaded from a profile and one guest's state. */
typedef struct fx_tech {
  const technique_ops *ops;
  void *params;
  void *state;
} fx_tech;

/* Loads ops's costs from p (no host type) and creates the state of guest g
 * (NULL: a guest on 4 KiB pages). */
void fx_tech_open(fx_tech *t, const technique_ops *ops, const sim_profile *p, const sim_guest *g);
void fx_tech_close(fx_tech *t);
/* Cycles of `units` units of ph under ops on p, from a fresh state. */
cycles_by_mech fx_charge(const technique_ops *ops, const sim_profile *p, const sim_phase *ph,
                         double units);

/* ---- fake techniques of known cost, and the lookup that finds them ---- */

/* "fake": instructions x CPI cycles a unit (MECH_GUEST), FX_SYSCALL_EXTRA
 * cycles of trap a system call, FX_SWITCH_CYCLES of hypervisor a switch-in.
 * "native": instructions x CPI only.  Neither reads the profile (it may be
 * NULL); each load adds the note FX_FAKE_LOADED to the diagnostics, so a
 * test can count loads. */
enum { FX_SWITCH_CYCLES = 500, FX_SYSCALL_EXTRA = 100 };
#define FX_FAKE_LOADED "fake technique costs loaded"
extern const technique_ops fx_fake_ops;
extern const technique_ops fx_fake_native_ops;
/* Techniques: the two fakes only; every other kind from the registry. */
const model_entry *fx_find_model(model_kind kind, const char *name);

/* ---- workloads ---- */

/* A stream of one access a unit over ws bytes, `stride` apart (sweeps). */
sim_access_spec fx_stream(sim_access_pattern pattern, uint64_t ws, uint64_t stride,
                          uint64_t page);
/* A phase of no operation (CPI 1), to which a test adds its own. */
sim_phase fx_op_phase(void);

/* ---- results ---- */

/* Value of row `row` of a numeric column, NaN when absent. */
double fx_col(sim_result *r, const char *table, const char *column, size_t row);
/* Value of `column` in the row of `table` whose name is `row`, NaN when
 * absent. */
double fx_cell(sim_result *r, const char *table, const char *row, const char *column);

/* ---- whole runs through the engine ---- */

/* A run's temporary directory, its result file and the result opened. */
typedef struct fx_run {
  char dir[256]; /* scratch directory (fx_scratch_dir) holding run.h5 */
  char h5[272];  /* the result */
  sim_result *r; /* opened after a successful run; NULL otherwise */
} fx_run;

/* Runs scenario `text` (messages name it `name`) on the calibration profile
 * `profile_yaml`, written to a new scratch directory (fx_scratch_dir) named
 * after `tag`, with the fake techniques (fx_find_model), recording as `cfg`
 * says; then opens the result in o->r.  0, or nonzero with the diagnostics
 * printed.  fx_run_close removes what it made. */
int fx_run_text(const char *tag, const char *profile_yaml, const char *name, const char *text,
                const sim_record_config *cfg, fx_run *o);
/* As fx_run_text, with the catalog's own techniques and their cost tables
 * (the data path's), as `vdcsim run` has them. */
int fx_run_text_shipped(const char *tag, const char *profile_yaml, const char *name, const char *text,
                        const sim_record_config *cfg, fx_run *o);
/* As fx_run_text_shipped, on the calibration profile the scenario names
 * (found on the data path); the run's statistics in *st when st is not
 * NULL. */
int fx_run_scenario(const char *tag, const char *name, const char *text, const sim_record_config *cfg,
                    engine_stats *st, fx_run *o);
/* Loads scenario `text` (messages name it `name`); the first error, if any,
 * in msg (empty otherwise), *line and *col.  The scenario, or NULL. */
sim_scenario *fx_load_text(const char *name, const char *text, char *msg, size_t len, int *line, int *col);
void fx_run_close(fx_run *o);
/* Runs scenario `text` as fx_run_text_shipped does and closes the run: the
 * time_to_complete of guest `guest` (s, NaN if unfinished) in *time, NaN
 * on a failed run.  0, or nonzero on a failure. */
int fx_guest_time(const char *tag, const char *profile_yaml, const char *name, const char *text,
                  const char *guest, double *time);

#endif
