/* SPDX-License-Identifier: Apache-2.0 */
/* sd_notify for the supervisor; see notify.h for the modes.
 *
 * The datagrams go out through sdwire.c rather than libsystemd's
 * sd_notify(), which reads the socket from $NOTIFY_SOCKET: podunit removes
 * that variable at start so the container never inherits it, and keeps the
 * path instead; the supervisor (libc only) speaks the same code. */
#include "systemd/notify.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "error.h"
#include "fdio.h"
#include "systemd/sdwire.h"

struct _Notifier
{
  NotifyMode mode;
  char *socket_path;
  pid_t supervisor;
  int proxy_fd;
  char *proxy_path;
  gboolean mainpid_sent;
  gboolean ready_sent;
};

gboolean
notify_mode_from_string (const char *s, NotifyMode *mode, GError **error)
{
  static const struct { const char *name; NotifyMode mode; } modes[] = {
    { "container", NOTIFY_MODE_CONTAINER }, { "conmon", NOTIFY_MODE_CONMON },
    { "healthy", NOTIFY_MODE_HEALTHY },     { "ignore", NOTIFY_MODE_IGNORE },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (modes); i++)
    if (g_strcmp0 (s, modes[i].name) == 0)
      {
        *mode = modes[i].mode;
        return TRUE;
      }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "invalid --sdnotify \"%s\": must be conmon, container, healthy or ignore",
               s ? s : "");
  return FALSE;
}

const char *
notify_mode_to_string (NotifyMode mode)
{
  switch (mode)
    {
    case NOTIFY_MODE_CONTAINER: return "container";
    case NOTIFY_MODE_CONMON: return "conmon";
    case NOTIFY_MODE_HEALTHY: return "healthy";
    case NOTIFY_MODE_IGNORE: return "ignore";
    }
  return "container";
}

char *
notify_take_socket (void)
{
  const char *s = g_getenv ("NOTIFY_SOCKET");
  char *path = s && *s ? g_strdup (s) : NULL;
  g_unsetenv ("NOTIFY_SOCKET");
  return path;
}

gboolean
notify_send (const char *socket_path, const char *message, GError **error)
{
  int r = sdwire_notify_send (socket_path, message, strlen (message));
  if (r < 0)
    return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (-r), -r, "sd_notify to %s",
                        socket_path);
  return TRUE;
}

Notifier *
notifier_new (NotifyMode mode, const char *socket_path, pid_t supervisor)
{
  Notifier *n = g_new0 (Notifier, 1);
  n->mode = mode;
  /* ignore: podman drops the socket for good. */
  n->socket_path = mode == NOTIFY_MODE_IGNORE ? NULL : g_strdup (socket_path);
  n->supervisor = supervisor;
  n->proxy_fd = -1;
  return n;
}

void
notifier_free (Notifier *n)
{
  if (!n)
    return;
  if (n->proxy_fd >= 0)
    close (n->proxy_fd);
  if (n->proxy_path)
    unlink (n->proxy_path);
  g_free (n->proxy_path);
  g_free (n->socket_path);
  g_free (n);
}

gboolean
notifier_open_proxy (Notifier *n, const char *host_dir, GError **error)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  g_autofree char *path = g_build_filename (host_dir, "notify.sock", NULL);
  autofd int dfd = -1;
  autofd int fd = -1;

  if (n->mode != NOTIFY_MODE_CONTAINER || !n->socket_path || n->proxy_fd >= 0)
    return TRUE;
  if (g_mkdir_with_parents (host_dir, 0755) < 0)
    return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), errno, "mkdir %s",
                        host_dir);
  /* RUNROOT/containers/<64 hex>/notify/notify.sock is longer than
   * sun_path allows: bind through the directory's fd instead. */
  dfd = open (host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0)
    {
      g_snprintf (sa.sun_path, sizeof sa.sun_path, "/proc/self/fd/%d/notify.sock", dfd);
      fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    }
  if (fd >= 0)
    unlink (path);
  /* Any user in the container may notify, as with crun's proxy. */
  if (fd < 0 || bind (fd, (struct sockaddr *) &sa, sizeof sa) < 0 || chmod (path, 0777) < 0)
    return errno_error (error, G_FILE_ERROR, g_file_error_from_errno (errno), errno,
                        "notify proxy %s", path);
  n->proxy_fd = fd_steal (&fd);
  n->proxy_path = g_steal_pointer (&path);
  return TRUE;
}

int
notifier_proxy_fd (Notifier *n)
{
  return n->proxy_fd;
}

const char *
notifier_payload_env (Notifier *n)
{
  return n->proxy_fd >= 0 ? "NOTIFY_SOCKET=" NOTIFY_CONTAINER_SOCKET : NULL;
}

static gboolean
has_ready (const char *msg)
{
  g_auto (GStrv) lines = g_strsplit (msg ? msg : "", "\n", -1);
  for (char **l = lines; *l; l++)
    if (g_str_equal (*l, "READY=1"))
      return TRUE;
  return FALSE;
}

/* Sends @body (NULL: just MAINPID). MAINPID goes first in the first message
 * and again with the first READY=1, so systemd has it whatever it saw
 * before. */
static gboolean
send_upstream (Notifier *n, const char *body, GError **error)
{
  g_autofree char *msg = NULL;
  gboolean ready = has_ready (body);

  if (!n->socket_path)
    return TRUE;
  if (!n->mainpid_sent || (ready && !n->ready_sent))
    msg = g_strdup_printf ("MAINPID=%d%s%s", (int) n->supervisor, body ? "\n" : "",
                           body ? body : "");
  else if (body)
    msg = g_strdup (body);
  else
    return TRUE;
  if (!notify_send (n->socket_path, msg, error))
    return FALSE;
  n->mainpid_sent = TRUE;
  if (ready)
    n->ready_sent = TRUE;
  return TRUE;
}

gboolean
notifier_container_started (Notifier *n, GError **error)
{
  switch (n->mode)
    {
    case NOTIFY_MODE_CONMON:
      return send_upstream (n, "READY=1", error);
    case NOTIFY_MODE_CONTAINER:
    case NOTIFY_MODE_HEALTHY:
      /* systemd must learn the supervisor's pid before the podunit
       * process it started exits, or it would count the service dead. */
      return send_upstream (n, NULL, error);
    case NOTIFY_MODE_IGNORE:
      break;
    }
  return TRUE;
}

gboolean
notifier_health_passed (Notifier *n, GError **error)
{
  if (n->mode != NOTIFY_MODE_HEALTHY || n->ready_sent)
    return TRUE;
  return send_upstream (n, "READY=1", error);
}
