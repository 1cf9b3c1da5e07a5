/* SPDX-License-Identifier: Apache-2.0 */
/* From a container's spec to a running process: resolve the image layers,
 * write /etc/hosts & co, build the MountPlan and SpawnSpec, spawn, and
 * either wait in the foreground (run) or hand the container to its own
 * supervisor process (run -d, start). Shared by cli/run.c, cli/start.c. */
#pragma once

#include "container/container.h"
#include "sandbox/spawn.h"
#include "systemd/journal.h"

/* What the launch steps take from their caller: where containers live and
 * who hears warnings. The engine prints nothing; errors come back as
 * GErrors (launch_exit_status says which exit status they mean). */
typedef struct
{
  const char *root;    /* image store and persistent container data */
  const char *runroot; /* run state (pids, locks), on tmpfs */
  /* A non-fatal problem ("resorting to SIGKILL"); NULL: dropped. */
  void (*warn) (const char *message, gpointer data);
  gpointer warn_data;
  /* --preserve-fds: fds 3..3+N-1 of this process reach the container; every
   * other fd above 2 is closed at its exec. */
  int preserve_fds;
} LaunchOptions;

/* What @c's log_driver means (json-file is k8s-file, passthrough-tty
 * passthrough); a record without one: k8s-file. */
LogDriver container_log_driver (const ContainerConfig *c);

/* The exit status a launch error means: its code for SPAWN_ERROR
 * (125/126/127 as podman), else 125. */
int launch_exit_status (const GError *error);

/* Which of the container's output streams reach this process's own
 * (run --attach); every one goes to the log. */
typedef enum
{
  LAUNCH_ATTACH_NONE = 0,
  LAUNCH_ATTACH_STDOUT = 1 << 0,
  LAUNCH_ATTACH_STDERR = 1 << 1,
  LAUNCH_ATTACH_OUTPUT = LAUNCH_ATTACH_STDOUT | LAUNCH_ATTACH_STDERR,
} LaunchAttach;

/* Runs @c attached to this process and waits for it, forwarding signals
 * (spawn_relay): its output goes through this process to its log driver
 * (supervisor/ctr-log.h, the writer the supervisor uses) and to the
 * @attach'ed streams; with none and passthrough and both attached, the
 * container writes to this process's stdout and stderr itself. Records
 * state; honours --rm. Returns the container's exit status, or -1 with
 * @error set when it could not be started. */
int launch_foreground (const LaunchOptions *o, ContainerConfig *c, LaunchAttach attach,
                       GError **error);

/* Starts @c under a detached supervisor (podunit-supervisor) and returns
 * once the command was exec'd (TRUE) or failed (FALSE; @error's code is the
 * exit status: 125/126/127). */
gboolean launch_detached (const LaunchOptions *o, ContainerConfig *c, GError **error);

/* Removes a container: kills it (when @force) and deletes its files.
 * Used by rm, --replace and --rm. */
gboolean launch_remove (const LaunchOptions *o, const char *id, gboolean force, GError **error);

/* Removes what killed creates and removes left (container_sweep), with
 * the cgroups and network leases recorded in their run dirs. */
gboolean launch_sweep (const LaunchOptions *o, GError **error);

/* Signals the container's pid 1. */
gboolean launch_kill (const LaunchOptions *o, const char *id, int sig, GError **error);

/* Sends the stop signal, waits @timeout seconds (negative: the
 * container's --stop-timeout), then SIGKILL; returns once it is recorded
 * as exited. A container whose supervisor was killed is stopped and
 * recorded too, but FALSE with podman's error for a killed conmon. */
gboolean launch_stop (const LaunchOptions *o, const char *id, gint64 timeout, GError **error);
/* launch_stop before a removal: a killed supervisor is only a warning. */
gboolean launch_stop_for_remove (const LaunchOptions *o, const char *id, gint64 timeout,
                                 GError **error);

/* Runs the container's poststop hooks (hooks.h), if create chose any:
 * after it exited, before its exit is recorded. Every hook runs; the
 * error tells which failed (a warning for the caller). */
gboolean launch_poststop (const LaunchOptions *o, ContainerConfig *c, GError **error);

/* pause.c: freezes every process of a running container (its cgroup,
 * cgroup.h), state "paused"; unpause thaws it. podman's errors (125) for
 * a container in another state. */
gboolean launch_pause (const LaunchOptions *o, const char *id, GError **error);
gboolean launch_unpause (const LaunchOptions *o, const char *id, GError **error);
/* Freezes or thaws the container's cgroup, leaving its state alone (what
 * stop, kill and rm of a paused container need). */
gboolean launch_freeze (const LaunchOptions *o, const char *id, gboolean freeze, GError **error);

/* Waits until the container is exited; returns its exit code (or -1). */
int launch_wait (const LaunchOptions *o, const char *id, GError **error);

/* The process part of a spec for `exec` into a running container. */
gboolean launch_exec_spec (const LaunchOptions *o, ContainerConfig *c, SpawnSpec *spec, GError **error);
