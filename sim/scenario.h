/* sim/scenario.h: a scenario after loading, defaults and overrides.
 * The loader (scenario*.c) turns a YAML file into these structs, resolving
 * templates, counts and name patterns, units and references; every quantity
 * below is in the SI base unit its name carries (_ns, _bytes, _hz, _bps ...),
 * so models never parse text.  References between sections are indices into
 * the scenario's arrays, checked by the loader: a model may trust them.
 * The arrays are in a canonical order, whatever the file's: hosts, host
 * types, workloads (by lookup key) and guests by name (strcmp), migrations by
 * start, then guest name (sim/scenario.c "canonical order"), so nothing
 * downstream depends on where an entry stands in the file.
 * The schema (every key, unit, default and range) is documented in
 * scenarios/SCHEMA.md. */
#ifndef SIM_SCENARIO_H
#define SIM_SCENARIO_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/diag.h"
#include "sim/dist.h"
#include "sim/time.h"

typedef struct sim_nic_spec {
  char *name;
  double bandwidth_bps;   /* line rate, bit/s */
  sim_time latency_ns;    /* one-way wire + switch latency */
  /* stochastic delay (scenarios/SCHEMA.md "Distributions") */
  sim_dist jitter;        /* ns: added to the wire latency of each message, drawn per message from the
                           * stream "<host>/<nic>/jitter"; deterministic 0 (the zero value): none */
} sim_nic_spec;

typedef struct sim_disk_spec {
  char *name;
  double iops;            /* random 4 KiB operations per second at full queue */
  double bandwidth_Bps;   /* sequential bandwidth, bytes/s */
  sim_time latency_ns;    /* service latency of one request, unloaded */
  uint32_t queue_depth;   /* requests served concurrently */
  /* stochastic access time (scenarios/SCHEMA.md "Distributions") */
  sim_dist latency_dist;  /* ns: when not deterministic, each request's positioning time is drawn
                           * from it (stream "<host>/<disk>/access") and latency_ns is its mean
                           * rounded; deterministic (the zero value): latency_ns for every request */
} sim_disk_spec;

#define SIM_POWER_TABLE_POINTS 11 /* power at 0 %, 10 %, ... 100 % CPU load */

/* A host type's power model; model NULL: none given (no energy accounted). */
typedef struct sim_power_spec {
  const char *model;          /* power model by name, one of the vocabulary's words (static, not owned) */
  double idle_w, max_w;       /* W at 0 % and 100 % load (models taking idle and max) */
  double table_w[SIM_POWER_TABLE_POINTS]; /* W at 0, 10, ... 100 % (models taking a table) */
  sim_time boot_time_ns;      /* ns: a switched-off host takes this long to come up (drawing max_w
                               * or the table's last value) */
} sim_power_spec;

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
  sim_power_spec power;       /* its power draw; power.model NULL: none */
  /* DVFS (scenarios/SCHEMA.md "dvfs"): its hosts' clock follows a governor
   * over the P-states listed; dvfs_governor NULL: none, they run at clock_hz */
#define SIM_DVFS_MAX_PSTATES 16 /* P-states a host type may list: fixed arrays, so that a host
                                 * type owns no memory for them; raise it for a longer table */
  const char *dvfs_governor;  /* governor by name, a vocabulary word (static, not owned) */
  size_t n_pstates;           /* P-states listed, 1 .. SIM_DVFS_MAX_PSTATES */
  double pstate_hz[SIM_DVFS_MAX_PSTATES];    /* Hz: each P-state's clock, strictly increasing, the
                                              * last <= clock_hz */
  double pstate_volts[SIM_DVFS_MAX_PSTATES]; /* V: each P-state's core voltage, > 0 */
  sim_time dvfs_period_ns;    /* ns: the governor's sampling period, > 0 */
  double dvfs_up_threshold;   /* utilisation share, (0, 1]: above it ondemand goes to the top P-state */
  double dvfs_down_differential; /* utilisation share, [0, up_threshold): ondemand aims this far
                                  * under up_threshold when it lowers the clock */
  double dvfs_down_threshold; /* utilisation share, [0, up_threshold): under it conservative steps down */
  double dvfs_freq_step;      /* share of the top frequency, (0, 1]: conservative's step */
} sim_host_type;

/* Longest availability zone name + 1 (EC2's are like "us-east-1a"). */
#define SIM_ZONE_MAX 64

typedef struct sim_host {
  char *name;
  uint32_t type;              /* index into sim_scenario.host_types */
  char zone[SIM_ZONE_MAX];    /* its availability zone (scenarios/SCHEMA.md "hosts"); "": none */
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

/* How a dirty page group's writes are counted (models/dirty.h). */
typedef enum sim_dirty_process {
  SIM_DIRTY_EXPECTED = 0,     /* the expected distinct pages, a deterministic fluid count */
  SIM_DIRTY_POISSON           /* writes a Poisson process picking pages uniformly: a random count */
} sim_dirty_process;

/* A group of pages rewritten at its own rate (dirty-page model, migration). */
typedef struct sim_dirty_group {
  uint64_t pages;             /* 4 KiB pages in the group */
  double rate_hz;             /* rewrites of each page per second while running */
  /* random page writes */
  sim_dirty_process process;  /* how its dirtied pages are counted; the zero value: expected */
  bool follows_utilisation;   /* rate_hz is at full load: a trace sample u rewrites at u x rate_hz */
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
  /* random phase length (scenarios/SCHEMA.md "Distributions") */
  sim_dist length;            /* when not deterministic: the phase's units (a count) or duration (ns),
                               * drawn each time the phase starts; units or duration_ns holds its
                               * mean (duration rounded to ns).  Deterministic (the zero value): units
                               * or duration_ns every time */
} sim_phase;

/* How requests arrive at a guest (scenarios/SCHEMA.md "requests"). */
typedef enum sim_arrival_process {
  SIM_ARRIVALS_CLOSED,        /* clients: each issues its next request a think time after its last */
  SIM_ARRIVALS_POISSON,       /* open loop, exponential gaps at rate_per_s */
  SIM_ARRIVALS_DETERMINISTIC, /* open loop, gaps of exactly 1 / rate_per_s */
  SIM_ARRIVALS_TRACE,         /* open loop, Poisson at a rate read from a file, piecewise constant */
  SIM_ARRIVALS_MMPP2          /* open loop, two-state Markov-modulated Poisson */
} sim_arrival_process;

/* A quantity of a request's operation mix drawn per request: the field of
 * sim_phase at `offset` is set to a draw of `dist`. */
typedef struct sim_request_draw {
  size_t offset;              /* offsetof(sim_phase, field) */
  bool whole;                 /* rounded to the nearest whole number (I/O counts, sizes) */
  bool u64;                   /* the field is a uint64_t (a size), else a double */
  double min;                 /* draws below it are raised to it (a request size is at least 1 byte) */
  sim_dist dist;              /* in the field's unit (count, or bytes) */
} sim_request_draw;

/* A request-driven workload: what one request does and how requests come. */
typedef struct sim_requests {
  double count;               /* requests the guest issues, then it completes; 0: until the run ends */
  sim_arrival_process process;
  double rate_per_s;          /* poisson, deterministic: arrivals per second */
  double mmpp_rate_per_s[2];  /* mmpp2: arrival rate in each state, per second */
  sim_time mmpp_sojourn_ns[2]; /* mmpp2: mean time spent in each state (exponential), ns */
  char *trace_path;           /* trace: file of rates, per second, one per line */
  sim_time trace_interval_ns; /* trace: time each rate holds */
  double *trace_rate_per_s;   /* trace: the rates, read by the loader */
  size_t n_trace;             /* trace: number of rates (>= 1) */
  uint32_t clients;           /* closed: clients, each with one request at a time */
  sim_dist think;             /* closed: think time between a response and the next request, ns */
  size_t n_draws;             /* quantities drawn per request */
  sim_request_draw *draws;
} sim_requests;

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
  sim_requests *requests;     /* request-driven (then phases[0] is the mean request, units 1); NULL: none */
  /* one instance's trace of a guest entry (scenarios/SCHEMA.md "guests", `trace`) */
  const char *trace_template; /* the name of the workload whose description, source and phases it
                               * shares (owned by that workload, which stays in the scenario); its own name is
                               * "<that name>@<the file as the entry names it>"; NULL: a workload
                               * of its own */
  /* a trace-driven workload as a run plays it (sim/workload_phase.c), made by the engine; the
   * loader leaves these zero (its trace-driven workloads keep their template's phases) */
  sim_phase *trace_mix;       /* the phase every sample plays for trace_interval_ns, its cpu_demand
                               * the sample's (not owned by the scenario); NULL: phases as they are */
  double trace_scale;         /* a sample's demand: its CPU % / 100 x trace_scale (the rated speed's
                               * share of a core; 1: 100 % is one vCPU's whole time), clamped */
} sim_workload;

typedef enum sim_guest_kind { SIM_GUEST_VM, SIM_GUEST_CONTAINER, SIM_GUEST_NATIVE } sim_guest_kind;

typedef struct sim_guest {
  char *name;
  sim_guest_kind kind;
  const char *technique;      /* native, container, bt, pv, hvm, hvm-ept: a vocabulary word (static, not owned) */
  const char *io_path;        /* emulated, pv, virtio, passthrough, bridge, nat, native: a vocabulary word */
  uint32_t host;              /* index into sim_scenario.hosts */
  uint32_t vcpus;
  uint64_t memory_bytes;
  int32_t *pinning;           /* vcpus entries: physical CPU or -1; NULL: unpinned */
  uint32_t weight;            /* scheduler weight (credit: 256 default) */
  double cap;                 /* max CPU, in CPUs (1.0 = one full CPU); 0 = uncapped */
  bool huge_pages;            /* guest backs memory with 2 MiB pages (and 2 MiB nested pages) */
  uint32_t workload;          /* index into sim_scenario.workloads */
  sim_time start_ns;
  uint64_t disk_bytes;        /* local disk image, bytes; copied by block migration (0: none) */
  double zero_fraction;       /* share of memory never written (zero pages), [0, 1) */
  /* rated speed of a trace-driven guest (scenarios/SCHEMA.md "guests", `rated`) */
  double rated_ips;           /* instructions/s its trace's 100 % stands for [BB12]; 0: 100 % is one
                               * vCPU's whole time */
  /* arrivals and departures (scenarios/SCHEMA.md "guests", `arrival`, `lifetime`) */
  uint32_t churn;             /* 1 + index into sim_scenario.churns: its entry's; 0: none (it is
                               * there from the start and stays) */
  uint64_t instance;          /* its number in its entry, 0 .. count - 1: it arrives at the
                               * instance-th + 1 arrival of its entry's process */
  /* IaaS instances (scenarios/SCHEMA.md "instance_types", sim/instance_type.h) */
  uint32_t instance_type;     /* 1 + index into sim_scenario.instance_types; 0: none */
  uint32_t tenant;            /* 1 + index into sim_scenario.tenants; 0: its own name */
  /* common random numbers (scenarios/SCHEMA.md "guests", `streams`) */
  char *streams;              /* the name its random streams are keyed by; NULL: its own name */
  /* images and provisioning (scenarios/SCHEMA.md "images", sim/scenario_images.h) */
  uint32_t image;             /* 1 + index into sim_scenario.images: it is provisioned from it
                               * before it starts; 0: none (it starts at once, as before) */
} sim_guest;

/* The name guest g's random streams are keyed by: its `streams`, else its name. */
static inline const char *sim_guest_streams(const sim_guest *g) { return g->streams ? g->streams : g->name; }

/* How the instances of a guest entry arrive (scenarios/SCHEMA.md "guests", `arrival`). */
typedef enum sim_guest_arrival {
  SIM_GUEST_AT_START = 0,     /* no `arrival`: every instance at the entry's start */
  SIM_GUEST_POISSON,          /* exponential gaps at rate_per_s, from the entry's start */
  SIM_GUEST_DETERMINISTIC     /* gaps of exactly 1 / rate_per_s, from the entry's start */
} sim_guest_arrival;

/* Arrivals and departures of one guest entry's instances, which share it.
 * The times are drawn by the engine at set-up from the scenario's seed and
 * run index (models/engine_setup.c), so the loaded scenario stays the same
 * for every replication. */
typedef struct sim_guest_churn {
  char *pattern;              /* the entry's name pattern: its arrivals' stream is "<pattern>/arrivals" */
  sim_guest_arrival process;  /* how its instances arrive */
  double rate_per_s;          /* arrivals per second (poisson, deterministic) */
  bool has_lifetime;          /* each instance departs a drawn lifetime after its arrival */
  sim_dist lifetime;          /* ns: drawn per instance from the stream "<guest name>/lifetime" */
} sim_guest_churn;

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

/* Dynamic VM consolidation [BB12] (scenarios/SCHEMA.md "datacenter"):
 * enabled when the scenario has a `datacenter` section.  Policy names are
 * vocabulary words (static, not owned). */
typedef struct sim_datacenter_spec {
  bool enabled;               /* the scenario has the section */
  sim_time interval_ns;       /* ns: consolidation interval (300 s) */
  const char *placement;      /* placement policy: pabfd, first-fit, best-fit, worst-fit, random */
  const char *overload;       /* overload detector: thr, iqr, mad, lr, lrr */
  double threshold;           /* static threshold (thr) or fallback threshold, (0, 1];
                               * 0: the detector's default */
  double safety;              /* the detector's safety parameter s, >= 0 (thr takes none);
                               * -1: the detector's default */
  const char *underload;      /* underload detector; NULL: hosts are not emptied */
  const char *vm_selection;   /* VM selection policy: mmt, mc, mu, rs */
  const char *strategy;       /* migration strategy of consolidation migrations */
  bool switch_off;            /* empty hosts are switched off, and on again when needed */
  bool place_at_start;        /* guests are placed by the placement policy before they start */
  bool memory_placement_only; /* `memory: placement-only`: a VM's memory counts only where it is first
                               * placed, never in consolidation (CloudSim 3.0.3's PlanetLab runs [BB12]);
                               * false (`reserved`): wherever it is or is going */
} sim_datacenter_spec;

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
  uint32_t replications;      /* `vdcsim run` runs this many replications (run index 0..n-1), 1..100000 */
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
  sim_datacenter_spec datacenter; /* dynamic consolidation; datacenter.enabled false: none */
  /* guest arrivals and departures, one per guest entry with `arrival` or `lifetime` */
  size_t n_churns;
  sim_guest_churn *churns;
  size_t n_sweep_axes;
  sim_sweep_axis *sweep;
  uint32_t sweep_replications;
  /* IaaS instance types, in name order, and the tenants guests name (sim/instance_type.h) */
  size_t n_instance_types;
  struct sim_instance_type *instance_types;
  size_t n_tenants;
  char **tenants;             /* names, in the order guest entries first name them */
  /* images and the registry they are pulled from (sim/scenario_images.h) */
  size_t n_images;
  struct sim_image *images;   /* in name order */
  double registry_bandwidth_bps; /* bit/s: the registry's rate to one host (its NIC may be slower) */
  sim_time registry_latency_ns;  /* ns: a pull's round trip to the registry, per layer */
  /* elastic services: member guests behind a load balancer, autoscaled (sim/scenario_services.h) */
  size_t n_services;
  struct sim_service *services; /* in file order */
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

/* The phases a run plays of workload w (sim/workload_phase.c): its phases,
 * or one per sample of a trace it plays through trace_mix. */
size_t sim_workload_n_phases(const sim_workload *w);
/* Phase k (< sim_workload_n_phases): in w, or composed in *buf (a played
 * trace's: buf not NULL; buf may be w->trace_mix itself, whose cpu_demand is
 * then set in place), valid while w and buf are. */
const sim_phase *sim_workload_phase(const sim_workload *w, size_t k, sim_phase *buf);
/* Phase k without its demand: everything of it but cpu_demand (a played
 * trace's mix), in w; for questions about its operation mix, I/O, memory
 * and length. */
const sim_phase *sim_workload_phase_body(const sim_workload *w, size_t k);
/* The cpu_demand of phase k. */
double sim_workload_phase_demand(const sim_workload *w, size_t k);
/* Reads the trace file at `path` into w's samples (trace_cpu_percent,
 * n_trace_samples), 8 bytes a sample.  Returns as sim_trace_read. */
int sim_workload_read_trace(sim_workload *w, const char *path, sim_diag *diag);

#endif
