/* SPDX-License-Identifier: Apache-2.0 */
/* Placing a container and its supervisor in cgroups; see cgroup.h for the
 * modes. Everything goes through files below m->root so that a fake tree in
 * a temp dir exercises the same code as /sys/fs/cgroup. */
#include "systemd/cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "error.h"
#include "fdio.h"

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* The controllers podunit enables: memory (limits and the OOM counter),
 * pids (podman's default limit of 2048) and cpu. */
static const char *const wanted_controllers[] = { "memory", "pids", "cpu", NULL };

struct _CgroupManager
{
  char *root;
  CgroupVersion version;
  CgroupMode mode;
  char *own;
  char *id;
  CgroupFsOps ops;
  /* Relative paths, NULL when the mode has none. */
  char *parent;     /* where controllers are enabled for the leaves */
  char *container;  /* the container's leaf */
  char *supervisor; /* the supervisor's leaf */
  char *container_abs;
  char *supervisor_abs;
  /* v1/hybrid: the container's leaf in the freezer hierarchy, for pause
   * (cgroup v1 keeps no other cgroup of the container's own). */
  char *freezer;
};

static int
default_make_dir (const char *path, gpointer data)
{
  return mkdir (path, 0755) == 0 ? 0 : -errno;
}

static int
default_remove_dir (const char *path, gpointer data)
{
  return rmdir (path) == 0 ? 0 : -errno;
}

gboolean
cgroup_mode_from_string (const char *s, CgroupMode *mode, GError **error)
{
  static const struct { const char *name; CgroupMode mode; } modes[] = {
    { "enabled", CGROUP_MODE_ENABLED },     { "disabled", CGROUP_MODE_DISABLED },
    { "no-conmon", CGROUP_MODE_NO_CONMON }, { "split", CGROUP_MODE_SPLIT },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    if (g_strcmp0 (s, modes[i].name) == 0)
      {
        *mode = modes[i].mode;
        return TRUE;
      }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "invalid --cgroups \"%s\": must be enabled, disabled, no-conmon or split",
               s ? s : "");
  return FALSE;
}

const char *
cgroup_mode_to_string (CgroupMode mode)
{
  switch (mode)
    {
    case CGROUP_MODE_ENABLED: return "enabled";
    case CGROUP_MODE_DISABLED: return "disabled";
    case CGROUP_MODE_NO_CONMON: return "no-conmon";
    case CGROUP_MODE_SPLIT: return "split";
    }
  return "enabled";
}

gboolean
cgroup_parse_memory (const char *s, gint64 *bytes, GError **error)
{
  char *end = NULL;
  double v;
  gint64 mult = 1;

  errno = 0;
  v = s && *s ? g_ascii_strtod (s, &end) : -1;
  if (errno != 0 || !(v >= 0) || end == s) /* (NaN fails v >= 0) */
    goto bad;
  switch (g_ascii_tolower (*end))
    {
    case '\0': break;
    case 'b': mult = 1; end++; goto check_end;
    case 'k': mult = 1LL << 10; break;
    case 'm': mult = 1LL << 20; break;
    case 'g': mult = 1LL << 30; break;
    case 't': mult = 1LL << 40; break;
    case 'p': mult = 1LL << 50; break;
    default: goto bad;
    }
  if (*end)
    {
      end++;
      /* "64mb", "64MiB" as podman's RAMInBytes accepts. */
      if (g_ascii_tolower (*end) == 'i')
        end++;
      if (g_ascii_tolower (*end) == 'b')
        end++;
    }
check_end:
  if (*end != '\0' || !(v * mult < (double) G_MAXINT64))
    goto bad;
  *bytes = (gint64) (v * mult);
  return TRUE;
bad:
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "invalid size \"%s\"",
               s ? s : "");
  return FALSE;
}

gboolean
cgroup_parse_cpus (const char *s, gint64 *quota, GError **error)
{
  char *end = NULL;
  double v = -1;

  errno = 0;
  if (s && *s)
    v = g_ascii_strtod (s, &end);
  /* (an empty value left end NULL; NaN fails both comparisons) */
  if (errno != 0 || end == NULL || end == s || *end != '\0' || !(v > 0 && v <= 1e6))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "invalid --cpus \"%s\": must be a positive number", s ? s : "");
      return FALSE;
    }
  *quota = (gint64) (v * CGROUP_DEFAULT_CPU_PERIOD + 0.5);
  /* The kernel's minimum quota is 1 ms. */
  if (*quota < 1000)
    *quota = 1000;
  return TRUE;
}

gboolean
cgroup_limits_requested (const CgroupLimits *l)
{
  return l->memory >= 0 || l->memory_swap != -1 || l->pids_limit != -1 || l->cpu_quota >= 0
         || l->cpu_weight > 0;
}

gboolean
cgroup_detect_version (const char *root, CgroupVersion *version, GError **error)
{
  struct statfs st;
  g_autofree char *unified = NULL;

  if (statfs (root, &st) < 0)
    {
      return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), errno, "statfs %s",
                          root);
    }
  if (st.f_type == CGROUP2_SUPER_MAGIC)
    {
      *version = CGROUP_VERSION_V2;
      return TRUE;
    }
  unified = g_build_filename (root, "unified", NULL);
  if (statfs (unified, &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC)
    *version = CGROUP_VERSION_HYBRID;
  else
    *version = CGROUP_VERSION_V1;
  return TRUE;
}

gboolean
cgroup_parse_proc_cgroup (const char *contents, char **path, GError **error)
{
  g_auto (GStrv) lines = g_strsplit (contents, "\n", -1);
  for (char **l = lines; *l; l++)
    if (g_str_has_prefix (*l, "0::"))
      {
        const char *p = *l + 3;
        while (*p == '/')
          p++;
        *path = g_strdup (p);
        return TRUE;
      }
  g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                       "no unified cgroup (\"0::\" line) in /proc/PID/cgroup");
  return FALSE;
}

gboolean
cgroup_own_path (pid_t pid, char **path, GError **error)
{
  g_autofree char *file = pid > 0 ? g_strdup_printf ("/proc/%d/cgroup", (int) pid)
                                  : g_strdup ("/proc/self/cgroup");
  g_autofree char *contents = NULL;
  if (!g_file_get_contents (file, &contents, NULL, error))
    return FALSE;
  return cgroup_parse_proc_cgroup (contents, path, error);
}

CgroupManager *
cgroup_manager_new (const char *root, CgroupVersion version, CgroupMode mode, const char *own,
                    const char *id)
{
  CgroupManager *m = g_new0 (CgroupManager, 1);
  m->root = g_strdup (root ? root : CGROUP_DEFAULT_ROOT);
  m->version = version;
  m->mode = mode;
  m->own = g_strdup (own ? own : "");
  m->id = g_strdup (id);
  m->ops.make_dir = default_make_dir;
  m->ops.remove_dir = default_remove_dir;

  if (mode == CGROUP_MODE_DISABLED)
    return m;
  if (version != CGROUP_VERSION_V2)
    {
      m->freezer = g_strdup_printf ("freezer/podunit.slice/podunit-%s", id);
      return m;
    }

  if (mode == CGROUP_MODE_SPLIT)
    {
      m->parent = g_strdup (m->own);
      m->container = g_build_filename (m->own, "container", NULL);
      m->supervisor = g_build_filename (m->own, "supervisor", NULL);
    }
  else
    {
      /* Root may write the top of the hierarchy: a slice of our own there,
       * as podman's cgroupfs manager does with libpod_parent. Rootless
       * users can only nest below their own (delegated) cgroup. */
      if (access (m->root, W_OK) == 0)
        m->parent = g_strdup ("podunit.slice");
      else
        m->parent = g_strdup (m->own);
      m->container = *m->parent ? g_strdup_printf ("%s/podunit-%s", m->parent, id)
                                : g_strdup_printf ("podunit-%s", id);
      if (mode == CGROUP_MODE_ENABLED)
        m->supervisor = *m->parent ? g_strdup_printf ("%s/podunit-conmon-%s", m->parent, id)
                                   : g_strdup_printf ("podunit-conmon-%s", id);
    }
  m->container_abs = g_build_filename (m->root, m->container, NULL);
  if (m->supervisor)
    m->supervisor_abs = g_build_filename (m->root, m->supervisor, NULL);
  return m;
}

void
cgroup_manager_free (CgroupManager *m)
{
  if (!m)
    return;
  g_free (m->root);
  g_free (m->own);
  g_free (m->id);
  g_free (m->parent);
  g_free (m->container);
  g_free (m->supervisor);
  g_free (m->container_abs);
  g_free (m->supervisor_abs);
  g_free (m->freezer);
  g_free (m);
}

void
cgroup_manager_set_fs_ops (CgroupManager *m, const CgroupFsOps *ops)
{
  m->ops = *ops;
}

const char *
cgroup_container_path (CgroupManager *m)
{
  return m->container_abs;
}

const char *
cgroup_supervisor_path (CgroupManager *m)
{
  return m->supervisor_abs;
}

/* Writes @value into the interface file @rel/@file. cgroup.procs is opened
 * for appending: the kernel ignores the offset, and a fake tree then keeps
 * every pid written. Returns 0 or -errno (error set). */
static int
write_file (CgroupManager *m, const char *rel, const char *file, const char *value,
            GError **error)
{
  g_autofree char *path = g_build_filename (m->root, rel, file, NULL);
  gboolean append = g_str_equal (file, "cgroup.procs");
  size_t len = strlen (value);
  autofd int fd = open (path, O_WRONLY | O_CLOEXEC | (append ? O_APPEND : O_TRUNC));
  ssize_t n = fd < 0 ? -1 : write (fd, value, len);
  int e = n < 0 ? errno : (size_t) n != len ? EIO : 0;

  if (e)
    {
      errno_error (error, G_FILE_ERROR, g_file_error_from_errno (e), e, "write \"%s\" to %s",
                   value, path);
      return -e;
    }
  return 0;
}

static char *
read_file (CgroupManager *m, const char *rel, const char *file)
{
  g_autofree char *path = g_build_filename (m->root, rel, file, NULL);
  char *contents = NULL;
  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  return contents;
}

static gboolean
has_file (CgroupManager *m, const char *rel, const char *file)
{
  g_autofree char *path = g_build_filename (m->root, rel, file, NULL);
  return access (path, F_OK) == 0;
}

static gboolean
make_dir (CgroupManager *m, const char *rel, GError **error)
{
  g_autofree char *path = g_build_filename (m->root, rel, NULL);
  int r = m->ops.make_dir (path, m->ops.data);
  if (r < 0 && r != -EEXIST)
    {
      return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (-r), -r, "mkdir %s", path);
    }
  return TRUE;
}

/* Returns 0 or -errno (error set). */
static int
move_pid (CgroupManager *m, const char *rel, pid_t pid, GError **error)
{
  char buf[32];
  g_snprintf (buf, sizeof buf, "%d\n", (int) pid);
  return write_file (m, rel, "cgroup.procs", buf, error);
}

static gboolean
word_in (const char *list, const char *word)
{
  g_auto (GStrv) words = g_strsplit_set (list ? list : "", " \n\t", -1);
  for (char **w = words; *w; w++)
    if (g_str_equal (*w, word) || (**w == '+' && g_str_equal (*w + 1, word)))
      return TRUE;
  return FALSE;
}

/* Enables in @rel's subtree the wanted controllers that @rel has. Returns
 * the ones now enabled ("memory pids"), or NULL with @error. */
static char *
enable_controllers (CgroupManager *m, const char *rel, GError **error)
{
  g_autofree char *available = read_file (m, rel, "cgroup.controllers");
  g_autofree char *enabled = read_file (m, rel, "cgroup.subtree_control");
  g_autoptr (GString) add = g_string_new (NULL);
  g_autoptr (GString) now = g_string_new (NULL);

  for (const char *const *c = wanted_controllers; *c; c++)
    {
      if (!word_in (available, *c))
        continue;
      g_string_append_printf (now, "%s%s", now->len ? " " : "", *c);
      if (!word_in (enabled, *c))
        g_string_append_printf (add, "%s+%s", add->len ? " " : "", *c);
    }
  /* All at once: the kernel applies a write of several tokens atomically. */
  if (add->len && write_file (m, rel, "cgroup.subtree_control", add->str, error) < 0)
    return NULL;
  return g_string_free (g_steal_pointer (&now), FALSE);
}

/* Split mode: v2 allows no processes in a node that enables controllers
 * for its children, so everything in the own cgroup (the supervisor, the
 * podunit process systemd started) moves to the supervisor leaf first. A
 * process forked meanwhile shows up on the next read: repeat until a read
 * shows nothing new (at most three passes). */
static gboolean
empty_own_cgroup (CgroupManager *m, pid_t supervisor, GError **error)
{
  g_autoptr (GHashTable) moved = g_hash_table_new (NULL, NULL);

  if (move_pid (m, m->supervisor, supervisor, error) < 0)
    return FALSE;
  g_hash_table_add (moved, GINT_TO_POINTER (supervisor));
  for (int pass = 0; pass < 3; pass++)
    {
      g_autofree char *procs = read_file (m, m->own, "cgroup.procs");
      g_auto (GStrv) pids = g_strsplit (procs ? procs : "", "\n", -1);
      gboolean found_new = FALSE;
      for (char **p = pids; *p; p++)
        {
          g_autoptr (GError) local = NULL;
          gint64 pid = g_ascii_strtoll (*p, NULL, 10);
          if (pid <= 0 || pid > G_MAXINT || g_hash_table_contains (moved, GINT_TO_POINTER (pid)))
            continue;
          g_hash_table_add (moved, GINT_TO_POINTER (pid));
          found_new = TRUE;
          /* A process that exited meanwhile is fine (ESRCH). */
          int r = move_pid (m, m->supervisor, (pid_t) pid, &local);
          if (r < 0 && r != -ESRCH)
            {
              g_propagate_error (error, g_steal_pointer (&local));
              return FALSE;
            }
        }
      if (!found_new)
        break;
    }
  return TRUE;
}

static gboolean
write_limit (CgroupManager *m, const char *file, const char *value, GError **error)
{
  return write_file (m, m->container, file, value, error) == 0;
}

static void
format_max (char *buf, gsize size, gint64 v)
{
  if (v < 0)
    g_strlcpy (buf, "max", size);
  else
    g_snprintf (buf, size, "%" G_GINT64_FORMAT, v);
}

static gboolean
apply_limits (CgroupManager *m, const CgroupLimits *l, const char *controllers, char **warning,
              GError **error)
{
  char buf[64];
  g_autoptr (GPtrArray) missing = g_ptr_array_new ();

  if (word_in (controllers, "memory"))
    {
      if (l->memory >= 0)
        {
          format_max (buf, sizeof buf, l->memory);
          if (!write_limit (m, "memory.max", buf, error))
            return FALSE;
        }
      /* podman: --memory-swap is memory plus swap, and without it the
       * container may swap as much as its memory limit. The file is absent
       * when the kernel does no swap accounting. */
      if ((l->memory >= 0 || l->memory_swap != -1) && has_file (m, m->container, "memory.swap.max"))
        {
          gint64 swap = -1;
          if (l->memory_swap >= 0)
            swap = l->memory >= 0 ? MAX (l->memory_swap - l->memory, 0) : l->memory_swap;
          else if (l->memory_swap == -1)
            swap = l->memory;
          format_max (buf, sizeof buf, swap);
          if (!write_limit (m, "memory.swap.max", buf, error))
            return FALSE;
        }
    }
  else if (l->memory >= 0 || l->memory_swap != -1)
    g_ptr_array_add (missing, "--memory");

  if (word_in (controllers, "pids"))
    {
      gint64 pids = l->pids_limit == -1 ? CGROUP_DEFAULT_PIDS_LIMIT : l->pids_limit;
      format_max (buf, sizeof buf, pids > 0 ? pids : -1);
      if (!write_limit (m, "pids.max", buf, error))
        return FALSE;
    }
  else if (l->pids_limit != -1)
    g_ptr_array_add (missing, "--pids-limit");

  if (word_in (controllers, "cpu"))
    {
      if (l->cpu_quota >= 0)
        {
          g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT " %" G_GINT64_FORMAT, l->cpu_quota,
                      l->cpu_period > 0 ? l->cpu_period : (gint64) CGROUP_DEFAULT_CPU_PERIOD);
          if (!write_limit (m, "cpu.max", buf, error))
            return FALSE;
        }
      if (l->cpu_weight > 0)
        {
          g_snprintf (buf, sizeof buf, "%" G_GINT64_FORMAT, l->cpu_weight);
          if (!write_limit (m, "cpu.weight", buf, error))
            return FALSE;
        }
    }
  else if (l->cpu_quota >= 0 || l->cpu_weight > 0)
    g_ptr_array_add (missing, "--cpus/--cpu-weight");

  if (missing->len)
    {
      g_ptr_array_add (missing, NULL);
      g_autofree char *names = g_strjoinv (", ", (char **) missing->pdata);
      *warning = g_strdup_printf ("cgroup controllers not delegated to %s: %s not applied",
                                  *m->parent ? m->parent : "/", names);
    }
  return TRUE;
}

/* podunit.slice at the root, which passes its controllers on. */
static gboolean
make_parent (CgroupManager *m, GError **error)
{
  g_autoptr (GError) local = NULL;
  if (m->mode == CGROUP_MODE_SPLIT || !*m->parent || g_str_equal (m->parent, m->own))
    return TRUE;
  /* (without them, the limits step reports what is missing) */
  g_free (enable_controllers (m, "", &local));
  return make_dir (m, m->parent, error);
}

int
cgroup_supervisor_open (CgroupManager *m)
{
  g_autofree char *path = NULL;
  /* Rootless, the parent is the own cgroup, which the supervisor's own
   * manager would then find to be the leaf itself. A leaf that exists
   * already is another supervisor's (a start of a running container) or
   * a leftover: not this one's to be born in, nor to remove. */
  if (m->version != CGROUP_VERSION_V2 || m->mode != CGROUP_MODE_ENABLED || !m->supervisor
      || !*m->parent || g_str_equal (m->parent, m->own) || !make_parent (m, NULL))
    return -1;
  path = g_build_filename (m->root, m->supervisor, NULL);
  if (m->ops.make_dir (path, m->ops.data) < 0)
    return -1;
  return open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
}

gboolean
cgroup_prepare (CgroupManager *m, pid_t supervisor, const CgroupLimits *limits, char **warning,
                GError **error)
{
  g_autofree char *controllers = NULL;
  g_autoptr (GError) local = NULL;

  *warning = NULL;
  if (m->mode == CGROUP_MODE_DISABLED)
    return TRUE;
  if (m->version != CGROUP_VERSION_V2)
    {
      if (cgroup_limits_requested (limits))
        *warning = g_strdup ("cgroup v2 not available: --memory/--pids-limit/--cpus not applied");
      /* The freezer leaf, where the hierarchy is mounted and writable
       * (not rootless): without one the container cannot be paused. */
      if (m->freezer)
        {
          g_autofree char *parent = g_path_get_dirname (m->freezer);
          g_autofree char *top = g_build_filename (m->root, "freezer", NULL);
          if (!g_file_test (top, G_FILE_TEST_IS_DIR) || !make_dir (m, parent, NULL)
              || !make_dir (m, m->freezer, NULL))
            g_clear_pointer (&m->freezer, g_free);
          else
            (void) write_file (m, m->freezer, "freezer.state", "THAWED", NULL);
        }
      return TRUE;
    }

  if (!make_parent (m, error))
    return FALSE;
  if (m->supervisor)
    {
      if (!make_dir (m, m->supervisor, error))
        return FALSE;
      if (m->mode == CGROUP_MODE_SPLIT)
        {
          if (!empty_own_cgroup (m, supervisor, error))
            return FALSE;
        }
      /* Not when it was born there (cgroup_supervisor_open). */
      else if (!g_str_equal (m->own, m->supervisor)
               && move_pid (m, m->supervisor, supervisor, error) < 0)
        return FALSE;
    }

  controllers = enable_controllers (m, m->parent, &local);
  if (!controllers)
    {
      /* Not delegated, or a process still in a rootless own cgroup: run
       * without limits rather than fail, and say so. */
      controllers = g_strdup ("");
    }
  if (!make_dir (m, m->container, error))
    return FALSE;
  if (!apply_limits (m, limits, controllers, warning, error))
    return FALSE;
  if (local && !*warning && cgroup_limits_requested (limits))
    *warning = g_strdup_printf ("cannot enable cgroup controllers (%s): limits not applied",
                                local->message);
  return TRUE;
}

gboolean
cgroup_enter (CgroupManager *m, pid_t pid, GError **error)
{
  if (m->freezer && has_file (m, m->freezer, "freezer.state"))
    return move_pid (m, m->freezer, pid, error) == 0;
  if (!m->container)
    return TRUE;
  return move_pid (m, m->container, pid, error) == 0;
}

/* v2: cgroup.freeze, done once cgroup.events says "frozen 1"; v1: the
 * freezer's state file, done once it reads FROZEN (FREEZING meanwhile). */
gboolean
cgroup_freeze (CgroupManager *m, gboolean freeze, GError **error)
{
  const char *rel = m->container ? m->container : m->freezer;
  gboolean v2 = m->container != NULL;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  if (!rel || !has_file (m, rel, v2 ? "cgroup.freeze" : "freezer.state"))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                   "the container has no cgroup of its own to freeze (--cgroups=disabled, or "
                   "rootless without cgroup v2)");
      return FALSE;
    }
  if (write_file (m, rel, v2 ? "cgroup.freeze" : "freezer.state",
                  v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED"), error)
      < 0)
    return FALSE;
  for (;;)
    {
      g_autofree char *text = read_file (m, rel, v2 ? "cgroup.events" : "freezer.state");
      const char *f = text && v2 ? strstr (text, "frozen ") : NULL;
      gboolean done = v2 ? (!f || (f[7] == '1') == freeze)
                         : (!text || g_str_has_prefix (text, freeze ? "FROZEN" : "THAWED"));
      if (done)
        return TRUE;
      if (g_get_monotonic_time () > deadline)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_AGAIN, "%s %s/%s: not done after 5 s",
                       freeze ? "freezing" : "thawing", m->root, rel);
          return FALSE;
        }
      /* v1 retries a freeze that is still FREEZING by writing again */
      if (!v2 && freeze)
        (void) write_file (m, rel, "freezer.state", "FROZEN", NULL);
      g_usleep (1000);
    }
}

gboolean
cgroup_oom_kills (CgroupManager *m, guint64 *count, GError **error)
{
  g_autofree char *events = NULL;
  *count = 0;
  if (!m->container)
    return TRUE;
  events = read_file (m, m->container, "memory.events");
  if (!events)
    return TRUE;
  g_auto (GStrv) lines = g_strsplit (events, "\n", -1);
  for (char **l = lines; *l; l++)
    if (g_str_has_prefix (*l, "oom_kill "))
      *count = g_ascii_strtoull (*l + 9, NULL, 10);
  return TRUE;
}

/* SIGKILLs every pid listed in @rel/cgroup.procs; returns how many. */
static int
kill_listed (CgroupManager *m, const char *rel)
{
  g_autofree char *procs = read_file (m, rel, "cgroup.procs");
  g_auto (GStrv) pids = g_strsplit (procs ? procs : "", "\n", -1);
  int n = 0;
  for (char **p = pids; *p; p++)
    {
      gint64 pid = g_ascii_strtoll (*p, NULL, 10);
      /* Never ourselves: a crashed run's cleanup runs from a new process,
       * but a confused tree must not make podunit kill itself. */
      if (pid > 0 && pid != getpid () && kill ((pid_t) pid, SIGKILL) == 0)
        n++;
    }
  return n;
}

/* TRUE when @rel's cgroup.events says "populated 0" (or cannot be read). */
static gboolean
is_unpopulated (CgroupManager *m, const char *rel)
{
  g_autofree char *text = read_file (m, rel, "cgroup.events");
  const char *line = text ? strstr (text, "populated ") : NULL;
  return !line || line[10] == '0';
}

/* Waits until @rel's cgroup.events says "populated 0": the kernel
 * rewrites it (a modify event) when the last process has left. Without
 * cgroup.kill, what is listed is killed again at each change (a process
 * may have forked meanwhile). FALSE after @timeout_ms. The inotify watch
 * is made only when there is something to wait for: closing an inotify
 * fd that had a watch waits for an SRCU grace period (7-15 ms here), which
 * doubled `run --rm`'s wall time on cgroup v2 when the container was
 * already gone (bench/run: median 19.9 ms before, see the commit). */
static gboolean
wait_unpopulated (CgroupManager *m, const char *rel, gboolean kill_listed_again, int timeout_ms)
{
  g_autofree char *events = g_build_filename (m->root, rel, "cgroup.events", NULL);
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_ms * 1000;

  if (is_unpopulated (m, rel))
    return TRUE;
  autofd int ifd = inotify_init1 (IN_CLOEXEC | IN_NONBLOCK);
  if (ifd < 0 || inotify_add_watch (ifd, events, IN_MODIFY) < 0)
    return FALSE;
  for (;;)
    {
      struct pollfd pfd = { .fd = ifd, .events = POLLIN };
      gint64 left = deadline - g_get_monotonic_time ();
      char buf[1024];
      if (is_unpopulated (m, rel))
        return TRUE;
      if (left <= 0)
        return FALSE;
      if (kill_listed_again)
        kill_listed (m, rel);
      if (poll (&pfd, 1, (int) (left / 1000) + 1) > 0)
        while (read (ifd, buf, sizeof buf) > 0)
          ;
    }
}

/* Removes @rel; with @kill_first, its processes are killed and it is
 * removed once they are gone. Returns 0 or -errno (error set). */
static int
remove_dir (CgroupManager *m, const char *rel, gboolean kill_first, GError **error)
{
  g_autofree char *path = g_build_filename (m->root, rel, NULL);
  int r = 0;

  if (access (path, F_OK) != 0)
    return 0;
  if (kill_first)
    {
      gboolean has_kill = has_file (m, rel, "cgroup.kill")
                          && write_file (m, rel, "cgroup.kill", "1", NULL) == 0;
      if (!has_kill)
        kill_listed (m, rel);
      wait_unpopulated (m, rel, !has_kill, 1000);
    }
  r = m->ops.remove_dir (path, m->ops.data);
  if (r == 0 || r == -ENOENT)
    return 0;
  errno_error (error, G_FILE_ERROR, g_file_error_from_errno (-r), -r, "rmdir %s", path);
  return r;
}

/* v1: the freezer leaf, thawed first (a frozen process does not die of
 * SIGKILL there), its processes killed, removed once they are gone (v1
 * has no cgroup.events to wait on: rmdir says EBUSY until then). */
static gboolean
cleanup_freezer (CgroupManager *m, GError **error)
{
  g_autofree char *path = g_build_filename (m->root, m->freezer, NULL);
  int r = 0;
  if (access (path, F_OK) != 0)
    return TRUE;
  (void) write_file (m, m->freezer, "freezer.state", "THAWED", NULL);
  for (int i = 0; i < 1000; i++)
    {
      if (kill_listed (m, m->freezer) == 0
          && ((r = m->ops.remove_dir (path, m->ops.data)) == 0 || r == -ENOENT))
        return TRUE;
      g_usleep (1000);
    }
  if (r == 0)
    r = -EBUSY;
  return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (-r), -r, "rmdir %s", path);
}

gboolean
cgroup_cleanup (CgroupManager *m, GError **error)
{
  g_autoptr (GError) sup_error = NULL;

  if (m->freezer)
    return cleanup_freezer (m, error);
  if (!m->container)
    return TRUE;
  if (remove_dir (m, m->container, TRUE, error) < 0)
    return FALSE;
  if (m->supervisor)
    {
      /* The supervisor cleaning up after its container is still in its
       * leaf; in enabled mode (a leaf of its own) it moves to the root
       * cgroup, which may hold processes, so the leaf can go. In split
       * mode the leaf belongs to the unit and systemd removes it. */
      if (m->mode == CGROUP_MODE_ENABLED)
        {
          g_autofree char *procs = read_file (m, m->supervisor, "cgroup.procs");
          char self[32];
          g_snprintf (self, sizeof self, "%d", (int) getpid ());
          if (procs && word_in (procs, self))
            (void) move_pid (m, "", getpid (), NULL);
        }
      /* EBUSY in split mode: the supervisor itself is still there. */
      int r = remove_dir (m, m->supervisor, FALSE, &sup_error);
      if (r < 0 && !(r == -EBUSY && m->mode == CGROUP_MODE_SPLIT))
        {
          g_propagate_error (error, g_steal_pointer (&sup_error));
          return FALSE;
        }
    }
  return TRUE;
}

CgroupManager *
cgroup_manager_for_container (const char *mode_str, const char *id, GError **error)
{
  CgroupMode mode = CGROUP_MODE_ENABLED;
  CgroupVersion version;
  g_autofree char *own = NULL;

  if (mode_str && !cgroup_mode_from_string (mode_str, &mode, error))
    return NULL;
  if (!cgroup_detect_version (CGROUP_DEFAULT_ROOT, &version, error))
    return NULL;
  if (version == CGROUP_VERSION_V2 && !cgroup_own_path (0, &own, error))
    return NULL;
  return cgroup_manager_new (CGROUP_DEFAULT_ROOT, version, mode, own, id);
}

gboolean
cgroup_manager_save (CgroupManager *m, const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_key_file_set_string (kf, "cgroup", "root", m->root);
  g_key_file_set_integer (kf, "cgroup", "version", m->version);
  g_key_file_set_string (kf, "cgroup", "mode", cgroup_mode_to_string (m->mode));
  g_key_file_set_string (kf, "cgroup", "own", m->own);
  g_key_file_set_string (kf, "cgroup", "id", m->id);
  return g_key_file_save_to_file (kf, path, error);
}

CgroupManager *
cgroup_manager_load (const char *path, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) local = NULL;
  g_autofree char *root = NULL, *mode_str = NULL, *own = NULL, *id = NULL;
  CgroupMode mode;
  gint version;

  if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, &local))
    {
      if (!g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        g_propagate_error (error, g_steal_pointer (&local));
      return NULL;
    }
  root = g_key_file_get_string (kf, "cgroup", "root", error);
  mode_str = root ? g_key_file_get_string (kf, "cgroup", "mode", error) : NULL;
  own = mode_str ? g_key_file_get_string (kf, "cgroup", "own", error) : NULL;
  id = own ? g_key_file_get_string (kf, "cgroup", "id", error) : NULL;
  if (!id)
    return NULL;
  version = g_key_file_get_integer (kf, "cgroup", "version", NULL);
  if (!cgroup_mode_from_string (mode_str, &mode, error))
    return NULL;
  return cgroup_manager_new (root, (CgroupVersion) version, mode, own, id);
}

gboolean
cgroup_enter_saved (const char *path, pid_t pid, GError **error)
{
  g_autoptr (GError) local = NULL;
  g_autoptr (CgroupManager) m = cgroup_manager_load (path, &local);
  if (local)
    {
      g_propagate_error (error, g_steal_pointer (&local));
      return FALSE;
    }
  return !m || cgroup_enter (m, pid, error);
}
