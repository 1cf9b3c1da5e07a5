/* SPDX-License-Identifier: Apache-2.0 */
/* The container's user: "user[:group]" and --group-add names resolved in
 * the image's /etc/passwd and /etc/group, as podman resolves them. */
#include "container/user.h"

#include "sandbox/spawn.h"
#include "sandbox/userns.h"

/* One line of an /etc/passwd or /etc/group style file whose first field
 * or third field (the id) is @key. */
static char **
find_db_entry (const char *rootfs, const char *file, const char *key)
{
  g_autofree char *path = g_build_filename (rootfs, file, NULL);
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return NULL;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, ":", 7);
      if (g_strv_length (f) >= 3 && (g_str_equal (f[0], key) || g_str_equal (f[2], key)))
        return g_steal_pointer (&f);
    }
  return NULL;
}

gboolean
container_user_resolve (const char *user, const char *rootfs, uid_t *uid, gid_t *gid,
                        char **home, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (user && *user ? user : "0", ":", 2);
  g_auto (GStrv) pw = find_db_entry (rootfs, "etc/passwd", parts[0]);
  guint32 u, gr;

  if (userns_parse_id (parts[0], &u))
    {
      /* A uid the image does not know runs with gid 0, as podman's. */
      if (!(pw && g_strv_length (pw) >= 4 && userns_parse_id (pw[3], &gr)))
        gr = 0;
    }
  else if (pw && g_strv_length (pw) >= 4 && userns_parse_id (pw[2], &u) && userns_parse_id (pw[3], &gr))
    ;
  else
    {
      g_set_error (error, SPAWN_ERROR, 125,
                   "unable to find user %s: no matching entries in passwd file", parts[0]);
      return FALSE;
    }
  if (parts[1] && !userns_parse_id (parts[1], &gr))
    {
      g_auto (GStrv) grp = find_db_entry (rootfs, "etc/group", parts[1]);
      if (!grp || !userns_parse_id (grp[2], &gr))
        {
          g_set_error (error, SPAWN_ERROR, 125,
                       "unable to find group %s: no matching entries in group file", parts[1]);
          return FALSE;
        }
    }
  *uid = u;
  *gid = gr;
  if (home)
    *home = g_strdup (pw && g_strv_length (pw) >= 6 && *pw[5] ? pw[5] : "/");
  return TRUE;
}

gboolean
container_user_groups (const char *user, gid_t gid, char **group_add, const char *rootfs,
                       GArray *groups, GError **error)
{
  /* podman: a user that was named (-u or the image's USER) keeps its
   * primary group among the supplementary ones. */
  if (user && *user)
    g_array_append_val (groups, gid);
  for (char **gname = group_add; gname && *gname; gname++)
    {
      guint32 id;
      if (g_str_equal (*gname, "keep-groups"))
        {
          g_set_error (error, SPAWN_ERROR, 125, "--group-add keep-groups is not supported");
          return FALSE;
        }
      if (!userns_parse_id (*gname, &id))
        {
          g_auto (GStrv) grp = find_db_entry (rootfs, "etc/group", *gname);
          if (!grp || !userns_parse_id (grp[2], &id))
            {
              g_set_error (error, SPAWN_ERROR, 125, "--group-add %s: no such group in the image",
                           *gname);
              return FALSE;
            }
        }
      gid_t added = id;
      g_array_append_val (groups, added);
    }
  return TRUE;
}
