/* sim/scenario_internal.h: what the files of the scenario loader share (not
 * part of the public API, sim/scenario.h).  The loader is split by concern:
 *   scenario.c            entry points, the pipeline, top-level keys, free
 *   scenario_simulation.c the simulation and record sections
 *   scenario_hosts.c      host_types (NICs, disks) and hosts (templates)
 *   scenario_workloads.c  workloads, phases, operation mixes, workload files, traces
 *   scenario_guests.c     guests (templates, host assignment, over-commitment)
 *   scenario_traces.c     a guest entry's per-instance traces
 *   scenario_instances.c  instance_types, a guest's instance_type and tenant
 *   scenario_migrations.c migrations
 *   scenario_datacenter.c the datacenter section (dynamic consolidation)
 *   scenario_sweep.c      the sweep block (each point loaded to check it)
 *   scenario_services.c   the services section (elastic services)
 *   scenario_overrides.c  --set paths applied to the YAML tree
 *   scenario_resolved.c   the resolved YAML text
 *   scenario_names.c      name patterns and the name index
 * Typed reading of keys is sim/schema.h. */
#ifndef SIM_SCENARIO_INTERNAL_H
#define SIM_SCENARIO_INTERNAL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/scenario.h"
#include "sim/scenario_names.h"
#include "sim/schema.h"
#include "sim/vocabulary.h"
#include "sim/yaml.h"

#ifdef FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION /* smaller limits keep each input fast */
#define MAX_INSTANCES 20000ULL
#define MAX_SWEEP_CHECKS 4
#else
#define MAX_INSTANCES 10000000ULL /* per template entry, and in total */
#define MAX_SWEEP_CHECKS 256      /* sweep points loaded to check them, per file */
#endif
#define NAME_MAX_LEN 256

/* Kinds of error capped at SIM_SCHEMA_MAX_SIMILAR per file (sim_schema_error_capped). */
enum { CAPPED_NAME_CLASH, CAPPED_BAD_HOST, CAPPED_OVERCOMMIT, CAPPED_PINNING, CAPPED_NO_DEVICE };

/* What one load reads: the file and what is applied to it. */
typedef struct scenario_source {
  const char *name;             /* file name, for messages */
  const char *dir;              /* its directory, for relative paths; NULL: the working directory */
  const char *text;             /* the file's text */
  size_t len;                   /* its length, bytes */
  const sim_vocabulary *vocab;  /* model names accepted */
  const sim_override *ovs;      /* --set overrides */
  size_t n_ovs;
} scenario_source;

/* A host or guest template entry as resolved: the resolved text writes
 * entries, not instances, so it stays as short as the file. */
typedef struct entry_rec {
  char *pattern;      /* name pattern */
  uint64_t count;     /* instances */
  size_t first;       /* index of the first instance in hosts or guests */
  uint32_t type;      /* hosts: host type index */
  char *host;         /* guests: host pattern, or the glob when spread */
  bool spread;        /* guests: host is {spread: GLOB} */
  char *streams;      /* guests: the `streams` pattern; NULL: none */
} entry_rec;

typedef struct ctx {
  sim_schema S;              /* file, diagnostics, what is being read, out of memory */
  size_t errors_before;      /* diagnostics' error count when this load began */
  const scenario_source *src;
  sim_scenario *s;
  char *dir;                 /* directory of the scenario, for relative paths ("" = cwd) */
  /* the vocabulary, as lists: words[k][0 .. names[k].n - 1] */
  const char *words[SIM_VOCAB_KINDS][SIM_VOCAB_MAX_WORDS];
  sim_schema_names names[SIM_VOCAB_KINDS];
  sim_vocab_word techniques[SIM_VOCAB_MAX_WORDS];
  /* the power models of the three SIM_VOCAB_POWER_* kinds in one list, each with its kind */
  const char *power_words[SIM_VOCAB_MAX_WORDS];
  sim_vocab_kind power_kind[SIM_VOCAB_MAX_WORDS];
  sim_schema_names power_names;
  sim_name_index type_ix, host_ix, wl_ix, guest_ix;
  size_t cap_hosts, cap_guests, cap_workloads;
  const sim_yaml_node **host_entry;  /* per host: its entry in hosts: (messages) */
  size_t cap_entries;        /* allocated host_entry */
  char **wl_key;             /* per workload: lookup key (name or "file:PATH") */
  size_t sweep_checks;       /* sweep points checked so far */
  bool hosts_incomplete;     /* a host entry had an error: missing hosts are not news */
  char **labels;             /* --set labels the tree's nodes point to */
  size_t n_labels, cap_labels;
  entry_rec *hrec, *grec;    /* host and guest template entries, for the resolved text */
  size_t n_hrec, cap_hrec, n_grec, cap_grec;
} ctx;

/* scenario.c */
int scenario_load_source(const scenario_source *src, bool sweep_point, sim_scenario **out,
                         sim_diag *diag);
char *scenario_rel_path(ctx *C, const char *p);
void scenario_resolve_calibration(ctx *C, char **cal);
long scenario_find_type(ctx *C, const char *name);
long scenario_find_host(ctx *C, const char *name);
long scenario_find_guest(ctx *C, const char *name);
uint64_t scenario_get_count(ctx *C, const sim_yaml_node *m);

/* sections */
void scenario_load_simulation(ctx *C, const sim_yaml_node *sim);
void scenario_load_host_types(ctx *C, const sim_yaml_node *types);
void scenario_load_hosts(ctx *C, const sim_yaml_node *hosts);
void scenario_load_workloads(ctx *C, const sim_yaml_node *wls);
/* The workload a guest entry names (a name, shipped or in workloads, or
 * {file: PATH}); -1 when it cannot be resolved. */
long scenario_resolve_workload(ctx *C, const sim_yaml_node *v);
/* A new zeroed workload under lookup key `lookup_key` (unique: the name, or
 * "file:PATH", or "trace:KEY@PATH"); its index, or -1 out of memory. */
long scenario_add_workload_slot(ctx *C, const char *lookup_key);
/* Frees a workload's request spec (NULL: nothing); sim_scenario_free's part. */
void scenario_free_requests(sim_requests *rq);
/* Writes `requests: {...}` of request-driven workload wl for the resolved
 * text, so that loading it back gives the same requests (scenario_resolved.c's
 * part, in place of `repeat` and `phases`). */
void scenario_write_requests(sim_yaml_writer *w, const sim_workload *wl);
void scenario_load_guests(ctx *C, const sim_yaml_node *guests);
/* scenario_traces.c: the `trace` of guest entry m, whose guests were just
 * added (the last of C->grec): each instance gets a workload of its own trace
 * file with the phases of the entry's workload; nothing when m has none. */
void scenario_load_guest_trace(ctx *C, const sim_yaml_node *m);
/* Writes `trace: {dir, files, interval}` of guest entry r for the resolved
 * text when its instances run per-instance traces (the workload of its first
 * instance has trace_template): the files in instance order, so that loading
 * the text back gives every instance its file again; else nothing.  s is in
 * canonical order (guests sorted by name). */
void scenario_write_guest_trace(sim_yaml_writer *w, const entry_rec *r, const sim_scenario *s);
void scenario_load_migrations(ctx *C, const sim_yaml_node *migs);
void scenario_load_datacenter(ctx *C, const sim_yaml_node *dc);
void scenario_load_sweep(ctx *C, const sim_yaml_node *sw, sim_yaml_node *root);

/* scenario_overrides.c */
/* Walks the dotted path (see scenario_overrides.c). */
const sim_yaml_node *scenario_find_path(ctx *C, sim_yaml_node *root, const char *path,
                                        sim_yaml_node **parent, char *last, size_t last_len,
                                        const char *create);
void scenario_apply_override(ctx *C, sim_yaml_node **root, const sim_override *ov);

/* scenario_resolved.c: the scenario as YAML after defaults and overrides; 0 or -1 out of memory. */
int scenario_write_resolved(const ctx *C, const sim_scenario *s, char **out);

/* Access patterns by sim_access_pattern value. */
extern const char *const scenario_access_patterns[3];

#endif
