/* SPDX-License-Identifier: Apache-2.0 */
/* CHECK() for the fuzz targets: a property that does not hold aborts, so
 * libFuzzer keeps the input as a crash and prints its stack. */
#pragma once

#include <glib.h>
#include <stdio.h>
#include <stdlib.h>

#define CHECK(cond, ...)                                                                           \
  do                                                                                               \
    {                                                                                              \
      if (!(cond))                                                                                 \
        {                                                                                          \
          fprintf (stderr, "fuzz: check failed: %s: ", #cond);                                     \
          fprintf (stderr, __VA_ARGS__);                                                           \
          fputc ('\n', stderr);                                                                    \
          abort ();                                                                                \
        }                                                                                          \
    }                                                                                              \
  while (0)

/* GLib warnings and criticals (a NULL where none may be, json-glib's
 * getters on the wrong node type, a GError set twice) are bugs: abort,
 * which libFuzzer catches and keeps the input of (a fatal log mask would
 * trap, which it does not). */
static void
fuzz_log_abort (const char *domain, GLogLevelFlags level, const char *message, gpointer data)
{
  fprintf (stderr, "fuzz: %s log: %s\n", domain ? domain : "", message);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
}

static inline void
fuzz_glib_logs_abort (void)
{
  g_log_set_default_handler (fuzz_log_abort, NULL);
}
