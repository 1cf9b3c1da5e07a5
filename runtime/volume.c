/* SPDX-License-Identifier: Apache-2.0 */
/* -v, --mount and --tmpfs values into normalized mount specs (mount.h),
 * and named volumes (ROOT/volumes/<name>/_data, as podman lays them out). */
#include "mount.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

gboolean
volume_name_is_valid (const char *name)
{
  if (!name || !g_ascii_isalnum (*name))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '_' && *p != '.' && *p != '-')
      return FALSE;
  return TRUE;
}

char *
volume_ensure (const char *root, const char *name, GError **error)
{
  g_autofree char *data = g_build_filename (root, "volumes", name, "_data", NULL);
  if (!volume_name_is_valid (name))
    {
      g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID, "invalid volume name \"%s\"", name);
      return NULL;
    }
  if (g_mkdir_with_parents (data, 0755) < 0)
    {
      g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, "creating volume %s: %s", data,
                   g_strerror (errno));
      return NULL;
    }
  return g_steal_pointer (&data);
}

/* Appends the options podman allows on -v (ro, rw, z, Z, U, ...). */
static gboolean
append_options (GString *out, const char *opts, const char *flag, GError **error)
{
  g_auto (GStrv) list = g_strsplit (opts ? opts : "", ",", -1);
  for (char **o = list; *o; o++)
    {
      if (!**o || g_str_equal (*o, "rw") || g_str_equal (*o, "z") || g_str_equal (*o, "Z")
          || g_str_equal (*o, "rbind") || g_str_equal (*o, "rprivate")
          || g_str_equal (*o, "private") || g_str_equal (*o, "nocopy"))
        continue; /* no SELinux relabeling on these hosts; rprivate is our default */
      if (g_str_equal (*o, "ro") || g_str_equal (*o, "readonly"))
        g_string_append (out, ",ro");
      else if (g_str_equal (*o, "U"))
        g_string_append (out, ",chown");
      else if (g_str_equal (*o, "bind"))
        g_string_append (out, ",norbind");
      else if (g_str_equal (*o, "noexec") || g_str_equal (*o, "exec")
               || g_str_equal (*o, "suid") || g_str_equal (*o, "dev")
               || g_str_equal (*o, "nosuid") || g_str_equal (*o, "nodev"))
        {
          if (!g_str_has_prefix (*o, "no") || g_str_equal (*o, "noexec"))
            g_string_append_printf (out, ",%s", *o);
        }
      else
        {
          g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID, "%s: unsupported option \"%s\"",
                       flag, *o);
          return FALSE;
        }
    }
  return TRUE;
}

static char *
bind_or_volume (const char *root, const char *source, const char *dest, const char *opts,
                const char *flag, const char *whole, GError **error)
{
  g_autoptr (GString) out = g_string_new ("type=bind,source=");
  g_autofree char *src = NULL;

  if (!dest || dest[0] != '/')
    {
      g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                   "%s %s: the container path must be absolute", flag, whole);
      return NULL;
    }
  if (source[0] == '/' || source[0] == '.')
    {
      src = g_canonicalize_filename (source, NULL);
      if (access (src, F_OK) < 0)
        {
          g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                       "%s %s: statfs %s: no such file or directory", flag, whole, src);
          return NULL;
        }
    }
  else if (!(src = volume_ensure (root, source, error)))
    return NULL;
  if (strchr (src, ',') || strchr (dest, ','))
    {
      g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID, "%s %s: paths with ',' are not "
                   "supported", flag, whole);
      return NULL;
    }
  g_string_append_printf (out, "%s,destination=%s", src, dest);
  if (!append_options (out, opts, flag, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
volume_normalize_v (const char *root, const char *spec, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (spec, ":", 3);
  if (!parts[0] || !parts[1])
    {
      /* "-v /data": an anonymous volume. */
      if (parts[0] && parts[0][0] == '/')
        {
          g_autofree char *id = g_uuid_string_random ();
          g_strdelimit (id, "-", 'a');
          return bind_or_volume (root, id, parts[0], NULL, "-v", spec, error);
        }
      g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                   "-v %s: expected SOURCE:DESTINATION[:OPTIONS]", spec);
      return NULL;
    }
  return bind_or_volume (root, parts[0], parts[1], parts[2], "-v", spec, error);
}

char *
volume_normalize_tmpfs (const char *spec, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (spec, ":", 2);
  g_autoptr (GString) out = g_string_new ("type=tmpfs,destination=");
  if (!parts[0] || parts[0][0] != '/')
    {
      g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                   "--tmpfs %s: the container path must be absolute", spec);
      return NULL;
    }
  g_string_append (out, parts[0]);
  if (parts[1])
    {
      g_auto (GStrv) opts = g_strsplit (parts[1], ",", -1);
      for (char **o = opts; *o; o++)
        if (g_str_has_prefix (*o, "size=") || g_str_has_prefix (*o, "mode=")
            || g_str_equal (*o, "ro") || g_str_equal (*o, "noexec") || g_str_equal (*o, "exec"))
          g_string_append_printf (out, ",%s", *o);
        else if (!g_str_equal (*o, "rw") && !g_str_equal (*o, "nosuid")
                 && !g_str_equal (*o, "nodev") && **o)
          {
            g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                         "--tmpfs %s: unsupported option \"%s\"", spec, *o);
            return NULL;
          }
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
volume_normalize_mount (const char *root, const char *spec, GError **error)
{
  g_auto (GStrv) kv = g_strsplit (spec, ",", -1);
  g_autofree char *type = NULL, *src = NULL, *dst = NULL;
  g_autoptr (GString) opts = g_string_new (NULL);
  g_autoptr (GString) tmpfs = g_string_new (NULL);

  for (char **p = kv; *p; p++)
    {
      const char *eq = strchr (*p, '=');
      g_autofree char *k = eq ? g_strndup (*p, eq - *p) : g_strdup (*p);
      const char *v = eq ? eq + 1 : NULL;
      if (g_str_equal (k, "type"))
        type = g_strdup (v);
      else if (g_str_equal (k, "source") || g_str_equal (k, "src"))
        src = g_strdup (v);
      else if (g_str_equal (k, "destination") || g_str_equal (k, "dst")
               || g_str_equal (k, "target"))
        dst = g_strdup (v);
      else if (g_str_equal (k, "ro") || g_str_equal (k, "readonly"))
        {
          if (!v || g_ascii_strcasecmp (v, "true") == 0)
            g_string_append (opts, "ro,");
        }
      else if (g_str_equal (k, "tmpfs-size"))
        g_string_append_printf (tmpfs, ",size=%s", v);
      else if (g_str_equal (k, "tmpfs-mode"))
        g_string_append_printf (tmpfs, ",mode=%s", v);
      else if (g_str_equal (k, "relabel") || g_str_equal (k, "bind-propagation")
               || g_str_equal (k, "z") || g_str_equal (k, "Z"))
        ;
      else if (g_str_equal (k, "U") || g_str_equal (k, "chown"))
        g_string_append (opts, "U,");
      else if (g_str_equal (k, "bind-nonrecursive"))
        g_string_append (opts, "bind,");
      else
        {
          g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                       "--mount %s: unsupported option \"%s\"", spec, k);
          return NULL;
        }
    }
  if (!type || !dst)
    {
      g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                   "--mount %s: type= and destination= are required", spec);
      return NULL;
    }
  if (g_str_equal (type, "tmpfs"))
    {
      g_autofree char *t = g_strconcat (dst, ":", tmpfs->len ? tmpfs->str + 1 : "",
                                        strstr (opts->str, "ro,") ? ",ro" : "", NULL);
      return volume_normalize_tmpfs (t, error);
    }
  if (g_str_equal (type, "bind") || g_str_equal (type, "volume"))
    {
      if (!src)
        {
          if (g_str_equal (type, "bind"))
            {
              g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                           "--mount %s: a bind mount needs source=", spec);
              return NULL;
            }
          src = g_uuid_string_random ();
        }
      if (g_str_equal (type, "volume") && src[0] == '/')
        {
          g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                       "--mount %s: a volume source is a name, not a path", spec);
          return NULL;
        }
      return bind_or_volume (root, src, dst, opts->str, "--mount", spec, error);
    }
  g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
               "--mount %s: type %s is not supported by podunit yet (bind, volume, tmpfs)", spec,
               type);
  return NULL;
}
