/* SPDX-License-Identifier: Apache-2.0 */
/* podunit run / create: podman's flags into a ContainerConfig (completed
 * from the image's config), recorded under ROOT/containers, then started
 * in the foreground or under a supervisor (launch.c). Every flag podman
 * has that podunit does not implement yet fails naming the flag. */
#include "cli/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "systemd/cgroup.h"
#include "container/container.h"
#include "systemd/duration.h"
#include "systemd/health.h"
#include "systemd/journal.h"
#include "container/launch.h"
#include "sandbox/mount.h"
#include "image/store.h"

typedef struct {
  char *name, *cidfile, *workdir, *user, *entrypoint, *hostname, *stop_signal, *shm_size;
  char *network, *pull, *tz, *pids_limit, *memory, *cpus, *cgroups, *sdnotify, *log_driver;
  char *userns, *stop_timeout, *retry, *retry_delay;
  char **env, **env_file, **volume, **mount, **tmpfs, **group_add, **cap_add, **cap_drop;
  char **security_opt, **label, **annotation, **ulimit, **sysctl, **device, **dns;
  char **dns_search, **dns_option, **add_host, **uidmap, **gidmap, **log_opt;
  gboolean detach, interactive, tty, rootfs;
  gboolean rm, replace, env_host, read_only, read_only_tmpfs, init, no_hosts, http_proxy;
  HealthFlags health; /* --health-* (health.h) */
} RunOpts;

/* Long boolean flags that podman (and Quadlet) also write as --flag=false.
 * GOption's optional arguments would swallow the next word (`--rm IMAGE`),
 * so these are plain flags and "--flag=VALUE" is rewritten before parsing. */
static const struct {
  const char *name;
  size_t off;
} bool_flags[] = {
  { "--rm", G_STRUCT_OFFSET (RunOpts, rm) },
  { "--replace", G_STRUCT_OFFSET (RunOpts, replace) },
  { "--env-host", G_STRUCT_OFFSET (RunOpts, env_host) },
  { "--read-only", G_STRUCT_OFFSET (RunOpts, read_only) },
  { "--read-only-tmpfs", G_STRUCT_OFFSET (RunOpts, read_only_tmpfs) },
  { "--init", G_STRUCT_OFFSET (RunOpts, init) },
  { "--no-hosts", G_STRUCT_OFFSET (RunOpts, no_hosts) },
  { "--http-proxy", G_STRUCT_OFFSET (RunOpts, http_proxy) },
  { "--detach", G_STRUCT_OFFSET (RunOpts, detach) },
  { "--interactive", G_STRUCT_OFFSET (RunOpts, interactive) },
  { "--tty", G_STRUCT_OFFSET (RunOpts, tty) },
};

/* Applies and removes every "--BOOLFLAG=true|false" before the operands.
 * @value_flags: short and long flags that take a separate value. */
static gboolean
rewrite_bool_values (int *argc, char **argv, RunOpts *o, const GOptionEntry *entries)
{
  int i = 1;
  while (i < *argc)
    {
      const char *a = argv[i], *eq = strchr (a, '=');
      gboolean takes_value = FALSE, handled = FALSE;
      if (g_str_equal (a, "--") || a[0] != '-' || a[1] == 0)
        break;
      for (gsize k = 0; eq && k < G_N_ELEMENTS (bool_flags); k++)
        if (strlen (bool_flags[k].name) == (gsize) (eq - a)
            && strncmp (bool_flags[k].name, a, eq - a) == 0)
          {
            gboolean *b = G_STRUCT_MEMBER_P (o, bool_flags[k].off);
            if (g_ascii_strcasecmp (eq + 1, "true") == 0)
              *b = TRUE;
            else if (g_ascii_strcasecmp (eq + 1, "false") == 0)
              *b = FALSE;
            else
              {
                cli_error ("%.*s: invalid boolean \"%s\"", (int) (eq - a), a, eq + 1);
                return FALSE;
              }
            handled = TRUE;
          }
      if (handled)
        {
          memmove (&argv[i], &argv[i + 1], (*argc - i) * sizeof (char *));
          (*argc)--;
          continue;
        }
      for (const GOptionEntry *e = entries; e->long_name && !eq; e++)
        if (e->arg != G_OPTION_ARG_NONE && e->arg != G_OPTION_ARG_CALLBACK
            && ((a[1] == '-' && g_str_equal (a + 2, e->long_name))
                || (a[1] != '-' && e->short_name && a[strlen (a) - 1] == e->short_name)))
          takes_value = TRUE;
      i += takes_value ? 2 : 1;
    }
  return TRUE;
}

/* Flags podman has that podunit does not (yet): named in the error. */
static gboolean
unsupported_cb (const char *name, const char *value, gpointer data, GError **error)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s is not supported by podunit yet",
               name);
  return FALSE;
}

#define STR(l, s, f, d) { l, s, 0, G_OPTION_ARG_STRING, &o->f, d, NULL }
#define STRV(l, s, f, d) { l, s, 0, G_OPTION_ARG_STRING_ARRAY, &o->f, d, NULL }
#define BOOL(l, f, d) { l, 0, 0, G_OPTION_ARG_NONE, &o->f, d, NULL }
#define INT(l, f, d) { l, 0, 0, G_OPTION_ARG_INT, &o->f, d, NULL }
#define UNSUP(l) { l, 0, G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, unsupported_cb, NULL, NULL }

static gboolean
parse_run_options (int *argc, char ***argv, RunOpts *o, gboolean is_run)
{
  const GOptionEntry entries[] = {
    STR ("name", 0, name, "Container name"),
    STR ("cidfile", 0, cidfile, "Write the container ID to the file"),
    { "detach", 'd', 0, G_OPTION_ARG_NONE, &o->detach, "Run in the background", NULL },
    { "interactive", 'i', 0, G_OPTION_ARG_NONE, &o->interactive, "Keep stdin open", NULL },
    { "tty", 't', 0, G_OPTION_ARG_NONE, &o->tty, "Allocate a pseudo-TTY",
      NULL },
    { "rootfs", 0, 0, G_OPTION_ARG_NONE, &o->rootfs, "The first argument is a root file system",
      NULL },
    BOOL ("rm", rm, "Remove the container when it exits"),
    BOOL ("replace", replace, "Replace an existing container of the same name"),
    BOOL ("env-host", env_host, "Use all host environment variables"),
    BOOL ("read-only", read_only, "Mount the root file system read-only"),
    BOOL ("read-only-tmpfs", read_only_tmpfs, "With --read-only: tmpfs on /run /tmp /var/tmp (default true)"),
    BOOL ("init", init, "Run a reaper as pid 1"),
    BOOL ("no-hosts", no_hosts, "Do not create /etc/hosts"),
    BOOL ("http-proxy", http_proxy, "Pass the host's proxy variables (default true)"),
    STRV ("env", 'e', env, "Set an environment variable"),
    STRV ("env-file", 0, env_file, "Read environment variables from a file"),
    STRV ("volume", 'v', volume, "Bind mount a volume"),
    STRV ("mount", 0, mount, "Attach a file system mount"),
    STRV ("tmpfs", 0, tmpfs, "Mount a tmpfs"),
    STR ("workdir", 'w', workdir, "Working directory"),
    STR ("user", 'u', user, "User[:group]"),
    STRV ("group-add", 0, group_add, "Additional groups"),
    STR ("entrypoint", 0, entrypoint, "Override the image's entrypoint"),
    STR ("hostname", 'h', hostname, "Container host name"),
    STRV ("cap-add", 0, cap_add, "Add capabilities"),
    STRV ("cap-drop", 0, cap_drop, "Drop capabilities"),
    STRV ("security-opt", 0, security_opt, "Security options"),
    STRV ("label", 'l', label, "Set metadata"),
    STRV ("annotation", 0, annotation, "Add an annotation"),
    STR ("stop-signal", 0, stop_signal, "Signal to stop the container"),
    STR ("stop-timeout", 0, stop_timeout, "Seconds to wait before SIGKILL"),
    STRV ("ulimit", 0, ulimit, "Ulimit options"),
    STRV ("sysctl", 0, sysctl, "Sysctl options"),
    STR ("shm-size", 0, shm_size, "Size of /dev/shm"),
    STR ("network", 0, network, "none, host or private"),
    STR ("net", 0, network, "Alias of --network"),
    STR ("pull", 0, pull, "never or missing (local images only for now)"),
    STR ("retry", 0, retry, "Pull retries (podunit does not pull yet)"),
    STR ("retry-delay", 0, retry_delay, "Delay between pull retries"),
    STR ("tz", 0, tz, "Time zone"),
    STR ("pids-limit", 0, pids_limit, "Pids limit (cgroup v2)"),
    STR ("memory", 'm', memory, "Memory limit (cgroup v2)"),
    STR ("cpus", 0, cpus, "CPU limit (cgroup v2)"),
    STRV ("device", 0, device, "Add a host device"),
    STRV ("dns", 0, dns, "DNS servers"),
    STRV ("dns-search", 0, dns_search, "DNS search domains"),
    STRV ("dns-option", 0, dns_option, "DNS options"),
    STRV ("add-host", 0, add_host, "Add a host:ip entry to /etc/hosts"),
    STR ("cgroups", 0, cgroups, "enabled, disabled, no-conmon, split"),
    STR ("sdnotify", 0, sdnotify, "conmon, container, ignore"),
    STR ("log-driver", 0, log_driver, "k8s-file, none, passthrough"),
    STRV ("log-opt", 0, log_opt, "Logging options"),
    STR ("userns", 0, userns, "User namespace"),
    STRV ("uidmap", 0, uidmap, "UID map for the user namespace"),
    STRV ("gidmap", 0, gidmap, "GID map for the user namespace"),
    STR ("health-cmd", 0, health.cmd, "Health check command"),
    STR ("health-interval", 0, health.interval, "Time between health checks (\"disable\")"),
    INT ("health-retries", health.retries, "Failures before unhealthy"),
    STR ("health-timeout", 0, health.timeout, "Longest a health check may run"),
    STR ("health-start-period", 0, health.start_period, "Grace period for failing checks"),
    STR ("health-on-failure", 0, health.on_failure, "none, kill, restart, stop"),
    STR ("health-startup-cmd", 0, health.startup_cmd, "Startup health check command"),
    STR ("health-startup-interval", 0, health.startup_interval, "Time between startup checks"),
    INT ("health-startup-retries", health.startup_retries, "Startup failures before a restart"),
    INT ("health-startup-success", health.startup_success, "Startup passes needed"),
    STR ("health-startup-timeout", 0, health.startup_timeout, "Longest a startup check may run"),
    BOOL ("no-healthcheck", health.no_healthcheck, "Disable health checks"),
    UNSUP ("privileged"), UNSUP ("pod"), UNSUP ("publish"), UNSUP ("ip"),
    UNSUP ("mac-address"), UNSUP ("secret"), UNSUP ("restart"), UNSUP ("cgroup-parent"),
    UNSUP ("subuidname"), UNSUP ("subgidname"), UNSUP ("ipc"), UNSUP ("pid"), UNSUP ("uts"),
    UNSUP ("attach"), UNSUP ("expose"), UNSUP ("memory-swap"), UNSUP ("cpu-shares"),
    UNSUP ("network-alias"),
    { NULL },
  };
  o->read_only_tmpfs = TRUE;
  o->http_proxy = TRUE;
  if (!rewrite_bool_values (argc, *argv, o, entries))
    return FALSE;
  return cli_parse_options (argc, argv, entries, is_run ? "IMAGE [COMMAND [ARG...]]" : "IMAGE",
                            TRUE);
}

static void
run_opts_clear (RunOpts *o)
{
  char **strs[] = { &o->name, &o->cidfile, &o->workdir, &o->user, &o->entrypoint, &o->hostname,
                    &o->stop_signal, &o->shm_size, &o->network, &o->pull, &o->tz,
                    &o->pids_limit, &o->memory, &o->cpus, &o->cgroups, &o->sdnotify,
                    &o->log_driver, &o->userns, &o->stop_timeout, &o->retry,
                    &o->retry_delay };
  char ***vecs[] = { &o->env, &o->env_file, &o->volume, &o->mount, &o->tmpfs, &o->group_add,
                     &o->cap_add, &o->cap_drop, &o->security_opt, &o->label, &o->annotation,
                     &o->ulimit, &o->sysctl, &o->device, &o->dns, &o->dns_search,
                     &o->dns_option, &o->add_host, &o->uidmap, &o->gidmap, &o->log_opt };
  for (gsize i = 0; i < G_N_ELEMENTS (strs); i++)
    g_clear_pointer (strs[i], g_free);
  health_flags_clear (&o->health);
  for (gsize i = 0; i < G_N_ELEMENTS (vecs); i++)
    g_clear_pointer (vecs[i], g_strfreev);
}

static gboolean
bad (GError **error, const char *fmt, ...) G_GNUC_PRINTF (2, 3);
static gboolean
bad (GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *m = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, m);
  return FALSE;
}

/* "64m", "1g", "1024" -> bytes. */
static gboolean
parse_size (const char *s, gint64 *out)
{
  char *end;
  double v = g_ascii_strtod (s, &end);
  gint64 mult = 1;
  if (end == s || v < 0)
    return FALSE;
  switch (g_ascii_tolower (*end))
    {
    case 0: break;
    case 'b': mult = 1; break;
    case 'k': mult = 1024; break;
    case 'm': mult = 1024 * 1024; break;
    case 'g': mult = 1024 * 1024 * 1024; break;
    default: return FALSE;
    }
  if (*end && end[1] && !(g_ascii_tolower (end[1]) == 'b' && !end[2]))
    return FALSE;
  *out = (gint64) (v * mult);
  return TRUE;
}

/* KEY=VALUE list with later entries replacing earlier ones. */
static void
env_set (GPtrArray *env, const char *kv)
{
  const char *eq = strchr (kv, '=');
  gsize n = eq ? (gsize) (eq - kv) : strlen (kv);
  for (guint i = 0; i < env->len; i++)
    {
      const char *e = env->pdata[i];
      if (e && strncmp (e, kv, n) == 0 && e[n] == '=')
        {
          g_free (env->pdata[i]);
          env->pdata[i] = g_strdup (kv);
          return;
        }
    }
  g_ptr_array_add (env, g_strdup (kv));
}

/* "-e FOO" takes FOO from our environment; "-e FOO*" every match. */
static void
env_add_flag (GPtrArray *env, const char *arg)
{
  if (strchr (arg, '='))
    env_set (env, arg);
  else if (g_str_has_suffix (arg, "*"))
    {
      g_auto (GStrv) host = g_get_environ ();
      for (char **h = host; *h; h++)
        if (strncmp (*h, arg, strlen (arg) - 1) == 0)
          env_set (env, *h);
    }
  else if (g_getenv (arg))
    {
      g_autofree char *kv = g_strconcat (arg, "=", g_getenv (arg), NULL);
      env_set (env, kv);
    }
}

static gboolean
env_add_file (GPtrArray *env, const char *path, GError **error)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l; l++)
    {
      char *s = g_strstrip (*l);
      if (*s && *s != '#')
        env_add_flag (env, s);
    }
  return TRUE;
}

static gboolean
strv_has_prefix (char **v, const char *prefix)
{
  for (; v && *v; v++)
    if (g_str_has_prefix (*v, prefix))
      return TRUE;
  return FALSE;
}

/* Flags -> config. @img is what run takes from the image (NULL for
 * --rootfs). Operands: argv[1] image, argv[2..] command. */
static gboolean
build_config (CliGlobal *g, RunOpts *o, int argc, char **argv, const StoreRunImage *img,
              ContainerConfig *c, GError **error)
{
  g_autoptr (GPtrArray) env = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) mounts = g_ptr_array_new_with_free_func (g_free);
  char **img_env = img ? img->env : NULL;
  char **img_entry = img ? img->entrypoint : NULL;
  char **img_cmd = img ? img->cmd : NULL;
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  /* Environment: podman's defaults, the image, then the flags. */
  env_set (env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  env_set (env, "container=podman");
  if (o->tty)
    env_set (env, "TERM=xterm");
  for (char **e = img_env; e && *e; e++)
    env_set (env, *e);
  /* As podman: the caller's proxy settings, unless --http-proxy=false. */
  for (const char *const *p = (const char *const[]){ "http_proxy", "HTTP_PROXY", "https_proxy",
                                                     "HTTPS_PROXY", "ftp_proxy", "FTP_PROXY",
                                                     "no_proxy", "NO_PROXY", NULL };
       o->http_proxy && *p; p++)
    if (g_getenv (*p))
      {
        g_autofree char *kv = g_strconcat (*p, "=", g_getenv (*p), NULL);
        env_set (env, kv);
      }
  if (o->env_host)
    {
      g_auto (GStrv) host = g_get_environ ();
      for (char **h = host; *h; h++)
        env_set (env, *h);
    }
  for (char **f = o->env_file; f && *f; f++)
    if (!env_add_file (env, *f, error))
      return FALSE;
  for (char **e = o->env; e && *e; e++)
    env_add_flag (env, *e);
  g_ptr_array_add (env, NULL);
  c->env = (char **) g_ptr_array_free (g_steal_pointer (&env), FALSE);

  /* Command: --entrypoint replaces the image's and drops its Cmd. The
   * parser owns the strings args points to until they are copied below. */
  g_autoptr (JsonParser) entry_parser = NULL;
  if (o->entrypoint)
    {
      if (o->entrypoint[0] == '[')
        {
          JsonParser *p = entry_parser = json_parser_new ();
          if (!json_parser_load_from_data (p, o->entrypoint, -1, NULL)
              || !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (p)))
            return bad (error, "--entrypoint %s: invalid JSON array", o->entrypoint);
          JsonArray *a = json_node_get_array (json_parser_get_root (p));
          for (guint i = 0; i < json_array_get_length (a); i++)
            {
              JsonNode *e = json_array_get_element (a, i);
              if (!JSON_NODE_HOLDS_VALUE (e) || json_node_get_value_type (e) != G_TYPE_STRING)
                return bad (error, "--entrypoint %s: not an array of strings", o->entrypoint);
              g_ptr_array_add (args, (char *) json_node_get_string (e));
            }
        }
      else if (*o->entrypoint)
        g_ptr_array_add (args, o->entrypoint);
    }
  else
    for (char **e = img_entry; e && *e; e++)
      g_ptr_array_add (args, *e);
  if (argc > 2)
    for (int i = 2; i < argc; i++)
      g_ptr_array_add (args, argv[i]);
  else if (!o->entrypoint)
    for (char **e = img_cmd; e && *e; e++)
      g_ptr_array_add (args, *e);
  if (args->len == 0)
    return bad (error, "no command or entrypoint provided, and no CMD or ENTRYPOINT from image");
  c->argv = g_new0 (char *, args->len + 1);
  for (guint i = 0; i < args->len; i++)
    c->argv[i] = g_strdup (args->pdata[i]);

  c->workdir = g_strdup (o->workdir ? o->workdir : img ? img->working_dir : NULL);
  c->user = g_strdup (o->user ? o->user : img ? img->user : NULL);
  if (c->workdir && *c->workdir && c->workdir[0] != '/')
    return bad (error, "-w %s: the working directory must be an absolute path", c->workdir);
  c->group_add = g_strdupv (o->group_add);
  c->hostname = g_strdup (o->hostname ? o->hostname : NULL);
  if (!c->hostname)
    c->hostname = g_strndup (c->id, 12);

  for (char **v = o->volume; v && *v; v++)
    {
      char *m = volume_normalize_v (g->root, *v, error);
      if (!m)
        return FALSE;
      g_ptr_array_add (mounts, m);
    }
  for (char **v = o->mount; v && *v; v++)
    {
      char *m = volume_normalize_mount (g->root, *v, error);
      if (!m)
        return FALSE;
      g_ptr_array_add (mounts, m);
    }
  for (char **v = o->tmpfs; v && *v; v++)
    {
      char *m = volume_normalize_tmpfs (*v, error);
      if (!m)
        return FALSE;
      g_ptr_array_add (mounts, m);
    }
  g_ptr_array_add (mounts, NULL);
  c->mounts = (char **) g_ptr_array_free (g_steal_pointer (&mounts), FALSE);

  c->read_only = o->read_only;
  c->read_only_tmpfs = o->read_only_tmpfs;
  c->cap_add = g_strdupv (o->cap_add);
  c->cap_drop = g_strdupv (o->cap_drop);
  {
    g_autoptr (GPtrArray) mask = g_ptr_array_new_with_free_func (g_free);
    g_autoptr (GPtrArray) unmask = g_ptr_array_new_with_free_func (g_free);
    for (char **s = o->security_opt; s && *s; s++)
      {
        const char *v = strchr (*s, '=') ? strchr (*s, '=') + 1 : strchr (*s, ':') ? strchr (*s, ':') + 1 : NULL;
        if (g_str_equal (*s, "no-new-privileges") || g_str_equal (*s, "no-new-privileges=true")
            || g_str_equal (*s, "no-new-privileges:true"))
          c->no_new_privs = TRUE;
        else if (g_str_equal (*s, "no-new-privileges=false"))
          c->no_new_privs = FALSE;
        else if (g_str_has_prefix (*s, "seccomp="))
          {
            g_free (c->seccomp_profile);
            c->seccomp_profile = g_strdup (v);
          }
        else if (g_str_has_prefix (*s, "label="))
          {
            /* No SELinux here: "disable" and the label types are moot. */
            if (!g_str_equal (v, "disable") && !g_str_has_prefix (v, "type:")
                && !g_str_has_prefix (v, "level:") && !g_str_equal (v, "nested"))
              return bad (error, "--security-opt %s is not supported", *s);
          }
        else if (g_str_has_prefix (*s, "mask=") || g_str_has_prefix (*s, "unmask="))
          {
            g_auto (GStrv) paths = g_strsplit (v, ":", -1);
            for (char **p = paths; *p; p++)
              if (**p)
                g_ptr_array_add (**s == 'm' ? mask : unmask, g_strdup (*p));
          }
        else
          return bad (error, "--security-opt %s is not supported", *s);
      }
    g_ptr_array_add (mask, NULL);
    g_ptr_array_add (unmask, NULL);
    c->mask = (char **) g_ptr_array_free (g_steal_pointer (&mask), FALSE);
    c->unmask = (char **) g_ptr_array_free (g_steal_pointer (&unmask), FALSE);
  }

  {
    g_autoptr (GPtrArray) labels = g_ptr_array_new_with_free_func (g_free);
    for (char **l = img ? img->labels : NULL; l && *l; l++)
      g_ptr_array_add (labels, g_strdup (*l));
    for (char **l = o->label; l && *l; l++)
      g_ptr_array_add (labels, strchr (*l, '=') ? g_strdup (*l) : g_strconcat (*l, "=", NULL));
    /* Quadlet's services set PODMAN_SYSTEMD_UNIT; podman records it. */
    if (g_getenv ("PODMAN_SYSTEMD_UNIT"))
      g_ptr_array_add (labels, g_strconcat ("PODMAN_SYSTEMD_UNIT=",
                                            g_getenv ("PODMAN_SYSTEMD_UNIT"), NULL));
    g_ptr_array_add (labels, NULL);
    c->labels = (char **) g_ptr_array_free (g_steal_pointer (&labels), FALSE);
  }
  c->annotations = g_strdupv (o->annotation);

  {
    const char *sig = o->stop_signal                ? o->stop_signal
                      : img && img->has_stop_signal ? img->stop_signal
                                                    : "SIGTERM";
    c->stop_signal = launch_parse_signal (sig);
    if (c->stop_signal < 0)
      return bad (error, "--stop-signal %s: invalid signal", sig);
  }
  c->stop_timeout = 10;
  if (o->stop_timeout)
    {
      char *end;
      c->stop_timeout = g_ascii_strtoll (o->stop_timeout, &end, 10);
      if (*end || c->stop_timeout < 0)
        return bad (error, "--stop-timeout %s: expected seconds", o->stop_timeout);
    }
  c->ulimits = g_strdupv (o->ulimit);
  {
    g_autoptr (GError) local = NULL;
    g_autoptr (GArray) check = rlimits_resolve (o->ulimit, &local);
    if (!check)
      return bad (error, "%s", local->message);
  }
  c->sysctls = g_strdupv (o->sysctl);
  c->shm_size = 64 * 1024 * 1024;
  if (o->shm_size && !parse_size (o->shm_size, &c->shm_size))
    return bad (error, "--shm-size %s: invalid size", o->shm_size);

  c->network = g_strdup (o->network ? o->network : "private");
  if (g_str_equal (c->network, "bridge") || g_str_equal (c->network, "slirp4netns")
      || g_str_equal (c->network, "pasta") || g_str_has_prefix (c->network, "container:")
      || g_str_has_prefix (c->network, "ns:"))
    return bad (error, "--network %s is not supported by podunit yet (none, host, private)",
                c->network);
  if (!g_str_equal (c->network, "none") && !g_str_equal (c->network, "host")
      && !g_str_equal (c->network, "private"))
    return bad (error, "--network %s: no such network (podunit has none, host, private)",
                c->network);

  /* Limits are applied by the cgroup code at start, which warns once when
   * this host cannot (v1/hybrid). */
  c->memory = c->pids_limit = c->cpu_quota = -1;
  if (o->memory && !cgroup_parse_memory (o->memory, &c->memory, error))
    {
      g_prefix_error (error, "--memory: ");
      return FALSE;
    }
  if (o->cpus && !cgroup_parse_cpus (o->cpus, &c->cpu_quota, error))
    {
      g_prefix_error (error, "--cpus: ");
      return FALSE;
    }
  if (o->pids_limit)
    {
      char *end;
      c->pids_limit = g_ascii_strtoll (o->pids_limit, &end, 10);
      if (*end || end == o->pids_limit)
        return bad (error, "--pids-limit %s: expected a number", o->pids_limit);
      if (c->pids_limit <= 0)
        c->pids_limit = CGROUP_UNLIMITED;
    }
  c->init = o->init;
  c->auto_remove = o->rm;
  c->tz = g_strdup (o->tz);
  c->devices = g_strdupv (o->device);
  c->dns = g_strdupv (o->dns);
  c->dns_search = g_strdupv (o->dns_search);
  c->dns_option = g_strdupv (o->dns_option);
  for (char **h = o->add_host; h && *h; h++)
    if (!strchr (*h, ':'))
      return bad (error, "--add-host %s: expected HOST:IP", *h);
  c->add_host = g_strdupv (o->add_host);

  if (o->userns && *o->userns && !g_str_equal (o->userns, "host") && !o->uidmap)
    return bad (error, "--userns %s is not supported by podunit yet (give --uidmap/--gidmap)",
                o->userns);
  /* The spawn path writes the maps (spawn.h), but the store's layers are
   * owned by the host's root: the container's root could not use them
   * without idmapped layer mounts, which podunit does not set up yet. */
  if (o->uidmap || o->gidmap)
    return bad (error, "--uidmap/--gidmap are not supported by podunit yet (the image layers "
                       "need idmapped mounts)");
  c->userns = g_strdup (o->userns);
  c->uidmap = g_strdupv (o->uidmap);
  c->gidmap = g_strdupv (o->gidmap);
  if (o->gidmap && !o->uidmap)
    return bad (error, "--gidmap needs --uidmap");

  {
    /* journal.h: journald where it runs (under systemd), else k8s-file. */
    LogDriver driver = log_driver_default (LOG_JOURNAL_SOCKET);
    if (o->log_driver && !log_driver_from_string (o->log_driver, &driver, error))
      return FALSE;
    c->log_driver = g_strdup (log_driver_to_string (driver));
  }
  for (char **l = o->log_opt; l && *l; l++)
    {
      if (!g_str_has_prefix (*l, "tag="))
        return bad (error, "--log-opt %s is not supported by podunit yet (tag=)", *l);
      if (strstr (*l, "{{"))
        return bad (error, "--log-opt %s: templates in the tag are not supported by podunit yet",
                    *l);
      g_free (c->log_tag);
      c->log_tag = g_strdup (*l + 4);
    }
  c->sdnotify = g_strdup (o->sdnotify ? o->sdnotify : "conmon");
  if (!g_str_equal (c->sdnotify, "conmon") && !g_str_equal (c->sdnotify, "container")
      && !g_str_equal (c->sdnotify, "ignore") && !g_str_equal (c->sdnotify, "healthy"))
    return bad (error, "--sdnotify %s: expected conmon, container, healthy or ignore",
                c->sdnotify);
  c->cgroups = g_strdup (o->cgroups ? o->cgroups : "enabled");
  if (!g_str_equal (c->cgroups, "enabled") && !g_str_equal (c->cgroups, "disabled")
      && !g_str_equal (c->cgroups, "no-conmon") && !g_str_equal (c->cgroups, "split"))
    return bad (error, "--cgroups %s: expected enabled, disabled, no-conmon or split",
                c->cgroups);
  c->interactive = o->interactive;
  c->tty = o->tty;
  (void) strv_has_prefix;
  return TRUE;
}

static gboolean
remove_for_replace (const char *id, gpointer data, GError **error)
{
  return launch_remove (data, id, TRUE, error);
}

static gboolean
write_cidfile (const char *path, const char *id, GError **error)
{
  if (g_file_test (path, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_EXIST,
                   "container id file exists. Ensure another container is not using it or "
                   "delete %s",
                   path);
      return FALSE;
    }
  return g_file_set_contents (path, id, -1, error);
}

/* Parses, resolves the image and records the container. */
static ContainerConfig *
create_container (CliGlobal *g, int *argc, char ***argv, RunOpts *o, gboolean is_run,
                  int *status)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (ContainerConfig) c = g_new0 (ContainerConfig, 1);
  g_autoptr (Store) store = NULL;
  g_autoptr (StoreRunImage) img = NULL;
  HealthConfig hc = { 0 };

  *status = EXIT_PODUNIT;
  if (!parse_run_options (argc, argv, o, is_run))
    return NULL;
  if (*argc < 2)
    {
      cli_error ("%s: requires at least 1 arg", (*argv)[0]);
      return NULL;
    }
  if (o->pull && !g_str_equal (o->pull, "never") && !g_str_equal (o->pull, "missing"))
    {
      cli_error ("--pull %s: podunit cannot pull images yet (use never or missing with a "
                 "loaded image)",
                 o->pull);
      return NULL;
    }
  /* Pulls are retried; podunit pulls nothing yet, but the values must be right. */
  {
    gint64 n, usec;
    g_autoptr (GError) e = NULL;
    if (o->retry && (!g_ascii_string_to_signed (o->retry, 10, 0, G_MAXINT, &n, NULL)))
      {
        cli_error ("--retry %s: expected a number of retries", o->retry);
        return NULL;
      }
    if (o->retry_delay && !duration_parse (o->retry_delay, &usec, &e))
      {
        cli_error ("--retry-delay %s: %s", o->retry_delay, e->message);
        return NULL;
      }
  }
  c->id = container_new_id ();
  c->name = g_strdup (o->name);
  c->created = g_get_real_time () / G_USEC_PER_SEC;
  if (o->rootfs)
    {
      c->image = g_canonicalize_filename ((*argv)[1], NULL);
      if (!g_file_test (c->image, G_FILE_TEST_IS_DIR))
        {
          cli_error ("--rootfs %s: not a directory", c->image);
          return NULL;
        }
    }
  else
    {
      store = store_open (g->root, g->runroot, &error);
      if (store)
        img = store_lookup_run_image (store, (*argv)[1], &error);
      if (!img)
        {
          if (g_error_matches (error, STORE_ERROR, STORE_ERROR_NOT_FOUND))
            cli_error ("%s: image not known (podunit pulls no images yet: podunit load -i)",
                       (*argv)[1]);
          else
            cli_error ("%s", error->message);
          return NULL;
        }
      c->image = g_strdup ((*argv)[1]);
      c->image_id = g_strdup (img->id);
      c->layer_dirs = g_strdupv (img->layer_dirs);
    }
  if (!build_config (g, o, *argc, *argv, img, c, &error)
      || !health_config_from_flags (&o->health, &hc, &error))
    {
      cli_error ("%s", error->message);
      return NULL;
    }
  if (!container_create_record (c, g->root, g->runroot, o->replace, remove_for_replace, &g->launch,
                                &error))
    {
      health_config_clear (&hc);
      cli_error ("%s", error->message);
      return NULL;
    }
  if (hc.test)
    {
      /* Read by the supervisor's timer and `healthcheck run` (health.h). */
      g_autofree char *cdir = container_dir (g->root, c->id);
      g_autofree char *hpath = g_build_filename (cdir, HEALTH_CONFIG_FILE, NULL);
      gboolean saved = health_config_save (&hc, hpath, &error);
      health_config_clear (&hc);
      if (!saved)
        {
          cli_error ("%s", error->message);
          launch_remove (&g->launch, c->id, TRUE, NULL);
          return NULL;
        }
    }
  if (o->cidfile && !write_cidfile (o->cidfile, c->id, &error))
    {
      cli_error ("%s", error->message);
      launch_remove (&g->launch, c->id, TRUE, NULL);
      return NULL;
    }
  *status = 0;
  return g_steal_pointer (&c);
}

int
cli_create (CliGlobal *g, int argc, char **argv)
{
  RunOpts o = { 0 };
  int status;
  g_autoptr (ContainerConfig) c = create_container (g, &argc, &argv, &o, FALSE, &status);
  run_opts_clear (&o);
  if (!c)
    return status;
  printf ("%s\n", c->id);
  return 0;
}

int
cli_run (CliGlobal *g, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  RunOpts o = { 0 };
  int status;
  gboolean detach;
  g_autoptr (ContainerConfig) c = create_container (g, &argc, &argv, &o, TRUE, &status);

  detach = o.detach;
  run_opts_clear (&o);
  if (!c)
    return status;
  if (!detach)
    {
      int code = launch_foreground (&g->launch, c, &error);
      return code < 0 ? cli_launch_fail (error) : code;
    }
  if (!launch_detached (&g->launch, c, &error))
    {
      if (c->auto_remove)
        launch_remove (&g->launch, c->id, TRUE, NULL);
      return cli_launch_fail (error);
    }
  printf ("%s\n", c->id);
  return 0;
}
