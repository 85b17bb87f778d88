/* tests/scratch.h: the tests' scratch directories and files, made under $TMPDIR
 * (else /tmp) and removed with everything in them.  Both return 0 or -1
 * instead of asserting, so that a suite's set-up and clean-up, where CUnit
 * assertions do not count, can use them; a test uses fx_scratch_dir
 * (tests/fixtures.h), which fails the test instead.
 * Invariant: scratch_remove removes only a directory scratch_make could
 * have made (its last component begins "vdcsim-"), so a wrong path never
 * points it at anything else. */
#ifndef VDCSIM_TESTS_SCRATCH_H
#define VDCSIM_TESTS_SCRATCH_H

#include <stddef.h>

/* A new directory, vdcsim-TAG- and six random characters (mkdtemp), its
 * path in buf (size bytes); 0, or -1 when it cannot be made. */
int scratch_make(char *buf, size_t size, const char *tag);

/* A new empty file, vdcsim-TAG- and six random characters (mkstemp), in
 * the same place, its path in buf; its descriptor, open for writing, or -1
 * when it cannot be made.  The caller removes it. */
int scratch_file(char *buf, size_t size, const char *tag);

/* Removes directory `dir`, made by scratch_make, and everything in it
 * (symbolic links as links, never followed); 0, or -1. */
int scratch_remove(const char *dir);

#endif
