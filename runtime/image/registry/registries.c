/* SPDX-License-Identifier: Apache-2.0 */
#include "image/registry/registries.h"
#include "names.h"
#include "image/registry/reference.h"
#include "image/registry/toml.h"
#include "error.h"

#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

static void
mirror_free (RegistryMirror *m)
{
  g_free (m->location);
  g_free (m->pull_from_mirror);
  g_free (m);
}

static void
entry_free (RegistryEntry *e)
{
  g_free (e->prefix);
  g_free (e->location);
  g_ptr_array_unref (e->mirrors);
  g_free (e);
}

RegistriesConf *
registries_conf_new (const char *path)
{
  RegistriesConf *c = g_new0 (RegistriesConf, 1);
  c->search = g_new0 (char *, 1);
  c->aliases = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  c->alias_files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  c->registries = g_ptr_array_new_with_free_func ((GDestroyNotify)entry_free);
  c->path = g_strdup (path);
  return c;
}

void
registries_conf_free (RegistriesConf *c)
{
  if (c == NULL)
    return;
  g_strfreev (c->search);
  g_hash_table_unref (c->aliases);
  g_hash_table_unref (c->alias_files);
  g_ptr_array_unref (c->registries);
  g_free (c->path);
  g_free (c);
}

/* "FILE: message", returning FALSE (lib/error.h). */
#define bad(error, file, fmt, ...)                                                                 \
  gerror_set (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID, "%s: " fmt, file, ##__VA_ARGS__)

static gboolean
get_string (TomlValue *o, const char *key, const char *file, const char *where, char **out,
            GError **error)
{
  TomlValue *n = toml_get (o, key);
  if (n == NULL)
    return TRUE;
  if (n->type != TOML_STRING)
    return bad (error, file, "%s%s: expected a string", where, key);
  g_free (*out);
  *out = g_strdup (n->string);
  return TRUE;
}

static gboolean
get_bool (TomlValue *o, const char *key, const char *file, const char *where, gboolean *out,
          GError **error)
{
  TomlValue *n = toml_get (o, key);
  if (n == NULL)
    return TRUE;
  if (n->type != TOML_BOOLEAN)
    return bad (error, file, "%s%s: expected true or false", where, key);
  *out = n->integer != 0;
  return TRUE;
}

static gboolean
check_pull_from_mirror (const char *v, const char *file, GError **error)
{
  if (v == NULL || strcmp (v, "all") == 0 || strcmp (v, "digest-only") == 0
      || strcmp (v, "tag-only") == 0)
    return TRUE;
  return bad (error, file, "pull-from-mirror = \"%s\": expected all, digest-only or tag-only", v);
}

static gboolean
apply_registry (RegistriesConf *c, TomlValue *o, const char *file, GError **error)
{
  g_autoptr (GPtrArray) mirrors = g_ptr_array_new_with_free_func ((GDestroyNotify)mirror_free);
  RegistryEntry *e = g_new0 (RegistryEntry, 1);
  e->mirrors = g_ptr_array_ref (mirrors);
  g_autofree char *pfm = NULL;
  gboolean ok = get_string (o, "prefix", file, "[[registry]] ", &e->prefix, error)
                && get_string (o, "location", file, "[[registry]] ", &e->location, error)
                && get_bool (o, "insecure", file, "[[registry]] ", &e->insecure, error)
                && get_bool (o, "blocked", file, "[[registry]] ", &e->blocked, error)
                && get_string (o, "pull-from-mirror", file, "[[registry]] ", &pfm, error)
                && check_pull_from_mirror (pfm, file, error);
  TomlValue *mn = ok ? toml_get (o, "mirror") : NULL;
  if (mn && mn->type != TOML_ARRAY)
    ok = bad (error, file, "[[registry]] mirror: expected [[registry.mirror]] tables");
  for (guint i = 0; ok && mn && i < mn->items->len; i++)
    {
      TomlValue *mo = mn->items->pdata[i];
      if (mo->type != TOML_TABLE)
        {
          ok = bad (error, file, "[[registry.mirror]]: expected a table");
          break;
        }
      RegistryMirror *m = g_new0 (RegistryMirror, 1);
      g_ptr_array_add (mirrors, m);
      ok = get_string (mo, "location", file, "[[registry.mirror]] ", &m->location, error)
           && get_bool (mo, "insecure", file, "[[registry.mirror]] ", &m->insecure, error)
           && get_string (mo, "pull-from-mirror", file, "[[registry.mirror]] ",
                          &m->pull_from_mirror, error)
           && check_pull_from_mirror (m->pull_from_mirror, file, error);
      if (ok && m->location == NULL)
        ok = bad (error, file, "[[registry.mirror]] has no location");
      if (ok && m->pull_from_mirror == NULL && pfm)
        m->pull_from_mirror = g_strdup (pfm);
    }
  if (ok && e->prefix == NULL)
    {
      if (e->location == NULL)
        ok = bad (error, file, "[[registry]] has neither prefix nor location");
      else
        e->prefix = g_strdup (e->location);
    }
  if (ok && e->prefix[0] == '*' && (e->prefix[1] != '.' || strchr (e->prefix, '/')))
    ok = bad (error, file, "[[registry]] prefix \"%s\": a wildcard must be \"*.domain\"",
              e->prefix);
  if (!ok)
    {
      entry_free (e);
      return FALSE;
    }
  for (guint i = 0; i < c->registries->len; i++)
    if (strcmp (((RegistryEntry *)c->registries->pdata[i])->prefix, e->prefix) == 0)
      {
        entry_free (c->registries->pdata[i]);
        c->registries->pdata[i] = e;
        return TRUE;
      }
  g_ptr_array_add (c->registries, e);
  return TRUE;
}

gboolean
registries_conf_apply (RegistriesConf *c, const char *data, gsize len, const char *file,
                       GError **error)
{
  g_autoptr (TomlValue) o = toml_parse (data, len, file, error);
  if (o == NULL)
    return FALSE;
  TomlValue *n = toml_get (o, "unqualified-search-registries");
  if (n)
    {
      char **v = toml_dup_strv (n);
      if (v == NULL)
        return bad (error, file, "unqualified-search-registries: expected an array of strings");
      g_strfreev (c->search);
      c->search = v;
    }
  g_autofree char *mode = NULL;
  if (!get_string (o, "short-name-mode", file, "", &mode, error))
    return FALSE;
  if (mode)
    {
      if (strcmp (mode, "enforcing") == 0)
        c->mode = SHORT_NAME_ENFORCING;
      else if (strcmp (mode, "permissive") == 0)
        c->mode = SHORT_NAME_PERMISSIVE;
      else if (strcmp (mode, "disabled") == 0)
        c->mode = SHORT_NAME_DISABLED;
      else
        return bad (error, file,
                    "short-name-mode = \"%s\": expected enforcing, permissive or disabled", mode);
    }
  n = toml_get (o, "aliases");
  if (n)
    {
      if (n->type != TOML_TABLE)
        return bad (error, file, "aliases: expected an [aliases] table");
      for (guint i = 0; i < n->items->len; i++)
        {
          const char *name = ((TomlValue *) n->items->pdata[i])->key;
          g_autofree char *v = NULL;
          if (!get_string (n, name, file, "[aliases] ", &v, error))
            return FALSE;
          if (registry_name_is_short (v))
            return bad (error, file, "[aliases] \"%s\" = \"%s\": the value must be fully qualified",
                        name, v);
          g_hash_table_replace (c->aliases, g_strdup (name), g_steal_pointer (&v));
          g_hash_table_replace (c->alias_files, g_strdup (name), g_strdup (file));
        }
    }
  n = toml_get (o, "registry");
  if (n)
    {
      if (n->type != TOML_ARRAY)
        return bad (error, file, "registry: expected [[registry]] tables");
      for (guint i = 0; i < n->items->len; i++)
        {
          TomlValue *e = n->items->pdata[i];
          if (e->type != TOML_TABLE)
            return bad (error, file, "registry: expected [[registry]] tables");
          if (!apply_registry (c, e, file, error))
            return FALSE;
        }
    }
  return TRUE;
}

static gboolean
apply_file (RegistriesConf *c, const char *path, GError **error)
{
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr (GError) local = NULL;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return TRUE;
      return bad (error, path, "%s", local->message);
    }
  return registries_conf_apply (c, data, len, path, error);
}

RegistriesConf *
registries_conf_load (GError **error)
{
  const char *env = g_getenv ("CONTAINERS_REGISTRIES_CONF");
  g_autofree char *path = NULL;
  if (env && *env)
    path = g_strdup (env);
  else
    {
      g_autofree char *user
          = g_build_filename (g_get_user_config_dir (), "containers", "registries.conf", NULL);
      path = getuid () != 0 && g_file_test (user, G_FILE_TEST_EXISTS)
                 ? g_steal_pointer (&user)
                 : g_strdup ("/etc/containers/registries.conf");
    }
  g_autoptr (RegistriesConf) c = registries_conf_new (path);
  if (!apply_file (c, path, error))
    return NULL;
  g_autofree char *dir = g_strconcat (path, ".d", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;
  while (d && (name = g_dir_read_name (d)))
    if (g_str_has_suffix (name, ".conf"))
      g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, name_compare);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *f = g_build_filename (dir, names->pdata[i], NULL);
      if (!apply_file (c, f, error))
        return NULL;
    }
  /* The alias cache last: its aliases win over registries.conf's, as in
   * containers/image. */
  g_autofree char *cache = registries_alias_cache_path ();
  if (!apply_file (c, cache, error))
    return NULL;
  return g_steal_pointer (&c);
}

char *
registries_alias_cache_path (void)
{
  if (getuid () == 0)
    return g_strdup ("/var/cache/containers/short-name-aliases.conf");
  return g_build_filename (g_get_user_cache_dir (), "containers", "short-name-aliases.conf", NULL);
}

static void
append_toml_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (; *s; s++)
    {
      if (*s == '"' || *s == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, *s);
    }
  g_string_append_c (out, '"');
}

gboolean
registries_alias_cache_record (const char *name, const char *value, GError **error)
{
  g_autofree char *path = registries_alias_cache_path ();
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *lock = g_strconcat (path, ".lock", NULL);
  if (g_mkdir_with_parents (dir, 0700) < 0)
    return bad (error, dir, "cannot create it: %s", g_strerror (errno));
  /* Read, change, write under the lock: concurrent pulls keep each other's aliases. */
  autofd int lfd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lfd < 0 || flock (lfd, LOCK_EX) < 0)
    return bad (error, lock, "cannot lock it: %s", g_strerror (errno));
  g_autoptr (RegistriesConf) c = registries_conf_new (path);
  if (!apply_file (c, path, error))
    return FALSE;
  g_hash_table_replace (c->aliases, g_strdup (name), g_strdup (value));
  g_autoptr (GList) keys = g_hash_table_get_keys (c->aliases);
  keys = g_list_sort (keys, (GCompareFunc)strcmp);
  g_autoptr (GString) out = g_string_new ("[aliases]\n");
  for (GList *l = keys; l; l = l->next)
    {
      g_string_append (out, "  ");
      append_toml_string (out, l->data);
      g_string_append (out, " = ");
      append_toml_string (out, g_hash_table_lookup (c->aliases, l->data));
      g_string_append_c (out, '\n');
    }
  if (write_file_atomic (AT_FDCWD, path, out->str, out->len, 0644, WRITE_DURABLE) < 0)
    return bad (error, path, "cannot write it: %s", g_strerror (errno));
  return TRUE;
}

/* PREFIX matches REPO as a whole path component prefix; "*.dom" any host
 * ending in ".dom". Returns the matched length (0: no match). */
static gsize
match (const char *prefix, const char *repo)
{
  if (prefix[0] == '*')
    {
      gsize hl = strcspn (repo, "/");
      gsize sl = strlen (prefix + 1);
      return hl > sl && strncmp (repo + hl - sl, prefix + 1, sl) == 0 ? strlen (prefix) : 0;
    }
  gsize n = strlen (prefix);
  if (strncmp (prefix, repo, n) != 0)
    return 0;
  return repo[n] == '\0' || repo[n] == '/' || repo[n] == ':' || repo[n] == '@' ? n + 1 : 0;
}

const RegistryEntry *
registries_conf_find (RegistriesConf *c, const char *repo)
{
  const RegistryEntry *best = NULL;
  gsize best_len = 0;
  for (guint i = 0; i < c->registries->len; i++)
    {
      const RegistryEntry *e = c->registries->pdata[i];
      gsize l = match (e->prefix, repo);
      if (l > best_len)
        best = e, best_len = l;
    }
  return best;
}

char *
registries_conf_rewrite (const RegistryEntry *e, const char *repo)
{
  if (e->location == NULL || e->prefix[0] == '*')
    return g_strdup (repo);
  return g_strconcat (e->location, repo + strlen (e->prefix), NULL);
}
