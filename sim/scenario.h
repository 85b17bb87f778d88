/* sim/scenario.h: a scenario after loading, defaults and overrides.
 * The loader (scenario*.c) turns a YAML file into these structs, resolving
 * templates, counts and name patterns, units and references; every quantity
 * below is in the SI base unit its name carries (_ns, _bytes, _hz, _bps ...),
 * so models never parse text.  References between sections are indices into
 * the scenario's arrays, checked by the loader: a model may trust them.
 * The schema (every key, unit, default and range) is documented in
 * scenarios/SCHEMA.md. */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/time.h"

typedef struct sim_nic_spec {
  char *name;
  double bandwidth_bps;   /* line rate, bit/s */
  sim_time latency_ns;    /* one-way wire + switch latency */
} sim_nic_spec;

typedef struct sim_disk_spec {
  char *name;
  double iops;            /* random 4 KiB operations per second at full queue */
  double bandwidth_Bps;   /* sequential bandwidth, bytes/s */
  sim_time latency_ns;    /* service latency of one request, unloaded */
  uint32_t queue_depth;   /* requests served concurrently */
} sim_disk_spec;

typedef struct sim_host_type {
  char *name;
  uint32_t cores;             /* physical CPUs (hyperthreads off) */
  double clock_hz;            /* core clock */
  uint64_t memory_bytes;
  /* MMU: 0 means "take the value of the calibration profile" */
  uint32_t tlb_entries_4k;    /* last-level TLB entries for 4 KiB pages */
  uint32_t tlb_entries_2m;    /* last-level TLB entries for 2 MiB pages */
  uint32_t page_walk_levels;  /* levels of one (1D) page walk, 4 on x86-64 */
  uint32_t pwc_entries;       /* page-walk cache entries */
  int tlb_tagged;             /* -1 profile, 0 flushed on world switch, 1 tagged (VPID/ASID) */
  char *scheduler;            /* CPU scheduler by name: credit, credit2, cfs, ... */
  char *fidelity;             /* "quantum" or "fluid" */
  bool allow_overcommit;      /* more vCPUs than cores, more guest memory than host memory */
  char *calibration;          /* profile override for hosts of this type; NULL: scenario's */
  size_t n_nics;
  sim_nic_spec *nics;
  size_t n_disks;
  sim_disk_spec *disks;
} sim_host_type;

typedef struct sim_host {
  char *name;
  uint32_t type;              /* index into sim_scenario.host_types */
} sim_host;

typedef enum sim_access_pattern {
  SIM_ACCESS_SEQUENTIAL,
  SIM_ACCESS_STRIDED,
  SIM_ACCESS_RANDOM
} sim_access_pattern;

/* A stream of memory accesses within one unit of work. */
typedef struct sim_access_spec {
  double count;               /* accesses per unit of work */
  uint64_t working_set_bytes; /* region the accesses fall in */
  sim_access_pattern pattern;
  uint64_t stride_bytes;      /* for SIM_ACCESS_STRIDED */
  uint64_t page_bytes;        /* 4096 or 2097152: the guest's page size for this region */
  double write_fraction;      /* share of accesses that are stores, [0,1] */
} sim_access_spec;

/* A group of pages rewritten at its own rate (dirty-page model, migration). */
typedef struct sim_dirty_group {
  uint64_t pages;             /* 4 KiB pages in the group */
  double rate_hz;             /* rewrites of each page per second while running */
} sim_dirty_group;

/* One phase of a workload: an operation mix per unit of work and how many
 * units (or how long) the phase lasts. */
typedef struct sim_phase {
  char *name;
  double units;               /* units of work; 0 with duration_ns > 0: run for that long */
  sim_time duration_ns;
  /* CPU work per unit: one double per line of sim/opmix.def (instructions,
   * cycles_per_instruction, syscalls, rdtsc, cli, cr8_writes, port_io,
   * pte_updates, page_faults, process_creations, call_ret, divide_faults,
   * new_code_bytes), its unit and meaning given there */
#define SIM_OPMIX(key, field, parse, dflt, unit, doc) double field;
#include "sim/opmix.def"
#undef SIM_OPMIX
  size_t n_access;
  sim_access_spec *access;
  /* I/O per unit */
  double disk_reads, disk_writes;      /* requests */
  uint64_t disk_request_bytes;
  bool disk_random;                    /* random (IOPS-bound) or sequential */
  double net_messages;                 /* request/response exchanges */
  uint64_t net_tx_bytes, net_rx_bytes; /* per exchange */
  uint32_t io_window;                  /* units: how many units' I/O may be in flight while its vCPU
                                        * runs on; 0 = it waits for each unit's I/O (request/response) */
  /* memory dirtying while the phase runs */
  size_t n_dirty;
  sim_dirty_group *dirty;
  double cpu_demand;          /* share of its vCPUs' time the phase wants, (0,1]; 1 = CPU-bound */
} sim_phase;

typedef struct sim_workload {
  char *name;
  char *description;
  char *source;               /* where the op mix comes from (benchmark code, measurement) */
  size_t n_phases;
  sim_phase *phases;
  bool repeat;                /* loop over the phases until the run ends */
  char *trace_path;           /* CPU-utilisation trace (PlanetLab/Google format); NULL: none */
  sim_time trace_interval_ns; /* sampling interval of the trace */
  double *trace_cpu_percent;  /* samples, CPU %, >= 0, read by the loader */
  size_t n_trace_samples;     /* >= 1 when trace_path is set */
} sim_workload;

typedef enum sim_guest_kind { SIM_GUEST_VM, SIM_GUEST_CONTAINER, SIM_GUEST_NATIVE } sim_guest_kind;

typedef struct sim_guest {
  char *name;
  sim_guest_kind kind;
  char *technique;            /* native, container, bt, pv, hvm, hvm-ept */
  char *io_path;              /* emulated, pv, virtio, passthrough, bridge, nat, native */
  uint32_t host;              /* index into sim_scenario.hosts */
  uint32_t vcpus;
  uint64_t memory_bytes;
  int32_t *pinning;           /* vcpus entries: physical CPU or -1; NULL: unpinned */
  uint32_t weight;            /* scheduler weight (credit: 256 default) */
  double cap;                 /* max CPU, in CPUs (1.0 = one full CPU); 0 = uncapped */
  bool huge_pages;            /* guest backs memory with 2 MiB pages (and 2 MiB nested pages) */
  uint32_t workload;          /* index into sim_scenario.workloads */
  sim_time start_ns;
  uint32_t replications;      /* independent repetitions with distinct RNG streams */
  uint64_t disk_bytes;        /* local disk image, bytes; copied by block migration (0: none) */
  double zero_fraction;       /* share of memory never written (zero pages), [0, 1) */
} sim_guest;

typedef struct sim_migration_spec {
  char *name;
  sim_time at_ns;             /* when it starts */
  uint32_t guest;             /* index into guests */
  uint32_t dest_host;         /* index into hosts */
  char *strategy;             /* precopy, stop-and-copy, postcopy, container */
  double min_rate_bps, max_rate_bps; /* rate adaptation bounds ([CL05]: 100/500 Mbit/s) */
  sim_time max_downtime_ns;   /* QEMU-style target; 0: Xen-style stop conditions */
  bool auto_converge;
  bool compress;
  bool zero_page_elision;
  bool block_migration;       /* copy the disk too (no shared storage) */
  uint32_t max_rounds;        /* Xen: 30 */
} sim_migration_spec;

typedef struct sim_record_spec {
  sim_time sample_interval_ns;
  bool events;
  bool series;
  char **signals;             /* NULL: every signal */
  size_t n_signals;
  bool request_latencies;
  int compression_level;
} sim_record_spec;

typedef struct sim_sweep_axis {
  char *path;                 /* dotted key path, as --set takes it */
  size_t n_values;
  char **values;              /* as text, applied like --set */
} sim_sweep_axis;

typedef struct sim_scenario {
  char *path;                 /* file it was read from */
  char *text;                 /* the file as written */
  char *resolved_text;        /* YAML after defaults and overrides (--print-resolved) */
  char *name;
  char *description;
  /* simulation */
  sim_time duration_ns;       /* 0: until every guest's work is done */
  uint64_t seed;
  uint32_t run_index;
  char *output;               /* default output path; NULL: given on the command line */
  sim_record_spec record;
  char *calibration;          /* profile name (shipped) or path */
  int calibration_line, calibration_col; /* where the file names it; 0: the default or --set */
  size_t n_host_types;
  sim_host_type *host_types;
  size_t n_hosts;
  sim_host *hosts;
  size_t n_workloads;
  sim_workload *workloads;
  size_t n_guests;
  sim_guest *guests;
  size_t n_migrations;
  sim_migration_spec *migrations;
  size_t n_sweep_axes;
  sim_sweep_axis *sweep;
  uint32_t sweep_replications;
} sim_scenario;

/* A "path.to.key=value" override from --set, applied before validation. */
typedef struct sim_override {
  const char *path;
  const char *value;
} sim_override;

/* The names of pluggable models (techniques, I/O paths, schedulers,
 * migration strategies) the loader accepts: sim/vocabulary.h. */
typedef struct sim_vocabulary sim_vocabulary;

/* Loads and validates a scenario.  Model names are checked against `vocab`
 * (not NULL).  Every error goes to diag as FILE:LINE:COL; returns 0, or a
 * negative value with *out NULL when any error was found. */
int sim_scenario_load(const char *path, const sim_vocabulary *vocab, const sim_override *overrides,
                      size_t n_overrides, sim_scenario **out, sim_diag *diag);
/* Same, from text in memory (tests, fuzzing); `name` is used in messages. */
int sim_scenario_load_text(const char *name, const char *text, size_t len,
                           const sim_vocabulary *vocab, const sim_override *overrides,
                           size_t n_overrides, sim_scenario **out, sim_diag *diag);
void sim_scenario_free(sim_scenario *s);

#endif
