/* sim/cli/calibrate/native.c: native costs of this machine, measured.
 * What the simulator charges for a guest operation run natively: a system
 * call, a page fault, a process creation, a context switch, memory latency
 * at each level, a page walk, sequential bandwidth, and what a container start
 * costs (namespaces, cgroup entry).  Each benchmark times a batch of one
 * operation, repeats the batch ctx->reps times, and keeps the median and the
 * median absolute deviation per operation, in TSC cycles and ns.
 * Methods follow lmbench (McVoy and Staelin, USENIX 1996): lat_syscall,
 * lat_pagefault, lat_proc fork, lat_ctx (pipe ping-pong, minus the pipe cost
 * measured without a switch), lat_mem_rd (pointer chase), bw_mem rd.  The
 * page-walk cost is the per-access difference of one chain over 4 KiB and over
 * 2 MiB pages [BH08].  Units: TSC cycles, ns, bytes, B/s. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/cli/calibrate/calibrate.h"

#define PAGE_4K ((size_t)4096)

static long resident_pages(void) {
  long size = 0, resident = 0;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return 0;
  if (fscanf(f, "%ld %ld", &size, &resident) != 2) resident = 0;
  fclose(f);
  return resident;
}

static void bench_syscall(cal_ctx *ctx) {
  cal_quantity *q = &ctx->q[CAL_SYSCALL];
  int n = ctx->quick ? 20000 : 100000;
  cal_samples s;
  for (int r = 0; r < ctx->reps; r++) {
    cal_stamp a = cal_now();
    for (int i = 0; i < n; i++) syscall(SYS_getppid);
    cal_sample(&s, r, a, cal_now(), n);
  }
  cal_set_time(q, s.cyc, s.ns, ctx->reps);
  cal_method(q, "getppid() through syscall(2) (no libc caching), %d calls per repetition", n);
}

static void bench_page_fault(cal_ctx *ctx) {
  cal_quantity *q = &ctx->q[CAL_PAGE_FAULT];
  size_t pages = ctx->quick ? 2048 : 16384;
  cal_samples s;
  long faults = 0;
  for (int r = 0; r < ctx->reps; r++) {
    volatile uint8_t *p = mmap(NULL, pages * PAGE_4K, PROT_READ | PROT_WRITE,
                               MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      cal_set_missing(q, "mmap failed: %s", strerror(errno));
      return;
    }
    madvise((void *)p, pages * PAGE_4K, MADV_NOHUGEPAGE);
    struct rusage u0, u1;
    getrusage(RUSAGE_SELF, &u0);
    cal_stamp a = cal_now();
    for (size_t i = 0; i < pages; i++) p[i * PAGE_4K] = 1;
    cal_stamp b = cal_now();
    getrusage(RUSAGE_SELF, &u1);
    munmap((void *)p, pages * PAGE_4K);
    cal_sample(&s, r, a, b, (double)pages);
    faults += u1.ru_minflt - u0.ru_minflt;
  }
  double per_rep = (double)faults / ctx->reps;
  if (per_rep < 0.9 * (double)pages) {
    cal_set_missing(q, "only %.0f minor faults counted for %zu first writes: faults are batched",
                    per_rep, pages);
    return;
  }
  cal_set_time(q, s.cyc, s.ns, ctx->reps);
  cal_method(q,
             "first write to each of %zu fresh anonymous 4 KiB pages (MADV_NOHUGEPAGE); "
             "includes zeroing the page; getrusage counted %.0f minor faults per repetition",
             pages, per_rep);
}

/* fork + child _exit(0) + waitpid, n times; 0 or -errno. */
static int fork_batch(int n) {
  for (int i = 0; i < n; i++) {
    pid_t pid = fork();
    if (pid < 0) return -errno;
    if (pid == 0) _exit(0);
    int st;
    while (waitpid(pid, &st, 0) < 0 && errno == EINTR) continue;
  }
  return 0;
}

static int bench_fork(cal_ctx *ctx, cal_id id, int n, cal_samples *s) {
  for (int r = 0; r < ctx->reps; r++) {
    cal_stamp a = cal_now();
    int rc = fork_batch(n);
    cal_stamp b = cal_now();
    if (rc < 0) {
      cal_set_missing(&ctx->q[id], "fork failed: %s", strerror(-rc));
      return -1;
    }
    cal_sample(s, r, a, b, n);
  }
  cal_set_time(&ctx->q[id], s->cyc, s->ns, ctx->reps);
  return 0;
}

static void bench_fork_small(cal_ctx *ctx, long *rss) {
  cal_samples s;
  int n = ctx->quick ? 10 : 50;
  *rss = resident_pages();
  if (bench_fork(ctx, CAL_FORK, n, &s) == 0)
    cal_method(&ctx->q[CAL_FORK],
               "fork() + child _exit(0) + waitpid() of this process (%ld resident 4 KiB pages), "
               "%d per repetition",
               *rss, n);
}

/* With the 4 KiB-paged region resident: fork.native.large and the per-page slope. */
static void bench_fork_large(cal_ctx *ctx, long rss_small) {
  cal_samples s;
  int n = ctx->quick ? 2 : 4;
  long rss = resident_pages();
  cal_quantity *ql = &ctx->q[CAL_FORK_LARGE], *qs = &ctx->q[CAL_FORK], *qp = &ctx->q[CAL_FORK_PER_PAGE];
  if (bench_fork(ctx, CAL_FORK_LARGE, n, &s) < 0) {
    cal_set_missing(qp, "%s", ql->reason);
    return;
  }
  cal_method(ql, "as fork.native with %ld resident 4 KiB pages, %d per repetition", rss, n);
  long extra = rss - rss_small;
  if (!qs->measured || extra <= 0) {
    cal_set_missing(qp, "the small fork was not measured or the large one was not larger");
    return;
  }
  qp->measured = true;
  qp->reps = ctx->reps;
  qp->cycles = (ql->cycles - qs->cycles) / (double)extra;
  qp->ns = (ql->ns - qs->ns) / (double)extra;
  qp->cycles_spread = hypot(ql->cycles_spread, qs->cycles_spread) / (double)extra;
  qp->ns_spread = hypot(ql->ns_spread, qs->ns_spread) / (double)extra;
  if (qp->cycles <= 0) {
    cal_set_missing(qp, "the large fork was no slower than the small one");
    return;
  }
  cal_method(qp, "(fork.native.large - fork.native) / %ld extra resident 4 KiB pages", extra);
}

/* Chase over `bytes` of `host` with elements `stride` apart: per-hop medians. */
static int chase_samples(cal_ctx *ctx, void *host, size_t bytes, size_t stride, uint64_t hops,
                         cal_samples *s) {
  uint64_t start = cal_chain_build(host, (uint64_t)(uintptr_t)host, bytes, stride, ctx->rng);
  if (!start) return -1;
  void *p = (void *)(uintptr_t)start;
  cal_chase(&p, hops); /* warm caches and TLB */
  for (int r = 0; r < ctx->reps; r++) {
    cal_stamp a = cal_now();
    cal_chase(&p, hops);
    cal_sample(s, r, a, cal_now(), (double)hops);
  }
  return 0;
}

static void bench_cache_latency(cal_ctx *ctx) {
  size_t l1 = ctx->env->l1d_bytes ? ctx->env->l1d_bytes : 32 * 1024;
  size_t l2 = ctx->env->l2_bytes ? ctx->env->l2_bytes : 512 * 1024;
  /* Half of L1d; a quarter of L2 but at least 4x L1d, so it misses L1. */
  size_t sizes[2] = {l1 / 2, l2 / 4 > 4 * l1 ? l2 / 4 : l2 / 2};
  cal_id ids[2] = {CAL_LAT_L1, CAL_LAT_L2};
  uint64_t hops = ctx->quick ? 1 << 18 : 1 << 20;
  char how[160];
  size_t huge = (size_t)2 << 20, bytes = (sizes[1] + huge - 1) / huge * huge;
  void *buf = cal_region_map(bytes, false, how, sizeof how);
  for (int k = 0; k < 2; k++) {
    cal_quantity *q = &ctx->q[ids[k]];
    cal_samples s;
    if (!buf || chase_samples(ctx, buf, sizes[k], 64, hops, &s) < 0) {
      cal_set_missing(q, "no buffer for the chain: %s", buf ? "out of memory" : how);
      continue;
    }
    cal_set_time(q, s.cyc, s.ns, ctx->reps);
    cal_method(q,
               "pointer chase, random cyclic order over %zu KiB (cache lines, 4 KiB pages; "
               "L1d %zu KiB, L2 %zu KiB%s), %llu hops per repetition",
               sizes[k] / 1024, l1 / 1024, l2 / 1024,
               ctx->env->l1d_bytes ? "" : ", sizes not reported by CPUID: assumed",
               (unsigned long long)hops);
  }
  cal_region_unmap(buf, bytes);
}

/* Sequential read: 4 independent sums so the loop is bound by memory, not by
 * the add latency; words a multiple of 4. */
CAL_UNINSTRUMENTED static uint64_t read_sum(const uint64_t *w, size_t words) {
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (size_t i = 0; i < words; i += 4) {
    s0 += w[i];
    s1 += w[i + 1];
    s2 += w[i + 2];
    s3 += w[i + 3];
  }
  return s0 + s1 + s2 + s3;
}

/* DRAM latency on `buf` (2 MiB pages when huge). */
static void bench_dram(cal_ctx *ctx, void *buf, bool huge, const char *how) {
  cal_quantity *q = &ctx->q[CAL_LAT_DRAM];
  uint64_t hops = ctx->quick ? 1 << 16 : 1 << 18;
  cal_samples s;
  if (chase_samples(ctx, buf, ctx->region_bytes, 64, hops, &s) < 0) {
    cal_set_missing(q, "out of memory building the chain");
    return;
  }
  cal_set_time(q, s.cyc, s.ns, ctx->reps);
  cal_method(q, "pointer chase, random cyclic order over the cache lines of %zu MiB on %s%s, %llu hops per repetition",
             ctx->region_bytes >> 20, how, huge ? "" : " (includes page walks)", (unsigned long long)hops);
}

static void bench_bandwidth(cal_ctx *ctx, const void *buf, const char *how) {
  cal_quantity *q = &ctx->q[CAL_BANDWIDTH];
  double bw[CAL_MAX_REPS], ms[CAL_MAX_REPS], ms_med, ms_mad;
  size_t bytes = ctx->region_bytes;
  volatile uint64_t sink = 0;
  for (int r = -1; r < ctx->reps; r++) {
    cal_stamp a = cal_now();
    sink += read_sum(buf, bytes / 8);
    cal_stamp b = cal_now();
    if (r < 0) continue; /* the first pass warms up */
    bw[r] = (double)bytes * 1e9 / (double)(b.ns - a.ns);
    ms[r] = (double)(b.ns - a.ns) * 1e-6;
  }
  (void)sink;
  cal_median_mad(bw, (size_t)ctx->reps, &q->value, &q->spread);
  cal_median_mad(ms, (size_t)ctx->reps, &ms_med, &ms_mad);
  q->measured = true;
  q->reps = ctx->reps;
  cal_method(q, "sequential read of %zu MiB (%s) with 4 running 64-bit sums, one thread; %.2f ms per pass",
             bytes >> 20, how, ms_med);
}

/* One page-walk chase: one access per 4 KiB page of `buf`, a lap per repetition. */
static void bench_page_chase(cal_ctx *ctx, cal_id id, void *buf, const char *how) {
  cal_quantity *q = &ctx->q[id];
  size_t bytes = ctx->region_bytes, pages = bytes / PAGE_4K;
  cal_samples s;
  if (chase_samples(ctx, buf, bytes, PAGE_4K, pages, &s) < 0) {
    cal_set_missing(q, "out of memory building the chain");
    return;
  }
  cal_set_time(q, s.cyc, s.ns, ctx->reps);
  cal_method(q, "pointer chase, one access per 4 KiB page at a random line, random order over %zu MiB "
                "on %s, %zu hops per repetition",
             bytes >> 20, how, pages);
}

static void derive_tlb_walk(cal_ctx *ctx) {
  cal_quantity *q4 = &ctx->q[CAL_CHASE_4K], *q2 = &ctx->q[CAL_CHASE_2M], *q = &ctx->q[CAL_TLB_WALK];
  if (!q4->measured || !q2->measured) {
    cal_set_missing(q, "needs %s and %s: %s", cal_key(CAL_CHASE_4K), cal_key(CAL_CHASE_2M),
                    q2->measured ? q4->reason : q2->reason);
    return;
  }
  double d = q4->cycles - q2->cycles, noise = 2 * hypot(q4->cycles_spread, q2->cycles_spread);
  q->reps = ctx->reps;
  q->cycles_spread = hypot(q4->cycles_spread, q2->cycles_spread);
  q->ns_spread = hypot(q4->ns_spread, q2->ns_spread);
  if (d < -noise) {
    cal_set_missing(q, "2 MiB pages were slower per access than 4 KiB pages (%.1f vs %.1f cycles): "
                       "the huge pages are not effective here",
                    q2->cycles, q4->cycles);
    return;
  }
  q->measured = true;
  /* A difference within the noise is a measured zero, not a guess. */
  q->cycles = d > 0 ? d : 0;
  q->ns = d > 0 ? q4->ns - q2->ns : 0;
  cal_method(q, "%s - %s (cycles per access; the page walk a TLB miss costs over %zu MiB)%s",
             cal_key(CAL_CHASE_4K), cal_key(CAL_CHASE_2M), ctx->region_bytes >> 20,
             d > 0 ? "" : "; the difference was within the noise and is written as 0");
}

/* The large region on 2 MiB pages (DRAM latency and bandwidth, so page walks
 * stay out of them, and the 2 MiB chase), then on 4 KiB pages (the 4 KiB
 * chase, and the large fork with it resident).  One region at a time: two
 * large regions at once can overflow a hypervisor's shadow page tables. */
static void bench_regions(cal_ctx *ctx, long rss_small) {
  size_t bytes = ctx->region_bytes;
  char how2m[256], how4k[160];
  void *huge = cal_region_map(bytes, true, how2m, sizeof how2m);
  if (huge) {
    bench_dram(ctx, huge, true, how2m);
    bench_bandwidth(ctx, huge, how2m);
    bench_page_chase(ctx, CAL_CHASE_2M, huge, how2m);
    cal_region_unmap(huge, bytes);
  } else {
    cal_set_missing(&ctx->q[CAL_CHASE_2M], "%s", how2m);
  }
  cal_progress(ctx, CAL_LAT_DRAM);
  cal_progress(ctx, CAL_BANDWIDTH);
  cal_progress(ctx, CAL_CHASE_2M);
  void *small = cal_region_map(bytes, false, how4k, sizeof how4k);
  if (small) {
    /* Without 2 MiB pages DRAM latency and bandwidth still mean something
     * on 4 KiB pages (the method says so); the 2 MiB chase does not. */
    if (!huge) {
      bench_dram(ctx, small, false, how4k);
      bench_bandwidth(ctx, small, how4k);
    }
    bench_page_chase(ctx, CAL_CHASE_4K, small, how4k);
    cal_progress(ctx, CAL_CHASE_4K);
    derive_tlb_walk(ctx);
    cal_progress(ctx, CAL_TLB_WALK);
    bench_fork_large(ctx, rss_small);
    cal_region_unmap(small, bytes);
  } else {
    cal_id lost[] = {CAL_CHASE_4K, CAL_TLB_WALK, CAL_FORK_LARGE, CAL_FORK_PER_PAGE};
    for (size_t i = 0; i < sizeof lost / sizeof lost[0]; i++) cal_set_missing(&ctx->q[lost[i]], "%s", how4k);
    if (!huge) {
      cal_set_missing(&ctx->q[CAL_LAT_DRAM], "%s", how4k);
      cal_set_missing(&ctx->q[CAL_BANDWIDTH], "%s", how4k);
    }
    cal_progress(ctx, CAL_CHASE_4K);
    cal_progress(ctx, CAL_TLB_WALK);
  }
  cal_progress(ctx, CAL_FORK_LARGE);
  cal_progress(ctx, CAL_FORK_PER_PAGE);
}

static int write_full(int fd, const void *buf, size_t len) {
  return write(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

static int read_full(int fd, void *buf, size_t len) {
  return read(fd, buf, len) == (ssize_t)len ? 0 : -1;
}

static void bench_context_switch(cal_ctx *ctx) {
  cal_quantity *q = &ctx->q[CAL_CTXSW];
  int n = ctx->quick ? 2000 : 20000;
  int self[2] = {-1, -1}, to[2] = {-1, -1}, from[2] = {-1, -1};
  if (pipe(self) < 0 || pipe(to) < 0 || pipe(from) < 0) {
    cal_set_missing(q, "pipe: %s", strerror(errno));
    for (int i = 0; i < 2; i++) close(self[i]), close(to[i]), close(from[i]);
    return;
  }
  char c = 'x';
  /* The child inherits the single-CPU affinity: both sides share one CPU,
   * so every hand-over is a context switch, not a cross-CPU wakeup. */
  pid_t pid = fork();
  if (pid < 0) {
    cal_set_missing(q, "fork: %s", strerror(errno));
    for (int i = 0; i < 2; i++) close(self[i]), close(to[i]), close(from[i]);
    return;
  }
  if (pid == 0) {
    close(to[1]);
    close(from[0]);
    while (read_full(to[0], &c, 1) == 0)
      if (write_full(from[1], &c, 1) < 0) break;
    _exit(0);
  }
  close(to[0]);
  close(from[1]);
  /* Each repetition times the pipe without a switch (write then read a byte
   * in this process) right before the ping-pong, so both see the same
   * machine; a round trip is 2 switches plus, on each side, a write and a read. */
  cal_samples sp, rt;
  double cyc[CAL_MAX_REPS], ns[CAL_MAX_REPS];
  bool ok = true;
  for (int r = 0; r < ctx->reps && ok; r++) {
    cal_stamp a = cal_now();
    for (int i = 0; i < n && ok; i++)
      ok = write_full(self[1], &c, 1) == 0 && read_full(self[0], &c, 1) == 0;
    cal_stamp b = cal_now();
    for (int i = 0; i < n && ok; i++)
      ok = write_full(to[1], &c, 1) == 0 && read_full(from[0], &c, 1) == 0;
    cal_stamp e = cal_now();
    cal_sample(&sp, r, a, b, n);
    cal_sample(&rt, r, b, e, n);
    cyc[r] = (rt.cyc[r] - 2 * sp.cyc[r]) / 2;
    ns[r] = (rt.ns[r] - 2 * sp.ns[r]) / 2;
  }
  close(self[0]);
  close(self[1]);
  close(to[1]);
  close(from[0]);
  int st;
  waitpid(pid, &st, 0);
  if (!ok) {
    cal_set_missing(q, "a pipe failed or the ping-pong partner stopped answering");
    return;
  }
  double spc, spc_mad;
  cal_median_mad(sp.cyc, (size_t)ctx->reps, &spc, &spc_mad);
  cal_set_time(q, cyc, ns, ctx->reps);
  if (q->cycles <= 0) {
    cal_set_missing(q, "the ping-pong was no slower than the pipe alone (pipe write + read: %.0f cycles)",
                    spc);
    return;
  }
  cal_method(q,
             "pipe ping-pong between two processes on one CPU, %d round trips per repetition: "
             "(round trip - 2 x (write + read of one byte without a switch, %.0f cycles)) / 2",
             n, spc);
}

const char *const cal_ns_kinds[CAL_NS_KINDS] = {"uts", "ipc", "net", "pid", "mnt", "user", "cgroup"};
static const int ns_flags[CAL_NS_KINDS] = {CLONE_NEWUTS, CLONE_NEWIPC,  CLONE_NEWNET,   CLONE_NEWPID,
                                           CLONE_NEWNS,  CLONE_NEWUSER, CLONE_NEWCGROUP};

/* What a child reports about its one unshare(). */
typedef struct ns_report {
  int err;      /* 0, or errno of unshare */
  uint64_t tsc; /* TSC cycles of the call */
  int64_t ns;   /* ns of the call */
} ns_report;

/* One unshare(flags) in a fresh child (the namespace lives only as long as
 * the child, and this process keeps its own): 0, or an errno. */
static int unshare_once(int flags, ns_report *rep) {
  int fd[2];
  if (pipe(fd) < 0) return errno;
  pid_t pid = fork();
  if (pid < 0) {
    int e = errno;
    close(fd[0]);
    close(fd[1]);
    return e;
  }
  if (pid == 0) {
    close(fd[0]);
    ns_report r = {0, 0, 0};
    cal_stamp a = cal_now();
    int rc = unshare(flags);
    cal_stamp b = cal_now();
    r.err = rc < 0 ? errno : 0;
    r.tsc = b.tsc - a.tsc;
    r.ns = b.ns - a.ns;
    _exit(write_full(fd[1], &r, sizeof r) < 0);
  }
  close(fd[1]);
  int got = read_full(fd[0], rep, sizeof *rep);
  close(fd[0]);
  int st;
  waitpid(pid, &st, 0);
  return got < 0 ? EIO : rep->err;
}

static int ns_samples(cal_ctx *ctx, int flags, cal_samples *s) {
  for (int r = 0; r < ctx->reps; r++) {
    ns_report rep;
    int e = unshare_once(flags, &rep);
    if (e) return e;
    s->cyc[r] = (double)rep.tsc;
    s->ns[r] = (double)rep.ns;
  }
  return 0;
}

static void bench_namespaces(cal_ctx *ctx) {
  int all = 0;
  char left_out[96] = "";
  for (int k = 0; k < CAL_NS_KINDS; k++) {
    cal_quantity *q = &ctx->q[CAL_NS_UTS + k];
    cal_samples s;
    int e = ns_samples(ctx, ns_flags[k], &s);
    if (e) {
      cal_set_missing(q, "unshare(%s namespace): %s%s", cal_ns_kinds[k], strerror(e),
                      e == EPERM ? " (needs root or CAP_SYS_ADMIN)" : "");
      size_t used = strlen(left_out);
      snprintf(left_out + used, sizeof left_out - used, "%s%s", used ? ", " : "", cal_ns_kinds[k]);
    } else {
      all |= ns_flags[k];
      cal_set_time(q, s.cyc, s.ns, ctx->reps);
      cal_method(q, "one unshare() of a %s namespace in a fresh child process, timed around the call",
                 cal_ns_kinds[k]);
    }
    cal_progress(ctx, (cal_id)(CAL_NS_UTS + k));
  }
  cal_quantity *q = &ctx->q[CAL_NS_TOTAL];
  cal_samples s;
  int e = left_out[0] ? 0 : ns_samples(ctx, all, &s);
  if (left_out[0])
    cal_set_missing(q, "not every kind could be created (%s)", left_out);
  else if (e)
    cal_set_missing(q, "unshare of every kind at once: %s", strerror(e));
  else {
    cal_set_time(q, s.cyc, s.ns, ctx->reps);
    cal_method(q, "one unshare() creating all %d kinds (uts ipc net pid mnt user cgroup) at once, "
                  "in a fresh child process",
               CAL_NS_KINDS);
  }
  cal_progress(ctx, CAL_NS_TOTAL);
}

/* The cgroup v2 directory this process is in; 0, or -1 with why. */
static int cgroup2_dir(char *dir, size_t len, char *why, size_t whylen) {
  char mnt[256] = "";
  struct stat st;
  if (stat("/sys/fs/cgroup/cgroup.controllers", &st) == 0) {
    snprintf(mnt, sizeof mnt, "/sys/fs/cgroup");
  } else {
    FILE *f = fopen("/proc/self/mounts", "r");
    char line[512], dev[128], path[256], type[64];
    while (f && fgets(line, sizeof line, f))
      if (sscanf(line, "%127s %255s %63s", dev, path, type) == 3 && !strcmp(type, "cgroup2")) {
        snprintf(mnt, sizeof mnt, "%s", path);
        break;
      }
    if (f) fclose(f);
  }
  if (!mnt[0]) {
    snprintf(why, whylen, "no cgroup v2 hierarchy is mounted");
    return -1;
  }
  char self[256] = "/";
  FILE *f = fopen("/proc/self/cgroup", "r");
  char line[512];
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "0::", 3)) {
      line[strcspn(line, "\n")] = '\0';
      snprintf(self, sizeof self, "%.255s", line + 3);
    }
  if (f) fclose(f);
  snprintf(dir, len, "%.255s%.255s", mnt, strcmp(self, "/") ? self : "");
  return 0;
}

/* One entry: a fresh child group, a waiting child process moved into it,
 * timed around the write to cgroup.procs; everything removed again. */
static int cgroup_enter_once(const char *group, uint64_t *tsc, int64_t *ns, double *mkdir_ns) {
  cal_stamp m0 = cal_now();
  if (mkdir(group, 0755) < 0) return errno;
  *mkdir_ns = (double)(cal_now().ns - m0.ns);
  int err = 0;
  char procs[700];
  snprintf(procs, sizeof procs, "%s/cgroup.procs", group);
  int fd = open(procs, O_WRONLY | O_CLOEXEC);
  int gate[2] = {-1, -1};
  pid_t pid = -1;
  if (fd < 0 || pipe(gate) < 0) {
    err = errno;
  } else if ((pid = fork()) < 0) {
    err = errno;
  } else if (pid == 0) {
    char c;
    close(gate[1]);
    _exit(read(gate[0], &c, 1) < 0);
  } else {
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%d", (int)pid);
    cal_stamp a = cal_now();
    ssize_t w = write(fd, buf, (size_t)n);
    cal_stamp b = cal_now();
    if (w != n) err = w < 0 ? errno : EIO;
    *tsc = b.tsc - a.tsc;
    *ns = b.ns - a.ns;
  }
  if (fd >= 0) close(fd);
  if (gate[0] >= 0) close(gate[0]);
  if (gate[1] >= 0) close(gate[1]); /* the child's read returns: it exits */
  if (pid > 0) {
    int st;
    waitpid(pid, &st, 0);
  }
  /* The group empties as soon as the child is reaped; retry briefly while
   * the kernel finishes the exit. */
  for (int i = 0; i < 100 && rmdir(group) < 0 && errno == EBUSY; i++) usleep(1000);
  return err;
}

static void bench_cgroup(cal_ctx *ctx) {
  cal_quantity *q = &ctx->q[CAL_CGROUP_ENTER];
  char dir[512], why[128];
  if (cgroup2_dir(dir, sizeof dir, why, sizeof why) < 0) {
    cal_set_missing(q, "%s", why);
    return;
  }
  /* No signal may interrupt between mkdir and rmdir and leave a group behind:
   * block the terminating ones for these few milliseconds. */
  sigset_t block, old;
  sigemptyset(&block);
  sigaddset(&block, SIGINT);
  sigaddset(&block, SIGTERM);
  sigaddset(&block, SIGHUP);
  sigprocmask(SIG_BLOCK, &block, &old);
  cal_samples s;
  double mk[CAL_MAX_REPS];
  int err = 0;
  for (int r = 0; r < ctx->reps && !err; r++) {
    char group[600];
    snprintf(group, sizeof group, "%s/vdcsim-calibrate-%d-%d", dir, (int)getpid(), r);
    uint64_t tsc = 0;
    int64_t ns = 0;
    err = cgroup_enter_once(group, &tsc, &ns, &mk[r]);
    s.cyc[r] = (double)tsc;
    s.ns[r] = (double)ns;
  }
  sigprocmask(SIG_SETMASK, &old, NULL);
  if (err) {
    cal_set_missing(q, "cgroup v2 under %s: %s", dir, strerror(err));
    return;
  }
  double mk_med, mk_mad;
  cal_median_mad(mk, (size_t)ctx->reps, &mk_med, &mk_mad);
  cal_set_time(q, s.cyc, s.ns, ctx->reps);
  cal_method(q,
             "write of a waiting child's pid to cgroup.procs of a fresh cgroup v2 group under %s "
             "(creating the group, not included, took %.0f ns)",
             dir, mk_med);
}

void cal_run_native(cal_ctx *ctx) {
  long rss_small = 0;
  bench_syscall(ctx);
  cal_progress(ctx, CAL_SYSCALL);
  bench_page_fault(ctx);
  cal_progress(ctx, CAL_PAGE_FAULT);
  bench_fork_small(ctx, &rss_small);
  cal_progress(ctx, CAL_FORK);
  bench_context_switch(ctx);
  cal_progress(ctx, CAL_CTXSW);
  bench_cache_latency(ctx);
  cal_progress(ctx, CAL_LAT_L1);
  cal_progress(ctx, CAL_LAT_L2);
  bench_regions(ctx, rss_small);
  bench_namespaces(ctx);
  bench_cgroup(ctx);
  cal_progress(ctx, CAL_CGROUP_ENTER);
}
