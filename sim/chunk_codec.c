/* sim/chunk_codec.c: HDF5's shuffle and deflate filters applied to a whole
 * chunk at once (see chunk_codec.h), cheaper per byte than the library's
 * filters on the recorder's data: a byte plane that is one byte repeated
 * (times that stay put within a chunk, high bytes of ids, values that are
 * 0) is set rather than shuffled, deflated with the run-length strategy
 * rather than searched at the level asked for, and checksummed in closed
 * form.  Units: bytes.  Invariant: the output is one standard zlib stream
 * (RFC 1950) of the shuffled chunk, which HDF5's deflate filter decodes. */
#include "sim/chunk_codec.h"

#include <assert.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "sim/alloc.h"

/* Sets varied[j] (j < size) when byte j of some row of `in` (rows rows of
 * size bytes) differs from byte j of row 0; the other planes of the
 * shuffled chunk are that byte repeated, and need no shuffling.  Compared a
 * 64-bit word at a time: the rows are taken in blocks of `period` bytes, a
 * multiple of both 8 and size, each word against the same word of the first
 * block; the rows of the first block and those past the last whole block
 * are compared with row 0 byte by byte.  `acc` holds period / 8 words. */
static void find_varied(const unsigned char *in, size_t rows, size_t size, uint64_t *acc,
                        unsigned char *varied) {
  size_t g = size % 8 == 0 ? 8 : size % 4 == 0 ? 4 : size % 2 == 0 ? 2 : 1;
  size_t period = size * (8 / g), words = period / 8, total = rows * size;
  memset(varied, 0, size);
  memset(acc, 0, words * sizeof *acc);
  size_t blocks = total / period, first = period < total ? period : total;
  for (size_t b = 1; b < blocks; b++) {
    const unsigned char *block = in + b * period;
    for (size_t k = 0; k < words; k++) {
      uint64_t x, y;
      memcpy(&x, block + 8 * k, 8);
      memcpy(&y, in + 8 * k, 8);
      acc[k] |= x ^ y;
    }
  }
  for (size_t o = 0; o < period && blocks > 1; o++)
    if ((acc[o / 8] >> (8 * (o % 8))) & 0xff) varied[o % size] = 1;
  /* the first block's rows (every whole block was compared with them) and
   * the rows past the whole blocks, against row 0 */
  for (size_t o = size; o < first; o++) varied[o % size] |= in[o] != in[o % size];
  for (size_t o = blocks > 1 ? blocks * period : first; o < total; o++)
    varied[o % size] |= in[o] != in[o % size];
}

/* Whether the n bytes at p are all the same. */
static int is_run(const unsigned char *p, size_t n) {
  return n == 0 || (p[0] == p[n - 1] && !memcmp(p, p + 1, n - 1));
}

/* Runs of RUN_BYTES bytes or more on average make a plane one for the
 * run-length strategy: its runs cost a match each there as they do at any
 * level, without the search. */
#define RUN_BYTES 64

/* How a plane of n bytes is best deflated: 2 when it is one byte repeated,
 * 1 when it is made of runs of RUN_BYTES bytes on average (a time that
 * changes once within the chunk, the second byte of consecutive ids), 0
 * otherwise. */
static int plane_runs(const unsigned char *p, size_t n) {
  if (is_run(p, n)) return 2;
  size_t changes = 0, most = n / RUN_BYTES;
  for (size_t i = 1; i < n && changes <= most; i++) changes += p[i] != p[i - 1];
  return changes <= most;
}

/* The Adler-32 checksum (RFC 1950) of n bytes all equal to c, continuing
 * from `adler`: the running sums in closed form, a += n c and
 * b += n a + c n (n + 1) / 2, modulo 65521. */
static uint32_t adler32_run(uint32_t adler, unsigned char c, size_t n) {
  const uint64_t mod = 65521;
  uint64_t a = adler & 0xffff, b = adler >> 16, nn = n % mod;
  uint64_t tri = (n % 2 ? (uint64_t)n * ((n + 1) / 2) : (uint64_t)(n / 2) * (n + 1)) % mod;
  b = (b + nn * a + c * tri) % mod;
  a = (a + nn * c) % mod;
  return (uint32_t)(b << 16 | a);
}

/* zlib's memory level: a hash table of 2^(MEM_LEVEL + 7) heads, cleared at
 * every chunk (deflateReset), and a block every 2^(MEM_LEVEL + 6) symbols
 * at most.  The default, 8, clears 64 KiB per chunk, as much as the chunk
 * (recorder_internal.h CHUNK_BYTES); the planes that are not runs are short
 * (a chunk's rows), so a smaller table finds the same matches. */
#define MEM_LEVEL 5
#define BLOCK_SYMBOLS ((size_t)1 << (MEM_LEVEL + 6))

/* Deflates the shuffled chunk (`bytes` bytes in c->n_segs segments, each of
 * the kind plane_runs says) into c->packed as one zlib stream (RFC 1950,
 * what HDF5's deflate filter writes and reads); its length in *len.  A run
 * of segments that are each one byte repeated (a column's high bytes, a time
 * that stays put within the chunk, a value that is 0, the padding of a
 * dataset's short last chunk) is coded with the run-length strategy (Z_RLE:
 * distance-1 matches, what any level finds in a run, with no hash chain to
 * maintain); the other segments at the recorder's level.  Switching ends a
 * deflate block (deflateParams), which costs a block header.  The stream's
 * header and checksum are written here around zlib's raw deflate data, so
 * that a run's checksum comes in closed form instead of byte by byte. */
static int deflate_chunk(sim_chunk_codec *c, size_t bytes, size_t *len) {
  z_stream *zs = &c->zs;
  if (!c->zs_ready) {
    memset(zs, 0, sizeof *zs);
    if (deflateInit2(zs, c->level, Z_DEFLATED, -15, MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
      return -1;
    c->zs_ready = 1;
  } else if (deflateReset(zs) != Z_OK) {
    return -1;
  }
  /* Room for all of it: deflate picks, for every block, the smallest of a
   * stored, a fixed and a dynamic block, so a block costs at most its bytes
   * and 5 more; blocks end at every switch of strategy and every
   * BLOCK_SYMBOLS - 1 symbols (zlib's literal buffer), a symbol being a byte
   * or more.  Beside that, the stream's 2-byte header and 4-byte checksum. */
  size_t room = deflateBound(zs, (uLong)bytes) +
                5 * (2 * c->n_segs + bytes / (BLOCK_SYMBOLS / 2) + 2) + 6;
  if (sim_grow((void **)&c->packed, &c->cap_packed, room, 1) < 0) return -1;
  zs->next_out = c->packed;
  zs->avail_out = (uInt)room;
  /* the header zlib writes: deflate with a 32 KiB window, the level's flag */
  unsigned header = (Z_DEFLATED + ((15 - 8) << 4)) << 8;
  header |= (unsigned)(c->level < 2 ? 0 : c->level < 6 ? 1 : c->level == 6 ? 2 : 3) << 6;
  header += 31 - header % 31;
  zs->next_out[0] = (unsigned char)(header >> 8);
  zs->next_out[1] = (unsigned char)header;
  zs->next_out += 2;
  zs->avail_out -= 2;
  uint32_t adler = 1;
  int strategy = Z_DEFAULT_STRATEGY;
  const sim_chunk_seg *seg = c->segs, *segs_end = c->segs + c->n_segs;
  while (seg < segs_end) {
    const sim_chunk_seg *last = seg;
    while (last + 1 < segs_end && last[1].runs == seg->runs) last++;
    size_t start = seg->start, end = last->start + last->len;
    if (seg->runs == 2)
      for (const sim_chunk_seg *s = seg; s <= last; s++)
        adler = adler32_run(adler, c->shuffled[s->start], s->len);
    else
      adler = (uint32_t)adler32(adler, c->shuffled + start, (uInt)(end - start));
    int want = seg->runs ? Z_RLE : Z_DEFAULT_STRATEGY;
    /* a switch first compresses what came before with the old strategy */
    if (want != strategy && deflateParams(zs, c->level, want) != Z_OK) return -1;
    strategy = want;
    zs->next_in = c->shuffled + start;
    zs->avail_in = (uInt)(end - start);
    int flush = last + 1 == segs_end ? Z_FINISH : Z_NO_FLUSH;
    int rc = deflate(zs, flush);
    if (flush == Z_FINISH ? rc != Z_STREAM_END : rc != Z_OK || zs->avail_in != 0) return -1;
    seg = last + 1;
  }
  assert(zs->avail_out >= 4);
  for (int k = 0; k < 4; k++) zs->next_out[k] = (unsigned char)(adler >> (24 - 8 * k));
  *len = (size_t)(zs->next_out - c->packed) + 4;
  return 0;
}

/* Appends a segment of the shuffled chunk (contiguous with the one before). */
static void add_seg(sim_chunk_codec *c, size_t start, size_t len, int runs) {
  if (len) c->segs[c->n_segs++] = (sim_chunk_seg){start, len, (unsigned char)runs};
}

int sim_chunk_encode(sim_chunk_codec *c, const unsigned char *data, size_t rows, size_t chunk_rows,
                     size_t row_bytes, const unsigned char **out, size_t *len) {
  size_t bytes = chunk_rows * row_bytes;
  assert(rows > 0 && rows <= chunk_rows && bytes <= UINT_MAX / 2);
  size_t words = row_bytes; /* at least period / 8 (period <= 8 row_bytes) */
  if (sim_grow((void **)&c->shuffled, &c->cap_shuffled, bytes, 1) < 0 ||
      sim_grow((void **)&c->varied, &c->cap_varied, row_bytes, 1) < 0 ||
      sim_grow((void **)&c->segs, &c->cap_segs, 2 * row_bytes, sizeof *c->segs) < 0 ||
      sim_grow((void **)&c->words, &c->cap_words, words, sizeof *c->words) < 0)
    return -2;
  c->n_segs = 0;
  /* a plane that does not vary is a run of row 0's byte: set, not gathered
   * nor scanned for runs.  A dataset's short last chunk pads each plane with
   * zero bytes past the dataset's end, where no reader looks: a run of its
   * own, neither gathered nor scanned. */
  find_varied(data, rows, row_bytes, c->words, c->varied);
  for (size_t j = 0; j < row_bytes; j++) {
    unsigned char *plane = c->shuffled + j * chunk_rows;
    if (!c->varied[j]) {
      memset(plane, data[j], rows);
      add_seg(c, j * chunk_rows, rows, 2);
    } else {
      const unsigned char *b = data + j;
      for (size_t i = 0; i < rows; i++) plane[i] = b[i * row_bytes];
      add_seg(c, j * chunk_rows, rows, plane_runs(plane, rows));
    }
    memset(plane + rows, 0, chunk_rows - rows);
    add_seg(c, j * chunk_rows + rows, chunk_rows - rows, 2);
  }
  int rc = deflate_chunk(c, bytes, len);
  if (rc < 0) return rc;
  *out = c->packed;
  return 0;
}

const char *sim_chunk_codec_error(const sim_chunk_codec *c) {
  return c->zs.msg ? c->zs.msg : "zlib error";
}

void sim_chunk_codec_free(sim_chunk_codec *c) {
  if (c->zs_ready) deflateEnd(&c->zs);
  sim_free(c->shuffled);
  sim_free(c->packed);
  sim_free(c->words);
  sim_free(c->varied);
  sim_free(c->segs);
  memset(c, 0, sizeof *c);
}
