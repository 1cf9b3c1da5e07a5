/* SPDX-License-Identifier: Apache-2.0 */
/* Health checks, run by the container's supervisor (podman uses transient
 * systemd timers; podunit's supervisor is already there and awake).
 *
 * Semantics as podman's:
 *   - the first check runs as soon as the container is started, then every
 *     --health-interval (0/"disable": only `healthcheck run`);
 *   - a pass makes the status "healthy" and resets the failing streak;
 *   - a failure while still "starting" inside --health-start-period does
 *     not count; otherwise it adds to the streak, and --health-retries
 *     failures in a row make the status "unhealthy" and trigger
 *     --health-on-failure (none, kill, restart, stop) on each failing run;
 *   - with --health-startup-cmd the startup check runs first (every
 *     --health-startup-interval) and the regular one only once it passed
 *     --health-startup-success times (0: once); --health-startup-retries
 *     failures in a row (0: never) restart the container;
 *   - a run longer than its timeout fails.
 * The status lives in RUNROOT/containers/<id>/health.json, in the shape
 * `podman inspect` shows as State.Health ({"Status", "FailingStreak",
 * "Log": [{"Start", "End", "ExitCode", "Output"}]}, the last 5 runs) plus
 * the startup check's progress. Both the supervisor and `podunit
 * healthcheck run` update it through health_update_file (under a lock).
 *
 * The supervisor only keeps the timer (health_timer_interval); `podunit
 * healthcheck run` picks the check that is due and records it (health_run),
 * so tests drive health_record with fake times and fake results. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define HEALTH_DEFAULT_INTERVAL (30 * G_USEC_PER_SEC)
#define HEALTH_DEFAULT_TIMEOUT (30 * G_USEC_PER_SEC)
#define HEALTH_DEFAULT_RETRIES 3
#define HEALTH_LOG_MAX 5           /* runs kept in Log */
#define HEALTH_OUTPUT_MAX 500      /* characters of output kept per run */

typedef enum
{
  HEALTH_ON_FAILURE_NONE,
  HEALTH_ON_FAILURE_KILL,
  HEALTH_ON_FAILURE_RESTART,
  HEALTH_ON_FAILURE_STOP,
} HealthOnFailure;

typedef struct
{
  /* podman's Test: {"CMD", arg...} or {"CMD-SHELL", "command"}; NULL: no
   * health check. */
  char **test;
  gint64 interval_usec; /* 0: no periodic runs */
  gint64 timeout_usec;
  gint64 start_period_usec;
  guint retries;
  HealthOnFailure on_failure;
  char **startup_test; /* NULL: no startup check */
  gint64 startup_interval_usec;
  gint64 startup_timeout_usec;
  guint startup_retries; /* 0: never restart */
  guint startup_success; /* passes needed; 0 counts as 1 */
} HealthConfig;

/* podman's defaults, no command. */
void health_config_init (HealthConfig *c);
void health_config_clear (HealthConfig *c);

/* --health-cmd / --health-startup-cmd as podman reads them: "none" (no
 * check: *test = NULL), a JSON array (["CMD", "a", "b"], ["CMD-SHELL",
 * "a b"], or ["a", "b"] meaning CMD), or a string for /bin/sh -c. */
gboolean health_parse_command (const char *s, char ***test, GError **error);
/* The argv to run for @test ("CMD-SHELL" becomes /bin/sh -c). */
char **health_command_argv (char *const *test);
gboolean health_on_failure_from_string (const char *s, HealthOnFailure *out, GError **error);
const char *health_on_failure_to_string (HealthOnFailure a);
/* --health-interval accepts "disable" besides durations. */
gboolean health_parse_interval (const char *s, gint64 *usec, GError **error);
/* Cross-flag checks (a startup check needs a regular one, retries >= 1). */
gboolean health_config_validate (const HealthConfig *c, GError **error);

/* The --health-* flags as typed (NULL / -1: not given), for cli/run.c's
 * GOptionEntry table. */
typedef struct
{
  char *cmd, *interval, *timeout, *start_period, *on_failure;
  char *startup_cmd, *startup_interval, *startup_timeout;
  gint retries, startup_retries, startup_success; /* 0: not given */
  gboolean no_healthcheck;
} HealthFlags;

#define HEALTH_FLAGS_INIT { NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, FALSE }

void health_flags_clear (HealthFlags *f);
/* Builds and validates the config from the flags (podman's defaults for
 * what is not given). Without --health-cmd, c->test stays NULL. */
gboolean health_config_from_flags (const HealthFlags *f, HealthConfig *c, GError **error);

/* The config beside the container's record (HEALTH_CONFIG_FILE in
 * ROOT/containers/<id>/); load fails with G_FILE_ERROR_NOENT when the
 * container has no health check. */
#define HEALTH_CONFIG_FILE "healthcheck.json"
#define HEALTH_STATE_FILE "health.json"
gboolean health_config_save (const HealthConfig *c, const char *path, GError **error);
gboolean health_config_load (const char *path, HealthConfig *c, GError **error);

/* The config in the container's record: podman's Healthcheck object
 * (durations in nanoseconds) plus OnFailure and the Startup* fields. */
JsonNode *health_config_to_json (const HealthConfig *c);
gboolean health_config_from_json (JsonNode *node, HealthConfig *c, GError **error);

typedef enum
{
  HEALTH_STARTING,
  HEALTH_HEALTHY,
  HEALTH_UNHEALTHY,
} HealthStatus;

const char *health_status_to_string (HealthStatus s);

typedef struct
{
  gint64 start_usec;
  gint64 end_usec;
  int exit_code;
  char *output;
} HealthLogEntry;

typedef struct
{
  HealthStatus status;
  guint failing_streak;
  GPtrArray *log; /* HealthLogEntry, oldest first */
  gboolean startup_passed;
  guint startup_successes;
  guint startup_failures; /* in a row */
} HealthState;

HealthState *health_state_new (void);
void health_state_free (HealthState *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HealthState, health_state_free)
/* After a restart: "starting" again, counters reset, the log kept. */
void health_state_reset (HealthState *s);

char *health_state_to_json (const HealthState *s);
/* State.Health of `podman inspect`: Status, FailingStreak, Log. */
JsonNode *health_state_to_inspect (const HealthState *s);
HealthState *health_state_from_json (const char *json, GError **error);
/* Missing file: a fresh state. */
HealthState *health_state_load (const char *path, GError **error);
gboolean health_state_save (const HealthState *s, const char *path, GError **error);

/* One finished run of a check command. */
typedef struct
{
  gint64 start_usec;
  gint64 end_usec;
  int exit_code;
  gboolean timed_out;
  const char *output; /* stdout and stderr */
} HealthResult;

typedef struct
{
  gboolean passed;         /* this run passed */
  gboolean status_changed; /* the status differs from before this run */
  /* What the supervisor must do now (none most of the time). */
  HealthOnFailure action;
} HealthOutcome;

/* Records @r of the startup (@startup) or the regular check, for a
 * container started at @started_usec. */
void health_record (const HealthConfig *c, HealthState *s, gboolean startup,
                    const HealthResult *r, gint64 started_usec, HealthOutcome *outcome);

/* health_record under an flock on @path.lock, reading and writing @path:
 * the supervisor and `healthcheck run` may record at the same time. */
gboolean health_update_file (const char *path, const HealthConfig *c, gboolean startup,
                             const HealthResult *r, gint64 started_usec, HealthOutcome *outcome,
                             HealthStatus *status, GError **error);

/* How often the supervisor runs `healthcheck run` (which picks the startup
 * or the regular check itself): the shorter of the two intervals; 0 when
 * nothing runs on a timer. */
gint64 health_timer_interval (const HealthConfig *c);

/* Runs @argv in the container, killing it after @timeout_usec; fills
 * @result (output owned by the caller: *output). The supervisor passes
 * runner's exec path (setns into the container). */
typedef gboolean (*HealthExecFunc) (char **argv, gint64 timeout_usec, int *exit_code,
                                    gboolean *timed_out, char **output, gpointer data,
                                    GError **error);

/* Runs the check that is due (startup or regular), records it into @path
 * and returns the outcome. FALSE only when the command could not be run
 * at all (podman: exit 125 of `healthcheck run`). */
gboolean health_run (const char *path, const HealthConfig *c, gboolean startup,
                     gint64 started_usec, HealthExecFunc exec, gpointer data,
                     HealthOutcome *outcome, HealthStatus *status, GError **error);

G_END_DECLS
