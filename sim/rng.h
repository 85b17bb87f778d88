/* sim/rng.h: random-number streams.
 * Every entity draws from its own GSL stream, seeded from (scenario seed, run
 * index, stream id).  The stream id is a hash of the entity's name and the
 * stream's purpose, not a creation counter, so adding an entity or changing
 * the order in which entities are created leaves every other stream unchanged
 * (the ns-3 "seed, run" scheme, made order-independent). */
#ifndef SIM_RNG_H
#define SIM_RNG_H
#include <stdint.h>

#include <gsl/gsl_rng.h>

/* Stable 64-bit id of a stream: FNV-1a of "<entity>/<purpose>". */
uint64_t sim_rng_stream_id(const char *entity, const char *purpose);
/* The seed of a stream: a SplitMix64 mix of the three inputs. */
uint64_t sim_rng_seed(uint64_t scenario_seed, uint32_t run_index, uint64_t stream_id);
/* A new generator (gsl_rng_mt19937) for the stream; NULL when out of memory.
 * Free with gsl_rng_free. */
gsl_rng *sim_rng_new(uint64_t scenario_seed, uint32_t run_index, uint64_t stream_id);

#endif
