/* SPDX-License-Identifier: Apache-2.0 */
/* Cgroups for one container, as podman's --cgroups modes place them.
 *
 * Only the unified hierarchy (cgroup v2) gets limits. On v1 and hybrid hosts
 * the container stays in the supervisor's cgroups and the caller warns once
 * (cgroup_prepare hands it the message).
 *
 * Modes (podman's --cgroups):
 *   split     (Quadlet's default) everything runs in the unit's delegated
 *             cgroup OWN: all processes there move into OWN/supervisor, the
 *             container goes to OWN/container, controllers are enabled in
 *             OWN (v2 forbids processes in a node whose controllers are
 *             enabled for children, hence the two leaves).
 *   enabled   the container gets PARENT/podunit-<id>, the supervisor
 *             PARENT/podunit-conmon-<id>; PARENT is podunit.slice at the
 *             root of the hierarchy when we may write there (root), else
 *             our own cgroup (a delegated rootless session). Without D-Bus
 *             podunit cannot ask systemd for scopes, so it writes cgroupfs.
 *   no-conmon as enabled, but the supervisor stays where it was started.
 *   disabled  nothing is created or moved; no limits.
 *
 * Every path below the cgroupfs root is relative ("system.slice/web.service"),
 * and the root is a parameter so tests can use a fake tree in a temp dir. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

#define CGROUP_DEFAULT_ROOT "/sys/fs/cgroup"
/* podman's default pids limit where cgroups allow one. */
#define CGROUP_DEFAULT_PIDS_LIMIT 2048
#define CGROUP_DEFAULT_CPU_PERIOD 100000

typedef enum
{
  CGROUP_VERSION_V1,
  CGROUP_VERSION_HYBRID, /* v1 controllers plus an (empty) unified tree */
  CGROUP_VERSION_V2,
} CgroupVersion;

typedef enum
{
  CGROUP_MODE_ENABLED,
  CGROUP_MODE_DISABLED,
  CGROUP_MODE_NO_CONMON,
  CGROUP_MODE_SPLIT,
} CgroupMode;

/* Limits from the command line. A field at -1 (0 for cpu_weight) was not
 * given. */
typedef struct
{
  gint64 memory;      /* --memory, bytes */
  gint64 memory_swap; /* --memory-swap (memory + swap), bytes; -2 = unlimited */
  gint64 pids_limit;  /* --pids-limit; 0 or -2 = unlimited */
  gint64 cpu_quota;   /* from --cpus: microseconds per cpu_period */
  gint64 cpu_period;  /* microseconds; -1 = CGROUP_DEFAULT_CPU_PERIOD */
  gint64 cpu_weight;  /* --cpu-weight 1..10000; 0 = not given */
} CgroupLimits;

#define CGROUP_LIMITS_INIT { -1, -1, -1, -1, -1, 0 }
#define CGROUP_UNLIMITED (-2)

/* Parses podman's --cgroups value. */
gboolean cgroup_mode_from_string (const char *s, CgroupMode *mode, GError **error);
const char *cgroup_mode_to_string (CgroupMode mode);

/* "64m", "1G", "512k", "1024", "1.5g" as podman's --memory (binary units;
 * an optional trailing "b"). Negative sizes ("-1") are invalid, as in
 * podman's --memory. */
gboolean cgroup_parse_memory (const char *s, gint64 *bytes, GError **error);
/* "1.5" for --cpus: quota in microseconds per CGROUP_DEFAULT_CPU_PERIOD. */
gboolean cgroup_parse_cpus (const char *s, gint64 *quota, GError **error);

/* TRUE when a limit was given (the default pids limit does not count). */
gboolean cgroup_limits_requested (const CgroupLimits *limits);

/* Which hierarchy is mounted at @root (statfs magic). */
gboolean cgroup_detect_version (const char *root, CgroupVersion *version, GError **error);

/* The unified-hierarchy path ("0::" line) from the text of /proc/PID/cgroup,
 * without the leading slash ("" for the root cgroup). */
gboolean cgroup_parse_proc_cgroup (const char *contents, char **path, GError **error);
/* The same, read from /proc/@pid/cgroup (0: this process). */
gboolean cgroup_own_path (pid_t pid, char **path, GError **error);

/* How a directory is made and removed. The defaults are mkdir(2) and
 * rmdir(2); a fake tree in tests uses its own to play the kernel (populate
 * interface files, remove them again). Both return 0 or -errno. */
typedef struct
{
  int (*make_dir) (const char *path, gpointer data);
  int (*remove_dir) (const char *path, gpointer data);
  gpointer data;
} CgroupFsOps;

typedef struct _CgroupManager CgroupManager;

/* @own: this process's cgroup (cgroup_own_path); @id: the container id. */
CgroupManager *cgroup_manager_new (const char *root, CgroupVersion version, CgroupMode mode,
                                   const char *own, const char *id);
void cgroup_manager_free (CgroupManager *m);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CgroupManager, cgroup_manager_free)

void cgroup_manager_set_fs_ops (CgroupManager *m, const CgroupFsOps *ops);

/* Creates the cgroups of the mode, moves @supervisor (split: with every
 * other process of the own cgroup) into its leaf, enables memory, pids and
 * cpu in the subtree where available, and writes the limits into the
 * container's cgroup. When limits were requested but cannot be applied
 * (v1/hybrid host, controller not delegated), returns TRUE and sets
 * @warning to one message for the caller to print once. */
gboolean cgroup_prepare (CgroupManager *m, pid_t supervisor, const CgroupLimits *limits,
                         char **warning, GError **error);

/* For a detached start, before the supervisor is forked: its leaf created
 * ahead and an O_PATH fd of it (-1 when the mode has none, when it
 * exists already, or rootless, where its place depends on the own
 * cgroup). Forked right into it
 * (spawn_fork_into_cgroup), the supervisor need not be moved there by a
 * write to cgroup.procs, which waits for an RCU grace period (6-15 ms);
 * its cgroup_prepare then sees it there and leaves it. */
int cgroup_supervisor_open (CgroupManager *m);

/* Absolute path of the container's cgroup, NULL when the container stays
 * in the supervisor's (disabled, v1). */
const char *cgroup_container_path (CgroupManager *m);
/* Absolute path of the supervisor's cgroup, NULL when it is not moved. */
const char *cgroup_supervisor_path (CgroupManager *m);

/* Moves @pid into the container's cgroup (no-op when there is none). Call
 * from the parent before the child execs, or from the child itself. */
gboolean cgroup_enter (CgroupManager *m, pid_t pid, GError **error);

/* Freezes (pause) or thaws (unpause) every process of the container:
 * cgroup v2's cgroup.freeze, else the v1 freezer leaf cgroup_prepare made;
 * returns once the kernel says it is done (at most 5 s). An error when
 * the container has neither (--cgroups=disabled, rootless on v1). */
gboolean cgroup_freeze (CgroupManager *m, gboolean freeze, GError **error);

/* The oom_kill counter of the container's memory.events (0 without one).
 * Read after the container exited: non-zero means the kernel OOM-killed a
 * process of the container. */
gboolean cgroup_oom_kills (CgroupManager *m, guint64 *count, GError **error);

/* Kills what is left in the container's cgroup (cgroup.kill where the
 * kernel has it, else SIGKILL to each pid in cgroup.procs) and removes the
 * directories this mode created, leaves first. Safe to call again, and from
 * another process after a crash (ExecStopPost) with a new manager. */
gboolean cgroup_cleanup (CgroupManager *m, GError **error);

/* For the launcher: the manager for container @id in @mode ("split",
 * NULL: "enabled") on this host (cgroup_detect_version of /sys/fs/cgroup,
 * cgroup_own_path of this process). */
CgroupManager *cgroup_manager_for_container (const char *mode, const char *id, GError **error);

/* What a later `podunit rm` (ExecStopPost, --rm) needs to clean up after
 * the supervisor, whose own cgroup it does not share: saved in the
 * container's run dir at start. A missing file loads as NULL without
 * error (nothing to clean). */
gboolean cgroup_manager_save (CgroupManager *m, const char *path, GError **error);
CgroupManager *cgroup_manager_load (const char *path, GError **error);

/* Moves @pid into the container's cgroup recorded at @path (nothing
 * recorded: nothing to do). For `exec` and health checks: what runs in the
 * container counts against its limits. */
gboolean cgroup_enter_saved (const char *path, pid_t pid, GError **error);

G_END_DECLS
