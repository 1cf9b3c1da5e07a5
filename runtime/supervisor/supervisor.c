/* SPDX-License-Identifier: Apache-2.0 */
/* podunit-supervisor: the one process that stays with a detached container
 * (podman's conmon). podunit spawns the container, then execs this program
 * in the container's parent process, so the container is its child: it
 * reaps it, keeps its exit status in state.json, logs its stdout/stderr
 * (ctr-log.h), relays its sd_notify (notify-relay.h), runs its health
 * checks, forwards termination signals and handles --rm.
 *
 * It is a separate executable linked against libc only, with static
 * buffers and no allocation in the loop: a glib-linked podunit would sit
 * at ~12 MB RSS for the container's whole life (conmon: ~1.9 MB).
 *
 * Its arguments are named (supervisor.h); it is an internal program of
 * podunit, not for people. */
#include "supervisor/events.h"
#include "supervisor/supervisor.h"
#include "container/state-json.h"
#include "fdio.h"
#include "supervisor/ctr-log.h"
#include "supervisor/notify-relay.h"
#include "systemd/sdwire.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* What the supervisor watches. */
typedef struct
{
  SupervisorArgs a;
  CtrLog log;
  int stream_fd[2]; /* per CtrStream; -1 once closed */
  NotifyRelay relay;
  int signal_fd;
  int code;         /* the container's exit status, -1 while it runs */
  pid_t health_pid; /* a running `healthcheck run`, 0: none */
  long long next_health;
  long long deadline; /* --timeout: monotonic us when it is killed; 0: none */
  int timed_out;
} Supervisor;

static long long
mono_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
exit_status (int status)
{
  return WIFEXITED (status) ? WEXITSTATUS (status)
         : WIFSIGNALED (status) ? 128 + WTERMSIG (status)
                                : 125;
}

/* Runs `podunit --root R --runroot RR VERB1 VERB2 [OPT] TARGET` with the
 * signal mask undone (TARGET NULL: the container's id); returns its pid
 * (0: none). */
static pid_t
run_podunit_on (const SupervisorArgs *a, const char *verb1, const char *verb2, const char *opt,
                const char *target)
{
  if (!target)
    target = a->id;
  pid_t p = fork ();
  if (p == 0)
    {
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      execl (a->podunit, a->podunit, "--root", a->root, "--runroot", a->runroot, verb1, verb2,
             opt ? opt : target, opt ? target : (char *) NULL, (char *) NULL);
      _exit (125);
    }
  return p > 0 ? p : 0;
}

static pid_t
run_podunit (const SupervisorArgs *a, const char *verb1, const char *verb2, const char *opt)
{
  return run_podunit_on (a, verb1, verb2, opt, NULL);
}

/* Termination signals go to the container; SIGCHLD wakes the loop. */
static int
open_signals (void)
{
  const int forward[] = { SIGCHLD, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };
  sigset_t set;
  sigemptyset (&set);
  for (size_t i = 0; i < sizeof forward / sizeof *forward; i++)
    sigaddset (&set, forward[i]);
  sigprocmask (SIG_BLOCK, &set, NULL);
  return signalfd (-1, &set, SFD_CLOEXEC);
}

/* Takes over what launch.c handed down: the output pipes, the notify
 * proxy, the log. */
static int
supervisor_init (Supervisor *s, int argc, char **argv)
{
  char err[256];
  int r;

  if (supervisor_args_parse (argc, argv, &s->a, err, sizeof err) < 0)
    {
      fprintf (stderr, "podunit-supervisor (internal program of podunit): %s\n", err);
      return -1;
    }
  r = ctr_log_open (&s->log, s->a.log, s->a.id, s->a.name, s->a.tag);
  s->log.size_max = s->a.log_size_max;
  if (r < 0)
    fprintf (stderr, "podunit-supervisor: log %s: %s\n", s->a.log, strerror (-r));
  s->stream_fd[CTR_STDOUT] = s->a.out_fd;
  s->stream_fd[CTR_STDERR] = s->a.err_fd;
  for (int i = 0; i < 2; i++)
    if (s->stream_fd[i] >= 0)
      fcntl (s->stream_fd[i], F_SETFD, FD_CLOEXEC);
  s->relay = (NotifyRelay){ .proxy_fd = s->a.notify_fd, .socket = getenv ("NOTIFY_SOCKET"),
                            .mainpid = getpid () };
  if (s->a.notify_fd >= 0)
    fcntl (s->a.notify_fd, F_SETFD, FD_CLOEXEC);
  s->signal_fd = open_signals ();
  s->code = -1;
  s->next_health = mono_us (); /* podman: the first check as soon as the container started */
  s->deadline = s->a.timeout_us > 0 ? mono_us () + s->a.timeout_us : 0;
  /* The container may have exited before SIGCHLD was blocked above (its
   * signal then went nowhere): look once, or poll would wait forever. */
  {
    int status;
    if (waitpid (s->a.pid, &status, WNOHANG) == s->a.pid)
      s->code = exit_status (status);
  }
  return 0;
}

/* Health checks (health.h): `podunit healthcheck run ID` on a timer; the
 * verb records the result and acts on it. Returns poll's timeout. */
static int
health_tick (Supervisor *s)
{
  long long now;
  if (s->a.health_us <= 0 || s->code >= 0)
    return -1;
  now = mono_us ();
  if (s->health_pid == 0 && now >= s->next_health)
    {
      s->health_pid = run_podunit (&s->a, "healthcheck", "run", NULL);
      s->next_health = now + s->a.health_us;
    }
  return s->health_pid > 0 ? -1 : (int) ((s->next_health - now) / 1000 + 1);
}

/* Reaps the container and a finished health check. */
static void
reap (Supervisor *s)
{
  int status;
  if (s->health_pid > 0 && waitpid (s->health_pid, NULL, WNOHANG) == s->health_pid)
    {
      s->health_pid = 0;
      s->next_health = mono_us () + s->a.health_us;
    }
  if (s->code < 0 && waitpid (s->a.pid, &status, WNOHANG) == s->a.pid)
    s->code = exit_status (status);
}

/* Until the container exited and its output is all logged: pid 1's exit
 * ends its pid namespace, so the pipes close soon after; the state says
 * exited only once the log is complete. */
static void
supervise (Supervisor *s)
{
  for (;;)
    {
      struct pollfd pfd[4] = {
        { .fd = s->signal_fd, .events = POLLIN },
        { .fd = s->stream_fd[CTR_STDOUT], .events = POLLIN },
        { .fd = s->stream_fd[CTR_STDERR], .events = POLLIN },
        { .fd = s->relay.proxy_fd, .events = POLLIN },
      };
      int timeout = health_tick (s);

      if (s->code >= 0 && s->stream_fd[0] < 0 && s->stream_fd[1] < 0)
        return;
      /* --timeout (conmon's): killed then, its exit recorded as -1 */
      if (s->deadline && s->code < 0 && !s->timed_out)
        {
          long long left = (s->deadline - mono_us ()) / 1000 + 1;
          if (left <= 1)
            {
              s->timed_out = 1;
              kill (s->a.pid, SIGKILL);
            }
          else if (timeout < 0 || left < timeout)
            timeout = (int) left;
        }
      if (poll (pfd, 4, timeout) < 0 && errno != EINTR)
        return;
      for (int i = 0; i < 2; i++)
        if (s->stream_fd[i] >= 0 && (pfd[1 + i].revents & (POLLIN | POLLHUP | POLLERR))
            && !ctr_log_pump (&s->log, i, s->stream_fd[i]))
          {
            close (s->stream_fd[i]);
            s->stream_fd[i] = -1;
          }
      if (pfd[3].revents & POLLIN)
        (void) notify_relay (&s->relay);
      if (pfd[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (s->signal_fd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD)
            kill (s->a.pid, si.ssi_signo);
        }
      reap (s);
    }
}

/* The kernel's OOM kills in the container's cgroup (memory.events), told
 * to the journal (the unit's, as the supervisor is in its cgroup) and to
 * stderr, as conmon reports them. */
static void
report_oom (const SupervisorArgs *a)
{
  char path[4096], buf[1024], msg[512];
  autofd int fd = -1;
  autofd int jfd = -1;
  const char *p;
  ssize_t n;

  if (!a->cgroup)
    return;
  snprintf (path, sizeof path, "%s/memory.events", a->cgroup);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  n = read (fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = '\0';
  p = strstr (buf, "oom_kill ");
  if (!p || atoll (p + 9) <= 0)
    return;
  n = snprintf (msg, sizeof msg, "MESSAGE=container %s was OOM killed", a->name ? a->name : a->id);
  fprintf (stderr, "%s\n", msg + 8);
  jfd = sdwire_journal_open ();
  if (jfd >= 0)
    {
      struct iovec f[] = { { msg, (size_t) n }, { "PRIORITY=3", 10 },
                           { "SYSLOG_IDENTIFIER=podunit", 25 } };
      sdwire_journal_send (jfd, NULL, f, 3);
    }
}

/* state.json as container_state_save writes it (state-json.h), under the
 * container's lock, replaced atomically. */
static void
record_exit (const SupervisorArgs *a, int code)
{
  char text[512];
  autofd int lfd = open (a->lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  int n;

  if (lfd >= 0)
    flock (lfd, LOCK_EX);
  n = snprintf (text, sizeof text, CONTAINER_STATE_JSON, "exited", 0, (int) getpid (), code,
                (long long) a->started_us, now_us ());
  (void) write_file_atomic (AT_FDCWD, a->state, text, n, 0644, WRITE_DURABLE);
}

/* podman's "died" event (events.h): RUNROOT and the id from state.json's
 * path, RUNROOT/containers/ID/state.json; the reader names the container. */
static void
record_died (const SupervisorArgs *a, int code)
{
  char runroot[4096], id[128], *p;
  snprintf (runroot, sizeof runroot, "%s", a->state);
  if (!(p = strrchr (runroot, '/')))
    return;
  *p = '\0';
  if (!(p = strrchr (runroot, '/')))
    return;
  snprintf (id, sizeof id, "%s", p + 1);
  *p = '\0';
  if (!(p = strrchr (runroot, '/')))
    return;
  *p = '\0';
  events_append (runroot, "container", "died", id, NULL, NULL, code);
}

/* The file @name beside state.json, into @out. */
static void
run_dir_file (const SupervisorArgs *a, const char *name, char *out, size_t n)
{
  const char *slash = strrchr (a->state, '/');
  snprintf (out, n, "%.*s/%s", slash ? (int) (slash - a->state) : 1, slash ? a->state : ".", name);
}

/* --restart: whether the exit with status @code calls for another start,
 * marking it pending (supervisor.h). */
static int
restart_wanted (const SupervisorArgs *a, int code)
{
  char path[4096], buf[32];
  long long count = 0;
  int n;
  autofd int fd = -1;

  if (a->restart == SUPERVISOR_RESTART_NO
      || (a->restart == SUPERVISOR_RESTART_ON_FAILURE && code == 0))
    return 0;
  run_dir_file (a, SUPERVISOR_RESTARTS_FILE, path, sizeof path);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      n = read (fd, buf, sizeof buf - 1);
      buf[n > 0 ? n : 0] = '\0';
      count = atoll (buf);
    }
  if (a->restart_max > 0 && count >= a->restart_max)
    return 0;
  run_dir_file (a, SUPERVISOR_RESTART_PENDING, path, sizeof path);
  close (fd);
  fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  return fd >= 0;
}

/* Under systemd this process is the service's main pid: its exit status
 * is the container's, so a crash (or an OOM kill, 137) fails the unit
 * and Restart= works; a stop asked for by `podunit stop/rm` (ExecStop)
 * left a "stopping" mark and ends cleanly. */
static int
stop_was_asked (const SupervisorArgs *a)
{
  char mark[4096];
  run_dir_file (a, "stopping", mark, sizeof mark);
  return access (mark, F_OK) == 0;
}

int
main (int argc, char **argv)
{
  static Supervisor s;
  int code, restarted = 0;

  if (supervisor_init (&s, argc, argv) < 0)
    return 125;
  supervise (&s);
  code = s.timed_out ? -1 : s.code < 0 ? 125 : s.code;
  report_oom (&s.a);
  if (s.a.poststop)
    {
      /* Before the exit is recorded: `wait` and `stop` return once the
       * hooks ran, as podman's wait does once its cleanup ran them. */
      pid_t ps = run_podunit (&s.a, "container", "poststop", NULL);
      if (ps > 0)
        waitpid (ps, NULL, 0);
    }
  record_exit (&s.a, code);
  record_died (&s.a, code);
  ctr_log_close (&s.log);
  if (stop_was_asked (&s.a))
    code = 0;
  else if (restart_wanted (&s.a, code))
    {
      /* systemd's default RestartSec: a command that fails at once does
       * not spin a core */
      struct timespec pause = { 0, 100 * 1000 * 1000 };
      pid_t start;
      nanosleep (&pause, NULL);
      start = run_podunit (&s.a, "container", "start", NULL);
      if (start > 0)
        waitpid (start, NULL, 0);
      restarted = 1;
    }
  if (s.a.cleanup && !restarted)
    {
      /* Before --rm's removal: the exit policy reads the pod of the record. */
      pid_t cl = run_podunit (&s.a, "container", "cleanup", NULL);
      if (cl > 0)
        waitpid (cl, NULL, 0);
    }
  if (s.a.rm)
    {
      /* --rm; -i: an ExecStop `podunit rm` may have removed it already. */
      pid_t rm = run_podunit (&s.a, "rm", "-f", "-i");
      if (rm > 0)
        waitpid (rm, NULL, 0);
    }
  if (s.a.rm && s.a.rmi)
    {
      /* --rmi: its image too, unless another container uses it (rmi
       * refuses then, as podman's cleanup --rmi) */
      pid_t rmi = run_podunit_on (&s.a, "rmi", "-i", NULL, s.a.rmi);
      if (rmi > 0)
        waitpid (rmi, NULL, 0);
    }
  return code;
}
