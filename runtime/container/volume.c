/* SPDX-License-Identifier: Apache-2.0 */
/* -v, --mount and --tmpfs values into normalized mount specs (mount.h),
 * and named volumes: their records, in podman's layout (volume.h). */
#include "container/volume.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "container/container.h"
#include "sandbox/mount.h"
#include "image/store-fs.h"
#include "error.h"
#include "fdio.h"
#include "names.h"

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
      else if (g_str_equal (*o, "noexec") || g_str_equal (*o, "exec") || g_str_equal (*o, "suid")
               || g_str_equal (*o, "dev") || g_str_equal (*o, "nosuid")
               || g_str_equal (*o, "nodev"))
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

static char *ensure (const char *root, const char *name, gboolean anonymous, GError **error);

/* A name for a volume nobody named: 64 hex digits, as podman's. */
static char *
random_name (void)
{
  g_autofree char *a = g_uuid_string_random (), *b = g_uuid_string_random ();
  g_autofree char *hex = g_strconcat (a, b, NULL);
  GString *s = g_string_new (NULL);
  for (char *p = hex; *p; p++)
    if (*p != '-')
      g_string_append_c (s, *p);
  return g_string_free (s, FALSE);
}

/* With @anonymous, @source is a generated name (`-v /path`, `--mount
 * type=volume` without source): `rm -v` removes such volumes. */
static char *
bind_or_volume (const char *root, const char *source, gboolean anonymous, const char *dest,
                const char *opts, const char *flag, const char *whole, GError **error)
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
  else if (!(src = ensure (root, source, anonymous, error)))
    return NULL;
  if (strchr (src, ',') || strchr (dest, ','))
    {
      g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                   "%s %s: paths with ',' are not "
                   "supported",
                   flag, whole);
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
          g_autofree char *id = random_name ();
          return bind_or_volume (root, id, TRUE, parts[0], NULL, "-v", spec, error);
        }
      g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                   "-v %s: expected SOURCE:DESTINATION[:OPTIONS]", spec);
      return NULL;
    }
  return bind_or_volume (root, parts[0], FALSE, parts[1], parts[2], "-v", spec, error);
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
  gboolean anonymous = FALSE;

  for (char **p = kv; *p; p++)
    {
      const char *eq = strchr (*p, '=');
      g_autofree char *k = eq ? g_strndup (*p, eq - *p) : g_strdup (*p);
      const char *v = eq ? eq + 1 : NULL;
      gboolean valued = g_str_equal (k, "type") || g_str_equal (k, "source")
                        || g_str_equal (k, "src") || g_str_equal (k, "destination")
                        || g_str_equal (k, "dst") || g_str_equal (k, "target")
                        || g_str_equal (k, "tmpfs-size") || g_str_equal (k, "tmpfs-mode");
      if (valued && v == NULL)
        {
          g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                       "--mount %s: option \"%s\" needs a value", spec, k);
          return NULL;
        }
      /* (a key given twice: the last one counts) */
      if (g_str_equal (k, "type"))
        g_free (type), type = g_strdup (v);
      else if (g_str_equal (k, "source") || g_str_equal (k, "src"))
        g_free (src), src = g_strdup (v);
      else if (g_str_equal (k, "destination") || g_str_equal (k, "dst")
               || g_str_equal (k, "target"))
        g_free (dst), dst = g_strdup (v);
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
          src = random_name ();
          anonymous = TRUE;
        }
      if (g_str_equal (type, "volume") && src[0] == '/')
        {
          g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
                       "--mount %s: a volume source is a name, not a path", spec);
          return NULL;
        }
      return bind_or_volume (root, src, anonymous, dst, opts->str, "--mount", spec, error);
    }
  g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID,
               "--mount %s: type %s is not supported by podunit yet (bind, volume, tmpfs)", spec,
               type);
  return NULL;
}

/* ---- volume records (volume.h) ---- */

G_DEFINE_QUARK (podunit-volume-error-quark, volume_error)

void
volume_free (Volume *v)
{
  if (!v)
    return;
  g_free (v->name);
  g_free (v->driver);
  g_strfreev (v->labels);
  g_strfreev (v->options);
  g_free (v);
}

Volume *
volume_new (void)
{
  Volume *v = g_new0 (Volume, 1);
  v->driver = g_strdup ("local");
  v->uid = v->gid = -1;
  return v;
}

const char *
volume_strv_get (char **kv, const char *key)
{
  gsize len = strlen (key);
  for (char **p = kv; p && *p; p++)
    if (strncmp (*p, key, len) == 0 && ((*p)[len] == '=' || (*p)[len] == '\0'))
      return (*p)[len] == '=' ? *p + len + 1 : "";
  return NULL;
}

char *
volume_mountpoint (const char *root, const char *name)
{
  return g_build_filename (root, "volumes", name, "_data", NULL);
}

static char *
record_path (const char *root, const char *name)
{
  return g_build_filename (root, "volumes", name, "volume.json", NULL);
}

/* The store lock (store.h's ROOT/store.lock); close the fd to release. */
static int
lock_root (const char *root, GError **error)
{
  g_autofree char *path = g_build_filename (root, "store.lock", NULL);
  autofd int fd = -1;
  if (g_mkdir_with_parents (root, 0700) < 0)
    return errno_error (error, VOLUME_ERROR, VOLUME_ERROR_FAILED, errno, "creating %s", root), -1;
  fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0)
    return errno_error (error, VOLUME_ERROR, VOLUME_ERROR_FAILED, errno, "opening %s", path), -1;
  while (flock (fd, LOCK_EX) < 0)
    if (errno != EINTR)
      return errno_error (error, VOLUME_ERROR, VOLUME_ERROR_FAILED, errno, "locking %s", path), -1;
  return fd_steal (&fd);
}

static gboolean
parse_id (const char *s, gint64 *out)
{
  char *end = NULL;
  guint64 n;
  if (!s || !g_ascii_isdigit (*s))
    return FALSE;
  n = g_ascii_strtoull (s, &end, 10);
  if (*end || n > G_MAXUINT32 - 1)
    return FALSE;
  *out = (gint64)n;
  return TRUE;
}

/* The mount(2) flags and data of a volume's o= list; uid= and gid= are
 * taken out (podman's local driver applies them to _data, not to mount). */
typedef struct
{
  unsigned long flags;
  GString *data;
  gboolean bind;
} VolumeMountPlan;

static gboolean
plan_mount (Volume *v, VolumeMountPlan *plan, GError **error)
{
  const char *type = volume_strv_get (v->options, "type");
  const char *device = volume_strv_get (v->options, "device");
  const char *o = volume_strv_get (v->options, "o");
  g_auto (GStrv) list = g_strsplit (o ? o : "", ",", -1);
  g_autoptr (GString) rest = g_string_new (NULL);

  plan->flags = 0;
  plan->bind = FALSE;
  for (char **p = list; *p; p++)
    {
      if (!**p || g_str_equal (*p, "rw"))
        continue;
      if (g_str_has_prefix (*p, "uid=") || g_str_has_prefix (*p, "gid="))
        {
          if (!parse_id (*p + 4, (*p)[0] == 'u' ? &v->uid : &v->gid))
            return gerror_set (error, VOLUME_ERROR, VOLUME_ERROR_INVALID,
                               "volume option o=%s: %s needs a numeric id", o, *p);
        }
      else if (g_str_equal (*p, "bind") || g_str_equal (*p, "rbind"))
        {
          plan->bind = TRUE;
          plan->flags |= MS_BIND | (g_str_equal (*p, "rbind") ? MS_REC : 0);
        }
      else if (g_str_equal (*p, "ro"))
        plan->flags |= MS_RDONLY;
      else if (g_str_equal (*p, "nosuid"))
        plan->flags |= MS_NOSUID;
      else if (g_str_equal (*p, "nodev"))
        plan->flags |= MS_NODEV;
      else if (g_str_equal (*p, "noexec"))
        plan->flags |= MS_NOEXEC;
      else
        g_string_append_printf (rest, ",%s", *p);
    }
  if (type && g_str_equal (type, "bind"))
    {
      plan->bind = TRUE;
      plan->flags |= MS_BIND;
    }
  if (!type && !device)
    {
      if (rest->len || plan->flags)
        return gerror_set (error, VOLUME_ERROR, VOLUME_ERROR_INVALID,
                           "volume option o=%s: mount options need type= and device= "
                           "(podunit mounts tmpfs and bind devices)",
                           o);
      return TRUE;
    }
  if (!type || !device)
    return gerror_set (error, VOLUME_ERROR, VOLUME_ERROR_INVALID,
                       "volume options: type= and device= go together in podunit "
                       "(type=tmpfs,device=tmpfs or type=none,o=bind,device=/PATH)");
  if (g_str_equal (type, "tmpfs"))
    {
      if (plan->bind)
        return gerror_set (error, VOLUME_ERROR, VOLUME_ERROR_INVALID,
                           "volume option o=%s: bind with type=tmpfs", o);
      if (v->uid >= 0)
        g_string_append_printf (rest, ",uid=%" G_GINT64_FORMAT, v->uid);
      if (v->gid >= 0)
        g_string_append_printf (rest, ",gid=%" G_GINT64_FORMAT, v->gid);
      /* Only what tmpfs itself takes: anything else would fail at first use. */
      g_auto (GStrv) opts = g_strsplit (rest->len ? rest->str + 1 : "", ",", -1);
      for (char **p = opts; *p; p++)
        if (**p && !g_str_has_prefix (*p, "size=") && !g_str_has_prefix (*p, "mode=")
            && !g_str_has_prefix (*p, "nr_inodes=") && !g_str_has_prefix (*p, "uid=")
            && !g_str_has_prefix (*p, "gid="))
          return gerror_set (error, VOLUME_ERROR, VOLUME_ERROR_INVALID,
                             "volume option o=%s: tmpfs does not take \"%s\"", o, *p);
      plan->data = g_string_new (rest->len ? rest->str + 1 : "");
      return TRUE;
    }
  if (!plan->bind || !(g_str_equal (type, "none") || g_str_equal (type, "bind")))
    return gerror_set (error, VOLUME_ERROR, VOLUME_ERROR_INVALID,
                       "volume option type=%s: podunit mounts only tmpfs "
                       "(type=tmpfs) and bind (type=none,o=bind) devices",
                       type);
  if (rest->len)
    return gerror_set (error, VOLUME_ERROR, VOLUME_ERROR_INVALID,
                       "volume option o=%s: a bind mount does not take \"%s\"", o,
                       rest->str + 1);
  if (device[0] != '/' || !g_file_test (device, G_FILE_TEST_IS_DIR))
    return gerror_set (error, VOLUME_ERROR, VOLUME_ERROR_INVALID,
                       "volume option device=%s: a bind device must be an existing "
                       "absolute directory",
                       device);
  plan->data = NULL;
  return TRUE;
}

static gboolean
check_options (Volume *v, GError **error)
{
  VolumeMountPlan plan = { 0 };
  for (char **p = v->options; p && *p; p++)
    {
      const char *eq = strchr (*p, '=');
      g_autofree char *key = eq ? g_strndup (*p, eq - *p) : g_strdup (*p);
      if (g_str_equal (key, "copy"))
        return gerror_set (error, VOLUME_ERROR, VOLUME_ERROR_INVALID,
                           "volume option copy: podunit does not copy image contents "
                           "into volumes (it behaves as nocopy)");
      if (g_str_equal (key, "uid") || g_str_equal (key, "gid"))
        {
          if (!eq || !parse_id (eq + 1, key[0] == 'u' ? &v->uid : &v->gid))
            return gerror_set (error, VOLUME_ERROR, VOLUME_ERROR_INVALID,
                               "volume option %s: needs a numeric id", *p);
        }
      else if (!g_str_equal (key, "type") && !g_str_equal (key, "device") && !g_str_equal (key, "o")
               && !g_str_equal (key, "nocopy"))
        return gerror_set (error, VOLUME_ERROR, VOLUME_ERROR_INVALID,
                           "volume option %s: not supported by podunit (type, device, o, "
                           "uid, gid, nocopy)",
                           *p);
    }
  if (!plan_mount (v, &plan, error))
    return FALSE;
  if (plan.data)
    g_string_free (plan.data, TRUE);
  return TRUE;
}

JsonObject *
volume_to_json (const char *root, const Volume *v)
{
  JsonObject *o = json_object_new ();
  JsonObject *labels = json_object_new ();
  JsonObject *options = json_object_new ();
  g_autoptr (GDateTime) t = g_date_time_new_from_unix_local (v->created / G_USEC_PER_SEC);
  g_autoptr (GDateTime) tu = g_date_time_add (t, v->created % G_USEC_PER_SEC);
  g_autofree char *created = g_date_time_format (tu, "%Y-%m-%dT%H:%M:%S.%f%:z");
  g_autofree char *mountpoint = volume_mountpoint (root, v->name);

  json_object_set_string_member (o, "Name", v->name);
  json_object_set_string_member (o, "Driver", v->driver);
  json_object_set_string_member (o, "Mountpoint", mountpoint);
  json_object_set_string_member (o, "CreatedAt", created);
  for (char **p = v->labels; p && *p; p++)
    {
      g_auto (GStrv) kv = g_strsplit (*p, "=", 2);
      json_object_set_string_member (labels, kv[0], kv[1] ? kv[1] : "");
    }
  json_object_set_object_member (o, "Labels", labels);
  json_object_set_string_member (o, "Scope", "local");
  for (char **p = v->options; p && *p; p++)
    {
      g_auto (GStrv) kv = g_strsplit (*p, "=", 2);
      json_object_set_string_member (options, kv[0], kv[1] ? kv[1] : "");
    }
  json_object_set_object_member (o, "Options", options);
  if (v->uid >= 0)
    json_object_set_int_member (o, "UID", v->uid);
  if (v->gid >= 0)
    json_object_set_int_member (o, "GID", v->gid);
  if (v->anonymous)
    json_object_set_boolean_member (o, "Anonymous", TRUE);
  json_object_set_int_member (o, "MountCount", 0);
  return o;
}

static gboolean
save_record (const char *root, const Volume *v, GError **error)
{
  g_autoptr (JsonObject) o = volume_to_json (root, v);
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *path = record_path (root, v->name);
  g_autofree char *text = NULL;

  json_object_set_int_member (o, "CreatedUsec", v->created);
  json_node_set_object (node, o);
  text = json_to_string (node, TRUE);
  if (write_file_atomic (AT_FDCWD, path, text, strlen (text), 0644, WRITE_DURABLE) < 0)
    return errno_error (error, VOLUME_ERROR, VOLUME_ERROR_FAILED, errno, "writing %s", path);
  return TRUE;
}

static char **
strv_member (JsonObject *o, const char *member, gboolean with_values)
{
  JsonObject *m
      = json_object_has_member (o, member) ? json_object_get_object_member (o, member) : NULL;
  g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
  g_autoptr (GList) keys = m ? json_object_get_members (m) : NULL;
  for (GList *k = keys; k; k = k->next)
    {
      const char *val = json_object_get_string_member (m, k->data);
      g_autofree char *kv = with_values || (val && *val) ? g_strconcat (k->data, "=", val, NULL)
                                                         : g_strdup (k->data);
      g_strv_builder_add (b, kv);
    }
  return g_strv_builder_end (b);
}

Volume *
volume_load (const char *root, const char *name, GError **error)
{
  g_autofree char *path = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (Volume) v = volume_new ();
  JsonObject *o;

  if (!name_check ("volume", name, NULL))
    goto not_found;
  path = record_path (root, name);
  if (!g_file_test (path, G_FILE_TEST_EXISTS))
    {
      /* A volume made by `run -v` before records existed: _data alone. */
      g_autofree char *data = volume_mountpoint (root, name);
      struct stat st;
      if (stat (data, &st) < 0)
        goto not_found;
      v->name = g_strdup (name);
      v->created = (gint64)st.st_mtime * G_USEC_PER_SEC;
      return g_steal_pointer (&v);
    }
  if (!json_parser_load_from_file (parser, path, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error (error, VOLUME_ERROR, VOLUME_ERROR_FAILED, "%s: not a JSON object", path);
      return NULL;
    }
  o = json_node_get_object (json_parser_get_root (parser));
  v->name = g_strdup (name);
  g_free (v->driver);
  v->driver = g_strdup (json_object_get_string_member_with_default (o, "Driver", "local"));
  v->created = json_object_get_int_member_with_default (o, "CreatedUsec", 0);
  v->labels = strv_member (o, "Labels", TRUE);
  v->options = strv_member (o, "Options", FALSE);
  v->uid = json_object_get_int_member_with_default (o, "UID", -1);
  v->gid = json_object_get_int_member_with_default (o, "GID", -1);
  v->anonymous = json_object_get_boolean_member_with_default (o, "Anonymous", FALSE);
  return g_steal_pointer (&v);

not_found:
  g_set_error (error, VOLUME_ERROR, VOLUME_ERROR_NOT_FOUND, "no such volume %s", name);
  return NULL;
}

/* Creates the record while the caller holds the lock. */
static gboolean
create_locked (const char *root, Volume *v, gboolean ignore_existing, gboolean *existed,
               GError **error)
{
  g_autofree char *dir = g_build_filename (root, "volumes", v->name, NULL);
  g_autofree char *data = volume_mountpoint (root, v->name);
  g_autofree char *path = record_path (root, v->name);

  if (existed)
    *existed = FALSE;
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      if (existed)
        *existed = TRUE;
      if (ignore_existing)
        return TRUE;
      g_set_error (error, VOLUME_ERROR, VOLUME_ERROR_EXISTS,
                   "volume with name %s already exists: volume already exists", v->name);
      return FALSE;
    }
  if (g_mkdir_with_parents (dir, 0700) < 0 || (mkdir (data, 0755) < 0 && errno != EEXIST))
    return errno_error (error, VOLUME_ERROR, VOLUME_ERROR_FAILED, errno, "creating volume %s",
                        data);
  if ((v->uid >= 0 || v->gid >= 0) && lchown (data, v->uid, v->gid) < 0)
    return errno_error (error, VOLUME_ERROR, VOLUME_ERROR_FAILED, errno, "chown %s", data);
  if (!v->created)
    v->created = g_get_real_time ();
  return save_record (root, v, error);
}

gboolean
volume_create (const char *root, Volume *v, gboolean ignore_existing, gboolean *existed,
               GError **error)
{
  autofd int fd = -1;

  if (!v->driver || !*v->driver)
    v->driver = (g_free (v->driver), g_strdup ("local"));
  if (!g_str_equal (v->driver, "local"))
    return gerror_set (error, VOLUME_ERROR, VOLUME_ERROR_INVALID,
                       "volume driver \"%s\": podunit has only the \"local\" driver",
                       v->driver);
  if (!v->name)
    v->name = random_name ();
  if (!name_check ("volume", v->name, error))
    return FALSE;
  if (!check_options (v, error))
    return FALSE;
  if ((fd = lock_root (root, error)) < 0)
    return FALSE;
  return create_locked (root, v, ignore_existing, existed, error);
}

GPtrArray *
volume_list (const char *root, GError **error)
{
  g_autofree char *dir = g_build_filename (root, "volumes", NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) local = NULL;
  g_autoptr (GDir) d = g_dir_open (dir, 0, &local);
  const char *n;

  if (!d)
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        return g_steal_pointer (&names);
      g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  while ((n = g_dir_read_name (d)))
    {
      g_autofree char *data = volume_mountpoint (root, n);
      if (name_check ("volume", n, NULL) && g_file_test (data, G_FILE_TEST_IS_DIR))
        g_ptr_array_add (names, g_strdup (n));
    }
  g_ptr_array_sort (names, name_compare);
  return g_steal_pointer (&names);
}

GPtrArray *
volume_users (const char *root, const char *name, GError **error)
{
  g_autoptr (GPtrArray) ids = container_list (root, error);
  g_autoptr (GPtrArray) users = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *data = volume_mountpoint (root, name);
  g_autofree char *needle = g_strconcat ("source=", data, ",", NULL);

  if (!ids)
    return NULL;
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (ContainerConfig) c = container_config_load (root, ids->pdata[i], NULL);
      for (char **m = c ? c->mounts : NULL; m && *m; m++)
        if (strstr (*m, needle))
          {
            g_ptr_array_add (users, g_strdup (ids->pdata[i]));
            break;
          }
    }
  return g_steal_pointer (&users);
}

/* Mounts a type=/device= volume on its _data unless it is already. */
static gboolean
mount_device (const char *root, Volume *v, GError **error)
{
  VolumeMountPlan plan = { 0 };
  g_autofree char *data = volume_mountpoint (root, v->name);
  const char *type = volume_strv_get (v->options, "type");
  const char *device = volume_strv_get (v->options, "device");

  if (!type || !device || fs_is_mount_point (data))
    return TRUE;
  if (!plan_mount (v, &plan, error))
    return FALSE;
  if (plan.bind)
    {
      if (mount (device, data, NULL, plan.flags & (MS_BIND | MS_REC), NULL) < 0)
        return errno_error (error, VOLUME_ERROR, VOLUME_ERROR_FAILED, errno,
                            "bind mounting the volume device on %s", data);
      if ((plan.flags & ~(MS_BIND | MS_REC))
          && mount (NULL, data, NULL, MS_REMOUNT | MS_BIND | plan.flags, NULL) < 0)
        {
          errno_error (error, VOLUME_ERROR, VOLUME_ERROR_FAILED, errno, "remounting %s", data);
          umount2 (data, MNT_DETACH);
          return FALSE;
        }
      return TRUE;
    }
  g_autofree char *opts = g_string_free (plan.data, FALSE);
  if (mount (device, data, type, plan.flags, opts) < 0)
    return errno_error (error, VOLUME_ERROR, VOLUME_ERROR_FAILED, errno,
                        "mounting the volume's tmpfs on %s", data);
  return TRUE;
}

gboolean
volume_remove (const char *root, const char *name, GError **error)
{
  g_autofree char *dir = g_build_filename (root, "volumes", name, NULL);
  g_autofree char *data = volume_mountpoint (root, name);
  g_autoptr (GPtrArray) users = NULL;
  g_autoptr (Volume) v = NULL;
  autofd int fd = -1;

  if ((fd = lock_root (root, error)) < 0)
    return FALSE;
  if (!(v = volume_load (root, name, error)) || !(users = volume_users (root, name, error)))
    return FALSE;
  if (users->len)
    {
      g_autofree char *list = NULL;
      g_ptr_array_add (users, NULL);
      list = g_strjoinv (", ", (char **)users->pdata);
      g_set_error (error, VOLUME_ERROR, VOLUME_ERROR_IN_USE,
                   "volume %s is being used by the following container(s): %s: volume is "
                   "being used",
                   name, list);
      return FALSE;
    }
  /* Never delete through a mount: that would empty the bound device. */
  for (int i = 0; i < 8 && fs_is_mount_point (data); i++)
    if (umount2 (data, MNT_DETACH) < 0)
      return errno_error (error, VOLUME_ERROR, VOLUME_ERROR_FAILED, errno, "unmounting %s", data);
  if (fs_is_mount_point (data))
    {
      g_set_error (error, VOLUME_ERROR, VOLUME_ERROR_FAILED, "%s is still mounted", data);
      return FALSE;
    }
  return fs_rm_rf (dir, error);
}

char *
volume_ensure (const char *root, const char *name, GError **error)
{
  return ensure (root, name, FALSE, error);
}

static char *
ensure (const char *root, const char *name, gboolean anonymous, GError **error)
{
  g_autoptr (Volume) v = volume_new ();
  g_autoptr (Volume) loaded = NULL;
  g_autofree char *data = volume_mountpoint (root, name);
  autofd int fd = -1;

  if (!name_check ("volume", name, NULL))
    {
      g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID, "invalid volume name \"%s\"", name);
      return NULL;
    }
  if ((fd = lock_root (root, error)) < 0)
    return NULL;
  /* As podman does, -v NAME:/path creates the volume it names. */
  v->name = g_strdup (name);
  v->anonymous = anonymous;
  if (!create_locked (root, v, TRUE, NULL, error) || !(loaded = volume_load (root, name, error))
      || !mount_device (root, loaded, error))
    return NULL;
  return g_steal_pointer (&data);
}

gboolean
volume_remove_anonymous (const char *root, char **mounts, GError **error)
{
  g_autofree char *dir = g_build_filename (root, "volumes", NULL);
  g_autofree char *prefix = g_strconcat (dir, "/", NULL);
  for (char **m = mounts; m && *m; m++)
    {
      const char *src = strstr (*m, "source=");
      g_autofree char *name = NULL;
      g_autoptr (Volume) v = NULL;
      g_autoptr (GError) local = NULL;
      const char *end;
      if (!src || !g_str_has_prefix (src + 7, prefix))
        continue;
      src += 7 + strlen (prefix);
      if (!(end = strstr (src, "/_data,")))
        continue;
      name = g_strndup (src, end - src);
      if (!(v = volume_load (root, name, NULL)) || !v->anonymous)
        continue;
      /* Another container may use it too (--volumes-from): then it stays. */
      if (!volume_remove (root, name, &local)
          && !g_error_matches (local, VOLUME_ERROR, VOLUME_ERROR_IN_USE)
          && !g_error_matches (local, VOLUME_ERROR, VOLUME_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
    }
  return TRUE;
}
