/* SPDX-License-Identifier: Apache-2.0 */
/* The podunit command line: global options, the verb signature and the
 * helpers every verb shares.
 *
 * A verb lives in its own file (cli/run.c, cli/ps.c, cli/load.c …) and is a
 * function `int cli_VERB (CliGlobal *g, int argc, char **argv)` returning the
 * process exit status. argv[0] is the verb as typed ("rm", "container rm");
 * the global flags are already consumed. main.c's table names every verb
 * podman users expect; one without a function yet
 * answers "not implemented yet" with status 125. */
#pragma once

#include <glib.h>

#include "cli/containers-conf.h"
#include "container/container.h"
#include "container/launch.h"

/* podman's exit statuses for its own failures. */
#define EXIT_PODUNIT 125     /* podunit itself failed */
#define EXIT_CANNOT_INVOKE 126
#define EXIT_NOT_FOUND 127

typedef enum {
  LOG_LEVEL_ERROR = 0,
  LOG_LEVEL_WARN,
  LOG_LEVEL_INFO,
  LOG_LEVEL_DEBUG,
  LOG_LEVEL_TRACE,
} CliLogLevel;

typedef struct {
  char *root;      /* image store and persistent container data */
  char *runroot;   /* run state (pids, locks), on tmpfs */
  CliLogLevel log_level;
  gboolean rootless;
  const char *argv0;
  char **global_args; /* the global flags as given, before the verb */
  int n_global_args;
  char *default_mounts_file; /* --default-mounts-file (mounts.conf); NULL: the system's */
  char **hooks_dirs;         /* --hooks-dir, in order (the last wins); NULL: not given */
  char *runtime;             /* --runtime (checked: podunit or its path); NULL: not given */
  char **runtime_flags;      /* --runtime-flag, in order; NULL: none */
  LaunchOptions launch; /* root and runroot for the engine; warnings to cli_warn */
  ContainersConf conf;  /* containers.conf, read once before the verb runs */
} CliGlobal;

/* podunit is its own OCI runtime (cli/runtime.c). cli_runtime_check:
 * @runtime (--runtime) names it: NULL, "podunit", or the path of a
 * program with the running podunit's bytes (a copy of it); crun or runc
 * (a name or a path: what Quadlet files and scripts pass) with a warning,
 * recorded as podunit (cli_runtime_is_namesake); else an error, 125. cli_runtime_flags_apply: the runtime flags podman passes
 * (containers.conf [engine.runtimes_flags] podunit = @conf_flags, then
 * --runtime-flag), checked when a verb is about to start a container:
 * "debug" and "log-level=LEVEL" set podunit's log level, any other is an
 * error naming it, 126 (an OCI runtime refusing its command line).
 * cli_runtime_flags_check takes g->conf's. */
char *cli_runtime_path (void);
gboolean cli_runtime_check (const char *runtime, GError **error);
gboolean cli_runtime_is_namesake (const char *runtime);
gboolean cli_runtime_flags_apply (CliGlobal *g, char **conf_flags, GError **error);
gboolean cli_runtime_flags_check (CliGlobal *g, GError **error);
/* podman's --log-level names; @name gets logrus's name of the level. */
gboolean cli_parse_log_level (const char *s, CliLogLevel *out, const char **name);

typedef int (*CliVerbFunc) (CliGlobal *g, int argc, char **argv);

#define CLI_VERB(name) int name (CliGlobal *g, int argc, char **argv)

/* Container verbs (runner). */
CLI_VERB (cli_run);
CLI_VERB (cli_create);
CLI_VERB (cli_start);
CLI_VERB (cli_ps);
CLI_VERB (cli_inspect);
CLI_VERB (cli_stop);
CLI_VERB (cli_restart);
CLI_VERB (cli_kill);
CLI_VERB (cli_rm);
CLI_VERB (cli_exec);
CLI_VERB (cli_wait);
CLI_VERB (cli_logs);
CLI_VERB (cli_diff);
CLI_VERB (cli_commit);
CLI_VERB (cli_volume_create);
CLI_VERB (cli_volume_rm);
CLI_VERB (cli_volume_ls);
CLI_VERB (cli_volume_inspect);
CLI_VERB (cli_volume_prune);
CLI_VERB (cli_volume_exists);
/* Networks (cli/network.c, cli/port.c). */
CLI_VERB (cli_network_create);
CLI_VERB (cli_network_ls);
CLI_VERB (cli_network_inspect);
CLI_VERB (cli_network_rm);
CLI_VERB (cli_network_prune);
CLI_VERB (cli_network_exists);
CLI_VERB (cli_network_reload);
CLI_VERB (cli_network_connect);
CLI_VERB (cli_network_disconnect);
CLI_VERB (cli_port);
/* Pods (cli/pod.c). */
CLI_VERB (cli_pod_create);
CLI_VERB (cli_pod_start);
CLI_VERB (cli_pod_stop);
CLI_VERB (cli_pod_restart);
CLI_VERB (cli_pod_kill);
CLI_VERB (cli_pod_rm);
CLI_VERB (cli_pod_ps);
CLI_VERB (cli_pod_inspect);
CLI_VERB (cli_pod_exists);
CLI_VERB (cli_pod_prune);
CLI_VERB (cli_pod_pause);
CLI_VERB (cli_pod_unpause);
CLI_VERB (cli_pod_top);
CLI_VERB (cli_pause);
CLI_VERB (cli_unpause);
CLI_VERB (cli_container_cleanup);
CLI_VERB (cli_container_poststop);
CLI_VERB (cli_image_mount);
CLI_VERB (cli_image_unmount);
/* Secrets (cli/secret.c). */
CLI_VERB (cli_secret_create);
CLI_VERB (cli_secret_ls);
CLI_VERB (cli_secret_inspect);
CLI_VERB (cli_secret_rm);
CLI_VERB (cli_secret_exists);
/* Image verbs (store). */
CLI_VERB (cli_load);
CLI_VERB (cli_pull);
CLI_VERB (cli_push);
CLI_VERB (cli_search);
CLI_VERB (cli_list_tags);
CLI_VERB (cli_login);
CLI_VERB (cli_logout);
CLI_VERB (cli_save);
CLI_VERB (cli_images);
CLI_VERB (cli_tag);
CLI_VERB (cli_untag);
CLI_VERB (cli_rmi);
CLI_VERB (cli_image_inspect);
CLI_VERB (cli_image_prune);
CLI_VERB (cli_build);
CLI_VERB (cli_container_prune);
CLI_VERB (cli_system_prune);
CLI_VERB (cli_top);
/* version, info, image/container exists (cli/system.c). */
CLI_VERB (cli_version);
CLI_VERB (cli_info);
CLI_VERB (cli_image_exists);
CLI_VERB (cli_image_scp);
CLI_VERB (cli_auto_update);
CLI_VERB (cli_container_exists);
CLI_VERB (cli_system_connection_ls);
/* Health checks (sysint; cli/healthcheck.c). */
CLI_VERB (cli_healthcheck_run);
/* cli/completion.c: cobra's __complete for the VERB given (NULL: none). */
int cli_complete (CliVerbFunc verb, int argc, char **argv);

CLI_VERB (cli_history);
CLI_VERB (cli_stats);
CLI_VERB (cli_events);
CLI_VERB (cli_pod_stats);
CLI_VERB (cli_artifact_add);
CLI_VERB (cli_artifact_ls);
CLI_VERB (cli_artifact_inspect);
CLI_VERB (cli_artifact_rm);
CLI_VERB (cli_artifact_extract);
CLI_VERB (cli_artifact_push_pull);

/* The name podunit was called by (argv[0]'s base name, "podunit" until
 * main sets it): podman's messages name the program so ("See 'podman run
 * --help'" when it is called as podman). */
const char *cli_program_name (void);
void cli_set_program_name (const char *name);

/* Prints "Error: MESSAGE" to stderr, as podman does. */
void cli_error (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
/* Log lines to stderr as podman's logrus writes them: on a terminal
 * "WARN[0000] MESSAGE", else `time="RFC3339" level=warning msg="MESSAGE"`
 * (podman's system tests and scripts look for "level="). Each prints when
 * --log-level is at least its level (warn is the default). */
void cli_warn (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
void cli_log_info (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
void cli_debug (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
void cli_trace (const char *fmt, ...) G_GNUC_PRINTF (1, 2);
/* Reports @error with cli_error and returns EXIT_PODUNIT. */
int cli_fail (GError *error);
/* Reports a launch_* error and returns its exit status (launch_exit_status). */
int cli_launch_fail (GError *error);
/* launch_sweep before run, create and rm: what killed creates and removes
 * left goes; a failure is a warning (it must not stop the command). */
void cli_sweep (CliGlobal *g);

/* Parses the verb's options with GOption. With @stop_at_operand (run,
 * create, exec) options end at the first operand, so `run IMG ls -l` leaves
 * `-l` to the command; otherwise flags may follow operands as podman allows.
 * On return argv holds argv[0] and the operands. Prints the error and
 * returns FALSE on a bad or unknown flag; prints help and exits 0 on --help. */
gboolean cli_parse_options (int *argc, char ***argv, const GOptionEntry *entries,
                            const char *parameter_string, gboolean stop_at_operand);
/* The same, reporting nothing: @error is "VERB: what is wrong" (options.c,
 * which the unit tests link). */
gboolean cli_options_parse (int *argc, char ***argv, const GOptionEntry *entries,
                            const char *parameter_string, gboolean stop_at_operand,
                            GError **error);
/* Frees what cli_options_parse made (argv arrays, split flags), which
 * otherwise lives as long as the process: for the fuzzer. */
void cli_options_release (void);

/* The containers a verb acts on (cli/containers.c): the operands, the ids
 * in @cidfiles, with @latest the one created last and with @all, every
 * container, as names or ids to resolve.
 * An unreadable cid file is an error (printed, *status = 125) unless
 * @ignore; the ones read are added to @read_cidfiles (may be NULL). NULL
 * (printed) when nothing was named at all. */
GPtrArray *cli_container_args (CliGlobal *g, int argc, char **argv, char **cidfiles, gboolean all,
                               gboolean latest, gboolean ignore, GPtrArray *read_cidfiles,
                               int *status);

/* podman's container filters (ps, start): name=, id=, status=, label=,
 * exited=, restart-policy=, pod= (its name, @pod_name when the caller
 * knows it, or an id prefix). _check refuses an unknown key or policy in
 * podman's words; _matches: any filter of a key may match, every key must. */
gboolean cli_container_filters_check (char **filters, GError **error);
gboolean cli_container_matches (char **filters, const ContainerConfig *c,
                                const ContainerState *st, const char *pod_name);

/* What each prune removes (the verbs print it; system prune too, under
 * headings): appended to @removed (ids, or names for volumes and
 * networks); the status (errors printed), 0 when all went. */
int cli_prune_containers (CliGlobal *g, char **filters, GPtrArray *removed);
int cli_prune_pods (CliGlobal *g, GPtrArray *removed);
int cli_prune_volumes (CliGlobal *g, gboolean all, char **filters, GPtrArray *removed);
int cli_prune_networks (CliGlobal *g, char **filters, GPtrArray *removed);
/* @reclaimed (may be NULL) grows by the removed images' sizes. */
int cli_prune_images (CliGlobal *g, gboolean all, GPtrArray *removed, guint64 *reclaimed);

/* strerror(@errsv) as Go's syscall errors read ("no such file or
 * directory"), for podman's messages that quote one. */
char *cli_go_strerror (int errsv);

/* --authfile as podman checks it on every verb that takes it, whether or
 * not it talks to a registry: a path that does not exist is refused
 * ("credential file is not accessible: faccessat PATH: ..."); NULL or ""
 * is fine (REGISTRY_AUTH_FILE is not checked, as podman). */
gboolean cli_check_authfile (const char *authfile, GError **error);

/* podman's human durations: "Less than a second", "5 seconds", "2 hours"
 * (cli/ps.c). */
char *cli_human_duration (gint64 seconds);

/* Go's time.Time in a template: "2006-01-02 15:04:05.999999999 -0700 MST"
 * (a zone without a name repeats its offset, as Go prints it), of an
 * RFC 3339 time (cli/secret.c). */
char *cli_go_time_string (const char *rfc3339);

extern CliLogLevel cli_log_level;
