/* sim/scenario_datacenter.c: the `datacenter` section (scenarios/SCHEMA.md
 * "datacenter"): dynamic VM consolidation [BB12] - how often it runs, the
 * placement policy, the overload detector with its threshold and safety
 * parameter, the underload detector, the VM selection policy, the strategy
 * of the migrations it starts, whether empty hosts are switched off, and
 * how VM memory counts against hosts' (`memory`).
 * Policy names come from the vocabulary (sim/vocabulary.h); a detector's
 * default threshold and safety parameter are its model's, so the loader
 * knows no policy.  Units: interval in ns; threshold and safety are plain ratios. */
#include <string.h>

#include "sim/scenario_internal.h"

/* `memory`, by the value of memory_placement_only */
static const char *const memory_words[] = {"reserved", "placement-only"};
static const sim_schema_names memory_list = {memory_words, 2, "memory accounting"};

/* The vocabulary word `key` of map names among kind k's words; NULL with
 * an error when it names none, or when it is absent and the kind has no
 * word to default to. */
static const char *policy(ctx *C, const sim_yaml_node *map, const char *key, sim_vocab_kind k) {
  size_t i = 0;
  if (!sim_schema_opt(map, key)) {
    if (C->names[k].n > 0) return C->names[k].names[0];
    sim_schema_error(&C->S, map, "%s: no %s is known to this program", C->S.what, C->names[k].what);
    return NULL;
  }
  return sim_schema_enum(&C->S, map, key, &C->names[k], &i) ? C->names[k].names[i] : NULL;
}

/* overload: NAME, or {policy: NAME, threshold: (0, 1], safety: >= 0}. */
static void load_overload(ctx *C, const sim_yaml_node *dcm, sim_datacenter_spec *dc) {
  const sim_yaml_node *ov = sim_schema_opt(dcm, "overload");
  const sim_yaml_node *map = ov && ov->kind == SIM_YAML_MAP ? ov : NULL;
  if (map) {
    static const char *const keys[] = {"policy", "threshold", "safety"};
    sim_schema_set_what(&C->S, "datacenter.overload");
    SIM_SCHEMA_CHECK_KEYS(&C->S, map, keys);
    dc->overload = policy(C, map, "policy", SIM_VOCAB_OVERLOAD);
  } else {
    dc->overload = policy(C, dcm, "overload", SIM_VOCAB_OVERLOAD);
  }
  dc->threshold = 0; /* the detector's defaults (models/datacenter.h) unless given */
  dc->safety = -1;
  if (!map) return;
  /* (0, 1]: a share of the host's CPU capacity; above 1 nothing is ever overloaded */
  sim_schema_real(&C->S, map, "threshold", &dc->threshold, SIM_UNIT_PERCENT, 1e-9, 1);
  sim_schema_real(&C->S, map, "safety", &dc->safety, SIM_UNIT_NONE, 0, 100);
}

void scenario_load_datacenter(ctx *C, const sim_yaml_node *dcm) {
  sim_datacenter_spec *dc = &C->s->datacenter;
  if (!dcm) return;
  sim_schema_set_what(&C->S, "the datacenter section");
  if (!sim_schema_is_map(&C->S, dcm, "the datacenter section (a mapping)")) return;
  static const char *const keys[] = {"interval", "placement", "overload", "underload",
                                     "vm_selection", "strategy", "switch_off", "place_at_start", "memory"};
  SIM_SCHEMA_CHECK_KEYS(&C->S, dcm, keys);
  dc->enabled = true;
  /* provisioning plans each image's pulls on its guest's host before the run
   * (models/engine_provision.c); a datacenter places guests during it */
  for (size_t gi = 0; gi < C->s->n_guests; gi++)
    if (C->s->guests[gi].image) {
      sim_schema_error(&C->S, dcm, "guest '%s' has an image, and the datacenter section places guests during the "
                       "run, where provisioning needs each guest's host at the start: leave out one or the other",
                       C->s->guests[gi].name);
      break;
    }
  dc->interval_ns = 300 * SIM_S; /* the paper's interval [BB12, Section 8.2] */
  dc->switch_off = true;
  sim_schema_time(&C->S, dcm, "interval", &dc->interval_ns, 1 * SIM_MS);
  dc->placement = policy(C, dcm, "placement", SIM_VOCAB_PLACEMENT);
  dc->vm_selection = policy(C, dcm, "vm_selection", SIM_VOCAB_VM_SELECTION);
  dc->strategy = policy(C, dcm, "strategy", SIM_VOCAB_MIGRATION);
  sim_schema_bool(&C->S, dcm, "switch_off", &dc->switch_off);
  sim_schema_bool(&C->S, dcm, "place_at_start", &dc->place_at_start);
  size_t memory = 0;
  if (sim_schema_opt(dcm, "memory") && sim_schema_enum(&C->S, dcm, "memory", &memory_list, &memory))
    dc->memory_placement_only = memory == 1;
  const sim_yaml_node *u = sim_schema_opt(dcm, "underload");
  if (!(u && u->kind == SIM_YAML_SCALAR && !strcmp(u->text, "none")))
    dc->underload = policy(C, dcm, "underload", SIM_VOCAB_UNDERLOAD);
  load_overload(C, dcm, dc);
}
