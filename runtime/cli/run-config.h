/* SPDX-License-Identifier: Apache-2.0 */
/* `run` and `create`: podman's flags (RunOpts, run-flags.c) and the steps
 * that turn them into a ContainerConfig (run-config.c).
 *
 * The steps are pure: their inputs are the flags, the image's config and
 * the caller's environment (RunInputs); they read no file but the ones a
 * flag names (--env-file) and create nothing but the named volumes a -v
 * names (volume.h). They live in their own library (podunit-cli-run) so the
 * unit tests link exactly the code `podunit run` runs. A new kind of option
 * (networks, user namespaces, pods) is a new step in run_config_steps. */
#pragma once

#include <glib.h>

#include "cli/containers-conf.h"
#include "container/container.h"
#include "image/store.h"
#include "systemd/health.h"

typedef struct {
  char *name, *cidfile, *workdir, *user, *entrypoint, *hostname, *stop_signal, *shm_size;
  char *network, *pull, *tz, *pids_limit, *memory, *cpus, *cgroups, *sdnotify, *log_driver;
  char *userns, *subuidname, *subgidname, *stop_timeout, *retry, *retry_delay, *ip, *ip6, *mac;
  char *pod, *pod_id_file, *conmon_pidfile, *systemd, *timeout, *cgroupns;
  char *default_mounts_file, *authfile;
  char *runtime; /* --runtime: podunit or its path (cli_runtime_check) */
  char **publish, **expose, **network_alias;
  gboolean publish_all;
  char **env, **env_file, **volume, **mount, **tmpfs, **group_add, **cap_add, **cap_drop;
  char **security_opt, **label, **annotation, **ulimit, **sysctl, **device, **dns;
  char **dns_search, **dns_option, **add_host, **uidmap, **gidmap, **log_opt, **unsetenv;
  char **label_file, **device_cgroup_rule, **attach, **secret;
  char **hooks_dir; /* the global --hooks-dir given after the verb */
  char *kernel_memory, *detach_keys, *restart, *oom_score_adj;
  gboolean unsetenv_all, quiet;
  int preserve_fds;
  gboolean detach, interactive, tty, rootfs;
  gboolean rm, rmi, replace, env_host, read_only, read_only_tmpfs, init, no_hosts, no_hostname, http_proxy;
  gboolean privileged;
  HealthFlags health; /* --health-* (health.h) */
} RunOpts;

/* Parses run's (@is_run) or create's flags from @argv (argv[0] the verb),
 * leaving the operands: argv[1] the image, argv[2..] the command. Also
 * checks the flags whose values matter before the image is looked up
 * (--pull, --retry, --retry-delay). Errors read as podman's, prefixed with
 * the flag (or the verb for GOption's own). */
gboolean run_opts_parse (int *argc, char ***argv, RunOpts *o, gboolean is_run, GError **error);
/* Before run_opts_parse: the flags whose default containers.conf sets and
 * a flag can turn off again (--read-only=false): read_only, init.
 * (Its other keys are defaults the steps take from RunInputs.conf.) */
void run_opts_defaults (RunOpts *o, const ContainersConf *cf);
void run_opts_clear (RunOpts *o);

/* What the steps take besides the flags. */
typedef struct {
  const char *root;          /* ROOT: named volumes are created there */
  const StoreRunImage *img;  /* the image's config; NULL for --rootfs */
  char **command;            /* the operands after the image (may be empty) */
  char **env;                /* the caller's environment (g_get_environ) */
  const char *journal_socket; /* journald's socket: the default log driver (journal.h) */
  const ContainersConf *conf; /* containers.conf's defaults; NULL: none */
  /* --pod: the pod the caller resolved (pod/pod.h), NULL: none */
  const char *pod_id, *pod_infra_id, *pod_hostname;
  /* the infra's namespaces its members join ("net", "uts", ...); NULL: none */
  char **pod_share;
  /* mounts.conf's "SOURCE:DESTINATION" lines (run.c reads them) */
  char **default_mounts;
  /* a warning for the user (podman prints it as a line on stderr); NULL: none */
  void (*warn) (const char *message);
} RunInputs;

typedef gboolean (*RunConfigStep) (const RunOpts *o, const RunInputs *in, ContainerConfig *c,
                                   GError **error);

/* One concern each, in this order (c->id must be set: the hostname
 * defaults to it). */
gboolean run_config_command (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
gboolean run_config_env (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
gboolean run_config_user (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
gboolean run_config_mounts (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
gboolean run_config_security (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
gboolean run_config_metadata (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
gboolean run_config_stop (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
gboolean run_config_resources (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
gboolean run_config_network (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
gboolean run_config_ports (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
gboolean run_config_userns (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
gboolean run_config_logging (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
gboolean run_config_pod (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);
/* --secret as podman parses it, into c->secrets without the ids (run.c
 * looks the secrets up: the store is not this step's). */
gboolean run_config_secrets (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);

/* Whether --network @net puts the container on bridges (network names,
 * not a mode). */
gboolean run_config_has_bridge (const char *net);

/* Runs every step above on @c. */
gboolean run_config_build (const RunOpts *o, const RunInputs *in, ContainerConfig *c, GError **error);

/* The health check (kept beside the record, not in it: health.h). */
gboolean run_config_health (const RunOpts *o, HealthConfig *hc, GError **error);
