/* SPDX-License-Identifier: Apache-2.0 */
/* podunit's entry point: global flags (podman's, parsed before the verb),
 * then one verb from the table below. Each verb is its own file; see cli.h.
 *
 * Quadlet may put podman global flags on the command line (GlobalArgs=,
 * ContainersConfModule=): the ones that only steer podman's own plumbing
 * are accepted and ignored; the ones that would change what podunit does
 * fail with a message naming the flag. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "cli/cli.h"
#include "sandbox/spawn.h"
#include "sandbox/userns.h"


typedef struct {
  const char *name; /* "rm" or "container rm" */
  CliVerbFunc func;
  const char *summary; /* NULL: internal, not listed */
} CliVerb;

static const CliVerb verbs[] = {
  { "run", cli_run, "Run a command in a new container" },
  { "create", cli_create, "Create but do not start a container" },
  { "start", cli_start, "Start one or more containers" },
  { "ps", cli_ps, "List containers" },
  { "inspect", cli_inspect, "Display the configuration of a container or image" },
  { "stop", cli_stop, "Stop one or more containers" },
  { "restart", cli_restart, "Restart one or more containers" },
  { "kill", cli_kill, "Kill one or more running containers with a signal" },
  { "rm", cli_rm, "Remove one or more containers" },
  { "exec", cli_exec, "Run a process in a running container" },
  { "wait", cli_wait, "Block on one or more containers" },
  { "logs", cli_logs, "Fetch the logs of a container" },
  { "diff", cli_diff, "Inspect changes to a container's file systems" },
  { "commit", cli_commit, "Create a new image from a container's changes" },
  { "build", cli_build, "Build an image from a Containerfile" },
  { "top", cli_top, "Display the running processes of a container" },
  { "container top", cli_top, NULL },
  { "pause", cli_pause, "Pause all the processes in one or more containers" },
  { "unpause", cli_unpause, "Unpause the processes in one or more containers" },
  { "container pause", cli_pause, NULL },
  { "container unpause", cli_unpause, NULL },
  { "image build", cli_build, NULL },
  { "load", cli_load, "Load image(s) from a tar archive" },
  { "save", cli_save, "Save image(s) to an archive" },
  { "images", cli_images, "List images in local storage" },
  { "tag", cli_tag, "Add an additional name to a local image" },
  { "untag", cli_untag, "Remove names from a local image" },
  { "image untag", cli_untag, NULL },
  { "rmi", cli_rmi, "Remove one or more images from local storage" },
  { "pull", cli_pull, "Pull an image from a registry" },
  { "push", cli_push, "Push an image to a registry or an archive" },
  { "search", cli_search, "Search a registry for an image" },
  { "login", cli_login, "Log in to a container registry" },
  { "logout", cli_logout, "Log out of a container registry" },
  { "version", cli_version, "Display the podunit version information" },
  { "info", cli_info, "Display podunit system information" },
  { "system info", cli_info, NULL },
  { "system connection ls", cli_system_connection_ls, NULL },
  { "system connection list", cli_system_connection_ls, NULL },
  { "container exists", cli_container_exists, NULL },
  { "image exists", cli_image_exists, NULL },
  { "container run", cli_run, NULL },
  { "container create", cli_create, NULL },
  { "container start", cli_start, NULL },
  { "container ps", cli_ps, NULL },
  { "container ls", cli_ps, NULL },
  { "container list", cli_ps, NULL },
  { "container inspect", cli_inspect, NULL },
  { "container stop", cli_stop, NULL },
  { "container restart", cli_restart, NULL },
  { "container kill", cli_kill, NULL },
  { "container rm", cli_rm, NULL },
  { "container exec", cli_exec, NULL },
  { "container wait", cli_wait, NULL },
  { "container logs", cli_logs, NULL },
  { "container diff", cli_diff, NULL },
  { "container commit", cli_commit, NULL },
  { "image inspect", cli_image_inspect, NULL },
  { "image prune", cli_image_prune, NULL },
  { "container prune", cli_container_prune, NULL },
  { "system prune", cli_system_prune, NULL },
  { "image ls", cli_images, NULL },
  { "image list", cli_images, NULL },
  { "image load", cli_load, NULL },
  { "image save", cli_save, NULL },
  { "image tag", cli_tag, NULL },
  { "image rm", cli_rmi, NULL },
  { "image pull", cli_pull, NULL },
  { "image push", cli_push, NULL },
  { "image search", cli_search, NULL },
  { "image list-tags", cli_list_tags, NULL },
  { "image mount", cli_image_mount, NULL },
  { "image umount", cli_image_unmount, NULL },
  { "image unmount", cli_image_unmount, NULL },
  { "volume create", cli_volume_create, NULL },
  { "volume rm", cli_volume_rm, NULL },
  { "volume ls", cli_volume_ls, NULL },
  { "volume list", cli_volume_ls, NULL },
  { "volume inspect", cli_volume_inspect, NULL },
  { "volume prune", cli_volume_prune, NULL },
  { "volume exists", cli_volume_exists, NULL },
  { "network create", cli_network_create, NULL },
  { "network ls", cli_network_ls, NULL },
  { "network list", cli_network_ls, NULL },
  { "network inspect", cli_network_inspect, NULL },
  { "network rm", cli_network_rm, NULL },
  { "network remove", cli_network_rm, NULL },
  { "network prune", cli_network_prune, NULL },
  { "network exists", cli_network_exists, NULL },
  { "network reload", cli_network_reload, NULL },
  { "network connect", cli_network_connect, NULL },
  { "network disconnect", cli_network_disconnect, NULL },
  { "port", cli_port, "List port mappings of a container" },
  { "container port", cli_port, NULL },
  { "pod create", cli_pod_create, NULL },
  { "pod start", cli_pod_start, NULL },
  { "pod stop", cli_pod_stop, NULL },
  { "pod restart", cli_pod_restart, NULL },
  { "pod kill", cli_pod_kill, NULL },
  { "pod rm", cli_pod_rm, NULL },
  { "pod ps", cli_pod_ps, NULL },
  { "pod ls", cli_pod_ps, NULL },
  { "pod list", cli_pod_ps, NULL },
  { "pod inspect", cli_pod_inspect, NULL },
  { "pod exists", cli_pod_exists, NULL },
  { "pod prune", cli_pod_prune, NULL },
  { "pod pause", cli_pod_pause, NULL },
  { "pod unpause", cli_pod_unpause, NULL },
  { "pod top", cli_pod_top, NULL },
  { "container cleanup", cli_container_cleanup, NULL },
  { "container poststop", cli_container_poststop, NULL },
  { "secret create", cli_secret_create, NULL },
  { "secret ls", cli_secret_ls, NULL },
  { "secret list", cli_secret_ls, NULL },
  { "secret inspect", cli_secret_inspect, NULL },
  { "secret rm", cli_secret_rm, NULL },
  { "secret exists", cli_secret_exists, NULL },
  { "healthcheck run", cli_healthcheck_run, "Run the health check of a container" },
  { "artifact add", cli_artifact_add, NULL },
  { "artifact ls", cli_artifact_ls, NULL },
  { "artifact list", cli_artifact_ls, NULL },
  { "artifact inspect", cli_artifact_inspect, NULL },
  { "artifact rm", cli_artifact_rm, NULL },
  { "artifact remove", cli_artifact_rm, NULL },
  { "artifact extract", cli_artifact_extract, NULL },
  { "artifact push", cli_artifact_push_pull, NULL },
  { "artifact pull", cli_artifact_push_pull, NULL },
};

/* Words that take a second word to name the verb. */
static const char *const groups[] = { "container", "image", "volume", "pod", "network", "healthcheck",
                                      "system", "secret", "artifact", NULL };

/* podman global flags that only steer podman's plumbing; podunit has none of
 * it, so they are accepted and their value ignored. */
static const char *const ignored_with_value[] = {
  "--cgroup-manager", "--events-backend", "--module", "--tmpdir", "--network-cmd-path",
  "--network-config-dir", "--cni-config-dir", "--conmon",
  "--volumepath", NULL,
};
static const char *const ignored_bool[] = { "--syslog", "--no-syslog", NULL };

CliLogLevel cli_log_level = LOG_LEVEL_WARN;

char *
cli_go_strerror (int errsv)
{
  char *s = g_strdup (g_strerror (errsv));
  /* glibc capitalizes the first word, Go's table does not */
  if (s[0] && g_ascii_isupper (s[0]) && !(s[1] && g_ascii_isupper (s[1])))
    s[0] = g_ascii_tolower (s[0]);
  return s;
}

gboolean
cli_check_authfile (const char *authfile, GError **error)
{
  g_autofree char *why = NULL;
  if (!authfile || !*authfile || access (authfile, F_OK) == 0)
    return TRUE;
  why = cli_go_strerror (errno);
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
               "credential file is not accessible: faccessat %s: %s", authfile, why);
  return FALSE;
}

void
cli_error (const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  fputs ("Error: ", stderr);
  vfprintf (stderr, fmt, ap);
  fputc ('\n', stderr);
  va_end (ap);
}

/* logrus's TextFormatter: a value is quoted (Go's %q) unless it is only
 * letters, digits and -._/@^+ . */
static void
log_value (GString *out, const char *s)
{
  const char *p;
  for (p = s; *p; p++)
    if (!g_ascii_isalnum (*p) && !strchr ("-._/@^+", *p))
      break;
  if (*s && !*p)
    {
      g_string_append (out, s);
      return;
    }
  g_string_append_c (out, '"');
  for (p = s; *p; p++)
    {
      unsigned char c = (unsigned char) *p;
      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c == '\r')
        g_string_append (out, "\\r");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\x%02x", c);
      else
        g_string_append_c (out, (char) c);
    }
  g_string_append_c (out, '"');
}

static void
log_line (CliLogLevel level, const char *fmt, va_list ap)
{
  static const char *const names[] = { "error", "warning", "info", "debug", "trace" };
  static const char *const tags[] = { "ERRO", "WARN", "INFO", "DEBU", "TRAC" };
  g_autofree char *msg = NULL;
  g_autoptr (GString) line = g_string_new (NULL);

  if (cli_log_level < level)
    return;
  msg = g_strdup_vprintf (fmt, ap);
  if (isatty (STDERR_FILENO))
    g_string_append_printf (line, "%s[0000] %s\n", tags[level], msg);
  else
    {
      g_autoptr (GDateTime) now = g_date_time_new_now_local ();
      g_autofree char *t = g_date_time_format (now, "%FT%T");
      g_autofree char *z = g_date_time_format (now, "%:z");
      /* Go's RFC3339 writes a zero offset as "Z" */
      g_string_append_printf (line, "time=\"%s%s\" level=%s msg=", t,
                              strcmp (z, "+00:00") == 0 ? "Z" : z, names[level]);
      log_value (line, msg);
      g_string_append_c (line, '\n');
    }
  fputs (line->str, stderr);
}

#define LOG_FUNC(name, level)                                                                      \
  void name (const char *fmt, ...)                                                                 \
  {                                                                                                \
    va_list ap;                                                                                    \
    va_start (ap, fmt);                                                                            \
    log_line (level, fmt, ap);                                                                     \
    va_end (ap);                                                                                   \
  }
LOG_FUNC (cli_warn, LOG_LEVEL_WARN)
LOG_FUNC (cli_log_info, LOG_LEVEL_INFO)
LOG_FUNC (cli_debug, LOG_LEVEL_DEBUG)
LOG_FUNC (cli_trace, LOG_LEVEL_TRACE)

static void
warn_message (const char *message, gpointer data)
{
  cli_warn ("%s", message);
}

int
cli_launch_fail (GError *error)
{
  cli_error ("%s", error ? error->message : "unknown error");
  return launch_exit_status (error);
}

void
cli_sweep (CliGlobal *g)
{
  g_autoptr (GError) error = NULL;
  if (!launch_sweep (&g->launch, &error))
    cli_warn ("removing what a killed command left: %s", error->message);
}

int
cli_fail (GError *error)
{
  cli_error ("%s", error ? error->message : "unknown error");
  return EXIT_PODUNIT;
}

gboolean
cli_parse_options (int *argc, char ***argv, const GOptionEntry *entries,
                   const char *parameter_string, gboolean stop_at_operand)
{
  g_autoptr (GError) error = NULL;
  if (cli_options_parse (argc, argv, entries, parameter_string, stop_at_operand, &error))
    return TRUE;
  cli_error ("%s", error->message);
  return FALSE;
}

static gboolean
in_list (const char *const *list, const char *s)
{
  for (; *list; list++)
    if (strcmp (*list, s) == 0)
      return TRUE;
  return FALSE;
}

static void
usage (FILE *out)
{
  fputs ("Usage: podunit [global flags] COMMAND [flags] [args]\n\n"
         "Global flags: --root DIR --runroot DIR --log-level LEVEL\n\nCommands:\n",
         out);
  for (gsize i = 0; i < G_N_ELEMENTS (verbs); i++)
    if (verbs[i].summary)
      fprintf (out, "  %-10s %s\n", verbs[i].name, verbs[i].summary);
  fputs ("  container, image, volume, pod: the same verbs as two words\n", out);
}

gboolean
cli_parse_log_level (const char *s, CliLogLevel *out, const char **name)
{
  static const struct { const char *name; CliLogLevel level; } levels[] = {
    { "trace", LOG_LEVEL_TRACE }, { "debug", LOG_LEVEL_DEBUG }, { "info", LOG_LEVEL_INFO },
    { "warn", LOG_LEVEL_WARN },   { "warning", LOG_LEVEL_WARN },   { "error", LOG_LEVEL_ERROR }, { "fatal", LOG_LEVEL_ERROR },
    { "panic", LOG_LEVEL_ERROR },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (levels); i++)
    if (strcmp (levels[i].name, s) == 0)
      {
        *out = levels[i].level;
        *name = strcmp (s, "warn") == 0 ? "warning" : levels[i].name;
        return TRUE;
      }
  return FALSE;
}

static void
set_default_dirs (CliGlobal *g)
{
  /* Inside the rootless namespace (a supervisor, or a podunit it runs)
   * podunit is root but still rootless. */
  g->rootless = geteuid () != 0 || !userns_is_initial ();
  if (!g->root)
    g->root = g->rootless ? g_build_filename (g_get_user_data_dir (), "podunit", NULL)
                          : g_strdup ("/var/lib/podunit");
  if (!g->runroot)
    {
      const char *xdg = g_getenv ("XDG_RUNTIME_DIR");
      if (!g->rootless)
        g->runroot = g_strdup ("/run/podunit");
      else if (xdg && *xdg)
        g->runroot = g_build_filename (xdg, "podunit", NULL);
      else
        g->runroot = g_strdup_printf ("/tmp/podunit-run-%u", (unsigned) geteuid ());
    }
}

#ifndef NFS_SUPER_MAGIC
#define NFS_SUPER_MAGIC 0x6969
#endif

/* What may still be in the rootless namespace when its pause process is
 * gone (userns.h): the running containers' supervisors and pid 1s. */
static GArray *
rootless_holders (gpointer data)
{
  CliGlobal *g = data;
  g_autofree char *dir = g_build_filename (g->runroot, "containers", NULL);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  const char *id;
  while (d && (id = g_dir_read_name (d)))
    {
      ContainerState st;
      if (!container_state_load (g->runroot, id, &st, NULL) || !container_status_alive (st.status))
        continue;
      if (st.supervisor_pid > 0)
        g_array_append_val (pids, st.supervisor_pid);
      if (st.pid > 0)
        g_array_append_val (pids, st.pid);
    }
  return pids;
}

/* An unprivileged podunit works as root in the rootless user namespace
 * (userns.h); first the usual reasons it cannot, each named. */
static gboolean
enter_rootless (CliGlobal *g, GError **error)
{
  g_autofree char *pause_file = NULL;
  g_autofree char *warning = NULL;
  g_autofree char *probe = NULL;
  struct statfs sfs;
  struct stat st;

  if (geteuid () == 0)
    return TRUE;
  if (!g->runroot)
    {
      const char *xdg = g_getenv ("XDG_RUNTIME_DIR");
      if (!xdg || !*xdg)
        return g_set_error (error, SPAWN_ERROR, 125,
                            "XDG_RUNTIME_DIR is not set: rootless podunit keeps its state there; "
                            "log in through a session (for services: loginctl enable-linger %s) "
                            "or give --runroot DIR",
                            g_get_user_name ()),
               FALSE;
      if (stat (xdg, &st) < 0)
        return g_set_error (error, SPAWN_ERROR, 125,
                            "XDG_RUNTIME_DIR %s: %s (give --runroot DIR)", xdg, g_strerror (errno)),
               FALSE;
      if (st.st_uid != getuid ())
        return g_set_error (error, SPAWN_ERROR, 125,
                            "XDG_RUNTIME_DIR %s is owned by uid %u, not by %s (uid %u): log in "
                            "as that user (su - / machinectl shell, not plain su) or give "
                            "--runroot DIR",
                            xdg, (unsigned) st.st_uid, g_get_user_name (), (unsigned) getuid ()),
               FALSE;
    }
  set_default_dirs (g);
  /* The nearest existing directory of the store tells its file system. */
  probe = g_strdup (g->root);
  while (statfs (probe, &sfs) < 0 && strcmp (probe, "/") != 0)
    {
      char *up = g_path_get_dirname (probe);
      g_free (probe);
      probe = up;
    }
  if (sfs.f_type == NFS_SUPER_MAGIC)
    return g_set_error (error, SPAWN_ERROR, 125,
                        "the store %s is on NFS, which cannot keep the owners of a rootless "
                        "container's files: give --root DIR on a local file system",
                        g->root),
           FALSE;
  pause_file = g_build_filename (g->runroot, "pause.pid", NULL);
  if (!userns_rootless_enter (pause_file, rootless_holders, g, &warning, error))
    return FALSE;
  if (warning)
    cli_warn ("%s", warning);
  return TRUE;
}

/* Splits "--flag=value" / "--flag value"; returns the value or NULL when the
 * argument is not @flag. Advances *i past a separate value. */
static const char *
flag_value (int argc, char **argv, int *i, const char *flag, gboolean *missing)
{
  const char *a = argv[*i];
  size_t n = strlen (flag);
  if (strncmp (a, flag, n) != 0)
    return NULL;
  if (a[n] == '=')
    return a + n + 1;
  if (a[n] != '\0')
    return NULL;
  if (*i + 1 >= argc)
    {
      *missing = TRUE;
      return NULL;
    }
  (*i)++;
  return argv[*i];
}

static void
cli_global_clear (CliGlobal *g)
{
  g_clear_pointer (&g->root, g_free);
  g_clear_pointer (&g->runroot, g_free);
  g_clear_pointer (&g->default_mounts_file, g_free);
  g_clear_pointer (&g->hooks_dirs, g_strfreev);
  g_clear_pointer (&g->runtime, g_free);
  g_clear_pointer (&g->runtime_flags, g_strfreev);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliGlobal, cli_global_clear)

int
main (int argc, char **argv)
{
  g_auto (CliGlobal) g = { .argv0 = argv[0], .log_level = LOG_LEVEL_WARN };
  int i;
  gboolean log_level_set = FALSE, debug_set = FALSE;
  const char *out = NULL, *level_name = "warning";

  for (i = 1; i < argc && argv[i][0] == '-'; i++)
    {
      const char *a = argv[i], *v;
      gboolean missing = FALSE;

      if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
        {
          usage (stdout);
          return 0;
        }
      if (strcmp (a, "--version") == 0 || strcmp (a, "-v") == 0)
        {
          printf ("podunit version %s\n", PODUNIT_VERSION);
          return 0;
        }
      if ((v = flag_value (argc, argv, &i, "--root", &missing)))
        {
          g_free (g.root);
          g.root = g_canonicalize_filename (v, NULL);
        }
      else if ((v = flag_value (argc, argv, &i, "--runroot", &missing)))
        {
          g_free (g.runroot);
          g.runroot = g_canonicalize_filename (v, NULL);
        }
      else if ((v = flag_value (argc, argv, &i, "--log-level", &missing)))
        {
          if (!cli_parse_log_level (v, &g.log_level, &level_name))
            {
              /* podman fails here before its exit-code machinery: status 1 */
              fprintf (stderr,
                       "Log Level \"%s\" is not supported, choose from: trace, debug, info, "
                       "warn, warning, error, fatal, panic\n",
                       v);
              return 1;
            }
          log_level_set = TRUE;
        }
      else if (strcmp (a, "--debug") == 0 || strcmp (a, "-D") == 0)
        {
          g.log_level = LOG_LEVEL_DEBUG;
          level_name = "debug";
          debug_set = TRUE;
        }
      else if (strcmp (a, "--noout") == 0)
        out = "/dev/null";
      else if ((v = flag_value (argc, argv, &i, "--default-mounts-file", &missing)))
        {
          g_free (g.default_mounts_file);
          g.default_mounts_file = g_strdup (v);
        }
      else if ((v = flag_value (argc, argv, &i, "--hooks-dir", &missing)))
        {
          /* repeatable: OCI hook directories instead of the defaults */
          guint n = g.hooks_dirs ? g_strv_length (g.hooks_dirs) : 0;
          g.hooks_dirs = g_renew (char *, g.hooks_dirs, n + 2);
          g.hooks_dirs[n] = g_canonicalize_filename (v, NULL);
          g.hooks_dirs[n + 1] = NULL;
        }
      else if ((v = flag_value (argc, argv, &i, "--runtime-flag", &missing)))
        {
          guint n = g.runtime_flags ? g_strv_length (g.runtime_flags) : 0;
          g.runtime_flags = g_renew (char *, g.runtime_flags, n + 2);
          g.runtime_flags[n] = g_strdup (v);
          g.runtime_flags[n + 1] = NULL;
        }
      else if ((v = flag_value (argc, argv, &i, "--runtime", &missing)))
        {
          g_autoptr (GError) error = NULL;
          if (!cli_runtime_check (v, &error))
            return cli_fail (error);
          g_free (g.runtime);
          g.runtime = g_strdup (v);
        }
      else if ((v = flag_value (argc, argv, &i, "--out", &missing)))
        out = v;
      else if ((v = flag_value (argc, argv, &i, "--storage-driver", &missing)))
        {
          if (strcmp (v, "overlay") != 0)
            {
              cli_error ("--storage-driver %s: podunit only has overlay", v);
              return EXIT_PODUNIT;
            }
        }
      else if (in_list (ignored_bool, a))
        ;
      else
        {
          const char *const *f;
          for (f = ignored_with_value; *f; f++)
            if (flag_value (argc, argv, &i, *f, &missing) || missing)
              break;
          if (!*f)
            {
              cli_error ("unknown global flag: %s", a);
              return EXIT_PODUNIT;
            }
        }
      if (missing)
        {
          cli_error ("flag needs an argument: %s", a);
          return EXIT_PODUNIT;
        }
    }
  if (log_level_set && debug_set)
    {
      /* podman prints this one bare, before its error machinery, status 1 */
      fputs ("Setting --log-level and --debug is not allowed\n", stderr);
      return 1;
    }
  cli_log_level = g.log_level;
  cli_log_info ("%s filtering at log level %s", argv[0], level_name);
  /* --out FILE / --noout: the verb's standard output goes there. */
  if (out)
    {
      int fd = open (out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0 || dup2 (fd, STDOUT_FILENO) < 0)
        {
          cli_error ("--out %s: %s", out, g_strerror (errno));
          return EXIT_PODUNIT;
        }
      close (fd);
    }

  if (i >= argc)
    {
      usage (stderr);
      return EXIT_PODUNIT;
    }
  if (strcmp (argv[i], "help") == 0)
    {
      usage (stdout);
      return 0;
    }

  g_autofree char *name = NULL;
  if (in_list (groups, argv[i]))
    {
      if (i + 1 >= argc)
        {
          cli_error ("\"%s\" needs a subcommand", argv[i]);
          return EXIT_PODUNIT;
        }
      name = g_strconcat (argv[i], " ", argv[i + 1], NULL);
      i++;
      /* three words: "system connection ls" */
      if (strcmp (name, "system connection") == 0 && i + 1 < argc)
        {
          char *three = g_strconcat (name, " ", argv[i + 1], NULL);
          g_free (name);
          name = three;
          i++;
        }
    }
  else
    name = g_strdup (argv[i]);

  for (gsize k = 0; k < G_N_ELEMENTS (verbs); k++)
    {
      if (strcmp (verbs[k].name, name) != 0)
        continue;
      if (!verbs[k].func)
        {
          cli_error ("\"%s\" is not implemented yet", name);
          return EXIT_PODUNIT;
        }
      {
        g_autoptr (GError) error = NULL;
        if (!enter_rootless (&g, &error))
          return cli_fail (error);
      }
      set_default_dirs (&g);
      g.launch = (LaunchOptions){ .root = g.root, .runroot = g.runroot, .warn = warn_message };
      if (cli_log_level >= LOG_LEVEL_DEBUG)
        {
          g_autofree char *cmdline = g_strjoinv (" ", argv);
          cli_debug ("Called %s (%s)", name, cmdline);
          cli_trace ("root %s, runroot %s%s", g.root, g.runroot, g.rootless ? ", rootless" : "");
        }
      /* The verb sees its own name as argv[0], as GOption expects. */
      argv[i] = name;
      int status = verbs[k].func (&g, argc - i, argv + i);
      /* podman's last debug line */
      cli_debug ("Shutting down engines");
      return status;
    }
  cli_error ("unrecognized command `podunit %s`", name);
  return EXIT_PODUNIT;
}
