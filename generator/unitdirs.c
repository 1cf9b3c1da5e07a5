/* SPDX-License-Identifier: Apache-2.0 */
/* Quadlet's search path. System generator: /run/containers/systemd,
 * /etc/containers/systemd, /usr/share/containers/systemd, minus their
 * users/ trees. User generator: $XDG_RUNTIME_DIR/containers/systemd,
 * $XDG_CONFIG_HOME/containers/systemd, then for /etc and /usr/share the
 * users/ tree without other users' numeric directories, then users/$UID.
 * Every directory is walked recursively (symlinks resolved, each directory
 * once); a file name found in an earlier directory hides later ones. */
#include "unitdirs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
  GPtrArray *dirs;      /* char*, in order */
  GHashTable *visited;  /* char* (borrowed from dirs) */
  gboolean is_user;
  /* users/ trees, resolved, and how many '/'-separated parts they have */
  char *users_dirs[2];
  guint users_levels[2];
} SearchPaths;

typedef gboolean (*DirFilter) (SearchPaths *s, const char *path);

static void
search_add (SearchPaths *s, const char *path)
{
  char *copy = g_strdup (path);
  g_ptr_array_add (s->dirs, copy);
  g_hash_table_add (s->visited, copy);
}

static gboolean
under (const char *path, const char *dir)
{
  return dir != NULL && g_str_has_prefix (path, dir);
}

/* Outside the users/ trees everything is searched; inside them only in
 * user mode. */
static gboolean
user_level_filter (SearchPaths *s, const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (s->users_dirs); i++)
    if (under (path, s->users_dirs[i]))
      return s->is_user;
  return TRUE;
}

/* In the users/ trees, skip the numeric (per-UID) directories: the
 * caller's own one is added separately. */
static gboolean
non_numeric_filter (SearchPaths *s, const char *path)
{
  for (guint i = 0; i < G_N_ELEMENTS (s->users_dirs); i++)
    {
      g_auto (GStrv) parts = NULL;
      guint n;
      const char *child;

      if (!under (path, s->users_dirs[i]))
        continue;
      parts = g_strsplit (path, "/", -1);
      n = g_strv_length (parts);
      if (n == s->users_levels[i])
        return TRUE;
      if (n < s->users_levels[i])
        return FALSE;
      child = parts[s->users_levels[i]];
      return child[strspn (child, "0123456789")] != '\0';
    }
  return TRUE;
}

static int
compare_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* The subdirectories of @path (symlinks to directories included), sorted by
 * name as Go's os.ReadDir. Files are skipped here without a stat. */
static GPtrArray *
read_subdirs_sorted (const char *path)
{
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  DIR *dir = opendir (path);
  struct dirent *e;

  if (dir == NULL)
    return names;
  while ((e = readdir (dir)) != NULL)
    {
      if (strcmp (e->d_name, ".") == 0 || strcmp (e->d_name, "..") == 0)
        continue;
      if (e->d_type == DT_DIR)
        g_ptr_array_add (names, g_strdup (e->d_name));
      else if (e->d_type == DT_LNK || e->d_type == DT_UNKNOWN)
        {
          struct stat st;
          if (fstatat (dirfd (dir), e->d_name, &st, 0) == 0 && S_ISDIR (st.st_mode))
            g_ptr_array_add (names, g_strdup (e->d_name));
        }
    }
  closedir (dir);
  g_ptr_array_sort (names, compare_names);
  return names;
}

static void
append_sub_paths (SearchPaths *s, const char *path, DirFilter filter)
{
  g_autofree char *resolved = realpath (path, NULL);
  g_autoptr (GPtrArray) names = NULL;
  struct stat st;

  if (resolved == NULL)
    {
      /* Quadlet lists missing directories too (they show in its log). */
      if (!g_hash_table_contains (s->visited, path))
        search_add (s, path);
      return;
    }
  if (g_hash_table_contains (s->visited, resolved) || g_str_has_suffix (resolved, ".d"))
    return;
  if (filter != NULL && !filter (s, resolved))
    return;
  if (stat (resolved, &st) < 0 || !S_ISDIR (st.st_mode))
    return;
  search_add (s, resolved);

  names = read_subdirs_sorted (resolved);
  for (guint i = 0; i < names->len; i++)
    {
      g_autofree char *child = g_build_filename (resolved, names->pdata[i], NULL);
      append_sub_paths (s, child, filter);
    }
}

static gboolean
dirs_from_env (SearchPaths *s, GPtrArray *problems)
{
  const char *env = g_getenv ("QUADLET_UNIT_DIRS");
  g_auto (GStrv) dirs = NULL;

  if (env == NULL || env[0] == '\0')
    return FALSE;
  dirs = g_strsplit (env, ":", -1);
  for (char **d = dirs; *d; d++)
    {
      if (!g_path_is_absolute (*d))
        {
          g_ptr_array_add (problems, g_strdup_printf ("%s not a valid file path", *d));
          break;
        }
      append_sub_paths (s, *d, NULL);
    }
  return TRUE;
}

static char *
rooted (const char *path)
{
  const char *root = g_getenv ("PODUNIT_GENERATOR_ROOT");
  if (root == NULL || root[0] == '\0')
    return g_strdup (path);
  return g_build_filename (root, path, NULL);
}

/* Go's os.UserConfigDir(). */
static char *
user_config_dir (void)
{
  const char *xdg = g_getenv ("XDG_CONFIG_HOME");
  const char *home = g_getenv ("HOME");

  if (xdg != NULL && xdg[0] != '\0')
    return g_strdup (xdg);
  if (home != NULL && home[0] != '\0')
    return g_build_filename (home, ".config", NULL);
  return NULL;
}

GPtrArray *
unit_dirs_get (gboolean is_user, GPtrArray *problems)
{
  g_autofree char *run = rooted ("/run/containers/systemd");
  g_autofree char *etc = rooted ("/etc/containers/systemd");
  g_autofree char *usr = rooted ("/usr/share/containers/systemd");
  const char *bases[2] = { etc, usr };
  SearchPaths s = { 0 };

  s.dirs = g_ptr_array_new_with_free_func (g_free);
  s.visited = g_hash_table_new (g_str_hash, g_str_equal);
  s.is_user = is_user;

  if (dirs_from_env (&s, problems))
    goto out;

  for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      g_autofree char *users = g_build_filename (bases[i], "users", NULL);
      char *resolved = realpath (users, NULL);
      g_auto (GStrv) parts = NULL;

      s.users_dirs[i] = resolved ? resolved : g_steal_pointer (&users);
      parts = g_strsplit (s.users_dirs[i], "/", -1);
      s.users_levels[i] = g_strv_length (parts);
    }

  if (!is_user)
    {
      append_sub_paths (&s, run, user_level_filter);
      append_sub_paths (&s, etc, user_level_filter);
      append_sub_paths (&s, usr, user_level_filter);
    }
  else
    {
      const char *runtime_dir = g_getenv ("XDG_RUNTIME_DIR");
      g_autofree char *config = user_config_dir ();
      g_autofree char *uid = g_strdup_printf ("%u", (unsigned) getuid ());

      if (runtime_dir != NULL)
        {
          g_autofree char *d = g_build_filename (runtime_dir, "containers/systemd", NULL);
          append_sub_paths (&s, d, NULL);
        }
      if (config == NULL)
        {
          g_ptr_array_add (problems,
                           g_strdup ("Warning: neither $XDG_CONFIG_HOME nor $HOME are defined"));
          goto out;
        }
      {
        g_autofree char *d = g_build_filename (config, "containers/systemd", NULL);
        append_sub_paths (&s, d, NULL);
      }
      for (guint i = 0; i < G_N_ELEMENTS (bases); i++)
        {
          g_autofree char *users = g_build_filename (bases[i], "users", NULL);
          g_autofree char *mine = g_build_filename (bases[i], "users", uid, NULL);
          append_sub_paths (&s, users, non_numeric_filter);
          append_sub_paths (&s, mine, user_level_filter);
        }
    }

out:
  for (guint i = 0; i < G_N_ELEMENTS (s.users_dirs); i++)
    g_free (s.users_dirs[i]);
  g_hash_table_unref (s.visited);
  return s.dirs;
}

char *
unit_dirs_to_string (GPtrArray *dirs)
{
  g_autoptr (GString) s = g_string_new ("[");
  for (guint i = 0; i < dirs->len; i++)
    {
      if (i > 0)
        g_string_append_c (s, ' ');
      g_string_append (s, dirs->pdata[i]);
    }
  g_string_append_c (s, ']');
  return g_string_free (g_steal_pointer (&s), FALSE);
}
