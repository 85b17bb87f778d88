/* models/placement_random.c: random placement: a VM goes to a host drawn
 * uniformly among all the hosts it fits on (CPU and memory, and the admit
 * test when there is one), switched on or off alike, in scenario order; -1
 * when none fits.  This is how an IaaS provider's placement looks to its
 * tenants: the same instance type lands on whichever host generation has
 * room, so its performance varies from launch to launch, as Schad et al.
 * measured on EC2, where small instances ran on two processor generations
 * and gave a bimodal CPU performance [SDQ10].
 * The draw is the VM's own (dc_vm_load.draw, from dc_placement_draw): the
 * k-th host that fits, k = floor(draw x hosts that fit).  It comes from the
 * guest's own stream "<guest>/placement", seeded by the scenario's seed and
 * run index, so replications land differently, one seed lands the same
 * whatever the order of the scenario's entries or of the placements, and
 * adding a guest changes no other guest's draw.  A guest's draw is the same
 * at each of its placements in a run (the stream's first number): a
 * consolidation that moves it again picks the same fraction of the way
 * down the hosts that fit then.
 * Units: Hz, bytes as models/datacenter.h; the draw a fraction in [0, 1).
 * Invariants: the host returned passes dc_fits and `admit`; each of the m
 * hosts that fit is returned for a draw in [k/m, (k+1)/m). */
#include "models/placement_random.h"

#include "sim/rng.h"

/* 2^-53: a 53-bit integer times this is a double in [0, 1), exactly */
#define TWO_TO_MINUS_53 (1.0 / 9007199254740992.0)

double dc_placement_draw(uint64_t seed, uint32_t run_index, const char *guest) {
  /* the stream's seed is a SplitMix64 output, uniform over 64 bits: its top
   * 53 bits make the stream's first number, with no generator to allocate
   * at every placement */
  uint64_t bits = sim_rng_seed(seed, run_index, sim_rng_stream_id(guest, "placement"));
  return (double)(bits >> 11) * TWO_TO_MINUS_53;
}

/* The next host from `from` on that vm fits on and `admit` takes; -1: none. */
static long next_admitted(const dc_host_load *hosts, size_t n, const bool *excluded, const dc_room *room,
                          const dc_vm_load *vm, dc_admit_fn admit, void *ctx, size_t from) {
  for (long f = dc_next_fit(hosts, n, excluded, room, vm, from); f >= 0;
       f = dc_next_fit(hosts, n, excluded, room, vm, (size_t)f + 1))
    if (!admit || admit(ctx, (size_t)f, vm)) return f;
  return -1;
}

static long random_host(const dc_host_load *hosts, size_t n, const bool *excluded, const dc_room *room,
                        const dc_vm_load *vm, dc_admit_fn admit, void *ctx) {
  size_t fitting = 0;
  for (long f = next_admitted(hosts, n, excluded, room, vm, admit, ctx, 0); f >= 0;
       f = next_admitted(hosts, n, excluded, room, vm, admit, ctx, (size_t)f + 1))
    fitting++;
  if (fitting == 0) return -1;
  /* draw < 1, but draw x fitting may round up to fitting itself */
  size_t k = (size_t)(vm->draw * (double)fitting);
  if (k >= fitting) k = fitting - 1;
  long f = next_admitted(hosts, n, excluded, room, vm, admit, ctx, 0);
  for (; k > 0; k--) f = next_admitted(hosts, n, excluded, room, vm, admit, ctx, (size_t)f + 1);
  return f;
}

const dc_placement_ops placement_random_ops = {"random", false, random_host, true};
