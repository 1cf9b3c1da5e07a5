/* SPDX-License-Identifier: Apache-2.0 */
/* Names of containers, pods, volumes and networks: podman's rule, in one
 * place. A name becomes a file name, a line of `ps`, an /etc/hosts entry,
 * so "../x", "a/b", "-dash" or a newline must never get in. */
#pragma once

#include <glib.h>

#define NAME_ERROR (name_error_quark ())
GQuark name_error_quark (void);

/* A name is also a directory name (volumes) and a host name: at most a
 * DNS name's length. */
#define NAME_MAX_LEN 253

/* TRUE when @name matches [a-zA-Z0-9][a-zA-Z0-9_.-]* and is at most
 * NAME_MAX_LEN bytes. Else FALSE with podman's message: "running @kind
 * create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid
 * argument" (or one naming the length). */
gboolean name_check (const char *kind, const char *name, GError **error);

/* podman's lookup of a container or pod among @ids (full ids): a name
 * (@name_of gives each one's) or a full id first, then a unique id prefix
 * of at least 3 characters. Returns the id (an element of @ids), or NULL
 * with *@ambiguous set when more than one prefix matched. */
const char *name_resolve (GPtrArray *ids, char *(*name_of) (const char *id, gpointer data),
                          gpointer data, const char *name_or_id, gboolean *ambiguous);

/* The ids of the records under @dir: its 64-character entries that hold a
 * @file, oldest first by that file's mtime (in ns: two made within a
 * second keep their order). An unreadable @dir has none. */
GPtrArray *name_list_ids (const char *dir, const char *file);

/* g_ptr_array_sort's comparator for an array of strings, in strcmp order
 * (it passes pointers to the elements, not the strings). */
int name_compare (gconstpointer a, gconstpointer b);
