/* SPDX-License-Identifier: Apache-2.0 */
/* Where Quadlet files are searched, in precedence order (Quadlet 6). */
#pragma once

#include <glib.h>

/* The directories to load Quadlet files from, highest precedence first,
 * subdirectories included (drop-in ".d" directories excluded).
 * $QUADLET_UNIT_DIRS (colon-separated absolute paths) replaces the
 * defaults; $PODUNIT_GENERATOR_ROOT prefixes the built-in /run, /etc and
 * /usr paths (for image builds and tests). Problems that Quadlet would log
 * are appended to @problems (char*). Returns char* paths. */
GPtrArray *unit_dirs_get (gboolean is_user, GPtrArray *problems);

/* "[a b c]", as Quadlet prints the list in "No files parsed from …". */
char *unit_dirs_to_string (GPtrArray *dirs);
