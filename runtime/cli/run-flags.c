/* SPDX-License-Identifier: Apache-2.0 */
/* podman's `run` and `create` flags into RunOpts (run-config.h). Every
 * flag podman has that podunit does not implement yet fails naming it. */
#include "cli/run-config.h"

#include "cli/cli.h"
#include "systemd/duration.h"

/* Flags podman has that podunit does not (yet): named in the error. */
static gboolean
unsupported_cb (const char *name, const char *value, gpointer data, GError **error)
{
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s is not supported by podunit yet",
               name);
  return FALSE;
}

/* --pull and its retries are checked before anything is pulled (cli_run_image). */
static gboolean
check_pull (const RunOpts *o, GError **error)
{
  gint64 n, usec;
  if (o->pull && !g_str_equal (o->pull, "never") && !g_str_equal (o->pull, "missing")
      && !g_str_equal (o->pull, "always") && !g_str_equal (o->pull, "newer"))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--pull %s: invalid pull policy (always, missing, never or newer)", o->pull);
      return FALSE;
    }
  if (o->retry && !g_ascii_string_to_signed (o->retry, 10, 0, G_MAXINT, &n, NULL))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--retry %s: expected a number of retries", o->retry);
      return FALSE;
    }
  if (o->retry_delay && !duration_parse (o->retry_delay, &usec, error))
    {
      g_prefix_error (error, "--retry-delay %s: ", o->retry_delay);
      return FALSE;
    }
  return TRUE;
}

/* Values are taken as bytes, as podman takes them (GOption's STRING
 * converts from the locale and refuses what is not UTF-8 with a message
 * naming nothing); the record keeps any bytes (container.h). */
#define STR(l, s, f, d) { l, s, 0, G_OPTION_ARG_FILENAME, &o->f, d, NULL }
#define STRV(l, s, f, d) { l, s, 0, G_OPTION_ARG_FILENAME_ARRAY, &o->f, d, NULL }
#define BOOL(l, f, d) { l, 0, 0, G_OPTION_ARG_NONE, &o->f, d, NULL }
#define INT(l, f, d) { l, 0, 0, G_OPTION_ARG_INT, &o->f, d, NULL }
#define UNSUP(l) { l, 0, G_OPTION_FLAG_OPTIONAL_ARG | G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, unsupported_cb, NULL, NULL }

gboolean
run_opts_parse (int *argc, char ***argv, RunOpts *o, gboolean is_run, GError **error)
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
    BOOL ("rmi", rmi, "Remove the image too, unless a container uses it (run; implies --rm)"),
    BOOL ("replace", replace, "Replace an existing container of the same name"),
    BOOL ("env-host", env_host, "Use all host environment variables"),
    BOOL ("read-only", read_only, "Mount the root file system read-only"),
    BOOL ("read-only-tmpfs", read_only_tmpfs, "With --read-only: tmpfs on /run /tmp /var/tmp (default true)"),
    BOOL ("init", init, "Run a reaper as pid 1"),
    BOOL ("no-hosts", no_hosts, "Do not create /etc/hosts"),
    BOOL ("no-hostname", no_hostname, "Do not create /etc/hostname"),
    BOOL ("http-proxy", http_proxy, "Pass the host's proxy variables (default true)"),
    STRV ("env", 'e', env, "Set an environment variable"),
    STRV ("env-file", 0, env_file, "Read environment variables from a file"),
    STRV ("volume", 'v', volume, "Bind mount a volume"),
    STRV ("mount", 0, mount, "Attach a file system mount"),
    STRV ("tmpfs", 0, tmpfs, "Mount a tmpfs"),
    STRV ("secret", 0, secret, "A secret: NAME[,type=mount|env][,target=T][,uid=,gid=,mode=]"),
    STR ("workdir", 'w', workdir, "Working directory"),
    STR ("user", 'u', user, "User[:group]"),
    STRV ("group-add", 0, group_add, "Additional groups"),
    STR ("entrypoint", 0, entrypoint, "Override the image's entrypoint"),
    STR ("hostname", 'h', hostname, "Container host name"),
    STRV ("cap-add", 0, cap_add, "Add capabilities"),
    STRV ("cap-drop", 0, cap_drop, "Drop capabilities"),
    STRV ("security-opt", 0, security_opt, "Security options"),
    STRV ("label", 'l', label, "Set metadata"),
    STRV ("label-file", 0, label_file, "Read KEY=VALUE labels from a file"),
    STRV ("annotation", 0, annotation, "Add an annotation"),
    STR ("stop-signal", 0, stop_signal, "Signal to stop the container"),
    STR ("stop-timeout", 0, stop_timeout, "Seconds to wait before SIGKILL"),
    STRV ("ulimit", 0, ulimit, "Ulimit options"),
    STRV ("sysctl", 0, sysctl, "Sysctl options"),
    STR ("shm-size", 0, shm_size, "Size of /dev/shm"),
    STR ("network", 0, network, "none, host, private, bridge or network names (a,b)"),
    STRV ("publish", 'p', publish, "Publish a port: [[IP:][HOSTPORT]:]PORT[/PROTO]"),
    { "publish-all", 'P', 0, G_OPTION_ARG_NONE, &o->publish_all,
      "Publish the --expose ports on free host ports", NULL },
    STRV ("expose", 0, expose, "Expose a port or range"),
    STR ("ip", 0, ip, "IPv4 address on the first network"),
    STR ("ip6", 0, ip6, "IPv6 address on the first network"),
    STR ("mac-address", 0, mac, "MAC address on the first network"),
    STRV ("network-alias", 0, network_alias, "Another name on the networks"),
    STR ("net", 0, network, "Alias of --network"),
    STR ("pull", 0, pull, "always, missing (default), never or newer"),
    STR ("retry", 0, retry, "Pull retries on network errors (default 3)"),
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
    STR ("subuidname", 0, subuidname, "Map the container's uids from this /etc/subuid name"),
    STR ("subgidname", 0, subgidname, "Map the container's gids from this /etc/subgid name"),
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
    STRV ("unsetenv", 0, unsetenv, "Unset a default or image environment variable"),
    BOOL ("unsetenv-all", unsetenv_all, "Unset every default and image environment variable"),
    STR ("kernel-memory", 0, kernel_memory, "Ignored, as podman (a warning)"),
    STR ("detach-keys", 0, detach_keys, "Only \"\": podunit has no detach sequence"),
    STR ("restart", 0, restart, "no, always, on-failure[:N] or unless-stopped"),
    STR ("oom-score-adj", 0, oom_score_adj, "The container's OOM score adjustment (-1000..1000)"),
    STR ("pod", 0, pod, "Join this pod (new:NAME creates it)"),
    STR ("pod-id-file", 0, pod_id_file, "Join the pod whose id is in the file"),
    INT ("preserve-fds", preserve_fds, "Pass fds 3..3+N-1 to the container (run)"),
    STR ("conmon-pidfile", 0, conmon_pidfile, "Write the supervisor's pid to the file"),
    BOOL ("privileged", privileged, "All capabilities and host devices; no seccomp filter or masks"),
    STR ("systemd", 0, systemd, "true (systemd mode for an init command), false or always"),
    STR ("timeout", 0, timeout, "Seconds the container may run before it is killed"),
    STR ("cgroupns", 0, cgroupns, "private (default) or host cgroup namespace"),
    STR ("default-mounts-file", 0, default_mounts_file, "mounts.conf to read (podman's global flag)"),
    STRV ("hooks-dir", 0, hooks_dir, "OCI hooks directory, repeatable (podman's global flag)"),
    STR ("runtime", 0, runtime, "podunit or the path of a podunit program (podunit is its own runtime)"),
    STR ("authfile", 0, authfile, "Registry credentials for the pull (checked: it must exist)"),
    STRV ("device-cgroup-rule", 0, device_cgroup_rule, "Checked and recorded (no device cgroup)"),
    UNSUP ("cgroup-parent"), UNSUP ("ipc"), UNSUP ("pid"), UNSUP ("uts"),
    STRV ("attach", 'a', attach, "stdin, stdout or stderr (run)"),
    UNSUP ("memory-swap"), UNSUP ("cpu-shares"),
    { NULL },
  };
  o->read_only_tmpfs = TRUE;
  o->http_proxy = TRUE;
  o->rm = -1; /* not given; --rm=false is FALSE */
  if (!cli_options_parse (argc, argv, entries, is_run ? "IMAGE [COMMAND [ARG...]]" : "IMAGE",
                          TRUE, error))
    return FALSE;
  if (o->rmi && !is_run)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION, "unknown flag: --rmi");
      return FALSE;
    }
  if (o->rmi && o->rm == FALSE)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "the --rmi option does not work without --rm");
      return FALSE;
    }
  o->rm = o->rm == TRUE || o->rmi;
  if (*argc < 2)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED, "%s: requires at least 1 arg",
                   (*argv)[0]);
      return FALSE;
    }
  if (o->preserve_fds < 0)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--preserve-fds %d: expected a number of fds, 0 or more", o->preserve_fds);
      return FALSE;
    }
  if (o->preserve_fds > 0 && !is_run)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "--preserve-fds: only run passes fds (create has none to pass)");
      return FALSE;
    }
  for (char **a = o->attach; a && *a; a++)
    if (g_ascii_strcasecmp (*a, "stdin") != 0 && g_ascii_strcasecmp (*a, "stdout") != 0
        && g_ascii_strcasecmp (*a, "stderr") != 0)
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "invalid stream \"%s\" for --attach - must be one of stdin, stdout, or stderr: "
                     "invalid argument",
                     *a);
        return FALSE;
      }
  if (o->attach && o->detach)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "--attach and --detach cannot be used together");
      return FALSE;
    }
  if (o->detach_keys && *o->detach_keys)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "--detach-keys %s: podunit has no detach key sequence (only \"\" is accepted)",
                   o->detach_keys);
      return FALSE;
    }
  return check_pull (o, error);
}

void
run_opts_defaults (RunOpts *o, const ContainersConf *cf)
{
  o->read_only = cf->read_only;
  o->init = cf->init;
}

void
run_opts_clear (RunOpts *o)
{
  char **strs[] = { &o->name, &o->cidfile, &o->workdir, &o->user, &o->entrypoint, &o->hostname,
                    &o->stop_signal, &o->shm_size, &o->network, &o->pull, &o->tz,
                    &o->pids_limit, &o->memory, &o->cpus, &o->cgroups, &o->sdnotify,
                    &o->log_driver, &o->userns, &o->subuidname, &o->subgidname, &o->stop_timeout, &o->retry,
                    &o->retry_delay, &o->ip, &o->ip6, &o->mac, &o->kernel_memory, &o->detach_keys,
                    &o->restart, &o->oom_score_adj, &o->pod,
                    &o->pod_id_file, &o->conmon_pidfile, &o->systemd,
                    &o->timeout, &o->cgroupns, &o->default_mounts_file, &o->authfile, &o->runtime };
  char ***vecs[] = { &o->env, &o->env_file, &o->volume, &o->mount, &o->tmpfs, &o->group_add,
                     &o->cap_add, &o->cap_drop, &o->security_opt, &o->label, &o->annotation,
                     &o->ulimit, &o->sysctl, &o->device, &o->dns, &o->dns_search,
                     &o->dns_option, &o->add_host, &o->uidmap, &o->gidmap, &o->log_opt,
                     &o->publish, &o->expose, &o->network_alias, &o->unsetenv,
                     &o->label_file, &o->device_cgroup_rule, &o->attach, &o->hooks_dir,
                     &o->secret };
  for (gsize i = 0; i < G_N_ELEMENTS (strs); i++)
    g_clear_pointer (strs[i], g_free);
  health_flags_clear (&o->health);
  for (gsize i = 0; i < G_N_ELEMENTS (vecs); i++)
    g_clear_pointer (vecs[i], g_strfreev);
}
