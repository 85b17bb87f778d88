/* sim/recorder_output.h: the recorder's output file before HDF5 writes it
 * (sim/recorder_output.c): the lock on .NAME.lock and stale temporaries. */
#ifndef SIM_RECORDER_OUTPUT_H
#define SIM_RECORDER_OUTPUT_H
#include <stddef.h>

/* Takes the lock file at lock_path exclusively (flock, not waiting): 0 with
 * *fd_out its descriptor, or -1 with why in err (another run holds it, or it
 * cannot be made). */
int sim_output_lock(const char *lock_path, int *fd_out, char *err, size_t errlen);
/* Removes the lock file, then releases it (*fd becomes -1); nothing when
 * *fd < 0. */
void sim_output_unlock(const char *lock_path, int *fd);
/* Removes .BASE.tmp-PID in the directory of path (its first dir_len bytes;
 * none: the current directory) for every PID that no longer exists: the
 * temporaries of killed runs (SIGKILL cannot be caught).  Call it under the
 * output's lock, so no live run is writing one of them; only regular files
 * named exactly so go. */
void sim_output_remove_stale_temps(const char *path, size_t dir_len, const char *base);

#endif
