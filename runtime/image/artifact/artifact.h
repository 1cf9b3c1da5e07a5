/* SPDX-License-Identifier: Apache-2.0 */
/* OCI artifacts as podman 5 keeps them: files stored as the layers of an
 * OCI image manifest (config: the empty descriptor, one layer per file
 * titled org.opencontainers.image.title, the manifest's
 * org.opencontainers.image.created), in an OCI image layout of their own:
 *   ROOT/artifacts/oci-layout, index.json  (manifest descriptors, each
 *                                            named by org.opencontainers.image.ref.name)
 *   ROOT/artifacts/blobs/sha256/<hex>      manifests, the empty config, files
 *   ROOT/artifacts/index.lock              flock around every change
 * Every change is temp + fsync + rename; blobs no manifest names any more
 * are removed after the index that dropped them is written. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define ARTIFACT_ERROR (artifact_error_quark ())
GQuark artifact_error_quark (void);

typedef enum
{
  ARTIFACT_ERROR_NOT_FOUND, /* "NAME: artifact does not exist" */
  ARTIFACT_ERROR_EXISTS,    /* "NAME: artifact already exists" */
  ARTIFACT_ERROR_INVALID,   /* bad name, bad option, bad file, hostile title */
  ARTIFACT_ERROR_IO,        /* file system error (the message names the path) */
} ArtifactError;

typedef struct
{
  char *name;          /* "quay.io/a/b:tag" */
  char *digest;        /* "sha256:<hex>" of the manifest */
  JsonObject *manifest;
  guint64 size;        /* sum of the layers' sizes */
  gint64 created;      /* unix seconds of org.opencontainers.image.created, 0 none */
  char *created_text;  /* that annotation as written, NULL none */
} Artifact;

void artifact_free (Artifact *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Artifact, artifact_free)

typedef struct
{
  const char *type;        /* the manifest's artifactType (NULL: none) */
  const char *file_type;   /* every layer's mediaType (NULL: sniffed per file) */
  char *const *annotations; /* "KEY=VALUE", set on every new layer */
  gboolean append;         /* add the files to an existing artifact */
  gboolean replace;        /* an artifact of that name is replaced */
} ArtifactAddOptions;

/* A fully qualified reference as podman's artifacts take it (a registry host
 * first, lower-case repository), ":latest" added when it has no tag or digest. */
char *artifact_normalize_name (const char *name, GError **error);

/* All artifacts, in index order. */
GPtrArray *artifact_list (const char *root, GError **error);
/* By name (normalized) or by a full or unique prefix of the manifest digest. */
Artifact *artifact_lookup (const char *root, const char *name_or_digest, GError **error);
/* Stores FILES as the artifact NAME; returns the manifest digest
 * ("sha256:<hex>"). Every file and option is checked before the store
 * changes. */
char *artifact_add (const char *root, const char *name, char *const *files,
                    const ArtifactAddOptions *opts, GError **error);
/* Removes the artifact; returns its digest. */
char *artifact_remove (const char *root, const char *name_or_digest, GError **error);
/* Copies the artifact's files to TARGET: into it when it is a directory
 * (each named by its title, or its digest with ':' as '-'), else to TARGET
 * itself (one file: the artifact's only one, or the one TITLE or DIGEST
 * picks). */
gboolean artifact_extract (const char *root, const char *name_or_digest, const char *target,
                           const char *title, const char *digest, GError **error);

/* What podman's sniffing (Go's http.DetectContentType) calls DATA's media
 * type, for the types files usually have: text, gzip, zip, pdf, png, jpeg,
 * gif; "application/octet-stream" otherwise. */
const char *artifact_sniff_media_type (const guint8 *data, gsize len);

G_END_DECLS
