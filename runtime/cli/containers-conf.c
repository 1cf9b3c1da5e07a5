/* SPDX-License-Identifier: Apache-2.0 */
/* containers.conf(5): the [containers] defaults `run` and `create` take
 * (containers-conf.h). */
#include "cli/containers-conf.h"

#include <string.h>

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
  g_strfreev (cf->runtime_flags);
  g_free (cf->static_dir);
  memset (cf, 0, sizeof *cf);
  cf->log_size_max = -1;
}

/* The value of [@section] @key when it is of @type, or NULL (absent); a
 * present key of another type is an error naming it. */
static TomlValue *
section_member (TomlValue *o, const char *section, const char *key, TomlType type,
                const char *file, GError **error)
{
  static const char *const names[] = { [TOML_ARRAY] = "an array of strings",
                                       [TOML_STRING] = "a string",
                                       [TOML_BOOLEAN] = "true or false",
                                       [TOML_INTEGER] = "an integer" };
  TomlValue *n = toml_get (o, key);
  if (!n || n->type == type)
    return n;
  g_set_error (error, CONF_ERROR, 0, "%s: [%s] %s: expected %s", file, section, key, names[type]);
  return NULL;
}

static TomlValue *
member (TomlValue *o, const char *key, TomlType type, const char *file, GError **error)
{
  return section_member (o, "containers", key, type, file, error);
}

static gboolean
get_section_strv (TomlValue *o, const char *section, const char *key, const char *file,
                  char ***out, GError **error)
{
  TomlValue *n = section_member (o, section, key, TOML_ARRAY, file, error);
  char **v;
  if (!n)
    return *error == NULL;
  v = toml_dup_strv (n);
  if (!v)
    return gerror_set (error, CONF_ERROR, 0, "%s: [%s] %s: expected an array of strings", file,
                       section, key);
  g_strfreev (*out);
  *out = v;
  return TRUE;
}

static gboolean
get_strv (TomlValue *o, const char *key, const char *file, char ***out, GError **error)
{
  return get_section_strv (o, "containers", key, file, out, error);
}

static gboolean
get_str (TomlValue *o, const char *key, const char *file, char **out, GError **error)
{
  TomlValue *n = member (o, key, TOML_STRING, file, error);
  if (n)
    {
      g_free (*out);
      *out = g_strdup (n->string);
    }
  return *error == NULL;
}

static gboolean
get_bool (TomlValue *o, const char *key, const char *file, gboolean *out, GError **error)
{
  TomlValue *n = member (o, key, TOML_BOOLEAN, file, error);
  if (n)
    *out = n->integer != 0;
  return *error == NULL;
}

static gboolean
get_int (TomlValue *o, const char *key, const char *file, gint64 *out, gboolean *seen,
         GError **error)
{
  TomlValue *n = member (o, key, TOML_INTEGER, file, error);
  if (n)
    {
      *out = n->integer;
      if (seen)
        *seen = TRUE;
    }
  return *error == NULL;
}

gboolean
containers_conf_apply (ContainersConf *cf, const char *text, gsize len, const char *file,
                       GError **error)
{
  g_autoptr (TomlValue) root = toml_parse (text, len, file, error);
  TomlValue *t, *n;
  gint64 oom = 0;

  if (!root)
    return FALSE;
  t = toml_get (root, "engine");
  if (t && t->type != TOML_TABLE)
    return gerror_set (error, CONF_ERROR, 0, "%s: [engine] is not a table", file);
  if (t && !get_section_strv (t, "engine", "hooks_dir", file, &cf->hooks_dir, error))
    return FALSE;
  n = t ? section_member (t, "engine", "static_dir", TOML_STRING, file, error) : NULL;
  if (*error)
    return FALSE;
  if (n && !g_path_is_absolute (n->string))
    return gerror_set (error, CONF_ERROR, 0, "%s: [engine] static_dir: %s is not an absolute path",
                       file, n->string);
  if (n)
    {
      g_free (cf->static_dir);
      cf->static_dir = g_canonicalize_filename (n->string, NULL);
    }
  t = t ? toml_get (t, "runtimes_flags") : NULL;
  if (t && t->type != TOML_TABLE)
    return gerror_set (error, CONF_ERROR, 0, "%s: [engine.runtimes_flags] is not a table", file);
  if (t && !get_section_strv (t, "engine.runtimes_flags", "podunit", file, &cf->runtime_flags,
                              error))
    return FALSE;
  t = toml_get (root, "containers");
  if (!t)
    return TRUE;
  if (t->type != TOML_TABLE)
    return gerror_set (error, CONF_ERROR, 0, "%s: [containers] is not a table", file);
  if (!get_strv (t, "env", file, &cf->env, error)
      || !get_strv (t, "default_ulimits", file, &cf->default_ulimits, error)
      || !get_bool (t, "read_only", file, &cf->read_only, error)
      || !get_bool (t, "init", file, &cf->init, error)
      || !get_str (t, "log_driver", file, &cf->log_driver, error)
      || !get_int (t, "log_size_max", file, &cf->log_size_max, NULL, error)
      || !get_str (t, "log_path", file, &cf->log_path, error)
      || !get_str (t, "log_tag", file, &cf->log_tag, error)
      || !get_int (t, "oom_score_adj", file, &oom, &cf->has_oom_score_adj, error)
      || !get_str (t, "tz", file, &cf->tz, error)
      || !get_str (t, "shm_size", file, &cf->shm_size, error)
      || !get_int (t, "pids_limit", file, &cf->pids_limit, NULL, error))
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
