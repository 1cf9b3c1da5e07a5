/* SPDX-License-Identifier: Apache-2.0 */
/* resolve image -> prepare rootfs plan -> spawn -> supervise (see launch.h). */
#include "config.h"

#include "container/launch.h"
#include "supervisor/events.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "container/hooks.h"
#include "container/user.h"
#include "systemd/cgroup.h"
#include "sandbox/userns.h"
#include "error.h"
#include "fdio.h"
#include "systemd/health.h"
#include "systemd/notify.h"
#include "image/store.h"
#include "net/attach.h"
#include "net/pasta.h"
#include "supervisor/ctr-log.h"
#include "supervisor/supervisor.h"
#include "systemd/journal.h"
#include "image/store-fs.h"

#define set_err(error, code, ...) gerror_set (error, SPAWN_ERROR, code, __VA_ARGS__)

/* The lowest dir that has @file, searching the overlay's lower dirs top
 * first: enough to read /etc/passwd before the overlay is mounted. */
static char *
lower_with_file (char **lowers, const char *file)
{
  for (char **l = lowers; *l; l++)
    {
      g_autofree char *p = g_build_filename (*l, file, NULL);
      if (access (p, F_OK) == 0)
        return g_strdup (*l);
    }
  return g_strdup (lowers[0]);
}

/* A file in the container's run dir, replaced by a rename: a running
 * container has the old one bind-mounted (exec prepares again) and must
 * keep seeing it whole. */
static gboolean
write_run_file (const char *path, const char *contents, GError **error)
{
  if (write_file_atomic (AT_FDCWD, path, contents, strlen (contents), 0644, 0) < 0)
    return errno_error (error, SPAWN_ERROR, 125, errno, "writing %s", path);
  return TRUE;
}

/* A file of the run dir that a starting container's child may have
 * bind-mounted already (it sets up its root while the network is
 * attached, spawn.h), rewritten in place: a rename would leave it the old
 * file. Nothing of the container runs before the start's "go". */
static gboolean
rewrite_run_file (const char *path, const char *contents, GError **error)
{
  autofd int fd = open (path, O_WRONLY | O_TRUNC | O_CLOEXEC);
  if (fd < 0 || fd_write_all (fd, contents, strlen (contents)) < 0)
    return errno_error (error, SPAWN_ERROR, 125, errno, "writing %s", path);
  return TRUE;
}

static gboolean
write_etc_files (ContainerConfig *c, const char *rundir, MountPlan *p,
                 GError **error)
{
  g_autoptr (GString) hosts = g_string_new (NULL);
  g_autoptr (GString) resolv = g_string_new (NULL);
  g_autofree char *hostname = g_strconcat (c->hostname, "\n", NULL);
  g_autofree char *containerenv = NULL;

  for (char **h = c->add_host; h && *h; h++)
    {
      const char *colon = strchr (*h, ':');
      g_autofree char *name = g_strndup (*h, colon - *h);
      g_string_append_printf (hosts, "%s\t%s\n", colon + 1, name);
    }
  g_string_append (hosts, "127.0.0.1\tlocalhost localhost.localdomain localhost4 "
                          "localhost4.localdomain4\n"
                          "::1\tlocalhost localhost.localdomain localhost6 "
                          "localhost6.localdomain6\n");
  g_string_append_printf (hosts, "127.0.1.1\t%s %s\n", c->hostname, c->name);

  if (c->dns && *c->dns)
    {
      for (char **d = c->dns; *d; d++)
        g_string_append_printf (resolv, "nameserver %s\n", *d);
    }
  else
    {
      g_autofree char *host = NULL;
      g_auto (GStrv) lines = NULL;
      if (g_file_get_contents ("/etc/resolv.conf", &host, NULL, NULL))
        lines = g_strsplit (host, "\n", -1);
      for (char **l = lines; l && *l; l++)
        {
          /* The host's loopback resolver is unreachable from a private
           * network namespace. */
          if (g_str_has_prefix (*l, "nameserver") && strstr (*l, "127.")
              && g_strcmp0 (c->network, "host") != 0)
            continue;
          if ((g_str_has_prefix (*l, "search") && c->dns_search)
              || (g_str_has_prefix (*l, "options") && c->dns_option))
            continue;
          if (**l)
            g_string_append_printf (resolv, "%s\n", *l);
        }
      /* pasta forwards its link-local address to the host's resolver,
       * which may be a loopback one the namespace cannot reach. */
      if (net_is_pasta (c->network) && !strstr (resolv->str, "nameserver"))
        g_string_append (resolv, "nameserver " NET_PASTA_DNS "\n");
    }
  if (c->dns_search && *c->dns_search)
    {
      g_autofree char *s = g_strjoinv (" ", c->dns_search);
      g_string_append_printf (resolv, "search %s\n", s);
    }
  if (c->dns_option && *c->dns_option)
    {
      g_autofree char *s = g_strjoinv (" ", c->dns_option);
      g_string_append_printf (resolv, "options %s\n", s);
    }

  p->etc_hosts = g_build_filename (rundir, "hosts", NULL);
  p->etc_hostname = c->no_hostname ? NULL : g_build_filename (rundir, "hostname", NULL);
  p->etc_resolv = g_build_filename (rundir, "resolv.conf", NULL);
  p->containerenv = g_build_filename (rundir, "containerenv", NULL);
  /* podman tells a privileged container who it is (its engine names
   * itself: podunit) */
  if (c->privileged)
    containerenv = g_strdup_printf ("engine=\"podunit-%s\"\nname=\"%s\"\nid=\"%s\"\n"
                                    "image=\"%s\"\nimageid=\"%s\"\nrootless=%d\n",
                                    PODUNIT_VERSION, c->name, c->id, c->image,
                                    c->image_id ? c->image_id : "", userns_is_initial () ? 0 : 1);
  /* Regenerated at every start; nothing needs them to survive a crash. */
  if (!write_run_file (p->etc_hosts, hosts->str, error)
      || (p->etc_hostname && !write_run_file (p->etc_hostname, hostname, error))
      || !write_run_file (p->etc_resolv, resolv->str, error)
      || !write_run_file (p->containerenv, containerenv ? containerenv : "", error))
    {
      (*error)->code = 125;
      (*error)->domain = SPAWN_ERROR;
      return FALSE;
    }
  return TRUE;
}

static char **
layer_dirs (const LaunchOptions *o, ContainerConfig *c, GError **error)
{
  g_autoptr (Store) store = NULL;
  g_autoptr (StoreRunImage) img = NULL;
  const char *const *dirs;
  GPtrArray *out;
  guint n;

  if (!c->image_id)
    return g_strsplit (c->image, ":", -1); /* --rootfs DIR */
  if (c->layer_dirs)
    dirs = (const char *const *) c->layer_dirs; /* run looked the image up */
  else
    {
      store = store_open (o->root, o->runroot, error);
      if (!store)
        return NULL;
      img = store_lookup_run_image (store, c->image_id, error);
      if (!img)
        return NULL;
      dirs = (const char *const *)img->layer_dirs;
    }
  n = g_strv_length ((char **) dirs);
  out = g_ptr_array_new ();
  for (guint i = n; i > 0; i--)
    g_ptr_array_add (out, g_strdup (dirs[i - 1]));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* Everything but the pid: spec, plan and seccomp program for @c, filled
 * by the prepare_* steps below, in prepare()'s order. */
typedef struct {
  SpawnSpec spec;
  MountPlan *plan;
  SeccompProgram *seccomp;
  char **lowers; /* the image's layer dirs, top first */
  char *rundir;  /* RUNROOT/containers/<id> */
  char **env;
  char *home;
  int devnull;
  int cgroup_fd; /* spec.cgroup_fd's owner */
  gboolean for_exec; /* exec's prepare: the namespaces exist, nothing is set up */
  int auto_lock;  /* RUNROOT/userns-auto.lock, held until the container exists */
  int idmap_fd;  /* plan->idmap_userns's owner (-1: no idmapped layers) */
  uid_t idmap_uid; /* then the container's root on the host */
  gid_t idmap_gid;
  int join_ns[5]; /* spec.join_ns's and (last) spec.join_pidns's owner */
  struct {
    const LaunchOptions *o;
    ContainerConfig *c;
  } net; /* attach_network's */
  struct {
    const LaunchOptions *o;
    ContainerConfig *c;
    HookSet *set; /* NULL: no hooks */
  } hooks; /* run_spawn_hooks' */
} Launch;

static void
launch_init (Launch *l)
{
  memset (l, 0, sizeof *l);
  l->devnull = -1;
  l->cgroup_fd = l->spec.cgroup_fd = -1;
  l->idmap_fd = l->auto_lock = -1;
  for (int i = 0; i < 3; i++)
    l->spec.stdio[i] = -1;
  for (int i = 0; i < 5; i++)
    l->join_ns[i] = -1;
  for (int i = 0; i < 4; i++)
    l->spec.join_ns[i] = -1;
  l->spec.join_pidns = -1;
}

static void
launch_clear (Launch *l)
{
  spawn_spec_clear (&l->spec);
  g_clear_pointer (&l->plan, mount_plan_free);
  g_clear_pointer (&l->seccomp, seccomp_program_free);
  g_clear_pointer (&l->lowers, g_strfreev);
  g_clear_pointer (&l->rundir, g_free);
  g_clear_pointer (&l->env, g_strfreev);
  g_clear_pointer (&l->home, g_free);
  g_clear_pointer (&l->hooks.set, hook_set_free);
  if (l->devnull >= 0)
    close (l->devnull);
  l->devnull = -1;
  if (l->cgroup_fd >= 0)
    close (l->cgroup_fd);
  l->cgroup_fd = l->spec.cgroup_fd = -1;
  if (l->idmap_fd >= 0)
    close (l->idmap_fd);
  if (l->auto_lock >= 0)
    close (l->auto_lock);
  l->idmap_fd = l->auto_lock = -1;
  for (int i = 0; i < 5; i++)
    {
      if (l->join_ns[i] >= 0)
        close (l->join_ns[i]);
      l->join_ns[i] = -1;
    }
  for (int i = 0; i < 4; i++)
    l->spec.join_ns[i] = -1;
  l->spec.join_pidns = -1;
}

static char **
env_with_defaults (ContainerConfig *c, const char *home)
{
  GPtrArray *out = g_ptr_array_new ();
  for (char **e = c->env; e && *e; e++)
    g_ptr_array_add (out, g_strdup (*e));
  if (!container_strv_get (c->env, "HOME"))
    g_ptr_array_add (out, g_strconcat ("HOME=", home, NULL));
  if (!container_strv_get (c->env, "HOSTNAME"))
    g_ptr_array_add (out, g_strconcat ("HOSTNAME=", c->hostname, NULL));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* The user-namespace step (userns.h): the container's own namespace
 * and maps, if it gets one; a keep-id container runs as the user's id
 * unless --user says otherwise. */
/* The host ranges of a uid_map or gid_map (those of the initial
 * namespace, 0 0 4294967295, are none) appended to @used. */
static void
add_used_ranges (const char *path, GArray *used)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    return;
  lines = g_strsplit (text, "\n", -1);
  for (char **line = lines; *line; line++)
    {
      unsigned a, b, n;
      if (sscanf (*line, " %u %u %u", &a, &b, &n) == 3 && !(b == 0 && n == G_MAXUINT32))
        {
          IdMapping m = { a, b, n };
          g_array_append_val (used, m);
        }
    }
}

/* root's --userns=auto: under RUNROOT/userns-auto.lock (held until the
 * container runs, so two starts cannot take the same ids), the host ids
 * of every running container, which the new one's leave out. */
static gboolean
auto_used_ids (const LaunchOptions *o, Launch *l, UsernsHost *host, GError **error)
{
  g_autofree char *lock = g_build_filename (o->runroot, "userns-auto.lock", NULL);
  g_autoptr (GPtrArray) ids = NULL;
  l->auto_lock = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (l->auto_lock < 0 || flock (l->auto_lock, LOCK_EX) < 0)
    return errno_error (error, SPAWN_ERROR, 125, errno, "locking %s", lock);
  ids = container_list (o->root, error);
  if (!ids)
    return FALSE;
  host->used_uids = g_array_new (FALSE, FALSE, sizeof (IdMapping));
  host->used_gids = g_array_new (FALSE, FALSE, sizeof (IdMapping));
  for (guint i = 0; i < ids->len; i++)
    {
      ContainerState st;
      char path[64];
      if (!container_state_load (o->runroot, ids->pdata[i], &st, NULL)
          || !container_status_alive (st.status) || st.pid <= 0 || !container_pid_running (st.pid))
        continue;
      g_snprintf (path, sizeof path, "/proc/%d/uid_map", (int) st.pid);
      add_used_ranges (path, host->used_uids);
      g_snprintf (path, sizeof path, "/proc/%d/gid_map", (int) st.pid);
      add_used_ranges (path, host->used_gids);
    }
  return TRUE;
}

static gboolean
prepare_userns (const LaunchOptions *o, ContainerConfig *c, Launch *l, GError **error)
{
  g_auto (UsernsMode) m;
  g_autoptr (GArray) umap = NULL;
  g_autoptr (GArray) gmap = NULL;
  UsernsHost host = { .rootless = !userns_is_initial (), .subuid_file = "/etc/subuid",
                      .subgid_file = "/etc/subgid" };
  gint64 ku = -1, kg = -1;

  if (!userns_mode_parse (c->userns, &m, error))
    return FALSE;
  for (char **u = c->uidmap; u && *u; u++)
    if (!userns_mapping_parse (*u, "--uidmap", m.uidmap ? m.uidmap
                                   : (m.uidmap = g_array_new (FALSE, FALSE, sizeof (IdMapping))),
                               error))
      return FALSE;
  for (char **u = c->gidmap; u && *u; u++)
    if (!userns_mapping_parse (*u, "--gidmap", m.gidmap ? m.gidmap
                                   : (m.gidmap = g_array_new (FALSE, FALSE, sizeof (IdMapping))),
                               error))
      return FALSE;
  gboolean ok = !host.rootless || userns_rootless_host (&host, error);
  /* exec joins the namespaces the start made: their ids are in use by
   * then, and nothing here is set up again. */
  if (ok && !host.rootless && !l->for_exec && m.kind == USERNS_AUTO && !m.uidmap && !m.gidmap)
    ok = auto_used_ids (o, l, &host, error);
  ok = ok && userns_resolve (&m, c->subuidname, c->subgidname, &host, &umap, &gmap, &ku, &kg,
                             error);
  userns_host_clear (&host);
  if (!ok)
    return FALSE;
  if (!umap)
    return TRUE;
  /* The store's layers belong to the caller's root: a root container
   * whose root is some other host id sees them through idmapped mounts
   * (mount.h) of a namespace with its maps. Rootless containers need none:
   * their layers were unpacked in the rootless namespace. */
  if ((userns_map_id (umap, 0) != 0 || userns_map_id (gmap, 0) != 0) && !host.rootless
      && !l->for_exec)
    {
      l->idmap_fd = userns_open_mapped (umap, gmap, error);
      if (l->idmap_fd < 0)
        return FALSE;
      l->idmap_uid = userns_map_id (umap, 0);
      l->idmap_gid = userns_map_id (gmap, 0);
    }
  l->spec.clone_flags |= CLONE_NEWUSER;
  l->spec.uid_map = userns_map_text (umap);
  l->spec.gid_map = userns_map_text (gmap);
  if (!c->user || !*c->user)
    {
      if (ku >= 0)
        l->spec.uid = ku;
      if (kg >= 0)
        l->spec.gid = kg;
    }
  return TRUE;
}

/* The image's layers, and the run dir that holds /etc/hosts & co. */
static gboolean
prepare_layers (const LaunchOptions *o, ContainerConfig *c, Launch *l, GError **error)
{
  l->lowers = layer_dirs (o, c, error);
  if (!l->lowers)
    return FALSE;
  if (!*l->lowers)
    return set_err (error, 125, "image %s has no layers", c->image);
  l->rundir = container_run_dir (o->runroot, c->id);
  if (g_mkdir_with_parents (l->rundir, 0700) < 0)
    return errno_error (error, SPAWN_ERROR, 125, errno, "creating %s", l->rundir);
  return TRUE;
}

/* --user and --group-add, looked up in the image's /etc/passwd and
 * /etc/group before it is mounted. */
static gboolean
prepare_user (ContainerConfig *c, Launch *l, GError **error)
{
  g_autofree char *passwd_root = lower_with_file (l->lowers, "etc/passwd");
  uid_t uid;
  gid_t gid;

  if (!container_user_resolve (c->user, passwd_root, &uid, &gid, &l->home, error))
    return FALSE;
  l->spec.uid = uid;
  l->spec.gid = gid;
  l->spec.groups = g_array_new (FALSE, FALSE, sizeof (gid_t));
  return container_user_groups (c->user, gid, c->group_add, passwd_root, l->spec.groups, error);
}

/* The root filesystem: an overlay of the image's layers under the
 * container's upper dir, mounted at RUNDIR/merged. */
static gboolean
prepare_rootfs (const LaunchOptions *o, ContainerConfig *c, Launch *l, GError **error)
{
  g_autofree char *cdir = container_dir (o->root, c->id);
  MountPlan *p = l->plan = g_new0 (MountPlan, 1);

  p->rootfs = g_build_filename (l->rundir, "merged", NULL);
  if (mkdir (p->rootfs, 0755) < 0 && errno != EEXIST)
    return errno_error (error, SPAWN_ERROR, 125, errno, "creating %s", p->rootfs);
  p->upperdir = g_build_filename (cdir, "upper", NULL);
  p->workdir = g_build_filename (cdir, "work", NULL);
  p->lowerdirs = g_strjoinv (":", l->lowers);
  /* (--no-hostname: not there either, where the image has no
   * /etc/hostname.) */
  if (c->auto_remove && !c->no_hostname)
    {
      /* The targets of /etc/hosts & co where the image has none, below
       * its layers (store.h); only for --rm, whose upper dir nobody diffs
       * or commits after it ran: a kept container's upper dir still gets
       * them, as before. */
      g_autofree char *mp = store_mountpoints_layer (o->root, o->runroot, error);
      g_autofree char *all = NULL;
      if (!mp)
        return FALSE;
      all = g_strconcat (p->lowerdirs, ":", mp, NULL);
      g_free (p->lowerdirs);
      p->lowerdirs = g_steal_pointer (&all);
    }
  p->volatile_upper = c->auto_remove;
  p->read_only = c->read_only;
  p->read_only_tmpfs = c->read_only_tmpfs;
  p->cwd = c->workdir && *c->workdir ? g_strdup (c->workdir) : NULL;
  p->cwd_must_exist = c->workdir_must_exist;
  p->chown_uid = l->spec.uid;
  p->chown_gid = l->spec.gid;
  if (l->idmap_fd >= 0)
    {
      p->idmap_userns = l->idmap_fd;
      p->idmap_dir = g_build_filename (l->rundir, "idmap", NULL);
      /* The container's root writes its upper dir: files it creates are
       * its host ids there, as on a volume. */
      if (chown (p->upperdir, l->idmap_uid, l->idmap_gid) < 0)
        return errno_error (error, SPAWN_ERROR, 125, errno, "chown %s", p->upperdir);
    }
  return TRUE;
}

static const char *network_container (const ContainerConfig *c);
static gboolean joins (const ContainerConfig *c, const char *ns);

/* A pod member shares its infra's /etc/hosts and resolv.conf (the
 * infra's address, the network's DNS server), as podman's members do;
 * its hosts file also names the member at the pod's address. */
static gboolean
write_pod_etc_files (const LaunchOptions *o, ContainerConfig *c, const char *infra_id,
                     MountPlan *p, GError **error)
{
  g_autofree char *irun = container_run_dir (o->runroot, infra_id);
  g_autofree char *ihosts = g_build_filename (irun, "hosts", NULL);
  g_autofree char *iresolv = g_build_filename (irun, "resolv.conf", NULL);
  g_autofree char *hosts = NULL, *resolv = NULL, *addr = NULL;
  g_autoptr (ContainerConfig) infra = container_config_load (o->root, infra_id, error);
  g_autoptr (GString) out = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;

  if (!infra || !g_file_get_contents (ihosts, &hosts, NULL, error)
      || !g_file_get_contents (iresolv, &resolv, NULL, error))
    {
      (*error)->domain = SPAWN_ERROR;
      (*error)->code = 125;
      return FALSE;
    }
  lines = g_strsplit (hosts, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto (GStrv) words = g_strsplit_set (*l, " \t", -1);
      guint n = g_strv_length (words);
      if (**l)
        g_string_append_printf (out, "%s\n", *l);
      if (!addr && n >= 2 && g_str_equal (words[n - 1], infra->name))
        addr = g_strdup (words[0]);
    }
  g_string_append_printf (out, "%s\t%s\n", addr ? addr : "127.0.1.1", c->name);
  return write_run_file (p->etc_hosts, out->str, error)
         && write_run_file (p->etc_resolv, resolv, error);
}

/* type=mount secrets (podman's layout): an empty directory of the run
 * dir on /run/secrets (unless a mount of the user's is there), then each
 * secret's copy on its target, owned by the uid and gid it asked for
 * (chowned inside the container's user namespace, where those ids are
 * the container's). */
static gboolean
add_secret_mounts (const LaunchOptions *o, ContainerConfig *c, Launch *l, GError **error)
{
  gboolean dir_done = FALSE;
  for (guint i = 0; i < l->plan->mounts->len; i++)
    dir_done |= g_strcmp0 (((MountEntry *) l->plan->mounts->pdata[i])->destination,
                           "/run/secrets") == 0;
  for (char **s = c->secrets; s && *s; s++)
    {
      g_autofree char *type = container_opt_get (*s, "type");
      g_autofree char *target = container_opt_get (*s, "target");
      g_autofree char *uid = container_opt_get (*s, "uid");
      g_autofree char *gid = container_opt_get (*s, "gid");
      MountEntry *e;
      if (g_strcmp0 (type, "mount") != 0 || !target)
        continue;
      if (!dir_done)
        {
          e = g_new0 (MountEntry, 1);
          e->type = MOUNT_BIND;
          e->source = g_build_filename (l->rundir, "secrets", NULL);
          e->destination = g_strdup ("/run/secrets");
          e->flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
          if (mkdir (e->source, 0755) < 0 && errno != EEXIST)
            {
              errno_error (error, SPAWN_ERROR, 125, errno, "creating %s", e->source);
              mount_entry_free (e);
              return FALSE;
            }
          g_ptr_array_add (l->plan->mounts, e);
          dir_done = TRUE;
        }
      e = g_new0 (MountEntry, 1);
      e->type = MOUNT_BIND;
      e->source = container_secret_copy (o->root, c->id, *s);
      e->destination = g_steal_pointer (&target);
      e->flags = MS_NOSUID | MS_NODEV | MS_NOEXEC;
      e->owner = TRUE;
      e->owner_uid = uid ? (uid_t) g_ascii_strtoull (uid, NULL, 10) : 0;
      e->owner_gid = gid ? (gid_t) g_ascii_strtoull (gid, NULL, 10) : 0;
      g_ptr_array_add (l->plan->mounts, e);
    }
  return TRUE;
}

/* What goes over the rootfs: -v/--mount, masked and read-only paths,
 * /etc/hosts & co, the time zone, devices, sysctls, /dev/shm. */
static gboolean
prepare_mounts (const LaunchOptions *o, ContainerConfig *c, Launch *l, GError **error)
{
  MountPlan *p = l->plan;

  p->mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) mount_entry_free);
  for (char **m = c->mounts; m && *m; m++)
    {
      MountEntry *e = mount_entry_parse (*m, error);
      if (!e)
        return FALSE;
      g_ptr_array_add (p->mounts, e);
    }
  if (!add_secret_mounts (o, c, l, error))
    return FALSE;
  mount_plan_set_masks (p, c->mask, c->unmask);
  if (!write_etc_files (c, l->rundir, p, error))
    return FALSE;
  if (c->pod && joins (c, "net") && !write_pod_etc_files (o, c, network_container (c), p, error))
    return FALSE;
  if (c->tz && *c->tz && !g_str_equal (c->tz, "local"))
    {
      p->localtime = g_build_filename ("/usr/share/zoneinfo", c->tz, NULL);
      if (access (p->localtime, R_OK) < 0)
        return set_err (error, 125, "--tz %s: no such time zone", c->tz);
    }
  else if (c->tz)
    p->localtime = g_strdup ("/etc/localtime");
  p->devices = c->privileged ? mount_host_devices (c->devices, c->systemd) : g_strdupv (c->devices);
  p->privileged = c->privileged;
  p->systemd = c->systemd;
  p->sysctls = g_strdupv (c->sysctls);
  p->shm_size = c->shm_size > 0 ? c->shm_size : 64 * 1024 * 1024;
  return TRUE;
}

/* Capabilities, the seccomp filter (compiled once per profile into
 * RUNROOT/seccomp), rlimits. */
static gboolean
prepare_security (const LaunchOptions *o, ContainerConfig *c, Launch *l, GError **error)
{
  g_autofree char *seccomp_cache = g_build_filename (o->runroot, "seccomp", NULL);

  if (!caps_resolve ((const char *const *) c->cap_add, (const char *const *) c->cap_drop,
                     l->spec.uid == 0, c->no_new_privs, &l->spec.caps, error))
    return FALSE;
  /* --privileged: every capability in the bounding set, root's effective
   * too; another user still only gets what --cap-add named (podman) */
  gboolean drop_all = FALSE;
  for (char **d = c->cap_drop; d && *d; d++)
    drop_all = drop_all || g_ascii_strcasecmp (*d, "ALL") == 0;
  if (c->privileged && !drop_all)
    {
      g_autoptr (GStrvBuilder) b = g_strv_builder_new ();
      g_auto (GStrv) add = NULL;
      CapSets all;
      g_strv_builder_add (b, "ALL");
      for (char **a = c->cap_add; a && *a; a++)
        g_strv_builder_add (b, *a);
      add = g_strv_builder_end (b);
      if (!caps_resolve ((const char *const *) add, (const char *const *) c->cap_drop, TRUE,
                         c->no_new_privs, &all, error))
        return FALSE;
      l->spec.caps.bounding = all.bounding;
      if (l->spec.uid == 0)
        l->spec.caps.effective = l->spec.caps.permitted = all.bounding;
    }
  l->seccomp = seccomp_program_prepare (c->seccomp_profile, l->spec.caps.bounding,
                                        seccomp_cache, error);
  if (!l->seccomp)
    return FALSE;
  l->spec.seccomp = seccomp_program_is_empty (l->seccomp) ? NULL : l->seccomp;
  l->spec.rlimits = rlimits_resolve (
      c->ulimits, !(l->spec.clone_flags & CLONE_NEWUSER) && rlimits_may_raise (), error);
  l->spec.set_oom_score_adj = c->oom_score_adj_set;
  l->spec.oom_score_adj = c->oom_score_adj;
  return l->spec.rlimits != NULL;
}

/* The process: argv, environment, working dir, init, stdin. */
/* type=env secrets: TARGET=DATA from the container's copies. */
static gboolean
add_env_secrets (const LaunchOptions *o, ContainerConfig *c, Launch *l, GError **error)
{
  g_autoptr (GPtrArray) env = NULL;
  for (char **s = c->secrets; s && *s; s++)
    {
      g_autofree char *type = container_opt_get (*s, "type");
      g_autofree char *target = container_opt_get (*s, "target");
      g_autofree char *path = NULL, *data = NULL;
      gsize len;
      if (g_strcmp0 (type, "env") != 0)
        continue;
      path = container_secret_copy (o->root, c->id, *s);
      if (!g_file_get_contents (path, &data, &len, error))
        {
          g_prefix_error (error, "secret for %s: ", target);
          return FALSE;
        }
      if (!env)
        {
          env = g_ptr_array_new ();
          for (char **e = l->env; *e; e++)
            g_ptr_array_add (env, *e);
        }
      g_ptr_array_add (env, g_strconcat (target, "=", data, NULL));
    }
  if (env)
    {
      g_free (l->env); /* the strings moved to env */
      g_ptr_array_add (env, NULL);
      l->env = (char **) g_ptr_array_free (g_steal_pointer (&env), FALSE);
    }
  return TRUE;
}

static gboolean
prepare_process (const LaunchOptions *o, ContainerConfig *c, Launch *l, GError **error)
{
  l->env = env_with_defaults (c, l->home);
  if (!add_env_secrets (o, c, l, error))
    return FALSE;
  l->spec.argv = c->argv;
  l->spec.env = l->env;
  l->spec.cwd = c->workdir && *c->workdir ? c->workdir : "/";
  l->spec.init = c->init;
  l->spec.hostname = c->hostname;
  l->spec.mounts = l->plan;
  if (!c->interactive)
    {
      l->devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
      if (l->devnull < 0)
        return errno_error (error, SPAWN_ERROR, 125, errno, "opening /dev/null");
      l->spec.stdio[0] = l->devnull;
    }
  return TRUE;
}

/* "container:ID": the container whose network namespace this one
 * joins (a pod member's is its infra, pod.h); NULL otherwise. */
static const char *
network_container (const ContainerConfig *c)
{
  return c->network && g_str_has_prefix (c->network, "container:") ? c->network + 10 : NULL;
}

/* The pid 1 of the running container @id, for joining its namespaces. */
static pid_t
joined_pid (const LaunchOptions *o, const ContainerConfig *c, const char *id, GError **error)
{
  ContainerState st;
  if (!container_state_load (o->runroot, id, &st, error))
    return -1;
  if (!container_status_alive (st.status))
    {
      set_err (error, 125,
               c->pod ? "the infra container of the pod of %s is not running: start the pod "
                        "first (pod start)"
                      : "the container %s joins (--network container:) is not running",
               c->name);
      return -1;
    }
  return st.pid;
}

/* Whether @c joins namespace @ns ("net", "uts", "ipc", "cgroup", "pid")
 * of another container: a pod member those of its infra its pod shares
 * (pod.h); --network container: the network. */
static gboolean
joins (const ContainerConfig *c, const char *ns)
{
  if (c->pod_share)
    return c->pod_infra && g_strv_contains ((const char *const *) c->pod_share, ns);
  /* (a member recorded before --share joined network, UTS and IPC) */
  return network_container (c)
         && (g_str_equal (ns, "net")
             || (c->pod && (g_str_equal (ns, "uts") || g_str_equal (ns, "ipc"))));
}

/* The namespaces it is cloned into: a private network namespace (its
 * loopback up) unless --network host; the user namespace is prepare_userns's.
 * What it joins instead (joins) is opened now and entered by the child
 * first, the pid namespace by the parent for the clone (spawn.h). */
static gboolean
prepare_namespaces (const LaunchOptions *o, ContainerConfig *c, Launch *l, GError **error)
{
  static const char *const kinds[] = { "net", "uts", "ipc", "cgroup", "pid" };
  static const int flags[] = { CLONE_NEWNET, CLONE_NEWUTS, CLONE_NEWIPC, CLONE_NEWCGROUP,
                               CLONE_NEWPID };
  const char *target = c->pod_infra ? c->pod_infra : network_container (c);
  pid_t pid = 0;

  l->spec.clone_flags |= CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC
                         | (c->cgroupns_host ? 0 : CLONE_NEWCGROUP);
  /* Mounted by podunit itself: in a user namespace when rootless. */
  l->plan->userns = !userns_is_initial ();
  for (gsize i = 0; target && i < G_N_ELEMENTS (kinds); i++)
    {
      g_autofree char *path = NULL;
      int fd;
      if (!joins (c, kinds[i]))
        continue;
      if (l->for_exec)
        return TRUE; /* exec joins the running container's (spawn_exec) */
      if (pid == 0 && (pid = joined_pid (o, c, target, error)) < 0)
        return FALSE;
      path = g_strdup_printf ("/proc/%d/ns/%s", (int) pid, kinds[i]);
      fd = l->join_ns[i] = open (path, O_RDONLY | O_CLOEXEC);
      if (fd < 0)
        return errno_error (error, SPAWN_ERROR, 125, errno, "opening %s", path);
      if (i < G_N_ELEMENTS (l->spec.join_ns))
        l->spec.join_ns[i] = fd;
      else
        l->spec.join_pidns = fd;
      l->spec.clone_flags &= ~flags[i];
    }
  if (joins (c, "net"))
    {
      l->plan->new_netns = TRUE; /* sysfs for its own network namespace */
      return TRUE;
    }
  l->plan->new_netns = g_strcmp0 (c->network, "host") != 0;
  if (l->plan->new_netns)
    {
      l->spec.clone_flags |= CLONE_NEWNET;
      l->spec.loopback_up = TRUE;
    }
  return TRUE;
}

/* The container's /etc/hosts names it by its addresses on its first
 * network (IPv4, then IPv6), and the host by that network's IPv4 gateway,
 * as podman writes it. */
static gboolean
hosts_with_address (const char *path, const ContainerConfig *c, const NetAttachResult *r,
                    GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    if (**l && !g_str_has_prefix (*l, "127.0.1.1\t"))
      g_string_append_printf (out, "%s\n", *l);
  if (r->ip)
    g_string_append_printf (out, "%s\t%s %s\n", r->ip, c->hostname, c->name);
  if (r->ip6)
    g_string_append_printf (out, "%s\t%s %s\n", r->ip6, c->hostname, c->name);
  if (r->gateway)
    g_string_append_printf (out, "%s\thost.containers.internal host.docker.internal\n",
                            r->gateway);
  return rewrite_run_file (path, out->str, error);
}

/* With aardvark-dns on the network (net/dns.h) the container asks it
 * first, as podman's containers do: "search dns.podman", its nameserver. */
static gboolean
resolv_with_dns (const char *path, const char *server, const char *server6, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) out = g_string_new (NULL);
  gboolean searched = FALSE;
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    if (g_str_has_prefix (*l, "search"))
      {
        g_string_append_printf (out, "search dns.podman%s\n", *l + 6);
        searched = TRUE;
      }
  if (!searched)
    g_string_append (out, "search dns.podman\n");
  g_string_append_printf (out, "nameserver %s\n", server);
  if (server6)
    g_string_append_printf (out, "nameserver %s\n", server6);
  for (char **l = lines; *l; l++)
    if (**l && !g_str_has_prefix (*l, "search"))
      g_string_append_printf (out, "%s\n", *l);
  return rewrite_run_file (path, out->str, error);
}

/* spawn's after_namespaces hook: the new network namespace of @pid on
 * the container's networks (net/attach.h). */
static gboolean
attach_network (const SpawnSpec *spec, pid_t pid, gpointer data, GError **error)
{
  Launch *l = data;
  ContainerConfig *c = l->net.c;
  g_auto (GStrv) nets = g_strsplit (c->network, ",", -1);
  NetAttachSpec a = { .id = c->id, .name = c->name, .networks = nets, .ip = c->ip, .ip6 = c->ip6,
                      .mac = c->mac, .aliases = c->network_aliases, .ports = c->ports };
  NetAttachResult r;
  if (!net_attach (l->net.o->root, l->net.o->runroot, &a, pid, &r, error))
    goto fail;
  if ((l->plan->etc_hosts && !hosts_with_address (l->plan->etc_hosts, c, &r, error))
      || (r.dns_server && !c->dns && l->plan->etc_resolv
          && !resolv_with_dns (l->plan->etc_resolv, r.dns_server, r.dns_server6, error)))
    {
      net_attach_result_clear (&r);
      net_detach (l->net.o->root, l->net.o->runroot, c->id, NULL);
      goto fail;
    }
  net_attach_result_clear (&r);
  return TRUE;
fail:
  /* A start that fails: podman's run exits 126 (define.ExitCode) */
  (*error)->code = 126;
  (*error)->domain = SPAWN_ERROR;
  return FALSE;
}

/* spawn's after_namespaces hook for rootless containers: pasta gives the
 * new network namespace of @pid its interface and publishes the ports
 * (net/pasta.h). */
static gboolean
start_pasta (const SpawnSpec *spec, pid_t pid, gpointer data, GError **error)
{
  Launch *l = data;
  if (net_pasta_start (l->net.o->runroot, l->net.c->id, l->net.c->network, l->net.c->ports, pid,
                       error))
    return TRUE;
  (*error)->code = 126; /* as attach_network's */
  (*error)->domain = SPAWN_ERROR;
  return FALSE;
}

/* Step: networks. "none", "host" and "private" need nothing here; network
 * names get veths, addresses and ports once the namespace exists (spawn's
 * after_namespaces hook), pasta its tap device. Not a step of prepare:
 * exec prepares too. */
static void
prepare_network (const LaunchOptions *o, ContainerConfig *c, Launch *l)
{
  if (!c->network || g_str_equal (c->network, "none") || g_str_equal (c->network, "host")
      || g_str_equal (c->network, "private") || network_container (c))
    return;
  l->net.o = o;
  l->net.c = c;
  l->spec.after_namespaces = net_is_pasta (c->network) ? start_pasta : attach_network;
  l->spec.after_namespaces_data = l;
}

/* A pod's infra (pod.h): podunit-pause, run from the host's file system
 * (it opens no file) without any capability, as pid 1 of its own pid
 * namespace, in the network, UTS and IPC namespaces it holds for the
 * pod; its run dir has the /etc/hosts & co the members copy. */
static gboolean
prepare_infra (const LaunchOptions *o, ContainerConfig *c, Launch *l, GError **error)
{
  static const char *const drop_all[] = { "ALL", NULL };
  l->rundir = container_run_dir (o->runroot, c->id);
  if (g_mkdir_with_parents (l->rundir, 0700) < 0)
    return errno_error (error, SPAWN_ERROR, 125, errno, "creating %s", l->rundir);
  l->plan = g_new0 (MountPlan, 1);
  l->plan->mounts = g_ptr_array_new_with_free_func ((GDestroyNotify) mount_entry_free);
  if (!write_etc_files (c, l->rundir, l->plan, error))
    return FALSE;
  if (!caps_resolve (NULL, drop_all, TRUE, TRUE, &l->spec.caps, error))
    return FALSE;
  l->spec.groups = g_array_new (FALSE, FALSE, sizeof (gid_t));
  l->spec.rlimits = rlimits_resolve (NULL, FALSE, error);
  if (!l->spec.rlimits)
    return FALSE;
  l->env = g_new0 (char *, 1);
  l->spec.env = l->env;
  l->spec.argv = c->argv;
  l->spec.cwd = "/";
  l->spec.hostname = c->hostname;
  l->devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (l->devnull < 0)
    return errno_error (error, SPAWN_ERROR, 125, errno, "opening /dev/null");
  l->spec.stdio[0] = l->devnull;
  l->spec.clone_flags = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
  if (c->pod_share && g_strv_contains ((const char *const *) c->pod_share, "cgroup"))
    l->spec.clone_flags |= CLONE_NEWCGROUP;
  if (g_strcmp0 (c->network, "host") != 0)
    {
      l->spec.clone_flags |= CLONE_NEWNET;
      l->spec.loopback_up = TRUE;
    }
  return TRUE;
}

static void warn (const LaunchOptions *o, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

/* The bundle hooks are told: the container's dir (podunit writes no
 * config.json). */
static char *
hooks_state (const LaunchOptions *o, ContainerConfig *c, const char *status, pid_t pid)
{
  g_autofree char *bundle = container_dir (o->root, c->id);
  return hooks_state_json (c->id, status, pid, bundle, c->annotations);
}

/* spawn's `at` (spawn.h): createRuntime (prestart) in our namespaces and
 * createContainer in the container's, after its mounts and before
 * pivot_root; startContainer in its namespaces and root just before its
 * process. A failure fails the start (126, as podman's for a runtime's
 * error) and names the hook file. */
static gboolean
run_spawn_hooks (const SpawnSpec *spec, pid_t pid, SpawnPoint point, gpointer data,
                 GError **error)
{
  Launch *l = data;
  g_autofree char *state = hooks_state (l->hooks.o, l->hooks.c, "created", pid);
  g_autoptr (GError) local = NULL;
  gboolean ok;
  (void) spec;
  if (point == SPAWN_AT_MOUNTED)
    ok = hooks_run (l->hooks.set, HOOK_CREATE_RUNTIME, state, 0, FALSE, &local)
         && hooks_run (l->hooks.set, HOOK_CREATE_CONTAINER, state, pid, FALSE, &local);
  else
    ok = hooks_run (l->hooks.set, HOOK_START_CONTAINER, state, pid, FALSE, &local);
  return ok || set_err (error, 126, "%s", local->message);
}

/* Step: the OCI hooks create recorded (hooks.h), run by spawn at its stops. */
static gboolean
prepare_hooks (const LaunchOptions *o, ContainerConfig *c, Launch *l, GError **error)
{
  if (!c->hooks)
    return TRUE;
  l->hooks.set = hook_set_from_json (c->hooks, error);
  if (!l->hooks.set)
    return FALSE;
  l->hooks.o = o;
  l->hooks.c = c;
  l->spec.at = run_spawn_hooks;
  l->spec.at_data = l;
  l->spec.stop_mounted = hook_set_has (l->hooks.set, HOOK_CREATE_RUNTIME)
                         || hook_set_has (l->hooks.set, HOOK_CREATE_CONTAINER);
  l->spec.stop_starting = hook_set_has (l->hooks.set, HOOK_START_CONTAINER);
  return TRUE;
}

/* poststart hooks, once the process runs: a failure is a warning. */
static void
run_poststart (const LaunchOptions *o, ContainerConfig *c, const HookSet *set, pid_t pid)
{
  g_autofree char *state = NULL;
  g_autoptr (GError) error = NULL;
  if (!hook_set_has (set, HOOK_POSTSTART))
    return;
  state = hooks_state (o, c, "running", pid);
  if (!hooks_run (set, HOOK_POSTSTART, state, 0, TRUE, &error))
    warn (o, "%s", error->message);
}

/* A container event in podman's log (supervisor/events.h). */
static void
container_event (const LaunchOptions *o, const ContainerConfig *c, const char *id,
                 const char *status, int exit_code)
{
  g_autoptr (ContainerConfig) loaded = c ? NULL : container_config_load (o->root, id, NULL);
  if (!c)
    c = loaded;
  events_append (o->runroot, "container", status, id, c ? c->name : NULL, c ? c->image : NULL,
                 exit_code);
}

gboolean
launch_poststop (const LaunchOptions *o, ContainerConfig *c, GError **error)
{
  g_autoptr (HookSet) set = NULL;
  g_autofree char *state = NULL;
  if (!c->hooks)
    return TRUE;
  set = hook_set_from_json (c->hooks, error);
  if (!set)
    return FALSE;
  if (!hook_set_has (set, HOOK_POSTSTOP))
    return TRUE;
  state = hooks_state (o, c, "stopped", 0);
  return hooks_run (set, HOOK_POSTSTOP, state, 0, TRUE, error);
}

/* From the container's record to what spawn_container takes. */
static gboolean
prepare (const LaunchOptions *o, ContainerConfig *c, Launch *l, gboolean for_exec, GError **error)
{
  launch_init (l);
  l->for_exec = for_exec;
  l->spec.preserve_fds = for_exec ? 0 : o->preserve_fds;
  /* (an infra from --infra-image is an ordinary container) */
  if (c->infra && !c->image_id)
    return prepare_infra (o, c, l, error);
  return prepare_layers (o, c, l, error)
         && prepare_user (c, l, error)
         && prepare_userns (o, c, l, error)
         && prepare_rootfs (o, c, l, error)
         && prepare_mounts (o, c, l, error)
         && prepare_security (o, c, l, error)
         && prepare_process (o, c, l, error)
         && prepare_namespaces (o, c, l, error)
         && (for_exec || prepare_hooks (o, c, l, error));
}

/* Moves the container into its cgroup before it runs anything (see
 * cgroup.h); the spawn path calls this between clone and "go". */
static gboolean
enter_cgroup (const SpawnSpec *spec, pid_t pid, gpointer data, GError **error)
{
  return cgroup_enter (data, pid, error);
}

static void
warn (const LaunchOptions *o, const char *fmt, ...)
{
  va_list ap;
  g_autofree char *m = NULL;
  if (!o->warn)
    return;
  va_start (ap, fmt);
  m = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  o->warn (m, o->warn_data);
}

/* The cgroups for @c with this process as its supervisor (cgroup.h);
 * the container enters its own between clone and "go". */
static CgroupManager *
setup_cgroups (const LaunchOptions *o, ContainerConfig *c, Launch *l, gboolean foreground,
               GError **error)
{
  g_autofree char *rdir = container_run_dir (o->runroot, c->id);
  g_autofree char *cgfile = g_build_filename (rdir, "cgroup", NULL);
  g_autofree char *warning = NULL;
  g_autoptr (CgroupManager) cg = NULL;
  CgroupLimits limits = CGROUP_LIMITS_INIT;

  limits.memory = c->memory;
  limits.pids_limit = c->pids_limit;
  limits.cpu_quota = c->cpu_quota;
  /* A foreground podunit is the user's command, not a conmon: it stays in
   * the caller's cgroup ("enabled" then places only the container). */
  cg = cgroup_manager_for_container (foreground && g_strcmp0 (c->cgroups, "enabled") == 0
                                         ? "no-conmon"
                                         : c->cgroups,
                                     c->id, error);
  /* Recorded before prepare makes anything (the v1 freezer leaf): a start
   * killed in between leaves a record the sweep follows (release_debris),
   * not a cgroup no command knows of. */
  if (cg)
    cgroup_manager_save (cg, cgfile, NULL);
  if (cg && !cgroup_prepare (cg, getpid (), &limits, &warning, error))
    {
      /* Rootless outside a cgroup delegated to the user (no systemd user
       * manager: a plain login shell, or this host): run without one, as
       * podman does, saying what is lost and how to get it. */
      if (userns_is_initial ()
          || (!g_error_matches (*error, G_FILE_ERROR, G_FILE_ERROR_ACCES)
              && !g_error_matches (*error, G_FILE_ERROR, G_FILE_ERROR_PERM)))
        return NULL;
      warn (o, "rootless: %s; running without a cgroup of its own (limits are not applied): "
               "run it from a systemd user service or `systemd-run --user --scope`, whose "
               "cgroup is delegated",
            (*error)->message);
      g_clear_error (error);
      g_clear_pointer (&cg, cgroup_manager_free);
      g_clear_pointer (&warning, g_free);
      cg = cgroup_manager_for_container ("disabled", c->id, error);
      if (cg)
        cgroup_manager_save (cg, cgfile, NULL);
      if (cg && !cgroup_prepare (cg, getpid (), &limits, &warning, error))
        return NULL;
    }
  if (!cg)
    return NULL;
  if (warning)
    warn (o, "%s", warning);
  /* Created right in its cgroup where the kernel can (spawn.h); a
   * directory that does not exist (v1, hybrid) leaves it to the hook. */
  if (cgroup_container_path (cg))
    l->cgroup_fd = l->spec.cgroup_fd
        = open (cgroup_container_path (cg), O_PATH | O_DIRECTORY | O_CLOEXEC);
  l->spec.enter_cgroup = enter_cgroup;
  l->spec.hook_data = cg;
  return g_steal_pointer (&cg);
}

static gint64
now_us (void)
{
  return g_get_real_time ();
}

static void
record_exit (const LaunchOptions *o, const char *id, int code)
{
  autofd int lfd = container_lock (o->runroot, id, NULL);
  ContainerState st;
  if (container_state_load (o->runroot, id, &st, NULL))
    {
      st.status = CONTAINER_EXITED;
      st.exit_code = code;
      st.pid = 0;
      st.finished_at = now_us ();
      container_state_save (o->runroot, id, &st, NULL);
    }
}

/* A start's record: the state before it, and once spawn's started hook
 * (record_started) ran, the start time. */
typedef struct
{
  const LaunchOptions *o;
  ContainerConfig *c;
  ContainerState prev;
  gint64 started_at;
  gboolean recorded;
} StartRecord;

/* A start the supervisor asked for (--restart) counts once the run is
 * recorded running (supervisor.h): under the container's lock, after the
 * state, so a RestartCount seen means this run is under way. */
static void
count_restart (const LaunchOptions *o, const char *id)
{
  g_autofree char *rdir = container_run_dir (o->runroot, id);
  g_autofree char *mark = g_build_filename (rdir, SUPERVISOR_RESTART_PENDING, NULL);
  g_autofree char *file = g_build_filename (rdir, SUPERVISOR_RESTARTS_FILE, NULL);
  g_autofree char *text = NULL;
  if (unlink (mark) < 0)
    return;
  text = g_strdup_printf ("%d\n", container_restart_count (o->runroot, id) + 1);
  write_file_atomic (AT_FDCWD, file, text, strlen (text), 0644, 0);
}

/* spawn's started hook: the container is recorded running, this process
 * its supervisor, before it runs anything. A starter killed after this
 * leaves a state naming the process (rm -f stops it; dead, it reads as
 * exited 137); killed before, its child dies with it (spawn.h). Recorded
 * after the spawn returned, a kill in between left the container running
 * with no state: "Created", and nothing stopped it. */
static gboolean
record_started (const SpawnSpec *spec, pid_t pid, gpointer data, GError **error)
{
  StartRecord *r = data;
  ContainerState st = {
    .status = CONTAINER_RUNNING,
    .pid = pid,
    .supervisor_pid = getpid (),
    .started_at = now_us (),
  };
  (void) spec;
  if (!container_state_save (r->o->runroot, r->c->id, &st, error))
    {
      (*error)->domain = SPAWN_ERROR;
      (*error)->code = 125;
      return FALSE;
    }
  r->started_at = st.started_at;
  r->recorded = TRUE;
  count_restart (r->o, r->c->id);
  return TRUE;
}

/* The start failed after record_started: the state goes back to what it
 * was (created, or exited from an earlier run). */
static void
record_not_started (StartRecord *r)
{
  if (r->recorded)
    container_state_save (r->o->runroot, r->c->id, &r->prev, NULL);
}

/* Takes the lock and checks the container may start; *PREV gets its state. */
static int
lock_for_start (const LaunchOptions *o, ContainerConfig *c, ContainerState *prev, GError **error)
{
  ContainerState st;
  autofd int lfd = container_lock (o->runroot, c->id, error);
  g_autofree char *cdir = container_dir (o->root, c->id);
  if (lfd < 0)
    return -1;
  /* Removed while this start waited for the lock (a --restart racing a
   * rm): nothing to start, and no run dir left behind. */
  if (!g_file_test (cdir, G_FILE_TEST_IS_DIR))
    {
      g_autofree char *rdir = container_run_dir (o->runroot, c->id);
      fs_rm_rf (rdir, NULL);
      set_err (error, 125, "no container with name or ID \"%s\" found: no such container", c->name);
      return -1;
    }
  if (!container_state_load (o->runroot, c->id, &st, error))
    return -1;
  if (container_status_alive (st.status))
    {
      set_err (error, 125, "container %s is already running", c->name);
      return -1;
    }
  *prev = st;
  {
    /* A stop asked for in an earlier run is over (see launch_stop); a
     * cgroup frozen when its last process was killed is thawed. */
    g_autofree char *rdir = container_run_dir (o->runroot, c->id);
    g_autofree char *mark = g_build_filename (rdir, CONTAINER_STOPPING_MARK, NULL);
    g_autofree char *paused = g_build_filename (rdir, CONTAINER_PAUSED_MARK, NULL);
    unlink (mark);
    if (unlink (paused) == 0)
      launch_freeze (o, c->id, FALSE, NULL);
  }
  return fd_steal (&lfd);
}

int
launch_exit_status (const GError *error)
{
  return error && error->domain == SPAWN_ERROR ? error->code : 125;
}

LogDriver
container_log_driver (const ContainerConfig *c)
{
  LogDriver d = LOG_DRIVER_K8S_FILE;
  if (c->log_driver)
    (void) log_driver_from_string (c->log_driver, &d, NULL);
  return d;
}

/* Where @c's output is logged, as ctr_log_open takes it: its k8s-file,
 * "journald", or NULL (none, passthrough). */
static char *
log_target (const LaunchOptions *o, const ContainerConfig *c)
{
  switch (container_log_driver (c))
    {
    case LOG_DRIVER_K8S_FILE: return container_log_path (o->root, c);
    case LOG_DRIVER_JOURNALD: return g_strdup ("journald");
    case LOG_DRIVER_PASSTHROUGH:
    case LOG_DRIVER_NONE: break;
    }
  return NULL;
}

/* Opens @c's log (ctr-log.h) into @l, as conmon does before the start:
 * a log that cannot be written fails the start. */
static gboolean
log_open (const LaunchOptions *o, const ContainerConfig *c, CtrLog *l, GError **error)
{
  g_autofree char *target = log_target (o, c);
  int r = ctr_log_open (l, target, c->id, c->name, c->log_tag);
  if (r < 0)
    return errno_error (error, SPAWN_ERROR, 125, -r, "opening the log %s of %s", target, c->name);
  l->size_max = c->log_size_max > 0 ? c->log_size_max : 0;
  return TRUE;
}

/* The supervisor opens the log itself (after its exec): fail the start
 * now when it could not. */
static gboolean
log_usable (const LaunchOptions *o, const ContainerConfig *c, GError **error)
{
  CtrLog l;
  if (!log_open (o, c, &l, error))
    return FALSE;
  ctr_log_close (&l);
  return TRUE;
}

static void
close_fd (int *fd)
{
  if (*fd >= 0)
    close (*fd);
  *fd = -1;
}

static void
log_tap (int stream, const char *buf, size_t len, gpointer data)
{
  (void) ctr_log_write (data, stream == 2 ? CTR_STDERR : CTR_STDOUT, buf, len);
}

int
launch_foreground (const LaunchOptions *o, ContainerConfig *c, LaunchAttach attach,
                   GError **error)
{
  g_autoptr (CgroupManager) cg = NULL;
  g_autofree CtrLog *log = g_new0 (CtrLog, 1);
  Launch l;
  StartRecord rec = { .o = o, .c = c };
  SpawnRelay relay = { .master = -1, .input = c->interactive, .out = -1, .err = -1,
                       .out_to = attach & LAUNCH_ATTACH_STDOUT ? 1 : -1,
                       .err_to = attach & LAUNCH_ATTACH_STDERR ? 2 : -1,
                       .timeout_us = c->timeout * G_USEC_PER_SEC, .tap = log_tap, .tap_data = log };
  int out[2] = { -1, -1 }, err[2] = { -1, -1 };
  pid_t pid = -1;
  int code;

  log->fd = -1;
  {
    autofd int lfd = lock_for_start (o, c, &rec.prev, error);
    if (lfd < 0)
      return -1;
    if (prepare (o, c, &l, FALSE, error) && log_open (o, c, log, error)
        && (cg = setup_cgroups (o, c, &l, TRUE, error)))
      {
        /* As under conmon, the output goes through this process to the
         * log and the attached streams; without a log and with both
         * attached, the container writes to them itself. */
        gboolean ok = TRUE;
        if (c->tty)
          l.spec.tty_master = &relay.master;
        else if (log->driver != CTR_LOG_NONE || attach != LAUNCH_ATTACH_OUTPUT)
          {
            ok = pipe2 (out, O_CLOEXEC) == 0 && pipe2 (err, O_CLOEXEC) == 0;
            if (!ok)
              errno_error (error, SPAWN_ERROR, 125, errno, "pipes for the container's output");
            l.spec.stdio[1] = out[1];
            l.spec.stdio[2] = err[1];
          }
        if (ok)
          {
            prepare_network (o, c, &l);
            l.spec.started = record_started;
            l.spec.started_data = &rec;
            pid = spawn_container (&l.spec, error);
          }
      }
    if (pid >= 0)
      {
        container_event (o, c, c->id, "start", -1);
        run_poststart (o, c, l.hooks.set, pid);
      }
    launch_clear (&l);
    /* the container's ends: EOF once it is gone */
    close_fd (&out[1]);
    close_fd (&err[1]);
    if (pid < 0)
      {
        record_not_started (&rec);
        goto failed;
      }
  }

  relay.out = out[0];
  relay.err = err[0];
  code = spawn_relay (pid, &relay);
  container_event (o, c, c->id, "died", code < 0 ? -1 : code);
  ctr_log_flush (log);
  net_detach (o->root, o->runroot, c->id, NULL);
  {
    g_autoptr (GError) hook_error = NULL;
    if (!launch_poststop (o, c, &hook_error))
      warn (o, "%s", hook_error->message);
  }
  if (c->auto_remove)
    launch_remove (o, c->id, TRUE, NULL);
  else
    record_exit (o, c->id, code); /* --timeout: -1, as podman records it */
  code = code == SPAWN_TIMED_OUT ? 255 : code;
  goto done;

failed:
  if (c->auto_remove)
    launch_remove (o, c->id, TRUE, NULL);
  code = -1;
done:
  ctr_log_close (log);
  close_fd (&out[0]);
  close_fd (&err[0]);
  close_fd (&relay.master);
  return code;
}

/* The supervisor binary: beside this podunit in a build tree, else the
 * installed one. */
static char *
supervisor_path (void)
{
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  if (self)
    {
      g_autofree char *dir = g_path_get_dirname (self);
      char *p = g_build_filename (dir, "podunit-supervisor", NULL);
      if (access (p, X_OK) == 0)
        return p;
      g_free (p);
    }
  return g_build_filename (PODUNIT_LIBEXECDIR, "podunit", "podunit-supervisor", NULL);
}

/* --sdnotify=container (notify.h): a proxy socket in the run dir, bound
 * at /run/notify in the container with NOTIFY_SOCKET pointing at it; the
 * supervisor relays what the payload may send. A Notifier without a proxy
 * in every other case. */
static Notifier *
open_notify_proxy (ContainerConfig *c, Launch *l, GError **error)
{
  g_autofree char *dir = g_build_filename (l->rundir, "notify", NULL);
  NotifyMode mode = NOTIFY_MODE_CONMON;
  Notifier *n;
  MountEntry *e;
  guint len;

  notify_mode_from_string (c->sdnotify, &mode, NULL);
  n = notifier_new (mode, g_getenv ("NOTIFY_SOCKET"), getpid ());
  if (!notifier_open_proxy (n, dir, error))
    {
      notifier_free (n);
      return NULL;
    }
  if (notifier_proxy_fd (n) < 0)
    return n;
  e = g_new0 (MountEntry, 1);
  e->type = MOUNT_BIND;
  e->source = g_steal_pointer (&dir);
  e->destination = g_strdup (NOTIFY_CONTAINER_DIR);
  g_ptr_array_add (l->plan->mounts, e);
  len = g_strv_length (l->env);
  l->env = g_renew (char *, l->env, len + 2);
  l->env[len] = g_strdup (notifier_payload_env (n));
  l->env[len + 1] = NULL;
  l->spec.env = l->env;
  return n;
}

/* Where a supervised container's output goes: pipes the supervisor reads
 * for the log driver, or with -t the terminal's master (no stderr), or,
 * for passthrough, the supervisor's own stdio. */
typedef struct {
  gboolean passthrough;
  int out[2], err[2];
  int master;
  int devnull;
} Output;

static gboolean
output_open (ContainerConfig *c, Launch *l, Output *io, GError **error)
{
  *io = (Output){ .out = { -1, -1 }, .err = { -1, -1 }, .master = -1, .devnull = -1 };
  io->passthrough = container_log_driver (c) == LOG_DRIVER_PASSTHROUGH;
  if (io->passthrough)
    {
      l->spec.stdio[0] = l->spec.stdio[0] >= 0 ? l->spec.stdio[0] : 0;
      return TRUE;
    }
  io->devnull = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (io->devnull < 0 || pipe2 (io->out, O_CLOEXEC) < 0 || pipe2 (io->err, O_CLOEXEC) < 0)
    return errno_error (error, SPAWN_ERROR, 125, errno, "pipes for the container's output");
  l->spec.stdio[1] = io->out[1];
  l->spec.stdio[2] = io->err[1];
  if (c->tty)
    l->spec.tty_master = &io->master;
  return TRUE;
}

/* After the spawn: the supervisor keeps the read ends (inherited over its
 * exec), and nothing of the caller's terminal stays open in it. */
static void
output_hand_over (Output *io)
{
  if (io->passthrough)
    return;
  if (io->master >= 0)
    {
      close (io->out[0]);
      close (io->err[0]);
      io->out[0] = io->master;
      io->err[0] = io->master = -1;
    }
  dup2 (io->devnull, 0);
  dup2 (io->devnull, 1);
  dup2 (io->devnull, 2);
  close (io->out[1]);
  close (io->err[1]);
  fcntl (io->out[0], F_SETFD, 0);
  if (io->err[0] >= 0)
    fcntl (io->err[0], F_SETFD, 0);
}

/* --sdnotify (notify.h): the supervisor keeps this pid, so MAINPID goes
 * out now, before the podunit systemd started reports and exits. */
static void
notify_started (ContainerConfig *c)
{
  NotifyMode mode;
  if (!notify_mode_from_string (c->sdnotify, &mode, NULL))
    return;
  g_autoptr (Notifier) n = notifier_new (mode, g_getenv ("NOTIFY_SOCKET"), getpid ());
  notifier_container_started (n, NULL);
  if (mode == NOTIFY_MODE_IGNORE)
    g_unsetenv ("NOTIFY_SOCKET");
}

/* Becomes podunit-supervisor (supervisor.h) for the container @pid. */
static void
exec_supervisor (const LaunchOptions *o, ContainerConfig *c, pid_t pid, gint64 started_at,
                 const Output *io, Notifier *proxy, CgroupManager *cg)
{
  g_autofree char *sup = supervisor_path ();
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *cdir = container_dir (o->root, c->id);
  g_autofree char *rdir = container_run_dir (o->runroot, c->id);
  g_autofree char *log = log_target (o, c);
  g_autofree char *state = g_build_filename (rdir, "state.json", NULL);
  g_autofree char *lock = g_build_filename (rdir, "lock", NULL);
  g_autofree char *hcfile = g_build_filename (cdir, HEALTH_CONFIG_FILE, NULL);
  g_autoptr (HookSet) hooks = c->hooks ? hook_set_from_json (c->hooks, NULL) : NULL;
  HealthConfig hc;
  char **argv;

  if (notifier_proxy_fd (proxy) >= 0)
    fcntl (notifier_proxy_fd (proxy), F_SETFD, 0);
  argv = supervisor_args_to_argv (sup, &(SupervisorArgs){
    .id = c->id,
    .pid = pid,
    .out_fd = io->out[0], /* -1 for passthrough */
    .err_fd = io->err[0],
    .log = log,
    .state = state,
    .lock = lock,
    .started_us = started_at,
    .podunit = self,
    .rm = c->auto_remove,
    .rmi = c->auto_remove_image ? c->image_id : NULL,
    .cleanup = c->pod && !c->infra,
    .root = o->root,
    .runroot = o->runroot,
    .name = c->name,
    .tag = c->log_tag,
    /* Health checks run on the supervisor's timer (health.h). */
    .health_us = health_config_load (hcfile, &hc, NULL) ? health_timer_interval (&hc) : 0,
    .timeout_us = c->timeout * G_USEC_PER_SEC,
    .notify_fd = notifier_proxy_fd (proxy),
    .cgroup = cgroup_container_path (cg),
    .restart = g_strcmp0 (c->restart_policy, "always") == 0
                       || g_strcmp0 (c->restart_policy, "unless-stopped") == 0
                   ? SUPERVISOR_RESTART_ALWAYS
               : g_strcmp0 (c->restart_policy, "on-failure") == 0 ? SUPERVISOR_RESTART_ON_FAILURE
                                                                  : SUPERVISOR_RESTART_NO,
    .restart_max = c->restart_retries,
    .log_size_max = c->log_size_max > 0 ? c->log_size_max : 0,
    .poststop = hook_set_has (hooks, HOOK_POSTSTOP),
  });
  if (argv)
    execv (sup, argv);
}

/* The detached start, in the double-forked child: lock, prepare, spawn,
 * record it running, report to launch_detached over @report_fd ("0", or
 * the exit status byte and the message), then exec the supervisor.
 * @born_in: the cgroups it was forked into (NULL: none), removed when the
 * start fails before they are its own. */
static G_GNUC_NORETURN void
supervisor_child (const LaunchOptions *o, ContainerConfig *c, int report_fd,
                  CgroupManager *born_in)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (CgroupManager) cg = NULL;
  Notifier *proxy = NULL; /* lives on in the supervisor: never freed */
  Output io = { .out = { -1, -1 }, .err = { -1, -1 }, .master = -1, .devnull = -1 };
  Launch l;
  StartRecord rec = { .o = o, .c = c };
  pid_t pid = -1;

  setsid ();
  {
    autofd int lfd = lock_for_start (o, c, &rec.prev, &error);
    if (lfd < 0)
      goto fail;
    if (prepare (o, c, &l, FALSE, &error) && log_usable (o, c, &error)
        && (proxy = open_notify_proxy (c, &l, &error)) && output_open (c, &l, &io, &error))
      {
        l.spec.new_session = TRUE;
        /* This process becomes the supervisor: its cgroup and the container's. */
        cg = setup_cgroups (o, c, &l, FALSE, &error);
        if (cg)
          {
            prepare_network (o, c, &l);
            l.spec.started = record_started;
            l.spec.started_data = &rec;
            pid = spawn_container (&l.spec, &error);
          }
      }
    if (pid >= 0)
      run_poststart (o, c, l.hooks.set, pid);
    launch_clear (&l);
    if (pid < 0)
      {
        record_not_started (&rec);
        goto fail;
      }
  }
  if (c->conmon_pidfile)
    {
      /* Before the report: a Type=forking unit (a Quadlet .pod) reads it
       * as its PIDFile= once `pod start` exited. */
      g_autofree char *text = g_strdup_printf ("%d", (int) getpid ());
      if (write_file_atomic (AT_FDCWD, c->conmon_pidfile, text, strlen (text), 0644, 0) < 0)
        {
          int e = errno;
          kill (pid, SIGKILL);
          error = g_error_new (SPAWN_ERROR, 125, "writing the conmon pid file %s: %s",
                               c->conmon_pidfile, g_strerror (e));
          goto fail;
        }
    }
  if (c->infra)
    g_unsetenv ("NOTIFY_SOCKET"); /* the pod's unit is Type=forking */
  notify_started (c);
  if (write (report_fd, "0", 1) < 0)
    _exit (125);
  close (report_fd);
  output_hand_over (&io);
  exec_supervisor (o, c, pid, rec.started_at, &io, proxy, cg);
  /* No supervisor: the container must not run unsupervised. */
  kill (pid, SIGKILL);
  _exit (125);

fail:
  if (born_in && !cg)
    cgroup_cleanup (born_in, NULL);
  {
    char code = (char) launch_exit_status (error);
    g_autofree char *msg = g_strdup_printf ("%c%s", code, error->message);
    if (write (report_fd, msg, strlen (msg)) < 0)
      _exit (125);
    _exit (125);
  }
}

gboolean
launch_detached (const LaunchOptions *o, ContainerConfig *c, GError **error)
{
  int rp[2];
  autofd int report = -1;
  autofd int child_end = -1;
  pid_t p1;
  char buf[1100];
  ssize_t n, total = 0;

  if (pipe2 (rp, O_CLOEXEC) < 0)
    return errno_error (error, SPAWN_ERROR, 125, errno, "pipe");
  report = rp[0];
  child_end = rp[1];
  fflush (NULL);
  p1 = fork ();
  if (p1 < 0)
    return errno_error (error, SPAWN_ERROR, 125, errno, "fork");
  if (p1 == 0)
    {
      /* Double fork: the supervisor is nobody's child but init's (or the
       * subreaper's, e.g. systemd for a service). It is born in its own
       * cgroup where it has one (cgroup.h: cgroup_supervisor_open). */
      g_autoptr (CgroupManager) cg = NULL;
      int cgfd = -1;
      pid_t p2 = -1;
      close (fd_steal (&report));
      if (c->cgroups == NULL || g_str_equal (c->cgroups, "enabled"))
        cg = cgroup_manager_for_container (c->cgroups, c->id, NULL);
      if (cg)
        cgfd = cgroup_supervisor_open (cg);
      if (cgfd >= 0)
        p2 = spawn_fork_into_cgroup (cgfd);
      if (p2 < 0)
        {
          g_clear_pointer (&cg, cgroup_manager_free); /* not born there */
          p2 = fork ();
        }
      if (p2 != 0)
        _exit (0);
      if (cgfd >= 0)
        close (cgfd);
      supervisor_child (o, c, child_end, cg);
    }
  close (fd_steal (&child_end)); /* EOF once the supervisor reported */
  waitpid (p1, NULL, 0);
  while ((n = read (report, buf + total, sizeof buf - 1 - total)) > 0)
    total += n;
  buf[total] = 0;
  if (total >= 1 && buf[0] == '0')
    {
      container_event (o, c, c->id, "start", -1);
      return TRUE;
    }
  if (total < 1)
    return set_err (error, 125, "the supervisor of %s died while starting it", c->name);
  return set_err (error, (unsigned char) buf[0], "%s", buf + 1);
}
gboolean
launch_kill (const LaunchOptions *o, const char *id, int sig, GError **error)
{
  ContainerState st;
  if (!container_state_load (o->runroot, id, &st, error))
    return FALSE;
  if (!container_status_alive (st.status))
    return set_err (error, 125, "can only kill running containers. %s is in state %s: container "
                                "state improper",
                    id, container_status_to_string (st.status));
  if (kill (st.pid, sig) < 0 && errno != ESRCH)
    return errno_error (error, SPAWN_ERROR, 125, errno, "kill %d", (int) st.pid);
  /* A frozen process gets other signals once thawed (unpause), as with
   * podman; SIGKILL kills it now: thawed, which a v1 freezer needs. */
  if (st.status == CONTAINER_PAUSED && sig == SIGKILL)
    launch_freeze (o, id, FALSE, NULL);
  container_event (o, NULL, id, "kill", -1);
  return TRUE;
}

/* Waits until @pid is gone (it is not our child: poll a pidfd). */
static gboolean
wait_pid_gone (pid_t pid, int timeout_ms)
{
  autofd int fd = syscall (SYS_pidfd_open, pid, 0);
  struct pollfd pfd = { .fd = fd, .events = POLLIN };
  int r;
  if (fd < 0)
    return errno == ESRCH;
  do
    r = poll (&pfd, 1, timeout_ms);
  while (r < 0 && errno == EINTR);
  return r > 0;
}

/* An inotify watch on the container's run dir, where state.json is
 * renamed over on every change (write_file_atomic); -1 when there is
 * none. Set it up before reading the state, so no change is missed. */
static int
watch_state (const LaunchOptions *o, const char *id)
{
  g_autofree char *rdir = container_run_dir (o->runroot, id);
  autofd int fd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (fd < 0 || g_mkdir_with_parents (rdir, 0700) < 0
      || inotify_add_watch (fd, rdir, IN_MOVED_TO | IN_DELETE | IN_DELETE_SELF) < 0)
    return -1;
  return fd_steal (&fd);
}

/* Sleeps until the state changes (@ifd from watch_state) or @pid (0: none)
 * exits, at most @timeout_ms (-1: no limit). Without a watch it can only
 * look again after a moment. */
static void
wait_state_change (int ifd, pid_t pid, int timeout_ms)
{
  autofd int pfd = pid > 0 ? syscall (SYS_pidfd_open, pid, 0) : -1;
  struct pollfd fds[2] = { { .fd = ifd, .events = POLLIN }, { .fd = pfd, .events = POLLIN } };
  char events[4096];

  if (pid > 0 && pfd < 0 && errno == ESRCH)
    return; /* gone already */
  if (ifd < 0)
    timeout_ms = timeout_ms < 0 ? 20 : MIN (timeout_ms, 20);
  if (poll (fds, 2, timeout_ms) > 0 && (fds[0].revents & POLLIN))
    while (read (ifd, events, sizeof events) > 0)
      ;
}

/* Whether the supervisor goes on after it records the exit (supervisor.c:
 * --rm's removal, a pod member's cleanup, a restart unless a stop was
 * asked for); otherwise its own exit says the exit is recorded. */
static gboolean
supervisor_outlives_record (const ContainerConfig *c, gboolean stop_asked)
{
  gboolean restarts = c->restart_policy && *c->restart_policy
                      && g_strcmp0 (c->restart_policy, "no") != 0;
  return c->auto_remove || (c->pod && !c->infra) || (restarts && !stop_asked);
}

/* After pid 1 exited, the supervisor records it; wait for that, as long
 * as the supervisor lives (bounded: a wedged supervisor must not hang
 * stop/wait forever). A short bound made `stop` return before the exit
 * code was recorded when the machine was busy. A supervisor that exits
 * right after it records is waited for on its pidfd; only one that goes
 * on gets a watch on the state: closing an inotify fd that had a watch
 * waits for an RCU grace period (7-20 ms). */
static void
wait_recorded (const LaunchOptions *o, const char *id, const ContainerState *before,
               gboolean outlives)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  autofd int ifd = -1;

  for (;;)
    {
      ContainerState st;
      gint64 left = deadline - g_get_monotonic_time ();
      /* No state any more (created): the container was removed. */
      if (!container_state_load (o->runroot, id, &st, NULL) || st.status == CONTAINER_EXITED
          || st.status == CONTAINER_CREATED)
        return;
      if (before->supervisor_pid > 0 && !container_pid_running (before->supervisor_pid))
        return;
      if (left <= 0)
        return;
      /* The state is read again once the watch is there, so no change is
       * missed. */
      if ((outlives || before->supervisor_pid <= 0) && ifd < 0
          && (ifd = watch_state (o, id)) >= 0)
        continue;
      wait_state_change (ifd, before->supervisor_pid, (int) (left / 1000) + 1);
    }
}

/* launch_stop; with @paused_ok a paused container is killed (rm -f). */
static gboolean
stop (const LaunchOptions *o, const char *id, gint64 timeout, gboolean paused_ok, GError **error)
{
  g_autoptr (ContainerConfig) c = container_config_load (o->root, id, error);
  ContainerState st;
  gboolean orphan;
  int sig;
  if (!c && !container_record_exists (o->root, id))
    {
      /* removed since the caller looked it up (a racing rm) */
      g_clear_error (error);
      g_set_error (error, CONTAINER_ERROR, CONTAINER_ERROR_NOT_FOUND,
                   "no container with name or ID \"%s\" found: no such container", id);
      return FALSE;
    }
  if (!c || !container_state_load (o->runroot, id, &st, error))
    return FALSE;
  if (st.status == CONTAINER_PAUSED && !paused_ok)
    return set_err (error, 125,
                    "can only stop created or running containers. %s is in state paused: "
                    "container state improper",
                    id);
  if (!container_status_alive (st.status))
    return TRUE;
  /* Its supervisor was killed: nobody will record how it ends. It is
   * stopped all the same (recorded as killed, container.h), and the
   * caller told, in podman's words for a killed conmon. */
  orphan = st.supervisor_pid > 0 && st.supervisor_pid != getpid ()
           && !container_pid_running (st.supervisor_pid);
  /* Or it recorded the exit and ended since the state was read (a racing
   * stop or rm -f): read again; a real orphan's container still runs. */
  if (orphan)
    {
      if (!container_state_load (o->runroot, id, &st, error))
        return FALSE;
      if (!container_status_alive (st.status))
        return TRUE;
    }
  sig = c->stop_signal > 0 ? c->stop_signal : SIGTERM;
  if (timeout < 0)
    timeout = c->stop_timeout >= 0 ? c->stop_timeout : 10;
  {
    /* Tells the supervisor this exit was asked for (supervisor.c). */
    g_autofree char *rdir = container_run_dir (o->runroot, id);
    g_autofree char *mark = g_build_filename (rdir, CONTAINER_STOPPING_MARK, NULL);
    g_file_set_contents (mark, "", 0, NULL);
  }
  if (st.status == CONTAINER_PAUSED)
    {
      /* as podman's rm -f of a paused container: SIGKILL, thawed */
      sig = SIGKILL;
      timeout = 0;
    }
  kill (st.pid, sig);
  if (st.status == CONTAINER_PAUSED)
    launch_freeze (o, id, FALSE, NULL);
  if (!wait_pid_gone (st.pid, (int) MIN (timeout, 1000000) * 1000))
    {
      if (timeout > 0)
        warn (o, "StopSignal SIG%s failed to stop container %s in %" G_GINT64_FORMAT
                  " seconds, resorting to SIGKILL",
                  sigabbrev_np (sig) ? sigabbrev_np (sig) : "?", c->name, timeout);
      kill (st.pid, SIGKILL);
      wait_pid_gone (st.pid, 10000);
    }
  wait_recorded (o, id, &st, supervisor_outlives_record (c, TRUE));
  /* --rm (and --rmi): stopped means removed, as podman's stop removes
   * such a container itself; the supervisor does it, then exits. */
  if (c->auto_remove && st.supervisor_pid > 0)
    wait_pid_gone (st.supervisor_pid, 30000);
  /* Its addresses and ports are free again once it is stopped. */
  if (!net_detach (o->root, o->runroot, id, error))
    return FALSE;
  if (orphan)
    {
      ContainerState now;
      container_state_load (o->runroot, id, &now, NULL); /* records the exit */
      return set_err (error, 125,
                      "container %s conmon exited prematurely, exit code could not be "
                      "retrieved: conmon process killed",
                      id);
    }
  return TRUE;
}

gboolean
launch_stop (const LaunchOptions *o, const char *id, gint64 timeout, GError **error)
{
  return stop (o, id, timeout, FALSE, error);
}

int
launch_wait (const LaunchOptions *o, const char *id, GError **error)
{
  autofd int ifd = -1;
  for (;;)
    {
      ContainerState st;
      if (!container_state_load (o->runroot, id, &st, error))
        return -1;
      if (st.status == CONTAINER_EXITED)
        return st.exit_code;
      /* Removed meanwhile (the record goes first): nothing will record an
       * exit any more. The run dir the watch may have made again goes too
       * (rmdir: only when empty). */
      if (!container_record_exists (o->root, id))
        {
          g_autofree char *rdir = container_run_dir (o->runroot, id);
          if (ifd >= 0)
            (void) rmdir (rdir);
          g_set_error (error, CONTAINER_ERROR, CONTAINER_ERROR_NOT_FOUND,
                       "no container with name or ID \"%s\" found: no such container", id);
          return -1;
        }
      if (st.status == CONTAINER_CREATED)
        {
          /* Until something starts it; the state is read again once the
           * watch is there. */
          if (ifd < 0 && (ifd = watch_state (o, id)) >= 0)
            continue;
          wait_state_change (ifd, 0, -1);
          continue;
        }
      wait_pid_gone (st.pid, -1);
      {
        g_autoptr (ContainerConfig) c = container_config_load (o->root, id, NULL);
        wait_recorded (o, id, &st, !c || supervisor_outlives_record (c, FALSE));
      }
    }
}

/* The supervisor of a container that just exited is still in its cgroup
 * for a moment after it recorded the exit (EBUSY left podunit-conmon-ID
 * behind): wait for it, unless it is this process or its parent (--rm
 * runs `podunit rm` as the supervisor's child). */
static void
wait_supervisor_gone (const ContainerState *st)
{
  g_autofree char *comm_path = NULL, *comm = NULL;
  if (st->supervisor_pid <= 0 || st->supervisor_pid == getpid ()
      || st->supervisor_pid == getppid ())
    return;
  /* Only a supervisor: the pid of one long gone may be reused. */
  comm_path = g_strdup_printf ("/proc/%d/comm", (int) st->supervisor_pid);
  if (g_file_get_contents (comm_path, &comm, NULL, NULL)
      && g_str_has_prefix (comm, "podunit-supervi"))
    wait_pid_gone (st->supervisor_pid, 10000);
}

gboolean
launch_stop_for_remove (const LaunchOptions *o, const char *id, gint64 timeout, GError **error)
{
  g_autoptr (GError) stop_error = NULL;
  ContainerState now;
  if (stop (o, id, timeout, TRUE, &stop_error))
    return TRUE;
  /* A killed supervisor: stopped all the same, which is all a removal
   * needs (podman's rm -f goes on with a warning) */
  if (!container_state_load (o->runroot, id, &now, NULL) || now.status != CONTAINER_EXITED)
    {
      g_propagate_error (error, g_steal_pointer (&stop_error));
      return FALSE;
    }
  warn (o, "%s", stop_error->message);
  return TRUE;
}

gboolean
launch_remove (const LaunchOptions *o, const char *id, gboolean force, GError **error)
{
  ContainerState st;
  autofd int lfd = -1;
again:
  if (!container_state_load (o->runroot, id, &st, error))
    return FALSE;
  if (container_status_alive (st.status))
    {
      if (!force)
        {
          g_set_error (error, CONTAINER_ERROR, CONTAINER_ERROR_STATE,
                       "cannot remove container %s as it is %s - running or paused "
                       "containers cannot be removed without force: container state improper",
                       id, st.status == CONTAINER_PAUSED ? "paused" : "running");
          return FALSE;
        }
      if (!launch_stop_for_remove (o, id, -1, error))
        return FALSE;
    }
  /* The cgroups the supervisor set up (cgroup.h), before the run dir that
   * records them goes. */
  {
    g_autofree char *rdir = container_run_dir (o->runroot, id);
    g_autofree char *cgfile = g_build_filename (rdir, "cgroup", NULL);
    g_autoptr (CgroupManager) cg = cgroup_manager_load (cgfile, NULL);
    g_autoptr (GError) cg_error = NULL;
    guint64 ooms = 0;
    if (cg && cgroup_oom_kills (cg, &ooms, NULL) && ooms > 0)
      warn (o, "container %s was OOM killed", id);
    if (cg)
      wait_supervisor_gone (&st);
    if (cg && !cgroup_cleanup (cg, &cg_error))
      warn (o, "%s", cg_error->message);
  }
  if (!net_detach (o->root, o->runroot, id, error))
    return FALSE;
  lfd = container_lock (o->runroot, id, error);
  if (lfd < 0 || !container_state_load (o->runroot, id, &st, error))
    return FALSE;
  /* Started again meanwhile (--restart): stop it first. */
  if (container_status_alive (st.status))
    {
      close (fd_steal (&lfd));
      goto again;
    }
  {
    /* --cidfile's file goes with the container, as podman's */
    g_autoptr (ContainerConfig) c = container_config_load (o->root, id, NULL);
    if (c && c->cidfile)
      unlink (c->cidfile);
    if (!container_remove_files (o->root, o->runroot, id, error))
      return FALSE;
    container_event (o, c, id, "remove", -1);
  }
  return TRUE;
}

/* The cgroups of a container without a record (recorded at start in its
 * run dir) and its network attachment. */
static gboolean
release_debris (const char *id, gpointer data, GError **error)
{
  const LaunchOptions *o = data;
  g_autofree char *rdir = container_run_dir (o->runroot, id);
  g_autofree char *cgfile = g_build_filename (rdir, "cgroup", NULL);
  g_autoptr (CgroupManager) cg = cgroup_manager_load (cgfile, NULL);
  g_autoptr (GError) cg_error = NULL;
  if (cg && !cgroup_cleanup (cg, &cg_error))
    warn (o, "%s", cg_error->message);
  return net_detach (o->root, o->runroot, id, error);
}

gboolean
launch_sweep (const LaunchOptions *o, GError **error)
{
  return container_sweep (o->root, o->runroot, release_debris, (gpointer) o, error);
}

gboolean
launch_exec_spec (const LaunchOptions *o, ContainerConfig *c, SpawnSpec *spec, GError **error)
{
  Launch l;
  gboolean ok = prepare (o, c, &l, TRUE, error);
  if (ok)
    {
      *spec = l.spec;
      /* Ownership of these moves to the caller's spec. */
      l.spec.groups = NULL;
      l.spec.rlimits = NULL;
      l.spec.uid_map = l.spec.gid_map = NULL;
      spec->mounts = NULL;
      spec->seccomp = l.seccomp;
      spec->env = l.env;
      for (int i = 0; i < 4; i++)
        spec->join_ns[i] = -1; /* exec joins the running container's (spawn_exec) */
      spec->join_pidns = -1;
      l.seccomp = NULL;
      l.env = NULL;
    }
  launch_clear (&l);
  return ok;
}
