/* sim/scenario_migrations.c: the `migrations` section (scenarios/SCHEMA.md
 * "migrations"): which guest moves where, when, by which strategy (a name
 * from the vocabulary; its first migration word when absent), with the rate
 * bounds and stop conditions. */
#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/scenario_internal.h"

/* When, how and how fast; false when the settings contradict each other. */
static bool read_settings(ctx *C, const sim_yaml_node *m, sim_migration_spec *mg, const char **strategy) {
  bool ok = true;
  if (!sim_schema_need(&C->S, m, "at")) ok = false;
  sim_schema_time(&C->S, m, "at", &mg->at_ns, 0);
  if (C->s->duration_ns > 0 && mg->at_ns >= C->s->duration_ns) {
    char at[48], end[48];
    sim_format_quantity(SIM_UNIT_TIME, (double)mg->at_ns, at, sizeof at);
    sim_format_quantity(SIM_UNIT_TIME, (double)C->s->duration_ns, end, sizeof end);
    sim_schema_error(&C->S, sim_schema_opt(m, "at"), "%s starts at %s, not before the run ends (simulation.duration: %s)",
                     C->S.what, at, end);
    ok = false;
  }
  const sim_schema_names *strategies = &C->names[SIM_VOCAB_MIGRATION];
  *strategy = strategies->names[0];
  size_t si;
  if (sim_schema_enum(&C->S, m, "strategy", strategies, &si)) *strategy = strategies->names[si];
  sim_schema_real(&C->S, m, "min_rate", &mg->min_rate_bps, SIM_UNIT_RATE, 1, SIM_SCHEMA_HUGE);
  sim_schema_real(&C->S, m, "max_rate", &mg->max_rate_bps, SIM_UNIT_RATE, 1, SIM_SCHEMA_HUGE);
  if (mg->max_rate_bps < mg->min_rate_bps) {
    sim_schema_error(&C->S, m, "%s: max_rate is below min_rate", C->S.what);
    ok = false;
  }
  sim_schema_time(&C->S, m, "max_downtime", &mg->max_downtime_ns, 0);
  sim_schema_u32(&C->S, m, "max_rounds", 1, 1000, &mg->max_rounds);
  sim_schema_bool(&C->S, m, "auto_converge", &mg->auto_converge);
  sim_schema_bool(&C->S, m, "compress", &mg->compress);
  sim_schema_bool(&C->S, m, "zero_page_elision", &mg->zero_page_elision);
  sim_schema_bool(&C->S, m, "block_migration", &mg->block_migration);
  return ok;
}

static void load_migration(ctx *C, const sim_yaml_node *m, size_t i) {
  sim_scenario *s = C->s;
  sim_migration_spec mg;
  memset(&mg, 0, sizeof mg);
  mg.min_rate_bps = 100e6; /* [CL05] 5.3 */
  mg.max_rate_bps = 500e6; /* [CL05] 5.3 */
  mg.max_rounds = 30;      /* [XEN] xc_domain_save.c */
  sim_schema_set_what(&C->S, "migration %zu", i);
  if (!sim_schema_is_map(&C->S, m, "a migration")) return;
  static const char *const keys[] = {"name", "at", "guest", "to", "strategy", "min_rate", "max_rate",
                                     "max_downtime", "max_rounds", "auto_converge", "compress",
                                     "zero_page_elision", "block_migration"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, m, keys);
  const char *strategy;
  bool ok = read_settings(C, m, &mg, &strategy);
  const sim_yaml_node *gv = sim_schema_need(&C->S, m, "guest"), *tv = sim_schema_need(&C->S, m, "to");
  const char *gname = gv ? sim_schema_scalar(&C->S, gv, "guest", "a guest name") : NULL;
  const char *tname = tv ? sim_schema_scalar(&C->S, tv, "to", "a host name") : NULL;
  long g = gname ? scenario_find_guest(C, gname) : -1;
  long h = tname ? scenario_find_host(C, tname) : -1;
  if (gname && g < 0) sim_schema_error(&C->S, gv, "%s moves guest '%s', which does not exist", C->S.what, gname);
  if (tname && h < 0 && !C->hosts_incomplete)
    sim_schema_error(&C->S, tv, "%s moves to host '%s', which does not exist", C->S.what, tname);
  if (g >= 0 && h >= 0 && s->guests[g].host == (uint32_t)h) {
    sim_schema_error(&C->S, tv, "%s moves guest '%s' to host '%s', where it already is", C->S.what, gname, tname);
    ok = false;
  }
  if (!ok || g < 0 || h < 0) return;
  mg.guest = (uint32_t)g;
  mg.dest_host = (uint32_t)h;
  char dflt[2 * NAME_MAX_LEN + 8];
  snprintf(dflt, sizeof dflt, "%s-to-%s", gname, tname);
  mg.name = sim_schema_strdup(&C->S, dflt);
  sim_schema_str(&C->S, m, "name", &mg.name);
  mg.strategy = sim_schema_strdup(&C->S, strategy);
  s->migrations[s->n_migrations++] = mg;
}

void scenario_load_migrations(ctx *C, const sim_yaml_node *migs) {
  sim_scenario *s = C->s;
  if (!migs || !sim_schema_is_seq(&C->S, migs, "a list of migrations")) return;
  s->migrations = sim_calloc(migs->n, sizeof *s->migrations);
  if (!s->migrations) { sim_schema_nomem(&C->S); return; }
  for (size_t i = 0; i < migs->n && !C->S.oom; i++) load_migration(C, migs->items[i], i);
}
