/* models/sched_common.c: parameters, pCPUs and guests shared by the CPU
 * schedulers (described in models/sched_common.h).
 * Units: ns; weights relative; caps in CPUs.
 * Invariants: those of sched_common.h; every choice among pCPUs breaks ties
 * by the lowest pCPU number, so runs are deterministic. */
#include "models/sched_common.h"

#include <assert.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/profile.h"

int sched_param(const sched_env *env, const char *sched, const char *key, double lo, double hi, double *out,
                sim_diag *diag) {
  double v = 0;
  if (!env->profile) {
    sim_diag_error(diag, NULL, 0, 0, "scheduler %s: no calibration profile to read '%s' from", sched, key);
    return -1;
  }
  if (sim_profile_get(env->profile, key, &v, NULL) < 0) {
    sim_diag_error(diag, NULL, 0, 0, "scheduler %s: calibration profile '%s' has no '%s'", sched,
                   sim_profile_name(env->profile), key);
    return -1;
  }
  if (!(v >= lo && v <= hi)) {
    sim_diag_error(diag, NULL, 0, 0, "scheduler %s: %s must be in [%g, %g], got %g", sched, key, lo, hi, v);
    return -1;
  }
  *out = v;
  return 0;
}

int sched_host_init(sched_host *h, uint32_t n_pcpus) {
  *h = (sched_host){.n_pcpus = n_pcpus};
  h->pcpus = sim_calloc(n_pcpus ? n_pcpus : 1, sizeof *h->pcpus);
  if (!h->pcpus) return -1;
  for (uint32_t p = 0; p < n_pcpus; p++) sched_pcpu_idle(h, (int32_t)p);
  return 0;
}

void sched_host_free(sched_host *h) {
  sim_free(h->pcpus);
  sim_free(h->vcpus);
  sim_free(h->guests);
  *h = (sched_host){0};
}

int sched_exact_room(void **array, size_t *capacity, size_t need, size_t size) {
  if (need <= *capacity) return 0;
  void *grown = sim_realloc(*array, need * size);
  if (!grown) return -1;
  *array = grown;
  *capacity = need;
  return 0;
}

int sched_host_reserve(sched_host *h, size_t n_vcpus, size_t n_guests) {
  if (sched_exact_room((void **)&h->guests, &h->cap_guests, n_guests, sizeof *h->guests)) return -1;
  return sched_exact_room((void **)&h->vcpus, &h->cap_vcpus, n_vcpus, sizeof *h->vcpus);
}

long sched_host_add_vcpu(sched_host *h, const sched_vcpu_info *info, bool *new_guest) {
  *new_guest = false;
  /* a guest's vCPUs are added one after another: its guest is most often
   * the last one added (each guest is there once, so the search finds it
   * at the same index) */
  size_t g = h->n_guests;
  if (g > 0 && h->guests[g - 1].id == info->guest) {
    g--;
  } else {
    g = 0;
    while (g < h->n_guests && h->guests[g].id != info->guest) g++;
  }
  if (g == h->n_guests) {
    if (sched_exact_room((void **)&h->guests, &h->cap_guests, h->n_guests + 1, sizeof *h->guests)) return -1;
    h->guests[h->n_guests++] = (sched_guest){info->guest, info->weight ? info->weight : 1, info->cap};
    *new_guest = true;
  }
  if (sched_exact_room((void **)&h->vcpus, &h->cap_vcpus, h->n_vcpus + 1, sizeof *h->vcpus)) return -1;
  h->vcpus[h->n_vcpus++] = (sched_vcpu){.guest = (uint32_t)g, .pinned = info->pinned};
  return (long)g;
}

long sched_host_guest(const sched_host *h, uint32_t guest) {
  for (size_t g = 0; g < h->n_guests; g++)
    if (h->guests[g].id == guest) return (long)g;
  return -1;
}

void sched_pcpu_idle(sched_host *h, int32_t p) {
  h->pcpus[p] = (sched_pcpu){SCHED_PCPU_IDLE, -1, 0, SIM_TIME_MAX};
}

void sched_pcpu_run(sched_host *h, int32_t p, int32_t v, sim_time now, sim_time slice) {
  h->pcpus[p] = (sched_pcpu){SCHED_PCPU_RUNNING, v, now, slice == SIM_TIME_MAX ? SIM_TIME_MAX : now + slice};
}

int32_t sched_idle_pcpu(const sched_host *h, int32_t pinned) {
  for (uint32_t p = 0; p < h->n_pcpus; p++)
    if (h->pcpus[p].state == SCHED_PCPU_IDLE && sched_allowed(pinned, (int32_t)p)) return (int32_t)p;
  return -1;
}

int32_t sched_oldest_unbounded(const sched_host *h, int32_t pinned) {
  int32_t best = -1;
  for (uint32_t p = 0; p < h->n_pcpus; p++) {
    const sched_pcpu *c = &h->pcpus[p];
    if (!sched_allowed(pinned, (int32_t)p)) continue;
    if (c->state != SCHED_PCPU_RUNNING || c->end_ns != SIM_TIME_MAX) continue;
    if (best < 0 || c->start_ns < h->pcpus[best].start_ns) best = (int32_t)p;
  }
  return best;
}

bool sched_contended(const sched_host *h, int32_t p) {
  size_t unpinned = 0, kicked = 0;
  for (size_t i = 0; i < h->n_vcpus; i++) {
    if (!h->vcpus[i].queued) continue;
    if (h->vcpus[i].pinned == p) return true;
    unpinned += h->vcpus[i].pinned < 0;
  }
  for (uint32_t q = 0; q < h->n_pcpus; q++) kicked += (int32_t)q != p && h->pcpus[q].state == SCHED_PCPU_KICKED;
  return unpinned > kicked;
}
