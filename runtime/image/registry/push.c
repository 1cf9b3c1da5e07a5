/* SPDX-License-Identifier: Apache-2.0 */
#include "image/registry/push.h"
#include "image/digest.h"
#include "image/layer.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct
{
  Store *s;
  RegistryClient *c;
  const RegistryRef *dest;
  GHashTable *mount_from; /* blob digest -> a repository path of dest's registry */
  RegistryProgressFunc progress;
  gpointer progress_data;
} Push;

#define say(p, ...) registry_say ((p)->progress, (p)->progress_data, __VA_ARGS__)

static void
set_oci_media_type (JsonObject *o)
{
  static const char *const map[][2] = {
    { "application/vnd.docker.distribution.manifest.v2+json", MEDIA_OCI_MANIFEST },
    { MEDIA_DOCKER_CONFIG, MEDIA_OCI_CONFIG },
    { "application/vnd.docker.image.rootfs.diff.tar.gzip",
      "application/vnd.oci.image.layer.v1.tar+gzip" },
    { "application/vnd.docker.image.rootfs.diff.tar", "application/vnd.oci.image.layer.v1.tar" },
  };
  const char *mt = registry_json_string (o, "mediaType");
  for (guint i = 0; mt && i < G_N_ELEMENTS (map); i++)
    if (strcmp (mt, map[i][0]) == 0)
      {
        json_object_set_string_member (o, "mediaType", map[i][1]);
        return;
      }
}

GBytes *
registry_oci_manifest (Store *s, StoreImage *img, GError **error)
{
  const char *hex = digest_hex (store_image_get_digest (img), "image digest", error);
  if (hex == NULL)
    return NULL;
  g_autofree char *path = store_blob_path (s, hex);
  g_autofree char *data = NULL;
  gsize len;
  if (!g_file_get_contents (path, &data, &len, NULL))
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                   "the manifest of image %.12s (blob sha256:%s) is missing from the store",
                   store_image_get_id (img), hex);
      return NULL;
    }
  g_autoptr (JsonParser) jp = json_parser_new ();
  if (!json_parser_load_from_data (jp, data, len, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (jp)))
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                   "the manifest of image %.12s is not a JSON object", store_image_get_id (img));
      return NULL;
    }
  JsonObject *m = json_node_get_object (json_parser_get_root (jp));
  const char *mt = registry_json_string (m, "mediaType");
  if (mt == NULL || strcmp (mt, MEDIA_OCI_MANIFEST) == 0)
    return g_bytes_new_take (g_steal_pointer (&data), len);
  if (strcmp (mt, MEDIA_DOCKER_MANIFEST) != 0)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_UNSUPPORTED,
                   "image %.12s has a manifest of type \"%s\", which podunit cannot push",
                   store_image_get_id (img), mt);
      return NULL;
    }
  set_oci_media_type (m);
  if (json_object_has_member (m, "config"))
    set_oci_media_type (json_object_get_object_member (m, "config"));
  JsonArray *layers = json_object_has_member (m, "layers")
                          ? json_object_get_array_member (m, "layers")
                          : NULL;
  for (guint i = 0; layers && i < json_array_get_length (layers); i++)
    set_oci_media_type (json_array_get_object_element (layers, i));
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  json_generator_set_root (gen, json_parser_get_root (jp));
  gsize olen;
  char *out = json_generator_to_data (gen, &olen);
  return g_bytes_new_take (out, olen);
}

/* Blobs other repositories of DEST's registry have: from the stored images
 * named DEST's domain/OTHER-PATH (pulled from there, or pushed there). */
static GHashTable *
mount_sources (Store *s, const RegistryRef *dest)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GPtrArray) imgs = store_list_images (s, NULL);
  for (guint i = 0; imgs && i < imgs->len; i++)
    {
      StoreImage *img = imgs->pdata[i];
      g_autofree char *repo = NULL;
      for (const char *const *n = store_image_get_names (img); *n && !repo; n++)
        {
          g_autoptr (RegistryRef) r = registry_ref_parse (*n, NULL);
          if (r && strcmp (r->domain, dest->domain) == 0 && strcmp (r->path, dest->path) != 0)
            repo = g_strdup (r->path);
        }
      if (repo == NULL)
        continue;
      JsonObject *m = store_image_get_manifest (img);
      JsonArray *layers = m && json_object_has_member (m, "layers")
                              ? json_object_get_array_member (m, "layers")
                              : NULL;
      for (guint j = 0; layers && j < json_array_get_length (layers); j++)
        {
          const char *d = registry_json_string (json_array_get_object_element (layers, j), "digest");
          if (d && !g_hash_table_contains (t, d))
            g_hash_table_insert (t, g_strdup (d), g_strdup (repo));
        }
    }
  return t;
}

/* An upload's URL with the query parameter KEY=VALUE added. */
static char *
with_query (const char *url, const char *key, const char *value)
{
  g_autofree char *v = g_uri_escape_string (value, NULL, FALSE);
  return g_strdup_printf ("%s%c%s=%s", url, strchr (url, '?') ? '&' : '?', key, v);
}

/* POST …/blobs/uploads/ (with a mount request when FROM is set): TRUE and
 * *MOUNTED when the registry mounted the blob, else *LOCATION is where the
 * upload goes. */
static gboolean
start_upload (Push *p, const char *digest, const char *from, gboolean *mounted, char **location,
              GError **error)
{
  g_autofree char *base = registry_url (p->c, "blobs/uploads/");
  g_autofree char *m = from ? with_query (base, "mount", digest) : NULL;
  g_autofree char *url = from ? with_query (m, "from", from) : g_strdup (base);
  g_autoptr (GBytes) resp = NULL;
  g_autofree char *loc = NULL;
  long st = registry_request (p->c, "POST", url, NULL, NULL, &resp, &loc, error);
  if (st == 0)
    return FALSE;
  *mounted = from && st == 201;
  if (*mounted)
    return TRUE;
  if (st != 202 || loc == NULL)
    {
      g_autofree char *what = g_strdup_printf ("starting the upload of blob %s", digest);
      if (st == 202)
        g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                     "%s to %s: HTTP 202 without a Location", what,
                     registry_client_host (p->c));
      else
        registry_status_error (p->c, st, resp, what, error);
      return FALSE;
    }
  *location = registry_absolute_url (p->c, loc);
  return TRUE;
}

/* Opens the store's blob DIGEST of SIZE bytes. */
static int
open_stored_blob (Push *p, const char *digest, guint64 size, const char *what, GError **error)
{
  const char *hex = digest_hex (digest, what, error);
  if (hex == NULL)
    return -1;
  g_autofree char *path = store_blob_path (p->s, hex);
  struct stat st;
  autofd int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                   "%s %s is missing from the store (%s): %s", what, digest, path,
                   g_strerror (errno));
      return -1;
    }
  if ((guint64)st.st_size != size)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                   "%s %s: the manifest says %" G_GUINT64_FORMAT " bytes, the store has %lld",
                   what, digest, size, (long long)st.st_size);
      return -1;
    }
  return fd_steal (&fd);
}

/* The uncompressed layer in FD gzip-compressed into an unlinked temporary
 * file (TMPDIR), rewound; L, its manifest descriptor, is rewritten to name
 * the compressed blob. */
static int
gzip_layer (int fd, JsonObject *l, GError **error)
{
  g_autofree char *tmp = NULL;
  autofd int out = g_file_open_tmp ("podunit-push-XXXXXX", &tmp, error);
  if (out < 0)
    return -1;
  unlink (tmp);
  g_autofree char *hex = NULL;
  guint64 size;
  if (!layer_gzip (fd, out, &hex, &size, error))
    return -1;
  if (lseek (out, 0, SEEK_SET) < 0)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID, "cannot rewind %s: %s", tmp,
                   g_strerror (errno));
      return -1;
    }
  g_autofree char *digest = g_strconcat ("sha256:", hex, NULL);
  json_object_set_string_member (l, "mediaType", MEDIA_OCI_LAYER_GZIP);
  json_object_set_string_member (l, "digest", digest);
  json_object_set_int_member (l, "size", size);
  return fd_steal (&out);
}

/* SIZE bytes of FD to the upload at *LOCATION (updated to the upload's
 * latest Location), as the distribution API's chunked upload: PATCHes of
 * at most the chunk size with a Content-Range each (one plain PATCH when
 * the blob fits in one). After a PATCH fails, the registry is asked how
 * much of the upload it has (GET *LOCATION, its Range) and the upload goes
 * on from there; when it no longer knows the upload (distribution drops
 * one whose chunk broke off), a new one starts from byte 0. Each recovery
 * counts as one of the options' retries. */
static gboolean
upload_chunks (Push *p, int fd, const char *digest, guint64 size, char **location, GError **error)
{
  const RegistryOptions *o = registry_client_options (p->c);
  guint64 chunk = o->chunk_size ? o->chunk_size : REGISTRY_CHUNK_SIZE;
  gboolean ranged = size > chunk;
  guint64 off = 0;
  guint recoveries = 0;
  do
    {
      guint64 len = MIN (chunk, size - off);
      g_autoptr (GBytes) resp = NULL;
      g_autoptr (GError) local = NULL;
      g_autofree char *next = NULL;
      long code = registry_upload_chunk (p->c, *location, fd, off, len, ranged, &resp, &next,
                                         &local);
      if (code == 202 || code == 204)
        {
          off += len;
          if (next)
            {
              g_free (*location);
              *location = registry_absolute_url (p->c, next);
            }
          continue;
        }
      /* A transport failure, a range the registry did not expect, an
       * upload it lost, or its own trouble: recover; anything else (auth,
       * a refused blob) is the answer. */
      gboolean recoverable = code == 0 || code == 404 || code == 416 || code >= 500;
      if (!recoverable || recoveries++ >= o->retries)
        {
          if (code == 0)
            g_propagate_error (error, g_steal_pointer (&local));
          else
            {
              g_autofree char *w = g_strdup_printf ("uploading blob %s", digest);
              registry_status_error (p->c, code, resp, w, error);
            }
          return FALSE;
        }
      guint64 have = 0;
      g_autofree char *at = NULL;
      if (registry_upload_status (p->c, *location, &have, &at, NULL) && have <= size)
        {
          say (p, "Resuming blob %s upload at byte %" G_GUINT64_FORMAT, digest, have);
          off = have;
          if (at)
            {
              g_free (*location);
              *location = registry_absolute_url (p->c, at);
            }
          continue;
        }
      say (p, "Restarting blob %s upload", digest);
      gboolean mounted;
      g_clear_pointer (location, g_free);
      if (!start_upload (p, digest, NULL, &mounted, location, error))
        return FALSE;
      off = 0;
    }
  while (off < size);
  return TRUE;
}

/* Blob DIGEST (SIZE bytes read from FD) onto the registry. */
static gboolean
push_blob (Push *p, int fd, const char *digest, guint64 size, const char *what, GError **error)
{
  g_autofree char *rel = g_strconcat ("blobs/", digest, NULL);
  g_autofree char *url = registry_url (p->c, rel);
  g_autoptr (GBytes) resp = NULL;
  long code = registry_request (p->c, "HEAD", url, NULL, NULL, NULL, NULL, error);
  if (code == 0)
    return FALSE;
  if (code == 200)
    {
      say (p, "Copying %s %s skipped: already exists", what, digest);
      return TRUE;
    }
  if (code != 404)
    return registry_status_error (p->c, code, NULL, "checking for a blob", error);

  const char *from = g_hash_table_lookup (p->mount_from, digest);
  gboolean mounted = FALSE;
  g_autofree char *location = NULL;
  if (!start_upload (p, digest, from, &mounted, &location, error))
    return FALSE;
  if (mounted)
    {
      say (p, "Copying %s %s skipped: already exists (mounted from %s)", what, digest, from);
      return TRUE;
    }
  say (p, "Copying %s %s", what, digest);
  if (!upload_chunks (p, fd, digest, size, &location, error))
    return FALSE;
  g_autofree char *swhat = g_strdup_printf ("uploading blob %s", digest);
  g_autofree char *put = with_query (location, "digest", digest);
  code = registry_request (p->c, "PUT", put, "application/octet-stream", NULL, &resp, NULL,
                           error);
  if (code == 0)
    return FALSE;
  if (code != 201 && code != 204)
    return registry_status_error (p->c, code, resp, swhat, error);
  return TRUE;
}

char *
registry_push (Store *s, StoreImage *img, const RegistryRef *dest, const RegistryOptions *o,
               RegistryProgressFunc progress, gpointer progress_data, GError **error)
{
  if (dest->tag == NULL)
    {
      g_autofree char *name = registry_ref_string (dest);
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                   "%s: a push needs a tag, not only a digest", name);
      return NULL;
    }
  g_autoptr (GBytes) manifest = registry_oci_manifest (s, img, error);
  if (manifest == NULL)
    return NULL;
  g_autoptr (JsonParser) jp = json_parser_new ();
  gsize mlen;
  const char *mdata = g_bytes_get_data (manifest, &mlen);
  if (!json_parser_load_from_data (jp, mdata, mlen, error))
    return NULL;
  JsonObject *m = json_node_get_object (json_parser_get_root (jp));
  JsonObject *config = json_object_has_member (m, "config")
                           ? json_object_get_object_member (m, "config")
                           : NULL;
  JsonArray *layers = json_object_has_member (m, "layers")
                          ? json_object_get_array_member (m, "layers")
                          : NULL;

  g_autoptr (RegistryClient) c = registry_client_new (dest, o, TRUE, error);
  if (c == NULL)
    return NULL;
  g_autoptr (GHashTable) from = mount_sources (s, dest);
  Push p = { .s = s, .c = c, .dest = dest, .mount_from = from, .progress = progress,
             .progress_data = progress_data };
  say (&p, "Getting image source signatures");
  gboolean rewritten = FALSE;
  for (guint i = 0; layers && i < json_array_get_length (layers); i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      const char *digest = registry_json_string (l, "digest");
      guint64 size = json_object_get_int_member_with_default (l, "size", 0);
      autofd int fd = open_stored_blob (&p, digest, size, "blob", error);
      if (fd < 0)
        return NULL;
      if (g_strcmp0 (registry_json_string (l, "mediaType"), MEDIA_OCI_LAYER) == 0)
        {
          /* Uncompressed (a commit's layer): gzip-compressed on the way, as
           * podman pushes; the manifest then names the compressed blob. */
          int gz = gzip_layer (fd, l, error);
          if (gz < 0)
            return NULL;
          close (fd);
          fd = gz;
          rewritten = TRUE;
          digest = registry_json_string (l, "digest");
          size = json_object_get_int_member (l, "size");
        }
      if (!push_blob (&p, fd, digest, size, "blob", error))
        return NULL;
    }
  const char *cdigest = registry_json_string (config, "digest");
  guint64 csize = json_object_get_int_member_with_default (config, "size", 0);
  autofd int cfd = open_stored_blob (&p, cdigest, csize, "config", error);
  if (cfd < 0 || !push_blob (&p, cfd, cdigest, csize, "config", error))
    return NULL;
  if (rewritten)
    {
      g_autoptr (JsonGenerator) gen = json_generator_new ();
      json_generator_set_root (gen, json_parser_get_root (jp));
      gsize olen;
      char *out = json_generator_to_data (gen, &olen);
      g_bytes_unref (manifest);
      manifest = g_bytes_new_take (out, olen);
      mdata = g_bytes_get_data (manifest, &mlen);
    }

  say (&p, "Writing manifest to image destination");
  g_autofree char *rel = g_strconcat ("manifests/", dest->tag, NULL);
  g_autofree char *url = registry_url (c, rel);
  g_autoptr (GBytes) resp = NULL;
  long code = registry_request (c, "PUT", url, MEDIA_OCI_MANIFEST, manifest, &resp, NULL,
                                error);
  if (code == 0)
    return NULL;
  if (code != 201 && code != 200)
    {
      g_autofree char *what = g_strdup_printf ("writing manifest %s", dest->tag);
      registry_status_error (c, code, resp, what, error);
      return NULL;
    }
  g_autofree char *hex = sha256_hex_of (mdata, mlen);
  return g_strconcat ("sha256:", hex, NULL);
}
