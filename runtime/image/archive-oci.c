/* SPDX-License-Identifier: Apache-2.0 */
/* oci-archive: an OCI image layout (oci-layout, index.json,
 * blobs/sha256/<hex>) in a tar.  Every blob is checked against the digest
 * its file name claims; layers additionally against the config's diff ids. */
#include "image/archive-common.h"
#include "image/digest.h"
#include "error.h"

#include <string.h>

#define OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define REF_NAME "org.opencontainers.image.ref.name"

static char *
blob_member (const char *hex)
{
  return g_strconcat ("blobs/sha256/", hex, NULL);
}

static JsonNode *
adopt_json_blob (ArchiveLoad *l, const char *digest, const char *what, char **hex_out,
                 GError **error)
{
  const char *hex = digest_hex (digest, what, error);
  if (hex == NULL)
    return NULL;
  g_autofree char *member = blob_member (hex);
  if (!archive_member_adopt (l, member, hex, NULL, error))
    return NULL;
  JsonNode *n = archive_member_json (l, member, error);
  if (n && !JSON_NODE_HOLDS_OBJECT (n))
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "%s: %s is not a JSON object", l->file,
                   member);
      json_node_unref (n);
      return NULL;
    }
  if (n && hex_out)
    *hex_out = g_strdup (hex);
  return n;
}

static gboolean
load_manifest (ArchiveLoad *l, const char *digest, const char *ref_name, GError **error)
{
  g_autofree char *mhex = NULL;
  g_autoptr (JsonNode) m = adopt_json_blob (l, digest, "index.json manifest", &mhex, error);
  if (m == NULL)
    return FALSE;
  JsonObject *mo = json_node_get_object (m);
  JsonObject *cd
      = json_object_has_member (mo, "config") ? json_object_get_object_member (mo, "config") : NULL;
  g_autoptr (JsonNode) c
      = adopt_json_blob (l, archive_json_string (cd, "digest"), "manifest config", NULL, error);
  if (c == NULL)
    return FALSE;

  JsonArray *layers
      = json_object_has_member (mo, "layers") ? json_object_get_array_member (mo, "layers") : NULL;
  guint n = layers ? json_array_get_length (layers) : 0;
  g_auto (GStrv) hexes = g_new0 (char *, n + 1);
  g_autofree const char **types = g_new0 (const char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *ld = json_array_get_object_element (layers, i);
      const char *hex = digest_hex (archive_json_string (ld, "digest"), "manifest layer", error);
      g_autofree char *member = hex ? blob_member (hex) : NULL;
      if (hex == NULL || !archive_member_adopt (l, member, hex, &hexes[i], error))
        return FALSE;
      types[i] = archive_json_string (ld, "mediaType") ?: "application/vnd.oci.image.layer.v1.tar";
    }
  if (!archive_add_layers (l, json_node_get_object (c), hexes, types, error))
    return FALSE;

  g_autofree char *name = NULL;
  if (ref_name)
    {
      name = store_normalize_name_in (ref_name, "localhost", error);
      if (name == NULL)
        return FALSE;
    }
  const char *names[] = { name, NULL };
  g_autofree char *id = store_txn_add_image (l->txn, mhex, names, error);
  if (id == NULL)
    return FALSE;
  g_ptr_array_add (l->loaded, name ? g_strdup (name) : g_strconcat ("sha256:", id, NULL));
  return TRUE;
}

/* An index of manifests (from index.json or a nested image index). */
static gboolean
load_index (ArchiveLoad *l, JsonObject *index, int depth, GError **error)
{
  JsonArray *ms = json_object_has_member (index, "manifests")
                      ? json_object_get_array_member (index, "manifests")
                      : NULL;
  if (ms == NULL || json_array_get_length (ms) == 0)
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "%s: index.json lists no images",
                   l->file);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (ms); i++)
    {
      JsonObject *d = json_array_get_object_element (ms, i);
      const char *mt = archive_json_string (d, "mediaType");
      JsonObject *ann = d && json_object_has_member (d, "annotations")
                            ? json_object_get_object_member (d, "annotations")
                            : NULL;
      const char *ref = archive_json_string (ann, REF_NAME);
      if (mt && (strcmp (mt, OCI_INDEX) == 0 || strcmp (mt, DOCKER_LIST) == 0))
        {
          /* A multi-platform image: podman save writes one platform; take
           * the linux/amd64 entry (or the first) of a nested index. */
          if (depth > 0)
            continue;
          g_autoptr (JsonNode) sub
              = adopt_json_blob (l, archive_json_string (d, "digest"), "index", NULL, error);
          if (sub == NULL || !load_index (l, json_node_get_object (sub), depth + 1, error))
            return FALSE;
          continue;
        }
      if (depth > 0)
        {
          JsonObject *p = json_object_has_member (d, "platform")
                              ? json_object_get_object_member (d, "platform")
                              : NULL;
          const char *arch = archive_json_string (p, "architecture");
          if (arch && strcmp (arch, "amd64") != 0 && i + 1 < json_array_get_length (ms))
            continue;
        }
      if (!load_manifest (l, archive_json_string (d, "digest"), ref, error))
        return FALSE;
      if (depth > 0)
        break;
    }
  return TRUE;
}

gboolean
archive_load_oci (ArchiveLoad *l, GError **error)
{
  g_autoptr (JsonNode) index = archive_member_json (l, "index.json", error);
  if (index == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (index))
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "%s: index.json is not an object",
                   l->file);
      return FALSE;
    }
  return load_index (l, json_node_get_object (index), 0, error);
}

/* The uncompressed tar's media type for a layer of type @type. */
static const char *
plain_layer_type (const char *type)
{
  return type && g_str_has_prefix (type, "application/vnd.docker.")
             ? "application/vnd.docker.image.rootfs.diff.tar"
             : "application/vnd.oci.image.layer.v1.tar";
}

/* @m with every layer named by its diff id, as a plain tar (--uncompressed). */
static JsonObject *
uncompressed_manifest (Store *s, StoreImage *img, JsonObject *m, GError **error)
{
  g_autoptr (JsonNode) orig = json_node_init_object (json_node_alloc (), m);
  g_autoptr (JsonNode) dup = json_node_copy (orig); /* deep */
  JsonObject *out = json_node_get_object (dup);
  JsonArray *layers;
  const char *const *diff_ids = store_image_get_diff_ids (img);
  layers = json_object_has_member (out, "layers") ? json_object_get_array_member (out, "layers")
                                                  : NULL;
  for (guint i = 0; layers && i < json_array_get_length (layers); i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      guint64 size = 0;
      if (!diff_ids || !diff_ids[i])
        return gerror_set (error, STORE_ERROR, STORE_ERROR_INVALID,
                           "image %s: more layers than diff ids", store_image_get_id (img)),
               NULL;
      if (!store_layer_info (s, diff_ids[i], NULL, NULL, &size, error))
        return NULL;
      json_object_set_string_member (l, "mediaType",
                                     plain_layer_type (archive_json_string (l, "mediaType")));
      json_object_set_string_member (l, "digest", diff_ids[i]);
      json_object_set_int_member (l, "size", size);
    }
  return json_object_ref (out);
}

gboolean
archive_save_oci (ArchiveOut *o, Store *s, StoreImage *img, const char *name,
                  gboolean uncompressed, GError **error)
{
  static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
  const char *mhex = store_image_get_digest (img) + strlen ("sha256:");
  g_autofree char *mpath = store_blob_path (s, mhex);
  g_autofree char *mdata = NULL, *mdigest = g_strdup (store_image_get_digest (img));
  g_autoptr (JsonObject) plain = NULL;
  gsize mlen;
  if (!g_file_get_contents (mpath, &mdata, &mlen, NULL))
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_IO, "cannot read manifest %s", mpath);
      return FALSE;
    }
  JsonObject *m = store_image_get_manifest (img);
  if (uncompressed)
    {
      g_autoptr (JsonNode) node = NULL;
      if (!(plain = uncompressed_manifest (s, img, m, error)))
        return FALSE;
      node = json_node_init_object (json_node_alloc (), plain);
      g_free (mdata);
      mdata = archive_json_to_data (node, &mlen);
      g_autofree char *hex = sha256_hex_of (mdata, mlen);
      g_free (mdigest);
      mdigest = g_strconcat ("sha256:", hex, NULL);
      m = plain;
    }

  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "schemaVersion");
  json_builder_add_int_value (b, 2);
  json_builder_set_member_name (b, "manifests");
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "mediaType");
  json_builder_add_string_value (b, archive_json_string (m, "mediaType") ?: OCI_MANIFEST);
  json_builder_set_member_name (b, "digest");
  json_builder_add_string_value (b, mdigest);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, mlen);
  if (name)
    {
      json_builder_set_member_name (b, "annotations");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, REF_NAME);
      json_builder_add_string_value (b, name);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
  json_builder_end_array (b);
  json_builder_end_object (b);
  g_autoptr (JsonNode) index = json_builder_get_root (b);
  gsize ilen;
  g_autofree char *idata = archive_json_to_data (index, &ilen);

  g_autofree char *mmember = blob_member (mdigest + strlen ("sha256:"));
  g_autofree char *cmember = blob_member (store_image_get_id (img));
  g_autofree char *cpath = store_blob_path (s, store_image_get_id (img));
  if (!archive_out_data (o, "oci-layout", layout, strlen (layout), error)
      || !archive_out_data (o, "index.json", idata, ilen, error)
      || !archive_out_data (o, mmember, mdata, mlen, error)
      || !archive_out_file (o, cmember, cpath, error))
    return FALSE;

  JsonArray *layers
      = json_object_has_member (m, "layers") ? json_object_get_array_member (m, "layers") : NULL;
  g_autoptr (GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; layers && i < json_array_get_length (layers); i++)
    {
      const char *d = archive_json_string (json_array_get_object_element (layers, i), "digest");
      const char *hex = digest_hex (d, "manifest layer", error);
      if (hex == NULL)
        return FALSE;
      if (!g_hash_table_add (done, (char *)hex))
        continue;
      g_autofree char *member = blob_member (hex);
      if (uncompressed)
        {
          /* the layer whose diff id this is: its stored blob, decompressed */
          g_autofree char *bhex = NULL, *bpath = NULL;
          guint64 size = 0;
          if (!store_layer_info (s, d, &bhex, NULL, &size, error))
            return FALSE;
          bpath = store_blob_path (s, bhex);
          if (!archive_out_layer_tar (o, member, bpath, size, error))
            return FALSE;
          continue;
        }
      g_autofree char *path = store_blob_path (s, hex);
      if (!archive_out_file (o, member, path, error))
        return FALSE;
    }
  return TRUE;
}
