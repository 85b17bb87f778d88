/* sim/profile.h: calibration profiles.
 * A profile is a YAML file of named costs measured on one machine: shipped
 * profiles reproduce published testbeds (models/profiles/NAME.yaml), and
 * `vdcsim calibrate` writes one for the machine it runs on.  Every quantity
 * has a value with a unit, and says where it comes from.  The format (final;
 * scenarios/SCHEMA.md, "Calibration profiles"):
 *
 *   profile: {name: pentium4-2006, description: ..., fallback: OTHER}   # name required
 *   environment: {cpu_model: ..., tsc_hz: ..., kernel: ..., virtualized: false}
 *   quantities:
 *     cpu.clock:          {value: 3.8 GHz, source: "[AA06] testbed"}
 *     syscall.native:     {value: 200 cycles, spread: 4 cycles, method: ..., source: ...}
 *     vmexit.roundtrip:   634 ns          # a bare value is allowed
 *     ...
 *
 * Each quantity: value (required), spread, method, source, representative
 * (bool, default true).  Units: cycles; ns/us/ms/s; B..TiB; Hz..GHz;
 * bit/s.., B/s..; percent; or a plain number (count, ratio).
 * Quantities are read by name in a canonical unit (cycles, ns, bytes, Hz,
 * bit/s, 1); a quantity the profile lacks is taken from its fallback profile
 * (chains of at most 16, no cycles), and the run says so.  A quantity marked
 * `representative: false` (measured on a machine that is itself virtualized,
 * say) is still usable but flagged. */
#ifndef SIM_PROFILE_H
#define SIM_PROFILE_H
#include <stdbool.h>
#include <stddef.h>

#include "sim/diag.h"

typedef struct sim_profile sim_profile;

/* Where shipped data files are found: directories tried in order, each
 * holding profiles/NAME.yaml and workloads/NAME.yaml.  The core knows no
 * such directory itself: the program gives its search path (sim/cli/ gives
 * $VDCSIM_DATADIR, then the source tree's models/, then the installed data
 * directory).  Empty entries are skipped. */
#define SIM_DATA_PATH_MAX 8
typedef struct sim_data_path {
  const char *dirs[SIM_DATA_PATH_MAX]; /* tried in order; not owned, must outlive the path's use */
  size_t n;                            /* entries of dirs in use */
} sim_data_path;

/* The search path $VDCSIM_DATADIR alone (empty when it is not set): what a
 * tool without a data directory of its own (a test) looks along. */
sim_data_path sim_data_path_from_env(void);

/* Loads a profile by shipped name ("pentium4-2006", looked up along `path`)
 * or by path (contains '/' or ends in .yaml), then its fallback chain.  0, or
 * negative with every error in diag. */
int sim_profile_load(const sim_data_path *path, const char *name_or_path, sim_profile **out,
                     sim_diag *diag);
void sim_profile_free(sim_profile *p);

const char *sim_profile_name(const sim_profile *p);
/* The YAML text of the profile (and its fallbacks), for the HDF5 attributes. */
const char *sim_profile_text(const sim_profile *p);

/* Value of a quantity in its canonical unit.  0 when found (in this profile or
 * a fallback), negative when missing everywhere.  *from_fallback, when
 * non-NULL, tells whether a fallback profile supplied it. */
int sim_profile_get(const sim_profile *p, const char *key, double *value, bool *from_fallback);
/* The same, or `dflt` when missing: only for quantities documented optional. */
double sim_profile_get_or(const sim_profile *p, const char *key, double dflt);
/* Whether a quantity is marked representative (true when not marked). */
bool sim_profile_representative(const sim_profile *p, const char *key);
/* Keys that were read from a fallback, for the run's warning. */
size_t sim_profile_fallback_keys(const sim_profile *p, const char ***keys);

/* A time quantity (or one already in cycles) as cycles at the profile's
 * `cpu.clock`: 0, or negative when the key or the clock is missing, or the
 * quantity is neither a time nor cycles. */
int sim_profile_get_cycles(const sim_profile *p, const char *key, double *cycles);
/* Number of quantities in the profile itself (without fallbacks). */
size_t sim_profile_count(const sim_profile *p);

/* Finds a shipped data file SUBDIR/NAME.yaml ("profiles", "workloads") in
 * the first directory of `search` that has it.  0 with *path (sim_malloc'd),
 * -1 when not found (or NAME is no plain file name), -2 out of memory. */
int sim_data_find(const sim_data_path *search, const char *subdir, const char *name, char **path);
/* Reads a regular file of at most 16 MiB into *text (NUL-terminated,
 * sim_malloc'd).  0, or -1 with errno-style text in err. */
int sim_read_file(const char *path, char **text, size_t *len, char *err, size_t errlen);

#endif
