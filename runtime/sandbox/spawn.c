/* SPDX-License-Identifier: Apache-2.0 */
/* The spawn path (steps drawn in spawn.h). The child reports a failure as
 * {int status; char message[]} on a CLOEXEC socket; a successful execve
 * closes the socket, which the parent reads as EOF. The child is a fork of
 * a single-threaded podunit, so it may allocate until it execs. */
#include "sandbox/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "error.h"
#include "fdio.h"

G_DEFINE_QUARK (spawn-error-quark, spawn_error)

extern char **environ;

typedef struct {
  int status;
  char message[1020];
} SpawnReport;

void
spawn_spec_clear (SpawnSpec *spec)
{
  g_clear_pointer (&spec->groups, g_array_unref);
  g_clear_pointer (&spec->rlimits, g_array_unref);
  g_clear_pointer (&spec->uid_map, g_free);
  g_clear_pointer (&spec->gid_map, g_free);
}

static G_GNUC_NORETURN void
child_fail (int sync_fd, int status, const char *message)
{
  SpawnReport r = { .status = status };
  g_strlcpy (r.message, message, sizeof r.message);
  if (write (sync_fd, &r, sizeof r) < 0)
    _exit (status);
  _exit (status);
}

/* Signals a supervisor or a foreground podunit passes on to the container. */
const int spawn_forwarded_signals[SPAWN_N_FORWARDED] = { SIGHUP,   SIGINT,  SIGQUIT, SIGTERM,
                                                         SIGUSR1,  SIGUSR2, SIGWINCH, SIGALRM,
                                                         SIGCONT,  SIGPWR };

static int
status_to_exit_code (int status)
{
  if (WIFEXITED (status))
    return WEXITSTATUS (status);
  if (WIFSIGNALED (status))
    return 128 + WTERMSIG (status);
  return EXIT_FAILURE;
}

/* The built-in --init: pid 1 forwards signals to the command and reaps
 * every orphan, exiting with the command's status. */
static G_GNUC_NORETURN void
run_init (pid_t child, const sigset_t *all)
{
  for (;;)
    {
      siginfo_t si;
      int sig = sigwaitinfo (all, &si);
      if (sig < 0)
        continue;
      if (sig != SIGCHLD)
        {
          kill (child, sig);
          continue;
        }
      for (;;)
        {
          int status;
          pid_t p = waitpid (-1, &status, WNOHANG);
          if (p <= 0)
            break;
          if (p == child)
            _exit (status_to_exit_code (status));
        }
    }
}

static void
noop_handler (int sig)
{
}

/* The process part, shared by run and exec: limits, cwd, caps, user,
 * seccomp (in the order caps.h gives), then execve. Only returns on error. */
static G_GNUC_NORETURN void
exec_process (const SpawnSpec *spec, int sync_fd)
{
  g_autoptr (GError) error = NULL;
  char msg[1100];
  const char *cmd;

  if (spec->new_session)
    setsid ();
  for (int i = 0; i < 3; i++)
    if (spec->stdio[i] >= 0 && spec->stdio[i] != i && dup2 (spec->stdio[i], i) < 0)
      child_fail (sync_fd, 125, "dup2 stdio");
  if (spec->tty_master && !console_child_setup (sync_fd))
    {
      snprintf (msg, sizeof msg, "setting up the terminal: %s", g_strerror (errno));
      child_fail (sync_fd, 125, msg);
    }
  if (!rlimits_apply (spec->rlimits, &error))
    child_fail (sync_fd, 125, error->message);
  if (spec->set_oom_score_adj)
    {
      char v[16];
      int n = snprintf (v, sizeof v, "%d", spec->oom_score_adj);
      int fd = open ("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
      if (fd < 0 || write (fd, v, n) != n)
        {
          snprintf (msg, sizeof msg, "--oom-score-adj %d: %s", spec->oom_score_adj, g_strerror (errno));
          child_fail (sync_fd, 125, msg);
        }
      close (fd);
    }
  if (spec->cwd && chdir (spec->cwd) < 0)
    {
      snprintf (msg, sizeof msg, "workdir \"%s\": %s", spec->cwd, g_strerror (errno));
      child_fail (sync_fd, 125, msg);
    }
  if (!caps_apply_bounding (&spec->caps, &error))
    child_fail (sync_fd, 125, error->message);
  if (spec->seccomp && !spec->caps.no_new_privs && !seccomp_program_apply (spec->seccomp, &error))
    child_fail (sync_fd, 125, error->message);
  /* setgroups is denied in a rootless namespace of the user's own ids
   * alone (setgroups=deny): dropping groups is then moot, asking for
   * some still fails. */
  if ((setgroups (spec->groups ? spec->groups->len : 0,
                  spec->groups ? (gid_t *) spec->groups->data : NULL) < 0
       && !(errno == EPERM && (!spec->groups || spec->groups->len == 0)))
      || setresgid (spec->gid, spec->gid, spec->gid) < 0
      || setresuid (spec->uid, spec->uid, spec->uid) < 0)
    {
      snprintf (msg, sizeof msg, "switching to user %u:%u: %s", (unsigned) spec->uid,
                (unsigned) spec->gid, g_strerror (errno));
      child_fail (sync_fd, 125, msg);
    }
  if (!caps_apply (&spec->caps, &error))
    child_fail (sync_fd, 125, error->message);
  if (spec->seccomp && spec->caps.no_new_privs && !seccomp_program_apply (spec->seccomp, &error))
    child_fail (sync_fd, 125, error->message);

  /* Only stdio and --preserve-fds' fds reach the command (crun closes the
   * rest): the caller's other fds are no business of the container. They
   * are closed now, before --init forks (its pid 1 would show them until
   * it closed them); the sync socket stays until the exec (close-on-exec),
   * above the kept range. */
  {
    int keep = 3 + MAX (spec->preserve_fds, 0);
    if (sync_fd < keep)
      {
        int moved = fcntl (sync_fd, F_DUPFD_CLOEXEC, keep);
        if (moved < 0)
          child_fail (sync_fd, 125, "moving the sync socket above --preserve-fds");
        close (sync_fd);
        sync_fd = moved;
      }
    for (int fd = 3; fd < keep; fd++)
      fcntl (fd, F_SETFD, 0);
    if ((sync_fd > keep && syscall (SYS_close_range, keep, sync_fd - 1, 0) < 0)
        || syscall (SYS_close_range, sync_fd + 1, ~0U, 0) < 0)
      for (int fd = keep; fd < 65536; fd++)
        if (fd != sync_fd)
          close (fd);
  }

  if (spec->init)
    {
      sigset_t all, old;
      pid_t child;
      sigfillset (&all);
      sigprocmask (SIG_BLOCK, &all, &old);
      /* Named before the fork: the command may look at pid 1 at once. */
      prctl (PR_SET_NAME, "podunit-init");
      child = fork ();
      if (child < 0)
        child_fail (sync_fd, 125, "fork for --init");
      if (child > 0)
        {
          struct sigaction sa = { .sa_handler = noop_handler };
          /* pid 1 only gets signals it handles; the handler makes them
           * deliverable, sigwaitinfo takes them. */
          for (gsize i = 0; i < SPAWN_N_FORWARDED; i++)
            sigaction (spawn_forwarded_signals[i], &sa, NULL);
          /* pid 1 never execs, so close-on-exec closes nothing here: it
           * would keep every descriptor of its parent, the sync socket
           * (which stays open in the command until it execs) and `run
           * -d`'s report pipe among them, and `run -d --init` waited for
           * the container to exit. It needs none but its stdio. */
#ifdef SYS_close_range
          if (syscall (SYS_close_range, 3, ~0U, 0) < 0)
#endif
            for (int fd = 3; fd < 1024; fd++)
              close (fd);
          run_init (child, &all);
        }
      sigprocmask (SIG_SETMASK, &old, NULL);
    }

  /* The command starts with every signal at its default and none blocked,
   * whatever the caller ignored or blocked (a shell's `trap '' INT`, a
   * nohup): SIG_IGN and the mask survive execve. crun does the same. */
  {
    sigset_t none;
    struct sigaction dfl = { .sa_handler = SIG_DFL };
    for (int sig = 1; sig < NSIG; sig++)
      if (sig != SIGKILL && sig != SIGSTOP)
        sigaction (sig, &dfl, NULL);
    sigemptyset (&none);
    sigprocmask (SIG_SETMASK, &none, NULL);
  }
  cmd = spec->argv[0];
  environ = spec->env;
  execvp (cmd, spec->argv);
  {
    int e = errno;
    if (e == ENOENT && !strchr (cmd, '/'))
      snprintf (msg, sizeof msg,
                "executable file `%s` not found in $PATH: No such file or directory", cmd);
    else
      {
        /* Go's wording, as crun reports it through podman: lower case */
        gsize at = 5 + strlen (cmd) + 2; /* the first letter of the reason */
        snprintf (msg, sizeof msg, "exec %s: %s", cmd, g_strerror (e));
        if (at < sizeof msg)
          msg[at] = g_ascii_tolower (msg[at]);
      }
    child_fail (sync_fd, e == ENOENT ? 127 : 126, msg);
  }
}

/* Waits at a SpawnPoint: tells the parent @point, reads its upper-case
 * answer (the parent kills the child when its callback fails). */
static gboolean
child_stop (int sync_fd, char point)
{
  char answer;
  return write (sync_fd, &point, 1) == 1 && read (sync_fd, &answer, 1) == 1
         && answer == g_ascii_toupper (point);
}

/* Reads the parent's "go" if it is still to come (*@pending). */
static gboolean
child_await_go (int sync_fd, gboolean *pending)
{
  char go;
  if (!*pending)
    return TRUE;
  *pending = FALSE;
  return read (sync_fd, &go, 1) == 1;
}

/* @wait_go: the parent runs hooks and says "go" after them. The child sets
 * up its namespaces and root meanwhile (the network is attached beside
 * its mounts, on another CPU) and waits for it only before it tells the
 * parent anything or runs anything of the container; @early_go: before
 * anything, as its cgroup namespace must be made in the cgroup the parent
 * moves it to. */
static G_GNUC_NORETURN void
child_main (const SpawnSpec *spec, int sync_fd, gboolean wait_go, gboolean early_go)
{
  g_autoptr (GError) error = NULL;
  char go;

  /* Die with the parent while it still sets us up. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  for (gsize i = 0; i < G_N_ELEMENTS (spec->join_ns); i++)
    if (spec->join_ns[i] > 0 && setns (spec->join_ns[i], 0) < 0)
      {
        char msg[128];
        snprintf (msg, sizeof msg, "joining the pod's namespaces: setns: %s", g_strerror (errno));
        child_fail (sync_fd, 125, msg);
      }
  if (early_go && !child_await_go (sync_fd, &wait_go))
    _exit (125);
  /* The cgroup namespace is rooted where we are when it is created: only
   * now, in the container's cgroup. */
  if ((spec->clone_flags & CLONE_NEWCGROUP) && unshare (CLONE_NEWCGROUP) < 0)
    child_fail (sync_fd, 125, "unshare(CLONE_NEWCGROUP)");
  if (spec->mounts && !mount_setup_rootfs (spec->mounts, &error))
    child_fail (sync_fd, g_error_matches (error, MOUNT_ERROR, MOUNT_ERROR_NO_WORKDIR) ? 126 : 125,
                error->message);
  if (spec->mounts && spec->stop_mounted
      && (!child_await_go (sync_fd, &wait_go) || !child_stop (sync_fd, 'c')))
    _exit (125);
  if (spec->mounts && !mount_enter_rootfs (spec->mounts, &error))
    child_fail (sync_fd, 125, error->message);
  if (spec->hostname && (spec->clone_flags & CLONE_NEWUTS)
      && sethostname (spec->hostname, strlen (spec->hostname)) < 0)
    child_fail (sync_fd, 125, "sethostname");
  if (spec->loopback_up && !namespaces_loopback_up (&error))
    child_fail (sync_fd, 125, error->message);
  /* The container's own user namespace comes last (spawn.h): the rootfs
   * was mounted with the caller's rights, which reach the store. */
  if (spec->clone_flags & CLONE_NEWUSER)
    {
      if (unshare (CLONE_NEWUSER) < 0)
        child_fail (sync_fd, 125, "unshare(CLONE_NEWUSER)");
      if (!child_await_go (sync_fd, &wait_go) || write (sync_fd, "u", 1) != 1 || read (sync_fd, &go, 1) != 1 || go != 'm')
        _exit (125);
      if (setresgid (0, 0, 0) < 0 || setresuid (0, 0, 0) < 0)
        child_fail (sync_fd, 125, "becoming root in the user namespace");
    }
  if (!child_await_go (sync_fd, &wait_go))
    _exit (125);
  if (spec->stop_starting && !child_stop (sync_fd, 's'))
    _exit (125);
  prctl (PR_SET_PDEATHSIG, 0);
  exec_process (spec, sync_fd);
}

/* Reads the child's report: TRUE when it exec'd (EOF). A one-byte 't'
 * message before that carries the pty master (console.c) into *tty_master. */
static gboolean
read_report (int fd, pid_t pid, const SpawnSpec *spec, int *tty_master, GError **error)
{
  SpawnReport r;
  ssize_t n;
  for (;;)
    {
      union {
        char buf[CMSG_SPACE (sizeof (int))];
        struct cmsghdr align;
      } u;
      struct iovec iov = { .iov_base = &r, .iov_len = sizeof r };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf,
                            .msg_controllen = sizeof u.buf };
      struct cmsghdr *c;
      do
        n = recvmsg (fd, &msg, MSG_CMSG_CLOEXEC);
      while (n < 0 && errno == EINTR);
      c = n > 0 ? CMSG_FIRSTHDR (&msg) : NULL;
      if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
        {
          int got;
          memcpy (&got, CMSG_DATA (c), sizeof (int));
          if (tty_master)
            *tty_master = got;
          else
            close (got);
          continue;
        }
      if (n == 1 && (((char *) &r)[0] == 'c' || ((char *) &r)[0] == 's') && spec && spec->at)
        {
          char point = ((char *) &r)[0], answer = g_ascii_toupper (point);
          if (!spec->at (spec, pid, point == 'c' ? SPAWN_AT_MOUNTED : SPAWN_AT_STARTING,
                         spec->at_data, error))
            {
              kill (pid, SIGKILL);
              waitpid (pid, NULL, 0);
              return FALSE;
            }
          if (write (fd, &answer, 1) != 1)
            break;
          continue;
        }
      if (n == 1 && ((char *) &r)[0] == 'u' && spec && (spec->clone_flags & CLONE_NEWUSER))
        {
          /* The child made its user namespace: its maps, then "m". */
          if (!namespaces_write_maps (pid, spec->uid_map, spec->gid_map, error))
            {
              kill (pid, SIGKILL);
              waitpid (pid, NULL, 0);
              return FALSE;
            }
          if (write (fd, "m", 1) != 1)
            break;
          continue;
        }
      break;
    }
  if (n == 0)
    return TRUE;
  if (tty_master && *tty_master >= 0)
    {
      close (*tty_master);
      *tty_master = -1;
    }
  if (n < (ssize_t) sizeof (int))
    {
      r.status = 125;
      g_strlcpy (r.message, "container process died during setup", sizeof r.message);
    }
  waitpid (pid, NULL, 0);
  g_set_error_literal (error, SPAWN_ERROR, r.status, r.message);
  return FALSE;
}

/* The kernel's struct clone_args up to @cgroup (CLONE_ARGS_SIZE_VER2),
 * spelled out: glibc has no clone3 wrapper, and <linux/sched.h> clashes
 * with <sched.h> on some systems. */
typedef struct {
  guint64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
  guint64 set_tid, set_tid_size, cgroup;
} CloneArgs;
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* clone3 into the cgroup directory @cgroup_fd: like fork, 0 in the child.
 * -1 when the kernel cannot (ENOSYS before 5.3, E2BIG/EINVAL before 5.7,
 * EBADF/EOPNOTSUPP when @cgroup_fd is no cgroup v2 directory...); the
 * caller then clones plainly and moves the child. */
static pid_t
clone_into_cgroup (int flags, int cgroup_fd)
{
#ifdef SYS_clone3
  CloneArgs args = { .flags = (guint64) (unsigned) flags | CLONE_INTO_CGROUP,
                     .exit_signal = SIGCHLD,
                     .cgroup = (guint64) cgroup_fd };
  return syscall (SYS_clone3, &args, sizeof args);
#else
  errno = ENOSYS;
  return -1;
#endif
}

pid_t
spawn_fork_into_cgroup (int cgroup_fd)
{
  return clone_into_cgroup (0, cgroup_fd);
}

/* The parent's and the child's end of the report socket (see the top). */
static gboolean
report_socket (int *parent, int *child, GError **error)
{
  int sv[2];
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return errno_error (error, SPAWN_ERROR, 125, errno, "socketpair");
  *parent = sv[0];
  *child = sv[1];
  return TRUE;
}

pid_t
spawn_container (const SpawnSpec *spec, GError **error)
{
  autofd int parent = -1;
  autofd int child = -1;
  autofd int own_pidns = -1;
  pid_t pid;
  gboolean in_cgroup = FALSE, wait_go, early_go;

  if (!report_socket (&parent, &child, error))
    return -1;
  /* The user namespace is the child's own step (child_main). */
  int flags = spec->clone_flags & ~(CLONE_NEWCGROUP | CLONE_NEWUSER);
  if (spec->join_pidns > 0)
    {
      own_pidns = open ("/proc/self/ns/pid", O_RDONLY | O_CLOEXEC);
      if (own_pidns < 0 || setns (spec->join_pidns, CLONE_NEWPID) < 0)
        {
          errno_error (error, SPAWN_ERROR, 125, errno, "joining the pod's pid namespace");
          return -1;
        }
      flags &= ~CLONE_NEWPID;
    }
  pid = spec->cgroup_fd >= 0 ? clone_into_cgroup (flags, spec->cgroup_fd) : -1;
  if (pid >= 0)
    in_cgroup = TRUE;
  else
    pid = syscall (SYS_clone, (unsigned long) flags | SIGCHLD, NULL, NULL, NULL, NULL);
  /* Back to our own: later children (a restart) choose again. */
  if (pid != 0 && own_pidns >= 0 && setns (own_pidns, CLONE_NEWPID) < 0)
    {
      errno_error (error, SPAWN_ERROR, 125, errno, "returning to the own pid namespace");
      if (pid > 0)
        goto kill;
      return -1;
    }
  /* Without a hook to run or a cgroup to enter, the parent has nothing to
   * do before the child's setup: no "go". */
  early_go = !in_cgroup && spec->enter_cgroup;
  wait_go = spec->after_namespaces || spec->started || early_go;
  if (pid < 0)
    {
      errno_error (error, SPAWN_ERROR, 125, errno, "clone");
      return -1;
    }
  if (pid == 0)
    {
      close (fd_steal (&parent));
      child_main (spec, child, wait_go, early_go);
    }
  /* Only the child holds its end now: its exec closes it (EOF). */
  close (fd_steal (&child));

  if (!in_cgroup && spec->enter_cgroup && !spec->enter_cgroup (spec, pid, spec->hook_data, error))
    goto kill;
  if (spec->after_namespaces && !spec->after_namespaces (spec, pid, spec->after_namespaces_data, error))
    goto kill;
  if (spec->started && !spec->started (spec, pid, spec->started_data, error))
    goto kill;
  /* A child that failed in its setup meanwhile is gone (EPIPE): its
   * report says why. */
  if (wait_go && send (parent, "g", 1, MSG_NOSIGNAL) != 1 && errno != EPIPE)
    {
      errno_error (error, SPAWN_ERROR, 125, errno, "starting container process");
      goto kill;
    }
  if (!read_report (parent, pid, spec, spec->tty_master, error))
    return -1;
  return pid;

kill:
  kill (pid, SIGKILL);
  waitpid (pid, NULL, 0);
  /* A child that failed in its setup first made the hook fail too (its
   * namespaces were gone): its report says why. Before "go" it sends
   * nothing else. */
  {
    SpawnReport r = { 0 };
    if (recv (parent, &r, sizeof r - 1, MSG_DONTWAIT) >= (ssize_t) sizeof (int))
      {
        g_clear_error (error);
        g_set_error_literal (error, SPAWN_ERROR, r.status, r.message);
      }
  }
  return -1;
}

pid_t
spawn_exec (const SpawnSpec *spec, pid_t target, GError **error)
{
  autofd int parent = -1;
  autofd int child = -1;
  pid_t pid;

  if (!report_socket (&parent, &child, error))
    return -1;
  /* Joining here is fine: this podunit only waits for the exec'd process
   * afterwards. A pid namespace applies to children, hence the fork. */
  if (!namespaces_join (target, error))
    return -1;
  pid = fork ();
  if (pid < 0)
    {
      errno_error (error, SPAWN_ERROR, 125, errno, "fork");
      return -1;
    }
  if (pid == 0)
    {
      close (fd_steal (&parent));
      exec_process (spec, child);
    }
  close (fd_steal (&child));
  if (!read_report (parent, pid, NULL, spec->tty_master, error))
    return -1;
  return pid;
}

