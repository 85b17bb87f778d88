/* sim/chunk_huffman.c: a plane of literals as one deflate block under a
 * Huffman code made for its bytes (see chunk_bits.h), for sim/chunk_codec.c
 * at level 1.  Units: bits, bytes.  Invariant: the block is a valid
 * dynamic-Huffman block (RFC 1951 3.2.7) or stored blocks (3.2.4) of
 * exactly the plane's bytes. */
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
                        * codes and 7 bits pending fit a 64-bit word (chunk_put_literals) */
#define CL_SYMBOLS 19   /* the code-length alphabet (RFC 1951 3.2.7) */
#define CL_LIMIT 7      /* its longest code */
#define STORED_MOST 65535 /* the most bytes of a stored block */
#define SORT_FEW 32       /* symbols sorted by insertion alone (fewer steps than counting them out) */
#define SORT_KEYS 128     /* frequencies counted out apart (huffman_lengths) */

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

/* The n bytes at p (one plane), counted per byte value in counts, as one
 * block of literals under their own code, or as stored blocks when those
 * take no more bytes. */
void chunk_put_literals(bit_writer *w, const unsigned char *p, size_t n, const uint32_t *counts, int final) {
  uint32_t freq[LIT_SYMBOLS];
  uint8_t len[LIT_SYMBOLS + 1]; /* and the one distance code's; set for the symbols used */
  uint16_t rev[LIT_SYMBOLS], syms[LIT_SYMBOLS + 1];
  unsigned used = 0;
  memcpy(freq, counts, 256 * sizeof *freq);
  freq[256] = 1;
  for (unsigned s = 0; s < 256; s++)
    if (freq[s]) syms[used++] = (uint16_t)s;
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
    return;
  }
  canonical_codes(len, syms, used, rev);
  put_bits(w, (uint32_t)final, 1);
  put_bits(w, 2, 2);
  put_bits(w, 0, 5); /* HLIT: 257 codes */
  put_bits(w, 0, 5); /* HDIST: 1 code */
  put_bits(w, hclen - 4, 4);
  for (unsigned k = 0; k < hclen; k++) put_bits(w, cl_len[order[k]], 3);
  for (unsigned k = 0; k < n_tok; k++) {
    put_bits(w, cl_rev[tok[k].sym], cl_len[tok[k].sym]);
    if (tok[k].extra_bits) put_bits(w, tok[k].extra, tok[k].extra_bits);
  }
  /* the literals, four at a time: under 8 bits pending, and four codes of
   * LIT_LIMIT = 14 bits at most, fit a word, whose whole bytes are then
   * written at once (8 bytes stored, those past them rewritten later) */
  uint64_t code[256]; /* a literal's reversed code; set for those used */
  for (unsigned k = 0; k + 1 < used; k++) code[syms[k]] = rev[syms[k]];
  uint64_t acc = w->bits;
  unsigned fill = w->n;
  unsigned char *out = w->out;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    unsigned char a = p[i], b = p[i + 1], c = p[i + 2], d = p[i + 3];
    acc |= code[a] << fill;
    fill += len[a];
    acc |= code[b] << fill;
    fill += len[b];
    acc |= code[c] << fill;
    fill += len[c];
    acc |= code[d] << fill;
    fill += len[d];
    memcpy(out, &acc, 8); /* little-endian hosts (load8 in chunk_codec.c) */
    out += fill >> 3;
    acc >>= fill & ~7u;
    fill &= 7;
  }
  *w = (bit_writer){out, acc, fill};
  for (; i < n; i++) put_bits(w, rev[p[i]], len[p[i]]);
  put_bits(w, rev[256], len[256]);
}
