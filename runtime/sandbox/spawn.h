/* SPDX-License-Identifier: Apache-2.0 */
/* Starting the container's process, as explicit steps:
 *
 *   parent                              child (clone, new namespaces)
 *   ------                              -----
 *   clone(CLONE_NEW*)  ───────────────► mount_setup_rootfs, meanwhile
 *   hook: after_namespaces (network)    [waits for "go" first when the
 *   hook: started                        parent moves it to its cgroup]
 *   "go" ─────────────────────────────► [waits for it here when stop_mounted]
 *   at (SPAWN_AT_MOUNTED) ◄─── "c" ──── [when stop_mounted]
 *   "C" ──────────────────────────────► mount_enter_rootfs (pivot_root),
 *                                       hostname, lo up
 *                                       waits for "go" (if not yet)
 *                                       [own user ns: unshare(CLONE_NEWUSER)
 *   writes uid/gid maps ◄──── "u" ───── after the mounts, which need the
 *   "m" ──────────────────────────────► caller's rights on the store]
 *   at (SPAWN_AT_STARTING) ◄── "s" ──── [when stop_starting]
 *   "S" ──────────────────────────────► rlimits, cwd
 *                                       caps / user / seccomp (caps.h order)
 *                                       [--init: fork; pid 1 reaps]
 *   reads the sync socket: EOF = exec'd execve
 *                          or an error message + exit status (125/126/127)
 *
 * `exec` uses the same process steps after joining the namespaces of a
 * running container (spawn_exec). */
#pragma once

#include <glib.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "sandbox/caps.h"
#include "sandbox/mount.h"
#include "sandbox/seccomp.h"

#define SPAWN_ERROR (spawn_error_quark ())
GQuark spawn_error_quark (void);
/* The error code is the exit status podman reports: 125, 126 or 127. */

typedef struct {
  int resource;
  struct rlimit limit;
} SpawnRlimit;

typedef struct _SpawnSpec SpawnSpec;
typedef gboolean (*SpawnHook) (const SpawnSpec *spec, pid_t pid, gpointer data, GError **error);

/* Where the child stops for the parent's `at` callback (OCI hooks,
 * container/hooks.h). */
typedef enum {
  SPAWN_AT_MOUNTED,  /* its mounts made, before pivot_root and its own user namespace */
  SPAWN_AT_STARTING, /* in its final namespaces and root, before the process part */
} SpawnPoint;
typedef gboolean (*SpawnAtFunc) (const SpawnSpec *spec, pid_t pid, SpawnPoint point,
                                 gpointer data, GError **error);

struct _SpawnSpec {
  /* the process */
  char **argv;
  char **env;
  const char *cwd;
  uid_t uid;
  gid_t gid;
  GArray *groups; /* gid_t, supplementary */
  CapSets caps;
  const SeccompProgram *seccomp; /* NULL: none */
  GArray *rlimits;               /* SpawnRlimit */
  int preserve_fds;              /* fds 3..3+N-1 stay open; all others above 2 close at exec */
  gboolean set_oom_score_adj;    /* else the caller's is inherited */
  int oom_score_adj;
  int stdio[3];                  /* -1: inherit */
  int *tty_master;               /* non-NULL: a pty from the container's devpts is
                                  * the process's terminal; its master fd lands here */
  gboolean init;                 /* a built-in reaper is pid 1 */
  gboolean new_session;          /* setsid (detached containers) */

  /* the namespaces */
  int clone_flags;  /* CLONE_NEWNS|CLONE_NEWPID|... */
  char *uid_map;    /* /proc/PID/uid_map text for CLONE_NEWUSER */
  char *gid_map;
  const char *hostname;
  gboolean loopback_up; /* bring lo up in a new net ns */
  /* Namespaces of another process to join (fds of /proc/PID/ns files, <= 0:
   * none), entered by the child first (a pod member joins its infra's
   * network, UTS, IPC and cgroup namespaces: mounts made later, sysfs and
   * mqueue, see them). */
  int join_ns[4];
  /* A pid namespace to be born in (<= 0: none): the parent enters it for
   * the clone (setns applies to children) and returns to its own. */
  int join_pidns;

  /* the file system (NULL: exec into an existing container) */
  const MountPlan *mounts;

  /* runs in the parent once the namespaces exist, beside the child's
   * mounts (its root's files may be bind-mounted already: write them in
   * place), before the child runs anything of the container */
  SpawnHook after_namespaces;
  gpointer after_namespaces_data;
  /* runs in the parent last, before the child runs anything of the
   * container: until its exec the child dies with the parent
   * (PR_SET_PDEATHSIG), so from this hook on a parent killed leaves a
   * process the hook could record, and before it none */
  SpawnHook started;
  gpointer started_data;
  gpointer hook_data; /* enter_cgroup's */
  /* called in the parent while the child waits at a SpawnPoint, for each
   * point whose stop_* is set; failing kills the child */
  SpawnAtFunc at;
  gpointer at_data;
  gboolean stop_mounted, stop_starting;

  /* >= 0: a cgroup v2 directory the child is created in (clone3 with
   * CLONE_INTO_CGROUP), which spares moving it there by writing
   * cgroup.procs: that write takes the cgroup threadgroup lock for writing,
   * an RCU grace period (milliseconds) on every run. When the kernel
   * cannot (older than 5.7, not cgroupfs), enter_cgroup moves it between
   * clone and "go" as before. */
  int cgroup_fd;
  SpawnHook enter_cgroup;
};

void spawn_spec_clear (SpawnSpec *spec);

/* Clones, sets up and execs. Returns the child's pid (in the caller's pid
 * namespace) once the command was exec'd; on failure the child is reaped
 * and @error's code is the exit status to report. */
pid_t spawn_container (const SpawnSpec *spec, GError **error);

/* fork (), but the child is born in the cgroup v2 directory @cgroup_fd
 * (clone3 with CLONE_INTO_CGROUP); -1 when the kernel cannot (the caller
 * forks plainly then). */
pid_t spawn_fork_into_cgroup (int cgroup_fd);

/* Joins the namespaces of @target (a container's pid 1) and runs the
 * process part of @spec there. Returns the pid of the new process. */
pid_t spawn_exec (const SpawnSpec *spec, pid_t target, GError **error);

/* relay.c: the foreground's wait. Forwards the usual termination signals
 * to @pid and carries its output until it exited and the output is
 * drained; returns its exit status the way a shell reports it (128+N for
 * signal N). After @timeout_us (> 0) it is killed (SIGKILL) and reaped,
 * and the result is SPAWN_TIMED_OUT (conmon's --timeout). */
#define SPAWN_TIMED_OUT (-1)
typedef struct
{
  int master;       /* -t: the terminal's master, relayed to @out_to; -1: none */
  gboolean input;   /* with @master: this process's stdin goes to the terminal (-i) */
  int out, err;     /* without @master: pipes of the container's stdout and
                     * stderr; -1: none (it writes where it was spawned to) */
  int out_to, err_to; /* where stdout (or the terminal) and stderr go: 1, 2;
                       * -1: to the tap alone (run --attach) */
  gint64 timeout_us;  /* 0: none */
  /* Each piece read, in order: @stream 1 stdout (and the terminal), 2 stderr. */
  void (*tap) (int stream, const char *buf, size_t len, gpointer data);
  gpointer tap_data;
} SpawnRelay;
int spawn_relay (pid_t pid, const SpawnRelay *r);

/* The signals a container's caller (pid 1 in spawn.c, the relay) forwards. */
#define SPAWN_N_FORWARDED 10
extern const int spawn_forwarded_signals[SPAWN_N_FORWARDED];

/* console.c */
/* Child side: opens a pty in the current /dev/pts, makes it the calling
 * process's controlling terminal and stdio, and sends the master to the
 * parent over @sync_fd (a one-byte 't' message with the fd; spawn.c's
 * report reader takes it). Returns FALSE (errno set) on failure. */
gboolean console_child_setup (int sync_fd);

/* namespaces.c */
gboolean namespaces_write_maps (pid_t pid, const char *uid_map, const char *gid_map,
                                GError **error);
/* Joins every namespace of @pid that differs from ours (user first). */
gboolean namespaces_join (pid_t pid, GError **error);
/* Sets the loopback interface up (in the current net ns). */
gboolean namespaces_loopback_up (GError **error);

/* rlimits.c */
/* podman's defaults plus "--ulimit" values. With @may_raise (the child
 * keeps CAP_SYS_RESOURCE in the initial user namespace: rlimits_may_raise
 * and no user namespace of its own) hard limits go over this process's
 * own, up to the kernel's ceiling; otherwise each value is clamped to the
 * hard limit this process has (lowered, never failing). */
GArray *rlimits_resolve (char **ulimits, gboolean may_raise, GError **error);
/* Whether this process may raise hard limits (CAP_SYS_RESOURCE, initial
 * user namespace). */
gboolean rlimits_may_raise (void);
/* Child side. */
gboolean rlimits_apply (GArray *rlimits, GError **error);
