/* SPDX-License-Identifier: Apache-2.0 */
/* The GError helpers of generator and runtime: one for errno, one for a
 * formatted message, both returning FALSE for `return helper (...);`. */
#pragma once

#include <glib.h>

/* Sets @error to @domain/@code with the message "FORMAT: strerror(@errsv)"
 * (name the thing in FORMAT: "cannot create %s", path) and returns FALSE,
 * so a caller can `return errno_error (error, ..., errno, ...);`. Pass
 * errno itself or a value saved before cleanup calls that may change it. */
gboolean errno_error (GError **error, GQuark domain, int code, int errsv, const char *format, ...)
  G_GNUC_PRINTF (5, 6);

/* g_set_error() that returns FALSE, for `return gerror_set (error, ...);`
 * in place of a file's own varargs wrapper. */
gboolean gerror_set (GError **error, GQuark domain, int code, const char *format, ...)
  G_GNUC_PRINTF (4, 5);
