/* SPDX-License-Identifier: Apache-2.0 */
#include "image/archive-common.h"
#include "error.h"
#include "image/digest.h"
#include "image/store-fs.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK (1 << 20)

/* Manifests and configs are small; a huge "JSON" member is an attack. */
#define MAX_JSON (16 << 20)

static void
member_free (ArchiveMember *m)
{
  g_free (m->path);
  g_free (m->hex);
  g_free (m);
}

/* "FILE: message", returning FALSE (lib/error.h). */
#define bad_archive(error, file, fmt, ...)                                                         \
  gerror_set (error, STORE_ERROR, STORE_ERROR_INVALID, "%s: " fmt, file, ##__VA_ARGS__)

/* "./a//b" -> "a/b"; member names are only map keys, never paths we write
 * to, but a clean form lets manifest references match. */
static char *
clean_member_name (const char *name)
{
  g_auto (GStrv) parts = g_strsplit (name, "/", -1);
  GString *out = g_string_new (NULL);
  for (char **p = parts; *p; p++)
    {
      if (**p == '\0' || strcmp (*p, ".") == 0)
        continue;
      if (out->len)
        g_string_append_c (out, '/');
      g_string_append (out, *p);
    }
  return g_string_free (out, FALSE);
}

static gboolean
stage_member (ArchiveLoad *l, struct archive *a, const char *name, GError **error)
{
  autofd int fd = -1;
  g_autofree char *path = store_txn_new_temp (l->txn, &fd, error);
  if (path == NULL)
    return FALSE;
  g_autoptr (Sha256) h = sha256_new ();
  const void *buf;
  size_t len;
  la_int64_t off;
  gsize total = 0;
  int r;
  while ((r = archive_read_data_block (a, &buf, &len, &off)) == ARCHIVE_OK)
    {
      sha256_update (h, buf, len);
      total += len;
      if (fd_write_all (fd, buf, len) < 0)
        return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot write %s", path);
    }
  if (r != ARCHIVE_EOF)
    return bad_archive (error, l->file, "member '%s': %s", name, archive_error_string (a));
  ArchiveMember *m = g_new0 (ArchiveMember, 1);
  m->path = g_steal_pointer (&path);
  m->hex = sha256_finish_hex (h);
  m->size = total;
  g_hash_table_replace (l->members, g_strdup (name), m);
  return TRUE;
}

static gboolean
read_members (ArchiveLoad *l, GError **error)
{
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  gboolean ok = TRUE;
  int r;
  archive_read_support_filter_gzip (a);
  archive_read_support_filter_zstd (a);
  archive_read_support_format_tar (a);
  if (archive_read_open_filename (a, l->file, BLOCK) != ARCHIVE_OK)
    {
      ok = bad_archive (error, l->file, "cannot read: %s", archive_error_string (a));
      archive_read_free (a);
      return ok;
    }
  while (ok && (r = archive_read_next_header (a, &e)) != ARCHIVE_EOF)
    {
      if (r < ARCHIVE_WARN)
        {
          ok = bad_archive (error, l->file, "not a valid image archive: %s",
                            archive_error_string (a));
          break;
        }
      if (archive_entry_filetype (e) != AE_IFREG || archive_entry_hardlink (e))
        continue;
      g_autofree char *name = clean_member_name (archive_entry_pathname (e));
      ok = stage_member (l, a, name, error);
    }
  archive_read_free (a);
  return ok;
}

JsonNode *
archive_member_json (ArchiveLoad *l, const char *name, GError **error)
{
  ArchiveMember *m = g_hash_table_lookup (l->members, name);
  g_autofree char *data = NULL;
  gsize len;
  if (m == NULL)
    {
      bad_archive (error, l->file, "'%s' is missing", name);
      return NULL;
    }
  if (m->size > MAX_JSON)
    {
      bad_archive (error, l->file, "'%s' is too large for JSON", name);
      return NULL;
    }
  if (m->path ? !g_file_get_contents (m->path, &data, &len, NULL)
              : (data = store_txn_read_blob (l->txn, m->hex, &len, NULL)) == NULL)
    {
      bad_archive (error, l->file, "cannot read '%s'", name);
      return NULL;
    }
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_data (p, data, len, &local) || json_parser_get_root (p) == NULL)
    {
      bad_archive (error, l->file, "'%s': invalid JSON: %s", name,
                   local ? local->message : "empty");
      return NULL;
    }
  return json_node_copy (json_parser_get_root (p));
}

gboolean
archive_member_adopt (ArchiveLoad *l, const char *name, const char *expected_hex, char **hex_out,
                      GError **error)
{
  ArchiveMember *m = g_hash_table_lookup (l->members, name);
  if (m == NULL)
    return bad_archive (error, l->file, "'%s' is missing", name);
  if (m->path)
    {
      g_autofree char *what = g_strdup_printf ("%s: '%s'", l->file, name);
      if (!store_txn_adopt_blob (l->txn, m->path, m->hex, expected_hex, what, error))
        return FALSE;
      g_clear_pointer (&m->path, g_free);
    }
  else if (expected_hex && strcmp (expected_hex, m->hex) != 0)
    return bad_archive (error, l->file,
                        "'%s': digest mismatch: expected sha256:%s, content is sha256:%s", name,
                        expected_hex, m->hex);
  if (hex_out)
    *hex_out = g_strdup (m->hex);
  return TRUE;
}

gboolean
archive_add_layers (ArchiveLoad *l, JsonObject *config, char **layer_hexes,
                    const char *const *media_types, GError **error)
{
  JsonObject *rootfs = json_object_has_member (config, "rootfs")
                           ? json_object_get_object_member (config, "rootfs")
                           : NULL;
  JsonArray *ids = rootfs && json_object_has_member (rootfs, "diff_ids")
                       ? json_object_get_array_member (rootfs, "diff_ids")
                       : NULL;
  guint n = ids ? json_array_get_length (ids) : 0;
  if (n != g_strv_length (layer_hexes))
    return bad_archive (error, l->file, "the manifest lists %u layers, the image config %u",
                        g_strv_length (layer_hexes), n);
  for (guint i = 0; i < n; i++)
    {
      const char *diff = digest_hex (json_array_get_string_element (ids, i), l->file, error);
      if (diff == NULL
          || !store_txn_add_layer (l->txn, layer_hexes[i], media_types[i], diff, error))
        return FALSE;
    }
  return TRUE;
}

char *
archive_json_to_data (JsonNode *node, gsize *len)
{
  g_autoptr (JsonGenerator) g = json_generator_new ();
  json_generator_set_root (g, node);
  return json_generator_to_data (g, len);
}

const char *
archive_json_string (JsonObject *o, const char *member)
{
  if (o == NULL || !json_object_has_member (o, member))
    return NULL;
  JsonNode *n = json_object_get_member (o, member);
  return JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
             ? json_node_get_string (n)
             : NULL;
}

GPtrArray *
image_archive_load (Store *s, const char *file, GError **error)
{
  g_autoptr (StoreTxn) txn = store_txn_begin (s, error);
  if (txn == NULL)
    return NULL;
  g_autoptr (GHashTable) members
      = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify)member_free);
  g_autoptr (GPtrArray) loaded = g_ptr_array_new_with_free_func (g_free);
  ArchiveLoad l = { .s = s, .txn = txn, .file = file, .members = members, .loaded = loaded };

  if (!read_members (&l, error))
    return NULL;
  gboolean ok;
  if (g_hash_table_contains (members, "index.json"))
    ok = archive_load_oci (&l, error);
  else if (g_hash_table_contains (members, "manifest.json"))
    ok = archive_load_docker (&l, error);
  else
    ok = bad_archive (
        error, file,
        "neither an oci-archive (no index.json) nor a docker-archive (no manifest.json)");
  if (!ok || !store_txn_commit (txn, error))
    return NULL;
  return g_steal_pointer (&loaded);
}

/* ---- writing ---- */

struct _ArchiveOut
{
  struct archive *a;
  const char *file;
};

static gboolean
out_failed (ArchiveOut *o, const char *name, GError **error)
{
  g_set_error (error, STORE_ERROR, STORE_ERROR_IO, "%s: cannot write '%s': %s", o->file, name,
               archive_error_string (o->a) ?: g_strerror (errno));
  return FALSE;
}

static gboolean
out_header (ArchiveOut *o, const char *name, gint64 size, GError **error)
{
  struct archive_entry *e = archive_entry_new ();
  archive_entry_set_pathname (e, name);
  archive_entry_set_filetype (e, AE_IFREG);
  archive_entry_set_perm (e, 0644);
  archive_entry_set_size (e, size);
  int r = archive_write_header (o->a, e);
  archive_entry_free (e);
  return r >= ARCHIVE_WARN || out_failed (o, name, error);
}

gboolean
archive_out_data (ArchiveOut *o, const char *name, const void *data, gsize len, GError **error)
{
  if (!out_header (o, name, len, error))
    return FALSE;
  if (len && archive_write_data (o->a, data, len) != (la_ssize_t)len)
    return out_failed (o, name, error);
  return TRUE;
}

gboolean
archive_out_file (ArchiveOut *o, const char *name, const char *path, GError **error)
{
  autofd int fd = open (path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat (fd, &st) < 0)
    {
      errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot read %s", path);
      return FALSE;
    }
  if (!out_header (o, name, st.st_size, error))
    return FALSE;
  g_autofree char *buf = g_malloc (BLOCK);
  ssize_t n;
  while ((n = read (fd, buf, BLOCK)) > 0)
    if (archive_write_data (o->a, buf, n) != n)
      return out_failed (o, name, error);
  return n == 0 || out_failed (o, name, error);
}

gboolean
archive_out_layer_tar (ArchiveOut *o, const char *name, const char *path, guint64 size,
                       GError **error)
{
  struct archive *raw = archive_read_new ();
  struct archive_entry *e;
  gboolean ok = out_header (o, name, size, error);
  archive_read_support_filter_gzip (raw);
  archive_read_support_filter_zstd (raw);
  archive_read_support_format_raw (raw);
  if (ok
      && (archive_read_open_filename (raw, path, BLOCK) != ARCHIVE_OK
          || archive_read_next_header (raw, &e) != ARCHIVE_OK))
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_IO, "cannot read %s: %s", path,
                   archive_error_string (raw));
      ok = FALSE;
    }
  const void *buf;
  size_t len;
  la_int64_t off;
  guint64 done = 0;
  int r = ARCHIVE_EOF;
  while (ok && (r = archive_read_data_block (raw, &buf, &len, &off)) == ARCHIVE_OK)
    {
      if (done + len > size || archive_write_data (o->a, buf, len) != (la_ssize_t)len)
        ok = out_failed (o, name, error);
      done += len;
    }
  if (ok && (r != ARCHIVE_EOF || done != size))
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_IO, "%s: layer changed size in the store", path);
      ok = FALSE;
    }
  archive_read_free (raw);
  return ok;
}

gboolean
image_archive_save (Store *s, StoreImage *img, const char *name, const char *file,
                    ImageArchiveFormat format, gboolean uncompressed, GError **error)
{
  g_autofree char *tmp = g_strconcat (file, ".tmp-XXXXXX", NULL);
  autofd int fd = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  if (fd < 0)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot create %s", tmp);
  ArchiveOut o = { .a = archive_write_new (), .file = file };
  archive_write_set_format_pax_restricted (o.a);
  archive_write_add_filter_none (o.a);
  archive_write_set_bytes_in_last_block (o.a, 1);
  gboolean ok = archive_write_open_fd (o.a, fd) == ARCHIVE_OK || out_failed (&o, "", error);
  ok = ok
       && (format == IMAGE_ARCHIVE_OCI ? archive_save_oci (&o, s, img, name, uncompressed, error)
                                       : archive_save_docker (&o, s, img, name, error));
  if (ok && archive_write_close (o.a) != ARCHIVE_OK)
    ok = out_failed (&o, "", error);
  archive_write_free (o.a);
  if (ok && fsync (fd) < 0)
    ok = out_failed (&o, "", error);
  if (ok && rename (tmp, file) < 0)
    ok = errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot write %s", file);
  if (!ok)
    unlink (tmp);
  return ok;
}
