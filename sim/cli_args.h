/* sim/cli_args.h: `--set PATH=VALUE` overrides as command lines give them:
 * two arguments (`--set a.b=c`) or one (`--set=a.b=c`), parsed into the
 * scenario loader's sim_override list.  Used by the verbs that load
 * scenarios (check, run) and by the loader's tests and fuzzer, so it stays in
 * the core.  The path language is described in scenarios/SCHEMA.md
 * ("Overrides"). */
#ifndef SIM_CLI_ARGS_H
#define SIM_CLI_ARGS_H
#include <stddef.h>

#include "sim/scenario.h"

typedef struct sim_overrides {
  sim_override *items;  /* path: sim_malloc'd; value: points into argv */
  size_t n, cap;        /* used, allocated */
} sim_overrides;

/* Splits "a.b=c" into an override (path copied, value pointing into arg).
 * 0, or -1 with a message in err (no '=', empty path, out of memory). */
int sim_override_parse(const char *arg, sim_override *out, char *err, size_t errlen);
/* If argv[*i] is a --set option, consumes it (and its argument), appends to
 * ovs and returns 1; 0 when argv[*i] is something else; -1 with a message
 * in err when malformed. */
int sim_overrides_take(int argc, char **argv, int *i, sim_overrides *ovs, char *err, size_t errlen);
void sim_overrides_free(sim_overrides *ovs);

#endif
