/* sim/chunk_bits.h: the bit writer of sim/chunk_codec.c's deflate blocks
 * (RFC 1951 3.1.1: bits least significant first, Huffman codes from their
 * most significant bit), and the block of literals that sim/chunk_huffman.c
 * writes for it.  Private to the codec's files.  Units: bits, bytes. */
#ifndef SIM_CHUNK_BITS_H
#define SIM_CHUNK_BITS_H
#include <stddef.h>
#include <stdint.h>

#include "sim/chunk_codec.h"

/* Bits written least significant first (RFC 1951 3.1.1). */
typedef struct bit_writer {
  unsigned char *out; /* next byte of the stream */
  uint64_t bits;      /* pending bits, the first in bit 0 */
  unsigned n;         /* pending bits, < 8 between calls */
} bit_writer;

static inline void put_bits(bit_writer *w, uint32_t value, unsigned n) {
  w->bits |= (uint64_t)value << w->n;
  w->n += n;
  while (w->n >= 8) {
    *w->out++ = (unsigned char)w->bits;
    w->bits >>= 8;
    w->n -= 8;
  }
}

/* Each byte's 8 bits in reverse order: a table made by the preprocessor,
 * each step placing two more bits. */
#define REVERSE2(x) x, x + 2 * 64, x + 1 * 64, x + 3 * 64
#define REVERSE4(x) REVERSE2(x), REVERSE2(x + 2 * 16), REVERSE2(x + 1 * 16), REVERSE2(x + 3 * 16)
#define REVERSE6(x) REVERSE4(x), REVERSE4(x + 2 * 4), REVERSE4(x + 1 * 4), REVERSE4(x + 3 * 4)
static const unsigned char reversed_byte[256] = {REVERSE6(0), REVERSE6(2), REVERSE6(1), REVERSE6(3)};

/* The low n bits (1 .. 16) of code in reverse order. */
static inline uint32_t reverse_bits(uint32_t code, unsigned n) {
  return ((uint32_t)reversed_byte[code & 0xff] << 8 | reversed_byte[code >> 8 & 0xff]) >> (16 - n);
}

/* A Huffman code of n bits, sent from its most significant bit. */
static inline void put_code(bit_writer *w, uint32_t code, unsigned n) {
  put_bits(w, reverse_bits(code, n), n);
}

/* The most bytes of a block of literals' header past its first 3 bits:
 * HLIT, HDIST and HCLEN (14 bits), 19 code-length codes of 3 bits, and at
 * most 258 code lengths of 7 bits and 7 extra bits each (RFC 1951 3.2.7). */
#define CHUNK_HEADER_BYTES 464

/* A plane's code of literals, kept in a dataset's sim_chunk_memory from
 * one chunk to the next. */
struct sim_chunk_code {
  uint8_t len[257];      /* bits of the code of each literal and of the end of block; 0: none */
  uint16_t rev[257];     /* each code, bits reversed (the order put_bits sends) */
  uint8_t longest;       /* bits of the longest code */
  uint8_t literals[256]; /* the literals with a code, n_literals of them, ascending */
  uint16_t n_literals;
  uint32_t header_bits;  /* bits of header */
  unsigned char header[CHUNK_HEADER_BYTES]; /* the block's header past its first 3 bits, from bit 0 */
  uint64_t bits, bytes;  /* the block's bits, with its header, for the bytes it was made for;
                          * bytes 0: no code kept */
  int stored;            /* the plane's last bytes were stored blocks: no code saved on them */
};

/* The n bytes at p (one plane), counted per byte value in counts, as one
 * block of literals under a code made for them, or as stored blocks when
 * those take no more bytes (final: the stream's last, padded to a byte);
 * at most n + 5 (n / 65535) + 16 bytes are written past w->out
 * (sim/chunk_huffman.c).  kept: the plane's code from an earlier chunk,
 * used again unless `remake` or it serves these bytes less well than it
 * served those, and replaced by the code made; the bytes stored again if
 * they were stored, unless `remake`; or NULL. */
void chunk_put_literals(bit_writer *w, const unsigned char *p, size_t n, const uint32_t *counts, int final,
                        sim_chunk_code *kept, int remake);

#endif
