/* sim/suggest.c: nearest-name suggestions (see suggest.h).
 * Optimal string alignment distance in O(len(a) * len(b)) time on a fixed
 * 65x65 table: names in scenarios are short, and longer words get no
 * suggestion rather than an allocation. */
#include "sim/suggest.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#define MAXLEN 64

static size_t min3(size_t a, size_t b, size_t c) {
  size_t m = a < b ? a : b;
  return m < c ? m : c;
}

static size_t sub_cost(char x, char y) {
  if (x == y) return 0;
  if (tolower((unsigned char)x) == tolower((unsigned char)y)) return 1;
  return 2;
}

size_t sim_edit_distance(const char *a, const char *b) {
  size_t la = strlen(a), lb = strlen(b);
  if (la > MAXLEN || lb > MAXLEN) return SIZE_MAX;
  size_t d[MAXLEN + 1][MAXLEN + 1];
  for (size_t i = 0; i <= la; i++) d[i][0] = 2 * i;
  for (size_t j = 0; j <= lb; j++) d[0][j] = 2 * j;
  for (size_t i = 1; i <= la; i++) {
    for (size_t j = 1; j <= lb; j++) {
      d[i][j] = min3(d[i - 1][j] + 2, d[i][j - 1] + 2, d[i - 1][j - 1] + sub_cost(a[i - 1], b[j - 1]));
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 2 < d[i][j])
        d[i][j] = d[i - 2][j - 2] + 2;
    }
  }
  return d[la][lb];
}

const char *sim_suggest(const char *word, const char *const *candidates, size_t n) {
  size_t len = strlen(word);
  size_t limit = 2 * (len >= 6 ? (len + 2) / 3 : 2);
  const char *best = NULL;
  size_t best_d = SIZE_MAX;
  for (size_t i = 0; i < n; i++) {
    size_t dist = sim_edit_distance(word, candidates[i]);
    if (dist < best_d) {
      best_d = dist;
      best = candidates[i];
    }
  }
  return best && best_d <= limit && best_d > 0 ? best : NULL;
}
