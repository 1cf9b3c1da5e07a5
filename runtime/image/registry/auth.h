/* SPDX-License-Identifier: Apache-2.0 */
/* Registry credentials as containers-auth.json(5) says: the files looked
 * at, in order, are $XDG_RUNTIME_DIR/containers/auth.json (root without it:
 * /run/containers/0/auth.json), ${XDG_CONFIG_HOME:-~/.config}/containers/
 * auth.json, then $DOCKER_CONFIG/config.json or ~/.docker/config.json.
 * An explicit file (--authfile, REGISTRY_AUTH_FILE) is the only one read.
 * In each file the "auths" keys are tried from the most specific
 * (host/namespace/repo) to the host alone; the first file that has a
 * matching key wins. */
#pragma once

#include <glib.h>

/* The file `login` writes (and `logout` edits): AUTHFILE if set, else
 * REGISTRY_AUTH_FILE, else the first one of the list above. */
char *registry_auth_file_for_write (const char *authfile);

/* Credentials for REPO ("host/ns/name", or just "host"). FALSE with no
 * error when none are stored; FALSE with an error for an unreadable or
 * broken file, or a credential helper (unsupported, named). */
gboolean registry_auth_lookup (const char *authfile, const char *repo, char **user,
                               char **password, GError **error);

/* Stores USER/PASSWORD under KEY ("host" or "host/ns…") in FILE (created
 * 0600, rewritten atomically, other keys kept). PASSWORD NULL removes KEY;
 * *removed tells whether it was there. */
gboolean registry_auth_store (const char *file, const char *key, const char *user,
                              const char *password, gboolean *removed, GError **error);
