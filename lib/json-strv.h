/* SPDX-License-Identifier: Apache-2.0 */
/* A JSON array of strings given as text: a Containerfile's exec form
 * (CMD ["a", "b"]), a --health-cmd, an --entrypoint. Each caller says in
 * its own words what is wrong. */
#pragma once

#include <glib.h>

/* The strings of @text as a NULL-terminated vector, or NULL when @text is
 * not a JSON array of strings; then *@is_array (may be NULL) says whether
 * it was a JSON array at all (with something else than strings in it). */
char **json_strv_parse (const char *text, gboolean *is_array);
