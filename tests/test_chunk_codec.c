/* tests/test_chunk_codec.c: the recorder's chunk coder (sim/chunk_codec.c)
 * on its own: each chunk it makes is inflated by zlib (its checksum
 * checked) and unshuffled, and must give back every byte of its rows; the
 * planes that repeat (the low byte of ids rising by a fixed step, sample
 * after sample) are coded at level 1 as a block of the fixed code, with
 * matches of every length and of distances of every code; planes that do
 * not repeat as blocks of their literals under their own code (its depth
 * limited) or stored, runs set among them as run blocks, planes of a fixed
 * step or of long repeats to zlib; runs, repeats, literals and the padding of a short last
 * chunk side by side.  Units: bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "sim/alloc.h"
#include "sim/chunk_codec.h"
#include "tests/cunit_main.h"

/* Inflates the len bytes at out and checks every byte of the `rows` rows
 * of row_bytes at data against them, unshuffled (chunk_rows a plane). */
static void check_chunk(const unsigned char *out, size_t len, const unsigned char *data, size_t rows,
                        size_t chunk_rows, size_t row_bytes) {
  uLongf plain_len = (uLongf)(chunk_rows * row_bytes);
  unsigned char *plain = sim_malloc(plain_len);
  CU_ASSERT_FATAL(plain != NULL);
  CU_ASSERT_EQUAL_FATAL(uncompress(plain, &plain_len, out, (uLong)len), Z_OK);
  CU_ASSERT_EQUAL(plain_len, chunk_rows * row_bytes);
  size_t wrong = 0; /* byte j of row i is at j chunk_rows + i (HDF5's shuffle) */
  for (size_t i = 0; i < rows; i++)
    for (size_t j = 0; j < row_bytes; j++) wrong += plain[j * chunk_rows + i] != data[i * row_bytes + j];
  CU_ASSERT_EQUAL(wrong, 0);
  sim_free(plain);
}

/* Encodes `rows` rows of row_bytes at data as a chunk of chunk_rows rows at
 * `level`, inflates it and checks every byte of the rows; the type of the
 * stream's first block (RFC 1951 BTYPE) in *first_btype, its length in
 * *packed_len. */
static void round_trip(const unsigned char *data, size_t rows, size_t chunk_rows, size_t row_bytes,
                       int level, int *first_btype, size_t *packed_len) {
  sim_chunk_codec c = {0};
  c.level = level;
  const unsigned char *out = NULL;
  size_t len = 0;
  CU_ASSERT_EQUAL_FATAL(sim_chunk_encode(&c, NULL, data, rows, chunk_rows, row_bytes, &out, &len), 0);
  CU_ASSERT_FATAL(len > 6);
  if (first_btype) *first_btype = (out[2] >> 1) & 3;
  if (packed_len) *packed_len = len;
  check_chunk(out, len, data, rows, chunk_rows, row_bytes);
  sim_chunk_codec_free(&c);
}

/* 64-bit LCG (Knuth's MMIX constants). */
static uint64_t next_random(uint64_t *x) {
  *x = *x * 6364136223846793005ULL + 1442695040888963407ULL;
  return *x >> 33;
}

/* Puts p's n bytes in a random order (Fisher-Yates, drawn from seed). */
static void shuffle(unsigned char *p, size_t n, uint64_t seed) {
  for (size_t i = n; i-- > 1;) {
    size_t j = next_random(&seed) % (i + 1);
    unsigned char t = p[i];
    p[i] = p[j], p[j] = t;
  }
}

/* The low bytes of a series' entity ids: samples of groups of guests whose
 * ids rise by 3 or 5, fewer guests each sample. */
static size_t sampled_ids(unsigned char *out, size_t n) {
  size_t k = 0;
  for (size_t sample = 0; k < n; sample++) {
    uint32_t id = 1000;
    size_t groups[3][2] = {{1000 - 10 * sample, 3}, {960, 5}, {700, 3}};
    for (int g = 0; g < 3; g++) {
      for (size_t i = 0; i < groups[g][0] && k < n; i++, id += (uint32_t)groups[g][1]) out[k++] = (unsigned char)id;
      id += 7919; /* the next template's first id */
    }
  }
  return k;
}

/* One plane of sampled ids: a block of repeats (the fixed code) that
 * inflates to every byte, in far fewer bytes than the plane; zlib's own
 * stream (a dynamic block) at level 6. */
static void test_repeats_of_ids(void) {
  const size_t rows = 13107;
  unsigned char *ids = sim_malloc(rows);
  CU_ASSERT_FATAL(ids != NULL);
  sampled_ids(ids, rows);
  int btype = -1;
  size_t len = 0;
  round_trip(ids, rows, rows, 1, 1, &btype, &len);
  CU_ASSERT_EQUAL(btype, 1);
  CU_ASSERT(len < rows / 8);
  round_trip(ids, rows, rows, 1, 6, &btype, NULL);
  CU_ASSERT_EQUAL(btype, 2);
  sim_free(ids);
}

/* Copies of earlier bytes of random lengths 3 .. 258 at distances drawn
 * from every distance code's range (1 .. 32768), each followed by a byte
 * that ends it: the matches the block codes have every length code and
 * distance code, extra bits at both ends of their ranges. */
static void test_repeats_every_length_and_distance(void) {
  const size_t rows = 65000;
  unsigned char *p = sim_malloc(rows);
  CU_ASSERT_FATAL(p != NULL);
  uint64_t x = 4242;
  size_t k = 0;
  while (k < 300) p[k++] = (unsigned char)next_random(&x);
  for (unsigned copy = 0; k < rows; copy++) {
    unsigned code = copy % 30; /* distance code: base 2^(code/2 - 1) (2 + code % 2) + 1, code >= 4 */
    size_t lo = code < 4 ? code + 1 : ((size_t)(2 + code % 2) << (code / 2 - 1)) + 1;
    size_t hi = code < 4 ? lo : lo + ((size_t)1 << (code / 2 - 1)) - 1;
    size_t dist = copy % 3 == 0 ? lo : copy % 3 == 1 ? hi : lo + next_random(&x) % (hi - lo + 1);
    size_t len = copy % 7 == 0 ? 3 + copy % 9 : copy % 7 == 1 ? 258 : 3 + next_random(&x) % 256;
    if (dist > k) dist = 1 + k / 2;
    for (size_t i = 0; i < len && k < rows; i++, k++) p[k] = p[k - dist];
    if (k < rows) p[k] = (unsigned char)(p[k - dist] + 1 + next_random(&x) % 255), k++;
  }
  int btype = -1;
  round_trip(p, rows, rows, 1, 1, &btype, NULL);
  CU_ASSERT_EQUAL(btype, 1);
  sim_free(p);
}

/* Random bytes have too many literals for a block of repeats, and a code
 * of their own saves nothing: a stored block at level 1, zlib's stream at
 * level 6; they come back. */
static void test_no_repeats_stored(void) {
  const size_t rows = 20000;
  unsigned char *p = sim_malloc(rows);
  CU_ASSERT_FATAL(p != NULL);
  uint64_t x = 99;
  for (size_t i = 0; i < rows; i++) p[i] = (unsigned char)next_random(&x);
  int btype = -1;
  round_trip(p, rows, rows, 1, 1, &btype, NULL);
  CU_ASSERT_EQUAL(btype, 0);
  round_trip(p, rows, rows, 1, 6, &btype, NULL);
  CU_ASSERT(btype == 0 || btype == 2);
  sim_free(p);
}

/* A plane of random bytes that come again 1500 bytes on, over and over
 * (a stretch of a recording repeated): too many literals before the first
 * repeat for the coder of repeats, yet long matches for zlib, to which the
 * match probe leaves it at level 1: a quarter of the bytes at most, where
 * a block of its literals would take them all; every byte back. */
static void test_long_repeats_to_zlib(void) {
  const size_t rows = 20000, period = 1500;
  unsigned char *p = sim_malloc(rows);
  CU_ASSERT_FATAL(p != NULL);
  uint64_t x = 23;
  for (size_t i = 0; i < rows; i++) p[i] = i < period ? (unsigned char)next_random(&x) : p[i - period];
  size_t len = 0;
  round_trip(p, rows, rows, 1, 1, NULL, &len);
  CU_ASSERT(len < rows / 4);
  sim_free(p);
}

/* A plane of names' bytes chosen among two at random: at level 1 a block
 * of its literals under its own code (a dynamic block): codes of 1 and 2
 * bits (the end of the block takes one of 2), a bit and a half a byte;
 * every byte back. */
static void test_literals_of_few_values(void) {
  const size_t rows = 20000;
  unsigned char *p = sim_malloc(rows);
  CU_ASSERT_FATAL(p != NULL);
  uint64_t x = 7;
  for (size_t i = 0; i < rows; i++) p[i] = next_random(&x) % 2 ? 'w' : 'd';
  int btype = -1;
  size_t len = 0;
  round_trip(p, rows, rows, 1, 1, &btype, &len);
  CU_ASSERT_EQUAL(btype, 2);
  CU_ASSERT(len < rows * 3 / 16 + 64);
  sim_free(p);
}

/* Byte values of Fibonacci frequencies (1, 1, 2, 3, 5 ...) in random
 * order: their Huffman code would be deeper than the 15 bits deflate
 * allows, and is made again of halved frequencies; every byte back. */
static void test_literals_code_limited(void) {
  size_t rows = 0, f[24] = {1, 1};
  for (int k = 2; k < 24; k++) f[k] = f[k - 1] + f[k - 2];
  for (int k = 0; k < 24; k++) rows += f[k];
  unsigned char *p = sim_malloc(rows);
  CU_ASSERT_FATAL(p != NULL);
  size_t at = 0;
  for (int k = 0; k < 24; k++)
    for (size_t i = 0; i < f[k]; i++) p[at++] = (unsigned char)(40 + 3 * k);
  shuffle(p, rows, 11);
  int btype = -1;
  round_trip(p, rows, rows, 1, 1, &btype, NULL);
  CU_ASSERT_EQUAL(btype, 2);
  sim_free(p);
}

/* Fifteen values once each, then values 16, 32, ... 16384 times in random
 * order: with the end of block, an optimal code of depth 15, which the
 * coder limits to 14 bits so that four codes and the bits pending fit the
 * word it writes them from: the fifteen, first and side by side, come
 * back. */
static void test_literals_longest_side_by_side(void) {
  size_t rows = 15;
  for (int k = 0; k < 11; k++) rows += (size_t)16 << k;
  unsigned char *p = sim_malloc(rows);
  CU_ASSERT_FATAL(p != NULL);
  size_t at = 0;
  for (int k = 0; k < 15; k++) p[at++] = (unsigned char)k;
  for (int k = 0; k < 11; k++)
    for (size_t i = 0; i < (size_t)16 << k; i++) p[at++] = (unsigned char)(100 + k);
  shuffle(p + 15, rows - 15, 13); /* past the fifteen */
  int btype = -1;
  round_trip(p, rows, rows, 1, 1, &btype, NULL);
  CU_ASSERT_EQUAL(btype, 2);
  sim_free(p);
}

/* Rows of a request (name byte among a few, a constant byte whose run is
 * short and set among the planes, an id's low byte rising by 1, a random
 * byte): literal blocks, a run block between them, zlib for the ids, a
 * stored block; whole and short last chunks, every byte back. */
static void test_request_rows(void) {
  const size_t chunk_rows = 1000, row_bytes = 4;
  const size_t sizes[] = {chunk_rows, 700, 130, 3};
  unsigned char *rows = sim_malloc(chunk_rows * row_bytes);
  CU_ASSERT_FATAL(rows != NULL);
  uint64_t x = 21;
  for (size_t i = 0; i < chunk_rows; i++) {
    unsigned char *r = rows + i * row_bytes;
    r[0] = (unsigned char)("wdmbx"[next_random(&x) % 5]);
    r[1] = 'e';
    r[2] = (unsigned char)(i + 17);
    r[3] = (unsigned char)next_random(&x);
  }
  size_t len = 0;
  for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
    round_trip(rows, sizes[s], chunk_rows, row_bytes, 1, NULL, s == 0 ? &len : NULL);
  /* the random plane stored (1,000 bytes), the names' about 2.3 bits a
   * byte; the ids in a few hundred bytes only as zlib finds their period */
  CU_ASSERT(len < 1900);
  sim_free(rows);
}

/* Rows of a series (time 8, entity 4, value 8 bytes): a time that stays put
 * for a sample, sampled ids, values that hold for a while; whole chunks and
 * short last ones (their padding a run after the repeats), at levels 1 and
 * 6, every byte back. */
static void test_series_rows(void) {
  const size_t chunk_rows = 13107, row_bytes = 20;
  const size_t sizes[] = {chunk_rows, 5000, 300, 2};
  unsigned char *ids = sim_malloc(chunk_rows), *rows = sim_malloc(chunk_rows * row_bytes);
  CU_ASSERT_FATAL(ids && rows);
  sampled_ids(ids, chunk_rows);
  uint64_t x = 5;
  double value = 0.25;
  for (size_t i = 0; i < chunk_rows; i++) {
    int64_t t = (int64_t)(i / 2660) * 1000000000;
    int32_t e = 1000 + ids[i];
    if (next_random(&x) % 300 == 0) value = (double)next_random(&x) / 7.0;
    memcpy(rows + i * row_bytes, &t, 8);
    memcpy(rows + i * row_bytes + 8, &e, 4);
    memcpy(rows + i * row_bytes + 12, &value, 8);
  }
  for (int level = 1; level <= 6; level += 5)
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
      round_trip(rows, sizes[s], chunk_rows, row_bytes, level, NULL, NULL);
  sim_free(ids);
  sim_free(rows);
}

/* ---- a dataset's memory (sim_chunk_memory), chunk after chunk ---- */

/* One dataset of one-byte rows coded chunk after chunk at level 1 with its
 * memory, each chunk checked as it comes. */
typedef struct dataset {
  sim_chunk_codec codec;
  sim_chunk_memory memory;
} dataset;

/* The next chunk of n one-byte rows at p through d (its memory, or none
 * when `fresh`: a dataset's first chunk): its bytes, a copy (sim_free), and
 * their length in *len; every byte checked. */
static unsigned char *next_chunk(dataset *d, const unsigned char *p, size_t n, int fresh, size_t *len) {
  const unsigned char *out = NULL;
  d->codec.level = 1;
  CU_ASSERT_EQUAL_FATAL(sim_chunk_encode(&d->codec, fresh ? NULL : &d->memory, p, n, n, 1, &out, len), 0);
  check_chunk(out, *len, p, n, n, 1);
  unsigned char *copy = sim_malloc(*len);
  CU_ASSERT_FATAL(copy != NULL);
  memcpy(copy, out, *len);
  return copy;
}

/* Frees what dataset d holds: its memory and its codec. */
static void dataset_free(dataset *d) {
  sim_chunk_memory_free(&d->memory);
  sim_chunk_codec_free(&d->codec);
}

/* Whether chunk p of n rows comes out of a dataset (memory) that coded
 * `before` first, as it does from a dataset's first chunk; every chunk is
 * checked by inflating it. */
static int same_as_first(const unsigned char *before, const unsigned char *p, size_t n) {
  dataset d = {0}, fresh = {0};
  size_t len = 0, fresh_len = 0;
  sim_free(next_chunk(&d, before, n, 0, &len));
  unsigned char *out = next_chunk(&d, p, n, 0, &len), *fresh_out = next_chunk(&fresh, p, n, 1, &fresh_len);
  int same = len == fresh_len && !memcmp(out, fresh_out, len);
  sim_free(out);
  sim_free(fresh_out);
  dataset_free(&d);
  sim_chunk_codec_free(&fresh.codec);
  return same;
}

/* n bytes drawn from the `values` values from `first` up, value k (from 0)
 * `weight[k]` times as often as a value of weight 1. */
static void draw(unsigned char *p, size_t n, unsigned first, unsigned values, const unsigned *weight,
                 uint64_t seed) {
  unsigned total = 0;
  for (unsigned k = 0; k < values; k++) total += weight ? weight[k] : 1;
  for (size_t i = 0; i < n; i++) {
    unsigned r = (unsigned)(next_random(&seed) % total), k = 0;
    for (; r >= (weight ? weight[k] : 1); k++) r -= weight ? weight[k] : 1;
    p[i] = (unsigned char)(first + k);
  }
}

/* A plane of `values` literals, value k 2^k units times (the end of the
 * block once), so that its code's lengths run 1, 2, ... values, into p (n
 * bytes, 2^values - 1 units of a multiple of 8): in random order, the
 * rarest literal in bursts of 8 (its codes side by side at every bit
 * offset). */
static void geometric_plane(unsigned char *p, size_t n, unsigned values, uint64_t seed) {
  size_t unit = n / (((size_t)1 << values) - 1), tokens = 0;
  unsigned char *token = sim_malloc(n); /* a byte each, or 0 for a burst of the rarest */
  CU_ASSERT_FATAL(token != NULL);
  for (size_t i = 0; i < unit / 8; i++) token[tokens++] = 0;
  for (unsigned k = 1; k < values; k++)
    for (size_t i = 0; i < unit << k; i++) token[tokens++] = (unsigned char)('a' + k);
  shuffle(token, tokens, seed);
  for (size_t k = 0, at = 0; k < tokens; k++)
    if (token[k]) {
      p[at++] = token[k];
    } else {
      memset(p + at, 'a', 8);
      at += 8;
    }
  sim_free(token);
}

/* Codes of at most 7 bits go eight to a word, longer ones four: planes
 * whose longest code is 7 bits, and 8, with the longest codes eight side
 * by side at every offset, as a first chunk and again with the code kept
 * from the one before; every byte back. */
static void test_literals_eight_to_a_word(void) {
  for (unsigned values = 7; values <= 8; values++) {
    size_t n = (((size_t)1 << values) - 1) * (values == 7 ? 128 : 64);
    unsigned char *a = sim_malloc(n), *b = sim_malloc(n);
    CU_ASSERT_FATAL(a && b);
    geometric_plane(a, n, values, 41 + values);
    geometric_plane(b, n, values, 43 + values);
    int btype = -1;
    round_trip(a, n, n, 1, 1, &btype, NULL);
    CU_ASSERT_EQUAL(btype, 2);
    dataset d = {0};
    size_t len = 0, kept_len = 0;
    sim_free(next_chunk(&d, a, n, 0, &len));
    sim_free(next_chunk(&d, b, n, 0, &kept_len));
    CU_ASSERT(kept_len < n / 3);
    dataset_free(&d);
    sim_free(a);
    sim_free(b);
  }
}

/* A plane of three names' bytes, the first the most frequent, then one in
 * which the second is, barely: the code kept from the first (1 bit for the
 * first name) serves the second within a bit a byte in 32, and is used
 * again, where a chunk of its own makes a code of its own; a name the
 * first chunk lacked has no code kept, and a code is made; so is one for
 * six names whose frequencies turn around (the code kept, made for the
 * first most often, would take far more bits a byte than it did). */
static void test_memory_keeps_code(void) {
  const size_t n = 12000;
  const unsigned first[] = {34, 33, 33}, second[] = {33, 34, 33};
  const unsigned six[] = {40, 20, 10, 10, 10, 10}, turned[] = {10, 10, 10, 10, 20, 40};
  unsigned char *a = sim_malloc(n), *b = sim_malloc(n), *c = sim_malloc(n);
  CU_ASSERT_FATAL(a && b && c);
  draw(a, n, 'a', 3, first, 1);
  draw(b, n, 'a', 3, second, 2);
  CU_ASSERT(!same_as_first(a, b, n));
  memcpy(c, b, n);
  c[n / 2] = 'z'; /* once: a value with no code in the kept one */
  CU_ASSERT(same_as_first(a, c, n));
  draw(a, n, 'a', 6, six, 3);
  draw(c, n, 'a', 6, turned, 4);
  CU_ASSERT(same_as_first(a, c, n));
  sim_free(a);
  sim_free(b);
  sim_free(c);
}

/* A code kept that serves is made anew only once in SIM_CHUNK_CODE_EVERY
 * chunks, not when the plane is due a probe: the plane the code was not
 * made for comes out as from a first chunk at that chunk only. */
static void test_memory_code_made_every(void) {
  const size_t n = 12000;
  const unsigned first[] = {34, 33, 33}, second[] = {33, 34, 33};
  unsigned char *a = sim_malloc(n), *b = sim_malloc(n);
  CU_ASSERT_FATAL(a && b);
  draw(a, n, 'a', 3, first, 1);
  draw(b, n, 'a', 3, second, 2);
  dataset d = {0}, fresh = {0};
  size_t len = 0, fresh_len = 0;
  unsigned char *fresh_out = next_chunk(&fresh, b, n, 1, &fresh_len);
  sim_free(next_chunk(&d, a, n, 0, &len));
  int kept_at_probe = 0, made_at_code = 0;
  for (int k = 1; k <= SIM_CHUNK_CODE_EVERY; k++) {
    unsigned char *out = next_chunk(&d, b, n, 0, &len);
    int same = len == fresh_len && !memcmp(out, fresh_out, len);
    if (k == SIM_CHUNK_PROBE_EVERY) kept_at_probe = !same;
    if (k == SIM_CHUNK_CODE_EVERY) made_at_code = same;
    sim_free(out);
  }
  CU_ASSERT(SIM_CHUNK_CODE_EVERY > SIM_CHUNK_PROBE_EVERY);
  CU_ASSERT(kept_at_probe);
  CU_ASSERT(made_at_code);
  sim_free(fresh_out);
  dataset_free(&d);
  sim_chunk_codec_free(&fresh.codec);
  sim_free(a);
  sim_free(b);
}

/* A plane of 200 values has a code for every value: a chunk that brings a
 * few values the first lacked is coded with the code kept. */
static void test_memory_code_of_many_values(void) {
  const size_t n = 8000;
  unsigned char *a = sim_malloc(n), *b = sim_malloc(n);
  CU_ASSERT_FATAL(a && b);
  draw(a, n, 0, 200, NULL, 3);
  draw(b, n, 0, 200, NULL, 4);
  for (size_t i = 0; i < 5; i++) b[i * 1000] = (unsigned char)(250 + i);
  CU_ASSERT(!same_as_first(a, b, n));
  sim_free(a);
  sim_free(b);
}

/* Random bytes are stored; a dataset's next plane of few values is then
 * stored too (no code to keep, none made), far longer than its own code
 * would make it, until the plane is due a code again: at the dataset's
 * SIM_CHUNK_PROBE_EVERY-th chunk it comes out as from a first chunk. */
static void test_memory_stored_until_due(void) {
  const size_t n = 6000;
  unsigned char *noise = sim_malloc(n), *few = sim_malloc(n);
  CU_ASSERT_FATAL(noise && few);
  draw(noise, n, 0, 256, NULL, 5);
  draw(few, n, 'a', 2, NULL, 6);
  dataset d = {0}, fresh = {0};
  size_t len = 0, fresh_len = 0;
  sim_free(next_chunk(&d, noise, n, 0, &len));
  unsigned char *fresh_out = next_chunk(&fresh, few, n, 1, &fresh_len);
  for (int k = 1; k <= SIM_CHUNK_PROBE_EVERY; k++) {
    unsigned char *out = next_chunk(&d, few, n, 0, &len);
    if (k < SIM_CHUNK_PROBE_EVERY) {
      CU_ASSERT(len > n);
    } else {
      CU_ASSERT(len == fresh_len && !memcmp(out, fresh_out, len));
    }
    sim_free(out);
  }
  CU_ASSERT(fresh_len < n / 4);
  sim_free(fresh_out);
  dataset_free(&d);
  sim_chunk_codec_free(&fresh.codec);
  sim_free(noise);
  sim_free(few);
}

/* A plane whose random bytes recur 1,500 bytes on goes to zlib (the probe
 * finds its long matches); the dataset's next plane, of few values, goes
 * there too, as the probe is not run again before it is due, where a
 * chunk of its own is a block of literals. */
static void test_memory_keeps_probe(void) {
  const size_t n = 20000, period = 1500;
  unsigned char *recurs = sim_malloc(n), *few = sim_malloc(n);
  CU_ASSERT_FATAL(recurs && few);
  draw(recurs, period, 0, 256, NULL, 7);
  for (size_t i = period; i < n; i++) recurs[i] = recurs[i - period];
  draw(few, n, 'a', 2, NULL, 8);
  CU_ASSERT(!same_as_first(recurs, few, n));
  sim_free(recurs);
  sim_free(few);
}

/* A plane of 64 values, a third of whose bytes start 3 that came 4 to 32
 * bytes before, goes to zlib (the probe finds its short matches close by);
 * the dataset's next plane, of two values, goes there too on the probe's
 * word, and zlib takes more of it than its literals would: the plane after,
 * of two values again, is then literals, as in a first chunk. */
static void test_memory_drops_probe_zlib_lost(void) {
  const size_t n = 12000;
  unsigned char *near = sim_malloc(n), *few = sim_malloc(n);
  CU_ASSERT_FATAL(near && few);
  draw(near, n, 0, 64, NULL, 51);
  uint64_t x = 53;
  for (size_t i = 32; i + 3 <= n; i++)
    if (next_random(&x) % 3 == 0) memcpy(near + i, near + i - 4 - next_random(&x) % 29, 3), i += 2;
  draw(few, n, 0, 2, NULL, 52);
  dataset d = {0}, fresh = {0};
  size_t len = 0, fresh_len = 0;
  sim_free(next_chunk(&d, near, n, 0, &len));
  CU_ASSERT(len < n * 6 / 8); /* zlib's matches: under the 6 bits a byte of literals */
  unsigned char *fresh_out = next_chunk(&fresh, few, n, 1, &fresh_len);
  unsigned char *out = next_chunk(&d, few, n, 0, &len);
  CU_ASSERT(len > fresh_len); /* zlib, on the probe's word */
  sim_free(out);
  out = next_chunk(&d, few, n, 0, &len);
  CU_ASSERT(len == fresh_len && !memcmp(out, fresh_out, len));
  sim_free(out);
  sim_free(fresh_out);
  dataset_free(&d);
  sim_chunk_codec_free(&fresh.codec);
  sim_free(near);
  sim_free(few);
}

/* Random bytes do not fit a block of repeats; the dataset's next plane,
 * sampled ids that would, is not tried as one before it is due: not a
 * block of the fixed code, as it is in a first chunk. */
static void test_memory_keeps_no_repeats(void) {
  const size_t n = 13107;
  unsigned char *noise = sim_malloc(n), *ids = sim_malloc(n);
  CU_ASSERT_FATAL(noise && ids);
  draw(noise, n, 0, 256, NULL, 9);
  sampled_ids(ids, n);
  dataset d = {0}, fresh = {0};
  size_t len = 0, fresh_len = 0;
  sim_free(next_chunk(&d, noise, n, 0, &len));
  unsigned char *out = next_chunk(&d, ids, n, 0, &len), *fresh_out = next_chunk(&fresh, ids, n, 1, &fresh_len);
  CU_ASSERT_EQUAL((fresh_out[2] >> 1) & 3, 1);
  CU_ASSERT_NOT_EQUAL((out[2] >> 1) & 3, 1);
  sim_free(out);
  sim_free(fresh_out);
  dataset_free(&d);
  sim_chunk_codec_free(&fresh.codec);
  sim_free(noise);
  sim_free(ids);
}

/* Request rows (names among a few, a constant, ids, random bytes, values
 * of many kinds) chunk after chunk, whole and a short last one, through two
 * datasets: the same bytes each time, and every chunk back. */
static void test_memory_deterministic(void) {
  const size_t chunk_rows = 900, row_bytes = 6, chunks = 20;
  unsigned char *rows = sim_malloc(chunk_rows * row_bytes * chunks);
  CU_ASSERT_FATAL(rows != NULL);
  uint64_t x = 31;
  for (size_t i = 0; i < chunk_rows * chunks; i++) {
    unsigned char *r = rows + i * row_bytes;
    size_t phase = i / (chunk_rows * 5); /* the columns change character every 5 chunks */
    r[0] = (unsigned char)("wdmbx"[next_random(&x) % (2 + phase)]);
    r[1] = 'e';
    r[2] = (unsigned char)(i + 17);
    r[3] = (unsigned char)next_random(&x);
    r[4] = (unsigned char)(phase % 2 ? next_random(&x) % 7 : r[3]);
    r[5] = (unsigned char)(phase % 2 ? i / 3 : next_random(&x) % 200);
  }
  sim_chunk_codec c[2] = {{0}, {0}};
  sim_chunk_memory m[2] = {{0}, {0}};
  for (size_t k = 0; k < chunks; k++) {
    const unsigned char *data = rows + k * chunk_rows * row_bytes, *out[2];
    size_t n = k + 1 < chunks ? chunk_rows : 77, len[2];
    for (int d = 0; d < 2; d++) {
      c[d].level = 1;
      CU_ASSERT_EQUAL_FATAL(sim_chunk_encode(&c[d], &m[d], data, n, chunk_rows, row_bytes, &out[d], &len[d]), 0);
      check_chunk(out[d], len[d], data, n, chunk_rows, row_bytes);
    }
    CU_ASSERT(len[0] == len[1] && !memcmp(out[0], out[1], len[0]));
  }
  for (int d = 0; d < 2; d++) {
    sim_chunk_memory_free(&m[d]);
    sim_chunk_codec_free(&c[d]);
  }
  sim_free(rows);
}

int register_tests(void) {
  static const test_case tests[] = {
      {"sampled ids coded as repeats, read back", test_repeats_of_ids},
      {"repeats of every length and distance code", test_repeats_every_length_and_distance},
      {"bytes that do not repeat: stored at level 1", test_no_repeats_stored},
      {"long repeats left to zlib at level 1", test_long_repeats_to_zlib},
      {"a plane of few values as a block of its literals", test_literals_of_few_values},
      {"a code too deep for deflate made again", test_literals_code_limited},
      {"the longest codes side by side", test_literals_longest_side_by_side},
      {"request rows: literals, runs, zlib, stored", test_request_rows},
      {"series rows: runs, repeats, padding", test_series_rows},
      {"a plane's code kept for the next chunk", test_memory_keeps_code},
      {"codes of 7 bits eight to a word, of 8 four", test_literals_eight_to_a_word},
      {"a code of many values kept for values it lacked", test_memory_code_of_many_values},
      {"a code kept made anew once in SIM_CHUNK_CODE_EVERY chunks", test_memory_code_made_every},
      {"stored planes stored until due a code", test_memory_stored_until_due},
      {"the match probe's verdict kept", test_memory_keeps_probe},
      {"the probe's verdict dropped where zlib did worse", test_memory_drops_probe_zlib_lost},
      {"a block of repeats that did not fit not tried again", test_memory_keeps_no_repeats},
      {"chunk after chunk: the same bytes, every byte back", test_memory_deterministic},
      {NULL, NULL}};
  return add_suite("chunk codec", tests);
}
