/* SPDX-License-Identifier: Apache-2.0 */
/* File-descriptor helpers shared by the generator, the runtime and the
 * supervisor. libc only (no glib), so the supervisor stays tiny. */
#pragma once

#include <stddef.h>

/* Writes all @len bytes of @buf to @fd, retrying on EINTR and short
 * writes. Returns 0, or -1 with errno set (EIO when write() returned 0). */
int fd_write_all (int fd, const void *buf, size_t len);
