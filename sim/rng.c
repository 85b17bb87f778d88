/* sim/rng.c: order-independent random streams (see rng.h). */
#include "sim/rng.h"

/* FNV-1a, 64-bit (Fowler, Noll, Vo): a stable hash of the stream's name. */
static uint64_t fnv1a(uint64_t h, const char *s) {
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 0x100000001b3ULL;
  }
  return h;
}

uint64_t sim_rng_stream_id(const char *entity, const char *purpose) {
  uint64_t h = fnv1a(0xcbf29ce484222325ULL, entity);
  h = fnv1a(h, "/");
  return fnv1a(h, purpose);
}

/* SplitMix64 finaliser (Steele, Lea, Flood 2014): decorrelates nearby inputs. */
static uint64_t splitmix64(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

uint64_t sim_rng_seed(uint64_t scenario_seed, uint32_t run_index, uint64_t stream_id) {
  return splitmix64(splitmix64(splitmix64(scenario_seed) ^ run_index) ^ stream_id);
}

gsl_rng *sim_rng_new(uint64_t scenario_seed, uint32_t run_index, uint64_t stream_id) {
  gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
  if (!r) return NULL;
  /* mt19937 takes an unsigned long seed; 0 selects GSL's default seed, so fold
   * the 64-bit seed and avoid 0 to keep every stream distinct. */
  uint64_t s = sim_rng_seed(scenario_seed, run_index, stream_id);
  unsigned long seed = (unsigned long)(s ^ (s >> 32));
  gsl_rng_set(r, seed ? seed : 1);
  return r;
}
