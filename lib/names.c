/* SPDX-License-Identifier: Apache-2.0 */
#include "names.h"

#include <string.h>
#include <sys/stat.h>

G_DEFINE_QUARK (podunit-name-error-quark, name_error)

gboolean
name_check (const char *kind, const char *name, GError **error)
{
  gsize n = name ? strlen (name) : 0;
  gboolean ok = n > 0 && g_ascii_isalnum (name[0]);

  for (gsize i = 1; ok && i < n; i++)
    ok = g_ascii_isalnum (name[i]) || name[i] == '_' || name[i] == '.' || name[i] == '-';
  if (!ok)
    g_set_error (error, NAME_ERROR, 0,
                 "running %s create option: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: "
                 "invalid argument",
                 kind);
  else if (n > NAME_MAX_LEN)
    {
      g_set_error (error, NAME_ERROR, 0,
                   "running %s create option: the name is %zu characters, at most %d are "
                   "allowed: invalid argument",
                   kind, n, NAME_MAX_LEN);
      ok = FALSE;
    }
  return ok;
}

const char *
name_resolve (GPtrArray *ids, char *(*name_of) (const char *id, gpointer data), gpointer data,
              const char *name_or_id, gboolean *ambiguous)
{
  const char *match = NULL;
  gsize len = strlen (name_or_id);

  *ambiguous = FALSE;
  for (guint i = 0; i < ids->len; i++)
    {
      g_autofree char *name = name_of (ids->pdata[i], data);
      if (g_strcmp0 (name, name_or_id) == 0 || strcmp (ids->pdata[i], name_or_id) == 0)
        return ids->pdata[i];
    }
  for (guint i = 0; len >= 3 && i < ids->len; i++)
    if (strncmp (ids->pdata[i], name_or_id, len) == 0)
      {
        *ambiguous = match != NULL;
        match = ids->pdata[i];
      }
  return *ambiguous ? NULL : match;
}

GPtrArray *
name_list_ids (const char *dir, const char *file)
{
  g_autoptr (GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) created = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *e;

  while (d && (e = g_dir_read_name (d)))
    {
      g_autofree char *f = g_build_filename (dir, e, file, NULL);
      struct stat st;
      gint64 t;
      guint i;
      if (strlen (e) != 64 || stat (f, &st) < 0)
        continue;
      t = (gint64) st.st_mtim.tv_sec * G_GINT64_CONSTANT (1000000000) + st.st_mtim.tv_nsec;
      for (i = 0; i < ids->len && g_array_index (created, gint64, i) <= t; i++)
        ;
      g_ptr_array_insert (ids, i, g_strdup (e));
      g_array_insert_val (created, i, t);
    }
  return g_steal_pointer (&ids);
}

int
name_compare (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}
