/* SPDX-License-Identifier: Apache-2.0 */
/* The container's mounts (see mount.h for the order and why the overlay
 * lives only in the container's mount namespace). Any failure is fatal to
 * the start, with the path and errno in the message: a container with a
 * missing mask is worse than no container. Paths inside the rootfs are
 * resolved with openat2(RESOLVE_IN_ROOT) so an image's symlinks cannot
 * redirect a mount onto the host. */
#include "sandbox/mount.h"
#include "error.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

G_DEFINE_QUARK (mount-error-quark, mount_error)

const char *const mount_default_masked_paths[] = {
  "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/pressure",
  "/proc/sched_debug", "/proc/scsi", "/proc/timer_list", "/proc/timer_stats",
  "/sys/dev/block", "/sys/devices/virtual/powercap", "/sys/firmware", "/sys/fs/selinux",
  NULL,
};

const char *const mount_default_readonly_paths[] = {
  "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
  NULL,
};

void
mount_entry_free (MountEntry *m)
{
  if (!m)
    return;
  g_free (m->source);
  g_free (m->destination);
  g_free (m->data);
  g_free (m);
}

void
mount_plan_free (MountPlan *p)
{
  if (!p)
    return;
  g_free (p->rootfs);
  g_free (p->lowerdirs);
  g_free (p->upperdir);
  g_free (p->workdir);
  g_free (p->cwd);
  g_free (p->idmap_dir);
  if (p->mounts)
    g_ptr_array_unref (p->mounts);
  g_strfreev (p->masked);
  g_strfreev (p->readonly);
  g_free (p->etc_hosts);
  g_free (p->etc_hostname);
  g_free (p->etc_resolv);
  g_free (p->localtime);
  g_free (p->containerenv);
  g_strfreev (p->devices);
  g_strfreev (p->sysctls);
  g_free (p);
}

static void
add_unless_unmasked (GPtrArray *out, const char *const *defaults, char **unmask)
{
  if (unmask && g_strv_contains ((const char *const *) unmask, "ALL"))
    return;
  for (const char *const *d = defaults; *d; d++)
    if (!unmask || !g_strv_contains ((const char *const *) unmask, *d))
      g_ptr_array_add (out, g_strdup (*d));
}

void
mount_plan_set_masks (MountPlan *p, char **mask, char **unmask)
{
  GPtrArray *masked = g_ptr_array_new ();
  GPtrArray *readonly = g_ptr_array_new ();

  add_unless_unmasked (masked, mount_default_masked_paths, unmask);
  for (char **m = mask; m && *m; m++)
    g_ptr_array_add (masked, g_strdup (*m));
  add_unless_unmasked (readonly, mount_default_readonly_paths, unmask);
  g_ptr_array_add (masked, NULL);
  g_ptr_array_add (readonly, NULL);
  g_strfreev (p->masked);
  g_strfreev (p->readonly);
  p->masked = (char **) g_ptr_array_free (masked, FALSE);
  p->readonly = (char **) g_ptr_array_free (readonly, FALSE);
}

MountEntry *
mount_entry_parse (const char *normalized, GError **error)
{
  g_autoptr (MountEntry) m = g_new0 (MountEntry, 1);
  g_auto (GStrv) parts = g_strsplit (normalized, ",", -1);
  g_autoptr (GString) data = g_string_new (NULL);

  m->recursive = TRUE;
  m->flags = MS_NOSUID | MS_NODEV;
  for (char **p = parts; *p; p++)
    {
      const char *eq = strchr (*p, '=');
      g_autofree char *k = eq ? g_strndup (*p, eq - *p) : g_strdup (*p);
      const char *v = eq ? eq + 1 : NULL;
      if (g_str_equal (k, "type"))
        m->type = g_strcmp0 (v, "tmpfs") == 0 ? MOUNT_TMPFS : MOUNT_BIND;
      else if (g_str_equal (k, "source"))
        m->source = g_strdup (v);
      else if (g_str_equal (k, "destination"))
        m->destination = g_strdup (v);
      else if (g_str_equal (k, "ro"))
        m->read_only = TRUE;
      else if (g_str_equal (k, "chown"))
        m->chown = TRUE;
      else if (g_str_equal (k, "norbind"))
        m->recursive = FALSE;
      else if (g_str_equal (k, "noexec"))
        m->flags |= MS_NOEXEC;
      else if (g_str_equal (k, "exec"))
        m->flags &= ~MS_NOEXEC;
      else if (g_str_equal (k, "suid"))
        m->flags &= ~MS_NOSUID;
      else if (g_str_equal (k, "dev"))
        m->flags &= ~MS_NODEV;
      else if (g_str_equal (k, "size") || g_str_equal (k, "mode"))
        g_string_append_printf (data, "%s%s", data->len ? "," : "", *p);
    }
  if (!m->destination || m->destination[0] != '/' || (m->type == MOUNT_BIND && !m->source))
    {
      g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID, "invalid mount \"%s\"", normalized);
      return NULL;
    }
  if (data->len)
    m->data = g_strdup (data->str);
  return g_steal_pointer (&m);
}

static int
openat2_in_root (int rootfd, const char *path, int flags)
{
  struct open_how how = { .flags = flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
  return syscall (SYS_openat2, rootfd, path, &how, sizeof how);
}

int
mount_open_in_root (int rootfd, const char *path, gboolean file, GError **error)
{
  g_auto (GStrv) comps = g_strsplit (path, "/", -1);
  g_autoptr (GString) prefix = g_string_new ("/");
  int n = g_strv_length (comps), fd = -1;

  fd = openat2_in_root (rootfd, path, O_PATH);
  if (fd >= 0)
    return fd;
  for (int i = 0; i < n; i++)
    {
      autofd int dfd = -1;
      int r;
      if (!*comps[i])
        continue;
      dfd = openat2_in_root (rootfd, prefix->str, O_PATH | O_DIRECTORY);
      if (dfd < 0)
        {
          errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "opening %s", prefix->str);
          return -1;
        }
      g_string_append_printf (prefix, "%s%s", prefix->len > 1 ? "/" : "", comps[i]);
      if (file && i == n - 1)
        {
          autofd int created = openat (dfd, comps[i], O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
                                       0644);
          r = created;
        }
      else
        r = mkdirat (dfd, comps[i], 0755);
      if (r < 0 && errno != EEXIST)
        {
          errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "creating %s", prefix->str);
          return -1;
        }
    }
  fd = openat2_in_root (rootfd, path, O_PATH);
  if (fd < 0)
    errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "opening %s", path);
  return fd;
}

/* Mounts onto @dest inside the root at @rootfd through /proc/self/fd. */
static gboolean
mount_in_root (int rootfd, const char *source, const char *dest, const char *fstype,
               gulong flags, const char *data, gboolean file, GError **error)
{
  char proc[64];
  autofd int fd = mount_open_in_root (rootfd, dest, file, error);
  if (fd < 0)
    return FALSE;
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (mount (source, proc, fstype, flags, data) < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "mounting %s", dest);
  if ((flags & MS_BIND) && (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC)))
    {
      /* A bind mount ignores these flags until remounted, and the remount
       * must name the new mount: the fd above still points below it. */
      gulong re = MS_BIND | MS_REMOUNT | (flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC));
      struct statfs sfs;
      autofd int target = openat2_in_root (rootfd, dest, O_PATH);
      if (target < 0)
        return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "opening %s", dest);
      /* In a user namespace the flags the source mount has are locked: a
       * remount that would clear one fails (EPERM), so keep them. A
       * rootless run dir on /run/user/UID is nosuid,nodev. */
      if (fstatfs (target, &sfs) == 0)
        re |= (sfs.f_flags & ST_NOSUID ? MS_NOSUID : 0) | (sfs.f_flags & ST_NODEV ? MS_NODEV : 0)
              | (sfs.f_flags & ST_NOEXEC ? MS_NOEXEC : 0)
              | (sfs.f_flags & ST_NOATIME ? MS_NOATIME : 0)
              | (sfs.f_flags & ST_NODIRATIME ? MS_NODIRATIME : 0)
              | (sfs.f_flags & ST_RELATIME ? MS_RELATIME : 0);
      snprintf (proc, sizeof proc, "/proc/self/fd/%d", target);
      if (mount (NULL, proc, NULL, re, NULL) < 0)
        return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "remounting %s", dest);
    }
  return TRUE;
}

/* Makes the mount at @path read-only, keeping its @flags (a remount
 * without the locked ones fails in a user namespace). */
static gboolean
remount_ro (int rootfd, const char *path, gulong flags, GError **error)
{
  char proc[64];
  autofd int fd = openat2_in_root (rootfd, path, O_PATH | O_DIRECTORY);
  if (fd < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "opening %s", path);
  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (mount (NULL, proc, NULL, MS_REMOUNT | MS_RDONLY | flags, NULL) < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "remounting %s read-only",
                        path);
  return TRUE;
}

/* A v1 or hybrid host (crun's layout): a tmpfs on /sys/fs/cgroup holding
 * one mount of each hierarchy this process is in ("cpu,cpuacct", with a
 * link from each controller's name; "systemd" for name=systemd; the
 * hybrid's cgroup2 as "unified"), fresh, so that in a cgroup namespace
 * each is rooted at the container's cgroup; then the tmpfs too is made
 * read-only (@ro: 0 for --privileged and systemd mode). */
static gboolean
mount_cgroup_v1 (int rootfd, gulong ro, GError **error)
{
  const gulong flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  autofd int dir = -1;
  struct statfs sfs;

  if (!g_file_get_contents ("/proc/self/cgroup", &text, NULL, error))
    return FALSE;
  if (!mount_in_root (rootfd, "tmpfs", "/sys/fs/cgroup", "tmpfs", flags, "mode=755", FALSE,
                      error))
    return FALSE;
  dir = openat2_in_root (rootfd, "/sys/fs/cgroup", O_PATH | O_DIRECTORY);
  if (dir < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "opening /sys/fs/cgroup");
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, ":", 3);
      g_autofree char *dest = NULL, *data = NULL;
      const char *name, *fstype = "cgroup";
      if (g_strv_length (f) != 3)
        continue;
      if (g_str_equal (f[0], "0") && !*f[1])
        {
          /* the hybrid's unified hierarchy, where the host has it */
          if (statfs ("/sys/fs/cgroup/unified", &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
            continue;
          name = "unified";
          fstype = "cgroup2";
        }
      else if (g_str_has_prefix (f[1], "name="))
        {
          name = f[1] + 5;
          data = g_strconcat ("none,", f[1], NULL);
        }
      else if (*f[1])
        {
          name = f[1];
          data = g_strdup (f[1]);
        }
      else
        continue;
      dest = g_strconcat ("/sys/fs/cgroup/", name, NULL);
      if (!mount_in_root (rootfd, fstype, dest, fstype, flags | ro, data, FALSE, error))
        return FALSE;
      if (strchr (f[1], ',') && !g_str_has_prefix (f[1], "name="))
        {
          g_auto (GStrv) ctl = g_strsplit (f[1], ",", -1);
          for (char **c = ctl; *c; c++)
            if (symlinkat (f[1], dir, *c) < 0 && errno != EEXIST)
              return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno,
                                  "linking /sys/fs/cgroup/%s", *c);
        }
    }
  return !ro || remount_ro (rootfd, "/sys/fs/cgroup", flags, error);
}

static gboolean
setup_dev (int rootfd, const MountPlan *p, GError **error)
{
  static const struct { const char *name; int major, minor; } nodes[] = {
    { "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
    { "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
  };
  static const char *const links[][2] = {
    { "/proc/self/fd", "fd" }, { "/proc/self/fd/0", "stdin" }, { "/proc/self/fd/1", "stdout" },
    { "/proc/self/fd/2", "stderr" }, { "pts/ptmx", "ptmx" }, { "/proc/kcore", "core" },
  };
  g_autofree char *shm = g_strdup_printf ("mode=1777,size=%" G_GINT64_FORMAT "k",
                                          MAX (p->shm_size, 1024) / 1024);
  autofd int dfd = -1;

  if (!mount_in_root (rootfd, "tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME,
                      "mode=755,size=65536k", FALSE, error))
    return FALSE;
  dfd = openat2_in_root (rootfd, "/dev", O_PATH | O_DIRECTORY);
  if (dfd < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "opening /dev");
  for (gsize i = 0; i < G_N_ELEMENTS (nodes); i++)
    {
      g_autofree char *host = g_strconcat ("/dev/", nodes[i].name, NULL);
      g_autofree char *ctr = g_strconcat ("/dev/", nodes[i].name, NULL);
      if (!p->userns)
        {
          if (mknodat (dfd, nodes[i].name, S_IFCHR | 0666, makedev (nodes[i].major, nodes[i].minor))
              < 0)
            return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "creating %s", ctr);
          fchmodat (dfd, nodes[i].name, 0666, 0);
        }
      else if (!mount_in_root (rootfd, host, ctr, NULL, MS_BIND, NULL, TRUE, error))
        return FALSE;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (links); i++)
    if (symlinkat (links[i][0], dfd, links[i][1]) < 0 && errno != EEXIST)
      return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "creating /dev/%s",
                          links[i][1]);
  /* gid=5 (tty) only where it exists: a rootless namespace of the user's
   * own id alone has no gid 5 (EINVAL), as podman drops it then. */
  return (mount_in_root (rootfd, "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                         "newinstance,ptmxmode=0666,mode=620,gid=5", FALSE, NULL)
          || mount_in_root (rootfd, "devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                            "newinstance,ptmxmode=0666,mode=620", FALSE, error))
         && mount_in_root (rootfd, "shm", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
                           shm, FALSE, error)
         && mount_in_root (rootfd, "mqueue", "/dev/mqueue", "mqueue",
                           MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, FALSE, error);
}

static gboolean
setup_device (int rootfd, const char *spec, GError **error)
{
  g_auto (GStrv) parts = g_strsplit (spec, ":", 3);
  const char *host = parts[0], *ctr = parts[1] && *parts[1] == '/' ? parts[1] : parts[0];
  struct stat st;
  if (stat (host, &st) < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "--device %s", host);
  return mount_in_root (rootfd, host, ctr, NULL, MS_BIND, NULL, !S_ISDIR (st.st_mode), error);
}

static gboolean
is_virtual_console (const char *name)
{
  if (!g_str_has_prefix (name, "tty") || !name[3])
    return FALSE;
  for (const char *c = name + 3; *c; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  return TRUE;
}

static void
add_host_devices (GPtrArray *out, const char *dir, gboolean systemd)
{
  static const char *const skip_dirs[] = { "pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts",
                                           ".udev", NULL };
  static const char *const skip_nodes[] = { "console", "ptmx", "null", "zero", "full", "random",
                                            "urandom", "tty", NULL };
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;
  gboolean top = g_str_equal (dir, "/dev");
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      struct stat st;
      if (lstat (path, &st) < 0)
        continue;
      if (S_ISDIR (st.st_mode))
        {
          if (!(top && g_strv_contains (skip_dirs, name)))
            add_host_devices (out, path, systemd);
          continue;
        }
      if (!S_ISCHR (st.st_mode) && !S_ISBLK (st.st_mode))
        continue;
      if (top && (g_strv_contains (skip_nodes, name) || (systemd && is_virtual_console (name))))
        continue;
      g_ptr_array_add (out, g_steal_pointer (&path));
    }
}

char **
mount_host_devices (char **extra, gboolean systemd)
{
  GPtrArray *out = g_ptr_array_new ();
  add_host_devices (out, "/dev", systemd);
  for (char **e = extra; e && *e; e++)
    g_ptr_array_add (out, g_strdup (*e));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

static gboolean
setup_user_mount (int rootfd, const MountPlan *p, const MountEntry *m, GError **error)
{
  if (m->type == MOUNT_TMPFS)
    return mount_in_root (rootfd, "tmpfs", m->destination, "tmpfs",
                          m->flags | (m->read_only ? MS_RDONLY : 0),
                          m->data ? m->data : "mode=1777", FALSE, error);
  {
    struct stat st;
    if (stat (m->source, &st) < 0)
      return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "bind mount source %s",
                          m->source);
    if (m->chown && lchown (m->source, p->chown_uid, p->chown_gid) < 0)
      return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "chown %s", m->source);
    if (m->owner && lchown (m->source, m->owner_uid, m->owner_gid) < 0)
      return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "chown %s", m->source);
    return mount_in_root (rootfd, m->source, m->destination, NULL,
                          MS_BIND | (m->recursive ? MS_REC : 0) | (m->read_only ? MS_RDONLY : 0)
                              | (m->flags & MS_NOEXEC),
                          NULL, !S_ISDIR (st.st_mode), error);
  }
}

static gboolean
write_sysctl (const char *kv, GError **error)
{
  const char *eq = strchr (kv, '=');
  g_autofree char *key = eq ? g_strndup (kv, eq - kv) : NULL;
  g_autofree char *path = NULL;
  autofd int fd = -1;
  if (!key)
    {
      g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_INVALID, "--sysctl %s: expected KEY=VALUE",
                   kv);
      return FALSE;
    }
  g_strdelimit (key, ".", '/');
  path = g_strconcat ("/proc/sys/", key, NULL);
  fd = open (path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, eq + 1, strlen (eq + 1)) < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "--sysctl %s", kv);
  return TRUE;
}

/* After pivot_root: hide (masked) or freeze (read-only) kernel interfaces. */
static gboolean
apply_masks (const MountPlan *p, GError **error)
{
  for (char **m = p->masked; m && *m; m++)
    {
      struct stat st;
      if (lstat (*m, &st) < 0)
        continue; /* not present on this kernel: nothing to hide */
      if (S_ISDIR (st.st_mode))
        {
          if (mount ("tmpfs", *m, "tmpfs", MS_RDONLY, "size=0k") < 0)
            return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "masking %s", *m);
        }
      else if (mount ("/dev/null", *m, NULL, MS_BIND, NULL) < 0)
        return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "masking %s", *m);
    }
  for (char **r = p->readonly; r && *r; r++)
    {
      if (access (*r, F_OK) < 0)
        continue;
      if (mount (*r, *r, NULL, MS_BIND | MS_REC, NULL) < 0
          || mount (NULL, *r, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV
                                    | MS_NOEXEC, NULL) < 0)
        return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "making read-only %s",
                            *r);
    }
  return TRUE;
}

/* The new mount API (Linux 5.12 for MOUNT_ATTR_IDMAP), through syscall():
 * RHEL 9's glibc has no wrappers. */
#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef MOUNT_ATTR_IDMAP
#define MOUNT_ATTR_IDMAP 0x00100000
#endif
struct podunit_mount_attr {
  guint64 attr_set, attr_clr, propagation, userns_fd;
};

/* @src seen through @userns's maps, mounted at @dst (created). */
static gboolean
mount_idmapped (const char *src, const char *dst, int userns, GError **error)
{
  struct podunit_mount_attr a = { .attr_set = MOUNT_ATTR_IDMAP, .userns_fd = userns };
  autofd int tree = -1;
  if (mkdir (dst, 0700) < 0 && errno != EEXIST)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "creating %s", dst);
  tree = syscall (SYS_open_tree, AT_FDCWD, src, OPEN_TREE_CLONE | O_CLOEXEC);
  if (tree < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "cloning the mount of %s",
                        src);
  if (syscall (SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &a, sizeof a) < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno,
                        "idmapping %s (its file system must support idmapped mounts)", src);
  if (syscall (SYS_move_mount, tree, "", AT_FDCWD, dst, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "mounting %s", dst);
  return TRUE;
}

/* The overlay's options; with an idmap, every layer is first mounted
 * idmapped under p->idmap_dir. The upper dir is not: overlay creates its
 * work dirs and copies up with the mounter's ids (root's), which an
 * idmapped mount of these maps cannot write; it belongs to the
 * container's root instead (launch.c), as podman's does. */
static char *
overlay_options (const MountPlan *p, GError **error)
{
  g_autofree char *lowers = NULL;
  if (!p->idmap_dir)
    lowers = g_strdup (p->lowerdirs);
  else
    {
      g_auto (GStrv) l = g_strsplit (p->lowerdirs, ":", -1);
      if (mkdir (p->idmap_dir, 0700) < 0 && errno != EEXIST)
        {
          errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "creating %s",
                       p->idmap_dir);
          return NULL;
        }
      for (guint i = 0; l[i]; i++)
        {
          char *dst = g_strdup_printf ("%s/%u", p->idmap_dir, i);
          if (!mount_idmapped (l[i], dst, p->idmap_userns, error))
            {
              g_free (dst);
              return NULL;
            }
          g_free (l[i]);
          l[i] = dst;
        }
      lowers = g_strjoinv (":", l);
    }
  /* volatile: a --rm container's changes are thrown away, so unmounting
   * need not wait for them to reach the disk (hundreds of ms on ext4). */
  return g_strdup_printf ("lowerdir=%s,upperdir=%s,workdir=%s%s%s", lowers, p->upperdir,
                          p->workdir, p->userns ? ",userxattr" : "",
                          p->volatile_upper ? ",volatile" : "");
}

gboolean
mount_setup_rootfs (const MountPlan *p, GError **error)
{
  g_autofree char *ovl = NULL;
  autofd int rootfd = -1;

  /* Nothing we mount may propagate back to the host. */
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "making private /");
  ovl = overlay_options (p, error);
  if (!ovl)
    return FALSE;
  if (mount ("overlay", p->rootfs, "overlay", 0, ovl) < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno,
                        "mounting overlay rootfs at %s", p->rootfs);
  rootfd = open (p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "opening %s", p->rootfs);

  if (!mount_in_root (rootfd, "proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL,
                      FALSE, error))
    return FALSE;
  if (p->new_netns)
    {
      if (!mount_in_root (rootfd, "sysfs", "/sys", "sysfs",
                          MS_NOSUID | MS_NODEV | MS_NOEXEC | (p->privileged ? 0 : MS_RDONLY),
                          NULL, FALSE, error))
        return FALSE;
    }
  /* The host's network namespace (--network host) keeps the host's sysfs:
   * bound without its submounts, so the host's cgroup2 mount is not already
   * on /sys/fs/cgroup when the container's own goes there (EBUSY), and
   * nothing below /sys stays writable. */
  else if (!mount_in_root (rootfd, "/sys", "/sys", NULL,
                           MS_BIND | (p->privileged ? 0 : MS_RDONLY) | MS_NOSUID | MS_NODEV
                               | MS_NOEXEC
                               /* In a user namespace the host's submounts are locked
                                * to it: a bind without them is refused (EINVAL). */
                               | (p->userns ? MS_REC : 0),
                           NULL, FALSE, error))
    return FALSE;
  if (!setup_dev (rootfd, p, error))
    return FALSE;
  /* On a unified host the container sees its own cgroup (the namespace's
   * root), read-only, as podman shows it. v1/hybrid: crun's layout (below). */
  {
    struct statfs sfs;
    gulong ro = p->privileged || p->systemd ? 0 : MS_RDONLY;
    if (statfs ("/sys/fs/cgroup", &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC)
      {
        if (!(p->userns && !p->new_netns) /* the host's came along with /sys (above) */
            && !mount_in_root (rootfd, "cgroup2", "/sys/fs/cgroup", "cgroup2",
                               MS_NOSUID | MS_NODEV | MS_NOEXEC | ro, NULL, FALSE, error))
          return FALSE;
      }
    /* a user namespace may not mount v1 hierarchies: nothing there */
    else if (!p->userns && !mount_cgroup_v1 (rootfd, ro, error))
      return FALSE;
  }
  {
    const char *etc[][2] = { { p->etc_hosts, "/etc/hosts" },
                             { p->etc_hostname, "/etc/hostname" },
                             { p->etc_resolv, "/etc/resolv.conf" },
                             { p->localtime, "/etc/localtime" } };
    for (gsize i = 0; i < G_N_ELEMENTS (etc); i++)
      if (etc[i][0])
        {
          /* An image's /etc/localtime is usually a symlink: replace it. */
          if (i == 3)
            {
              g_autofree char *lt = g_build_filename (p->rootfs, "etc/localtime", NULL);
              struct stat st;
              if (lstat (lt, &st) == 0 && S_ISLNK (st.st_mode))
                unlink (lt);
            }
          if (!mount_in_root (rootfd, etc[i][0], etc[i][1], NULL, MS_BIND, NULL, TRUE, error))
            return FALSE;
        }
  }
  /* An image without /etc/mtab gets podman's symlink to /proc/mounts,
   * which mount(8), df and the like read. */
  {
    autofd int etcfd = openat2_in_root (rootfd, "/etc", O_PATH | O_DIRECTORY);
    struct stat st;
    if (etcfd >= 0 && fstatat (etcfd, "mtab", &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT
        && symlinkat ("/proc/mounts", etcfd, "mtab") < 0 && errno != EEXIST)
      return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno,
                          "creating /etc/mtab in %s", p->rootfs);
  }
  if (p->read_only && p->read_only_tmpfs)
    for (const char *const *t = (const char *const[]){ "/run", "/tmp", "/var/tmp", NULL }; *t;
         t++)
      if (!(p->systemd && !g_str_equal (*t, "/var/tmp"))
          && !mount_in_root (rootfd, "tmpfs", *t, "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777",
                             FALSE, error))
        return FALSE;
  /* systemd mode (podman's): /run not world-writable, unless a mount of
   * the user's goes there */
  if (p->systemd)
    {
      static const char *const sd[][2] = { { "/run", "mode=755,size=65536k" },
                                           { "/run/lock", "mode=755,size=65536k" },
                                           { "/tmp", "mode=1777" },
                                           { "/var/log/journal", "mode=755" } };
      for (gsize i = 0; i < G_N_ELEMENTS (sd); i++)
        {
          gboolean user = FALSE;
          for (guint j = 0; p->mounts && j < p->mounts->len; j++)
            user = user || g_str_equal (((MountEntry *) p->mounts->pdata[j])->destination, sd[i][0]);
          if (!user && !mount_in_root (rootfd, "tmpfs", sd[i][0], "tmpfs", MS_NOSUID | MS_NODEV,
                                       sd[i][1], FALSE, error))
            return FALSE;
        }
    }
  for (guint i = 0; p->mounts && i < p->mounts->len; i++)
    if (!setup_user_mount (rootfd, p, p->mounts->pdata[i], error))
      return FALSE;
  /* podman's marker that this is a container: not on a /run the user
   * bound from the host (it would land in the host's directory). */
  if (p->containerenv)
    {
      gboolean run_bound = FALSE;
      for (guint i = 0; p->mounts && i < p->mounts->len; i++)
        {
          const MountEntry *m = p->mounts->pdata[i];
          run_bound = run_bound || (m->type == MOUNT_BIND && g_str_equal (m->destination, "/run"));
        }
      if (!run_bound
          && !mount_in_root (rootfd, p->containerenv, "/run/.containerenv", NULL,
                             MS_BIND | MS_RDONLY, NULL, TRUE, error))
        return FALSE;
    }
  for (char **d = p->devices; d && *d; d++)
    if (!setup_device (rootfd, *d, error))
      return FALSE;
  if (p->cwd && p->cwd_must_exist)
    {
      autofd int fd = openat2_in_root (rootfd, p->cwd, O_PATH | O_DIRECTORY);
      if (fd < 0)
        {
          g_set_error (error, MOUNT_ERROR, MOUNT_ERROR_NO_WORKDIR,
                       "workdir \"%s\" does not exist on container", p->cwd);
          return FALSE;
        }
    }
  else if (p->cwd)
    {
      autofd int fd = mount_open_in_root (rootfd, p->cwd, FALSE, error);
      if (fd < 0)
        return FALSE;
    }
  /* --read-only-tmpfs=false: podman leaves no writable /dev either */
  if (p->read_only && !p->read_only_tmpfs
      && !(remount_ro (rootfd, "/dev/shm", MS_NOSUID | MS_NODEV | MS_NOEXEC, error)
           && remount_ro (rootfd, "/dev", MS_NOSUID | MS_STRICTATIME, error)))
    return FALSE;
  if (p->read_only
      && mount (NULL, p->rootfs, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "making read-only %s",
                        p->rootfs);

  return TRUE;
}

gboolean
mount_enter_rootfs (const MountPlan *p, GError **error)
{
  autofd int rootfd = open (p->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "opening %s", p->rootfs);
  /* pivot_root(".", ".") stacks the old root under the new one; detaching
   * it leaves only the container's tree (no temporary dir needed). */
  if (fchdir (rootfd) < 0 || syscall (SYS_pivot_root, ".", ".") < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "pivot_root to %s",
                        p->rootfs);
  if (umount2 (".", MNT_DETACH) < 0 || chdir ("/") < 0)
    return errno_error (error, MOUNT_ERROR, MOUNT_ERROR_FAILED, errno, "detaching old root of %s",
                        p->rootfs);
  for (char **s = p->sysctls; s && *s; s++)
    if (!write_sysctl (*s, error))
      return FALSE;
  return apply_masks (p, error);
}
