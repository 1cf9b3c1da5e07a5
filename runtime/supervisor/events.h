/* SPDX-License-Identifier: Apache-2.0 */
/* podman's event log, its "file" backend: one JSON object a line in
 * RUNROOT/events/events.log ({"ID","Image","Name","Status","Time","Type",
 * "ContainerExitCode"}), appended with one write (O_APPEND) so concurrent
 * writers never interleave within a line; on the run state's tmpfs, so it
 * starts empty at boot, as podman's. libc only: the supervisor writes a
 * container's "died". Writing is best effort: an event that cannot be
 * written never fails what it records. */
#pragma once

/* EXIT_CODE < 0: none. NAME and IMAGE may be NULL. */
void events_append (const char *runroot, const char *type, const char *status, const char *id,
                    const char *name, const char *image, int exit_code);
/* RUNROOT/events/events.log into OUT (N bytes). */
void events_log_path (const char *runroot, char *out, unsigned long n);
