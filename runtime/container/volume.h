/* SPDX-License-Identifier: Apache-2.0 */
/* Named volumes, laid out as podman's local driver does:
 *
 *   ROOT/volumes/<name>/volume.json   the record (name, driver, labels, options)
 *   ROOT/volumes/<name>/_data         the data, bind-mounted into containers
 *
 * Records are written atomically (temp + fsync + rename) while holding the
 * flock on ROOT/store.lock, so `volume create --ignore` from two services
 * at once creates one volume. A volume with type=/device= options (tmpfs,
 * or a bind of a host directory) is mounted on _data at its first use by a
 * container and stays mounted until `volume rm` or a reboot. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

#define VOLUME_ERROR (volume_error_quark ())
GQuark volume_error_quark (void);
typedef enum
{
  VOLUME_ERROR_NOT_FOUND,
  VOLUME_ERROR_EXISTS,
  VOLUME_ERROR_IN_USE,
  VOLUME_ERROR_INVALID, /* bad name or option (message names it) */
  VOLUME_ERROR_FAILED,  /* file system or mount failure (message has path, errno) */
} VolumeError;

typedef struct
{
  char *name;
  char *driver;    /* "local" */
  gint64 created;  /* unix microseconds */
  char **labels;   /* KEY=VALUE */
  char **options;  /* --opt values as given: "type=tmpfs", "o=size=10m", "nocopy" */
  gint64 uid, gid; /* owner of _data, -1 unset */
  gboolean anonymous;
} Volume;

void volume_free (Volume *v);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Volume, volume_free)

/* A record with no name yet, driver local, owner unset. */
Volume *volume_new (void);

/* Checks @v's driver and options (only what podunit can honour), creates
 * the volume and writes its record. A NULL name gets a random 64-hex one.
 * An existing volume is VOLUME_ERROR_EXISTS unless @ignore_existing, then
 * *existed is set and nothing changes. */
gboolean volume_create (const char *root, Volume *v, gboolean ignore_existing, gboolean *existed,
                        GError **error);
Volume *volume_load (const char *root, const char *name, GError **error);
/* Names of every volume, sorted. */
GPtrArray *volume_list (const char *root, GError **error);
char *volume_mountpoint (const char *root, const char *name); /* ROOT/volumes/<name>/_data */
/* Ids of the containers whose mounts use the volume. */
GPtrArray *volume_users (const char *root, const char *name, GError **error);
/* Unmounts and deletes the volume; VOLUME_ERROR_IN_USE when a container
 * uses it (the caller removes those first to force). */
gboolean volume_remove (const char *root, const char *name, GError **error);
/* Removes the anonymous volumes among a container's normalized @mounts
 * (`rm -v`) that no other container uses. */
gboolean volume_remove_anonymous (const char *root, char **mounts, GError **error);
/* Value of @key in a KEY=VALUE vector (labels, options), or NULL. */
const char *volume_strv_get (char **kv, const char *key);
/* The record as podman's `volume inspect` prints it. */
JsonObject *volume_to_json (const char *root, const Volume *v);
