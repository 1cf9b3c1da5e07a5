/* SPDX-License-Identifier: Apache-2.0 */
/* A running container's resource use, read from the cgroup its pid 1 is in
 * (cgroup v2, or v1's cpuacct, memory, pids and blkio controllers on a
 * hybrid host) and from its network namespace's /proc/PID/net/dev: what
 * `stats` and `pod stats` print. */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct
{
  guint64 cpu_nsec;   /* CPU time used */
  guint64 mem_usage;  /* bytes */
  guint64 mem_limit;  /* bytes: the cgroup's limit, else the host's memory */
  guint64 pids;
  guint64 blk_read, blk_write; /* bytes */
  guint64 net_rx, net_tx;      /* bytes, every interface but lo */
} CgroupStats;

/* Fills *ST for the process PID; a counter the kernel does not offer stays 0.
 * Fails only when PID's cgroups cannot be read (it is gone). */
gboolean cgroup_stats_read (pid_t pid, CgroupStats *st, GError **error);
