/* sim/chunk_huffman.c: a plane of literals as one deflate block under a
 * Huffman code made for its bytes, or kept from the plane's last chunk while
 * it serves as well (see chunk_bits.h), for sim/chunk_codec.c at level 1.
 * Units: bits, bytes.  Invariant: the block is a valid dynamic-Huffman block
 * (RFC 1951 3.2.7) or stored blocks (3.2.4) of exactly the plane's bytes. */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "sim/chunk_bits.h"

/* ---- planes of literals as blocks of their own code, written here ----
 * At level 1 a plane that neither runs nor repeats (bytes of names chosen
 * among a few, low bytes of times and values) is coded here as one block
 * of literals alone under a Huffman code made for its bytes (zlib's
 * Z_HUFFMAN_ONLY, plane by plane): a plane of a few byte values then costs
 * a few bits a byte, less than zlib's search at level 1 finds with its code
 * made for a whole stretch of planes, at a small part of the time.  A plane
 * whose code would not save bytes is a stored block. */
#define LIT_SYMBOLS 257 /* literals 0 .. 255 and the end of block */
#define LIT_LIMIT 14    /* the longest code of literals: 15 in RFC 1951, one less so that four
                        * codes and 7 bits pending fit a 64-bit word (put_coded) */
#define CL_SYMBOLS 19   /* the code-length alphabet (RFC 1951 3.2.7) */
#define CL_LIMIT 7      /* its longest code */
#define STORED_MOST 65535 /* the most bytes of a stored block */
#define SORT_FEW 32       /* symbols sorted by insertion alone (fewer steps than counting them out) */
#define SORT_KEYS 128     /* frequencies counted out apart (huffman_lengths) */
/* A plane of more than LIT_FULL byte values has a code for every value (an
 * absent one as if once): the next chunk of such a column has values this
 * one lacks, which a code kept for it (sim_chunk_memory) must code, and the
 * codes of the absent values take little of the code space. */
#define LIT_FULL 128

/* Huffman code lengths (at most `limit` bits) of the `used` symbols
 * syms lists (at least 2) with their frequencies in freq, into len (a
 * symbol of frequency 0 taken as 1).  Moffat and Katajainen's in-place
 * construction on the frequencies sorted; a code too long is made again of
 * the frequencies halved (their order kept). */
static void huffman_lengths(const uint32_t *freq, const uint16_t *syms, unsigned used, unsigned limit,
                            uint8_t *len) {
  uint16_t sym[LIT_SYMBOLS], tmp[LIT_SYMBOLS];
  uint32_t a[LIT_SYMBOLS], most = 0;
  assert(used >= 2 && used <= LIT_SYMBOLS);
  memcpy(sym, syms, used * sizeof *sym);
  for (unsigned k = 0; k < used; k++) most = freq[sym[k]] > most ? freq[sym[k]] : most;
  /* sorted by frequency, least first (ties by symbol): more than a few
   * counted out by their frequencies up to SORT_KEYS - 1, those of
   * SORT_KEYS - 1 or more (at most one in SORT_KEYS - 1 of a plane's bytes)
   * left at the end, there sorted by insertion; a few by insertion alone */
  unsigned from = 1; /* sym[from - 1 ..] sorted by insertion */
  if (used > SORT_FEW) {
    unsigned keys = most < SORT_KEYS ? most + 1 : SORT_KEYS, count[SORT_KEYS + 1];
    memset(count, 0, (keys + 1) * sizeof *count);
    for (unsigned k = 0; k < used; k++) count[(freq[sym[k]] < keys ? freq[sym[k]] : keys - 1) + 1]++;
    for (unsigned d = 1; d < keys; d++) count[d] += count[d - 1];
    from = count[keys - 1] + 1; /* the last key's first at sym[from - 1] */
    for (unsigned k = 0; k < used; k++) tmp[count[freq[sym[k]] < keys ? freq[sym[k]] : keys - 1]++] = sym[k];
    memcpy(sym, tmp, used * sizeof *sym);
  }
  for (unsigned k = from; k < used; k++) {
    uint16_t x = sym[k];
    unsigned at = k;
    for (; at >= from && freq[sym[at - 1]] > freq[x]; at--) sym[at] = sym[at - 1];
    sym[at] = x;
  }
  uint32_t f[LIT_SYMBOLS];
  for (unsigned k = 0; k < used; k++) f[k] = freq[sym[k]] ? freq[sym[k]] : 1;
  for (;;) {
    memcpy(a, f, used * sizeof *a);
    /* first pass, left to right: internal nodes' weights, then parents */
    unsigned root = 0, leaf = 2, next;
    a[0] += a[1];
    for (next = 1; next < used - 1; next++) {
      if (leaf >= used || a[root] < a[leaf])
        a[next] = a[root], a[root++] = next;
      else
        a[next] = a[leaf++];
      if (leaf >= used || (root < next && a[root] < a[leaf]))
        a[next] += a[root], a[root++] = next;
      else
        a[next] += a[leaf++];
    }
    /* second pass, right to left: internal nodes' depths */
    a[used - 2] = 0;
    for (int k = (int)used - 3; k >= 0; k--) a[k] = a[a[k]] + 1;
    /* third pass: leaves' depths, the deepest at the least frequent */
    int avail = 1, in_use = 0, r = (int)used - 2, nx = (int)used - 1;
    for (uint32_t depth = 0; avail > 0; depth++) {
      while (r >= 0 && a[r] == depth) in_use++, r--;
      while (avail > in_use) a[nx--] = depth, avail--;
      avail = 2 * in_use, in_use = 0;
    }
    if (a[0] <= limit) break;
    for (unsigned k = 0; k < used; k++) f[k] = f[k] >> 1 | 1;
  }
  for (unsigned k = 0; k < used; k++) len[sym[k]] = (uint8_t)a[k];
}

/* The canonical codes (RFC 1951 3.2.2) of the `used` symbols syms lists in
 * ascending order, of lengths len, each reversed into the order put_bits
 * sends, into rev. */
static void canonical_codes(const uint8_t *len, const uint16_t *syms, unsigned used, uint16_t *rev) {
  unsigned count[16] = {0}, next[16];
  for (unsigned k = 0; k < used; k++) count[len[syms[k]]]++;
  next[0] = 0;
  for (unsigned b = 1, code = 0; b < 16; b++) next[b] = code = (code + count[b - 1]) << 1;
  for (unsigned k = 0; k < used; k++) {
    unsigned s = syms[k];
    rev[s] = (uint16_t)reverse_bits(next[len[s]]++, len[s]);
  }
}

/* n bytes at p as stored blocks (RFC 1951 3.2.4), the last one final when
 * `final`. */
static void put_stored(bit_writer *w, const unsigned char *p, size_t n, int final) {
  do {
    size_t k = n < STORED_MOST ? n : STORED_MOST;
    n -= k;
    put_bits(w, (uint32_t)(final && !n), 1);
    put_bits(w, 0, 2);
    if (w->n) put_bits(w, 0, 8 - w->n);
    put_bits(w, (uint32_t)k, 16);
    put_bits(w, (uint32_t)(k ^ 0xffff), 16);
    memcpy(w->out, p, k);
    w->out += k, p += k;
  } while (n);
}

/* A code length, or a repeat of lengths, as the block's header sends it. */
typedef struct length_token {
  uint8_t sym;        /* 0 .. 18 of the code-length alphabet */
  uint8_t extra_bits; /* bits of `extra` after it: 2, 3 or 7 for 16, 17, 18 */
  uint8_t extra;      /* repeats less the fewest */
} length_token;

/* The header of a block of literals past its first 3 bits (HLIT, HDIST,
 * HCLEN, the code-length code, the code lengths), as header_bits bits from
 * bit 0 of header[0], into w. */
static void put_header(bit_writer *w, const unsigned char *header, uint32_t header_bits) {
  for (; header_bits >= 32; header_bits -= 32, header += 4) /* four bytes at a time */
    put_bits(w, (uint32_t)header[0] | (uint32_t)header[1] << 8 | (uint32_t)header[2] << 16 | (uint32_t)header[3] << 24,
             32);
  for (; header_bits >= 8; header_bits -= 8) put_bits(w, *header++, 8);
  if (header_bits) put_bits(w, *header & ((1u << header_bits) - 1), header_bits);
}

/* A literal's code (reversed) added to the bits pending in *acc, *fill of
 * them. */
static inline void add_code(uint64_t *acc, unsigned *fill, unsigned char x, const uint8_t *len, const uint16_t *rev) {
  *acc |= (uint64_t)rev[x] << *fill;
  *fill += len[x];
}

/* The whole bytes of the bits pending written at once (8 bytes stored,
 * those past them rewritten later; little-endian hosts, as load8 in
 * chunk_codec.c), under 8 left pending. */
static inline void write_whole_bytes(unsigned char **out, uint64_t *acc, unsigned *fill) {
  memcpy(*out, acc, 8);
  *out += *fill >> 3;
  *acc >>= *fill & ~7u;
  *fill &= 7;
}

/* The n bytes at p as their codes (lengths len, at most `longest` bits;
 * reversed codes rev), then the end of the block (symbol 256).  Under 8
 * bits pending and four codes of LIT_LIMIT = 14 bits at most fit a 64-bit
 * word, eight when no code is longer than 7 bits (a plane of a few values,
 * such as a column of names). */
static void put_coded(bit_writer *w, const unsigned char *p, size_t n, const uint8_t *len, const uint16_t *rev,
                      unsigned longest) {
  uint64_t acc = w->bits;
  unsigned fill = w->n;
  unsigned char *out = w->out;
  size_t i = 0;
  if (longest <= 7)
    for (; i + 8 <= n; i += 8) {
      add_code(&acc, &fill, p[i], len, rev), add_code(&acc, &fill, p[i + 1], len, rev);
      add_code(&acc, &fill, p[i + 2], len, rev), add_code(&acc, &fill, p[i + 3], len, rev);
      add_code(&acc, &fill, p[i + 4], len, rev), add_code(&acc, &fill, p[i + 5], len, rev);
      add_code(&acc, &fill, p[i + 6], len, rev), add_code(&acc, &fill, p[i + 7], len, rev);
      write_whole_bytes(&out, &acc, &fill);
    }
  for (; i + 4 <= n; i += 4) {
    add_code(&acc, &fill, p[i], len, rev), add_code(&acc, &fill, p[i + 1], len, rev);
    add_code(&acc, &fill, p[i + 2], len, rev), add_code(&acc, &fill, p[i + 3], len, rev);
    write_whole_bytes(&out, &acc, &fill);
  }
  *w = (bit_writer){out, acc, fill};
  for (; i < n; i++) put_bits(w, rev[p[i]], len[p[i]]);
  put_bits(w, rev[256], len[256]);
}

/* Whether the code `kept` made for an earlier chunk's plane serves this
 * one's n bytes (counted per value in counts): it has a code for each, and
 * takes at most KEEP_SLACK more bits a byte than it took for the bytes it
 * was made for, and fewer than stored blocks would. */
#define KEEP_SLACK (1.0 / 32)
static int kept_code_serves(const sim_chunk_code *kept, const uint32_t *counts, size_t n) {
  /* over the literals it codes alone (a few, for a column of names): a
   * byte without a code leaves them fewer than n */
  uint64_t bits = 0, coded = 0;
  for (unsigned k = 0; k < kept->n_literals; k++) {
    unsigned s = kept->literals[k];
    bits += (uint64_t)counts[s] * kept->len[s];
    coded += counts[s];
  }
  if (coded != n) return 0;
  bits += 3 + kept->header_bits + kept->len[256];
  return bits < 8 * ((uint64_t)n + 6 + 5 * (n / STORED_MOST)) &&
         (double)bits / (double)n <= (double)kept->bits / (double)kept->bytes * (1 + KEEP_SLACK);
}

/* (chunk_bits.h) A code is made when none is kept that serves, and kept:
 * the chunks of a column of names make theirs once in SIM_CHUNK_CODE_EVERY. */
void chunk_put_literals(bit_writer *w, const unsigned char *p, size_t n, const uint32_t *counts, int final,
                        sim_chunk_code *kept, int remake) {
  if (kept && kept->stored && !remake) { /* bytes that no code of theirs saved on before */
    put_stored(w, p, n, final);
    return;
  }
  if (kept && kept->bytes && !remake && kept_code_serves(kept, counts, n)) {
    put_bits(w, (uint32_t)final, 1);
    put_bits(w, 2, 2);
    put_header(w, kept->header, kept->header_bits);
    put_coded(w, p, n, kept->len, kept->rev, kept->longest);
    return;
  }
  uint32_t freq[LIT_SYMBOLS];
  uint8_t len[LIT_SYMBOLS + 1] = {0}; /* and the one distance code's */
  uint16_t rev[LIT_SYMBOLS], syms[LIT_SYMBOLS + 1];
  unsigned used = 0;
  memcpy(freq, counts, 256 * sizeof *freq);
  freq[256] = 1;
  for (unsigned s = 0; s < 256; s++)
    if (freq[s]) syms[used++] = (uint16_t)s;
  if (used > LIT_FULL) /* every literal a code, absent ones the longest: next chunk's bytes will have it */
    for (unsigned s = used = 0; s < 256; s++) syms[used++] = (uint16_t)s;
  syms[used++] = 256;
  huffman_lengths(freq, syms, used, LIT_LIMIT, len);
  /* the 258 code lengths, run-length coded from the symbols used (the
   * others' lengths 0), then the distance code's, 1 (distance 1 alone,
   * unused; RFC 1951 3.2.7): 16 repeats the length before 3-6 times, 17 a
   * zero 3-10 times, 18 a zero 11-138 times */
  length_token tok[LIT_SYMBOLS + 1];
  unsigned n_tok = 0;
  syms[used] = LIT_SYMBOLS;
  len[LIT_SYMBOLS] = 1;
  for (unsigned k = 0, at = 0; k <= used;) {
    unsigned v, r;
    if (syms[k] > at) { /* zeros up to the next symbol used */
      v = 0, r = syms[k] - at;
    } else { /* lengths of symbols used one after the other */
      v = len[syms[k]], r = 1;
      while (k + r <= used && syms[k + r] == at + r && len[syms[k + r]] == v) r++;
      k += r;
    }
    at += r;
    if (v) tok[n_tok++] = (length_token){(uint8_t)v, 0, 0}, r--;
    while (r >= 3) {
      unsigned most = v ? (r < 6 ? r : 6) : r < 138 ? r : 138;
      if (v)
        tok[n_tok++] = (length_token){16, 2, (uint8_t)(most - 3)};
      else if (most >= 11)
        tok[n_tok++] = (length_token){18, 7, (uint8_t)(most - 11)};
      else
        tok[n_tok++] = (length_token){17, 3, (uint8_t)(most - 3)};
      r -= most;
    }
    while (r--) tok[n_tok++] = (length_token){(uint8_t)v, 0, 0};
  }
  uint32_t cl_freq[CL_SYMBOLS] = {0};
  for (unsigned k = 0; k < n_tok; k++) cl_freq[tok[k].sym]++;
  uint8_t cl_len[CL_SYMBOLS] = {0};
  uint16_t cl_rev[CL_SYMBOLS], cl_syms[CL_SYMBOLS];
  unsigned cl_used = 0;
  for (unsigned s = 0; s < CL_SYMBOLS; s++)
    if (cl_freq[s]) cl_syms[cl_used++] = (uint16_t)s;
  if (cl_used < 2) /* a second code, never sent: a code of one would be incomplete */
    cl_syms[cl_used++] = cl_syms[0] ? 0 : 1;
  if (cl_syms[0] > cl_syms[1]) { /* in ascending order, as canonical_codes takes them */
    uint16_t first = cl_syms[1];
    cl_syms[1] = cl_syms[0], cl_syms[0] = first;
  }
  huffman_lengths(cl_freq, cl_syms, cl_used, CL_LIMIT, cl_len);
  canonical_codes(cl_len, cl_syms, cl_used, cl_rev);
  static const uint8_t order[CL_SYMBOLS] = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
  unsigned hclen = CL_SYMBOLS;
  while (hclen > 4 && !cl_len[order[hclen - 1]]) hclen--;
  /* the block's size in bits, against stored blocks' (their headers of 5
   * bytes and the alignment of the first taken as 6 bytes) */
  uint64_t bits = 3 + 5 + 5 + 4 + 3 * hclen;
  for (unsigned k = 0; k < n_tok; k++) bits += cl_len[tok[k].sym] + tok[k].extra_bits;
  for (unsigned k = 0; k < used; k++) bits += (uint64_t)freq[syms[k]] * len[syms[k]];
  if (bits >= 8 * ((uint64_t)n + 6 + 5 * (n / STORED_MOST))) {
    put_stored(w, p, n, final);
    if (kept) kept->bytes = 0, kept->stored = 1;
    return;
  }
  memset(rev, 0, sizeof rev);
  canonical_codes(len, syms, used, rev);
  unsigned longest = 0;
  for (unsigned k = 0; k < used; k++) longest = len[syms[k]] > longest ? len[syms[k]] : longest;
  /* the header past its first 3 bits, written apart to be kept */
  unsigned char header_space[CHUNK_HEADER_BYTES], *header = kept ? kept->header : header_space;
  bit_writer h = {header, 0, 0};
  put_bits(&h, 0, 5); /* HLIT: 257 codes */
  put_bits(&h, 0, 5); /* HDIST: 1 code */
  put_bits(&h, hclen - 4, 4);
  for (unsigned k = 0; k < hclen; k++) put_bits(&h, cl_len[order[k]], 3);
  for (unsigned k = 0; k < n_tok; k++) {
    put_bits(&h, cl_rev[tok[k].sym], cl_len[tok[k].sym]);
    if (tok[k].extra_bits) put_bits(&h, tok[k].extra, tok[k].extra_bits);
  }
  uint32_t header_bits = (uint32_t)(8 * (h.out - header) + h.n);
  if (h.n) *h.out = (unsigned char)h.bits;
  assert(header_bits <= 8 * CHUNK_HEADER_BYTES);
  if (kept) {
    memcpy(kept->len, len, sizeof kept->len);
    memcpy(kept->rev, rev, sizeof kept->rev);
    kept->header_bits = header_bits;
    kept->longest = (uint8_t)longest;
    kept->n_literals = (uint16_t)(used - 1); /* syms: the literals coded, then 256 */
    for (unsigned k = 0; k + 1 < used; k++) kept->literals[k] = (uint8_t)syms[k];
    kept->bits = bits;
    kept->bytes = n;
    kept->stored = 0;
  }
  put_bits(w, (uint32_t)final, 1);
  put_bits(w, 2, 2);
  put_header(w, header, header_bits);
  put_coded(w, p, n, len, rev, longest);
}
