/* SPDX-License-Identifier: Apache-2.0 */
/* Secrets in podman's file-driver layout (secret.h). The metadata file is
 * kept as a JSON tree and changed in place, so fields podunit does not
 * use (podman's "metadata") survive a change. */
#include "secret/secret.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

#include "error.h"
#include "fdio.h"
#include "names.h"

G_DEFINE_QUARK (podunit-secret-error-quark, secret_error)

#define SECRET_ID_LEN 25

void
secret_free (Secret *s)
{
  if (!s)
    return;
  g_free (s->id);
  g_free (s->name);
  g_free (s->driver);
  g_strfreev (s->labels);
  g_strfreev (s->driver_options);
  g_free (s->created);
  g_free (s->updated);
  g_free (s);
}

gboolean
secret_name_valid (const char *name, GError **error)
{
  gsize len = strlen (name);
  if (len == 0 || len > 253 || strpbrk (name, ",/="))
    return gerror_set (error, SECRET_ERROR, SECRET_ERROR_INVALID,
                       "secret name \"%s\" can not include '=', '/', ',', or the '\\0' (NULL) "
                       "and be between 1 and 253 characters: invalid secret name",
                       name);
  return TRUE;
}

/* Now as Go's time.Time marshals: RFC 3339, fraction without trailing
 * zeros, "Z" or the local offset. */
static char *
go_time_now (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *base = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  g_autofree char *frac = g_strdup_printf ("%06d", g_date_time_get_microsecond (now));
  g_autofree char *zone = NULL;
  gsize n = strlen (frac);
  while (n > 0 && frac[n - 1] == '0')
    frac[--n] = '\0';
  zone = g_date_time_get_utc_offset (now) == 0 ? g_strdup ("Z")
                                               : g_date_time_format (now, "%:z");
  return g_strconcat (base, n ? "." : "", frac, zone, NULL);
}

typedef struct {
  char *dir;  /* ROOT/secrets */
  int lock;   /* flock on dir/secrets.lock, -1 none */
  JsonNode *db; /* secrets.json: an object with secrets, nameToID, idToName */
} Db;

static void
db_close (Db *d)
{
  if (d->lock >= 0)
    close (d->lock);
  g_free (d->dir);
  if (d->db)
    json_node_unref (d->db);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Db, db_close)

/* @name's object member of @o, made when missing or not an object. */
static JsonObject *
member_object (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  if (!n || !JSON_NODE_HOLDS_OBJECT (n))
    {
      json_object_set_object_member (o, name, json_object_new ());
      n = json_object_get_member (o, name);
    }
  return json_node_get_object (n);
}

static JsonNode *
read_json_object (const char *path, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_file (parser, path, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          JsonNode *n = json_node_new (JSON_NODE_OBJECT);
          json_node_take_object (n, json_object_new ());
          return n;
        }
      return gerror_set (error, SECRET_ERROR, SECRET_ERROR_IO, "reading %s: %s", path,
                         local->message),
             NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return gerror_set (error, SECRET_ERROR, SECRET_ERROR_IO, "%s: not a JSON object", path),
           NULL;
  return json_node_copy (json_parser_get_root (parser));
}

static gboolean
write_json (JsonNode *node, const char *path, GError **error)
{
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autofree char *text = NULL;
  gsize len;
  json_generator_set_root (gen, node);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 2);
  text = json_generator_to_data (gen, &len);
  if (write_file_atomic (AT_FDCWD, path, text, len, 0600, WRITE_DURABLE) < 0)
    return errno_error (error, SECRET_ERROR, SECRET_ERROR_IO, errno, "writing %s", path);
  return TRUE;
}

/* Opens the database under its lock. Without @create a missing
 * ROOT/secrets is an empty database (nothing made, no lock needed). */
static gboolean
db_open (Db *d, const char *root, gboolean create, GError **error)
{
  g_autofree char *lock = NULL, *path = NULL;
  JsonObject *o;

  d->lock = -1;
  d->dir = g_build_filename (root, "secrets", NULL);
  if (create && g_mkdir_with_parents (d->dir, 0700) < 0)
    return errno_error (error, SECRET_ERROR, SECRET_ERROR_IO, errno, "creating %s", d->dir);
  if (g_file_test (d->dir, G_FILE_TEST_IS_DIR))
    {
      lock = g_build_filename (d->dir, "secrets.lock", NULL);
      d->lock = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (d->lock < 0)
        return errno_error (error, SECRET_ERROR, SECRET_ERROR_IO, errno, "opening %s", lock);
      if (flock (d->lock, LOCK_EX) < 0)
        return errno_error (error, SECRET_ERROR, SECRET_ERROR_IO, errno, "locking %s", lock);
    }
  path = g_build_filename (d->dir, "secrets.json", NULL);
  if (!(d->db = read_json_object (path, error)))
    return FALSE;
  o = json_node_get_object (d->db);
  member_object (o, "secrets");
  member_object (o, "nameToID");
  member_object (o, "idToName");
  return TRUE;
}

static gboolean
db_save (Db *d, GError **error)
{
  g_autofree char *path = g_build_filename (d->dir, "secrets.json", NULL);
  return write_json (d->db, path, error);
}

static JsonObject *
db_member (Db *d, const char *name)
{
  return json_object_get_object_member (json_node_get_object (d->db), name);
}

static const char *
obj_string (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
             ? json_node_get_string (n)
             : NULL;
}

/* An object of strings as sorted "KEY=VALUE" lines. */
static char **
obj_to_strv (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  GPtrArray *out = g_ptr_array_new ();
  if (n && JSON_NODE_HOLDS_OBJECT (n))
    {
      JsonObject *m = json_node_get_object (n);
      g_autoptr (GList) keys = json_object_get_members (m);
      for (GList *k = keys; k; k = k->next)
        {
          const char *v = obj_string (m, k->data);
          g_ptr_array_add (out, g_strconcat (k->data, "=", v ? v : "", NULL));
        }
    }
  g_ptr_array_sort (out, name_compare);
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static JsonObject *
strv_to_obj (char **kv)
{
  JsonObject *o = json_object_new ();
  for (char **p = kv; p && *p; p++)
    {
      const char *eq = strchr (*p, '=');
      g_autofree char *k = eq ? g_strndup (*p, eq - *p) : g_strdup (*p);
      json_object_set_string_member (o, k, eq ? eq + 1 : "");
    }
  return o;
}

static Secret *
secret_from_json (JsonObject *o)
{
  Secret *s = g_new0 (Secret, 1);
  s->id = g_strdup (obj_string (o, "id"));
  s->name = g_strdup (obj_string (o, "name"));
  s->driver = g_strdup (obj_string (o, "driver"));
  s->labels = obj_to_strv (o, "labels");
  s->driver_options = obj_to_strv (o, "driverOptions");
  s->created = g_strdup (obj_string (o, "createdAt"));
  s->updated = g_strdup (obj_string (o, "updatedAt"));
  if (!s->updated || g_str_has_prefix (s->updated, "0001-01-01"))
    {
      /* podman: a secret never updated shows its creation time */
      g_free (s->updated);
      s->updated = g_strdup (s->created);
    }
  return s;
}

/* The id of the secret with exactly that name or id, or NULL. */
static const char *
exact_id (Db *d, const char *name_or_id)
{
  if (json_object_has_member (db_member (d, "idToName"), name_or_id))
    return name_or_id;
  return obj_string (db_member (d, "nameToID"), name_or_id);
}

/* Name, id or unique id prefix (at most 25 characters), as podman. */
static const char *
find_id (Db *d, const char *name_or_id, GError **error)
{
  const char *id = exact_id (d, name_or_id);
  const char *found = NULL;
  if (id && json_object_has_member (db_member (d, "secrets"), id))
    return id;
  if (!id && *name_or_id && strlen (name_or_id) <= SECRET_ID_LEN)
    {
      g_autoptr (GList) ids = json_object_get_members (db_member (d, "secrets"));
      for (GList *l = ids; l; l = l->next)
        if (g_str_has_prefix (l->data, name_or_id))
          {
            if (found)
              return gerror_set (error, SECRET_ERROR, SECRET_ERROR_AMBIGUOUS,
                                 "more than one result secret with prefix %s: secret is "
                                 "ambiguous",
                                 name_or_id),
                     NULL;
            found = l->data;
          }
    }
  if (!found)
    gerror_set (error, SECRET_ERROR, SECRET_ERROR_NOT_FOUND,
                "no secret with name or id \"%s\": no such secret", name_or_id);
  return found;
}

/* The file driver's data file: DIR/secretsdata.json, DIR the record's
 * path option. Other drivers are podman's, not podunit's. */
static char *
data_path (const Secret *s, GError **error)
{
  const char *dir = NULL;
  if (g_strcmp0 (s->driver, "file") != 0)
    return gerror_set (error, SECRET_ERROR, SECRET_ERROR_INVALID,
                       "secret %s: podunit has only the file secret driver, not \"%s\"",
                       s->name, s->driver ? s->driver : ""),
           NULL;
  for (char **o = s->driver_options; o && *o; o++)
    if (g_str_has_prefix (*o, "path="))
      dir = *o + 5;
  if (!dir || !*dir)
    return gerror_set (error, SECRET_ERROR, SECRET_ERROR_INVALID,
                       "need path for filedriver: invalid driver option"),
           NULL;
  return g_build_filename (dir, "secretsdata.json", NULL);
}

/* Rewrites the data file at @path: @add_id (when set) gets @data, and
 * every id the metadata does not name goes (left by a killed change). */
static gboolean
data_update (Db *d, const char *path, const char *add_id, const guint8 *data, gsize len,
             GError **error)
{
  g_autoptr (JsonNode) node = read_json_object (path, error);
  g_autoptr (GList) ids = NULL;
  g_autofree char *dir = g_path_get_dirname (path);
  JsonObject *o;
  if (!node)
    return FALSE;
  o = json_node_get_object (node);
  ids = json_object_get_members (o);
  for (GList *l = ids; l; l = l->next)
    if (!json_object_has_member (db_member (d, "secrets"), l->data)
        && g_strcmp0 (l->data, add_id) != 0)
      json_object_remove_member (o, l->data);
  if (add_id)
    {
      g_autofree char *b64 = g_base64_encode (data, len);
      json_object_set_string_member (o, add_id, b64);
    }
  if (g_mkdir_with_parents (dir, 0700) < 0)
    return errno_error (error, SECRET_ERROR, SECRET_ERROR_IO, errno, "creating %s", dir);
  return write_json (node, path, error);
}

static GBytes *
data_read (const Secret *s, GError **error)
{
  g_autofree char *path = data_path (s, error);
  g_autoptr (JsonNode) node = path ? read_json_object (path, error) : NULL;
  const char *b64;
  guchar *raw;
  gsize len;
  if (!node)
    return NULL;
  b64 = obj_string (json_node_get_object (node), s->id);
  if (!b64)
    return gerror_set (error, SECRET_ERROR, SECRET_ERROR_NOT_FOUND,
                       "%s: no such secret", s->id),
           NULL;
  raw = g_base64_decode (b64, &len);
  return g_bytes_new_take (raw, len);
}

/* 25 hex characters, not all of the first 12 digits (as containers/storage
 * makes ids, so that a short id never reads as a number). */
static char *
new_id (Db *d)
{
  for (;;)
    {
      char *id = g_malloc (SECRET_ID_LEN + 1);
      gboolean digits = TRUE;
      for (int i = 0; i < SECRET_ID_LEN; i++)
        {
          id[i] = "0123456789abcdef"[g_random_int_range (0, 16)];
          if (i < 12 && !g_ascii_isdigit (id[i]))
            digits = FALSE;
        }
      id[SECRET_ID_LEN] = '\0';
      if (!digits && !json_object_has_member (db_member (d, "secrets"), id))
        return id;
      g_free (id);
    }
}

char *
secret_store (const char *root, const char *name, const guint8 *data, gsize len,
              const SecretStoreOptions *opts, GError **error)
{
  g_auto (Db) d = { 0 };
  g_autoptr (Secret) s = g_new0 (Secret, 1);
  g_autoptr (Secret) old = NULL;
  g_autofree char *path = NULL, *old_path = NULL;
  g_autoptr (GPtrArray) dopts = g_ptr_array_new_with_free_func (g_free);
  const char *old_id;
  JsonObject *rec;
  gboolean have_path = FALSE;

  if (!secret_name_valid (name, error))
    return NULL;
  if (len == 0 || len >= SECRET_MAX_SIZE)
    return gerror_set (error, SECRET_ERROR, SECRET_ERROR_INVALID,
                       "secret data must be larger than 0 and less than 512000 bytes"),
           NULL;
  if (opts->replace && opts->ignore_existing)
    return gerror_set (error, SECRET_ERROR, SECRET_ERROR_INVALID,
                       "ignoreIfExists and replace cannot be used together"),
           NULL;
  s->name = g_strdup (name);
  s->driver = g_strdup (opts->driver && *opts->driver ? opts->driver : "file");
  if (!g_str_equal (s->driver, "file") && !g_str_equal (s->driver, "pass")
      && !g_str_equal (s->driver, "shell"))
    return gerror_set (error, SECRET_ERROR, SECRET_ERROR_INVALID, "invalid driver"), NULL;
  for (char **o = opts->driver_options; o && *o; o++)
    {
      have_path |= g_str_has_prefix (*o, "path=");
      g_ptr_array_add (dopts, g_strdup (*o));
    }
  if (!have_path && g_str_equal (s->driver, "file"))
    g_ptr_array_add (dopts, g_strconcat ("path=", root, "/secrets/filedriver", NULL));
  g_ptr_array_sort (dopts, name_compare);
  g_ptr_array_add (dopts, NULL);
  s->driver_options = g_strdupv ((char **) dopts->pdata);
  s->labels = g_strdupv (opts->labels);
  if (!(path = data_path (s, error)) || !db_open (&d, root, TRUE, error))
    return NULL;

  if ((old_id = exact_id (&d, name)))
    {
      JsonObject *o = json_object_get_object_member (db_member (&d, "secrets"), old_id);
      if (!opts->replace && !opts->ignore_existing)
        return gerror_set (error, SECRET_ERROR, SECRET_ERROR_EXISTS,
                           "%s: secret name in use", name),
               NULL;
      if (opts->ignore_existing)
        return g_strdup (old_id);
      old = o ? secret_from_json (o) : NULL;
    }
  s->id = new_id (&d);
  s->updated = go_time_now ();
  s->created = g_strdup (old && old->created ? old->created : s->updated);

  /* The data first, then the metadata (the commit point). */
  if (!data_update (&d, path, s->id, data, len, error))
    return NULL;
  if (old)
    {
      json_object_remove_member (db_member (&d, "secrets"), old->id);
      json_object_remove_member (db_member (&d, "idToName"), old->id);
      json_object_remove_member (db_member (&d, "nameToID"), old->name);
    }
  rec = json_object_new ();
  json_object_set_string_member (rec, "name", s->name);
  json_object_set_string_member (rec, "id", s->id);
  if (s->labels && *s->labels)
    json_object_set_object_member (rec, "labels", strv_to_obj (s->labels));
  json_object_set_string_member (rec, "createdAt", s->created);
  json_object_set_string_member (rec, "updatedAt", s->updated);
  json_object_set_string_member (rec, "driver", s->driver);
  json_object_set_object_member (rec, "driverOptions", strv_to_obj (s->driver_options));
  json_object_set_object_member (db_member (&d, "secrets"), s->id, rec);
  json_object_set_string_member (db_member (&d, "nameToID"), s->name, s->id);
  json_object_set_string_member (db_member (&d, "idToName"), s->id, s->name);
  if (!db_save (&d, error))
    return NULL;
  /* The replaced secret's data; a failure leaves it for the next change. */
  if (old && (old_path = data_path (old, NULL)))
    data_update (&d, old_path, NULL, NULL, 0, NULL);
  return g_steal_pointer (&s->id);
}

static Secret *
lookup_locked (Db *d, const char *name_or_id, GError **error)
{
  const char *id = find_id (d, name_or_id, error);
  return id ? secret_from_json (json_object_get_object_member (db_member (d, "secrets"), id))
            : NULL;
}

Secret *
secret_lookup (const char *root, const char *name_or_id, GError **error)
{
  g_auto (Db) d = { 0 };
  if (!db_open (&d, root, FALSE, error))
    return NULL;
  return lookup_locked (&d, name_or_id, error);
}

GBytes *
secret_lookup_data (const char *root, const char *name_or_id, Secret **secret, GError **error)
{
  g_auto (Db) d = { 0 };
  g_autoptr (Secret) s = NULL;
  GBytes *data;
  if (!db_open (&d, root, FALSE, error) || !(s = lookup_locked (&d, name_or_id, error)))
    return NULL;
  if (!(data = data_read (s, error)))
    return NULL;
  if (secret)
    *secret = g_steal_pointer (&s);
  return data;
}

static int
by_created (gconstpointer a, gconstpointer b)
{
  const Secret *x = *(Secret *const *) a, *y = *(Secret *const *) b;
  g_autoptr (GDateTime) tx = x->created ? g_date_time_new_from_iso8601 (x->created, NULL) : NULL;
  g_autoptr (GDateTime) ty = y->created ? g_date_time_new_from_iso8601 (y->created, NULL) : NULL;
  int c = tx && ty ? g_date_time_compare (tx, ty) : 0;
  return c ? c : g_strcmp0 (x->id, y->id);
}

GPtrArray *
secret_list (const char *root, GError **error)
{
  g_auto (Db) d = { 0 };
  g_autoptr (GList) ids = NULL;
  GPtrArray *out;
  if (!db_open (&d, root, FALSE, error))
    return NULL;
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) secret_free);
  ids = json_object_get_members (db_member (&d, "secrets"));
  for (GList *l = ids; l; l = l->next)
    {
      JsonNode *n = json_object_get_member (db_member (&d, "secrets"), l->data);
      if (JSON_NODE_HOLDS_OBJECT (n))
        g_ptr_array_add (out, secret_from_json (json_node_get_object (n)));
    }
  g_ptr_array_sort (out, by_created);
  return out;
}

char *
secret_remove (const char *root, const char *name_or_id, GError **error)
{
  g_auto (Db) d = { 0 };
  g_autoptr (Secret) s = NULL;
  g_autofree char *path = NULL;
  if (!db_open (&d, root, FALSE, error) || !(s = lookup_locked (&d, name_or_id, error)))
    return NULL;
  json_object_remove_member (db_member (&d, "secrets"), s->id);
  json_object_remove_member (db_member (&d, "idToName"), s->id);
  if (g_strcmp0 (obj_string (db_member (&d, "nameToID"), s->name), s->id) == 0)
    json_object_remove_member (db_member (&d, "nameToID"), s->name);
  /* The metadata is the commit point; the data goes after it (or at the
   * next change, should this fail). */
  if (!db_save (&d, error))
    return NULL;
  if ((path = data_path (s, NULL)))
    data_update (&d, path, NULL, NULL, 0, NULL);
  return g_steal_pointer (&s->id);
}

gboolean
secret_export (const char *root, const char *name_or_id, const char *path, mode_t mode,
               GError **error)
{
  g_autoptr (GBytes) data = secret_lookup_data (root, name_or_id, NULL, error);
  gsize len;
  const void *p;
  if (!data)
    return FALSE;
  p = g_bytes_get_data (data, &len);
  if (write_file_atomic (AT_FDCWD, path, p, len, mode, 0) < 0)
    return errno_error (error, SECRET_ERROR, SECRET_ERROR_IO, errno, "writing %s", path);
  return TRUE;
}
