/* SPDX-License-Identifier: Apache-2.0 */
/* Durations as podman's flags write them (Go's time.ParseDuration):
 * "30s", "1m30s", "500ms", "1.5h", "0". Used by the --health-* flags and
 * `logs --since 10m`. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Parses @s into microseconds (nanoseconds are truncated). Units: ns us µs
 * ms s m h; a bare "0" is zero; a number without a unit is an error, as in
 * Go. */
gboolean duration_parse (const char *s, gint64 *usec, GError **error);

G_END_DECLS
