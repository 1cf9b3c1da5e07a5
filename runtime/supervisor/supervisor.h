/* SPDX-License-Identifier: Apache-2.0 */
/* The contract between podunit (launch.c) and podunit-supervisor: its
 * arguments, by name. launch.c fills a SupervisorArgs with designated
 * initializers and supervisor_args_to_argv turns it into
 *   podunit-supervisor --id=ID --pid=PID --out-fd=N ... [--rm]
 * which the supervisor reads back with supervisor_args_parse. One table
 * (args.c) names every field for both directions. libc only. */
#pragma once

#include <stddef.h>

typedef struct
{
  const char *id;      /* the full container id */
  int pid;             /* the container's pid 1 (a child of the supervisor) */
  int out_fd;          /* read end of the container's stdout; -1: passthrough */
  int err_fd;          /* read end of its stderr; -1: none */
  const char *log;     /* k8s-file path, "journald"; NULL: no log */
  const char *state;   /* state.json */
  const char *lock;    /* the container's lock file */
  long long started_us; /* unix microseconds */
  const char *podunit; /* the podunit binary (`healthcheck run`, `rm` for --rm) */
  int rm;              /* --rm: `podunit rm -f ID` after the exit */
  const char *rmi;     /* --rmi: then `podunit rmi -i IMAGE-ID`; NULL: not */
  int cleanup;         /* `podunit container cleanup ID` after the exit (a pod
                        * member: its pod's exit policy, pod.h) */
  int poststop;        /* `podunit container poststop ID` (its OCI poststop hooks)
                        * after the exit, before it is recorded */
  const char *root;
  const char *runroot;
  const char *name;    /* container name (journald's CONTAINER_NAME); NULL: none */
  const char *tag;     /* --log-opt tag= (CONTAINER_TAG, SYSLOG_IDENTIFIER); NULL: none */
  long long health_us; /* between `healthcheck run`s; 0: none */
  int notify_fd;       /* --sdnotify=container: the proxy socket; -1: none */
  const char *cgroup;  /* the container's cgroup dir (OOM kills); NULL: none */
  long long log_size_max; /* k8s-file limit in bytes (ctr-log.h); 0: none */
  int restart;         /* --restart: SUPERVISOR_RESTART_* */
  long long restart_max; /* on-failure:N; 0 unlimited */
  long long timeout_us; /* --timeout: SIGKILL this long after the start, exit -1; 0: none */
} SupervisorArgs;

/* After an exit that no stop asked for, the supervisor runs
 * `podunit container start ID` again: always (always, unless-stopped) or
 * when the exit status is not 0 (on-failure), at most restart_max times
 * (RUNROOT/containers/ID/restarts counts them: inspect's RestartCount).
 * The supervisor leaves a "restart-pending" mark; the start counts it
 * once the new run is recorded running (launch.c), so a count seen
 * means that run is under way (`wait` then waits for it, as podman's). */
enum { SUPERVISOR_RESTART_NO, SUPERVISOR_RESTART_ALWAYS, SUPERVISOR_RESTART_ON_FAILURE };
#define SUPERVISOR_RESTARTS_FILE "restarts"
#define SUPERVISOR_RESTART_PENDING "restart-pending"

/* A NULL-terminated argv, @exe first, every field as --name=value (strings
 * only when set, --rm only when true); malloc'ed in one block, free() it.
 * NULL when out of memory. */
char **supervisor_args_to_argv (const char *exe, const SupervisorArgs *a);

/* Reads argv back into @a (which it clears first: fds -1, the rest 0).
 * Returns 0, or -1 with a message naming the argument in @err. */
int supervisor_args_parse (int argc, char **argv, SupervisorArgs *a, char *err, size_t errlen);
