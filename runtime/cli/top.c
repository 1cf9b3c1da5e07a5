/* SPDX-License-Identifier: Apache-2.0 */
/* podunit top CONTAINER [DESCRIPTOR...] and pod top POD [DESCRIPTOR...]:
 * the processes of a container (of a pod's running containers), as
 * podman's top (psgo) shows them, read from the host's /proc: every process
 * in the pid namespace of the container's pid 1. Nothing runs in the
 * container (CVE-2022-1227: podman once ran the image's nsenter); the
 * container's user and group names come from its /etc/passwd and
 * /etc/group, opened under its root with RESOLVE_IN_ROOT. */
#include "cli/cli.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "container/container.h"
#include "fdio.h"
#include "pod/pod.h"

/* One pid namespace shown (a container's; a pod's containers may share
 * one): its root for user names, its id maps. */
typedef struct {
  char *ref; /* the readlink of /proc/PID/ns/pid: "pid:[N]" */
  int rootfd;
  char *uid_map, *gid_map;
} TopNs;

static void
top_ns_free (TopNs *n)
{
  if (n->rootfd >= 0)
    close (n->rootfd);
  g_free (n->ref);
  g_free (n->uid_map);
  g_free (n->gid_map);
  g_free (n);
}

typedef struct {
  const TopNs *ns;
  int hpid, ppid_host;
  guint64 ticks_cpu, start_ticks;
  long nice, rss_pages;
  guint64 vsz;
  int tty;
  char state;
  char *comm, *args;
  GArray *nspid;        /* the pid in each nested namespace, ours first */
  guint uid[4], gid[4]; /* real, effective, saved, fs (host ids) */
} Proc;

static void
proc_free (Proc *p)
{
  g_free (p->comm);
  g_free (p->args);
  if (p->nspid)
    g_array_unref (p->nspid);
  g_free (p);
}

static char *
read_proc (int pid, const char *what, gsize *len)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/%s", pid, what);
  char *data = NULL;
  return g_file_get_contents (path, &data, len, NULL) ? data : NULL;
}

static Proc *
proc_load (int pid)
{
  g_autofree char *stat = read_proc (pid, "stat", NULL);
  g_autofree char *status = read_proc (pid, "status", NULL);
  gsize clen = 0;
  g_autofree char *cmdline = read_proc (pid, "cmdline", &clen);
  g_auto (GStrv) f = NULL;
  char *close_paren;
  Proc *p;

  if (!stat || !status || !(close_paren = strrchr (stat, ')')))
    return NULL;
  p = g_new0 (Proc, 1);
  p->hpid = pid;
  p->comm = g_strndup (strchr (stat, '(') + 1, close_paren - strchr (stat, '(') - 1);
  /* after "pid (comm) ": state is field 3 */
  f = g_strsplit (close_paren + 2, " ", -1);
  if (g_strv_length (f) < 22)
    {
      proc_free (p);
      return NULL;
    }
  p->state = f[0][0];
  p->ppid_host = atoi (f[1]);
  p->tty = atoi (f[4]);
  p->ticks_cpu = g_ascii_strtoull (f[11], NULL, 10) + g_ascii_strtoull (f[12], NULL, 10);
  p->nice = atol (f[16]);
  p->start_ticks = g_ascii_strtoull (f[19], NULL, 10);
  p->vsz = g_ascii_strtoull (f[20], NULL, 10);
  p->rss_pages = atol (f[21]);
  for (gsize i = 0; cmdline && i + 1 < clen; i++)
    if (cmdline[i] == '\0')
      cmdline[i] = ' ';
  p->args = cmdline && clen ? g_strndup (cmdline, strlen (cmdline)) : g_strdup_printf ("[%s]", p->comm);
  p->nspid = g_array_new (FALSE, FALSE, sizeof (int));
  {
    g_auto (GStrv) lines = g_strsplit (status, "\n", -1);
    for (char **l = lines; *l; l++)
      if (g_str_has_prefix (*l, "Uid:") || g_str_has_prefix (*l, "Gid:"))
        {
          guint *ids = (*l)[0] == 'U' ? p->uid : p->gid;
          sscanf (*l + 4, "%u %u %u %u", &ids[0], &ids[1], &ids[2], &ids[3]);
        }
      else if (g_str_has_prefix (*l, "NSpid:"))
        {
          g_auto (GStrv) w = g_strsplit_set (*l + 6, " \t", -1);
          for (char **x = w; *x; x++)
            if (**x)
              {
                int v = atoi (*x);
                g_array_append_val (p->nspid, v);
              }
        }
  }
  return p;
}

/* host id -> the id inside, through /proc/PID/{uid,gid}_map ("inside outside count"). */
static guint
map_to_container (const char *map, guint host)
{
  g_auto (GStrv) lines = map ? g_strsplit (map, "\n", -1) : NULL;
  for (char **l = lines; l && *l; l++)
    {
      guint in, out, n;
      if (sscanf (*l, "%u %u %u", &in, &out, &n) == 3 && host >= out && host - out < n)
        return in + (host - out);
    }
  return 65534; /* unmapped: the overflow id, as the kernel shows it */
}

/* The name of @id in the container's /etc/passwd or /etc/group (@file). */
static char *
container_name (int rootfd, const char *file, guint id)
{
  struct open_how how = { .flags = O_RDONLY | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT };
  autofd int fd = rootfd >= 0 ? syscall (SYS_openat2, rootfd, file, &how, sizeof how) : -1;
  g_autoptr (GString) text = g_string_new (NULL);
  g_auto (GStrv) lines = NULL;
  char buf[4096];
  ssize_t n;
  while (fd >= 0 && (n = read (fd, buf, sizeof buf)) > 0 && text->len < (1 << 20))
    g_string_append_len (text, buf, n);
  lines = g_strsplit (text->str, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      g_auto (GStrv) f = g_strsplit (*l, ":", 4);
      if (g_strv_length (f) >= 3 && *f[2] && (guint) atoi (f[2]) == id)
        return g_strdup (f[0]);
    }
  return g_strdup_printf ("%u", id);
}

/* Go's time.Duration String() at 10 ms (clock tick) resolution. */
static char *
go_duration (double seconds)
{
  long h = (long) (seconds / 3600), m = (long) ((seconds - h * 3600.0) / 60);
  double s = seconds - h * 3600.0 - m * 60.0;
  g_autofree char *sec = g_strdup_printf ("%.2f", s);
  char *end = sec + strlen (sec) - 1;
  while (*end == '0')
    *end-- = '\0';
  if (*end == '.')
    *end = '\0';
  if (h)
    return g_strdup_printf ("%ldh%ldm%ss", h, m, sec);
  if (m)
    return g_strdup_printf ("%ldm%ss", m, sec);
  return g_strdup_printf ("%ss", sec);
}

static const struct {
  const char *names[2]; /* the name and its "%x" form */
  const char *header;
} descriptors[] = {
  { { "pcpu", "%C" }, "%CPU" },     { { "group", "%G" }, "GROUP" },
  { { "ppid", "%P" }, "PPID" },     { { "user", "%U" }, "USER" },
  { { "args", "%a" }, "COMMAND" },  { { "comm", "%c" }, "COMMAND" },
  { { "rgroup", "%g" }, "RGROUP" }, { { "nice", "%n" }, "NI" },
  { { "pid", "%p" }, "PID" },       { { "etime", "%t" }, "ELAPSED" },
  { { "ruser", "%u" }, "RUSER" },   { { "time", "%x" }, "TIME" },
  { { "tty", "%y" }, "TTY" },       { { "vsz", "%z" }, "VSZ" },
  { { "hpid", NULL }, "HPID" },     { { "huser", NULL }, "HUSER" },
  { { "hgroup", NULL }, "HGROUP" }, { { "rss", NULL }, "RSS" },
  { { "state", NULL }, "STATE" },
};

static int
descriptor (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (descriptors); i++)
    if (g_str_equal (name, descriptors[i].names[0])
        || (descriptors[i].names[1] && g_str_equal (name, descriptors[i].names[1])))
      return (int) i;
  return -1;
}

static char *
host_name (gboolean group, guint id)
{
  if (group)
    {
      struct group *gr = getgrgid (id);
      return gr ? g_strdup (gr->gr_name) : g_strdup_printf ("%u", id);
    }
  struct passwd *pw = getpwuid (id);
  return pw ? g_strdup (pw->pw_name) : g_strdup_printf ("%u", id);
}

typedef struct {
  double uptime;
  long hz, page_kb;
  GHashTable *ns_of_host; /* host pid -> container pid */
} TopCtx;

static char *
field (const TopCtx *t, const Proc *p, const char *name)
{
  double elapsed = t->uptime - (double) p->start_ticks / t->hz;
  double cpu = (double) p->ticks_cpu / t->hz;
  if (g_str_equal (name, "pid"))
    return g_strdup_printf ("%d", g_array_index (p->nspid, int, p->nspid->len - 1));
  if (g_str_equal (name, "ppid"))
    return g_strdup_printf ("%d", GPOINTER_TO_INT (g_hash_table_lookup (
                                      t->ns_of_host, GINT_TO_POINTER (p->ppid_host))));
  if (g_str_equal (name, "hpid"))
    return g_strdup_printf ("%d", p->hpid);
  if (g_str_equal (name, "user") || g_str_equal (name, "ruser"))
    return container_name (p->ns->rootfd, "/etc/passwd",
                           map_to_container (p->ns->uid_map, p->uid[name[0] == 'u' ? 1 : 0]));
  if (g_str_equal (name, "group") || g_str_equal (name, "rgroup"))
    return container_name (p->ns->rootfd, "/etc/group",
                           map_to_container (p->ns->gid_map, p->gid[name[0] == 'g' ? 1 : 0]));
  if (g_str_equal (name, "huser"))
    return host_name (FALSE, p->uid[1]);
  if (g_str_equal (name, "hgroup"))
    return host_name (TRUE, p->gid[1]);
  if (g_str_equal (name, "args"))
    return g_strdup (p->args);
  if (g_str_equal (name, "comm"))
    return g_strdup (p->comm);
  if (g_str_equal (name, "nice"))
    return g_strdup_printf ("%ld", p->nice);
  if (g_str_equal (name, "etime"))
    return go_duration (MAX (elapsed, 0));
  if (g_str_equal (name, "time"))
    return go_duration (cpu);
  if (g_str_equal (name, "pcpu"))
    return g_strdup_printf ("%.3f", elapsed > 0 ? 100.0 * cpu / elapsed : 0.0);
  if (g_str_equal (name, "tty"))
    {
      guint major = (p->tty >> 8) & 0xfff, minor = (p->tty & 0xff) | ((p->tty >> 12) & 0xfff00);
      if (p->tty == 0)
        return g_strdup ("?");
      return major == 136 ? g_strdup_printf ("pts/%u", minor) : g_strdup_printf ("%u:%u", major, minor);
    }
  if (g_str_equal (name, "vsz"))
    return g_strdup_printf ("%" G_GUINT64_FORMAT, p->vsz / 1024);
  if (g_str_equal (name, "rss"))
    return g_strdup_printf ("%ld", p->rss_pages * t->page_kb);
  if (g_str_equal (name, "state"))
    return g_strdup_printf ("%c", p->state);
  return g_strdup ("");
}

/* ps(1)'s way of asking for every process with some columns, which
 * podman's top takes too: "-eo pid,comm", "-e -o ...", "-A". */
static gboolean
ps_selector (const char *arg)
{
  return arg[0] == '-' && arg[1] && strspn (arg + 1, "eAo") == strlen (arg + 1);
}

/* The descriptors in @argv (podman takes "huser,user" as well as
 * "huser user", and ps's -eo), or the default columns; FALSE after an
 * error. */
static gboolean
top_columns (int argc, char **argv, GPtrArray *cols)
{
  static const char *const dflt[]
      = { "user", "pid", "ppid", "pcpu", "etime", "tty", "time", "args", NULL };
  for (int i = 0; i < argc; i++)
    {
      g_auto (GStrv) parts = NULL;
      if (ps_selector (argv[i]))
        continue;
      parts = g_strsplit_set (argv[i], ", ", -1);
      for (char **p = parts; *p; p++)
        {
          int d = **p ? descriptor (*p) : -2;
          if (d == -2)
            continue;
          if (d < 0)
            {
              cli_error ("unknown descriptor: %s", *p);
              return FALSE;
            }
          g_ptr_array_add (cols, (gpointer) descriptors[d].names[0]);
        }
    }
  if (cols->len == 0)
    for (const char *const *d = dflt; *d; d++)
      g_ptr_array_add (cols, (gpointer) *d);
  return TRUE;
}

/* Prints @cols of every process in the pid namespaces of @pids (the pid
 * 1s of running containers; one namespace shown once), as podman's
 * tabwriter lays them out. */
static int
top_print (GArray *pids, GPtrArray *cols)
{
  g_autoptr (GPtrArray) procs = g_ptr_array_new_with_free_func ((GDestroyNotify) proc_free);
  g_autoptr (GPtrArray) nss = g_ptr_array_new_with_free_func ((GDestroyNotify) top_ns_free);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GDir) dir = NULL;
  g_autofree char *uptime = NULL;
  TopCtx t = { 0 };
  const char *name;

  for (guint i = 0; i < pids->len; i++)
    {
      int pid = g_array_index (pids, int, i);
      g_autofree char *ns = g_strdup_printf ("/proc/%d/ns/pid", pid);
      g_autofree char *root = g_strdup_printf ("/proc/%d/root", pid);
      g_autofree char *ref = g_file_read_link (ns, NULL);
      TopNs *n;
      gboolean seen = FALSE;
      if (!ref)
        {
          cli_error ("top: the container's process %d is gone", pid);
          return EXIT_PODUNIT;
        }
      for (guint k = 0; k < nss->len; k++)
        seen = seen || g_str_equal (((TopNs *) nss->pdata[k])->ref, ref);
      if (seen)
        continue;
      n = g_new0 (TopNs, 1);
      n->ref = g_steal_pointer (&ref);
      n->rootfd = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC);
      n->uid_map = read_proc (pid, "uid_map", NULL);
      n->gid_map = read_proc (pid, "gid_map", NULL);
      g_ptr_array_add (nss, n);
    }
  t.uptime = g_file_get_contents ("/proc/uptime", &uptime, NULL, NULL)
                 ? g_ascii_strtod (uptime, NULL) : 0;
  t.hz = sysconf (_SC_CLK_TCK);
  t.page_kb = sysconf (_SC_PAGESIZE) / 1024;
  t.ns_of_host = g_hash_table_new (NULL, NULL);
  dir = g_dir_open ("/proc", 0, NULL);
  while (dir && (name = g_dir_read_name (dir)))
    {
      int pid = atoi (name);
      g_autofree char *ns = NULL, *nspath = NULL;
      const TopNs *in = NULL;
      Proc *p;
      if (pid <= 0)
        continue;
      nspath = g_strdup_printf ("/proc/%d/ns/pid", pid);
      ns = g_file_read_link (nspath, NULL);
      for (guint k = 0; ns && !in && k < nss->len; k++)
        if (g_str_equal (((TopNs *) nss->pdata[k])->ref, ns))
          in = nss->pdata[k];
      if (!in || !(p = proc_load (pid)))
        continue;
      if (p->nspid->len == 0)
        {
          proc_free (p);
          continue;
        }
      p->ns = in;
      g_hash_table_insert (t.ns_of_host, GINT_TO_POINTER (pid),
                           GINT_TO_POINTER (g_array_index (p->nspid, int, p->nspid->len - 1)));
      g_ptr_array_add (procs, p);
    }
  {
    char **header = g_new0 (char *, cols->len + 1);
    for (guint i = 0; i < cols->len; i++)
      header[i] = g_strdup (descriptors[descriptor (cols->pdata[i])].header);
    g_ptr_array_add (rows, header);
  }
  for (guint k = 0; k < procs->len; k++)
    {
      char **row = g_new0 (char *, cols->len + 1);
      for (guint i = 0; i < cols->len; i++)
        row[i] = field (&t, procs->pdata[k], cols->pdata[i]);
      g_ptr_array_add (rows, row);
    }
  {
    /* podman's tabwriter: columns at least 12 wide, 2 spaces of padding */
    g_autofree gsize *width = g_new0 (gsize, cols->len);
    for (guint r = 0; r < rows->len; r++)
      for (guint i = 0; i + 1 < cols->len; i++)
        width[i] = MAX (width[i], MAX (12, strlen (((char **) rows->pdata[r])[i]) + 2));
    for (guint r = 0; r < rows->len; r++)
      {
        char **row = rows->pdata[r];
        for (guint i = 0; i < cols->len; i++)
          printf (i + 1 < cols->len ? "%-*s" : "%*s\n", (int) (i + 1 < cols->len ? width[i] : 0),
                  row[i]);
      }
  }
  g_hash_table_unref (t.ns_of_host);
  return 0;
}

int
cli_top (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL;
  g_autoptr (ContainerConfig) c = NULL;
  g_autoptr (GPtrArray) cols = g_ptr_array_new ();
  g_autoptr (GArray) pids = g_array_new (FALSE, FALSE, sizeof (int));
  ContainerState st;

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER [DESCRIPTOR...]", TRUE))
    return EXIT_PODUNIT;
  if (argc < 2)
    {
      cli_error ("top: requires a CONTAINER");
      return EXIT_PODUNIT;
    }
  if (!top_columns (argc - 2, argv + 2, cols))
    return EXIT_PODUNIT;
  id = container_resolve (g->root, argv[1], &error);
  c = id ? container_config_load (g->root, id, &error) : NULL;
  if (!c || !container_state_load (g->runroot, id, &st, &error))
    return cli_fail (error);
  if (!container_status_alive (st.status) || st.pid <= 0)
    {
      cli_error ("top can only be used on running containers");
      return EXIT_PODUNIT;
    }
  g_array_append_val (pids, st.pid);
  return top_print (pids, cols);
}

/* pod top POD [DESCRIPTOR...]: the processes of its running containers. */
int
cli_pod_top (CliGlobal *g, int argc, char **argv)
{
  const GOptionEntry entries[] = { { NULL } };
  g_autoptr (GError) error = NULL;
  g_autofree char *pod_id = NULL;
  g_autoptr (Pod) p = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GPtrArray) cols = g_ptr_array_new ();
  g_autoptr (GArray) pids = g_array_new (FALSE, FALSE, sizeof (int));

  if (!cli_parse_options (&argc, &argv, entries, "POD [DESCRIPTOR...]", TRUE))
    return EXIT_PODUNIT;
  if (argc < 2)
    {
      cli_error ("you must provide the name or id of a running pod");
      return EXIT_PODUNIT;
    }
  if (!top_columns (argc - 2, argv + 2, cols))
    return EXIT_PODUNIT;
  pod_id = pod_resolve (g->root, argv[1], &error);
  p = pod_id ? pod_load (g->root, pod_id, &error) : NULL;
  if (!p)
    return cli_fail (error);
  ids = pod_containers (g->root, p);
  for (guint i = 0; i < ids->len; i++)
    {
      ContainerState st;
      if (container_state_load (g->runroot, ids->pdata[i], &st, NULL)
          && container_status_alive (st.status) && st.pid > 0)
        g_array_append_val (pids, st.pid);
    }
  if (pids->len == 0)
    {
      cli_error ("pod top can only be used on pods with at least one running container");
      return EXIT_PODUNIT;
    }
  return top_print (pids, cols);
}
