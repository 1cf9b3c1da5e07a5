/* SPDX-License-Identifier: Apache-2.0 */
/* The contract between podunit (launch.c) and podunit-supervisor: the
 * supervisor's argv, in order. See supervisor.c for what it does. */
#pragma once

enum {
  SUPERVISOR_ARG_ID = 1,
  SUPERVISOR_ARG_PID,      /* the container's pid 1 (a child of the supervisor) */
  SUPERVISOR_ARG_OUT_FD,   /* read end of the container's stdout, -1: passthrough */
  SUPERVISOR_ARG_ERR_FD,
  SUPERVISOR_ARG_LOG,      /* k8s-file log path, "journald", "-": none */
  SUPERVISOR_ARG_STATE,    /* state.json path */
  SUPERVISOR_ARG_LOCK,     /* the container's lock file */
  SUPERVISOR_ARG_STARTED,  /* unix microseconds */
  SUPERVISOR_ARG_PODUNIT,  /* podunit binary to run `rm -f ID` with (--rm), "-": keep */
  SUPERVISOR_ARG_ROOT,
  SUPERVISOR_ARG_RUNROOT,
  SUPERVISOR_ARG_NAME,     /* container name (journald's CONTAINER_NAME) */
  SUPERVISOR_ARG_SELF,     /* the podunit binary, for `healthcheck run` */
  SUPERVISOR_ARG_HEALTH,   /* microseconds between `healthcheck run`s, 0: none */
  SUPERVISOR_ARG_NOTIFY_FD, /* --sdnotify=container: the proxy socket to relay, -1: none */
  SUPERVISOR_ARG_CGROUP,   /* the container's cgroup dir (OOM kills), "-": none */
  SUPERVISOR_ARG_TAG,      /* --log-opt tag=: journald's CONTAINER_TAG and SYSLOG_IDENTIFIER, "": none */
  SUPERVISOR_ARGC,
};
