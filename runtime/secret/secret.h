/* SPDX-License-Identifier: Apache-2.0 */
/* Secrets, stored as podman's (containers/common pkg/secrets) file driver
 * stores them, so the files read the same:
 *
 *   ROOT/secrets/secrets.json               the metadata: {"secrets": {ID: {name, id,
 *                                           labels, createdAt, updatedAt, driver,
 *                                           driverOptions}}, "nameToID", "idToName"}
 *   ROOT/secrets/filedriver/secretsdata.json the file driver's data: {ID: base64}
 *   ROOT/secrets/secrets.lock               flock held around every change and read
 *
 * Directories 0700, files 0600. An id is 25 hex characters. The metadata
 * is the commit point: a store writes the data first and the metadata
 * last, a removal the metadata first; data no metadata names (what a
 * killed store or removal left) is dropped at the next change.
 *
 * A container gets its own copy of each secret at create (podman:
 * "modifying the secret after the container is created will not affect
 * the secret inside the container"): secret_export.
 *
 * The engine prints nothing: every function returns a GError. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#define SECRET_ERROR (secret_error_quark ())
GQuark secret_error_quark (void);
typedef enum {
  SECRET_ERROR_NOT_FOUND, /* "no secret with name or id \"X\": no such secret" */
  SECRET_ERROR_EXISTS,    /* "NAME: secret name in use" */
  SECRET_ERROR_INVALID,   /* a bad name, size or driver (message as podman's) */
  SECRET_ERROR_AMBIGUOUS, /* an id prefix of more than one */
  SECRET_ERROR_IO,
} SecretError;

/* podman's limit: more than 0 and less than 512000 bytes. */
#define SECRET_MAX_SIZE 512000

typedef struct {
  char *id;
  char *name;
  char *driver;          /* "file" */
  char **labels;         /* KEY=VALUE, sorted */
  char **driver_options; /* KEY=VALUE, sorted ("path=DIR" for the file driver) */
  char *created;         /* RFC 3339 with nanoseconds, as Go writes a time */
  char *updated;
} Secret;

void secret_free (Secret *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Secret, secret_free)

/* How a secret is stored: secret_store's options. */
typedef struct {
  const char *driver;          /* NULL: "file" */
  char **driver_options;       /* KEY=VALUE; the file driver's path defaults to
                                * ROOT/secrets/filedriver */
  char **labels;               /* KEY=VALUE */
  gboolean replace;            /* an existing secret of that name is replaced (new id) */
  gboolean ignore_existing;    /* an existing secret is kept: its id is returned */
} SecretStoreOptions;

/* Whether @name is one podman takes (1 to 253 characters, none of
 * '=', '/' or ','); the error is podman's. */
gboolean secret_name_valid (const char *name, GError **error);

/* Stores @len bytes of @data as secret @name; returns its id. */
char *secret_store (const char *root, const char *name, const guint8 *data, gsize len,
                    const SecretStoreOptions *opts, GError **error);
/* The secret of that name, id or unique id prefix. */
Secret *secret_lookup (const char *root, const char *name_or_id, GError **error);
/* The same with its data (@secret may be NULL). */
GBytes *secret_lookup_data (const char *root, const char *name_or_id, Secret **secret,
                            GError **error);
/* Every secret, oldest first. */
GPtrArray *secret_list (const char *root, GError **error);
/* Removes the secret of that name, id or unique id prefix; returns its id. */
char *secret_remove (const char *root, const char *name_or_id, GError **error);

/* Writes the data of secret @name_or_id to @path (replacing it), mode
 * @mode: a container's copy. */
gboolean secret_export (const char *root, const char *name_or_id, const char *path, mode_t mode,
                        GError **error);
