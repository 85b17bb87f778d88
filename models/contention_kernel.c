/* models/contention_kernel.c: the shared kernel.
 * What it models: the system calls and process creations of every process
 * of one kernel serialise on its kernel-wide locks and contended lines (the
 * task list, the PID and mount namespaces' tables, the dentry cache):
 * kernel.lock.syscall and kernel.lock.fork are the mean time one such
 * operation holds them.  Containers and native processes on a host share
 * the host's one kernel; a VM runs its own, taken only by its own
 * processes ([LECT] "containers share the kernel"; the collapse of
 * fork- and system-call-heavy workloads on a shared Linux kernel as cores
 * are added, [BW10] sec. 4).  An operation of a guest waits for the lock
 * the M/G/1 mean ([KLE75] sec. 5.7, Pollaczek-Khinchine) of the holds of
 * the OTHER guests of its kernel running now: sum of rate x hold^2 over
 * 2 (1 - their utilisation), utilisation capped at CONTENTION_MAX_LOAD.
 * Its own vCPUs' holds are part of what the profile measured alone and
 * are not counted.
 * Units: seconds for holds and waits, cycles at the host's clock charged.
 * Invariants: a VM's wait is 0; a container or native guest without a
 * container or native co-runner waits 0.
 * Quantities: kernel.lock.syscall, kernel.lock.fork (the model is off when
 * both are missing; one missing holds 0). */
#include "models/contention.h"
#include "sim/alloc.h"

typedef struct kernel_params {
  double syscall_s; /* s: kernel-wide lock hold of one system call */
  double fork_s;    /* s: kernel-wide lock hold of one process creation */
} kernel_params;

static int kernel_load(const sim_profile *profile, const sim_host_type *type, void **params,
                       sim_diag *diag) {
  (void)type;
  *params = NULL;
  double syscall_ns = 0, fork_ns = 0;
  int a = contention_quantity(profile, "kernel.lock.syscall", &syscall_ns, diag);
  int b = contention_quantity(profile, "kernel.lock.fork", &fork_ns, diag);
  if (a < 0 || b < 0) return -1;
  if (!a && !b) return 0;
  kernel_params *p = sim_malloc(sizeof *p);
  if (!p) return -1;
  p->syscall_s = a ? syscall_ns * 1e-9 : 0;
  p->fork_s = b ? fork_ns * 1e-9 : 0;
  *params = p;
  return 0;
}

static void kernel_share(const void *params, contention_view *v) {
  const kernel_params *p = params;
  for (size_t i = 0; i < v->n; i++) {
    contention_guest *g = &v->g[i];
    g->lock_load = g->lock_hold_sq = 0;
    if (g->own_kernel) continue;
    double units_per_s = v->clock_hz * g->cpus / g->unit_cycles;
    double syscalls = g->phase->syscalls * units_per_s, forks = g->phase->process_creations * units_per_s;
    g->lock_load = syscalls * p->syscall_s + forks * p->fork_s;
    g->lock_hold_sq = syscalls * p->syscall_s * p->syscall_s + forks * p->fork_s * p->fork_s;
  }
}

static void kernel_apply(const void *params, contention_view *v) {
  (void)params;
  if (v->g[v->self].own_kernel) return;
  double load = 0, hold_sq = 0; /* the others', in guest order */
  for (size_t i = 0; i < v->n; i++) {
    if (i == v->self) continue;
    load += v->g[i].lock_load;
    hold_sq += v->g[i].lock_hold_sq;
  }
  if (load > 0) v->kernel_wait_cycles = contention_queue_wait(load, hold_sq) * v->clock_hz;
}

const contention_ops contention_kernel_ops = {"kernel", kernel_load, sim_free, kernel_share, kernel_apply};
