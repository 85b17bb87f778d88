/* sim/suggest.h: "did you mean ...?" for names typed by people.
 * The nearest candidate by Damerau-Levenshtein distance (optimal string
 * alignment: insert, delete, substitute, swap two neighbours; case counts as a
 * half edit), accepted only when the distance is small relative to the word,
 * so a suggestion is a likely typo and not a random name. */
#ifndef SIM_SUGGEST_H
#define SIM_SUGGEST_H
#include <stddef.h>

/* Edit distance between a and b, in half edits (a case-only change costs 1,
 * any other edit 2); SIZE_MAX when either is longer than 64 bytes. */
size_t sim_edit_distance(const char *a, const char *b);
/* The candidate nearest to `word`, or NULL when none is close enough
 * (at most max(2, len/3) edits, rounded up). */
const char *sim_suggest(const char *word, const char *const *candidates, size_t n);

#endif
