/* sim/chunk_codec.c: HDF5's shuffle and deflate filters applied to a whole
 * chunk at once (see chunk_codec.h), cheaper per byte than the library's
 * filters on the recorder's data: a byte plane that is one byte repeated
 * (times that stay put within a chunk, high bytes of ids, values that are
 * 0) is set rather than shuffled, deflated with the run-length strategy
 * rather than searched at the level asked for, and checksummed in closed
 * form; at level 1, a plane that repeats itself (the low byte of ids that
 * rise by a fixed step, sample after sample) is coded here by matches at
 * the last distance or a hashed one, without zlib's search and Huffman
 * trees; a plane that does not repeat (names chosen among a few, low bytes
 * of times and values) is one block of its literals under a code made for
 * them (sim/chunk_huffman.c), or stored, and only a plane whose bytes rise
 * by a fixed step (ids, digits of names) or run, or in which a sampled
 * match probe finds repeats that zlib's matches would save more on than
 * the literals' code (a pattern that recurs, values that come again soon),
 * is left to zlib's search.  A dataset's memory (sim_chunk_memory) carries
 * the probe's verdicts, the literals' codes and the blocks of repeats that
 * did not fit from one of its chunks to the next, each plane's probe and
 * repeats redone once in SIM_CHUNK_PROBE_EVERY chunks, its code once in
 * SIM_CHUNK_CODE_EVERY.  Each plane's rows are compared a word
 * at a time.  Units: bytes.
 * Invariant: the output is one standard zlib stream (RFC 1950) of the
 * shuffled chunk, which HDF5's deflate filter decodes. */
#include "sim/chunk_codec.h"

#include <assert.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/chunk_bits.h"

/* Runs of RUN_BYTES bytes or more on average make a plane one to code as
 * runs: a run then costs a few bytes of the stream, as a match search would
 * find it, without the search. */
#define RUN_BYTES 64
/* A stretch of runs is a block of its own from RUN_STRETCH_BYTES on: below,
 * the deflated stretches on either side are one, as zlib's work on the runs
 * (a few instructions a byte) costs about what ending a deflated stretch
 * there would (its Huffman trees, and some 150 bytes of the stream with the
 * run block's header). */
#define RUN_STRETCH_BYTES 4096

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

/* ---- runs as deflate blocks (RFC 1951), written here ----
 * A stretch of runs is one dynamic-Huffman block of a code made for runs:
 * a run is its byte as a literal, then matches at distance 1 that copy it.
 * Literal/length code lengths: symbol 285 (a match of 258 bytes) 1 bit,
 * literals 0-226 9 bits, literals 227-255, end of block and the other
 * lengths (257-284) 10 bits: complete, as the Kraft sum is
 * 1/2 + 227/512 + 58/1024 = 1.  The distance code: distance 1 alone, 1 bit
 * (a single code may be incomplete, RFC 1951 3.2.7).  A run of 258 bytes
 * more costs 2 bits. */

/* Literal/length symbol s of the run code: its canonical code (RFC 1951
 * 3.2.2: the 1-bit code 0, then the 9-bit codes from 256, then the 10-bit
 * codes from (256 + 227) x 2). */
static void put_symbol(bit_writer *w, unsigned s) {
  if (s == 285)
    put_code(w, 0, 1);
  else if (s < 227)
    put_code(w, 256 + s, 9);
  else
    put_code(w, 966 + (s - 227), 10);
}

/* A match of len bytes (3 .. 258) at distance 1. */
static void put_match(bit_writer *w, size_t len) {
  static const uint16_t base[29] = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
  static const uint8_t extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                    2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
  unsigned k = 28;
  while (base[k] > len) k--;
  put_symbol(w, 257 + k);
  if (extra[k]) put_bits(w, (uint32_t)(len - base[k]), extra[k]);
  put_code(w, 0, 1); /* distance 1 */
}

/* A run of n bytes c. */
static void put_run(bit_writer *w, unsigned char c, size_t n) {
  put_symbol(w, c);
  for (n--; n >= 3;) {
    size_t len = n < 258 ? n : 258;
    /* a tail of 1 or 2 bytes would be literals: leave 3 for the last match */
    if (n > 258 && n - 258 < 3) len = n - 3;
    put_match(w, len);
    n -= len;
  }
  while (n--) put_symbol(w, c);
}

/* The header of a block of the run code: BTYPE 2 (dynamic), then the code
 * (RFC 1951 3.2.7).  Its code-length code gives 2 bits to each of the
 * lengths used, 1, 9 and 10, and to 16 (repeat the last length 3-6 times). */
static void put_run_block_header(bit_writer *w, int final) {
  put_bits(w, (uint32_t)final, 1);
  put_bits(w, 2, 2);
  put_bits(w, 286 - 257, 5); /* HLIT */
  put_bits(w, 1 - 1, 5);     /* HDIST */
  put_bits(w, 19 - 4, 4);    /* HCLEN: every code-length symbol's length, in the order below */
  static const uint8_t order[19] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
  for (int k = 0; k < 19; k++) {
    unsigned s = order[k];
    put_bits(w, s == 1 || s == 9 || s == 10 || s == 16 ? 2 : 0, 3);
  }
  /* canonical 2-bit codes, in symbol order: 1, 9, 10, 16 */
  enum { LEN1 = 0, LEN9 = 1, LEN10 = 2, REPEAT = 3 };
  struct {
    unsigned code, count;
  } lengths[] = {{LEN9, 227}, {LEN10, 58}, {LEN1, 1}, {LEN1, 1}}; /* the last: the distance */
  for (size_t k = 0; k < sizeof lengths / sizeof lengths[0]; k++) {
    put_code(w, lengths[k].code, 2);
    for (unsigned left = lengths[k].count - 1; left > 0;) {
      unsigned rep = left >= 6 ? (left == 7 || left == 8 ? left - 3 : 6) : left;
      if (rep < 3) { /* 1 or 2 more: themselves */
        for (; left > 0; left--) put_code(w, lengths[k].code, 2);
        break;
      }
      put_code(w, REPEAT, 2);
      put_bits(w, rep - 3, 2);
      left -= rep;
    }
  }
}

/* ---- planes of repeats as fixed-code blocks (RFC 1951 3.2.6), written here ----
 * A plane that varies row by row may still repeat itself: the low byte of
 * entity ids that rise by a fixed step within a sample repeats every 256
 * rows, and each later sample repeats the ids of the one before.  At level
 * 1 (the least time) such a stretch is coded here as one block of the fixed
 * code: each position takes the longest match at the distance of the last
 * match or at the last position its next four bytes were seen at (a
 * hash of REPEAT_HASH_BITS bits), else a literal.  A stretch whose block
 * would take more than one byte in REPEAT_RATIO of it is given to zlib
 * instead: its Huffman codes, made for the bytes, suit bytes that repeat
 * less (a block of the fixed code costing 8 or 9 bits a literal and some
 * 20 a match would make a file larger). */
#define REPEAT_HASH_BITS 12
#define REPEAT_RATIO 8
/* and is given up as soon as it passes an eighth of the bytes coded so far
 * by more than REPEAT_LEAD bytes (a period of 256 ids coded as literals,
 * before their first repeat, and some): a stretch that does not repeat
 * costs the coder a small part of it */
#define REPEAT_LEAD 512
#define REPEAT_WINDOW 32768 /* the farthest a match reaches back (RFC 1951) */

/* Literal or end-of-block/length symbol s (0 .. 285) in the fixed code. */
static void put_fixed_symbol(bit_writer *w, unsigned s) {
  if (s < 144)
    put_code(w, 0x30 + s, 8);
  else if (s < 256)
    put_code(w, 0x190 + (s - 144), 9);
  else if (s < 280)
    put_code(w, s - 256, 7);
  else
    put_code(w, 0xc0 + (s - 280), 8);
}

/* A match of len bytes (3 .. 258) at distance dist (1 .. 32768), fixed
 * code: the length's symbol and extra bits, then the distance's 5-bit code
 * and extra bits (RFC 1951 3.2.5). */
static void put_fixed_match(bit_writer *w, size_t len, size_t dist) {
  if (len == 258) {
    put_fixed_symbol(w, 285);
  } else if (len < 11) {
    put_fixed_symbol(w, 257 + (unsigned)(len - 3));
  } else { /* codes 265 .. 284: 4 per extra bit, k - 2 extra bits for len - 3 of k + 1 bits */
    size_t x = len - 3;
    unsigned k = 63 - (unsigned)__builtin_clzll(x), extra = k - 2;
    unsigned quarter = (unsigned)(x >> extra) & 3;
    put_fixed_symbol(w, 257 + 4 * (k - 1) + quarter);
    put_bits(w, (uint32_t)(x - ((size_t)(4 + quarter) << extra)), extra);
  }
  if (dist <= 4) {
    put_code(w, (uint32_t)(dist - 1), 5);
  } else { /* codes 4 .. 29: 2 per extra bit, k - 1 extra bits for dist - 1 of k + 1 bits */
    size_t x = dist - 1;
    unsigned k = 63 - (unsigned)__builtin_clzll(x), extra = k - 1;
    unsigned half = (unsigned)(x >> extra) & 1;
    put_code(w, 2 * k + half, 5);
    put_bits(w, (uint32_t)(x - ((size_t)(2 + half) << extra)), extra);
  }
}

/* How many of the first `most` bytes at a equal those at b (b < a; the two
 * may overlap, as a match's copy does). */
static size_t common_prefix(const unsigned char *a, const unsigned char *b, size_t most);

/* Codes the n bytes at p as one fixed-code block of repeats (final: the
 * stream's last) through w, when it takes at most n / REPEAT_RATIO bytes
 * and ends before out_end: 1; else 0, w as it was (its bytes past w->out
 * are scratch).  heads: 2^REPEAT_HASH_BITS entries, not cleared (as in
 * plane_matches): a position an earlier stretch or plane left is one of
 * this stretch's, or past its end and passed over, and every match is
 * checked byte by byte. */
static int put_repeats(bit_writer *w, const unsigned char *out_end, const unsigned char *p, size_t n,
                       int final, uint32_t *heads) {
  bit_writer start = *w;
  size_t rep = 0;
  size_t room = (size_t)(out_end - start.out); /* (a token and the block's end take 6 bytes at most) */
  const unsigned char *most_out = room > n / REPEAT_RATIO + 16 ? start.out + n / REPEAT_RATIO : out_end - 16;
  put_bits(w, (uint32_t)final, 1);
  put_bits(w, 1, 2); /* BTYPE 1: the fixed code */
  for (size_t i = 0; i < n;) {
    if (w->out > most_out || (size_t)(w->out - start.out) > i / REPEAT_RATIO + REPEAT_LEAD) {
      *w = start;
      return 0;
    }
    size_t most = n - i < 258 ? n - i : 258, len = 0, dist = 0;
    if (most >= 3 && rep && rep <= i) {
      len = common_prefix(p + i, p + i - rep, most);
      dist = rep;
    }
    if (len < most && n - i >= 4) {
      uint32_t four;
      memcpy(&four, p + i, 4);
      uint32_t h = (four * 2654435761u) >> (32 - REPEAT_HASH_BITS), seen = heads[h];
      heads[h] = (uint32_t)i + 1;
      if (seen && seen <= i && i + 1 - seen <= REPEAT_WINDOW && i + 1 - seen != rep) {
        size_t l = common_prefix(p + i, p + seen - 1, most);
        if (l > len) len = l, dist = i + 1 - seen;
      }
    }
    if (len >= 3) {
      put_fixed_match(w, len, dist);
      rep = dist;
      i += len;
    } else {
      put_fixed_symbol(w, p[i]);
      i++;
    }
  }
  put_fixed_symbol(w, 256); /* end of block */
  if (final && w->n) put_bits(w, 0, 8 - w->n);
  return 1;
}


/* The segments seg .. last, all runs, as one block of the run code (final:
 * the stream's last) through w; the Adler-32 checksum continued past their
 * bytes is returned.  The runs start at 0 and at each change of a segment;
 * a run that goes on into the next segment (zero high bytes, the padding)
 * is one. */
static uint32_t put_run_stretch(bit_writer *w, const sim_chunk_seg *seg, const sim_chunk_seg *last, int final,
                                uint32_t adler) {
  put_run_block_header(w, final);
  unsigned char byte = seg->byte;
  size_t run = 0;
  for (const sim_chunk_seg *s = seg; s <= last; s++) {
    size_t at = 0;
    for (size_t k = 0; k <= s->n_changes; k++) {
      unsigned char b = k ? s->changes[k - 1].byte : s->byte;
      size_t until = k < s->n_changes ? s->changes[k].at : s->len;
      if (b != byte) {
        put_run(w, byte, run);
        adler = adler32_run(adler, byte, run);
        byte = b, run = 0;
      }
      run += until - at;
      at = until;
    }
  }
  put_run(w, byte, run);
  adler = adler32_run(adler, byte, run);
  put_symbol(w, 256); /* end of block */
  if (final && w->n) put_bits(w, 0, 8 - w->n);
  return adler;
}

/* zlib's memory level: a hash table of 2^(MEM_LEVEL + 7) heads, cleared at
 * each chunk that zlib codes a stretch of (deflateReset) and after every
 * deflated stretch, and a block every 2^(MEM_LEVEL + 6) symbols at most.  The default, 8, clears 64 KiB
 * each time; the planes deflated are short (a chunk's rows), so a smaller
 * table finds the same matches. */
#define MEM_LEVEL 5
#define BLOCK_SYMBOLS ((size_t)1 << (MEM_LEVEL + 6))

/* Codes the shuffled chunk (`bytes` bytes in c->n_segs segments, each of the
 * kind plane_runs says) into c->packed as one zlib stream (RFC 1950, what
 * HDF5's deflate filter writes and reads); its length in *len.  A stretch
 * of segments made of runs (a column's high bytes, a time that stays put
 * within the chunk, a value that is 0, the padding of a dataset's short
 * last chunk) is one block of the run code, written here run by run; the
 * other segments are deflated by zlib at the codec's level, each stretch
 * ended by a full flush (byte-aligned, and no match reaches back past it,
 * into bytes zlib did not see).  The stream's header and checksum are
 * written here, a run's checksum in closed form.  m: the dataset's memory
 * or NULL; chunk_rows: the bytes of a plane. */
/* The shuffled bytes start .. end deflated by zlib through w (final: the
 * stream's last), after the bits w holds, ended by a full flush when not
 * final (byte-aligned, and no match reaches back past it, into bytes zlib
 * did not see); *zs_fresh: zlib reset for this chunk.  0; -1 when zlib
 * fails. */
static int deflate_stretch(sim_chunk_codec *c, bit_writer *w, const unsigned char *out_end, size_t start,
                           size_t end, int final, int *zs_fresh) {
  z_stream *zs = &c->zs;
  if (!*zs_fresh && deflateReset(zs) != Z_OK) return -1;
  *zs_fresh = 1;
  /* the bits of the run block before, not yet a byte, go first */
  if (w->n && deflatePrime(zs, (int)w->n, (int)w->bits) != Z_OK) return -1;
  zs->next_out = w->out;
  zs->avail_out = (uInt)(out_end - w->out);
  zs->next_in = c->shuffled + start;
  zs->avail_in = (uInt)(end - start);
  int rc = deflate(zs, final ? Z_FINISH : Z_FULL_FLUSH);
  unsigned pending = 0;
  int pending_bits = 0;
  if (final ? rc != Z_STREAM_END
            : rc != Z_OK || zs->avail_in != 0 || deflatePending(zs, &pending, &pending_bits) != Z_OK ||
                  pending || pending_bits)
    return -1;
  *w = (bit_writer){zs->next_out, 0, 0};
  return 0;
}

/* A plane's segment deflated as the match probe found repeats in it
 * (sim_chunk_seg.repeats; 1: its bytes rise by a fixed step or run). */
#define PROBED 2
static double literals_estimate(const uint32_t *counts, size_t n);

static int deflate_chunk(sim_chunk_codec *c, sim_chunk_memory *m, size_t chunk_rows, size_t bytes, size_t *len) {
  z_stream *zs = &c->zs;
  int zs_fresh = 0; /* zs reset for this chunk: done before its first stretch for zlib, if any */
  if (!c->zs_ready) {
    memset(zs, 0, sizeof *zs);
    if (deflateInit2(zs, c->level, Z_DEFLATED, -15, MEM_LEVEL, Z_DEFAULT_STRATEGY) != Z_OK)
      return -1;
    c->zs_ready = 1;
    zs_fresh = 1;
  }
  /* Room for all of it: zlib's stretches within deflateBound of all the
   * bytes, 5 more for each stretch's flush and each of its blocks (one
   * every BLOCK_SYMBOLS - 1 symbols); a run block's header (under 64 bytes)
   * and at most 10 bits a byte (literals); the stream's 2-byte header and
   * 4-byte checksum. */
  size_t room = deflateBound(zs, (uLong)bytes) + bytes / 4 + 69 * (c->n_segs + 1) +
                5 * (bytes / (BLOCK_SYMBOLS / 2) + 2) + 6;
  if (sim_grow((void **)&c->packed, &c->cap_packed, room, 1) < 0) return -1;
  unsigned char *out = c->packed, *out_end = c->packed + room;
  /* the header zlib writes: deflate with a 32 KiB window, the level's flag */
  unsigned header = (Z_DEFLATED + ((15 - 8) << 4)) << 8;
  header |= (unsigned)(c->level < 2 ? 0 : c->level < 6 ? 1 : c->level == 6 ? 2 : 3) << 6;
  header += 31 - header % 31;
  *out++ = (unsigned char)(header >> 8);
  *out++ = (unsigned char)header;
  uint32_t adler = 1;
  bit_writer w = {out, 0, 0};
  const sim_chunk_seg *seg = c->segs, *segs_end = c->segs + c->n_segs;
  while (seg < segs_end) {
    int runs = seg->runs;
    const sim_chunk_seg *last = seg;
    while (last + 1 < segs_end && last[1].runs == runs) last++;
    int final = last + 1 == segs_end;
    /* at level 1, a block of repeats tried, unless the dataset's stretch
     * from the same plane did not fit one in the last chunk and the plane
     * is not due to try again (as it is due a probe) */
    int repeated = 0;
    if (!runs && c->level == 1) {
      size_t j = seg->start / chunk_rows;
      if (!m || !m->no_repeats[j] || (m->chunks + j) % SIM_CHUNK_PROBE_EVERY == 0) {
        repeated = put_repeats(&w, out_end, c->shuffled + seg->start, last->start + last->len - seg->start, final,
                               c->repeat_heads);
        if (m) m->no_repeats[j] = (unsigned char)!repeated;
      }
    }
    if (runs) {
      adler = put_run_stretch(&w, seg, last, final, adler);
    } else if (repeated) {
      adler = (uint32_t)adler32(adler, c->shuffled + seg->start, (uInt)(last->start + last->len - seg->start));
    } else if (c->level == 1) { /* plane by plane: literals, runs, or zlib where it finds repeats */
      for (const sim_chunk_seg *s = seg, *t; s <= last; s = t + 1) {
        t = s;
        if (!s->set && !s->repeats) {
          assert((size_t)(out_end - w.out) >= s->len + 5 * (s->len / 65535) + 16);
          chunk_put_literals(&w, c->shuffled + s->start, s->len, s->counts, final && s == last, s->code, s->remake);
          if (final && s == last && w.n) put_bits(&w, 0, 8 - w.n);
          adler = (uint32_t)adler32_combine(adler, s->adler, (z_off_t)s->len);
          continue;
        }
        /* the planes that repeat, with the runs set among them, to zlib;
         * runs set between planes of literals as a block of runs */
        int repeats = s->repeats;
        while (t < last && (t[1].set || t[1].repeats)) repeats |= (++t)->repeats;
        if (!repeats) {
          adler = put_run_stretch(&w, s, t, final && t == last, adler);
          continue;
        }
        adler = (uint32_t)adler32(adler, c->shuffled + s->start, (uInt)(t->start + t->len - s->start));
        const unsigned char *before = w.out;
        if (deflate_stretch(c, &w, out_end, s->start, t->start + t->len, final && t == last, &zs_fresh) < 0)
          return -1;
        /* a plane the probe sent to zlib alone, that zlib took no fewer
         * bytes of than its literals would: literals until the next probe */
        if (m && s == t && s->repeats == PROBED &&
            (double)(w.out - before) >= literals_estimate(s->counts, s->len))
          m->matches[s->start / chunk_rows] = 2;
      }
    } else {
      size_t start = seg->start, end = last->start + last->len;
      adler = (uint32_t)adler32(adler, c->shuffled + start, (uInt)(end - start));
      if (deflate_stretch(c, &w, out_end, start, end, final, &zs_fresh) < 0) return -1;
    }
    seg = last + 1;
  }
  assert(w.n == 0 && out_end - w.out >= 4);
  for (int k = 0; k < 4; k++) w.out[k] = (unsigned char)(adler >> (24 - 8 * k));
  *len = (size_t)(w.out - c->packed) + 4;
  return 0;
}

/* The 8 bytes at p as a word, byte k in bits 8k .. 8k + 7 (little-endian
 * hosts: x86-64, AArch64). */
static inline uint64_t load8(const unsigned char *p) {
  uint64_t x;
  memcpy(&x, p, 8);
  return x;
}

static size_t common_prefix(const unsigned char *a, const unsigned char *b, size_t most) {
  size_t k = 0;
  for (; k + 8 <= most; k += 8) {
    uint64_t x = load8(a + k) ^ load8(b + k);
    if (x) return k + (size_t)__builtin_ctzll(x) / 8;
  }
  while (k < most && a[k] == b[k]) k++;
  return k;
}

/* The min(n, 8) bytes at p as a word, byte k in bits 8k .. 8k + 7. */
static inline uint64_t load_le(const unsigned char *p, size_t n) {
  uint64_t x = 0;
  if (n >= 8) return load8(p);
  size_t k = 0;
  if (n >= 4) {
    uint32_t w;
    memcpy(&w, p, 4);
    x = w;
    k = 4;
  }
  for (; k < n; k++) x |= (uint64_t)p[k] << (8 * k);
  return x;
}

/* The changes of the planes `mask` keeps (bytes at..at + 7 of a row, or its
 * row_bytes < 8 bytes when not `wide`) down `rows` rows of row_bytes bytes
 * from p, each counted in c->n_changed and, up to `most`, noted in
 * c->changes (sim_chunk_encode).  Inline, `wide` a constant at each call. */
static inline void scan_word(sim_chunk_codec *c, const unsigned char *p, size_t rows, size_t row_bytes,
                             uint64_t mask, size_t at, size_t most, int wide) {
  uint64_t before = wide ? load8(p) : load_le(p, row_bytes);
  const unsigned char *first = p, *end = p + rows * row_bytes;
  while ((p += row_bytes) < end) {
    uint64_t now = wide ? load8(p) : load_le(p, row_bytes);
    uint64_t diff = (now ^ before) & mask;
    before = now;
    if (!diff) continue;
    uint32_t i = (uint32_t)((size_t)(p - first) / row_bytes); /* the row */
    do {
      unsigned k = (unsigned)__builtin_ctzll(diff) / 8;
      size_t j = at + k;
      uint64_t byte_mask = UINT64_C(0xff) << (8 * k);
      diff &= ~byte_mask;
      if (c->n_changed[j] < most) {
        c->changes[j * most + c->n_changed[j]++] = (sim_chunk_change){i, (unsigned char)(now >> (8 * k))};
      } else {
        c->n_changed[j] = most + 1;
        mask &= ~byte_mask;
      }
    } while (diff);
    if (!mask) return; /* every plane of the word past `most` */
  }
}

/* A byte of a plane gathered (gather_counted): stored at *out, counted,
 * and added to Adler-32's running sums. */
static inline void take_byte(unsigned char *out, unsigned x, uint32_t *counts, uint64_t *sum, uint64_t *sum_of_sums) {
  *out = (unsigned char)x;
  counts[x]++;
  *sum += x;
  *sum_of_sums += *sum;
}

/* Gathers a plane of `rows` bytes, one every row_bytes from b (HDF5's
 * shuffle), into plane, counting each value into counts (zeroed) as it
 * goes; the Adler-32 checksum (RFC 1950) of the plane alone is returned.
 * Eight rows a step, each byte stored, counted and summed before the next
 * is read: stores kept apart (not merged into words by shifts), and the
 * sums unreduced (under 255 rows^2 + rows). */
static uint32_t gather_counted(unsigned char *plane, const unsigned char *b, size_t rows, size_t row_bytes,
                               uint32_t *counts) {
  uint64_t sum = 1, sum_of_sums = 0;
  unsigned char *out = plane, *end8 = plane + (rows & ~(size_t)7), *end = plane + rows;
  size_t three = 3 * row_bytes;
  for (const unsigned char *b4 = b + 4 * row_bytes; out < end8; out += 8, b += 8 * row_bytes, b4 += 8 * row_bytes) {
    take_byte(out, b[0], counts, &sum, &sum_of_sums);
    take_byte(out + 1, b[row_bytes], counts, &sum, &sum_of_sums);
    take_byte(out + 2, b[2 * row_bytes], counts, &sum, &sum_of_sums);
    take_byte(out + 3, b[three], counts, &sum, &sum_of_sums);
    take_byte(out + 4, b4[0], counts, &sum, &sum_of_sums);
    take_byte(out + 5, b4[row_bytes], counts, &sum, &sum_of_sums);
    take_byte(out + 6, b4[2 * row_bytes], counts, &sum, &sum_of_sums);
    take_byte(out + 7, b4[three], counts, &sum, &sum_of_sums);
  }
  for (; out < end; out++, b += row_bytes) take_byte(out, *b, counts, &sum, &sum_of_sums);
  return (uint32_t)(sum_of_sums % 65521 << 16 | sum % 65521);
}

/* Whether zlib would find repeats in the n bytes of a plane that a block
 * of its literals would not: in a sample of REPEAT_SAMPLE of its steps
 * (a byte's change from the one before), spread over it, one step makes
 * 7/8 of them (runs; ids or digits of names that rise by a fixed step).
 * Other repeats (the slow rise of a time's middle bytes) save zlib less
 * than they cost its search. */
#define REPEAT_SAMPLE 64
static int plane_repeats(const unsigned char *p, size_t n) {
  if (n < 2 * REPEAT_SAMPLE) return 1; /* short: zlib, as cheap */
  unsigned char step_count[256] = {0};
  unsigned most_steps = 0;
  for (size_t k = 0, stride = (n - 1) / REPEAT_SAMPLE; k < REPEAT_SAMPLE; k++) {
    size_t i = 1 + k * stride;
    unsigned char step = (unsigned char)(p[i] - p[i - 1]);
    if (++step_count[step] > most_steps) most_steps = step_count[step];
  }
  return most_steps >= REPEAT_SAMPLE * 7 / 8;
}

/* Whether zlib's matches would save more of a plane of n bytes than a
 * block of its literals under a code made for its bytes (counts: each
 * value's count): a sampled match probe.  The plane's 4-byte strings at
 * every MATCH_GRID-th position are hashed, in order, into `heads`
 * (2^REPEAT_HASH_BITS entries, not cleared: a position left by an earlier
 * plane is one of this plane's, and every match is checked byte by byte),
 * and at MATCH_WINDOWS windows of MATCH_GRID
 * positions spread over it each position's string is looked up: a repeat
 * at any distance within deflate's window has its earlier copy at a hashed
 * position for one of a window's positions.  A window scores its longest
 * match (4 to MATCH_LONGEST bytes).  Windows averaging MATCH_LONG bytes
 * (a pattern that recurs, a stretch that comes again) go to zlib; else a
 * plane goes to zlib when its mean match times the literals' bits a byte
 * (their entropy) reaches MATCH_GAIN: matches save little on a plane of a
 * few values that its own code already takes in a few bits a byte (names
 * chosen among a few), much on one of many values that rises slowly or
 * whose values come in pairs (the middle bytes of times).  Near-random
 * planes find no matches. */
#define MATCH_GRID 8
#define MATCH_WINDOWS 32
#define MATCH_LONGEST 64
#define MATCH_LONG 32
#define MATCH_GAIN 15
/* Planes of many values (two bytes equal less often than 1 in NEAR_FEW)
 * are also probed for short matches close by, which zlib's search finds
 * and the grid above misses: NEAR_PROBES positions a window, each looked
 * for in the NEAR_BACK bytes before; the share found times the literals'
 * bits a byte reaching NEAR_GAIN sends the plane to zlib. */
#define NEAR_FEW 16
#define NEAR_PROBES 2
#define NEAR_BACK 32
#define NEAR_GAIN 0.6
/* The entropy of a plane of n bytes counted per value in counts: bits a
 * byte. */
static double literal_bits(const uint32_t *counts, size_t n) {
  double bits = 0;
  for (int v = 0; v < 256; v++)
    if (counts[v]) bits += (double)counts[v] * log2((double)n / counts[v]);
  return bits / (double)n;
}

/* About the bytes a block of a plane's n literals (counted per value in
 * counts) takes under a code made for them: their entropy, and a header of
 * 4 bits a value coded and a few bytes. */
static double literals_estimate(const uint32_t *counts, size_t n) {
  unsigned values = 0;
  for (int v = 0; v < 256; v++) values += counts[v] != 0;
  return literal_bits(counts, n) * (double)n / 8 + values / 2.0 + 16;
}

static int plane_matches(const unsigned char *p, size_t n, const uint32_t *counts, uint32_t *heads) {
  if (n < MATCH_WINDOWS * MATCH_GRID * 2) return 0;
  size_t spacing = (n - MATCH_GRID - MATCH_LONGEST) / MATCH_WINDOWS, next_window = spacing, score = 0;
  for (size_t g = 0; g + MATCH_GRID + MATCH_LONGEST <= n; g += MATCH_GRID) {
    if (g >= next_window) { /* the window g .. g + MATCH_GRID - 1: its strings against those before g */
      size_t best = 0;
      for (size_t i = g; i < g + MATCH_GRID && best < MATCH_LONGEST; i++) {
        uint32_t four, seen, before;
        memcpy(&four, p + i, 4);
        seen = heads[(four * 2654435761u) >> (32 - REPEAT_HASH_BITS)];
        if (seen - 1 >= i || i + 1 - seen > REPEAT_WINDOW) continue; /* (0: none) */
        memcpy(&before, p + seen - 1, 4);
        if (before != four) continue;
        size_t l = common_prefix(p + i, p + seen - 1, MATCH_LONGEST);
        if (l > best) best = l;
      }
      score += best >= 4 ? best : 0;
      next_window += spacing;
    }
    uint32_t four;
    memcpy(&four, p + g, 4);
    heads[(four * 2654435761u) >> (32 - REPEAT_HASH_BITS)] = (uint32_t)g + 1;
  }
  if (score >= MATCH_LONG * MATCH_WINDOWS) return 1;
  /* the literals' bits a byte (at most 8), worked out only where the
   * matches found might outweigh them */
  double bits = -1;
  if (score * 8 >= MATCH_GAIN * MATCH_WINDOWS) {
    bits = literal_bits(counts, n);
    if ((double)score * bits >= (double)MATCH_GAIN * MATCH_WINDOWS) return 1;
  }
  uint64_t pairs = 0; /* pairs of equal bytes, of n^2 */
  for (int v = 0; v < 256; v++) pairs += (uint64_t)counts[v] * counts[v];
  if (pairs * NEAR_FEW >= (uint64_t)n * n) return 0; /* a few values: short matches come by chance */
  /* many values: the share of sampled positions whose next 3 bytes came
   * in the NEAR_BACK bytes before (values that come again soon) */
  size_t near = 0;
  for (size_t w = 1; w <= MATCH_WINDOWS; w++)
    for (size_t i = w * spacing; i < w * spacing + NEAR_PROBES; i++) {
      uint32_t three, before;
      memcpy(&three, p + i, 4);
      three &= 0xffffff;
      for (size_t d = 1; d <= NEAR_BACK && d <= i; d++) {
        memcpy(&before, p + i - d, 4);
        if ((before & 0xffffff) == three) {
          near++;
          break;
        }
      }
    }
  if ((double)near * 8 < NEAR_GAIN * MATCH_WINDOWS * NEAR_PROBES) return 0;
  if (bits < 0) bits = literal_bits(counts, n);
  return (double)near * bits >= NEAR_GAIN * MATCH_WINDOWS * NEAR_PROBES;
}

int sim_chunk_encode(sim_chunk_codec *c, sim_chunk_memory *m, const unsigned char *data, size_t rows, size_t chunk_rows,
                     size_t row_bytes, const unsigned char **out, size_t *len) {
  size_t bytes = chunk_rows * row_bytes;
  assert(rows > 0 && rows <= chunk_rows && bytes <= UINT_MAX / 2);
  /* a plane of up to `most` changes is coded as runs (a short last chunk's
   * planes end in a run: the padding) */
  size_t most = chunk_rows / RUN_BYTES;
  if (sim_grow((void **)&c->shuffled, &c->cap_shuffled, bytes, 1) < 0 ||
      sim_grow((void **)&c->n_changed, &c->cap_n_changed, row_bytes, sizeof *c->n_changed) < 0 ||
      sim_grow((void **)&c->changes, &c->cap_changes, row_bytes * most + 1, sizeof *c->changes) < 0 ||
      sim_grow((void **)&c->segs, &c->cap_segs, 2 * row_bytes, sizeof *c->segs) < 0 ||
      (c->level == 1 && sim_grow((void **)&c->counts, &c->cap_counts, 256 * row_bytes, sizeof *c->counts) < 0) ||
      (c->level == 1 && m && !m->matches && !(m->matches = sim_calloc(row_bytes, sizeof *m->matches))) ||
      (c->level == 1 && m && !m->codes && !(m->codes = sim_calloc(row_bytes, sizeof *m->codes))) ||
      (c->level == 1 && m && !m->no_repeats && !(m->no_repeats = sim_calloc(row_bytes, sizeof *m->no_repeats))) ||
      (c->level == 1 && !c->repeat_heads &&
       !(c->repeat_heads = sim_calloc((size_t)1 << REPEAT_HASH_BITS, sizeof *c->repeat_heads))))
    return -2;
  if (m && m->matches) { /* a dataset's rows keep their size */
    assert(!m->n_planes || m->n_planes == row_bytes);
    m->n_planes = row_bytes;
  }
  /* The changes of each byte plane, found row against row before (most
   * bytes of a row are those of the row before: times that stay put, high
   * bytes of ids, values that hold): plane j's first `most` are at
   * c->changes[j most], counted in n_changed[j]; most + 1 there: more, the
   * plane is deflated, not coded as runs.  A row is read in words, at 0, 8,
   * ... and the last at row_bytes - 8, masked to the bytes the others do
   * not cover (a row under 8 bytes: one word of its bytes), each word down
   * all the rows in turn (its planes' changes come in row order, and its
   * mask and the word before stay in registers); a plane past `most`
   * changes leaves the mask, and a word whose planes all left it is done,
   * so that the scan costs per row and per change of the planes that may
   * still be runs. */
  memset(c->n_changed, 0, row_bytes * sizeof *c->n_changed);
  if (row_bytes >= 8)
    for (size_t w = 0, words = (row_bytes + 7) / 8; w < words; w++) {
      size_t at = w + 1 < words ? 8 * w : row_bytes - 8, covered = 8 * w - at;
      scan_word(c, data + at, rows, row_bytes, ~UINT64_C(0) << (8 * covered), at, most, 1);
    }
  else
    scan_word(c, data, rows, row_bytes, (UINT64_C(1) << (8 * row_bytes)) - 1, 0, most, 0);
  /* A plane of runs is coded from its changes, not gathered; a dataset's
   * short last chunk pads each plane with zero bytes past the dataset's end,
   * where no reader looks: a run of its own.  The other planes are gathered
   * (HDF5's shuffle: byte j of row i at j chunk_rows + i) and deflated. */
  c->n_segs = 0;
  for (size_t j = 0; j < row_bytes; j++) {
    size_t changed = c->n_changed[j];
    sim_chunk_seg *seg = &c->segs[c->n_segs++];
    *seg = (sim_chunk_seg){j * chunk_rows, rows, data[j], changed <= most, 0, 0, NULL, 0, NULL, 0, NULL, 0};
    if (changed <= most) {
      seg->changes = &c->changes[j * most];
      seg->n_changes = changed;
    } else {
      unsigned char *plane = c->shuffled + j * chunk_rows;
      const unsigned char *b = data + j;
      if (c->level == 1) { /* the plane's bytes counted, and checksummed, as they are gathered */
        uint32_t *counts = &c->counts[256 * j];
        memset(counts, 0, 256 * sizeof *counts);
        seg->adler = gather_counted(plane, b, rows, row_bytes, counts);
        seg->counts = counts;
        /* the probe for matches when the plane is due one (planes in
         * turn, a plane in SIM_CHUNK_PROBE_EVERY chunks), else what it
         * found last */
        int repeats = plane_repeats(plane, rows), due = !m || (m->chunks + j) % SIM_CHUNK_PROBE_EVERY == 0;
        if (!repeats && !due && m->matches[j]) {
          repeats = m->matches[j] == 1 ? PROBED : 0;
        } else if (!repeats) {
          repeats = plane_matches(plane, rows, counts, c->repeat_heads) ? PROBED : 0;
          if (m) m->matches[j] = (unsigned char)(repeats ? 1 : 2);
        }
        seg->repeats = (unsigned char)repeats;
        if (!repeats && m && !m->codes[j] && !(m->codes[j] = sim_calloc(1, sizeof *m->codes[j]))) return -2;
        seg->code = repeats || !m ? NULL : m->codes[j];
        /* a code made anew once in SIM_CHUNK_CODE_EVERY chunks, stored
         * bytes tried again as the probe is */
        seg->remake = (unsigned char)(!m || (m->chunks + j) % SIM_CHUNK_CODE_EVERY == 0 ||
                                      (due && seg->code && seg->code->stored));
      } else {
        for (size_t i = 0; i < rows; i++) plane[i] = b[i * row_bytes];
      }
    }
    if (rows < chunk_rows)
      c->segs[c->n_segs++] =
          (sim_chunk_seg){j * chunk_rows + rows, chunk_rows - rows, 0, 1, 0, 0, NULL, 0, NULL, 0, NULL, 0};
  }
  /* A stretch of runs shorter than RUN_STRETCH_BYTES between deflated
   * planes is deflated with them: its block (and the flush that ends the
   * deflated stretch before it) would cost more of the stream than deflate
   * spends on it.  Its bytes are set, run by run. */
  for (size_t a = 0, b; a < c->n_segs; a = b) {
    size_t stretch = 0;
    for (b = a; b < c->n_segs && c->segs[b].runs == c->segs[a].runs; b++) stretch += c->segs[b].len;
    if (!c->segs[a].runs || stretch >= RUN_STRETCH_BYTES || (a == 0 && b == c->n_segs)) continue;
    for (size_t k = a; k < b; k++) {
      sim_chunk_seg *seg = &c->segs[k];
      unsigned char *p = c->shuffled + seg->start;
      size_t at = 0;
      for (size_t q = 0; q <= seg->n_changes; q++) {
        size_t until = q < seg->n_changes ? seg->changes[q].at : seg->len;
        memset(p + at, q ? seg->changes[q - 1].byte : seg->byte, until - at);
        at = until;
      }
      seg->runs = 0;
      seg->set = 1;
    }
  }
  int rc = deflate_chunk(c, m, chunk_rows, bytes, len);
  if (rc < 0) return rc;
  if (m) m->chunks++;
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
  sim_free(c->n_changed);
  sim_free(c->changes);
  sim_free(c->segs);
  sim_free(c->counts);
  sim_free(c->repeat_heads);
  memset(c, 0, sizeof *c);
}

void sim_chunk_memory_free(sim_chunk_memory *m) {
  for (size_t j = 0; m->codes && j < m->n_planes; j++) sim_free(m->codes[j]);
  sim_free(m->codes);
  sim_free(m->matches);
  sim_free(m->no_repeats);
  memset(m, 0, sizeof *m);
}
