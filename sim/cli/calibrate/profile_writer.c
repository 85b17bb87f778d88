/* sim/cli/calibrate/profile_writer.c: a calibration as a profile YAML file.
 * The schema of the shipped profiles (scenarios/SCHEMA.md, "Calibration
 * profiles"): `profile` (name, description, fallback), `environment`
 * (free-form scalars, with `created`) and `quantities`, each with a `value`
 * whose unit the loader parses (cycles, ns, Hz, B/s, or a plain number for a
 * ratio), its `spread`, `method`, `representative` and `source`.  The method
 * ends with the repetitions, the median in the other clock ("= 2126.46 ns")
 * and, when not representative, why.  A quantity that
 * could not be measured is left out of `quantities` (so the loader takes it
 * from the fallback profile and says so) and named with its reason in
 * `environment` as `not_measured.KEY`.
 * Invariant: the file appears complete or not at all (temp file + rename). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/cli/calibrate/calibrate.h"
#include "sim/version.h"

static const struct {
  const char *key;  /* profile key, shared with the cost models */
  const char *unit; /* unit of `value` */
} names[CAL_COUNT] = {
    [CAL_CPU_CLOCK] = {"cpu.clock", "Hz"},
    [CAL_SYSCALL] = {"syscall.native", "cycles"},
    [CAL_PAGE_FAULT] = {"page_fault.native", "cycles"},
    [CAL_FORK] = {"fork.native", "cycles"},
    [CAL_FORK_LARGE] = {"fork.native.large", "cycles"},
    [CAL_FORK_PER_PAGE] = {"fork.per_resident_page", "cycles"},
    [CAL_LAT_L1] = {"mem.latency.l1", "ns"},
    [CAL_LAT_L2] = {"mem.latency.l2", "ns"},
    [CAL_LAT_DRAM] = {"mem.latency.dram", "ns"},
    [CAL_CHASE_4K] = {"tlb.chase.4k", "cycles"},
    [CAL_CHASE_2M] = {"tlb.chase.2m", "cycles"},
    [CAL_TLB_WALK] = {"tlb.walk.native", "cycles"},
    [CAL_BANDWIDTH] = {"mem.bandwidth", "B/s"},
    [CAL_CTXSW] = {"context_switch.native", "cycles"},
    [CAL_NS_TOTAL] = {"container.namespace_create", "ns"},
    [CAL_NS_UTS] = {"container.namespace_create.uts", "ns"},
    [CAL_NS_IPC] = {"container.namespace_create.ipc", "ns"},
    [CAL_NS_NET] = {"container.namespace_create.net", "ns"},
    [CAL_NS_PID] = {"container.namespace_create.pid", "ns"},
    [CAL_NS_MNT] = {"container.namespace_create.mnt", "ns"},
    [CAL_NS_USER] = {"container.namespace_create.user", "ns"},
    [CAL_NS_CGROUP] = {"container.namespace_create.cgroup", "ns"},
    [CAL_CGROUP_ENTER] = {"container.cgroup_enter", "ns"},
    [CAL_HVM_EXIT_KERNEL] = {"hvm.exit.roundtrip", "cycles"},
    [CAL_HVM_EXIT_USER] = {"hvm.exit.user", "cycles"},
    [CAL_HVM_CHASE_4K] = {"hvm.chase.4k", "cycles"},
    [CAL_HVM_CHASE_2M] = {"hvm.chase.2m", "cycles"},
    [CAL_HVM_EPT_PENALTY] = {"hvm.ept.walk_penalty", ""},
};

const char *cal_key(cal_id id) { return names[id].key; }
const char *cal_unit(cal_id id) { return names[id].unit; }

/* A YAML double-quoted scalar. */
static void put_str(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    if (*s == '"' || *s == '\\')
      fprintf(out, "\\%c", *s);
    else if ((unsigned char)*s < 0x20)
      fprintf(out, "\\x%02x", (unsigned char)*s);
    else
      fputc(*s, out);
  }
  fputc('"', out);
}

static void put_kv(FILE *out, const char *indent, const char *key, const char *value) {
  fprintf(out, "%s%s: ", indent, key);
  put_str(out, value);
  fputc('\n', out);
}

/* One quantity: value and spread in its unit; the method gains the
 * repetitions, the median in the other clock and the representativeness. */
static void put_quantity(FILE *out, const cal_ctx *ctx, cal_id id) {
  const cal_quantity *q = &ctx->q[id];
  const char *unit = names[id].unit;
  char method[1200];
  int n = snprintf(method, sizeof method, "%s. Median over %d repetitions", q->method, q->reps);
  fprintf(out, "  %s:\n", names[id].key);
  if (!strcmp(unit, "ns")) {
    fprintf(out, "    value: \"%.2f ns\"\n    spread: \"%.2f ns\"\n", q->ns, q->ns_spread);
    n += snprintf(method + n, sizeof method - (size_t)n, ": %.2f ns = %.2f cycles (spread %.2f cycles)",
                  q->ns, q->cycles, q->cycles_spread);
  } else if (!strcmp(unit, "cycles")) {
    fprintf(out, "    value: \"%.2f cycles\"\n    spread: \"%.2f cycles\"\n", q->cycles,
            q->cycles_spread);
    n += snprintf(method + n, sizeof method - (size_t)n, ": %.2f cycles = %.2f ns (spread %.2f ns)",
                  q->cycles, q->ns, q->ns_spread);
  } else if (unit[0]) {
    fprintf(out, "    value: \"%.0f %s\"\n    spread: \"%.0f %s\"\n", q->value, unit, q->spread, unit);
  } else {
    fprintf(out, "    value: \"%.4f\"\n    spread: \"%.4f\"\n", q->value, q->spread);
  }
  if (!q->representative && n > 0 && (size_t)n < sizeof method)
    snprintf(method + n, sizeof method - (size_t)n, ". Not representative: %s", q->reason);
  put_kv(out, "    ", "method", method);
  fprintf(out, "    representative: %s\n", q->representative ? "true" : "false");
  fprintf(out, "    source: \"measured by vdcsim calibrate\"\n");
}

static void loads(char *buf, size_t len, const double l[3]) {
  if (l[0] < 0)
    snprintf(buf, len, "unknown");
  else
    snprintf(buf, len, "%.2f %.2f %.2f", l[0], l[1], l[2]);
}

int cal_profile_write(FILE *out, const cal_ctx *ctx, const char *name) {
  const cal_env *e = ctx->env;
  char buf[512];
  fprintf(out, "# Calibration profile of the machine it was measured on, written by\n"
               "# `vdcsim calibrate`.  Quantities and methods: sim/cli/calibrate/README.md.\n");
  fprintf(out, "profile:\n");
  put_kv(out, "  ", "name", name);
  char hv[128] = "";
  if (cal_env_virtualized(e))
    snprintf(hv, sizeof hv, ", itself a virtual machine (%s)",
             e->hypervisor_kernel[0] ? e->hypervisor_kernel
             : e->hypervisor_sig[0]  ? e->hypervisor_sig
                                     : "unknown hypervisor");
  snprintf(buf, sizeof buf, "Measured by vdcsim calibrate%s on %s%s", ctx->quick ? " --quick" : "",
           e->cpu_model[0] ? e->cpu_model : "an unknown CPU", hv);
  put_kv(out, "  ", "description", buf);
  fprintf(out, "  fallback: generic-x86-2020\n");
  fprintf(out, "environment:\n");
  put_kv(out, "  ", "created", e->created);
  put_kv(out, "  ", "cpu_model", e->cpu_model);
  put_kv(out, "  ", "cpu_vendor", e->cpu_vendor);
  fprintf(out, "  cpus: %d\n", e->cpus);
  fprintf(out, "  tsc_hz: %.0f\n", e->tsc_hz);
  fprintf(out, "  constant_tsc: %s\n  nonstop_tsc: %s\n", e->constant_tsc ? "true" : "false",
          e->nonstop_tsc ? "true" : "false");
  put_kv(out, "  ", "clocksource", e->clocksource);
  fprintf(out, "  l1d_bytes: %zu\n  l2_bytes: %zu\n  l3_bytes: %zu\n", e->l1d_bytes, e->l2_bytes,
          e->l3_bytes);
  put_kv(out, "  ", "kernel", e->kernel);
  put_kv(out, "  ", "transparent_hugepages", e->thp);
  fprintf(out, "  virtualized: %s\n", cal_env_virtualized(e) ? "true" : "false");
  fprintf(out, "  cpuid_hypervisor_bit: %s\n", e->hypervisor ? "true" : "false");
  put_kv(out, "  ", "cpuid_hypervisor_signature", e->hypervisor_sig);
  put_kv(out, "  ", "kernel_hypervisor", e->hypervisor_kernel);
  put_kv(out, "  ", "sys_hypervisor_type", e->hypervisor_type);
  fprintf(out, "  vmx: %s\n  svm: %s\n", e->vmx ? "true" : "false", e->svm ? "true" : "false");
  put_kv(out, "  ", "kvm_device",
         !e->kvm_dev ? "absent" : e->kvm_usable ? "usable" : "present but not usable");
  if (e->kvm_dev) {
    put_kv(out, "  ", "kvm_implementation", e->kvm_impl[0] ? e->kvm_impl : "unknown");
  } else {
    snprintf(buf, sizeof buf, "none: no /dev/kvm (kernel modules loaded: %s)",
             e->kvm_impl[0] ? e->kvm_impl : "none");
    put_kv(out, "  ", "kvm_implementation", buf);
  }
  fprintf(out, "  pinned_cpu: %d\n", e->cpu);
  loads(buf, sizeof buf, e->load_before);
  put_kv(out, "  ", "load_average_start", buf);
  loads(buf, sizeof buf, e->load_after);
  put_kv(out, "  ", "load_average_end", buf);
  put_kv(out, "  ", "mode", ctx->quick ? "quick" : "full");
  fprintf(out, "  region_bytes: %zu\n", ctx->region_bytes);
  fprintf(out, "  duration_s: %.1f\n", e->duration_s);
  put_kv(out, "  ", "vdcsim_version", VDCSIM_VERSION);
  put_kv(out, "  ", "cycle_unit",
         "TSC cycles: converted to time at cpu.clock (the TSC frequency) they give wall time");
  put_kv(out, "  ", "spread_statistic", "median absolute deviation over the repetitions");
  for (int i = 0; i < CAL_COUNT; i++) {
    if (ctx->q[i].measured) continue;
    snprintf(buf, sizeof buf, "not_measured.%s", names[i].key);
    put_kv(out, "  ", buf, ctx->q[i].reason);
  }
  fprintf(out, "quantities:\n");
  for (int i = 0; i < CAL_COUNT; i++)
    if (ctx->q[i].measured) put_quantity(out, ctx, (cal_id)i);
  return ferror(out) ? -1 : 0;
}

int cal_profile_save(const char *path, const cal_ctx *ctx, const char *name) {
  size_t len = strlen(path) + 16;
  char *tmp = sim_malloc(len);
  if (!tmp) {
    errno = ENOMEM;
    return -1;
  }
  snprintf(tmp, len, "%s.tmpXXXXXX", path);
  int fd = mkstemp(tmp);
  if (fd < 0) {
    int e = errno;
    sim_free(tmp);
    errno = e;
    return -1;
  }
  /* mkstemp creates 0600; a profile is for reading by everyone. */
  fchmod(fd, 0644);
  FILE *f = fdopen(fd, "w");
  int rc = f ? cal_profile_write(f, ctx, name) : -1;
  int e = errno;
  if (f) {
    if (fflush(f) != 0 || fsync(fileno(f)) != 0) rc = -1, e = errno;
    if (fclose(f) != 0 && rc == 0) rc = -1, e = errno;
  } else {
    close(fd);
  }
  if (rc == 0 && rename(tmp, path) != 0) rc = -1, e = errno;
  if (rc != 0) unlink(tmp);
  sim_free(tmp);
  errno = e;
  return rc;
}
