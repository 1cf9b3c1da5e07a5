/* SPDX-License-Identifier: Apache-2.0 */
/* The artifact store (artifact.h): an OCI image layout of manifests whose
 * layers are plain files, as podman's pkg/libartifact keeps it. */
#include "image/artifact/artifact.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "error.h"
#include "fdio.h"
#include "image/digest.h"
#include "image/store-fs.h"
#include "image/store.h"

G_DEFINE_QUARK (artifact - error - quark, artifact_error)

#define MEDIA_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_EMPTY "application/vnd.oci.empty.v1+json"
/* sha256 of "{}", the empty descriptor's data */
#define EMPTY_HEX "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
#define ANN_TITLE "org.opencontainers.image.title"
#define ANN_CREATED "org.opencontainers.image.created"
#define ANN_REF_NAME "org.opencontainers.image.ref.name"

void
artifact_free (Artifact *a)
{
  if (!a)
    return;
  g_free (a->name);
  g_free (a->digest);
  g_free (a->created_text);
  if (a->manifest)
    json_object_unref (a->manifest);
  g_free (a);
}

/* ---- names ---- */

static gboolean
is_lower_alnum (char c)
{
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* One path component: [a-z0-9]+ joined by ".", "_", "__" or "-"+. */
static gboolean
path_component_ok (const char *s, gsize n)
{
  gsize i = 0;
  if (n == 0 || !is_lower_alnum (s[0]) || !is_lower_alnum (s[n - 1]))
    return FALSE;
  while (i < n)
    {
      if (is_lower_alnum (s[i]))
        {
          i++;
          continue;
        }
      gsize j = i;
      if (s[i] == '.')
        j = i + 1;
      else if (s[i] == '_')
        j = (i + 1 < n && s[i + 1] == '_') ? i + 2 : i + 1;
      else if (s[i] == '-')
        while (j < n && s[j] == '-')
          j++;
      else
        return FALSE;
      if (j >= n || !is_lower_alnum (s[j]))
        return FALSE;
      i = j;
    }
  return TRUE;
}

/* A registry host: dot-separated [A-Za-z0-9-] labels, an optional :port. */
static gboolean
domain_ok (const char *s, gsize n)
{
  const char *colon = memchr (s, ':', n);
  gsize host = colon ? (gsize) (colon - s) : n;
  if (host == 0)
    return FALSE;
  for (gsize i = 0; i < host; i++)
    if (!g_ascii_isalnum (s[i]) && s[i] != '-' && s[i] != '.')
      return FALSE;
  if (s[0] == '.' || s[0] == '-' || s[host - 1] == '.' || s[host - 1] == '-' || strstr (s, ".."))
    return FALSE;
  if (colon)
    {
      if (host + 1 == n)
        return FALSE;
      for (gsize i = host + 1; i < n; i++)
        if (!g_ascii_isdigit (s[i]))
          return FALSE;
    }
  return TRUE;
}

static gboolean
name_fail (GError **error, const char *name, const char *why)
{
  return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                     "invalid artifact name \"%s\": %s", name, why);
}

char *
artifact_normalize_name (const char *name, GError **error)
{
  const char *at, *slash, *repo_end, *tag = NULL;
  gsize len;

  if (!name || !*name)
    return name_fail (error, "", "artifact name cannot be empty"), NULL;
  at = strchr (name, '@');
  if (at)
    {
      if (!g_str_has_prefix (at + 1, "sha256:") || !digest_is_hex (at + 8))
        return name_fail (error, name, "a digest is sha256:<64 lower-case hex digits>"), NULL;
    }
  repo_end = at ? at : name + strlen (name);
  slash = memchr (name, '/', repo_end - name);
  /* a tag is after the last '/' */
  {
    const char *last = slash ? g_strrstr_len (name, repo_end - name, "/") : name;
    const char *colon = memchr (last, ':', repo_end - last);
    if (colon)
      {
        tag = colon + 1;
        len = repo_end - tag;
        if (len == 0 || len > 128 || !(g_ascii_isalnum (tag[0]) || tag[0] == '_'))
          return name_fail (error, name, "invalid tag"), NULL;
        for (gsize i = 0; i < len; i++)
          if (!g_ascii_isalnum (tag[i]) && !strchr ("_.-", tag[i]))
            return name_fail (error, name, "invalid tag"), NULL;
        repo_end = colon;
      }
  }
  if (repo_end - name > 255)
    return name_fail (error, name, "repository name must not be more than 255 characters"), NULL;
  /* podman takes only canonical names: the registry host is never implied */
  if (!slash
      || !(memchr (name, '.', slash - name) || memchr (name, ':', slash - name)
           || (slash - name == 9 && strncmp (name, "localhost", 9) == 0))
      || !domain_ok (name, slash - name))
    return name_fail (error, name,
                      "repository name must be canonical (a registry host first, as in "
                      "quay.io/NAME)"),
           NULL;
  if ((slash - name == 9 && strncmp (name, "docker.io", 9) == 0)
      && !memchr (slash + 1, '/', repo_end - slash - 1))
    return name_fail (error, name, "repository name must be canonical (docker.io/library/NAME)"),
           NULL;
  for (const char *p = slash + 1; p <= repo_end;)
    {
      const char *e = memchr (p, '/', repo_end - p);
      if (!e)
        e = repo_end;
      for (const char *q = p; q < e; q++)
        if (g_ascii_isupper (*q))
          return name_fail (error, name, "repository name must be lowercase"), NULL;
      if (!path_component_ok (p, e - p))
        return name_fail (error, name, "invalid reference format"), NULL;
      p = e + 1;
    }
  if (!tag && !at)
    return g_strconcat (name, ":latest", NULL);
  return g_strdup (name);
}

/* ---- the layout ---- */

typedef struct
{
  char *dir;   /* ROOT/artifacts */
  char *blobs; /* ROOT/artifacts/blobs/sha256 */
  int lock_fd;
  JsonNode *index;
} Layout;

#define LAYOUT_INIT { .lock_fd = -1 }

static void
layout_close (Layout *l)
{
  g_free (l->dir);
  g_free (l->blobs);
  if (l->lock_fd >= 0)
    close (l->lock_fd); /* drops the flock */
  if (l->index)
    json_node_unref (l->index);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Layout, layout_close)

static JsonNode *
parse_json (const char *data, gsize len, const char *what, GError **error)
{
  return store_parse_json_object (data, len, what, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID, error);
}

static char *
to_json (JsonNode *node, gsize *len)
{
  g_autoptr (JsonGenerator) g = json_generator_new ();
  json_generator_set_root (g, node);
  return json_generator_to_data (g, len);
}

static JsonArray *
index_manifests (Layout *l)
{
  JsonObject *o = json_node_get_object (l->index);
  JsonNode *m = json_object_get_member (o, "manifests");
  if (!m || !JSON_NODE_HOLDS_ARRAY (m))
    {
      json_object_set_array_member (o, "manifests", json_array_new ());
      m = json_object_get_member (o, "manifests");
    }
  return json_node_get_array (m);
}

/* Opens ROOT/artifacts (created on first use when WRITE), locked: shared
 * for readers, exclusive for writers. */
static gboolean
layout_open (Layout *l, const char *root, gboolean write, GError **error)
{
  g_autofree char *lock = NULL, *index = NULL, *data = NULL;
  gsize len;
  g_autoptr (GError) local = NULL;

  l->lock_fd = -1;
  l->dir = g_build_filename (root, "artifacts", NULL);
  l->blobs = g_build_filename (l->dir, "blobs", "sha256", NULL);
  index = g_build_filename (l->dir, "index.json", NULL);
  if (!write && !g_file_test (l->dir, G_FILE_TEST_IS_DIR))
    goto empty;
  if (write && !fs_mkdir_p (l->blobs, 0700, error))
    return FALSE;
  lock = g_build_filename (l->dir, "index.lock", NULL);
  l->lock_fd = open (lock, (write ? O_RDWR | O_CREAT : O_RDONLY) | O_CLOEXEC, 0600);
  if (l->lock_fd < 0 && !write && errno == ENOENT)
    goto empty;
  if (l->lock_fd < 0)
    return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, errno, "cannot open %s", lock);
  while (flock (l->lock_fd, write ? LOCK_EX : LOCK_SH) < 0)
    if (errno != EINTR)
      return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, errno, "cannot lock %s", lock);
  if (!g_file_get_contents (index, &data, &len, &local))
    {
      if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, "%s", local->message);
      goto empty;
    }
  l->index = parse_json (data, len, index, error);
  return l->index != NULL;

empty:
  l->index = json_node_new (JSON_NODE_OBJECT);
  {
    JsonObject *o = json_object_new ();
    json_object_set_int_member (o, "schemaVersion", 2);
    json_object_set_string_member (o, "mediaType", MEDIA_INDEX);
    json_object_set_array_member (o, "manifests", json_array_new ());
    json_node_take_object (l->index, o);
  }
  return TRUE;
}

static const char *
entry_name (JsonObject *desc)
{
  JsonNode *a = json_object_get_member (desc, "annotations");
  if (!a || !JSON_NODE_HOLDS_OBJECT (a))
    return NULL;
  JsonNode *n = json_object_get_member (json_node_get_object (a), ANN_REF_NAME);
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
           ? json_node_get_string (n)
           : NULL;
}

static const char *
string_member (JsonObject *o, const char *name)
{
  JsonNode *n = o ? json_object_get_member (o, name) : NULL;
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
           ? json_node_get_string (n)
           : NULL;
}

static JsonArray *
layers_of (JsonObject *manifest)
{
  JsonNode *n = json_object_get_member (manifest, "layers");
  return n && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

static JsonObject *
object_member (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  return n && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static Artifact *
load_entry (Layout *l, JsonObject *desc, GError **error)
{
  g_autoptr (Artifact) a = g_new0 (Artifact, 1);
  g_autofree char *path = NULL, *data = NULL;
  g_autoptr (GError) local = NULL;
  g_autoptr (JsonNode) root = NULL;
  const char *digest = string_member (desc, "digest"), *hex;
  JsonArray *layers;
  gsize len;

  if (!(hex = digest_hex (digest, "index.json manifest digest", error)))
    return NULL;
  path = g_build_filename (l->blobs, hex, NULL);
  if (!g_file_get_contents (path, &data, &len, &local))
    return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, "%s", local->message), NULL;
  if (!(root = parse_json (data, len, path, error)))
    return NULL;
  a->name = g_strdup (entry_name (desc));
  a->digest = g_strdup (digest);
  a->manifest = json_object_ref (json_node_get_object (root));
  layers = layers_of (a->manifest);
  for (guint i = 0; layers && i < json_array_get_length (layers); i++)
    {
      JsonNode *n = json_array_get_element (layers, i);
      if (JSON_NODE_HOLDS_OBJECT (n))
        a->size += (guint64) MAX (json_object_get_int_member_with_default (json_node_get_object (n), "size", 0), 0);
    }
  {
    JsonObject *ann = object_member (a->manifest, "annotations");
    const char *created = string_member (ann, ANN_CREATED);
    g_autoptr (GDateTime) t = created ? g_date_time_new_from_iso8601 (created, NULL) : NULL;
    a->created_text = g_strdup (created);
    a->created = t ? g_date_time_to_unix (t) : 0;
  }
  return g_steal_pointer (&a);
}

static GPtrArray *
layout_list (Layout *l, GError **error)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) artifact_free);
  JsonArray *m = index_manifests (l);
  for (guint i = 0; i < json_array_get_length (m); i++)
    {
      JsonNode *n = json_array_get_element (m, i);
      Artifact *a;
      /* podunit writes only named manifests; anything else is not an artifact of ours */
      if (!JSON_NODE_HOLDS_OBJECT (n) || !entry_name (json_node_get_object (n)))
        continue;
      if (!(a = load_entry (l, json_node_get_object (n), error)))
        return NULL;
      g_ptr_array_add (out, a);
    }
  return g_steal_pointer (&out);
}

/* podman's lookup: the name (normalized when it parses as one), else a
 * full or unique prefix of the manifest digest's hex. Returns the index in
 * LIST, or -1 with ERROR set. */
static int
find (GPtrArray *list, const char *name_or_digest, GError **error)
{
  g_autofree char *name = artifact_normalize_name (name_or_digest, NULL);
  const char *want = name_or_digest;
  int found = -1;
  if (!*name_or_digest)
    return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                       "artifact name cannot be empty"),
           -1;
  for (guint i = 0; i < list->len; i++)
    if (strcmp (((Artifact *) list->pdata[i])->name, name ? name : name_or_digest) == 0)
      return i;
  if (g_str_has_prefix (want, "sha256:"))
    want += 7;
  for (const char *p = want; *p; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      goto missing;
  if (strlen (want) < 1)
    goto missing;
  for (guint i = 0; i < list->len; i++)
    if (g_str_has_prefix (((Artifact *) list->pdata[i])->digest + 7, want))
      {
        if (found >= 0 && strcmp (((Artifact *) list->pdata[found])->digest,
                                  ((Artifact *) list->pdata[i])->digest) != 0)
          return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                             "%s: the digest prefix matches more than one artifact",
                             name_or_digest),
                 -1;
        found = i;
      }
  if (found >= 0)
    return found;
missing:
  return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_NOT_FOUND,
                     "%s: artifact does not exist", name ? name : name_or_digest),
         -1;
}

GPtrArray *
artifact_list (const char *root, GError **error)
{
  g_auto (Layout) l = LAYOUT_INIT;
  if (!layout_open (&l, root, FALSE, error))
    return NULL;
  return layout_list (&l, error);
}

Artifact *
artifact_lookup (const char *root, const char *name_or_digest, GError **error)
{
  g_auto (Layout) l = LAYOUT_INIT;
  g_autoptr (GPtrArray) list = NULL;
  int i;
  if (!layout_open (&l, root, FALSE, error) || !(list = layout_list (&l, error)))
    return NULL;
  if ((i = find (list, name_or_digest, error)) < 0)
    return NULL;
  return g_ptr_array_steal_index (list, i);
}

/* ---- writing ---- */

static gboolean
write_index (Layout *l, GError **error)
{
  gsize len;
  g_autofree char *data = to_json (l->index, &len);
  static const char oci_layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
  g_autofree char *layout_file = g_build_filename (l->dir, "oci-layout", NULL);
  g_autofree char *index = g_build_filename (l->dir, "index.json", NULL);
  if (!g_file_test (layout_file, G_FILE_TEST_EXISTS)
      && write_file_atomic (AT_FDCWD, layout_file, oci_layout, strlen (oci_layout), 0644,
                            WRITE_DURABLE) < 0)
    return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, errno, "cannot write %s",
                        layout_file);
  if (write_file_atomic (AT_FDCWD, index, data, len, 0644, WRITE_DURABLE) < 0)
    return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, errno, "cannot write %s", index);
  return TRUE;
}

static gboolean
put_blob_data (Layout *l, const char *hex, const void *data, gsize len, GError **error)
{
  g_autofree char *path = g_build_filename (l->blobs, hex, NULL);
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    return TRUE;
  if (write_file_atomic (AT_FDCWD, path, data, len, 0644, WRITE_DURABLE) < 0)
    return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, errno, "cannot write %s", path);
  return TRUE;
}

/* Copies FD (the file WHAT) into a blob, hashing on the way; sets *HEX and
 * *SIZE. */
static gboolean
put_blob_fd (Layout *l, int fd, const char *what, char **hex, guint64 *size, GError **error)
{
  g_autofree char *tmp = g_build_filename (l->blobs, ".add-XXXXXX", NULL);
  g_autofree char *path = NULL;
  g_autoptr (Sha256) h = sha256_new ();
  g_autofree char *buf = g_malloc (1 << 16);
  autofd int out = g_mkstemp_full (tmp, O_WRONLY | O_CLOEXEC, 0644);
  ssize_t n;

  *size = 0;
  if (out < 0)
    return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, errno, "cannot create %s", tmp);
  while ((n = read (fd, buf, 1 << 16)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int e = errno;
          unlink (tmp);
          return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, e, "cannot read %s", what);
        }
      sha256_update (h, buf, n);
      if (fd_write_all (out, buf, n) < 0)
        {
          int e = errno;
          unlink (tmp);
          return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, e, "cannot write %s", tmp);
        }
      *size += n;
    }
  if (fsync (out) < 0)
    {
      int e = errno;
      unlink (tmp);
      return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, e, "cannot write %s", tmp);
    }
  *hex = sha256_finish_hex (h);
  path = g_build_filename (l->blobs, *hex, NULL);
  if (rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, e, "cannot rename %s", tmp);
    }
  return TRUE;
}

static void
mark_digest (GHashTable *keep, const char *digest)
{
  if (digest && g_str_has_prefix (digest, "sha256:"))
    g_hash_table_add (keep, g_strdup (digest + 7));
}

/* Removes the blobs no manifest of the index names (after the index that
 * dropped them is written: a crash leaves only unreferenced blobs). */
static gboolean
collect_garbage (Layout *l, GError **error)
{
  g_autoptr (GHashTable) keep = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) list = layout_list (l, error);
  g_autoptr (GDir) d = NULL;
  const char *name;
  if (!list)
    return FALSE;
  for (guint i = 0; i < list->len; i++)
    {
      Artifact *a = list->pdata[i];
      JsonArray *layers = layers_of (a->manifest);
      mark_digest (keep, a->digest);
      mark_digest (keep, string_member (object_member (a->manifest, "config"), "digest"));
      for (guint j = 0; layers && j < json_array_get_length (layers); j++)
        {
          JsonNode *n = json_array_get_element (layers, j);
          if (JSON_NODE_HOLDS_OBJECT (n))
            mark_digest (keep, string_member (json_node_get_object (n), "digest"));
        }
    }
  /* unnamed manifests (another tool's) keep their manifest blob */
  {
    JsonArray *m = index_manifests (l);
    for (guint i = 0; i < json_array_get_length (m); i++)
      {
        JsonNode *n = json_array_get_element (m, i);
        if (JSON_NODE_HOLDS_OBJECT (n))
          mark_digest (keep, string_member (json_node_get_object (n), "digest"));
      }
  }
  if (!(d = g_dir_open (l->blobs, 0, NULL)))
    return TRUE;
  while ((name = g_dir_read_name (d)))
    if (digest_is_hex (name) && !g_hash_table_contains (keep, name))
      {
        g_autofree char *path = g_build_filename (l->blobs, name, NULL);
        if (unlink (path) < 0 && errno != ENOENT)
          return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, errno, "cannot remove %s",
                              path);
      }
  return TRUE;
}

const char *
artifact_sniff_media_type (const guint8 *d, gsize n)
{
  static const struct
  {
    const char *magic;
    gsize len;
    const char *type;
  } sigs[] = {
    { "%PDF-", 5, "application/pdf" },
    { "\x1f\x8b\x08", 3, "application/x-gzip" },
    { "PK\x03\x04", 4, "application/zip" },
    { "\x89PNG\r\n\x1a\n", 8, "image/png" },
    { "\xff\xd8\xff", 3, "image/jpeg" },
    { "GIF87a", 6, "image/gif" },
    { "GIF89a", 6, "image/gif" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (sigs); i++)
    if (n >= sigs[i].len && memcmp (d, sigs[i].magic, sigs[i].len) == 0)
      return sigs[i].type;
  /* Go's rule: text unless a byte is one of the binary control bytes */
  for (gsize i = 0; i < n; i++)
    if (d[i] <= 0x08 || d[i] == 0x0b || (d[i] >= 0x0e && d[i] <= 0x1a) || (d[i] >= 0x1c && d[i] <= 0x1f))
      return "application/octet-stream";
  return "text/plain; charset=utf-8";
}

static const char *
sniff_fd (int fd)
{
  guint8 buf[512];
  ssize_t n = pread (fd, buf, sizeof buf, 0);
  return artifact_sniff_media_type (buf, n > 0 ? (gsize) n : 0);
}

/* Go's time.RFC3339Nano: trailing zeros of the fraction dropped. */
static char *
now_rfc3339_nano (void)
{
  struct timespec ts;
  struct tm tm;
  char base[32], frac[16];
  gsize n;
  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
  g_snprintf (frac, sizeof frac, "%09ld", ts.tv_nsec);
  for (n = strlen (frac); n > 0 && frac[n - 1] == '0'; n--)
    frac[n - 1] = '\0';
  return g_strdup_printf ("%s%s%sZ", base, n ? "." : "", frac);
}

static gint
cmp_strp (gconstpointer a, gconstpointer b, gpointer data)
{
  (void) data;
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* Go marshals a map with its keys sorted. */
static JsonObject *
annotations_object (GHashTable *h)
{
  guint n = 0;
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array (h, &n);
  JsonObject *o = json_object_new ();
  g_qsort_with_data (keys, n, sizeof (gpointer), cmp_strp, NULL);
  for (guint i = 0; i < n; i++)
    json_object_set_string_member (o, keys[i], g_hash_table_lookup (h, keys[i]));
  return o;
}

static JsonObject *
descriptor (const char *media_type, const char *hex, guint64 size)
{
  JsonObject *o = json_object_new ();
  g_autofree char *digest = g_strconcat ("sha256:", hex, NULL);
  json_object_set_string_member (o, "mediaType", media_type);
  json_object_set_string_member (o, "digest", digest);
  json_object_set_int_member (o, "size", (gint64) size);
  return o;
}

char *
artifact_add (const char *root, const char *name, char *const *files,
              const ArtifactAddOptions *opts, GError **error)
{
  g_autofree char *full = NULL, *manifest_hex = NULL, *manifest_data = NULL, *created = NULL;
  g_autoptr (GHashTable) ann = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr (GHashTable) titles = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GPtrArray) list = NULL;
  g_autoptr (GArray) fds = g_array_new (FALSE, FALSE, sizeof (int));
  g_autoptr (JsonNode) node = NULL;
  g_auto (Layout) l = LAYOUT_INIT;
  JsonObject *manifest;
  JsonArray *layers;
  gsize len;
  int old = -1;
  gboolean ok = FALSE;

  if (opts->append && opts->replace)
    return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                       "--append and --replace options cannot be used together"),
           NULL;
  if (opts->append && opts->type && *opts->type)
    return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                       "--append option is not compatible with --type option"),
           NULL;
  if (!(full = artifact_normalize_name (name, error)))
    return NULL;
  if (strchr (full, '@'))
    return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                       "invalid artifact name \"%s\": a digest names what is stored, not a new "
                       "artifact",
                       name),
           NULL;
  if (!files || !*files)
    return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID, "no files to add"), NULL;
  for (char *const *a = opts->annotations; a && *a; a++)
    {
      const char *eq = strchr (*a, '=');
      if (!eq || eq == *a)
        return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                           "annotation \"%s\": must be KEY=VALUE", *a),
               NULL;
      if (strncmp (*a, ANN_TITLE "=", strlen (ANN_TITLE) + 1) == 0)
        return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                           "cannot override filename with %s annotation", ANN_TITLE),
               NULL;
      g_hash_table_replace (ann, g_strndup (*a, eq - *a), g_strdup (eq + 1));
    }

  if (!layout_open (&l, root, TRUE, error) || !(list = layout_list (&l, error)))
    return NULL;
  for (guint i = 0; i < list->len; i++)
    if (strcmp (((Artifact *) list->pdata[i])->name, full) == 0)
      old = i;
  if (old >= 0 && !opts->append && !opts->replace)
    return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_EXISTS,
                       "%s: artifact already exists", full),
           NULL;
  if (old < 0 && opts->append)
    return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_NOT_FOUND,
                       "%s: artifact does not exist", full),
           NULL;

  if (opts->append)
    {
      Artifact *a = list->pdata[old];
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_set_object (node, a->manifest);
      node = json_node_copy (node);
      manifest = json_node_get_object (node);
      layers = layers_of (manifest);
      if (!layers)
        {
          json_object_set_array_member (manifest, "layers", json_array_new ());
          layers = layers_of (manifest);
        }
      for (guint i = 0; i < json_array_get_length (layers); i++)
        {
          JsonNode *n = json_array_get_element (layers, i);
          JsonObject *lann = JSON_NODE_HOLDS_OBJECT (n)
                               ? object_member (json_node_get_object (n), "annotations")
                               : NULL;
          const char *t = string_member (lann, ANN_TITLE);
          if (t && *t)
            g_hash_table_add (titles, g_strdup (t));
        }
    }
  else
    {
      manifest = json_object_new ();
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, manifest);
      json_object_set_int_member (manifest, "schemaVersion", 2);
      json_object_set_string_member (manifest, "mediaType", MEDIA_MANIFEST);
      if (opts->type && *opts->type)
        json_object_set_string_member (manifest, "artifactType", opts->type);
      {
        JsonObject *config = descriptor (MEDIA_EMPTY, EMPTY_HEX, 2);
        json_object_set_string_member (config, "data", "e30=");
        json_object_set_object_member (manifest, "config", config);
      }
      json_object_set_array_member (manifest, "layers", json_array_new ());
      layers = layers_of (manifest);
      created = now_rfc3339_nano ();
      {
        JsonObject *mann = json_object_new ();
        json_object_set_string_member (mann, ANN_CREATED, created);
        json_object_set_object_member (manifest, "annotations", mann);
      }
    }

  /* every file is opened and its title checked before anything is written */
  for (char *const *f = files; *f; f++)
    {
      g_autofree char *title = g_path_get_basename (*f);
      struct stat st;
      int fd = open (*f, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        {
          /* Go's message, as podman prints it */
          g_autofree char *why = g_ascii_strdown (g_strerror (errno), -1);
          gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID, "open %s: %s", *f, why);
          goto out;
        }
      g_array_append_val (fds, fd);
      if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
        {
          gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID, "%s: not a regular file", *f);
          goto out;
        }
      if (g_hash_table_contains (titles, title))
        {
          gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_EXISTS,
                      "%s: file already exists in artifact", title);
          goto out;
        }
      g_hash_table_add (titles, g_steal_pointer (&title));
    }

  if (!put_blob_data (&l, EMPTY_HEX, "{}", 2, error))
    goto out;
  for (guint i = 0; i < fds->len; i++)
    {
      int fd = g_array_index (fds, int, i);
      g_autofree char *hex = NULL, *title = g_path_get_basename (files[i]);
      const char *media = opts->file_type && *opts->file_type ? opts->file_type : sniff_fd (fd);
      guint64 size;
      JsonObject *layer;
      g_autoptr (GHashTable) lann = g_hash_table_new (g_str_hash, g_str_equal);
      GHashTableIter it;
      gpointer k, v;

      if (!put_blob_fd (&l, fd, files[i], &hex, &size, error))
        goto out;
      layer = descriptor (media, hex, size);
      g_hash_table_iter_init (&it, ann);
      while (g_hash_table_iter_next (&it, &k, &v))
        g_hash_table_insert (lann, k, v);
      g_hash_table_insert (lann, (gpointer) ANN_TITLE, title);
      json_object_set_object_member (layer, "annotations", annotations_object (lann));
      json_array_add_object_element (layers, layer);
    }

  manifest_data = to_json (node, &len);
  manifest_hex = sha256_hex_of (manifest_data, len);
  if (!put_blob_data (&l, manifest_hex, manifest_data, len, error))
    goto out;
  {
    JsonArray *m = index_manifests (&l);
    JsonObject *desc = descriptor (MEDIA_MANIFEST, manifest_hex, len);
    JsonObject *dann = json_object_new ();
    /* the old entry of that name goes (--append, --replace) */
    for (guint i = json_array_get_length (m); i-- > 0;)
      {
        JsonNode *n = json_array_get_element (m, i);
        const char *en = JSON_NODE_HOLDS_OBJECT (n) ? entry_name (json_node_get_object (n)) : NULL;
        if (en && strcmp (en, full) == 0)
          json_array_remove_element (m, i);
      }
    json_object_set_string_member (dann, ANN_REF_NAME, full);
    json_object_set_object_member (desc, "annotations", dann);
    json_array_add_object_element (m, desc);
  }
  if (!fs_fsync_dir (l.blobs, error) || !write_index (&l, error) || !collect_garbage (&l, error))
    goto out;
  ok = TRUE;

out:
  for (guint i = 0; i < fds->len; i++)
    close (g_array_index (fds, int, i));
  return ok ? g_strconcat ("sha256:", manifest_hex, NULL) : NULL;
}

char *
artifact_remove (const char *root, const char *name_or_digest, GError **error)
{
  g_auto (Layout) l = LAYOUT_INIT;
  g_autoptr (GPtrArray) list = NULL;
  g_autofree char *name = NULL, *digest = NULL;
  JsonArray *m;
  int i;

  /* a reader never creates the store: look first */
  if (!layout_open (&l, root, FALSE, error) || !(list = layout_list (&l, error)))
    return NULL;
  if (find (list, name_or_digest, error) < 0)
    return NULL;
  layout_close (&l);
  l = (Layout) LAYOUT_INIT;
  g_clear_pointer (&list, g_ptr_array_unref);
  if (!layout_open (&l, root, TRUE, error) || !(list = layout_list (&l, error)))
    return NULL;
  if ((i = find (list, name_or_digest, error)) < 0)
    return NULL;
  name = g_strdup (((Artifact *) list->pdata[i])->name);
  digest = g_strdup (((Artifact *) list->pdata[i])->digest);
  m = index_manifests (&l);
  for (guint k = json_array_get_length (m); k-- > 0;)
    {
      JsonNode *n = json_array_get_element (m, k);
      const char *en = JSON_NODE_HOLDS_OBJECT (n) ? entry_name (json_node_get_object (n)) : NULL;
      if (en && strcmp (en, name) == 0)
        json_array_remove_element (m, k);
    }
  if (!write_index (&l, error) || !collect_garbage (&l, error))
    return NULL;
  return g_steal_pointer (&digest);
}

/* A title names a file in the target directory: never a path. */
static char *
blob_file_name (const char *title, const char *digest, GError **error)
{
  char *name = title && *title ? g_strdup (title) : g_strdelimit (g_strdup (digest), ":", '-');
  if (strchr (name, '/') || strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
    {
      gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                  "invalid name: \"%s\" cannot contain /: the artifact's title is not a file name",
                  name);
      g_free (name);
      return NULL;
    }
  return name;
}

static gboolean
copy_blob (Layout *l, const char *digest, const char *target, GError **error)
{
  const char *hex = digest_hex (digest, "layer digest", error);
  g_autofree char *src = NULL, *buf = NULL;
  autofd int in = -1;
  autofd int out = -1;
  ssize_t n;
  if (!hex)
    return FALSE;
  src = g_build_filename (l->blobs, hex, NULL);
  if ((in = open (src, O_RDONLY | O_CLOEXEC)) < 0)
    return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, errno, "cannot open %s", src);
  if ((out = open (target, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666)) < 0)
    return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, errno, "cannot create %s",
                        target);
  buf = g_malloc (1 << 16);
  while ((n = read (in, buf, 1 << 16)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, errno, "cannot read %s", src);
      if (fd_write_all (out, buf, n) < 0)
        return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, errno, "cannot write %s",
                            target);
    }
  return TRUE;
}

gboolean
artifact_extract (const char *root, const char *name_or_digest, const char *target,
                  const char *title, const char *digest, GError **error)
{
  g_auto (Layout) l = LAYOUT_INIT;
  g_autoptr (GPtrArray) list = NULL;
  Artifact *a;
  JsonArray *layers;
  guint nlayers;
  int i, pick = -1;
  struct stat st;
  gboolean to_dir;

  if (title && digest)
    return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                       "cannot specify both digest and title");
  if (!layout_open (&l, root, FALSE, error) || !(list = layout_list (&l, error)))
    return FALSE;
  if ((i = find (list, name_or_digest, error)) < 0)
    return FALSE;
  a = list->pdata[i];
  layers = layers_of (a->manifest);
  nlayers = layers ? json_array_get_length (layers) : 0;
  if (nlayers == 0)
    return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                       "the artifact has no blobs, nothing to extract");
  for (guint k = 0; (title || digest) && k < nlayers; k++)
    {
      JsonNode *n = json_array_get_element (layers, k);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      const char *t = string_member (object_member (o, "annotations"), ANN_TITLE);
      const char *d = string_member (o, "digest");
      if ((title && g_strcmp0 (t, title) == 0) || (digest && g_strcmp0 (d, digest) == 0))
        {
          if (pick >= 0)
            return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                               "more than one match for the %s \"%s\"", title ? "title" : "digest",
                               title ? title : digest);
          pick = k;
        }
    }
  if ((title || digest) && pick < 0)
    return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_NOT_FOUND,
                       "no blob with the %s \"%s\"", title ? "title" : "digest",
                       title ? title : digest);
  to_dir = stat (target, &st) == 0 && S_ISDIR (st.st_mode);
  if (!to_dir)
    {
      JsonNode *n;
      if (errno != ENOENT && stat (target, &st) < 0)
        return errno_error (error, ARTIFACT_ERROR, ARTIFACT_ERROR_IO, errno, "%s", target);
      if (pick < 0 && nlayers > 1)
        return gerror_set (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID,
                           "the artifact consists of several blobs and the target \"%s\" is not "
                           "a directory and neither digest or title was specified to only copy "
                           "a single blob",
                           target);
      n = json_array_get_element (layers, pick < 0 ? 0 : pick);
      return copy_blob (&l, JSON_NODE_HOLDS_OBJECT (n) ? string_member (json_node_get_object (n), "digest") : NULL,
                        target, error);
    }
  for (guint k = 0; k < nlayers; k++)
    {
      JsonNode *n = json_array_get_element (layers, k);
      JsonObject *o = JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
      const char *d = string_member (o, "digest");
      g_autofree char *file = NULL, *path = NULL;
      if (pick >= 0 && (int) k != pick)
        continue;
      /* with --digest the file is named by the digest, as podman does */
      if (!(file = blob_file_name (digest ? NULL : string_member (object_member (o, "annotations"), ANN_TITLE),
                                   d ? d : "", error)))
        return FALSE;
      path = g_build_filename (target, file, NULL);
      if (!copy_blob (&l, d, path, error))
        return FALSE;
    }
  return TRUE;
}
