/* SPDX-License-Identifier: Apache-2.0 */
/* docker-archive: manifest.json ([{Config, RepoTags, Layers}]), the config
 * as <hex>.json and each layer as an uncompressed <dir>/layer.tar.  On load
 * the image gets an OCI manifest (the store keeps one kind); its id, the
 * config digest, is what docker and podman show for it. */
#include "image/archive-common.h"
#include "image/digest.h"
#include "image/store-fs.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "<hex>.json", "<hex>.tar", "blobs/sha256/<hex>": the name is a digest we
 * can check; "<v1 id>/layer.tar" is not. */
static char *
digest_in_name (const char *member)
{
  g_autofree char *base = g_path_get_basename (member);
  char *dot = strrchr (base, '.');
  if (dot && (strcmp (dot, ".json") == 0 || strcmp (dot, ".tar") == 0))
    *dot = '\0';
  return digest_is_hex (base) ? g_strdup (base) : NULL;
}

static const char *
layer_media_type (ArchiveLoad *l, const char *hex)
{
  unsigned char magic[4] = { 0 };
  autofd int fd = store_txn_open_blob (l->txn, hex, NULL);
  if (fd >= 0 && read (fd, magic, 4) == 4)
    {
      if (magic[0] == 0x1f && magic[1] == 0x8b)
        return "application/vnd.oci.image.layer.v1.tar+gzip";
      if (magic[0] == 0x28 && magic[1] == 0xb5 && magic[2] == 0x2f && magic[3] == 0xfd)
        return "application/vnd.oci.image.layer.v1.tar+zstd";
    }
  return "application/vnd.oci.image.layer.v1.tar";
}

static gboolean
load_one (ArchiveLoad *l, JsonObject *entry, GError **error)
{
  const char *config = archive_json_string (entry, "Config");
  JsonArray *layers = json_object_has_member (entry, "Layers")
                          ? json_object_get_array_member (entry, "Layers")
                          : NULL;
  if (config == NULL || layers == NULL)
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                   "%s: manifest.json entry without Config or Layers", l->file);
      return FALSE;
    }
  g_autofree char *want = digest_in_name (config);
  g_autofree char *chex = NULL;
  if (!archive_member_adopt (l, config, want, &chex, error))
    return FALSE;
  g_autoptr (JsonNode) c = archive_member_json (l, config, error);
  if (c == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (c))
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "%s: %s is not a JSON object", l->file,
                   config);
      return FALSE;
    }

  guint n = json_array_get_length (layers);
  g_auto (GStrv) hexes = g_new0 (char *, n + 1);
  g_autofree const char **types = g_new0 (const char *, n + 1);
  JsonArray *mlayers = json_array_new ();
  for (guint i = 0; i < n; i++)
    {
      const char *member = json_array_get_string_element (layers, i);
      g_autofree char *lwant = member ? digest_in_name (member) : NULL;
      if (member == NULL || !archive_member_adopt (l, member, lwant, &hexes[i], error))
        {
          json_array_unref (mlayers);
          return FALSE;
        }
      types[i] = layer_media_type (l, hexes[i]);
      struct stat st;
      autofd int fd = store_txn_open_blob (l->txn, hexes[i], NULL);
      json_array_add_object_element (
          mlayers,
          store_descriptor (types[i], hexes[i], fd >= 0 && fstat (fd, &st) == 0 ? st.st_size : 0));
    }
  if (!archive_add_layers (l, json_node_get_object (c), hexes, types, error))
    {
      json_array_unref (mlayers);
      return FALSE;
    }

  gsize clen;
  g_autofree char *cdata = store_txn_read_blob (l->txn, chex, &clen, error);
  JsonObject *mo = json_object_new ();
  json_object_set_int_member (mo, "schemaVersion", 2);
  json_object_set_string_member (mo, "mediaType", "application/vnd.oci.image.manifest.v1+json");
  json_object_set_object_member (
      mo, "config", store_descriptor ("application/vnd.oci.image.config.v1+json", chex, clen));
  json_object_set_array_member (mo, "layers", mlayers);
  g_autoptr (JsonNode) m = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (m, mo);
  gsize mlen;
  g_autofree char *mdata = archive_json_to_data (m, &mlen);
  g_autofree char *mhex = cdata ? store_txn_add_blob_data (l->txn, mdata, mlen, error) : NULL;
  if (mhex == NULL)
    return FALSE;

  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  JsonArray *tags = json_object_has_member (entry, "RepoTags")
                        ? json_object_get_array_member (entry, "RepoTags")
                        : NULL;
  for (guint i = 0; tags && i < json_array_get_length (tags); i++)
    {
      char *name
          = store_normalize_name_in (json_array_get_string_element (tags, i), "docker.io", error);
      if (name == NULL)
        return FALSE;
      g_ptr_array_add (names, name);
    }
  g_ptr_array_add (names, NULL);
  g_autofree char *id
      = store_txn_add_image (l->txn, mhex, (const char *const *)names->pdata, error);
  if (id == NULL)
    return FALSE;
  for (guint i = 0; i + 1 < names->len; i++)
    g_ptr_array_add (l->loaded, g_strdup (names->pdata[i]));
  if (names->len == 1)
    g_ptr_array_add (l->loaded, g_strconcat ("sha256:", id, NULL));
  return TRUE;
}

gboolean
archive_load_docker (ArchiveLoad *l, GError **error)
{
  g_autoptr (JsonNode) m = archive_member_json (l, "manifest.json", error);
  if (m == NULL)
    return FALSE;
  JsonArray *a = JSON_NODE_HOLDS_ARRAY (m) ? json_node_get_array (m) : NULL;
  if (a == NULL || json_array_get_length (a) == 0)
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "%s: manifest.json lists no images",
                   l->file);
      return FALSE;
    }
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_OBJECT (e))
        {
          g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                       "%s: manifest.json entry is not an object", l->file);
          return FALSE;
        }
      if (!load_one (l, json_node_get_object (e), error))
        return FALSE;
    }
  return TRUE;
}

gboolean
archive_save_docker (ArchiveOut *o, Store *s, StoreImage *img, const char *name, GError **error)
{
  const char *id = store_image_get_id (img);
  g_autofree char *config = g_strconcat (id, ".json", NULL);
  g_autofree char *cpath = store_blob_path (s, id);
  if (!archive_out_file (o, config, cpath, error))
    return FALSE;

  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_array (b);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "Config");
  json_builder_add_string_value (b, config);
  json_builder_set_member_name (b, "RepoTags");
  json_builder_begin_array (b);
  if (name)
    json_builder_add_string_value (b, name);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "Layers");
  json_builder_begin_array (b);
  g_autoptr (GHashTable) done = g_hash_table_new (g_str_hash, g_str_equal);
  for (const char *const *d = store_image_get_diff_ids (img); *d; d++)
    {
      const char *hex = *d + strlen ("sha256:");
      g_autofree char *member = g_strconcat (hex, "/layer.tar", NULL);
      json_builder_add_string_value (b, member);
      if (!g_hash_table_add (done, (char *)hex))
        continue;
      g_autofree char *bhex = NULL;
      guint64 size = 0;
      if (!store_layer_info (s, *d, &bhex, NULL, &size, error))
        return FALSE;
      g_autofree char *bpath = store_blob_path (s, bhex);
      if (!archive_out_layer_tar (o, member, bpath, size, error))
        return FALSE;
    }
  json_builder_end_array (b);
  json_builder_end_object (b);
  json_builder_end_array (b);
  g_autoptr (JsonNode) m = json_builder_get_root (b);
  gsize len;
  g_autofree char *data = archive_json_to_data (m, &len);
  return archive_out_data (o, "manifest.json", data, len, error);
}
