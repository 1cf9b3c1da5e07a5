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
  /* NULL: an alias, internal, or (two words) the same verb as the
   * one-word verb of this function, whose summary it shows */
  const char *summary;
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
  { "stats", cli_stats, "Display a live stream of container resource usage statistics" },
  { "container stats", cli_stats, NULL },
  { "pod stats", cli_pod_stats, "Display a live stream of resource usage statistics for the containers in one or more pods" },
  { "container top", cli_top, NULL },
  { "pause", cli_pause, "Pause all the processes in one or more containers" },
  { "unpause", cli_unpause, "Unpause the processes in one or more containers" },
  { "container pause", cli_pause, NULL },
  { "container unpause", cli_unpause, NULL },
  { "image build", cli_build, NULL },
  { "load", cli_load, "Load image(s) from a tar archive" },
  { "save", cli_save, "Save image(s) to an archive" },
  { "images", cli_images, "List images in local storage" },
  { "history", cli_history, "Show history of a specified image" },
  { "image history", cli_history, NULL },
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
  { "events", cli_events, "Show podman system events" },
  { "system events", cli_events, NULL },
  { "system connection ls", cli_system_connection_ls, "List the destinations for the podman service(s)" },
  { "system connection list", cli_system_connection_ls, NULL },
  { "container exists", cli_container_exists, "Check if a container exists in local storage" },
  { "image exists", cli_image_exists, "Check if an image exists in local storage" },
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
  { "image inspect", cli_image_inspect, "Display the configuration of an image" },
  { "image prune", cli_image_prune, "Remove unused images" },
  { "container prune", cli_container_prune, "Remove all non running containers" },
  { "system prune", cli_system_prune, "Remove unused data" },
  { "image ls", cli_images, NULL },
  { "image list", cli_images, NULL },
  { "image load", cli_load, NULL },
  { "image save", cli_save, NULL },
  { "image tag", cli_tag, NULL },
  { "image rm", cli_rmi, NULL },
  { "image pull", cli_pull, NULL },
  { "image push", cli_push, NULL },
  { "image search", cli_search, NULL },
  { "image list-tags", cli_list_tags, "List the tags of an image in a registry" },
  { "image mount", cli_image_mount, "Mount an image's root filesystem" },
  { "image scp", cli_image_scp, "Securely copy images" },
  { "auto-update", cli_auto_update, "Auto update containers according to their auto-update policy" },
  { "image umount", cli_image_unmount, "Unmount an image's root filesystem" },
  { "image unmount", cli_image_unmount, NULL },
  { "volume create", cli_volume_create, "Create a new volume" },
  { "volume rm", cli_volume_rm, "Remove one or more volumes" },
  { "volume ls", cli_volume_ls, "List volumes" },
  { "volume list", cli_volume_ls, NULL },
  { "volume inspect", cli_volume_inspect, "Display detailed information on one or more volumes" },
  { "volume prune", cli_volume_prune, "Remove all unused volumes" },
  { "volume exists", cli_volume_exists, "Check if volume exists" },
  { "network create", cli_network_create, "Create networks for containers and pods" },
  { "network ls", cli_network_ls, "List networks" },
  { "network list", cli_network_ls, NULL },
  { "network inspect", cli_network_inspect, "Display detailed information on one or more networks" },
  { "network rm", cli_network_rm, "Remove networks" },
  { "network remove", cli_network_rm, NULL },
  { "network prune", cli_network_prune, "Remove unused networks" },
  { "network exists", cli_network_exists, "Check if network exists" },
  { "network reload", cli_network_reload, "Reload firewall rules for one or more containers" },
  { "network connect", cli_network_connect, "Add container to a network" },
  { "network disconnect", cli_network_disconnect, "Disconnect a container from a network" },
  { "port", cli_port, "List port mappings of a container" },
  { "container port", cli_port, NULL },
  { "pod create", cli_pod_create, "Create a new empty pod" },
  { "pod start", cli_pod_start, "Start one or more pods" },
  { "pod stop", cli_pod_stop, "Stop one or more pods" },
  { "pod restart", cli_pod_restart, "Restart one or more pods" },
  { "pod kill", cli_pod_kill, "Send the specified signal or SIGKILL to containers in pod" },
  { "pod rm", cli_pod_rm, "Remove one or more stopped pods and containers" },
  { "pod ps", cli_pod_ps, "List pods" },
  { "pod ls", cli_pod_ps, NULL },
  { "pod list", cli_pod_ps, NULL },
  { "pod inspect", cli_pod_inspect, "Display information describing one or more pods" },
  { "pod exists", cli_pod_exists, "Check if a pod exists in local storage" },
  { "pod prune", cli_pod_prune, "Remove all stopped pods and their containers" },
  { "pod pause", cli_pod_pause, "Pause one or more pods" },
  { "pod unpause", cli_pod_unpause, "Unpause one or more pods" },
  { "pod top", cli_pod_top, "Display the running processes of containers in a pod" },
  { "container cleanup", cli_container_cleanup, NULL },
  { "container poststop", cli_container_poststop, NULL },
  { "secret create", cli_secret_create, "Create a new secret" },
  { "secret ls", cli_secret_ls, "List secrets" },
  { "secret list", cli_secret_ls, NULL },
  { "secret inspect", cli_secret_inspect, "Inspect a secret" },
  { "secret rm", cli_secret_rm, "Remove one or more secrets" },
  { "secret exists", cli_secret_exists, "Check if a secret exists in local storage" },
  { "healthcheck run", cli_healthcheck_run, "Run the health check of a container" },
  { "artifact add", cli_artifact_add, "Add an OCI artifact to the local store" },
  { "artifact ls", cli_artifact_ls, "List OCI artifacts" },
  { "artifact list", cli_artifact_ls, NULL },
  { "artifact inspect", cli_artifact_inspect, "Inspect an OCI artifact" },
  { "artifact rm", cli_artifact_rm, "Remove an OCI artifact" },
  { "artifact remove", cli_artifact_rm, NULL },
  { "artifact extract", cli_artifact_extract, "Extract an OCI artifact to a local path" },
  { "artifact push", cli_artifact_push_pull, "Push an OCI artifact" },
  { "artifact pull", cli_artifact_push_pull, "Pull an OCI artifact" },
};

/* What `help` says of a word that takes another word to name the verb. */
static const struct
{
  const char *name, *summary;
} groups[] = {
  { "artifact", "Manage OCI artifacts" },
  { "container", "Manage containers" },
  { "healthcheck", "Manage health checks on containers" },
  { "image", "Manage images" },
  { "network", "Manage networks" },
  { "pod", "Manage pods" },
  { "secret", "Manage secrets" },
  { "system", "Manage podunit" },
  { "system connection", "Manage remote API service destinations" },
  { "volume", "Manage volumes" },
};

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
warn_conf (const char *message)
{
  cli_warn ("%s", message);
}

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

/* The program's name as the user typed it: podman (cobra) names itself
 * after argv[0], so podunit installed as `podman` says "podman". */
static const char *prog = "podunit";

static const char *
group_summary (const char *path)
{
  for (gsize k = 0; k < G_N_ELEMENTS (groups); k++)
    if (strcmp (groups[k].name, path) == 0)
      return groups[k].summary;
  return NULL;
}

/* A listed verb's summary: its own, or for "GROUP VERB" the one-word verb
 * of the same function ("container run" is "run"). NULL: not listed
 * (an alias, or internal). */
static const char *
verb_summary (gsize k)
{
  if (verbs[k].summary)
    return verbs[k].summary;
  if (!strchr (verbs[k].name, ' '))
    return NULL;
  for (gsize j = 0; j < G_N_ELEMENTS (verbs); j++)
    if (verbs[j].func == verbs[k].func && verbs[j].summary && !strchr (verbs[j].name, ' '))
      {
        /* only the first name of that function in this group */
        gsize plen = strrchr (verbs[k].name, ' ') - verbs[k].name + 1;
        for (gsize i = 0; i < k; i++)
          if (verbs[i].func == verbs[k].func && strncmp (verbs[i].name, verbs[k].name, plen) == 0
              && !strchr (verbs[i].name + plen, ' '))
            return NULL;
        return verbs[j].summary;
      }
  return NULL;
}

static int
find_verb (const char *name)
{
  for (gsize k = 0; k < G_N_ELEMENTS (verbs); k++)
    if (strcmp (verbs[k].name, name) == 0)
      return (int) k;
  return -1;
}

/* PATH ("" or "pod" or "system connection") names a group when a verb's
 * name continues it. */
static gboolean
is_group (const char *path)
{
  gsize n = strlen (path);
  for (gsize k = 0; k < G_N_ELEMENTS (verbs); k++)
    if (strncmp (verbs[k].name, path, n) == 0 && verbs[k].name[n] == ' ')
      return TRUE;
  return FALSE;
}

typedef struct
{
  const char *name, *summary;
} HelpLine;

static gint
cmp_child (gconstpointer a, gconstpointer b)
{
  return strcmp (((const HelpLine *) a)->name, ((const HelpLine *) b)->name);
}

/* Whether --help leaves --remote out: podman offers it only while the
 * remote mode is not implied (CONTAINER_HOST, CONTAINER_CONNECTION, --url,
 * --connection). */
static gboolean remote_implied;

/* The global flags as podman's --help lists them (pflag's layout). The
 * remote ones are accepted so that a podman-remote script gets an error
 * naming them. */
static void
root_options (FILE *out)
{
  static const struct { const char *flags, *help; } options[] = {
    { "-c, --connection string", "Connection to a remote Podman service (podunit has none: refused)" },
    { "    --debug", "Log at debug level (-D)" },
    { "    --default-mounts-file string", "mounts.conf to read" },
    { "-h, --help", "Help for podunit" },
    { "    --hooks-dir strings", "OCI hooks directory (may be set multiple times)" },
    { "    --identity string", "SSH identity for a remote Podman service (refused)" },
    { "    --log-level string", "Log messages at and above this level (trace, debug, info, warn, warning, error, fatal, panic) (default \"warn\")" },
    { "    --noout", "Do not write the command's output (stdout)" },
    { "    --out string", "Send the command's output (stdout) to a file" },
    { "-r, --remote", "Access a remote Podman service (podunit has none: refused)" },
    { "    --root string", "Path to the root directory in which data is stored (default /var/lib/podunit)" },
    { "    --runroot string", "Path to the directory of the run state (default /run/podunit)" },
    { "    --runtime string", "OCI runtime: podunit itself (podunit or its path)" },
    { "    --runtime-flag stringArray", "Flags for the runtime (podunit takes debug and log-level)" },
    { "    --storage-driver string", "Storage driver (podunit has overlay only)" },
    { "    --url string", "URL of a remote Podman service (CONTAINER_HOST; refused)" },
    { "-v, --version", "Version of podunit" },
  };
  fputs ("\nOptions:\n", out);
  for (gsize i = 0; i < G_N_ELEMENTS (options); i++)
    if (!remote_implied || !strstr (options[i].flags, "--remote"))
      fprintf (out, "  %-34s %s\n", options[i].flags, options[i].help);
  fputs ("\nAlso accepted and ignored (podman's plumbing): --cgroup-manager, --events-backend, "
         "--module, --tmpdir,\n--network-cmd-path, --network-config-dir, --cni-config-dir, "
         "--conmon, --volumepath,\n--syslog, --no-syslog.\n",
         out);
}

/* cobra's help of a group: what podman prints for `podman pod --help`;
 * `help` and the scripts that read it find the commands under "Available
 * Commands:". */
static void
group_help (FILE *out, const char *path)
{
  gsize n = strlen (path), width = 11;
  g_autoptr (GArray) children = g_array_new (FALSE, FALSE, sizeof (HelpLine));
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *summary = *path ? group_summary (path) : "Manage pods, containers, images, volumes and networks";

  for (gsize k = 0; k < G_N_ELEMENTS (verbs); k++)
    {
      const char *rest = verbs[k].name + n + (n ? 1 : 0);
      const char *child_summary;
      g_autofree char *child = NULL, *child_path = NULL;
      if (n && (strncmp (verbs[k].name, path, n) != 0 || verbs[k].name[n] != ' '))
        continue;
      child = g_strndup (rest, strcspn (rest, " "));
      child_path = n ? g_strconcat (path, " ", child, NULL) : g_strdup (child);
      child_summary = strchr (rest, ' ') ? group_summary (child_path) : verb_summary (k);
      if (!child_summary || g_hash_table_contains (seen, child))
        continue;
      {
        HelpLine line = { g_strdup (child), child_summary };
        g_hash_table_add (seen, (char *) line.name);
        g_array_append_val (children, line);
      }
      width = MAX (width, strlen (child));
    }
  g_array_sort (children, cmp_child);
  fprintf (out, "%s\n\nDescription:\n  %s\n\nUsage:\n  %s%s%s [command]\n\nAvailable Commands:\n",
           summary ? summary : path, summary ? summary : path, prog, n ? " " : " [options]", path);
  for (guint i = 0; i < children->len; i++)
    {
      HelpLine *line = &g_array_index (children, HelpLine, i);
      fprintf (out, "  %-*s %s\n", (int) width, line->name, line->summary);
    }
  if (!n)
    root_options (out);
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
  g_autofree char *dir = container_runs_dir (g->runroot);
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
  containers_conf_clear (&g->conf);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CliGlobal, cli_global_clear)

/* The global flags as they are read so far. */
typedef struct {
  gboolean help, version, log_level_set, debug_set;
  const char *out, *level_name;
  const char *remote; /* the flag or variable that asks for a remote service */
} GlobalFlags;

/* pflag's message for a bad global flag, and the pointer to the help podman
 * adds. */
static int
global_flag_error (const char *what, const char *a)
{
  fprintf (stderr, "Error: %s%s\nSee '%s --help'\n", what, a, prog);
  return EXIT_PODUNIT;
}

/* Reads the global flag at argv[*i] (and its value, advancing *i). FALSE
 * with *status set when it is not one, is malformed or fails. */
static gboolean
global_flag (CliGlobal *g, GlobalFlags *f, int argc, char **argv, int *i, int *status)
{
  const char *a = argv[*i], *v;
  gboolean missing = FALSE;

  *status = EXIT_PODUNIT;
  if (strcmp (a, "--help") == 0 || strcmp (a, "-h") == 0)
    f->help = TRUE;
  else if (strcmp (a, "--version") == 0 || strcmp (a, "-v") == 0)
    f->version = TRUE;
  else if (strcmp (a, "--remote") == 0 || strcmp (a, "-r") == 0
           || strcmp (a, "--remote=true") == 0)
    f->remote = "--remote";
  else if (strcmp (a, "--remote=false") == 0)
    ;
  else if ((v = flag_value (argc, argv, i, "--url", &missing)))
    f->remote = "--url", remote_implied = TRUE;
  else if ((v = flag_value (argc, argv, i, "--connection", &missing))
           || (v = flag_value (argc, argv, i, "-c", &missing)))
    f->remote = "--connection", remote_implied = TRUE;
  else if ((v = flag_value (argc, argv, i, "--identity", &missing)))
    ; /* only a remote connection uses it; harmless alone, as in podman */
  else if ((v = flag_value (argc, argv, i, "--root", &missing)))
    {
      g_free (g->root);
      g->root = g_canonicalize_filename (v, NULL);
    }
  else if ((v = flag_value (argc, argv, i, "--runroot", &missing)))
    {
      g_free (g->runroot);
      g->runroot = g_canonicalize_filename (v, NULL);
    }
  else if ((v = flag_value (argc, argv, i, "--log-level", &missing)))
    {
      if (!cli_parse_log_level (v, &g->log_level, &f->level_name))
        {
          /* podman fails here before its exit-code machinery: status 1 */
          fprintf (stderr,
                   "Log Level \"%s\" is not supported, choose from: trace, debug, info, "
                   "warn, warning, error, fatal, panic\n",
                   v);
          *status = 1;
          return FALSE;
        }
      f->log_level_set = TRUE;
    }
  else if (strcmp (a, "--debug") == 0 || strcmp (a, "-D") == 0)
    {
      g->log_level = LOG_LEVEL_DEBUG;
      f->level_name = "debug";
      f->debug_set = TRUE;
    }
  else if (strcmp (a, "--noout") == 0)
    f->out = "/dev/null";
  else if ((v = flag_value (argc, argv, i, "--default-mounts-file", &missing)))
    {
      g_free (g->default_mounts_file);
      g->default_mounts_file = g_strdup (v);
    }
  else if ((v = flag_value (argc, argv, i, "--hooks-dir", &missing)))
    {
      /* repeatable: OCI hook directories instead of the defaults */
      guint n = g->hooks_dirs ? g_strv_length (g->hooks_dirs) : 0;
      g->hooks_dirs = g_renew (char *, g->hooks_dirs, n + 2);
      g->hooks_dirs[n] = g_canonicalize_filename (v, NULL);
      g->hooks_dirs[n + 1] = NULL;
    }
  else if ((v = flag_value (argc, argv, i, "--runtime-flag", &missing)))
    {
      guint n = g->runtime_flags ? g_strv_length (g->runtime_flags) : 0;
      g->runtime_flags = g_renew (char *, g->runtime_flags, n + 2);
      g->runtime_flags[n] = g_strdup (v);
      g->runtime_flags[n + 1] = NULL;
    }
  else if ((v = flag_value (argc, argv, i, "--runtime", &missing)))
    {
      g_autoptr (GError) error = NULL;
      if (!cli_runtime_check (v, &error))
        {
          *status = cli_fail (error);
          return FALSE;
        }
      g_free (g->runtime);
      g->runtime = cli_runtime_is_namesake (v) ? NULL : g_strdup (v);
    }
  else if ((v = flag_value (argc, argv, i, "--out", &missing)))
    f->out = v;
  else if ((v = flag_value (argc, argv, i, "--storage-driver", &missing)))
    {
      if (strcmp (v, "overlay") != 0)
        {
          cli_error ("--storage-driver %s: podunit only has overlay", v);
          return FALSE;
        }
    }
  else if (in_list (ignored_bool, a))
    ;
  else if (!missing)
    {
      const char *const *fl;
      for (fl = ignored_with_value; *fl; fl++)
        if (flag_value (argc, argv, i, *fl, &missing) || missing)
          break;
      if (!*fl)
        {
          if (a[1] == '-')
            {
              g_autofree char *name = g_strndup (a, strcspn (a, "="));
              *status = global_flag_error ("unknown flag: ", name);
            }
          else
            {
              g_autofree char *what = g_strdup_printf ("unknown shorthand flag: '%c' in ", a[1]);
              *status = global_flag_error (what, a);
            }
          return FALSE;
        }
    }
  if (missing)
    {
      if (a[1] == '-')
        *status = global_flag_error ("flag needs an argument: ", a);
      else
        {
          g_autofree char *what = g_strdup_printf ("flag needs an argument: '%c' in ", a[1]);
          *status = global_flag_error (what, a);
        }
      return FALSE;
    }
  return TRUE;
}

int
main (int argc, char **argv)
{
  g_auto (CliGlobal) g = { .argv0 = argv[0], .log_level = LOG_LEVEL_WARN };
  g_autofree char *prog_name = g_path_get_basename (argv[0] ? argv[0] : "podunit");
  GlobalFlags f = { .level_name = "warning" };
  const char *out;
  int i, status;

  prog = prog_name;
  cli_set_program_name (prog_name);

  for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++)
    {
      if (strcmp (argv[i], "--") == 0)
        {
          i++;
          break;
        }
      if (!global_flag (&g, &f, argc, argv, &i, &status))
        return status;
    }
  {
    /* podman goes remote when these are set */
    static const char *const vars[] = { "CONTAINER_HOST", "CONTAINER_CONNECTION" };
    for (gsize k = 0; k < G_N_ELEMENTS (vars); k++)
      if (g_getenv (vars[k]) && *g_getenv (vars[k]))
        {
          remote_implied = TRUE;
          if (!f.remote)
            f.remote = vars[k];
        }
  }
  if (f.help)
    {
      group_help (stdout, "");
      return 0;
    }
  if (f.version)
    {
      printf ("%s version %s\n", prog, PODUNIT_VERSION);
      return 0;
    }
  if (f.log_level_set && f.debug_set)
    {
      /* podman prints this one bare, before its error machinery, status 1 */
      fputs ("Setting --log-level and --debug is not allowed\n", stderr);
      return 1;
    }
  out = f.out;
  cli_log_level = g.log_level;
  cli_log_info ("%s filtering at log level %s", argv[0], f.level_name);
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
      group_help (stderr, "");
      cli_error ("missing command '%s COMMAND'", prog);
      return EXIT_PODUNIT;
    }

  g.global_args = argv + 1;
  g.n_global_args = i - 1;
  /* `help [WORDS]` is `WORDS --help`; `__complete ARGS` answers shell
   * completion as cobra's hidden command does. */
  gboolean help = FALSE, complete = FALSE;
  if (strcmp (argv[i], "help") == 0)
    help = TRUE, i++;
  else if (strcmp (argv[i], "__complete") == 0 || strcmp (argv[i], "__completeNoDesc") == 0)
    complete = TRUE, i++;

  /* the verb's name: words as long as they continue a group */
  g_autofree char *name = g_strdup ("");
  while (i < argc && argv[i][0] != '-')
    {
      g_autofree char *longer = *name ? g_strconcat (name, " ", argv[i], NULL) : g_strdup (argv[i]);
      if (*name && !is_group (name))
        break;
      if (!is_group (longer) && find_verb (longer) < 0)
        {
          if (complete)
            break;
          /* As cobra: the flags after an unknown command are still the
           * root's, read first. */
          for (int k = i + 1; k < argc && strcmp (argv[k], "--") != 0; k++)
            if (argv[k][0] == '-' && argv[k][1] && !global_flag (&g, &f, argc, argv, &k, &status))
              return status;
          cli_error ("unrecognized command `%s %s`\nTry '%s%s%s --help' for more information",
                     prog, longer, prog, *name ? " " : "", name);
          return EXIT_PODUNIT;
        }
      g_free (name);
      name = g_steal_pointer (&longer);
      i++;
    }
  if (complete)
    return cli_complete (find_verb (name) >= 0 ? verbs[find_verb (name)].func : NULL,
                         argc - i, argv + i);
  if (find_verb (name) < 0)
    {
      /* a group: its help (asked for, or given no verb) */
      if (help || (i < argc && (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)))
        {
          group_help (stdout, name);
          return 0;
        }
      if (i < argc)
        {
          cli_error ("unrecognized command `%s %s %s`", prog, name, argv[i]);
          return EXIT_PODUNIT;
        }
      group_help (stderr, name);
      cli_error ("missing command '%s %s COMMAND'", prog, name);
      return EXIT_PODUNIT;
    }
  i--; /* argv[i]: the verb's last word, which becomes its argv[0] */
  if (help)
    {
      /* the verb's own --help, which GOption prints and exits 0 */
      static char *args[3];
      args[0] = name;
      args[1] = (char *) "--help";
      argv = args;
      argc = 2;
      i = 0;
    }
  /* GOption's --help says "Usage: podman pod ps [OPTION…]" */
  {
    g_autofree char *full = g_strconcat (prog, " ", name, NULL);
    g_set_prgname (full);
  }

  for (gsize k = 0; k < G_N_ELEMENTS (verbs); k++)
    {
      if (strcmp (verbs[k].name, name) != 0)
        continue;
      if (!verbs[k].func)
        {
          cli_error ("\"%s\" is not implemented yet", name);
          return EXIT_PODUNIT;
        }
      if (f.remote)
        {
          /* No API service to talk to: say so rather than act on the
           * local store a podman-remote script did not mean. */
          cli_error ("%s: %s has no remote mode (no Podman API service to connect to); run "
                     "\"%s %s\" on the host that holds the containers, without %s",
                     f.remote, prog, prog, name, f.remote);
          return EXIT_PODUNIT;
        }
      {
        g_autoptr (GError) error = NULL;
        if (!enter_rootless (&g, &error))
          return cli_fail (error);
      }
      set_default_dirs (&g);
      g.launch = (LaunchOptions){ .root = g.root, .runroot = g.runroot, .warn = warn_message };
      {
        g_autoptr (GError) error = NULL;
        if (!containers_conf_load (&g.conf, g.rootless, warn_conf, &error))
          return cli_fail (error);
        container_set_static_dir (g.conf.static_dir);
      }
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
  g_assert_not_reached ();
}
