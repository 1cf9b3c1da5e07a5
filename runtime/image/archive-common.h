/* SPDX-License-Identifier: Apache-2.0 */
/* Image archives as `podman save` writes them and `podman load` reads
 * them: oci-archive (an OCI image layout in a tar: oci-layout, index.json,
 * blobs/sha256/…) and docker-archive (manifest.json, <config>.json,
 * <layer>/layer.tar).  Loading stages every member of the outer tar (hashed
 * while copied), then the format's reader adopts the blobs its manifests
 * name; all of it goes through one StoreTxn, so a rejected archive leaves
 * the store unchanged. */
#pragma once

#include "image/store.h"

typedef enum
{
  IMAGE_ARCHIVE_OCI,
  IMAGE_ARCHIVE_DOCKER,
} ImageArchiveFormat;

/* Loads FILE (format detected); returns the loaded images' names (or ids
 * for unnamed ones) in the order the archive lists them. */
GPtrArray *image_archive_load (Store *s, const char *file, GError **error);

/* Writes IMG to FILE (temp + rename), naming it NAME (may be NULL). With
 * @uncompressed an oci-archive holds the layers as plain tars (a new
 * manifest names them by their diff ids: podman save --uncompressed); a
 * docker-archive's layers are plain tars always. */
gboolean image_archive_save (Store *s, StoreImage *img, const char *name, const char *file,
                             ImageArchiveFormat format, gboolean uncompressed, GError **error);

/* ---- between archive-common.c and the format readers/writers ---- */

/* One regular member of the outer tar, copied into the staging dir. */
typedef struct
{
  char *path; /* staged copy, or NULL once adopted */
  char *hex;  /* sha256 of the content */
  gsize size;
} ArchiveMember;

typedef struct
{
  Store *s;
  StoreTxn *txn;
  const char *file;
  GHashTable *members; /* clean member name -> ArchiveMember */
  GPtrArray *loaded;   /* names or ids, for the caller */
} ArchiveLoad;

/* Parses member NAME as a JSON object/array; NULL with an error naming the
 * archive when missing or invalid. */
JsonNode *archive_member_json (ArchiveLoad *l, const char *name, GError **error);
/* Files member NAME as a blob; EXPECTED_HEX, if set, must match its content. */
gboolean archive_member_adopt (ArchiveLoad *l, const char *name, const char *expected_hex,
                               char **hex_out, GError **error);
/* Adopts every layer of a config's diff_ids from LAYER_HEXES (blob hex per
 * layer, same order) and unpacks them. */
gboolean archive_add_layers (ArchiveLoad *l, JsonObject *config, char **layer_hexes,
                             const char *const *media_types, GError **error);

gboolean archive_load_oci (ArchiveLoad *l, GError **error);
gboolean archive_load_docker (ArchiveLoad *l, GError **error);

typedef struct _ArchiveOut ArchiveOut;
/* Adds a member with DATA. */
gboolean archive_out_data (ArchiveOut *o, const char *name, const void *data, gsize len,
                           GError **error);
/* Adds a member with the content of file PATH. */
gboolean archive_out_file (ArchiveOut *o, const char *name, const char *path, GError **error);
/* Adds a member with the decompressed content of layer blob PATH (SIZE bytes
 * once decompressed). */
gboolean archive_out_layer_tar (ArchiveOut *o, const char *name, const char *path, guint64 size,
                                GError **error);

gboolean archive_save_oci (ArchiveOut *o, Store *s, StoreImage *img, const char *name,
                           gboolean uncompressed, GError **error);
gboolean archive_save_docker (ArchiveOut *o, Store *s, StoreImage *img, const char *name,
                              GError **error);

/* Small JSON helpers shared by the formats. */
char *archive_json_to_data (JsonNode *node, gsize *len);
const char *archive_json_string (JsonObject *o, const char *member);
