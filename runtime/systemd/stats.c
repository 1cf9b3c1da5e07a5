/* SPDX-License-Identifier: Apache-2.0 */
/* Resource use of a process's cgroup (stats.h). */
#include "systemd/stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"

static gboolean
read_u64 (const char *path, guint64 *out)
{
  g_autofree char *s = NULL;
  char *end;
  if (!g_file_get_contents (path, &s, NULL, NULL))
    return FALSE;
  g_strstrip (s);
  if (strcmp (s, "max") == 0)
    return FALSE;
  errno = 0;
  *out = g_ascii_strtoull (s, &end, 10);
  return errno == 0 && end != s;
}

/* "KEY VALUE" lines (cpu.stat, /proc/meminfo "MemTotal: N kB"): KEY's value. */
static gboolean
read_keyed (const char *path, const char *key, guint64 *out)
{
  g_autofree char *s = NULL;
  gsize n = strlen (key);
  if (!g_file_get_contents (path, &s, NULL, NULL))
    return FALSE;
  for (char *line = s; line && *line; line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    if (strncmp (line, key, n) == 0 && (line[n] == ' ' || line[n] == ':'))
      {
        *out = g_ascii_strtoull (line + n + 1 + strspn (line + n + 1, " "), NULL, 10);
        return TRUE;
      }
  return FALSE;
}

typedef struct
{
  char *v2;           /* the unified hierarchy's directory of the process */
  GHashTable *v1;     /* controller -> directory */
  char *own;          /* a directory of its own cgroup (not a root one) */
} Paths;

static gboolean
find_paths (pid_t pid, Paths *p, GError **error)
{
  g_autofree char *file = g_strdup_printf ("/proc/%d/cgroup", (int) pid);
  g_autofree char *s = NULL;
  g_autoptr (GError) local = NULL;
  const char *v2_root = g_file_test ("/sys/fs/cgroup/cgroup.controllers", G_FILE_TEST_EXISTS)
                          ? "/sys/fs/cgroup"
                          : "/sys/fs/cgroup/unified";
  if (!g_file_get_contents (file, &s, NULL, &local))
    return gerror_set (error, G_FILE_ERROR, local->code, "%s", local->message);
  g_autoptr (GHashTable) rel = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *own_rel = NULL;
  p->v1 = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_auto (GStrv) lines = g_strsplit (s, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, ":", 3);
      if (g_strv_length (f) != 3)
        continue;
      if (!*f[1])
        {
          if (strcmp (f[2], "/") != 0)
            p->v2 = g_build_filename (v2_root, f[2], NULL);
          continue;
        }
      g_auto (GStrv) ctl = g_strsplit (f[1], ",", -1);
      for (char **c = ctl; *c; c++)
        {
          g_hash_table_replace (p->v1, g_strdup (*c), g_build_filename ("/sys/fs/cgroup", f[1], f[2], NULL));
          g_hash_table_replace (rel, g_strdup (*c), g_strdup (f[2]));
        }
    }
  /* The container's own cgroup: its unified one, else (v1) the freezer one
   * podunit makes. A controller elsewhere (the root, or a cgroup other
   * processes share) counts more than the container: not used. */
  if (!p->v2)
    own_rel = g_hash_table_lookup (rel, "freezer");
  if (own_rel && strcmp (own_rel, "/") != 0)
    p->own = g_strdup (g_hash_table_lookup (p->v1, "freezer"));
  {
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init (&it, p->v1);
    while (g_hash_table_iter_next (&it, &k, &v))
      if (!p->own || g_strcmp0 (g_hash_table_lookup (rel, k), own_rel) != 0)
        g_hash_table_iter_remove (&it);
  }
  return TRUE;
}

/* FILE in controller CTL's v1 directory, else in the v2 one. */
static char *
path_of (Paths *p, const char *ctl, const char *v1_file, const char *v2_file)
{
  const char *dir = g_hash_table_lookup (p->v1, ctl);
  if (dir && v1_file)
    return g_build_filename (dir, v1_file, NULL);
  return p->v2 && v2_file ? g_build_filename (p->v2, v2_file, NULL) : NULL;
}

static void
sum_blkio (const char *path, gboolean v1, CgroupStats *st)
{
  g_autofree char *s = NULL;
  if (!path || !g_file_get_contents (path, &s, NULL, NULL))
    return;
  g_auto (GStrv) lines = g_strsplit (s, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      char **w = g_strsplit (*l, " ", -1);
      for (guint i = 1; w[0] && w[i]; i++)
        if (v1 && i == 1 && w[2])
          {
            if (strcmp (w[1], "Read") == 0)
              st->blk_read += g_ascii_strtoull (w[2], NULL, 10);
            else if (strcmp (w[1], "Write") == 0)
              st->blk_write += g_ascii_strtoull (w[2], NULL, 10);
          }
        else if (!v1 && g_str_has_prefix (w[i], "rbytes="))
          st->blk_read += g_ascii_strtoull (w[i] + 7, NULL, 10);
        else if (!v1 && g_str_has_prefix (w[i], "wbytes="))
          st->blk_write += g_ascii_strtoull (w[i] + 7, NULL, 10);
      g_strfreev (w);
    }
}

static void
sum_net (pid_t pid, CgroupStats *st)
{
  g_autofree char *file = g_strdup_printf ("/proc/%d/net/dev", (int) pid);
  g_autofree char *s = NULL;
  if (!g_file_get_contents (file, &s, NULL, NULL))
    return;
  g_auto (GStrv) lines = g_strsplit (s, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      char *colon = strchr (*l, ':');
      if (colon)
        {
          g_autofree char *name = g_strstrip (g_strndup (*l, colon - *l));
          guint64 v[9] = { 0 };
          if (strcmp (name, "lo") != 0
              && sscanf (colon + 1, "%" G_GUINT64_FORMAT " %*u %*u %*u %*u %*u %*u %*u %" G_GUINT64_FORMAT,
                         &v[0], &v[8]) == 2)
            {
              st->net_rx += v[0];
              st->net_tx += v[8];
            }
        }
    }
}

/* Without a cpu or memory cgroup of its own: the processes of its cgroup
 * (cgroup.procs), summed from /proc. */
static void
sum_procs (const char *dir, CgroupStats *st, gboolean cpu, gboolean mem, gboolean pids)
{
  g_autofree char *file = g_build_filename (dir, "cgroup.procs", NULL);
  g_autofree char *s = NULL;
  long tick = sysconf (_SC_CLK_TCK), page = sysconf (_SC_PAGESIZE);
  if (!g_file_get_contents (file, &s, NULL, NULL))
    return;
  g_auto (GStrv) lines = g_strsplit (s, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_autofree char *stat = NULL, *statm = NULL, *sp = NULL, *mp = NULL;
      if (!**l)
        continue;
      if (pids)
        st->pids++;
      sp = g_strdup_printf ("/proc/%s/stat", *l);
      mp = g_strdup_printf ("/proc/%s/statm", *l);
      if (cpu && g_file_get_contents (sp, &stat, NULL, NULL) && strrchr (stat, ')'))
        {
          unsigned long long ut = 0, stt = 0;
          /* fields 14 and 15, counted after the command's ")" (field 2) */
          if (sscanf (strrchr (stat, ')') + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
                      &ut, &stt) == 2 && tick > 0)
            st->cpu_nsec += (ut + stt) * (1000000000ULL / (guint64) tick);
        }
      if (mem && g_file_get_contents (mp, &statm, NULL, NULL))
        {
          unsigned long long size = 0, rss = 0;
          if (sscanf (statm, "%llu %llu", &size, &rss) == 2)
            st->mem_usage += rss * (guint64) page;
        }
    }
}

gboolean
cgroup_stats_read (pid_t pid, CgroupStats *st, GError **error)
{
  Paths p = { 0 };
  g_autofree char *cpu = NULL, *mem = NULL, *lim = NULL, *pids = NULL, *blk = NULL;
  guint64 v;

  memset (st, 0, sizeof *st);
  if (!find_paths (pid, &p, error))
    return FALSE;
  gboolean got_cpu = FALSE, got_mem = FALSE, got_pids = FALSE;
  if ((cpu = path_of (&p, "cpuacct", "cpuacct.usage", NULL)))
    got_cpu = read_u64 (cpu, &st->cpu_nsec);
  else if ((cpu = path_of (&p, "cpu", NULL, "cpu.stat")) && read_keyed (cpu, "usage_usec", &v))
    st->cpu_nsec = v * 1000, got_cpu = TRUE;
  if ((mem = path_of (&p, "memory", "memory.usage_in_bytes", "memory.current")))
    got_mem = read_u64 (mem, &st->mem_usage);
  if (read_keyed ("/proc/meminfo", "MemTotal", &v))
    st->mem_limit = v * 1024;
  /* v1 says "no limit" with a huge number; a limit above the host's memory is none */
  if ((lim = path_of (&p, "memory", "memory.limit_in_bytes", "memory.max")) && read_u64 (lim, &v)
      && (v < st->mem_limit || !st->mem_limit))
    st->mem_limit = v;
  if ((pids = path_of (&p, "pids", "pids.current", "pids.current")))
    got_pids = read_u64 (pids, &st->pids);
  blk = path_of (&p, "blkio", "blkio.throttle.io_service_bytes", "io.stat");
  sum_blkio (blk, blk && g_hash_table_contains (p.v1, "blkio"), st);
  sum_net (pid, st);
  if ((p.v2 || p.own) && (!got_cpu || !got_mem || !got_pids))
    sum_procs (p.v2 ? p.v2 : p.own, st, !got_cpu, !got_mem, !got_pids);
  g_free (p.v2);
  g_free (p.own);
  g_hash_table_unref (p.v1);
  return TRUE;
}
