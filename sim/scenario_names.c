/* sim/scenario_names.c: name patterns and the name index (see scenario_names.h).
 * The index stores positions, and reads names through (names, stride): the
 * name of position k is *(char **)((char *)names + k * stride), so it indexes
 * sim_host and sim_guest arrays in place.  Load factor at most 1/2. */
#include "sim/scenario_names.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "sim/alloc.h"

/* The counter at p (just after its '{'): i through the operators, then an
 * optional ":0W" width, then '}'.  Writes the number to piece and returns the
 * character after the '}'; NULL with a message in err when malformed. */
static const char *expand_counter(const char *pattern, const char *p, uint64_t i, char *piece,
                                  size_t piece_len, char *err, size_t errlen) {
  const char *q = p;
  while (*q == ' ') q++;
  if (*q != 'i') goto bad;
  q++;
  uint64_t v = i;
  for (;;) {
    while (*q == ' ') q++;
    char op = *q;
    if (op != '+' && op != '-' && op != '*' && op != '/' && op != '%') break;
    q++;
    while (*q == ' ') q++;
    if (!isdigit((unsigned char)*q)) goto bad;
    uint64_t k = 0;
    while (isdigit((unsigned char)*q)) {
      if (k > 100000000000ULL) goto bad;
      k = k * 10 + (uint64_t)(*q++ - '0');
    }
    if ((op == '/' || op == '%') && k == 0) {
      snprintf(err, errlen, "name pattern \"%s\": division by zero", pattern);
      return NULL;
    }
    bool wraps = false;
    switch (op) {
      case '+': wraps = __builtin_add_overflow(v, k, &v); break;
      case '-':
        if (k > v) {
          snprintf(err, errlen, "name pattern \"%s\": negative number for instance %llu", pattern,
                   (unsigned long long)i);
          return NULL;
        }
        v -= k;
        break;
      case '*': wraps = __builtin_mul_overflow(v, k, &v); break;
      case '/': v /= k; break;
      default: v %= k; break;
    }
    if (wraps) {
      snprintf(err, errlen, "name pattern \"%s\": number too large for instance %llu", pattern,
               (unsigned long long)i);
      return NULL;
    }
  }
  unsigned width = 0;
  if (*q == ':') {
    q++;
    if (*q != '0') goto bad;
    while (isdigit((unsigned char)*q)) {
      width = width * 10 + (unsigned)(*q++ - '0');
      if (width > 20) goto bad;
    }
  }
  while (*q == ' ') q++;
  if (*q != '}') goto bad;
  snprintf(piece, piece_len, "%0*llu", (int)width, (unsigned long long)v);
  return q + 1;
bad:
  snprintf(err, errlen,
           "name pattern \"%s\": expected a counter such as {i}, {i:03} or {i%%40+1:02} after '{'",
           pattern);
  return NULL;
}

int sim_name_expand(const char *pattern, uint64_t i, char *out, size_t len, char *err,
                    size_t errlen) {
  size_t o = 0;
  const char *p = pattern;
  while (*p) {
    char piece[48];
    if ((p[0] == '{' && p[1] == '{') || (p[0] == '}' && p[1] == '}')) {
      piece[0] = p[0];
      piece[1] = '\0';
      p += 2;
    } else if (*p == '}') {
      snprintf(err, errlen, "name pattern \"%s\": a '}' without '{' (write '}}' for a brace)", pattern);
      return -1;
    } else if (*p == '{') {
      p = expand_counter(pattern, p + 1, i, piece, sizeof piece, err, errlen);
      if (!p) return -1;
    } else {
      piece[0] = *p++;
      piece[1] = '\0';
    }
    size_t pl = strlen(piece);
    if (o + pl + 1 > len) {
      snprintf(err, errlen, "name pattern \"%s\" gives a name longer than %zu bytes", pattern, len - 1);
      return -1;
    }
    memcpy(out + o, piece, pl);
    o += pl;
  }
  out[o] = '\0';
  return 0;
}

static uint64_t fnv1a(const char *s) {
  uint64_t h = 1469598103934665603ULL;
  for (; *s; s++) {
    h ^= (unsigned char)*s;
    h *= 1099511628211ULL;
  }
  return h;
}

static const char *name_at(char *const *names, size_t stride, uint32_t pos) {
  return *(char *const *)((const char *)names + (size_t)pos * stride);
}

int sim_name_index_init(sim_name_index *ix, size_t expected) {
  size_t n = 16;
  while (n < 2 * expected + 2) n *= 2;
  ix->slots = sim_calloc(n, sizeof *ix->slots);
  ix->mask = n - 1;
  ix->count = 0;
  return ix->slots ? 0 : -1;
}

void sim_name_index_free(sim_name_index *ix) {
  sim_free(ix->slots);
  ix->slots = NULL;
}

long sim_name_index_find(const sim_name_index *ix, char *const *names, size_t stride,
                         const char *name) {
  if (!ix->slots) return -1;
  for (size_t s = fnv1a(name) & ix->mask;; s = (s + 1) & ix->mask) {
    if (!ix->slots[s]) return -1;
    uint32_t pos = ix->slots[s] - 1;
    if (!strcmp(name_at(names, stride, pos), name)) return pos;
  }
}

long sim_name_index_add(sim_name_index *ix, char *const *names, size_t stride, const char *name,
                        uint32_t pos) {
  if (2 * (ix->count + 1) > ix->mask + 1) {
    sim_name_index bigger;
    if (sim_name_index_init(&bigger, 2 * (ix->count + 1)) < 0) return -1;
    for (size_t s = 0; s <= ix->mask; s++) {
      if (!ix->slots[s]) continue;
      size_t t = fnv1a(name_at(names, stride, ix->slots[s] - 1)) & bigger.mask;
      while (bigger.slots[t]) t = (t + 1) & bigger.mask;
      bigger.slots[t] = ix->slots[s];
    }
    bigger.count = ix->count;
    sim_free(ix->slots);
    *ix = bigger;
  }
  size_t s = fnv1a(name) & ix->mask;
  for (; ix->slots[s]; s = (s + 1) & ix->mask) {
    uint32_t other = ix->slots[s] - 1;
    if (!strcmp(name_at(names, stride, other), name)) return other;
  }
  ix->slots[s] = pos + 1;
  ix->count++;
  return -2;
}
