/* SPDX-License-Identifier: Apache-2.0 */
/* containers.conf(5): the [containers] defaults `run` and `create` take
 * (containers-conf.h). */
#include "cli/containers-conf.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "error.h"
#include "image/registry/toml.h"

#define CONF_ERROR (conf_error_quark ())
static G_DEFINE_QUARK (containers-conf-error-quark, conf_error)

void
containers_conf_clear (ContainersConf *cf)
{
  g_strfreev (cf->env);
  g_strfreev (cf->default_ulimits);
  g_free (cf->log_driver);
  g_free (cf->log_path);
  g_free (cf->log_tag);
  g_free (cf->tz);
  g_free (cf->shm_size);
  g_strfreev (cf->hooks_dir);
  memset (cf, 0, sizeof *cf);
  cf->log_size_max = -1;
}

/* What a key's value must be. Not GTypes: G_TYPE_STRV alone made the
 * binary link libgobject (and libffi), loaded by every podunit command. */
typedef enum
{
  KIND_STRV,
  KIND_STRING,
  KIND_BOOLEAN,
  KIND_INT,
} Kind;

/* The value of [@section] @key as @kind, or NULL (absent); a present key
 * of another kind is an error naming it. */
static JsonNode *
section_member (JsonObject *o, const char *section, const char *key, Kind kind, const char *file,
                GError **error)
{
  static const GType types[] = { [KIND_STRING] = G_TYPE_STRING, [KIND_BOOLEAN] = G_TYPE_BOOLEAN,
                                 [KIND_INT] = G_TYPE_INT64 };
  static const char *const names[] = { [KIND_STRV] = "an array of strings",
                                       [KIND_STRING] = "a string",
                                       [KIND_BOOLEAN] = "true or false",
                                       [KIND_INT] = "an integer" };
  JsonNode *n = o ? json_object_get_member (o, key) : NULL;
  if (!n)
    return NULL;
  if (kind == KIND_STRV ? JSON_NODE_HOLDS_ARRAY (n)
                        : JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == types[kind])
    return n;
  g_set_error (error, CONF_ERROR, 0, "%s: [%s] %s: expected %s", file, section, key, names[kind]);
  return NULL;
}

static JsonNode *
member (JsonObject *o, const char *key, Kind kind, const char *file, GError **error)
{
  return section_member (o, "containers", key, kind, file, error);
}

static gboolean
get_section_strv (JsonObject *o, const char *section, const char *key, const char *file,
                  char ***out, GError **error)
{
  JsonNode *n = section_member (o, section, key, KIND_STRV, file, error);
  JsonArray *a;
  g_autoptr (GPtrArray) v = g_ptr_array_new_with_free_func (g_free);
  if (!n)
    return *error == NULL;
  a = json_node_get_array (n);
  for (guint i = 0; i < json_array_get_length (a); i++)
    {
      JsonNode *e = json_array_get_element (a, i);
      if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
        return gerror_set (error, CONF_ERROR, 0, "%s: [%s] %s: expected an array of strings",
                           file, section, key);
      g_ptr_array_add (v, g_strdup (json_node_get_string (e)));
    }
  g_ptr_array_add (v, NULL);
  g_strfreev (*out);
  *out = (char **) g_ptr_array_free (g_steal_pointer (&v), FALSE);
  return TRUE;
}

static gboolean
get_strv (JsonObject *o, const char *key, const char *file, char ***out, GError **error)
{
  return get_section_strv (o, "containers", key, file, out, error);
}

static gboolean
get_str (JsonObject *o, const char *key, const char *file, char **out, GError **error)
{
  JsonNode *n = member (o, key, KIND_STRING, file, error);
  if (n)
    {
      g_free (*out);
      *out = g_strdup (json_node_get_string (n));
    }
  return *error == NULL;
}

static gboolean
get_bool (JsonObject *o, const char *key, const char *file, gboolean *out, GError **error)
{
  JsonNode *n = member (o, key, KIND_BOOLEAN, file, error);
  if (n)
    *out = json_node_get_boolean (n);
  return *error == NULL;
}

static gboolean
get_int (JsonObject *o, const char *key, const char *file, gint64 *out, gboolean *seen,
         GError **error)
{
  JsonNode *n = member (o, key, KIND_INT, file, error);
  if (n)
    {
      *out = json_node_get_int (n);
      if (seen)
        *seen = TRUE;
    }
  return *error == NULL;
}

gboolean
containers_conf_apply (ContainersConf *cf, const char *text, gsize len, const char *file,
                       GError **error)
{
  g_autoptr (JsonNode) root = toml_parse (text, len, file, error);
  JsonNode *t;
  JsonObject *o;
  gint64 oom = 0;

  if (!root)
    return FALSE;
  t = json_object_get_member (json_node_get_object (root), "engine");
  if (t && !JSON_NODE_HOLDS_OBJECT (t))
    return gerror_set (error, CONF_ERROR, 0, "%s: [engine] is not a table", file);
  if (t && !get_section_strv (json_node_get_object (t), "engine", "hooks_dir", file,
                              &cf->hooks_dir, error))
    return FALSE;
  t = json_object_get_member (json_node_get_object (root), "containers");
  if (!t)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (t))
    return gerror_set (error, CONF_ERROR, 0, "%s: [containers] is not a table", file);
  o = json_node_get_object (t);
  if (!get_strv (o, "env", file, &cf->env, error)
      || !get_strv (o, "default_ulimits", file, &cf->default_ulimits, error)
      || !get_bool (o, "read_only", file, &cf->read_only, error)
      || !get_bool (o, "init", file, &cf->init, error)
      || !get_str (o, "log_driver", file, &cf->log_driver, error)
      || !get_int (o, "log_size_max", file, &cf->log_size_max, NULL, error)
      || !get_str (o, "log_path", file, &cf->log_path, error)
      || !get_str (o, "log_tag", file, &cf->log_tag, error)
      || !get_int (o, "oom_score_adj", file, &oom, &cf->has_oom_score_adj, error)
      || !get_str (o, "tz", file, &cf->tz, error)
      || !get_str (o, "shm_size", file, &cf->shm_size, error)
      || !get_int (o, "pids_limit", file, &cf->pids_limit, NULL, error))
    return FALSE;
  if (cf->has_oom_score_adj)
    {
      if (oom < -1000 || oom > 1000)
        return gerror_set (error, CONF_ERROR, 0,
                           "%s: [containers] oom_score_adj: %" G_GINT64_FORMAT
                           " is not in -1000..1000",
                           file, oom);
      cf->oom_score_adj = (int) oom;
    }
  return TRUE;
}

/* One file: absent is fine; one the TOML subset cannot read is skipped
 * with a warning (podman would read it; podunit must not stop at it). */
static gboolean
apply_file (ContainersConf *cf, const char *path, void (*warn) (const char *), GError **error)
{
  g_autofree char *text = NULL;
  gsize len;
  g_autoptr (GError) local = NULL;

  if (!g_file_get_contents (path, &text, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (containers_conf_apply (cf, text, len, path, &local))
    return TRUE;
  if (local->domain == CONF_ERROR)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  if (warn)
    {
      g_autofree char *msg = g_strdup_printf ("%s (skipped: podunit reads a subset of TOML)",
                                              local->message);
      warn (msg);
    }
  return TRUE;
}

static gint
by_name (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char *const *) a, *(char *const *) b);
}

/* FILE, then FILE.d/ *.conf in name order. */
static gboolean
apply_with_dropins (ContainersConf *cf, const char *path, void (*warn) (const char *),
                    GError **error)
{
  g_autofree char *dir = g_strconcat (path, ".d", NULL);
  g_autoptr (GDir) d = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *e;

  if (!apply_file (cf, path, warn, error))
    return FALSE;
  d = g_dir_open (dir, 0, NULL);
  while (d && (e = g_dir_read_name (d)))
    if (g_str_has_suffix (e, ".conf"))
      g_ptr_array_add (names, g_strdup (e));
  g_ptr_array_sort (names, by_name);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *p = g_build_filename (dir, (char *) names->pdata[i], NULL);
      if (!apply_file (cf, p, warn, error))
        return FALSE;
    }
  return TRUE;
}

gboolean
containers_conf_load (ContainersConf *cf, gboolean rootless, void (*warn) (const char *),
                      GError **error)
{
  const char *only = g_getenv ("CONTAINERS_CONF");
  const char *override = g_getenv ("CONTAINERS_CONF_OVERRIDE");

  containers_conf_clear (cf);
  if (only && *only)
    {
      if (!apply_file (cf, only, warn, error))
        return FALSE;
    }
  else
    {
      if (!apply_with_dropins (cf, "/usr/share/containers/containers.conf", warn, error)
          || !apply_with_dropins (cf, "/etc/containers/containers.conf", warn, error))
        return FALSE;
      if (rootless)
        {
          g_autofree char *user
              = g_build_filename (g_get_user_config_dir (), "containers", "containers.conf", NULL);
          if (!apply_with_dropins (cf, user, warn, error))
            return FALSE;
        }
    }
  return !override || !*override || apply_file (cf, override, warn, error);
}
