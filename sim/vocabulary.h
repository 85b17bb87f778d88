/* sim/vocabulary.h: the names a scenario may use for pluggable models, as
 * the loader learns them.  The core knows no model: whoever calls the loader
 * (the CLI, validation, tests) passes a vocabulary, built from the model
 * catalog (models/registry.h, model_vocabulary()), so a model added to the
 * catalog is a name scenarios accept, with no list to keep in step.
 * Invariants: the words of a kind are in catalog order (the order error
 * messages list them in), unique, at most SIM_VOCAB_MAX_WORDS; a technique's
 * default I/O path is a word of SIM_VOCAB_IO_PATH.  Models of the guest
 * kinds take no per-kind keys of their own: their parameters come from the
 * calibration profile; power models are split into kinds by the keys they
 * take, and the detectors' default thresholds are the models' own. */
#ifndef SIM_VOCABULARY_H
#define SIM_VOCABULARY_H
#include <stdbool.h>
#include <stddef.h>

#include "sim/profile.h"
#include "sim/scenario.h"

typedef enum sim_vocab_kind {
  SIM_VOCAB_TECHNIQUE, /* guests[].technique */
  SIM_VOCAB_IO_PATH,   /* guests[].io_path */
  SIM_VOCAB_SCHEDULER, /* host_types.*.scheduler */
  SIM_VOCAB_MIGRATION, /* migrations[].strategy */
  /* the kinds below act on the data center */
  SIM_VOCAB_PLACEMENT,    /* datacenter.placement */
  SIM_VOCAB_OVERLOAD,     /* datacenter.overload.policy */
  SIM_VOCAB_UNDERLOAD,    /* datacenter.underload */
  SIM_VOCAB_VM_SELECTION, /* datacenter.vm_selection */
  /* host_types.*.power.model: one kind per set of keys a power model takes */
  SIM_VOCAB_POWER_IDLE_MAX, /* idle and max */
  SIM_VOCAB_POWER_TABLE,    /* a table of SIM_POWER_TABLE_POINTS values */
  SIM_VOCAB_POWER_SHIPPED,  /* none: its measured table is built in */
  SIM_VOCAB_GOVERNOR,       /* host_types.*.dvfs.governor */
  SIM_VOCAB_KINDS
} sim_vocab_kind;

#define SIM_VOCAB_MAX_WORDS 64 /* per kind */

typedef struct sim_vocab_word {
  const char *name;            /* as written in scenarios */
  /* techniques only: */
  const char *default_io_path; /* the I/O path of a guest without io_path */
  sim_guest_kind guest_kind;   /* the kind of guest the technique runs */
} sim_vocab_word;

struct sim_vocabulary {
  /* The i-th word of `kind` (i from 0): true with *out set, false past the last. */
  bool (*word)(sim_vocab_kind kind, size_t i, sim_vocab_word *out);
  /* Where the models' shipped workloads (DIR/workloads/NAME.yaml) are looked
   * up when a scenario names one; NULL: only inline workloads and files. */
  const sim_data_path *data_path;
};

#endif
