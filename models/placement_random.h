/* models/placement_random.h: random placement (placement_random.c): the
 * draw each VM's placement picks its host by.
 * Units: a draw is a fraction in [0, 1).  Invariants: a guest's draw depends
 * only on the scenario's seed, the run index and the guest's name. */
#ifndef MODELS_PLACEMENT_RANDOM_H
#define MODELS_PLACEMENT_RANDOM_H
#include <stdint.h>

#include "models/datacenter.h"

/* Guest `guest`'s uniform draw in [0, 1) in the run of (seed, run_index):
 * the first number of its own stream "<guest>/placement" (sim/rng.h). */
double dc_placement_draw(uint64_t seed, uint32_t run_index, const char *guest);

#endif
