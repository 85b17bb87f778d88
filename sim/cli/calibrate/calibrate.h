/* sim/cli/calibrate/calibrate.h: `vdcsim calibrate`, measuring this machine's costs.
 * Microbenchmarks time one operation in batches, repeat the batch, and keep
 * the median and the spread (median absolute deviation) over repetitions, in
 * TSC cycles (rdtsc, fenced) and in ns (clock_gettime, CLOCK_MONOTONIC_RAW).
 * Cycles are TSC cycles: converted to time at cpu.clock (the measured TSC
 * frequency) they give back the measured wall time.  Every quantity is either
 * measured or marked missing with the reason; nothing is filled with a guess,
 * and quantities that a virtualized host distorts are marked not
 * representative.  Keys and meanings: sim/cli/calibrate/README.md.
 * Invariant: a quantity with measured == true has value > 0 (or >= 0 for a
 * difference that is below the noise), reps >= 1, and a method text. */
#ifndef SIM_CALIBRATE_CALIBRATE_H
#define SIM_CALIBRATE_CALIBRATE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <gsl/gsl_rng.h>

/* The quantities a calibration writes, in profile order. */
typedef enum cal_id {
  CAL_CPU_CLOCK = 0,     /* Hz: TSC frequency */
  CAL_SYSCALL,           /* cycles per getppid system call */
  CAL_PAGE_FAULT,        /* cycles per minor (anonymous, first write) page fault */
  CAL_FORK,              /* cycles per fork+exit+wait of the small process */
  CAL_FORK_LARGE,        /* cycles per fork+exit+wait with a large resident set */
  CAL_FORK_PER_PAGE,     /* cycles per 4 KiB resident page of the parent */
  CAL_LAT_L1,            /* ns per dependent load, L1-resident chain */
  CAL_LAT_L2,            /* ns per dependent load, L2-resident chain */
  CAL_LAT_DRAM,          /* ns per dependent load, chain far larger than the caches */
  CAL_CHASE_4K,          /* cycles per access, one access per 4 KiB page, 4 KiB pages */
  CAL_CHASE_2M,          /* cycles per access, same chain, 2 MiB pages */
  CAL_TLB_WALK,          /* cycles: CAL_CHASE_4K - CAL_CHASE_2M */
  CAL_BANDWIDTH,         /* B/s, sequential read */
  CAL_CTXSW,             /* cycles per context switch (pipe ping-pong) */
  CAL_NS_TOTAL,          /* ns: one unshare() of every namespace kind */
  CAL_NS_UTS,            /* ns per unshare(CLONE_NEWUTS); the kinds follow in cal_ns_kinds order */
  CAL_NS_IPC,
  CAL_NS_NET,
  CAL_NS_PID,
  CAL_NS_MNT,
  CAL_NS_USER,
  CAL_NS_CGROUP,
  CAL_CGROUP_ENTER,      /* ns per write of a pid to a fresh cgroup v2's cgroup.procs */
  CAL_HVM_EXIT_KERNEL,   /* cycles per guest CPUID, exit handled in the kernel */
  CAL_HVM_EXIT_USER,     /* cycles per guest port write, exit to user space and back */
  CAL_HVM_CHASE_4K,      /* cycles per access in the guest, 4 KiB guest pages */
  CAL_HVM_CHASE_2M,      /* cycles per access in the guest, 2 MiB guest pages */
  CAL_HVM_EPT_PENALTY,   /* ratio: CAL_HVM_CHASE_4K / CAL_CHASE_4K */
  CAL_COUNT
} cal_id;

#define CAL_NS_KINDS 7
#define CAL_MAX_REPS 64 /* most repetitions a quantity takes */

/* One quantity of the profile. */
typedef struct cal_quantity {
  bool measured;       /* false: not measured, `reason` says why */
  bool representative; /* false: measured, but cannot stand for a bare-metal host */
  bool time_primary;   /* true: `value` is in ns; false: in the unit of cal_unit() */
  double cycles;       /* median, TSC cycles (NAN when not a time) */
  double cycles_spread;/* median absolute deviation, TSC cycles */
  double ns;           /* median, ns (NAN when not a time) */
  double ns_spread;    /* median absolute deviation, ns */
  double value;        /* non-time quantities: median in the quantity's unit (Hz, B/s, ratio) */
  double spread;       /* non-time quantities: spread in the same unit */
  int reps;            /* repetitions the median is taken over */
  char method[512];    /* how it was measured, with the parameters used */
  char reason[256];    /* why missing, or why not representative ("" when neither) */
} cal_quantity;

/* Where it ran. */
typedef struct cal_env {
  char cpu_vendor[16];       /* CPUID leaf 0 vendor string */
  char cpu_model[80];        /* CPUID brand string, else /proc/cpuinfo model name */
  char kernel[320];          /* uname: sysname release version machine */
  char clocksource[32];      /* kernel clocksource in use */
  char thp[32];              /* transparent huge pages mode ("madvise", ...) */
  bool constant_tsc;         /* /proc/cpuinfo flag: TSC rate does not follow P-states */
  bool nonstop_tsc;          /* /proc/cpuinfo flag: TSC runs in deep C-states */
  bool vmx, svm;             /* hardware virtualization offered to this OS */
  bool hypervisor;           /* CPUID.1:ECX[31] or cpuinfo flag: this machine is a guest */
  char hypervisor_sig[16];   /* CPUID leaf 0x40000000 signature ("" when none) */
  char hypervisor_kernel[32];/* "Hypervisor detected: X" from the kernel log ("" unknown) */
  char hypervisor_type[32];  /* /sys/hypervisor/type ("" when absent) */
  bool kvm_dev;              /* /dev/kvm exists */
  bool kvm_usable;           /* /dev/kvm opened and answered API version 12 */
  char kvm_impl[96];         /* which module backs /dev/kvm: kvm_intel, kvm_amd, kvm_pvm ... */
  bool kvm_hw;               /* that module uses VT-x/AMD-V with EPT/NPT */
  size_t l1d_bytes, l2_bytes, l3_bytes; /* data cache sizes, bytes (0 unknown) */
  int cpus;                  /* online CPUs */
  int cpu;                   /* CPU the benchmarks were pinned to (-1: not pinned) */
  double load_before[3];     /* /proc/loadavg 1, 5, 15 min, at start */
  double load_after[3];      /* the same, at the end */
  double tsc_hz;             /* measured TSC frequency, Hz */
  double duration_s;         /* wall time of the calibration, s */
  char created[32];          /* ISO 8601 UTC time of the start */
} cal_env;

/* What the benchmarks share. */
typedef struct cal_ctx {
  bool quick;           /* --quick: fewer repetitions, smaller regions */
  int reps;             /* repetitions per quantity */
  size_t region_bytes;  /* the large region (DRAM latency, page walks, bandwidth) */
  double tsc_hz;        /* measured TSC frequency, Hz (set before the benchmarks) */
  FILE *progress;       /* one line per benchmark; NULL: silent */
  const cal_env *env;   /* where it runs */
  gsl_rng *rng;         /* chain orders; fixed seed so runs build the same chains */
  cal_quantity q[CAL_COUNT]; /* the results */
} cal_ctx;

/* ---- names (profile.c side: sim/cli/calibrate/profile_writer.c) ---- */
const char *cal_key(cal_id id);
/* Unit of `value` in the profile: "cycles", "ns", "Hz", "B/s" or "" (ratio). */
const char *cal_unit(cal_id id);
extern const char *const cal_ns_kinds[CAL_NS_KINDS];

/* ---- statistics and clocks (stats.c) ---- */
/* Median and median absolute deviation of n values (n >= 1); x is reordered. */
void cal_median_mad(double *x, size_t n, double *median, double *mad);
typedef struct cal_stamp {
  uint64_t tsc; /* TSC cycles */
  int64_t ns;   /* CLOCK_MONOTONIC_RAW, ns */
} cal_stamp;
cal_stamp cal_now(void);
/* Per-repetition samples of one benchmark. */
typedef struct cal_samples {
  double cyc[CAL_MAX_REPS]; /* TSC cycles per operation */
  double ns[CAL_MAX_REPS];  /* ns per operation */
} cal_samples;
/* Stores repetition r: the interval [a, b] divided by ops operations. */
void cal_sample(cal_samples *s, int r, cal_stamp a, cal_stamp b, double ops);
/* Measures the TSC frequency against CLOCK_MONOTONIC_RAW: median over reps
 * windows of window_ns each.  0, or -1 when the TSC does not advance. */
int cal_measure_tsc(int reps, int64_t window_ns, double *hz, double *spread_hz);
/* Fills q from per-repetition cycles and ns (per operation); cyc, ns reordered. */
void cal_set_time(cal_quantity *q, double *cyc, double *ns, int reps);
/* Marks q missing with a printf-style reason. */
void cal_set_missing(cal_quantity *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends printf-style text to q->method. */
void cal_method(cal_quantity *q, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One progress line on ctx->progress. */
void cal_progress(cal_ctx *ctx, cal_id id);

/* ---- pointer chains (chase.c) ---- */
/* Writes into `host` (bytes long) a single random cycle of 8-byte pointers,
 * one element every `stride` bytes (stride a multiple of 64 and a divisor of
 * bytes); with stride 4096 each element sits at a random cache line of its
 * page.  Pointers are addresses as the chasing CPU sees them: target_base
 * plus the element's offset.  Returns the target address of the first
 * element; 0 when out of memory. */
uint64_t cal_chain_build(void *host, uint64_t target_base, size_t bytes, size_t stride,
                         gsl_rng *rng);
/* Measured loops are not instrumented by sanitizers: a shadow-memory check
 * beside every load would be timed with it. */
#if defined(__SANITIZE_ADDRESS__)
#define CAL_UNINSTRUMENTED __attribute__((no_sanitize_address, no_sanitize("undefined")))
#else
#define CAL_UNINSTRUMENTED
#endif
/* Follows `hops` pointers (a multiple of 8) from *p, leaving *p at the end. */
CAL_UNINSTRUMENTED void cal_chase(void **p, uint64_t hops);
/* Maps `bytes` (a multiple of 2 MiB) of anonymous memory aligned to 2 MiB,
 * backed by 2 MiB pages when `huge` (THP via madvise, else hugetlbfs) or by
 * 4 KiB pages, and touches every page.  Writes how it was backed into how.
 * NULL when the requested page size could not be had (how says why). */
void *cal_region_map(size_t bytes, bool huge, char *how, size_t howlen);
void cal_region_unmap(void *p, size_t bytes);
/* Bytes of the mapping at p backed by transparent huge pages (/proc/self/smaps). */
size_t cal_anon_huge_bytes(const void *p);

/* ---- benchmarks ---- */
/* env.c: everything but timings; fills env (tsc_hz and times stay 0). */
void cal_env_probe(cal_env *env);
void cal_loadavg(double load[3]);
/* Whether the environment is a virtual machine (any of the signs). */
bool cal_env_virtualized(const cal_env *env);
/* Marks the measured quantities that this environment distorts as not
 * representative, with the reason. */
void cal_judge(cal_ctx *ctx);
/* native.c: every native quantity.  Pins the process to one CPU first. */
void cal_run_native(cal_ctx *ctx);
/* kvm.c: the KVM quantities, or one "skipped" line where /dev/kvm is unusable. */
void cal_run_kvm(cal_ctx *ctx);

/* ---- output (profile_writer.c) ---- */
/* Writes the profile YAML to out. */
int cal_profile_write(FILE *out, const cal_ctx *ctx, const char *name);
/* Writes to path atomically (temp file in the same directory, then rename).
 * 0, or -1 with errno set and nothing left at path. */
int cal_profile_save(const char *path, const cal_ctx *ctx, const char *name);

#endif
