/* sim/chunk_codec.h: the bytes of one chunk of a compound dataset as HDF5's
 * shuffle filter followed by its deflate filter would store them, computed
 * here so that the recorder can write them with H5Dwrite_chunk
 * (sim/recorder.c); a dataset that declares both filters reads them back as
 * it reads the library's own.  Units: bytes.  A codec keeps its buffers and
 * its zlib stream from one chunk to the next. */
#ifndef SIM_CHUNK_CODEC_H
#define SIM_CHUNK_CODEC_H
#include <stddef.h>
#include <stdint.h>

#include <zlib.h>

/* Where a byte plane of a chunk changes: the row and its new byte. */
typedef struct sim_chunk_change {
  uint32_t at;        /* row */
  unsigned char byte; /* the plane's byte from that row on */
} sim_chunk_change;

/* A stretch of the shuffled chunk coded one way: a plane's rows, or the
 * padding past a dataset's end in its short last chunk. */
typedef struct sim_chunk_seg {
  size_t start, len;        /* bytes into the shuffled chunk */
  unsigned char byte;       /* runs: the first run's byte */
  unsigned char runs;       /* 1: coded as runs; 0: deflated (gathered at start) */
  unsigned char set;        /* runs set at start, to be deflated with the planes around */
  unsigned char repeats;    /* deflated at level 1: zlib may find repeats a block of literals misses
                             * (1: its bytes rise by a fixed step or run; 2: the match probe found them) */
  const sim_chunk_change *changes; /* runs: where the next runs start, n_changes of them */
  size_t n_changes;
  const uint32_t *counts;   /* deflated at level 1: its bytes counted per value, 256 */
  uint32_t adler;           /* deflated at level 1: the Adler-32 checksum of its bytes alone */
  struct sim_chunk_code *code; /* literals at level 1: the dataset's code of the plane, or NULL */
  unsigned char remake;     /* literals at level 1: a code is made anew, not the one kept */
} sim_chunk_seg;

typedef struct sim_chunk_codec {
  int level;                   /* deflate level, 1 .. 9; set before the first chunk */
  z_stream zs;                 /* deflate stream at `level`, reset per chunk */
  int zs_ready;                /* zs is initialized */
  unsigned char *shuffled;     /* a chunk's bytes, shuffled; cap_shuffled bytes */
  unsigned char *packed;       /* its deflate stream; cap_packed bytes */
  size_t cap_shuffled, cap_packed;
  size_t *n_changed;           /* per byte plane: its changes, counted up to a bound */
  sim_chunk_change *changes;   /* per byte plane: its first changes */
  uint32_t *repeat_heads;      /* level 1: per hash of 4 bytes, 1 + where they were last seen
                                * in a stretch coded (chunk_codec.c put_repeats) or a plane
                                * probed (plane_matches), never cleared; 0: not yet */
  sim_chunk_seg *segs;         /* the chunk's segments, in order; n_segs of cap_segs */
  size_t n_segs;
  uint32_t *counts;            /* level 1: per byte plane deflated, its bytes counted per value (256) */
  size_t cap_n_changed, cap_changes, cap_segs, cap_counts;
} sim_chunk_codec;

/* What the chunks of one dataset coded so far found of its byte planes at
 * level 1, so that the sampled match probe (chunk_codec.c plane_matches)
 * runs on a plane and a block of repeats that did not fit is tried again
 * once in SIM_CHUNK_PROBE_EVERY chunks, and a code for its literals is made
 * (chunk_huffman.c) once in SIM_CHUNK_CODE_EVERY, rather than at each:
 * a column's bytes keep their character from chunk to chunk (names chosen
 * among the same few, times that rise).  The output depends only on the
 * dataset's rows, chunk after chunk, and decodes to them whatever it holds. */
#define SIM_CHUNK_PROBE_EVERY 8
/* A plane's code of literals kept serves about as well as it did, or is
 * made anew at once; else it is made anew once in SIM_CHUNK_CODE_EVERY
 * chunks: more often saved a few hundred bytes of a file of megabytes
 * (host-16-guests), for 3.5 M instructions. */
#define SIM_CHUNK_CODE_EVERY (4 * SIM_CHUNK_PROBE_EVERY)
typedef struct sim_chunk_code sim_chunk_code; /* a plane's code of literals (chunk_bits.h) */
typedef struct sim_chunk_memory {
  unsigned char *matches; /* per byte plane: 0 not probed yet, 1 its last probe found
                           * repeats worth zlib's search, 2 it did not, or zlib then took
                           * no fewer bytes of the plane alone than its literals would */
  sim_chunk_code **codes; /* per byte plane: the code its literals were last coded with
                           * (made again once in SIM_CHUNK_CODE_EVERY chunks, or when it
                           * serves worse; stored bytes tried again as the probe is), or NULL */
  unsigned char *no_repeats; /* per byte plane: 1 when the last block of repeats tried for the
                              * deflated stretch from it (chunk_codec.c put_repeats) did not
                              * fit, tried again once in SIM_CHUNK_PROBE_EVERY chunks */
  size_t n_planes;        /* entries of matches, codes and no_repeats: the dataset's bytes a row */
  uint64_t chunks;        /* chunks of the dataset coded */
} sim_chunk_memory;

/* Encodes `rows` rows of row_bytes bytes at data (at most chunk_rows; fewer
 * in a dataset's last chunk, padded with zero bytes) as one chunk of
 * chunk_rows rows; m: the dataset's memory (zeroed before its first
 * chunk), or NULL to probe every plane.  *out (valid until the next call)
 * and *len are the stored bytes.  0; -1 when zlib fails (sim_chunk_codec_error says why);
 * -2 when out of memory. */
int sim_chunk_encode(sim_chunk_codec *c, sim_chunk_memory *m, const unsigned char *data, size_t rows,
                     size_t chunk_rows, size_t row_bytes, const unsigned char **out, size_t *len);
/* zlib's message for the last failure. */
const char *sim_chunk_codec_error(const sim_chunk_codec *c);
/* Frees the buffers and the stream; the codec is zeroed. */
void sim_chunk_codec_free(sim_chunk_codec *c);
/* Frees a dataset's memory; it is zeroed. */
void sim_chunk_memory_free(sim_chunk_memory *m);

#endif
