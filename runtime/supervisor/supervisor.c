/* SPDX-License-Identifier: Apache-2.0 */
/* podunit-supervisor: the one process that stays with a detached container
 * (podman's conmon). podunit spawns the container, then execs this program
 * in the container's parent process, so the container is its child: it
 * reaps it, keeps its exit status in state.json, writes its stdout/stderr
 * to the k8s-file log, forwards termination signals and handles --rm.
 *
 * It is a separate executable linked against libc only, with static
 * buffers and no allocation in the loop: a glib-linked podunit would sit
 * at ~12 MB RSS for the container's whole life (conmon: ~1.9 MB).
 *
 * Usage (from launch.c, not for people): one argument each, in the order
 * of supervisor.h's SUPERVISOR_ARG_*, starting
 *   podunit-supervisor ID PID OUTFD ERRFD LOG|journald|- STATE LOCK STARTED_US PODUNIT|- ...
 * OUTFD/ERRFD -1: the container writes to our stdio (log driver passthrough).
 * PODUNIT: when not "-", exec "PODUNIT --root ROOT --runroot RUNROOT rm -f ID"
 * after the exit (--rm). */
#include "supervisor/supervisor.h"
#include "fdio.h"
#include "systemd/sdwire.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 8192

typedef struct {
  int fd;
  const char *name; /* "stdout" / "stderr" */
  char buf[LINE_MAX_BYTES];
  size_t len;
} Stream;

static int log_fd = -1;
/* Log driver journald: entries in journald's native protocol (sdwire.h),
 * with the fields journal.h describes. */
static int journal_fd = -1;
static char f_id[32], f_id_full[96], f_name[300], f_tag[300], f_ident[300];

static void
timestamp (char *out, size_t n)
{
  struct timespec ts;
  struct tm tm;
  char date[40], zone[8];
  clock_gettime (CLOCK_REALTIME, &ts);
  localtime_r (&ts.tv_sec, &tm);
  strftime (date, sizeof date, "%Y-%m-%dT%H:%M:%S", &tm);
  strftime (zone, sizeof zone, "%z", &tm); /* +0100 -> +01:00 */
  snprintf (out, n, "%s.%09ld%.3s:%.2s", date, ts.tv_nsec, zone, zone + 3);
}

static void
journal_line (const Stream *s, const char *text, size_t len, int full)
{
  static char msg[LINE_MAX_BYTES + 16];
  struct iovec f[9];
  int n = 0;
  memcpy (msg, "MESSAGE=", 8);
  memcpy (msg + 8, text, len);
  f[n++] = (struct iovec){ msg, len + 8 };
  f[n++] = (struct iovec){ strcmp (s->name, "stderr") == 0 ? "PRIORITY=3" : "PRIORITY=6", 10 };
  f[n++] = (struct iovec){ f_id, strlen (f_id) };
  f[n++] = (struct iovec){ f_id_full, strlen (f_id_full) };
  if (f_name[0])
    f[n++] = (struct iovec){ f_name, strlen (f_name) };
  f[n++] = (struct iovec){ f_tag, strlen (f_tag) };
  f[n++] = (struct iovec){ f_ident, strlen (f_ident) };
  if (!full)
    f[n++] = (struct iovec){ "CONTAINER_PARTIAL_MESSAGE=true", 30 };
  sdwire_journal_send (journal_fd, NULL, f, n);
}

/* One k8s-file record: "TIMESTAMP STREAM F|P TEXT\n". */
static void
log_line (const Stream *s, const char *text, size_t len, int full)
{
  static char rec[LINE_MAX_BYTES + 128];
  char ts[64];
  int h;
  if (journal_fd >= 0)
    {
      journal_line (s, text, len, full);
      return;
    }
  if (log_fd < 0)
    return;
  timestamp (ts, sizeof ts);
  h = snprintf (rec, sizeof rec, "%s %s %c ", ts, s->name, full ? 'F' : 'P');
  memcpy (rec + h, text, len);
  rec[h + len] = '\n';
  (void) fd_write_all (log_fd, rec, h + len + 1);
}

/* Reads what is there; returns 0 at EOF. */
static int
pump (Stream *s)
{
  ssize_t n = read (s->fd, s->buf + s->len, sizeof s->buf - s->len);
  char *nl;
  if (n < 0)
    return errno == EINTR || errno == EAGAIN;
  if (n == 0)
    {
      if (s->len)
        log_line (s, s->buf, s->len, 0);
      s->len = 0;
      return 0;
    }
  s->len += n;
  while ((nl = memchr (s->buf, '\n', s->len)))
    {
      size_t line = nl - s->buf;
      log_line (s, s->buf, line, 1);
      memmove (s->buf, nl + 1, s->len - line - 1);
      s->len -= line + 1;
    }
  if (s->len == sizeof s->buf)
    {
      log_line (s, s->buf, s->len, 0);
      s->len = 0;
    }
  return 1;
}

/* Health checks (health.h): `podunit healthcheck run ID` on a timer; the
 * verb records the result and acts on it. */
static pid_t
run_healthcheck (char **argv)
{
  pid_t p = fork ();
  if (p == 0)
    {
      sigset_t none;
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      execl (argv[SUPERVISOR_ARG_SELF], argv[SUPERVISOR_ARG_SELF], "--root", argv[SUPERVISOR_ARG_ROOT],
             "--runroot", argv[SUPERVISOR_ARG_RUNROOT], "healthcheck", "run", argv[SUPERVISOR_ARG_ID],
             (char *) NULL);
      _exit (125);
    }
  return p;
}

/* --sdnotify=container: relays what the payload sent on the proxy socket
 * (sdwire_notify_filter: never its MAINPID) to $NOTIFY_SOCKET; ours goes
 * along with the first READY=1. */
static void
relay_notify (int fd)
{
  static int ready_sent;
  char in[4096], out[4096], msg[4200];
  const char *sock = getenv ("NOTIFY_SOCKET");
  ssize_t n;
  while ((n = recv (fd, in, sizeof in - 1, MSG_DONTWAIT)) > 0)
    {
      size_t len = sdwire_notify_filter (in, n, out, sizeof out);
      int ready = 0, m;
      if (len == 0 || !sock)
        continue;
      for (const char *p = out; p && *p; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : NULL)
        if (strncmp (p, "READY=1", 7) == 0 && (p[7] == '\n' || p[7] == '\0'))
          ready = 1;
      if (ready && !ready_sent)
        m = snprintf (msg, sizeof msg, "MAINPID=%d\n%s", (int) getpid (), out);
      else
        m = snprintf (msg, sizeof msg, "%s", out);
      ready_sent |= ready;
      sdwire_notify_send (sock, msg, (size_t) m < sizeof msg ? (size_t) m : sizeof msg - 1);
    }
}

/* The kernel's OOM kills in the container's cgroup (memory.events), told
 * to the journal (the unit's, as the supervisor is in its cgroup) and to
 * stderr, as conmon reports them. */
static void
report_oom (const char *cgroup, const char *name)
{
  char path[4096], buf[1024], msg[512];
  const char *p;
  ssize_t n;
  int fd, jfd;
  if (strcmp (cgroup, "-") == 0)
    return;
  snprintf (path, sizeof path, "%s/memory.events", cgroup);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  buf[n > 0 ? n : 0] = '\0';
  p = strstr (buf, "oom_kill ");
  if (!p || atoll (p + 9) <= 0)
    return;
  n = snprintf (msg, sizeof msg, "MESSAGE=container %s was OOM killed", name);
  fprintf (stderr, "%s\n", msg + 8);
  jfd = sdwire_journal_open ();
  if (jfd >= 0)
    {
      struct iovec f[] = { { msg, (size_t) n }, { "PRIORITY=3", 10 },
                           { "SYSLOG_IDENTIFIER=podunit", 25 } };
      sdwire_journal_send (jfd, NULL, f, 3);
      close (jfd);
    }
}

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

/* The same JSON container_state_save writes, under the container's lock,
 * replaced atomically. */
static void
write_state (const char *state, const char *lock, const char *status, int pid, int code,
             long long started, long long finished)
{
  char tmp[4096], text[512];
  int lfd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600), fd, n;
  if (lfd >= 0)
    flock (lfd, LOCK_EX);
  n = snprintf (text, sizeof text,
                "{\"status\":\"%s\",\"pid\":%d,\"supervisor_pid\":%d,\"exit_code\":%d,"
                "\"started_at\":%lld,\"finished_at\":%lld}\n",
                status, pid, (int) getpid (), code, started, finished);
  snprintf (tmp, sizeof tmp, "%s.tmp.%d", state, (int) getpid ());
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0)
    {
      (void) fd_write_all (fd, text, n);
      fsync (fd);
      close (fd);
      rename (tmp, state);
    }
  if (lfd >= 0)
    close (lfd);
}

int
main (int argc, char **argv)
{
  static Stream streams[2];
  struct pollfd pfd[4];
  sigset_t set;
  int sfd, status = 0, code = -1, open_streams = 0;
  pid_t pid;
  long long started, health_us, next_health;
  pid_t health_pid = 0;
  int notify_fd;
  const int forward[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

  if (argc != SUPERVISOR_ARGC)
    {
      fprintf (stderr, "podunit-supervisor: internal program of podunit\n");
      return 125;
    }
  pid = atoi (argv[SUPERVISOR_ARG_PID]);
  streams[0].fd = atoi (argv[SUPERVISOR_ARG_OUT_FD]);
  streams[0].name = "stdout";
  streams[1].fd = atoi (argv[SUPERVISOR_ARG_ERR_FD]);
  streams[1].name = "stderr";
  started = atoll (argv[SUPERVISOR_ARG_STARTED]);
  if (strcmp (argv[SUPERVISOR_ARG_LOG], "journald") == 0)
    {
      journal_fd = sdwire_journal_open ();
      snprintf (f_id, sizeof f_id, "CONTAINER_ID=%.12s", argv[SUPERVISOR_ARG_ID]);
      snprintf (f_id_full, sizeof f_id_full, "CONTAINER_ID_FULL=%s", argv[SUPERVISOR_ARG_ID]);
      /* As conmon: the tag (by default the short id) is CONTAINER_TAG;
       * SYSLOG_IDENTIFIER is an explicit tag, else the name. */
      if (argv[SUPERVISOR_ARG_TAG][0])
        snprintf (f_tag, sizeof f_tag, "CONTAINER_TAG=%s", argv[SUPERVISOR_ARG_TAG]);
      else
        snprintf (f_tag, sizeof f_tag, "CONTAINER_TAG=%.12s", argv[SUPERVISOR_ARG_ID]);
      if (argv[SUPERVISOR_ARG_NAME][0])
        snprintf (f_name, sizeof f_name, "CONTAINER_NAME=%s", argv[SUPERVISOR_ARG_NAME]);
      snprintf (f_ident, sizeof f_ident, "SYSLOG_IDENTIFIER=%s",
                argv[SUPERVISOR_ARG_TAG][0]    ? argv[SUPERVISOR_ARG_TAG]
                : argv[SUPERVISOR_ARG_NAME][0] ? argv[SUPERVISOR_ARG_NAME]
                                               : f_id + 13);
    }
  else if (strcmp (argv[SUPERVISOR_ARG_LOG], "-") != 0)
    log_fd = open (argv[SUPERVISOR_ARG_LOG], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  for (size_t i = 0; i < sizeof forward / sizeof *forward; i++)
    sigaddset (&set, forward[i]);
  sigprocmask (SIG_BLOCK, &set, NULL);
  sfd = signalfd (-1, &set, SFD_CLOEXEC);
  health_us = atoll (argv[SUPERVISOR_ARG_HEALTH]);
  notify_fd = atoi (argv[SUPERVISOR_ARG_NOTIFY_FD]);
  if (notify_fd >= 0)
    fcntl (notify_fd, F_SETFD, FD_CLOEXEC);
  next_health = mono_us (); /* podman: the first check as soon as the container started */
  for (int i = 0; i < 2; i++)
    if (streams[i].fd >= 0)
      fcntl (streams[i].fd, F_SETFD, FD_CLOEXEC);
  /* The container may have exited before SIGCHLD was blocked above (its
   * signal then went nowhere): look once, or poll would wait forever. */
  if (waitpid (pid, &status, WNOHANG) == pid)
    code = WIFEXITED (status) ? WEXITSTATUS (status)
           : WIFSIGNALED (status) ? 128 + WTERMSIG (status) : 125;

  for (;;)
    {
      int n = 0, r;
      pfd[n++] = (struct pollfd){ .fd = sfd, .events = POLLIN };
      for (int i = 0; i < 2; i++)
        pfd[n++] = (struct pollfd){ .fd = streams[i].fd, .events = POLLIN };
      pfd[n++] = (struct pollfd){ .fd = notify_fd, .events = POLLIN };
      int timeout = -1;
      if (health_us > 0 && code < 0)
        {
          long long now = mono_us ();
          if (health_pid == 0 && now >= next_health)
            {
              health_pid = run_healthcheck (argv);
              next_health = now + health_us;
            }
          timeout = health_pid > 0 ? -1 : (int) ((next_health - now) / 1000 + 1);
        }
      if (code >= 0 && streams[0].fd < 0 && streams[1].fd < 0)
        timeout = 0; /* already reaped: nothing left to wait for */
      r = poll (pfd, n, timeout);
      if (r < 0 && errno != EINTR)
        break;
      for (int i = 0; i < 2; i++)
        if (streams[i].fd >= 0 && (pfd[1 + i].revents & (POLLIN | POLLHUP | POLLERR))
            && !pump (&streams[i]))
          {
            close (streams[i].fd);
            streams[i].fd = -1;
          }
      if (notify_fd >= 0 && (pfd[3].revents & POLLIN))
        relay_notify (notify_fd);
      if (pfd[0].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          if (read (sfd, &si, sizeof si) == sizeof si && si.ssi_signo != SIGCHLD)
            kill (pid, si.ssi_signo);
        }
      if (health_pid > 0 && waitpid (health_pid, NULL, WNOHANG) == health_pid)
        {
          health_pid = 0;
          next_health = mono_us () + health_us;
        }
      if (code < 0 && waitpid (pid, &status, WNOHANG) == pid)
        code = WIFEXITED (status) ? WEXITSTATUS (status)
               : WIFSIGNALED (status) ? 128 + WTERMSIG (status) : 125;
      open_streams = (streams[0].fd >= 0) + (streams[1].fd >= 0);
      /* pid 1's exit ends its pid namespace, so the pipes close soon after;
       * wait for them so the log is complete before the state says exited. */
      if (code >= 0 && open_streams == 0)
        break;
    }
  report_oom (argv[SUPERVISOR_ARG_CGROUP],
              argv[SUPERVISOR_ARG_NAME][0] ? argv[SUPERVISOR_ARG_NAME] : argv[SUPERVISOR_ARG_ID]);
  write_state (argv[SUPERVISOR_ARG_STATE], argv[SUPERVISOR_ARG_LOCK], "exited", 0, code < 0 ? 125 : code, started, now_us ());
  if (log_fd >= 0)
    close (log_fd);
  /* Under systemd this process is the service's main pid: its exit status
   * is the container's, so a crash (or an OOM kill, 137) fails the unit
   * and Restart= works; a stop asked for by `podunit stop/rm` (ExecStop)
   * left a "stopping" mark and ends cleanly. */
  {
    char mark[4096];
    const char *slash = strrchr (argv[SUPERVISOR_ARG_STATE], '/');
    snprintf (mark, sizeof mark, "%.*s/stopping",
              slash ? (int) (slash - argv[SUPERVISOR_ARG_STATE]) : 1,
              slash ? argv[SUPERVISOR_ARG_STATE] : ".");
    if (access (mark, F_OK) == 0)
      code = 0;
  }
  if (strcmp (argv[SUPERVISOR_ARG_PODUNIT], "-") != 0)
    {
      /* --rm; -i: an ExecStop `podunit rm` may have removed it already. */
      pid_t rm = fork ();
      if (rm == 0)
        {
          sigset_t none;
          sigemptyset (&none);
          sigprocmask (SIG_SETMASK, &none, NULL);
          execl (argv[SUPERVISOR_ARG_PODUNIT], argv[SUPERVISOR_ARG_PODUNIT], "--root",
                 argv[SUPERVISOR_ARG_ROOT], "--runroot", argv[SUPERVISOR_ARG_RUNROOT], "rm", "-f",
                 "-i", argv[SUPERVISOR_ARG_ID], (char *) NULL);
          _exit (125);
        }
      if (rm > 0)
        waitpid (rm, NULL, 0);
    }
  return code < 0 ? 125 : code;
}
