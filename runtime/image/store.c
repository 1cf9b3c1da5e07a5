/* SPDX-License-Identifier: Apache-2.0 */
/* The image store (layout and rules in store.h).  Names live in one file,
 * ROOT/names.json, so tagging and untagging is one atomic rename; image
 * records never carry names, so the two cannot disagree after a crash.  A
 * crash between writing an image record and naming it leaves a dangling
 * image (`<none>`), which `image prune` removes. */
#include "image/store.h"
#include "names.h"
#include "image/digest.h"
#include "image/layer.h"
#include "image/store-fs.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

G_DEFINE_QUARK (podunit-store-error-quark, store_error)

struct _Store
{
  char *root;
  char *runroot;
  int lock_fd;
  int lock_depth;
  gboolean rootless;
};

struct _StoreImage
{
  gint ref;
  char *id;
  char *digest;
  char **names;          /* "repo:tag" */
  char **digested_names; /* "repo@sha256:…", what a pull by digest recorded */
  char **names_history;
  char **diff_ids;
  char **layer_dirs;
  JsonNode *manifest;
  JsonNode *oci_config;
  JsonObject *config;
  gint64 created;
  guint64 size;
};

typedef struct
{
  char *id;
  char *manifest_hex;
  char *config_hex;
  char **names;
  GPtrArray *diff_ids; /* hex */
  GPtrArray *blobs;    /* hex of its manifest, config and layer blobs */
} PendingImage;

struct _StoreTxn
{
  Store *s;
  char *dir;
  int dir_fd;             /* flocked while the transaction lives, so prune skips it */
  GPtrArray *blobs;       /* hex of staged blobs */
  GPtrArray *layers;      /* diff id hex of staged layers */
  GPtrArray *layer_blobs; /* the blob hex each staged layer came from */
  GPtrArray *images;      /* PendingImage */
  gboolean committed;
  GMutex lock; /* store_txn_unpack_layer runs in threads: guards blobs and layers */
};

/* ---- locations ---- */

char *
store_default_root (void)
{
  if (geteuid () == 0)
    return g_strdup ("/var/lib/podunit");
  return g_build_filename (g_get_user_data_dir (), "podunit", NULL);
}

char *
store_default_runroot (void)
{
  if (geteuid () == 0)
    return g_strdup ("/run/podunit");
  const char *xdg = g_getenv ("XDG_RUNTIME_DIR");
  if (xdg && *xdg)
    return g_build_filename (xdg, "podunit", NULL);
  return g_strdup_printf ("/tmp/podunit-run-%u", (unsigned)geteuid ());
}

static char *
sub (Store *s, const char *a, const char *b)
{
  return g_build_filename (s->root, a, b, NULL);
}

char *
store_blob_path (Store *s, const char *hex)
{
  return g_build_filename (s->root, "blobs", "sha256", hex, NULL);
}

static char *
layer_path (Store *s, const char *hex)
{
  return sub (s, "layers", hex);
}

Store *
store_open (const char *root, const char *runroot, GError **error)
{
  g_autoptr (Store) s = g_new0 (Store, 1);
  s->lock_fd = -1;
  s->root = root ? g_canonicalize_filename (root, NULL) : store_default_root ();
  s->runroot = runroot ? g_canonicalize_filename (runroot, NULL) : store_default_runroot ();
  s->rootless = geteuid () != 0;

  static const char *const dirs[] = { "blobs/sha256", "layers", "images", "tmp" };
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      g_autofree char *d = g_build_filename (s->root, dirs[i], NULL);
      if (!fs_mkdir_p (d, 0700, error))
        return NULL;
    }
  if (!fs_mkdir_p (s->runroot, 0700, error))
    return NULL;
  g_autofree char *lock = g_build_filename (s->root, "store.lock", NULL);
  s->lock_fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (s->lock_fd < 0)
    {
      errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot open %s", lock);
      return NULL;
    }
  return g_steal_pointer (&s);
}

void
store_free (Store *s)
{
  if (s == NULL)
    return;
  if (s->lock_fd >= 0)
    close (s->lock_fd);
  g_free (s->root);
  g_free (s->runroot);
  g_free (s);
}

const char *
store_get_root (Store *s)
{
  return s->root;
}

const char *
store_get_runroot (Store *s)
{
  return s->runroot;
}

gboolean
store_is_rootless (Store *s)
{
  return s->rootless;
}

gboolean
store_lock (Store *s, GError **error)
{
  if (s->lock_depth++ > 0)
    return TRUE;
  while (flock (s->lock_fd, LOCK_EX) < 0)
    if (errno != EINTR)
      {
        s->lock_depth = 0;
        return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot lock %s", s->root);
      }
  return TRUE;
}

void
store_unlock (Store *s)
{
  g_return_if_fail (s->lock_depth > 0);
  if (--s->lock_depth == 0)
    flock (s->lock_fd, LOCK_UN);
}

/* ---- JSON files ---- */

JsonNode *
store_parse_json_object (const char *data, gssize len, const char *what, GQuark domain,
                         gint code, GError **error)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_data (p, data, len, &local))
    {
      g_set_error (error, domain, code, "%s: invalid JSON: %s", what, local->message);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (p);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, domain, code, "%s: not a JSON object", what);
      return NULL;
    }
  return json_node_copy (root);
}

static JsonNode *
parse_json (const char *data, gssize len, const char *what, GError **error)
{
  return store_parse_json_object (data, len, what, STORE_ERROR, STORE_ERROR_INVALID, error);
}

static JsonNode *
read_json_file (const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_IO, "%s", local->message);
      return NULL;
    }
  return parse_json (data, len, path, error);
}

static char *
to_json (JsonNode *node, gsize *len)
{
  g_autoptr (JsonGenerator) g = json_generator_new ();
  json_generator_set_root (g, node);
  return json_generator_to_data (g, len);
}

/* FLAGS: write_file_atomic's; WRITE_DURABLE unless the file is staged in a
 * transaction, whose commit makes every staged file durable at once
 * (txn_sync_staged). */
static gboolean
write_json_file (const char *path, JsonNode *node, int flags, GError **error)
{
  gsize len;
  g_autofree char *data = to_json (node, &len);
  if (write_file_atomic (AT_FDCWD, path, data, len, 0644, flags) < 0)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot write %s", path);
  return TRUE;
}

/* names.json: { "names": { "<full name>": "<id>" } } */
static JsonNode *
read_names (Store *s, GError **error)
{
  g_autofree char *path = g_build_filename (s->root, "names.json", NULL);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      JsonNode *n = json_node_new (JSON_NODE_OBJECT);
      JsonObject *o = json_object_new ();
      json_object_set_object_member (o, "names", json_object_new ());
      json_node_take_object (n, o);
      return n;
    }
  JsonNode *n = read_json_file (path, error);
  if (n && !json_object_has_member (json_node_get_object (n), "names"))
    json_object_set_object_member (json_node_get_object (n), "names", json_object_new ());
  return n;
}

static JsonObject *
names_of (JsonNode *n)
{
  return json_object_get_object_member (json_node_get_object (n), "names");
}

static gboolean
write_names (Store *s, JsonNode *n, GError **error)
{
  g_autofree char *path = g_build_filename (s->root, "names.json", NULL);
  return write_json_file (path, n, WRITE_DURABLE, error);
}

/* ---- names ---- */

char *
store_normalize_name_in (const char *name, const char *default_domain, GError **error)
{
  if (name == NULL || *name == '\0' || strpbrk (name, " \t\n") || g_str_has_suffix (name, "/")
      || name[0] == '/')
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "invalid image name '%s'",
                   name ? name : "");
      return NULL;
    }
  const char *slash = strchr (name, '/');
  gboolean has_domain = slash
                        && (memchr (name, '.', slash - name) || memchr (name, ':', slash - name)
                            || (slash - name == 9 && strncmp (name, "localhost", 9) == 0));
  g_autofree char *full = NULL;
  if (has_domain)
    full = g_strdup (name);
  else if (strcmp (default_domain, "docker.io") == 0 && slash == NULL)
    full = g_strconcat ("docker.io/library/", name, NULL);
  else
    full = g_strconcat (default_domain, "/", name, NULL);

  const char *last = strrchr (full, '/');
  const char *repo_end = strchr (last, '@');
  for (const char *p = full; p < (repo_end ? repo_end : full + strlen (full)); p++)
    if (g_ascii_isupper (*p) && (p < last || !strchr (last, ':') || p < strchr (last, ':')))
      {
        g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                     "invalid image name '%s': repository name must be lowercase", name);
        return NULL;
      }
  if (strchr (last, ':') == NULL && strchr (last, '@') == NULL)
    return g_strconcat (full, ":latest", NULL);
  return g_steal_pointer (&full);
}

char *
store_normalize_name (const char *name, GError **error)
{
  return store_normalize_name_in (name, "localhost", error);
}

char *
store_normalize_digested_name (const char *name, GError **error)
{
  const char *at = strchr (name, '@');
  const char *last = strrchr (name, '/');
  const char *colon = strchr (last ? last : name, ':');
  /* "repo:tag@digest" is "repo@digest": podman drops the tag too */
  g_autofree char *bare = colon && at && colon < at
                              ? g_strdup_printf ("%.*s%s", (int) (colon - name), name, at)
                              : g_strdup (name);
  return store_normalize_name (bare, error);
}

/* ---- images ---- */

StoreImage *
store_image_ref (StoreImage *img)
{
  g_atomic_int_inc (&img->ref);
  return img;
}

void
store_image_unref (StoreImage *img)
{
  if (img == NULL || !g_atomic_int_dec_and_test (&img->ref))
    return;
  g_free (img->id);
  g_free (img->digest);
  g_strfreev (img->names);
  g_strfreev (img->digested_names);
  g_strfreev (img->names_history);
  g_strfreev (img->diff_ids);
  g_strfreev (img->layer_dirs);
  if (img->manifest)
    json_node_unref (img->manifest);
  if (img->oci_config)
    json_node_unref (img->oci_config);
  g_free (img);
}

const char *
store_image_get_id (StoreImage *img)
{
  return img->id;
}
const char *
store_image_get_digest (StoreImage *img)
{
  return img->digest;
}
const char *const *
store_image_get_names (StoreImage *img)
{
  return (const char *const *)img->names;
}
const char *const *
store_image_get_digested_names (StoreImage *img)
{
  return (const char *const *)img->digested_names;
}
char **
store_image_all_names (StoreImage *img)
{
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  for (char **n = img->names; *n; n++)
    g_strv_builder_add (b, *n);
  for (char **n = img->digested_names; *n; n++)
    g_strv_builder_add (b, *n);
  return g_strv_builder_end (b);
}
char **
store_image_repo_digests (StoreImage *img)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new ();
  for (char **n = img->names; *n; n++)
    {
      const char *last = strrchr (*n, '/');
      const char *colon = strchr (last ? last : *n, ':');
      gsize len = colon ? (gsize) (colon - *n) : strlen (*n);
      char *d = g_strdup_printf ("%.*s@%s", (int) len, *n, img->digest);
      if (g_ptr_array_find_with_equal_func (out, d, g_str_equal, NULL))
        g_free (d);
      else
        g_ptr_array_add (out, d);
    }
  for (char **n = img->digested_names; *n; n++)
    if (!g_ptr_array_find_with_equal_func (out, *n, g_str_equal, NULL))
      g_ptr_array_add (out, g_strdup (*n));
  g_ptr_array_add (out, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&out), FALSE);
}
const char *const *
store_image_get_names_history (StoreImage *img)
{
  return (const char *const *)img->names_history;
}
const char *const *
store_image_get_diff_ids (StoreImage *img)
{
  return (const char *const *)img->diff_ids;
}
const char *const *
store_image_get_layer_dirs (StoreImage *img)
{
  return (const char *const *)img->layer_dirs;
}
JsonObject *
store_image_get_config (StoreImage *img)
{
  return img->config;
}
JsonObject *
store_image_get_oci_config (StoreImage *img)
{
  return json_node_get_object (img->oci_config);
}
JsonObject *
store_image_get_manifest (StoreImage *img)
{
  return json_node_get_object (img->manifest);
}
gint64
store_image_get_created (StoreImage *img)
{
  return img->created;
}
guint64
store_image_get_size (StoreImage *img)
{
  return img->size;
}

static char *
read_blob_file (const char *path, const char *hex, gsize *len, GError **error)
{
  char *data = NULL;
  if (!g_file_get_contents (path, &data, len, NULL))
    g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "blob sha256:%s is missing", hex);
  return data;
}

static JsonNode *
read_json_blob_file (const char *path, const char *hex, GError **error)
{
  gsize len;
  g_autofree char *data = read_blob_file (path, hex, &len, error);
  g_autofree char *what = g_strconcat ("blob sha256:", hex, NULL);
  return data ? parse_json (data, len, what, error) : NULL;
}

static JsonNode *
read_json_blob (Store *s, const char *hex, GError **error)
{
  g_autofree char *path = store_blob_path (s, hex);
  return read_json_blob_file (path, hex, error);
}

static char **
names_for_id (JsonNode *names, const char *id)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new ();
  JsonObjectIter it;
  const char *name;
  JsonNode *v;
  json_object_iter_init (&it, names_of (names));
  while (json_object_iter_next (&it, &name, &v))
    if (g_strcmp0 (json_node_get_string (v), id) == 0)
      g_ptr_array_add (out, g_strdup (name));
  g_ptr_array_sort (out, name_compare);
  g_ptr_array_add (out, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/* The tag names of @all (or with @tagged FALSE, its digested names). */
static char **
names_tagged (char **all, gboolean tagged)
{
  g_autoptr (GPtrArray) out = g_ptr_array_new ();
  for (char **n = all; *n; n++)
    if ((strchr (*n, '@') == NULL) == tagged)
      g_ptr_array_add (out, g_strdup (*n));
  g_ptr_array_add (out, NULL);
  return (char **)g_ptr_array_free (g_steal_pointer (&out), FALSE);
}

/* names.json's "history": { "<id>": [ names, newest first ] }, podman's
 * NamesHistory: whenever an image's names change, its names then go first
 * and the history follows, without repeats; it keeps the names the image
 * has lost. */
static JsonObject *
history_of (JsonNode *names)
{
  JsonObject *root = json_node_get_object (names);
  if (!json_object_has_member (root, "history")
      || !JSON_NODE_HOLDS_OBJECT (json_object_get_member (root, "history")))
    json_object_set_object_member (root, "history", json_object_new ());
  return json_object_get_object_member (root, "history");
}

/* An image's names history; an image stored before there was one has its
 * current names. */
static char **
names_history_of (JsonNode *names, const char *id, char **current)
{
  JsonObject *root = names ? json_node_get_object (names) : NULL;
  JsonNode *h = root ? json_object_get_member (root, "history") : NULL;
  JsonNode *mine = h && JSON_NODE_HOLDS_OBJECT (h) ? json_object_get_member (json_node_get_object (h), id) : NULL;
  if (!mine || !JSON_NODE_HOLDS_ARRAY (mine))
    return g_strdupv (current);
  JsonArray *a = json_node_get_array (mine);
  char **out = g_new0 (char *, json_array_get_length (a) + 1);
  guint n = 0;
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      const char *v = json_node_get_string (json_array_get_element (a, i));
      if (v)
        out[n++] = g_strdup (v);
    }
  return out;
}

/* After @id's names changed in @names: its names in podman's order (the
 * ones it kept, as its history orders them, then @added, the names just
 * given to it), then the history, without repeats. */
static void
note_names_history (JsonNode *names, const char *id, const char *const *added)
{
  g_auto (GStrv) all = names_for_id (names, id);
  g_auto (GStrv) now = names_tagged (all, TRUE);
  g_auto (GStrv) old = names_history_of (names, id, now);
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  for (char **h = old; *h; h++)
    if (g_strv_contains ((const char *const *) now, *h)
        && !(added && g_strv_contains (added, *h)))
      g_ptr_array_add (order, *h);
  for (char **n = now; *n; n++)
    if (!(added && g_strv_contains (added, *n)) && !g_ptr_array_find_with_equal_func (order, *n, g_str_equal, NULL))
      g_ptr_array_add (order, *n);
  for (const char *const *n = added; n && *n; n++)
    if (g_strv_contains ((const char *const *) now, *n))
      g_ptr_array_add (order, (gpointer) *n);
  for (char **h = old; *h; h++)
    g_ptr_array_add (order, *h);
  JsonArray *a = json_array_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < order->len; i++)
    if (g_hash_table_add (seen, order->pdata[i]))
      json_array_add_string_element (a, order->pdata[i]);
  json_object_set_array_member (history_of (names), id, a);
}

static guint64
layer_size (Store *s, const char *hex)
{
  g_autofree char *dir = layer_path (s, hex);
  g_autofree char *path = g_build_filename (dir, "layer.json", NULL);
  g_autoptr (JsonNode) n = read_json_file (path, NULL);
  return n ? json_object_get_int_member (json_node_get_object (n), "size") : 0;
}

gboolean
store_parse_image_config (const char *data, gsize len, const char *what, JsonNode **oci_config,
                          gint64 *created, char ***diff_ids, GError **error)
{
  g_autoptr (JsonNode) root = parse_json (data, len, what, error);
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  JsonObject *oc, *rootfs = NULL;
  JsonNode *n;
  JsonArray *a = NULL;
  const char *c;

  if (root == NULL)
    return FALSE;
  oc = json_node_get_object (root);
  n = json_object_get_member (oc, "config");
  if (!n || !JSON_NODE_HOLDS_OBJECT (n))
    json_object_set_object_member (oc, "config", json_object_new ());
  *created = 0;
  n = json_object_get_member (oc, "created");
  if (n && JSON_NODE_HOLDS_VALUE (n) && (c = json_node_get_string (n)))
    {
      g_autoptr (GDateTime) dt = g_date_time_new_from_iso8601 (c, NULL);
      *created = dt ? g_date_time_to_unix (dt) : 0;
    }
  n = json_object_get_member (oc, "rootfs");
  if (n && JSON_NODE_HOLDS_OBJECT (n))
    rootfs = json_node_get_object (n);
  n = rootfs ? json_object_get_member (rootfs, "diff_ids") : NULL;
  if (n && JSON_NODE_HOLDS_ARRAY (n))
    a = json_node_get_array (n);
  for (guint i = 0; a && i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      const char *d = JSON_NODE_HOLDS_VALUE (e) ? json_node_get_string (e) : NULL;
      if (!digest_hex (d, "image config diff_ids", error))
        return FALSE;
      g_ptr_array_add (ids, g_strdup (d));
    }
  g_ptr_array_add (ids, NULL);
  *diff_ids = (char **) g_ptr_array_free (g_steal_pointer (&ids), FALSE);
  *oci_config = g_steal_pointer (&root);
  return TRUE;
}

/* The marker a transaction's commit makes before it moves image records
 * into place and removes once their names are written: a record that
 * names an existing marker belongs to a commit not finished (its process
 * killed, as every live commit holds the store lock until it is done) and
 * is no image; garbage collection removes it. */
#define PENDING_MARKER "uncommitted"

static gboolean
record_pending (Store *s, JsonObject *r)
{
  const char *p = json_object_get_string_member_with_default (r, "pending", NULL);
  g_autofree char *path = NULL;
  if (p == NULL || !g_str_has_prefix (p, "tmp/") || strstr (p, ".."))
    return FALSE;
  path = g_build_filename (s->root, p, NULL);
  return access (path, F_OK) == 0;
}

static StoreImage *
load_image_files (Store *s, const char *id, JsonNode *names, GError **error)
{
  g_autofree char *dir = sub (s, "images", id);
  g_autofree char *path = g_build_filename (dir, "image.json", NULL);
  g_autoptr (JsonNode) rec = read_json_file (path, error);
  if (rec == NULL)
    return NULL;
  JsonObject *r = json_node_get_object (rec);
  if (record_pending (s, r))
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "%s: image not known", id);
      return NULL;
    }
  const char *mhex
      = digest_hex (json_object_get_string_member_with_default (r, "manifest", NULL), path, error);
  if (mhex == NULL)
    return NULL;

  g_autoptr (StoreImage) img = g_new0 (StoreImage, 1);
  img->ref = 1;
  img->id = g_strdup (id);
  img->digest = g_strconcat ("sha256:", mhex, NULL);
  img->manifest = read_json_blob (s, mhex, error);
  if (img->manifest == NULL)
    return NULL;
  {
    g_autofree char *cpath = store_blob_path (s, id);
    g_autofree char *what = g_strconcat ("blob sha256:", id, NULL);
    gsize len;
    g_autofree char *data = read_blob_file (cpath, id, &len, error);
    if (data == NULL
        || !store_parse_image_config (data, len, what, &img->oci_config, &img->created,
                                      &img->diff_ids, error))
      return NULL;
  }
  img->config = json_object_get_object_member (json_node_get_object (img->oci_config), "config");
  img->layer_dirs = g_new0 (char *, g_strv_length (img->diff_ids) + 1);
  for (guint i = 0; img->diff_ids[i]; i++)
    {
      const char *hex = img->diff_ids[i] + strlen ("sha256:");
      g_autofree char *ldir = layer_path (s, hex);
      img->layer_dirs[i] = g_build_filename (ldir, "diff", NULL);
      img->size += layer_size (s, hex);
    }
  {
    g_auto (GStrv) all = names ? names_for_id (names, id) : g_new0 (char *, 1);
    img->names = names_tagged (all, TRUE);
    img->digested_names = names_tagged (all, FALSE);
  }
  img->names_history = names_history_of (names, id, img->names);
  return g_steal_pointer (&img);
}

/* An image's record and blobs. Lock-free: an rmi may remove them while they
 * are read (its rename of the record comes first); that lost race is
 * "image not known", as when the name no longer resolves. */
static StoreImage *
load_image (Store *s, const char *id, JsonNode *names, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autofree char *dir = sub (s, "images", id);
  StoreImage *img = load_image_files (s, id, names, &local);
  if (img)
    return img;
  if (access (dir, F_OK) < 0 && errno == ENOENT)
    g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "%s: image not known", id);
  else
    g_propagate_error (error, g_steal_pointer (&local));
  return NULL;
}

static GPtrArray *
list_ids (Store *s, GError **error)
{
  g_autofree char *dir = g_build_filename (s->root, "images", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *ids = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  if (d == NULL)
    return ids;
  while ((name = g_dir_read_name (d)) != NULL)
    if (digest_is_hex (name))
      g_ptr_array_add (ids, g_strdup (name));
  return ids;
}

static gint
newest_first (gconstpointer a, gconstpointer b)
{
  StoreImage *x = *(StoreImage **)a, *y = *(StoreImage **)b;
  if (x->created != y->created)
    return x->created < y->created ? 1 : -1;
  return strcmp (x->id, y->id);
}

GPtrArray *
store_list_images (Store *s, GError **error)
{
  g_autoptr (JsonNode) names = read_names (s, error);
  if (names == NULL)
    return NULL;
  g_autoptr (GPtrArray) ids = list_ids (s, error);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify)store_image_unref);
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (GError) local = NULL;
      StoreImage *img = load_image (s, ids->pdata[i], names, &local);
      if (img == NULL && g_error_matches (local, STORE_ERROR, STORE_ERROR_NOT_FOUND))
        continue; /* removed since it was listed */
      if (img == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      g_ptr_array_add (out, img);
    }
  g_ptr_array_sort (out, newest_first);
  return g_steal_pointer (&out);
}

/* names.json's "names" as a name -> id table (what resolve_id reads). */
static GHashTable *
names_table (JsonNode *names)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonObjectIter it;
  const char *name;
  JsonNode *v;
  json_object_iter_init (&it, names_of (names));
  while (json_object_iter_next (&it, &name, &v))
    g_hash_table_insert (t, g_strdup (name), g_strdup (json_node_get_string (v)));
  return t;
}

/* podman's order for a short name among local images: localhost first,
 * then docker.io, then any other registry's "…/NAME:TAG". */
static const char *
resolve_short_name (GHashTable *names, const char *short_tagged)
{
  g_autofree char *local = g_strconcat ("localhost/", short_tagged, NULL);
  g_autofree char *hub = g_strconcat ("docker.io/", strchr (short_tagged, '/') ? "" : "library/",
                                      short_tagged, NULL);
  g_autofree char *suffix = g_strconcat ("/", short_tagged, NULL);
  if (g_hash_table_contains (names, local))
    return g_hash_table_lookup (names, local);
  if (g_hash_table_contains (names, hub))
    return g_hash_table_lookup (names, hub);
  g_autoptr (GList) keys
      = g_list_sort (g_hash_table_get_keys (names), (GCompareFunc)(void *)strcmp);
  for (GList *l = keys; l; l = l->next)
    if (g_str_has_suffix (l->data, suffix))
      return g_hash_table_lookup (names, l->data);
  return NULL;
}

static char *
resolve_id (Store *s, GHashTable *names, const char *ref, GError **error)
{
  const char *at = strstr (ref, "@sha256:");
  g_autoptr (GPtrArray) ids = NULL; /* listed only when a name did not match */

  if (at)
    {
      ids = list_ids (s, NULL);
      /* name@digest: the manifest digest decides */
      for (guint i = 0; i < ids->len; i++)
        {
          g_autofree char *dir = sub (s, "images", ids->pdata[i]);
          g_autofree char *path = g_build_filename (dir, "image.json", NULL);
          g_autoptr (JsonNode) rec = read_json_file (path, NULL);
          if (rec && JSON_NODE_HOLDS_OBJECT (rec) && !record_pending (s, json_node_get_object (rec))
              && g_strcmp0 (json_object_get_string_member_with_default (json_node_get_object (rec),
                                                                        "manifest", ""),
                            at + 1)
                     == 0)
            return g_strdup (ids->pdata[i]);
        }
    }
  else
    {
      g_autofree char *full = store_normalize_name (ref, NULL);
      if (full && g_hash_table_contains (names, full))
        return g_strdup (g_hash_table_lookup (names, full));
      const char *slash = strchr (ref, '/');
      gboolean has_domain = full && slash && strncmp (full, ref, strlen (ref) - strlen (slash)) == 0
                            && !g_str_has_prefix (full, "localhost/");
      if (full && !has_domain && !g_str_has_prefix (ref, "localhost/"))
        {
          const char *short_tagged = full + strlen ("localhost/");
          const char *id = resolve_short_name (names, short_tagged);
          if (id)
            return g_strdup (id);
        }
    }

  const char *hex = g_str_has_prefix (ref, "sha256:") ? ref + 7 : ref;
  gsize n = strlen (hex);
  gboolean is_hex = n > 0 && n <= 64 && strspn (hex, "0123456789abcdef") == n;
  if (is_hex && !at)
    {
      const char *found = NULL;
      ids = list_ids (s, NULL);
      for (guint i = 0; i < ids->len; i++)
        if (strncmp (ids->pdata[i], hex, n) == 0)
          {
            if (found)
              {
                g_set_error (error, STORE_ERROR, STORE_ERROR_AMBIGUOUS,
                             "%s: image id prefix matches more than one image", ref);
                return NULL;
              }
            found = ids->pdata[i];
          }
      if (found)
        return g_strdup (found);
    }
  g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "%s: image not known", ref);
  return NULL;
}

/* @found, or with @error's "<id>: image not known" (removed since its name
 * was resolved) saying the name it was asked by. */
static gpointer
named_as_asked (gpointer found, const char *name_or_id, GError **error)
{
  if (!found && error && g_error_matches (*error, STORE_ERROR, STORE_ERROR_NOT_FOUND))
    {
      g_clear_error (error);
      g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "%s: image not known", name_or_id);
    }
  return found;
}

StoreImage *
store_lookup_image (Store *s, const char *name_or_id, GError **error)
{
  g_autoptr (JsonNode) names = read_names (s, error);
  if (names == NULL)
    return NULL;
  g_autoptr (GHashTable) table = names_table (names);
  g_autofree char *id = resolve_id (s, table, name_or_id, error);
  return id ? named_as_asked (load_image (s, id, names, error), name_or_id, error) : NULL;
}

gboolean
store_tag_image (Store *s, const char *name_or_id, const char *new_name, GError **error)
{
  g_autofree char *full = store_normalize_name (new_name, error);
  if (full == NULL || !store_lock (s, error))
    return FALSE;
  g_autoptr (JsonNode) names = read_names (s, error);
  g_autoptr (GHashTable) table = names ? names_table (names) : NULL;
  g_autofree char *id = names ? resolve_id (s, table, name_or_id, error) : NULL;
  gboolean ok = id != NULL;
  if (ok)
    {
      json_object_set_string_member (names_of (names), full, id);
      const char *added[] = { full, NULL };
      note_names_history (names, id, added);
      ok = write_names (s, names, error);
    }
  store_unlock (s);
  return ok;
}

gboolean
store_untag_image (Store *s, const char *name, GError **error)
{
  g_autofree char *full = store_normalize_name (name, error);
  if (full == NULL || !store_lock (s, error))
    return FALSE;
  g_autoptr (JsonNode) names = read_names (s, error);
  gboolean ok = names != NULL;
  if (ok && !json_object_has_member (names_of (names), full))
    {
      g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "%s: tag not known", name);
      ok = FALSE;
    }
  if (ok)
    {
      g_autofree char *id = g_strdup (json_object_get_string_member (names_of (names), full));
      json_object_remove_member (names_of (names), full);
      if (id)
        note_names_history (names, id, NULL);
      ok = write_names (s, names, error);
    }
  store_unlock (s);
  return ok;
}

/* ---- what run reads: from caches without JSON (store.h) ---- */

#define NAMES_CACHE_VERSION "podunit-names-cache-1"
#define NAMES_CACHE_TYPE "(sttta{ss})"
#define RUN_CACHE_VERSION "podunit-run-cache-3"

static guint64
mtime_ns (const struct stat *st)
{
  return (guint64)st->st_mtim.tv_sec * G_GUINT64_CONSTANT (1000000000) + st->st_mtim.tv_nsec;
}

/* A cache file as a GVariant of @type (untrusted: GVariant checks it as it
 * reads), NULL when missing. */
static GVariant *
read_cache (const char *path, const char *type)
{
  char *data = NULL;
  gsize len;
  if (!g_file_get_contents (path, &data, &len, NULL))
    return NULL;
  return g_variant_ref_sink (
      g_variant_new_from_data (G_VARIANT_TYPE (type), data, len, FALSE, g_free, data));
}

/* Best effort: a reader that cannot write (a read-only store) just parses
 * the JSON every time. */
static void
write_cache (const char *path, GVariant *v)
{
  g_autoptr (GVariant) sunk = g_variant_ref_sink (v);
  g_autoptr (GBytes) bytes = g_variant_get_data_as_bytes (sunk);
  (void) write_file_atomic (AT_FDCWD, path, g_bytes_get_data (bytes, NULL),
                            g_bytes_get_size (bytes), 0644, WRITE_DURABLE);
}

/* ROOT/names.cache: names.json's table with the inode, size and mtime of
 * the names.json it was made from; any write of names.json (a rename)
 * changes those, and the next reader makes it again. */
static GHashTable *
read_names_table (Store *s, GError **error)
{
  g_autofree char *path = g_build_filename (s->root, "names.json", NULL);
  g_autofree char *cpath = g_build_filename (s->root, "names.cache", NULL);
  g_autoptr (GVariant) cache = NULL;
  g_autoptr (JsonNode) names = NULL;
  g_autofree char *data = NULL;
  struct stat st;
  gsize len = 0;

  if (stat (path, &st) < 0)
    return g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free); /* as read_names */
  cache = read_cache (cpath, NAMES_CACHE_TYPE);
  if (cache)
    {
      const char *version;
      guint64 ino, size, mtime;
      g_autoptr (GVariantIter) it = NULL;
      g_variant_get (cache, "(&sttta{ss})", &version, &ino, &size, &mtime, &it);
      if (g_str_equal (version, NAMES_CACHE_VERSION) && ino == st.st_ino
          && size == (guint64)st.st_size && mtime == mtime_ns (&st))
        {
          GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
          char *k, *v;
          while (g_variant_iter_next (it, "{ss}", &k, &v))
            g_hash_table_insert (t, k, v);
          return t;
        }
    }

  /* The stat recorded must be the file parsed: read it through one fd. */
  {
    autofd int fd = open (path, O_RDONLY | O_CLOEXEC);
    g_autoptr (GError) local = NULL;
    g_autoptr (GIOChannel) ch = NULL;
    if (fd < 0 || fstat (fd, &st) < 0)
      {
        errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot read %s", path);
        return NULL;
      }
    ch = g_io_channel_unix_new (fd);
    g_io_channel_set_encoding (ch, NULL, NULL);
    if (g_io_channel_read_to_end (ch, &data, &len, &local) != G_IO_STATUS_NORMAL)
      {
        g_set_error (error, STORE_ERROR, STORE_ERROR_IO, "%s", local->message);
        return NULL;
      }
  }
  names = parse_json (data, len, path, error);
  if (names == NULL)
    return NULL;
  if (!json_object_has_member (json_node_get_object (names), "names"))
    json_object_set_object_member (json_node_get_object (names), "names", json_object_new ());
  GHashTable *t = names_table (names);
  {
    GVariantBuilder b;
    GHashTableIter it;
    gpointer k, v;
    gboolean complete = TRUE;
    g_variant_builder_init (&b, G_VARIANT_TYPE ("a{ss}"));
    g_hash_table_iter_init (&it, t);
    while (g_hash_table_iter_next (&it, &k, &v))
      if (v && g_utf8_validate (k, -1, NULL) && g_utf8_validate (v, -1, NULL))
        g_variant_builder_add (&b, "{ss}", k, v);
      else
        complete = FALSE; /* not a GVariant string: no cache */
    if (complete)
      write_cache (cpath, g_variant_new (NAMES_CACHE_TYPE, NAMES_CACHE_VERSION, (guint64)st.st_ino,
                                         (guint64)st.st_size, mtime_ns (&st), &b));
    else
      g_variant_builder_clear (&b);
  }
  return t;
}

void
store_run_image_free (StoreRunImage *r)
{
  if (r == NULL)
    return;
  g_free (r->id);
  g_strfreev (r->layer_dirs);
  g_strfreev (r->env);
  g_strfreev (r->entrypoint);
  g_strfreev (r->cmd);
  g_free (r->working_dir);
  g_free (r->user);
  g_free (r->stop_signal);
  g_strfreev (r->labels);
  g_strfreev (r->exposed_ports);
  g_free (r);
}

/* A string array member as run takes it: NULL when missing or not an
 * array; a non-string element ends it. */
static char **
config_strv (JsonObject *o, const char *member)
{
  JsonNode *n = json_object_get_member (o, member);
  JsonArray *a;
  GPtrArray *out;
  if (!n || !JSON_NODE_HOLDS_ARRAY (n))
    return NULL;
  a = json_node_get_array (n);
  out = g_ptr_array_new ();
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *en = json_array_get_element (a, i);
      const char *e = JSON_NODE_HOLDS_VALUE (en) ? json_node_get_string (en) : NULL;
      if (e == NULL)
        break;
      g_ptr_array_add (out, g_strdup (e));
    }
  g_ptr_array_add (out, NULL);
  return (char **)g_ptr_array_free (out, FALSE);
}

/* The member names of an object member ("ExposedPorts": {"80/tcp": {}}),
 * sorted; empty when missing or not an object. */
static char **
config_keys (JsonObject *o, const char *member)
{
  JsonNode *n = json_object_get_member (o, member);
  GPtrArray *out = g_ptr_array_new ();
  if (n && JSON_NODE_HOLDS_OBJECT (n))
    {
      JsonObjectIter it;
      const char *k;
      JsonNode *v;
      json_object_iter_init (&it, json_node_get_object (n));
      while (json_object_iter_next (&it, &k, &v))
        g_ptr_array_add (out, g_strdup (k));
      g_ptr_array_sort (out, name_compare);
    }
  g_ptr_array_add (out, NULL);
  return (char **)g_ptr_array_free (out, FALSE);
}

/* A string member; NULL when missing or not a string (json-glib's
 * get_string_member warns on an object or array). */
static char *
config_string (JsonObject *o, const char *member)
{
  JsonNode *n = json_object_get_member (o, member);
  return n && JSON_NODE_HOLDS_VALUE (n) ? g_strdup (json_node_get_string (n)) : NULL;
}

static char **
layer_dirs_of (Store *s, char **hexes)
{
  guint n = g_strv_length (hexes);
  char **dirs = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *ldir = layer_path (s, hexes[i]);
      dirs[i] = g_build_filename (ldir, "diff", NULL);
    }
  return dirs;
}

static gboolean
strv_is_utf8 (char **v)
{
  for (; v && *v; v++)
    if (!g_utf8_validate (*v, -1, NULL))
      return FALSE;
  return TRUE;
}

void
store_run_image_from_config (JsonObject *cfg, StoreRunImage *r)
{
  GPtrArray *labels = g_ptr_array_new ();
  JsonNode *ln = json_object_get_member (cfg, "Labels");

  r->env = config_strv (cfg, "Env");
  r->entrypoint = config_strv (cfg, "Entrypoint");
  r->cmd = config_strv (cfg, "Cmd");
  r->working_dir = config_string (cfg, "WorkingDir");
  r->user = config_string (cfg, "User");
  r->has_stop_signal = json_object_has_member (cfg, "StopSignal");
  r->stop_signal = config_string (cfg, "StopSignal");
  if (ln && JSON_NODE_HOLDS_OBJECT (ln))
    {
      JsonObjectIter it;
      const char *k;
      JsonNode *vn;
      json_object_iter_init (&it, json_node_get_object (ln));
      while (json_object_iter_next (&it, &k, &vn))
        if (JSON_NODE_HOLDS_VALUE (vn))
          g_ptr_array_add (labels, g_strconcat (k, "=", json_node_get_string (vn), NULL));
    }
  g_ptr_array_add (labels, NULL);
  r->labels = (char **) g_ptr_array_free (labels, FALSE);
  r->exposed_ports = config_keys (cfg, "ExposedPorts");
}

gboolean
store_run_image_cacheable (const StoreRunImage *r)
{
  return strv_is_utf8 (r->env) && strv_is_utf8 (r->entrypoint) && strv_is_utf8 (r->cmd)
         && (!r->working_dir || g_utf8_validate (r->working_dir, -1, NULL))
         && (!r->user || g_utf8_validate (r->user, -1, NULL))
         && (!r->stop_signal || g_utf8_validate (r->stop_signal, -1, NULL))
         && strv_is_utf8 (r->labels) && strv_is_utf8 (r->exposed_ports);
}

/* The run cache's fields: the image config's names, absent when the
 * config has none; "StopSignal" is a maybe string, since a config can name
 * the key with a null value. */
gboolean
store_run_image_from_cache (GVariant *cache, const char *id, StoreRunImage *r, char ***hexes)
{
  g_autoptr (GVariantDict) d = g_variant_dict_new (cache);
  const char *version, *cid;
  GVariant *stop;

  if (!g_variant_dict_lookup (d, "version", "&s", &version)
      || !g_str_equal (version, RUN_CACHE_VERSION) || !g_variant_dict_lookup (d, "id", "&s", &cid)
      || !g_str_equal (cid, id) || !g_variant_dict_lookup (d, "layers", "^as", hexes))
    return FALSE;
  for (char **h = *hexes; *h; h++)
    if (!digest_is_hex (*h))
      return FALSE;
  g_variant_dict_lookup (d, "Env", "^as", &r->env);
  g_variant_dict_lookup (d, "Entrypoint", "^as", &r->entrypoint);
  g_variant_dict_lookup (d, "Cmd", "^as", &r->cmd);
  g_variant_dict_lookup (d, "WorkingDir", "s", &r->working_dir);
  g_variant_dict_lookup (d, "User", "s", &r->user);
  if (!g_variant_dict_lookup (d, "Labels", "^as", &r->labels))
    r->labels = g_new0 (char *, 1);
  if (!g_variant_dict_lookup (d, "ExposedPorts", "^as", &r->exposed_ports))
    r->exposed_ports = g_new0 (char *, 1);
  stop = g_variant_dict_lookup_value (d, "StopSignal", G_VARIANT_TYPE ("ms"));
  if (stop)
    {
      r->has_stop_signal = TRUE;
      g_variant_get (stop, "ms", &r->stop_signal);
      g_variant_unref (stop);
    }
  return TRUE;
}

GVariant *
store_run_image_to_cache (const StoreRunImage *r, const char *id, char **hexes)
{
  GVariantDict d;

  g_variant_dict_init (&d, NULL);
  g_variant_dict_insert (&d, "version", "s", RUN_CACHE_VERSION);
  g_variant_dict_insert (&d, "id", "s", id);
  g_variant_dict_insert (&d, "layers", "^as", hexes);
  if (r->env)
    g_variant_dict_insert (&d, "Env", "^as", r->env);
  if (r->entrypoint)
    g_variant_dict_insert (&d, "Entrypoint", "^as", r->entrypoint);
  if (r->cmd)
    g_variant_dict_insert (&d, "Cmd", "^as", r->cmd);
  if (r->working_dir)
    g_variant_dict_insert (&d, "WorkingDir", "s", r->working_dir);
  if (r->user)
    g_variant_dict_insert (&d, "User", "s", r->user);
  if (r->has_stop_signal)
    g_variant_dict_insert (&d, "StopSignal", "ms", r->stop_signal);
  g_variant_dict_insert (&d, "Labels", "^as", r->labels);
  g_variant_dict_insert (&d, "ExposedPorts", "^as", r->exposed_ports);
  return g_variant_dict_end (&d);
}

/* ROOT/images/<id>/run.cache: an image record never changes, so neither
 * does what run takes from it; made by the first run of the image. A
 * GVariant a{sv} named like the image config's fields. */
static StoreRunImage *
load_run_image (Store *s, const char *id, GError **error)
{
  g_autofree char *dir = sub (s, "images", id);
  g_autofree char *cpath = g_build_filename (dir, "run.cache", NULL);
  g_autoptr (GVariant) cache = read_cache (cpath, "a{sv}");
  g_autoptr (StoreRunImage) r = g_new0 (StoreRunImage, 1);
  g_auto (GStrv) hexes = NULL;

  r->id = g_strdup (id);
  if (cache)
    {
      if (store_run_image_from_cache (cache, id, r, &hexes))
        {
          r->layer_dirs = layer_dirs_of (s, hexes);
          return g_steal_pointer (&r);
        }
      store_run_image_free (g_steal_pointer (&r));
      g_clear_pointer (&hexes, g_strfreev);
      r = g_new0 (StoreRunImage, 1);
      r->id = g_strdup (id);
    }

  {
    g_autoptr (StoreImage) img = load_image (s, id, NULL, error);
    if (img == NULL)
      return NULL;
    store_run_image_from_config (img->config, r);
    r->layer_dirs = g_strdupv (img->layer_dirs);
    hexes = g_new0 (char *, g_strv_length (img->diff_ids) + 1);
    for (guint i = 0; img->diff_ids[i]; i++)
      hexes[i] = g_strdup (img->diff_ids[i] + strlen ("sha256:"));
  }
  /* Under the store lock, so that it cannot land in a record being removed. */
  if (store_run_image_cacheable (r) && store_lock (s, NULL))
    {
      g_autofree char *rec = g_build_filename (dir, "image.json", NULL);
      if (g_file_test (rec, G_FILE_TEST_IS_REGULAR))
        write_cache (cpath, store_run_image_to_cache (r, id, hexes));
      store_unlock (s);
    }
  return g_steal_pointer (&r);
}

StoreRunImage *
store_lookup_run_image (Store *s, const char *name_or_id, GError **error)
{
  g_autoptr (GHashTable) names = read_names_table (s, error);
  g_autofree char *id = names ? resolve_id (s, names, name_or_id, error) : NULL;
  return id ? named_as_asked (load_run_image (s, id, error), name_or_id, error) : NULL;
}

/* ---- garbage collection ---- */

static void
add_digest (GHashTable *set, const char *digest)
{
  const char *hex = digest_hex (digest, "", NULL);
  if (hex)
    g_hash_table_add (set, g_strdup (hex));
}

/* Removes layers, blobs and abandoned staging dirs no image refers to. */
static gboolean
collect_garbage (Store *s, GError **error)
{
  g_autoptr (GHashTable) blobs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) layers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  /* Records of a killed commit (record_pending) go first, while their
   * marker is still there: ROOT/tmp, where it is, is the last pass. */
  {
    g_autoptr (GPtrArray) ids = list_ids (s, NULL);
    g_autoptr (JsonNode) names = NULL;
    for (guint i = 0; i < ids->len; i++)
      {
        g_autofree char *dir = sub (s, "images", ids->pdata[i]);
        g_autofree char *path = g_build_filename (dir, "image.json", NULL);
        g_autoptr (JsonNode) rec = read_json_file (path, NULL);
        g_autofree char *dead = NULL;
        if (rec == NULL || !JSON_NODE_HOLDS_OBJECT (rec)
            || !record_pending (s, json_node_get_object (rec)))
          continue;
        dead = g_strdup_printf ("%s/tmp/rmi-%s", s->root, (char *) ids->pdata[i]);
        if (rename (dir, dead) < 0)
          return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot remove %s", dir);
        /* Killed after writing its names: they name nothing now. */
        if (names == NULL && (names = read_names (s, error)) == NULL)
          return FALSE;
        g_auto (GStrv) gone = names_for_id (names, ids->pdata[i]);
        for (char **n = gone; *n; n++)
          json_object_remove_member (names_of (names), *n);
        if (*gone && !write_names (s, names, error))
          return FALSE;
      }
  }
  g_autoptr (GPtrArray) images = store_list_images (s, error);
  if (images == NULL)
    return FALSE;
  for (guint i = 0; i < images->len; i++)
    {
      StoreImage *img = images->pdata[i];
      g_hash_table_add (blobs, g_strdup (img->id));
      add_digest (blobs, img->digest);
      for (char **d = img->diff_ids; *d; d++)
        add_digest (layers, *d);
      JsonObject *m = json_node_get_object (img->manifest);
      JsonArray *ls = json_object_has_member (m, "layers")
                          ? json_object_get_array_member (m, "layers")
                          : NULL;
      for (guint j = 0; ls && j < json_array_get_length (ls); j++)
        add_digest (blobs, json_object_get_string_member_with_default (
                               json_array_get_object_element (ls, j), "digest", ""));
    }

  /* Layers a live transaction reuses (txn_pin_layer) stay, with their blob. */
  {
    g_autofree char *tmp = g_build_filename (s->root, "tmp", NULL);
    g_autoptr (GDir) d = g_dir_open (tmp, 0, NULL);
    const char *name;
    while (d && (name = g_dir_read_name (d)) != NULL)
      {
        g_autofree char *txn = g_build_filename (tmp, name, NULL);
        g_autofree char *pins = g_build_filename (txn, "pins", NULL);
        autofd int fd = open (txn, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        g_autoptr (GDir) pd = NULL;
        const char *hex;
        if (fd < 0 || flock (fd, LOCK_EX | LOCK_NB) == 0 || !(pd = g_dir_open (pins, 0, NULL)))
          continue;
        while ((hex = g_dir_read_name (pd)) != NULL)
          {
            g_autofree char *did = g_strconcat ("sha256:", hex, NULL);
            g_autofree char *blob = NULL;
            g_hash_table_add (layers, g_strdup (hex));
            if (store_layer_info (s, did, &blob, NULL, NULL, NULL))
              g_hash_table_add (blobs, g_steal_pointer (&blob));
          }
      }
  }

  static const char *const kinds[] = { "layers", "blobs/sha256", "tmp" };
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autofree char *dir = g_build_filename (s->root, kinds[k], NULL);
      g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
      const char *name;
      autofd int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      while (d && dfd >= 0 && (name = g_dir_read_name (d)) != NULL)
        {
          if (k == 0 && g_hash_table_contains (layers, name))
            continue;
          if (k == 1 && g_hash_table_contains (blobs, name))
            continue;
          if (k == 2)
            {
              /* A live transaction holds a lock on its staging dir. */
              autofd int fd
                  = openat (dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
              if (fd >= 0 && flock (fd, LOCK_EX | LOCK_NB) < 0)
                continue;
            }
          if (!fs_rm_rf_at (dfd, name, error))
            return FALSE;
        }
    }
  return TRUE;
}

gboolean
store_remove_image (Store *s, const char *id, GError **error)
{
  if (!store_lock (s, error))
    return FALSE;
  g_autofree char *idir = sub (s, "images", id);
  if (access (idir, F_OK) < 0 && errno == ENOENT)
    {
      /* Removed by another process since the caller looked it up. */
      g_set_error (error, STORE_ERROR, STORE_ERROR_NOT_FOUND, "%s: image not known", id);
      store_unlock (s);
      return FALSE;
    }
  g_autoptr (JsonNode) names = read_names (s, error);
  gboolean ok = names != NULL;
  if (ok)
    {
      g_auto (GStrv) mine = names_for_id (names, id);
      JsonObject *history = history_of (names);
      gboolean had_history = json_object_has_member (history, id);
      for (char **n = mine; *n; n++)
        json_object_remove_member (names_of (names), *n);
      if (had_history)
        json_object_remove_member (history, id);
      ok = (!*mine && !had_history) || write_names (s, names, error);
    }
  g_autofree char *dir = sub (s, "images", id);
  g_autofree char *dead = g_strdup_printf ("%s/tmp/rmi-%s", s->root, id);
  if (ok && rename (dir, dead) < 0)
    ok = errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot remove %s", dir);
  /* The renamed record is left for garbage collection to remove last
   * (ROOT/tmp is its last pass): killed before that, it is the debris
   * that makes the next transaction collect again (sweep_dead_staging). */
  ok = ok && collect_garbage (s, error);
  store_unlock (s);
  return ok;
}

gboolean
store_prune_unused (Store *s, GError **error)
{
  if (!store_lock (s, error))
    return FALSE;
  gboolean ok = collect_garbage (s, error);
  store_unlock (s);
  return ok;
}

/* ---- the mountpoints layer ---- */

static gboolean
build_mountpoints (const char *dir, GError **error)
{
  static const char *const dirs[] = { "dev", "proc", "sys", "etc" };
  static const char *const files[] = { "etc/hosts", "etc/hostname", "etc/resolv.conf" };
  autofd int dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot open %s", dir);
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    if (mkdirat (dfd, dirs[i], 0755) < 0 || fchmodat (dfd, dirs[i], 0755, 0) < 0)
      return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot create %s", dirs[i]);
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      autofd int fd = openat (dfd, files[i], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
      if (fd < 0 || fchmod (fd, 0644) < 0 || fsync (fd) < 0)
        return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot create %s",
                            files[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      autofd int fd = openat (dfd, dirs[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0 || fsync (fd) < 0)
        return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot sync %s", dirs[i]);
    }
  if (fchmod (dfd, 0755) < 0 || fsync (dfd) < 0)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot sync %s", dir);
  return TRUE;
}

char *
store_mountpoints_layer (const char *root, const char *runroot, GError **error)
{
  g_autofree char *path = g_build_filename (root, "mountpoints", NULL);
  g_autoptr (Store) s = NULL;
  struct stat st;

  if (stat (path, &st) == 0 && S_ISDIR (st.st_mode))
    return g_steal_pointer (&path);
  s = store_open (root, runroot, error);
  if (s == NULL || !store_lock (s, error))
    return NULL;
  /* Another podunit may have made it while we waited for the lock. */
  if (stat (path, &st) < 0 || !S_ISDIR (st.st_mode))
    {
      g_autofree char *tmp = g_build_filename (s->root, "tmp", "mountpoints-XXXXXX", NULL);
      gboolean ok = g_mkdtemp_full (tmp, 0755) != NULL;
      if (!ok)
        errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot create %s", tmp);
      ok = ok && build_mountpoints (tmp, error);
      if (ok && rename (tmp, path) < 0)
        ok = errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot create %s", path);
      ok = ok && fs_fsync_dir (s->root, error);
      if (!ok)
        {
          fs_rm_rf (tmp, NULL);
          store_unlock (s);
          return NULL;
        }
    }
  store_unlock (s);
  return g_steal_pointer (&path);
}

/* ---- transactions ---- */

static void
pending_image_free (PendingImage *p)
{
  g_free (p->id);
  g_free (p->manifest_hex);
  g_free (p->config_hex);
  g_strfreev (p->names);
  g_ptr_array_unref (p->diff_ids);
  g_ptr_array_unref (p->blobs);
  g_free (p);
}

/* What a killed load, pull, commit or rmi leaves: an entry of ROOT/tmp
 * nobody holds (a live transaction flocks its staging dir; rmi's and the
 * mountpoints' are made and removed under the store lock), and maybe
 * layers and blobs it had moved into the store before its image record.
 * Seen before a new transaction, garbage collection removes both. */
static gboolean
sweep_dead_staging (Store *s, GError **error)
{
  g_autofree char *tmp = g_build_filename (s->root, "tmp", NULL);
  g_autoptr (GDir) d = g_dir_open (tmp, 0, NULL);
  const char *name;
  gboolean dead = FALSE;
  while (!dead && d && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp, name, NULL);
      autofd int fd = open (path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      dead = fd < 0 ? errno != ENOENT : flock (fd, LOCK_EX | LOCK_NB) == 0;
    }
  return !dead || store_prune_unused (s, error);
}

StoreTxn *
store_txn_begin (Store *s, GError **error)
{
  g_autofree char *tmpl = NULL;
  autofd int dir_fd = -1;
  if (!sweep_dead_staging (s, error))
    return NULL;
  /* Garbage collection removes unlocked dirs in tmp/: one may go between
   * mkdtemp and flock here. Once locked, a dir still linked is ours. */
  for (int tries = 0;; tries++)
    {
      struct stat st;
      g_free (tmpl);
      tmpl = g_build_filename (s->root, "tmp", "txn-XXXXXX", NULL);
      if (g_mkdtemp (tmpl) == NULL)
        {
          errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot create %s", tmpl);
          return NULL;
        }
      dir_fd = open (tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (dir_fd >= 0 && flock (dir_fd, LOCK_EX) == 0 && fstat (dir_fd, &st) == 0
          && st.st_nlink > 0)
        break;
      if (dir_fd >= 0)
        close (dir_fd);
      dir_fd = -1;
      if (tries == 100)
        {
          errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno ? errno : ENOENT,
                       "cannot create %s", tmpl);
          return NULL;
        }
    }
  StoreTxn *t = g_new0 (StoreTxn, 1);
  t->s = s;
  t->dir = g_steal_pointer (&tmpl);
  t->dir_fd = dir_fd;
  dir_fd = -1;
  t->blobs = g_ptr_array_new_with_free_func (g_free);
  t->layers = g_ptr_array_new_with_free_func (g_free);
  t->layer_blobs = g_ptr_array_new_with_free_func (g_free);
  t->images = g_ptr_array_new_with_free_func ((GDestroyNotify)pending_image_free);
  g_mutex_init (&t->lock);
  g_autofree char *b = g_build_filename (t->dir, "blobs", NULL);
  g_autofree char *l = g_build_filename (t->dir, "layers", NULL);
  g_autofree char *p = g_build_filename (t->dir, "pins", NULL);
  if (mkdir (b, 0700) < 0 || mkdir (l, 0700) < 0 || mkdir (p, 0700) < 0)
    {
      errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot create %s", b);
      store_txn_free (t);
      return NULL;
    }
  return t;
}

void
store_txn_free (StoreTxn *t)
{
  if (t == NULL)
    return;
  fs_rm_rf (t->dir, NULL);
  if (t->dir_fd >= 0)
    close (t->dir_fd);
  g_free (t->dir);
  g_ptr_array_unref (t->blobs);
  g_ptr_array_unref (t->layers);
  g_ptr_array_unref (t->layer_blobs);
  g_ptr_array_unref (t->images);
  g_mutex_clear (&t->lock);
  g_free (t);
}

static gboolean
str_in (GPtrArray *a, const char *s)
{
  for (guint i = 0; i < a->len; i++)
    if (strcmp (a->pdata[i], s) == 0)
      return TRUE;
  return FALSE;
}

char *
store_txn_new_temp (StoreTxn *t, int *fd, GError **error)
{
  char *path = g_build_filename (t->dir, "part-XXXXXX", NULL);
  *fd = g_mkstemp_full (path, O_RDWR | O_CLOEXEC, 0600);
  if (*fd < 0)
    {
      errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot create %s", path);
      g_free (path);
      return NULL;
    }
  return path;
}

gboolean
store_txn_adopt_blob (StoreTxn *t, const char *path, const char *hex, const char *expected_hex,
                      const char *what, GError **error)
{
  if (expected_hex && strcmp (hex, expected_hex) != 0)
    {
      unlink (path);
      g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                   "%s: digest mismatch: expected sha256:%s, content is sha256:%s", what,
                   expected_hex, hex);
      return FALSE;
    }
  g_autofree char *dest = g_build_filename (t->dir, "blobs", hex, NULL);
  if (rename (path, dest) < 0)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot rename %s", path);
  g_mutex_lock (&t->lock);
  if (!str_in (t->blobs, hex))
    g_ptr_array_add (t->blobs, g_strdup (hex));
  g_mutex_unlock (&t->lock);
  return TRUE;
}

char *
store_txn_add_blob_data (StoreTxn *t, const void *data, gsize len, GError **error)
{
  g_autofree char *hex = sha256_hex_of (data, len);
  g_autofree char *path = g_build_filename (t->dir, "blobs", hex, NULL);
  if (write_file_atomic (AT_FDCWD, path, data, len, 0644, 0) < 0)
    {
      errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot write %s", path);
      return NULL;
    }
  if (!str_in (t->blobs, hex))
    g_ptr_array_add (t->blobs, g_strdup (hex));
  return g_steal_pointer (&hex);
}

static char *
txn_blob_path (StoreTxn *t, const char *hex)
{
  char *staged = g_build_filename (t->dir, "blobs", hex, NULL);
  if (g_file_test (staged, G_FILE_TEST_EXISTS))
    return staged;
  g_free (staged);
  return store_blob_path (t->s, hex);
}

int
store_txn_open_blob (StoreTxn *t, const char *hex, GError **error)
{
  g_autofree char *path = txn_blob_path (t, hex);
  int fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "blob sha256:%s is missing", hex);
  return fd;
}

char *
store_txn_read_blob (StoreTxn *t, const char *hex, gsize *len, GError **error)
{
  g_autofree char *path = txn_blob_path (t, hex);
  return read_blob_file (path, hex, len, error);
}

static gboolean
check_diff_id (const char *what, const char *want, const char *got, GError **error)
{
  if (strcmp (got, want) == 0)
    return TRUE;
  g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
               "%s: diff id mismatch: the image config says sha256:%s, the content is sha256:%s",
               what, want, got);
  return FALSE;
}

/* TRUE when layer HEX is stored; it is then pinned for this transaction:
 * garbage collection (an rmi of the last other image using it) keeps a
 * layer named in a live transaction's pins/ dir. Looked at and pinned
 * under the store lock, which collection holds throughout, so the layer
 * is either gone before (and unpacked again by the caller) or kept. */
static gboolean
txn_pin_layer (StoreTxn *t, const char *hex)
{
  g_autofree char *stored = layer_path (t->s, hex);
  g_autofree char *pin = g_build_filename (t->dir, "pins", hex, NULL);
  gboolean have = FALSE;
  g_mutex_lock (&t->lock); /* pull's threads: one store_lock depth counter */
  if (store_lock (t->s, NULL))
    {
      have = g_file_test (stored, G_FILE_TEST_IS_DIR)
             && (g_file_test (pin, G_FILE_TEST_EXISTS)
                 || g_file_set_contents (pin, "", 0, NULL));
      store_unlock (t->s);
    }
  g_mutex_unlock (&t->lock);
  return have;
}

gboolean
store_txn_has_layer (StoreTxn *t, const char *diff_id_hex)
{
  g_mutex_lock (&t->lock);
  gboolean staged = str_in (t->layers, diff_id_hex);
  g_mutex_unlock (&t->lock);
  return staged || txn_pin_layer (t, diff_id_hex);
}

gboolean
store_txn_add_layer (StoreTxn *t, const char *blob_hex, const char *media_type,
                     const char *diff_id_hex, GError **error)
{
  g_autofree char *what = g_strconcat ("layer sha256:", blob_hex, NULL);
  g_autofree char *got = NULL;
  if (store_txn_has_layer (t, diff_id_hex))
    {
      /* Unpacked already; still, a blob the store keeps (save exports it)
       * must hold that layer, unless it is the very blob unpacked then. */
      g_autofree char *known = NULL;
      g_autofree char *did = g_strconcat ("sha256:", diff_id_hex, NULL);
      if (store_layer_info (t->s, did, &known, NULL, NULL, NULL) && strcmp (known, blob_hex) == 0)
        return TRUE;
      autofd int bfd = store_txn_open_blob (t, blob_hex, error);
      if (bfd < 0 || !layer_digest (bfd, what, &got, NULL, error))
        return FALSE;
      return check_diff_id (what, diff_id_hex, got, error);
    }

  autofd int fd = store_txn_open_blob (t, blob_hex, error);
  if (fd < 0)
    return FALSE;
  struct stat st;
  g_autofree char *blob = txn_blob_path (t, blob_hex);
  return store_txn_unpack_layer (t, fd, blob_hex, stat (blob, &st) == 0 ? st.st_size : 0,
                                 media_type, diff_id_hex, error);
}

gboolean
store_txn_unpack_layer (StoreTxn *t, int fd, const char *blob_hex, guint64 blob_size,
                        const char *media_type, const char *diff_id_hex, GError **error)
{
  g_autofree char *what = g_strconcat ("layer sha256:", blob_hex, NULL);
  g_autofree char *got = NULL;
  g_autofree char *tmp = g_build_filename (t->dir, "layers", "unpack-XXXXXX", NULL);
  if (g_mkdtemp (tmp) == NULL)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot create %s", tmp);
  g_autofree char *diff = g_build_filename (tmp, "diff", NULL);
  /* A layer's root is 0555 unless its archive has a "./" entry (as
   * containers/storage makes it: what RPM's filesystem package expects of
   * /); container_create_record gives the container's root the mode of the
   * top layer that says otherwise. mkdir's mode is masked by the umask. */
  if (mkdir (diff, 0555) < 0 || chmod (diff, 0555) < 0)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot create %s", diff);
  guint64 size = 0;
  /* store_txn_commit syncs once for every staged layer and blob. */
  LayerFlags flags = LAYER_NO_SYNC | (t->s->rootless ? LAYER_OCI_WHITEOUTS : 0);
  if (!layer_unpack (fd, diff, flags, what, &got, &size, error))
    return FALSE;
  if (!check_diff_id (what, diff_id_hex, got, error))
    return FALSE;
  g_autoptr (JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "diff_id");
  g_autofree char *did = g_strconcat ("sha256:", diff_id_hex, NULL);
  json_builder_add_string_value (b, did);
  json_builder_set_member_name (b, "compressed_digest");
  g_autofree char *cd = g_strconcat ("sha256:", blob_hex, NULL);
  json_builder_add_string_value (b, cd);
  json_builder_set_member_name (b, "compressed_size");
  json_builder_add_int_value (b, blob_size);
  json_builder_set_member_name (b, "media_type");
  json_builder_add_string_value (b, media_type);
  json_builder_set_member_name (b, "size");
  json_builder_add_int_value (b, size);
  json_builder_set_member_name (b, "whiteouts");
  json_builder_add_string_value (b, (flags & LAYER_OCI_WHITEOUTS) ? "oci" : "overlay");
  json_builder_end_object (b);
  g_autoptr (JsonNode) rec = json_builder_get_root (b);
  g_autofree char *recpath = g_build_filename (tmp, "layer.json", NULL);
  if (!write_json_file (recpath, rec, 0, error))
    return FALSE;
  g_autofree char *dest = g_build_filename (t->dir, "layers", diff_id_hex, NULL);
  g_mutex_lock (&t->lock);
  gboolean ok = rename (tmp, dest) == 0
                || errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot rename %s", tmp);
  if (ok)
    {
      g_ptr_array_add (t->layers, g_strdup (diff_id_hex));
      g_ptr_array_add (t->layer_blobs, g_strdup (blob_hex));
    }
  g_mutex_unlock (&t->lock);
  return ok;
}

static JsonNode *
txn_json_blob (StoreTxn *t, const char *hex, GError **error)
{
  g_autofree char *path = txn_blob_path (t, hex);
  return read_json_blob_file (path, hex, error);
}

char *
store_txn_add_image (StoreTxn *t, const char *manifest_hex, const char *const *names,
                     GError **error)
{
  g_autoptr (JsonNode) m = txn_json_blob (t, manifest_hex, error);
  if (m == NULL)
    return NULL;
  JsonObject *mo = json_node_get_object (m);
  JsonObject *cfg
      = json_object_has_member (mo, "config") ? json_object_get_object_member (mo, "config") : NULL;
  const char *chex
      = digest_hex (cfg ? json_object_get_string_member_with_default (cfg, "digest", NULL) : NULL,
                    "manifest config", error);
  if (chex == NULL)
    return NULL;
  g_autoptr (JsonNode) c = txn_json_blob (t, chex, error);
  if (c == NULL)
    return NULL;
  JsonObject *co = json_node_get_object (c);
  JsonObject *rootfs
      = json_object_has_member (co, "rootfs") ? json_object_get_object_member (co, "rootfs") : NULL;
  JsonArray *ids = rootfs && json_object_has_member (rootfs, "diff_ids")
                       ? json_object_get_array_member (rootfs, "diff_ids")
                       : NULL;
  g_autoptr (GPtrArray) diff_ids = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; ids && i < json_array_get_length (ids); i++)
    {
      const char *hex
          = digest_hex (json_array_get_string_element (ids, i), "config diff_ids", error);
      if (hex == NULL)
        return NULL;
      g_ptr_array_add (diff_ids, g_strdup (hex));
      if (!store_txn_has_layer (t, hex))
        {
          g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID, "layer sha256:%s is missing", hex);
          return NULL;
        }
    }
  g_autoptr (GPtrArray) blobs = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (blobs, g_strdup (manifest_hex));
  g_ptr_array_add (blobs, g_strdup (chex));
  JsonArray *ls
      = json_object_has_member (mo, "layers") ? json_object_get_array_member (mo, "layers") : NULL;
  for (guint i = 0; ls && i < json_array_get_length (ls); i++)
    {
      JsonObject *l = json_array_get_object_element (ls, i);
      const char *hex
          = digest_hex (l ? json_object_get_string_member_with_default (l, "digest", NULL) : NULL,
                        "manifest layers", error);
      if (hex == NULL)
        return NULL;
      g_ptr_array_add (blobs, g_strdup (hex));
    }
  PendingImage *p = g_new0 (PendingImage, 1);
  p->blobs = g_steal_pointer (&blobs);
  p->id = g_strdup (chex);
  p->manifest_hex = g_strdup (manifest_hex);
  p->config_hex = g_strdup (chex);
  p->names = g_strdupv ((char **)names);
  p->diff_ids = g_steal_pointer (&diff_ids);
  g_ptr_array_add (t->images, p);
  return g_strdup (chex);
}

static gboolean
sync_entry (int dirfd, const char *name, const char *rel, const struct stat *st, gboolean post,
            gpointer data, GError **error)
{
  StoreTxn *t = data;
  if (post || !S_ISREG (st->st_mode))
    return TRUE;
  autofd int fd = openat (dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0
      || sync_file_range (fd, 0, 0,
                          SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE
                              | SYNC_FILE_RANGE_WAIT_AFTER)
             < 0)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot sync %s/%s", t->dir,
                        rel);
  return TRUE;
}

/* Makes everything staged in T durable before any of it is renamed into
 * the store (a crash must never leave a blob under its digest or a layer
 * under its diff id whose bytes did not reach the disk). Not syncfs: that
 * also flushes every other writer's dirty pages on the file system
 * (bench/pull: 0.2-0.5 s behind the podman store written just before),
 * and not an fsync per file: each one flushes the disk cache. Writers
 * start a file's writeback when they close it (layer_unpack, the pull's
 * blobs), so here each staged file is only waited for; then one fsync of
 * a file made last commits the journal (allocations, directory entries:
 * ext4 and xfs log them in order) and flushes the disk cache once. */
static gboolean
txn_sync_staged (StoreTxn *t, GError **error)
{
  if (!fs_walk (t->dir_fd, t->dir, FALSE, sync_entry, t, error))
    return FALSE;
  autofd int fd = openat (t->dir_fd, "synced", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 || fsync (fd) < 0)
    return errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot sync %s", t->dir);
  return TRUE;
}

gboolean
store_txn_commit (StoreTxn *t, GError **error)
{
  Store *s = t->s;
  if ((t->blobs->len || t->layers->len) && !txn_sync_staged (t, error))
    return FALSE;
  if (!store_lock (s, error))
    return FALSE;
  gboolean ok = TRUE;
  /* Only blobs that a new image or a new layer refers to move into the
   * store (a docker-archive of an image already stored adds nothing). */
  g_autoptr (GHashTable) wanted = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < t->images->len; i++)
    {
      PendingImage *p = t->images->pdata[i];
      g_autofree char *dst = sub (s, "images", p->id);
      for (guint j = 0; !g_file_test (dst, G_FILE_TEST_IS_DIR) && j < p->blobs->len; j++)
        g_hash_table_add (wanted, p->blobs->pdata[j]);
    }
  for (guint i = 0; i < t->layers->len; i++)
    {
      g_autofree char *dst = layer_path (s, t->layers->pdata[i]);
      if (!g_file_test (dst, G_FILE_TEST_EXISTS))
        g_hash_table_add (wanted, t->layer_blobs->pdata[i]);
    }
  for (guint i = 0; ok && i < t->blobs->len; i++)
    {
      g_autofree char *src = g_build_filename (t->dir, "blobs", t->blobs->pdata[i], NULL);
      g_autofree char *dst = store_blob_path (s, t->blobs->pdata[i]);
      if (!g_hash_table_contains (wanted, t->blobs->pdata[i]))
        continue;
      if (!g_file_test (dst, G_FILE_TEST_EXISTS) && rename (src, dst) < 0)
        ok = errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot rename %s", src);
    }
  for (guint i = 0; ok && i < t->layers->len; i++)
    {
      g_autofree char *src = g_build_filename (t->dir, "layers", t->layers->pdata[i], NULL);
      g_autofree char *dst = layer_path (s, t->layers->pdata[i]);
      if (!g_file_test (dst, G_FILE_TEST_EXISTS) && rename (src, dst) < 0)
        ok = errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot rename %s", src);
    }
  g_autoptr (JsonNode) names = ok ? read_names (s, error) : NULL;
  ok = ok && names != NULL;
  gboolean renamed = FALSE;
  /* The commit point: records moved into place below name the marker
   * (record_pending) until the names are written and it is removed. */
  g_autofree char *marker = g_build_filename (t->dir, PENDING_MARKER, NULL);
  g_autofree char *pending = g_strconcat ("tmp/", strrchr (t->dir, '/') + 1, "/",
                                          PENDING_MARKER, NULL);
  g_autoptr (GPtrArray) placed = g_ptr_array_new_with_free_func (g_free);
  if (ok && t->images->len > 0)
    {
      autofd int mfd = open (marker, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
      if (mfd < 0 || fsync (mfd) < 0)
        ok = errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot create %s", marker);
      else
        ok = fs_fsync_dir (t->dir, error);
    }
  for (guint i = 0; ok && i < t->images->len; i++)
    {
      PendingImage *p = t->images->pdata[i];
      /* A layer that was already stored when this load skipped unpacking it
       * may have been removed since by a concurrent rmi. */
      for (guint j = 0; ok && j < p->diff_ids->len; j++)
        {
          g_autofree char *l = layer_path (s, p->diff_ids->pdata[j]);
          if (!g_file_test (l, G_FILE_TEST_IS_DIR))
            {
              g_set_error (error, STORE_ERROR, STORE_ERROR_IO,
                           "layer sha256:%s was removed while loading; try again",
                           (char *)p->diff_ids->pdata[j]);
              ok = FALSE;
            }
        }
      g_autofree char *dst = sub (s, "images", p->id);
      g_autofree char *tmp = g_build_filename (t->dir, "image", NULL);
      g_autofree char *rec = g_build_filename (tmp, "image.json", NULL);
      if (ok && !g_file_test (dst, G_FILE_TEST_IS_DIR))
        {
          g_autoptr (JsonBuilder) b = json_builder_new ();
          json_builder_begin_object (b);
          json_builder_set_member_name (b, "manifest");
          g_autofree char *md = g_strconcat ("sha256:", p->manifest_hex, NULL);
          json_builder_add_string_value (b, md);
          json_builder_set_member_name (b, "config");
          g_autofree char *cd = g_strconcat ("sha256:", p->config_hex, NULL);
          json_builder_add_string_value (b, cd);
          json_builder_set_member_name (b, "loaded");
          json_builder_add_int_value (b, g_get_real_time () / G_USEC_PER_SEC);
          json_builder_set_member_name (b, "pending");
          json_builder_add_string_value (b, pending);
          json_builder_end_object (b);
          g_autoptr (JsonNode) n = json_builder_get_root (b);
          ok = fs_mkdir_p (tmp, 0700, error) && write_json_file (rec, n, WRITE_DURABLE, error);
          if (ok && rename (tmp, dst) < 0)
            ok = errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot rename %s", tmp);
          else if (ok)
            g_ptr_array_add (placed, g_strdup (p->id));
        }
      g_autoptr (GPtrArray) added = g_ptr_array_new ();
      for (char **n = p->names; ok && n && *n; n++)
        if (g_strcmp0 (json_object_get_string_member_with_default (names_of (names), *n, NULL),
                       p->id)
            != 0)
          {
            json_object_set_string_member (names_of (names), *n, p->id);
            g_ptr_array_add (added, *n);
            renamed = TRUE;
          }
      g_ptr_array_add (added, NULL);
      if (ok && p->names && *p->names)
        note_names_history (names, p->id, (const char *const *) added->pdata);
    }
  if (ok)
    {
      g_autofree char *images = g_build_filename (s->root, "images", NULL);
      g_autofree char *layers = g_build_filename (s->root, "layers", NULL);
      g_autofree char *blobs = g_build_filename (s->root, "blobs", "sha256", NULL);
      ok = fs_fsync_dir (images, error) && fs_fsync_dir (layers, error)
           && fs_fsync_dir (blobs, error);
    }
  if (ok && renamed)
    ok = write_names (s, names, error);
  if (ok && placed->len > 0 && (unlink (marker) < 0 || !fs_fsync_dir (t->dir, NULL)))
    ok = errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot remove %s", marker);
  /* Failed after records moved into place: they go again (rmi's way),
   * before the marker goes with the staging dir. */
  for (guint i = 0; !ok && i < placed->len; i++)
    {
      g_autofree char *dst = sub (s, "images", placed->pdata[i]);
      g_autofree char *dead = g_strdup_printf ("%s/tmp/rmi-%s", s->root, (char *) placed->pdata[i]);
      if (rename (dst, dead) == 0)
        fs_rm_rf (dead, NULL);
    }
  store_unlock (s);
  t->committed = ok;
  return ok;
}

/* ---- commit ---- */

gboolean
store_layer_info (Store *s, const char *diff_id, char **blob_hex, char **media_type, guint64 *size,
                  GError **error)
{
  const char *hex = digest_hex (diff_id, "layer", error);
  if (hex == NULL)
    return FALSE;
  g_autofree char *dir = layer_path (s, hex);
  g_autofree char *path = g_build_filename (dir, "layer.json", NULL);
  g_autoptr (JsonNode) n = read_json_file (path, error);
  if (n == NULL)
    return FALSE;
  JsonObject *r = json_node_get_object (n);
  const char *bhex = digest_hex (
      json_object_get_string_member_with_default (r, "compressed_digest", NULL), path, error);
  if (bhex == NULL)
    return FALSE;
  if (blob_hex)
    *blob_hex = g_strdup (bhex);
  if (media_type)
    *media_type = g_strdup (json_object_get_string_member_with_default (
        r, "media_type", "application/vnd.oci.image.layer.v1.tar"));
  if (size)
    *size = json_object_get_int_member_with_default (r, "size", 0);
  return TRUE;
}

/* The Docker schema 2 media type of an OCI one (docker format commits). */
static const char *
docker_media_type (const char *oci, GError **error)
{
  static const char *const map[][2] = {
    { "application/vnd.oci.image.layer.v1.tar", "application/vnd.docker.image.rootfs.diff.tar" },
    { "application/vnd.oci.image.layer.v1.tar+gzip",
      "application/vnd.docker.image.rootfs.diff.tar.gzip" },
    { "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json" },
    { "application/vnd.oci.image.manifest.v1+json",
      "application/vnd.docker.distribution.manifest.v2+json" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (map); i++)
    if (strcmp (oci, map[i][0]) == 0 || strcmp (oci, map[i][1]) == 0)
      return map[i][1];
  g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
               "the docker image format has no media type for %s", oci);
  return NULL;
}

static JsonObject *
manifest_layer (Store *s, const char *diff_id, GError **error)
{
  const char *hex = digest_hex (diff_id, "layer", error);
  if (hex == NULL)
    return NULL;
  g_autofree char *dir = layer_path (s, hex);
  g_autofree char *path = g_build_filename (dir, "layer.json", NULL);
  g_autoptr (JsonNode) n = read_json_file (path, error);
  if (n == NULL)
    return NULL;
  JsonObject *r = json_node_get_object (n);
  JsonObject *l = json_object_new ();
  json_object_set_string_member (l, "mediaType", json_object_get_string_member (r, "media_type"));
  json_object_set_string_member (l, "digest",
                                 json_object_get_string_member (r, "compressed_digest"));
  json_object_set_int_member (l, "size", json_object_get_int_member (r, "compressed_size"));
  return l;
}

JsonObject *
store_descriptor (const char *media_type, const char *hex, gsize size)
{
  JsonObject *o = json_object_new ();
  g_autofree char *d = g_strconcat ("sha256:", hex, NULL);
  json_object_set_string_member (o, "mediaType", media_type);
  json_object_set_string_member (o, "digest", d);
  json_object_set_int_member (o, "size", size);
  return o;
}

/* LAYER_DIR packed into a staged blob and layer of T; its descriptor. */
static JsonObject *
txn_add_dir_layer (StoreTxn *t, const char *layer_dir, char **diff_id, GError **error)
{
  static const char tar[] = "application/vnd.oci.image.layer.v1.tar";
  autofd int fd = -1;
  g_autofree char *tmp = store_txn_new_temp (t, &fd, error);
  g_autofree char *hex = NULL;
  struct stat st;
  if (tmp == NULL || !layer_pack (layer_dir, fd, &hex, NULL, error))
    return NULL;
  if (fstat (fd, &st) < 0)
    {
      errno_error (error, STORE_ERROR, STORE_ERROR_IO, errno, "cannot stat %s", tmp);
      return NULL;
    }
  if (!store_txn_adopt_blob (t, tmp, hex, NULL, layer_dir, error)
      || !store_txn_add_layer (t, hex, tar, hex, error))
    return NULL;
  *diff_id = g_strconcat ("sha256:", hex, NULL);
  return store_descriptor (tar, hex, st.st_size);
}

StoreImage *
store_create_image (Store *s, StoreImage *base, const char *layer_dir, JsonObject *config,
                    const char *author, const char *history_comment, const char *name,
                    GError **error)
{
  return store_create_image_as (s, STORE_IMAGE_OCI, NULL, base, layer_dir, config, author,
                                history_comment, name, error);
}

/* Rewrites a manifest's and its layers' media types to Docker's. */
static gboolean
to_docker_media_types (JsonObject *mo, GError **error)
{
  const char *mt;
  JsonArray *layers = json_object_get_array_member (mo, "layers");
  JsonObject *cfg = json_object_get_object_member (mo, "config");
  if (!(mt = docker_media_type (json_object_get_string_member (mo, "mediaType"), error)))
    return FALSE;
  json_object_set_string_member (mo, "mediaType", mt);
  if (!(mt = docker_media_type (json_object_get_string_member (cfg, "mediaType"), error)))
    return FALSE;
  json_object_set_string_member (cfg, "mediaType", mt);
  for (guint i = 0; i < json_array_get_length (layers); i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      if (!(mt = docker_media_type (json_object_get_string_member (l, "mediaType"), error)))
        return FALSE;
      json_object_set_string_member (l, "mediaType", mt);
    }
  return TRUE;
}

StoreImage *
store_create_image_as (Store *s, StoreImageFormat format, const char *comment, StoreImage *base,
                       const char *layer_dir, JsonObject *config, const char *author,
                       const char *history_comment, const char *name, GError **error)
{
  g_autofree char *full = name ? store_normalize_name (name, error) : NULL;
  if (name && full == NULL)
    return NULL;
  /* One transaction for the new layer and the image that uses it: no
   * moment when the layer is stored with no image (a concurrent rmi would
   * collect it, a kill would leave it). */
  g_autoptr (StoreTxn) t = store_txn_begin (s, error);
  if (t == NULL)
    return NULL;

  /* The new config: BASE's, with the new layers and a history entry. */
  g_autoptr (JsonNode) cnode
      = base ? json_node_copy (base->oci_config) : json_node_new (JSON_NODE_OBJECT);
  if (!base)
    {
      JsonObject *o = json_object_new ();
      json_object_set_string_member (o, "architecture", "amd64");
      json_object_set_string_member (o, "os", "linux");
      json_node_take_object (cnode, o);
    }
  JsonObject *co = json_node_get_object (cnode);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *created = g_date_time_format_iso8601 (now);
  json_object_set_string_member (co, "created", created);
  if (author)
    json_object_set_string_member (co, "author", author);
  /* as buildah: a Docker config keeps its base's comment unless given one;
   * an OCI config has no "comment" */
  if (format == STORE_IMAGE_DOCKER && comment)
    json_object_set_string_member (co, "comment", comment);
  else if (format == STORE_IMAGE_OCI)
    json_object_remove_member (co, "comment");
  if (config)
    json_object_set_object_member (co, "config", json_object_ref (config));
  if (!json_object_has_member (co, "rootfs"))
    {
      JsonObject *r = json_object_new ();
      json_object_set_string_member (r, "type", "layers");
      json_object_set_array_member (r, "diff_ids", json_array_new ());
      json_object_set_object_member (co, "rootfs", r);
    }
  JsonArray *ids
      = json_object_get_array_member (json_object_get_object_member (co, "rootfs"), "diff_ids");
  JsonArray *layers = json_array_new ();
  for (guint i = 0; i < json_array_get_length (ids); i++)
    {
      JsonObject *l = manifest_layer (s, json_array_get_string_element (ids, i), error);
      if (l == NULL)
        {
          json_array_unref (layers);
          return NULL;
        }
      json_array_add_object_element (layers, l);
    }
  if (layer_dir)
    {
      g_autofree char *diff_id = NULL;
      JsonObject *l = txn_add_dir_layer (t, layer_dir, &diff_id, error);
      if (l == NULL)
        {
          json_array_unref (layers);
          return NULL;
        }
      json_array_add_object_element (layers, l);
      json_array_add_string_element (ids, diff_id);
    }
  if (!json_object_has_member (co, "history"))
    json_object_set_array_member (co, "history", json_array_new ());
  JsonObject *h = json_object_new ();
  json_object_set_string_member (h, "created", created);
  if (author)
    json_object_set_string_member (h, "author", author);
  if (history_comment)
    json_object_set_string_member (h, "comment", history_comment);
  if (!layer_dir)
    json_object_set_boolean_member (h, "empty_layer", TRUE);
  json_array_add_object_element (json_object_get_array_member (co, "history"), h);

  gsize clen;
  g_autofree char *cdata = to_json (cnode, &clen);
  g_autofree char *chex = store_txn_add_blob_data (t, cdata, clen, error);
  if (chex == NULL)
    {
      json_array_unref (layers);
      return NULL;
    }
  g_autoptr (JsonNode) mnode = json_node_new (JSON_NODE_OBJECT);
  JsonObject *mo = json_object_new ();
  json_object_set_int_member (mo, "schemaVersion", 2);
  json_object_set_string_member (mo, "mediaType", "application/vnd.oci.image.manifest.v1+json");
  json_object_set_object_member (
      mo, "config", store_descriptor ("application/vnd.oci.image.config.v1+json", chex, clen));
  json_object_set_array_member (mo, "layers", layers);
  json_node_take_object (mnode, mo);
  if (format == STORE_IMAGE_DOCKER && !to_docker_media_types (mo, error))
    return NULL;
  gsize mlen;
  g_autofree char *mdata = to_json (mnode, &mlen);
  g_autofree char *mhex = store_txn_add_blob_data (t, mdata, mlen, error);
  const char *names[] = { full, NULL };
  g_autofree char *id = mhex ? store_txn_add_image (t, mhex, names, error) : NULL;
  if (id == NULL || !store_txn_commit (t, error))
    return NULL;
  g_autoptr (JsonNode) nn = read_names (s, error);
  return nn ? load_image (s, id, nn, error) : NULL;
}
