/* SPDX-License-Identifier: Apache-2.0 */
/* systemd's two datagram protocols, spoken without libsystemd and with
 * libc only, so that podunit-supervisor (which stays libc-only to keep its
 * RSS at conmon's: glib and libsystemd add ~2 MB) can use them too:
 *
 *   notify   newline-separated KEY=VALUE lines in one datagram to
 *            $NOTIFY_SOCKET (a path, or "@name" for an abstract socket);
 *   journal  the native protocol of /run/systemd/journal/socket: per field
 *            "KEY=value\n", or, for a value holding a newline,
 *            "KEY\n" + 64-bit little-endian length + value + "\n"
 *            (what sd_journal_sendv sends).
 *
 * Functions return 0 or -errno. */
#pragma once

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

#define SDWIRE_JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Sends @len bytes of @msg to the notify socket @path. */
int sdwire_notify_send (const char *path, const char *msg, size_t len);

/* Copies to @out (size @out_size) the lines of @msg (@len bytes) a
 * container may send through podunit's notify proxy: READY, STATUS,
 * RELOADING, STOPPING, WATCHDOG, ERRNO, MONOTONIC_USEC, never MAINPID or
 * anything else. Returns the length written (0: nothing to relay). */
size_t sdwire_notify_filter (const char *msg, size_t len, char *out, size_t out_size);

/* A datagram socket for sdwire_journal_send (-errno on failure). */
int sdwire_journal_open (void);

/* Sends one entry made of the "KEY=value" fields @fields (n of them) to
 * the journal socket at @path (NULL: SDWIRE_JOURNAL_SOCKET) over @fd. */
int sdwire_journal_send (int fd, const char *path, const struct iovec *fields, int n);
