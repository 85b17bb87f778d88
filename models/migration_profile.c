/* models/migration_profile.c: the migration machinery's costs, read from the
 * calibration profile (sim/profile.h) so that no cost is a literal in model
 * code.  Kept apart from migration.c so the models can be used without the
 * profile loader.  Units: bytes, ns, bit/s in the profile; bytes/s for the
 * container rates here.  Invariant: a missing key is an error, never a
 * default. */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "models/migration.h"
#include "models/registry.h"
#include "sim/profile.h"

typedef enum { P_BYTES, P_NS, P_RATIO, P_BPS_TO_BYTES } p_kind;

/* Which migrations need a key: all, those with an option, or those whose
 * strategy says so (migration_ops.needs). */
typedef enum { N_ALL, N_ZERO, N_COMPRESS, N_FAULT, N_CHECKPOINT } p_need;

typedef struct p_key {
  const char *key;  /* profile quantity */
  p_kind kind;      /* how it is stored */
  size_t offset;    /* field in migration_params */
  p_need need;      /* when it is read */
} p_key;

static const p_key keys[] = {
    {"migration.page_size", P_BYTES, offsetof(migration_params, page_bytes), N_ALL},
    {"migration.cpu_state", P_BYTES, offsetof(migration_params, cpu_state_bytes), N_ALL},
    {"migration.resume", P_NS, offsetof(migration_params, resume_ns), N_ALL},
    {"migration.arp", P_NS, offsetof(migration_params, arp_ns), N_ALL},
    {"migration.zero_page_header", P_BYTES, offsetof(migration_params, zero_page_wire_bytes),
     N_ZERO},
    {"migration.compress_ratio", P_RATIO, offsetof(migration_params, compress_ratio), N_COMPRESS},
    {"migration.compress_rate", P_BPS_TO_BYTES, offsetof(migration_params, compress_Bps),
     N_COMPRESS},
    {"migration.fault", P_NS, offsetof(migration_params, fault_ns), N_FAULT},
    {"container.freeze", P_NS, offsetof(migration_params, freeze_ns), N_CHECKPOINT},
    {"container.dump_rate", P_BPS_TO_BYTES, offsetof(migration_params, dump_Bps), N_CHECKPOINT},
    {"container.restore_rate", P_BPS_TO_BYTES, offsetof(migration_params, restore_Bps),
     N_CHECKPOINT},
};

static bool needed(p_need need, const sim_migration_spec *specs, size_t n) {
  if (need == N_ALL) return true;
  for (size_t i = 0; i < n; i++) {
    const sim_migration_spec *s = &specs[i];
    /* an unknown strategy needs nothing here: migration_create reports it */
    const model_entry *e = model_find(MODEL_MIGRATION, s->strategy);
    unsigned needs = e && e->ops ? ((const migration_ops *)e->ops)->needs : 0;
    if ((need == N_ZERO && s->zero_page_elision) || (need == N_COMPRESS && s->compress) ||
        (need == N_FAULT && (needs & MIGRATION_NEEDS_FAULT)) ||
        (need == N_CHECKPOINT && (needs & MIGRATION_NEEDS_CHECKPOINT)))
      return true;
  }
  return false;
}

int migration_params_from_profile(const sim_profile *profile, const sim_migration_spec *specs,
                                  size_t n_specs, migration_params *out, sim_diag *diag) {
  int rc = 0;
  memset(out, 0, sizeof *out);
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    if (!needed(keys[i].need, specs, n_specs)) continue;
    double v;
    if (sim_profile_get(profile, keys[i].key, &v, NULL) < 0) {
      sim_diag_error(diag, NULL, 0, 0, "profile '%s' lacks '%s' (needed by live migration)",
                     sim_profile_name(profile), keys[i].key);
      rc = -1;
      continue;
    }
    char *field = (char *)out + keys[i].offset;
    switch (keys[i].kind) {
    case P_NS: *(sim_time *)(void *)field = (sim_time)v; break;
    case P_BPS_TO_BYTES: *(double *)(void *)field = v / 8; break;
    default: *(double *)(void *)field = v; break;
    }
  }
  return rc;
}
