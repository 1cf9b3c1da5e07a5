/* SPDX-License-Identifier: Apache-2.0 */
/* sd_notify for a container's service (podman's --sdnotify).
 *
 * systemd gives a Type=notify service $NOTIFY_SOCKET. podunit takes it out
 * of the environment first thing (notify_take_socket), so neither the
 * container nor anything else podunit starts inherits it, and sends on it
 * explicitly from the supervisor:
 *   conmon     MAINPID=<supervisor> and READY=1 once the container runs
 *              (Quadlet's default).
 *   container  MAINPID=<supervisor> once the container runs; the payload
 *              gets NOTIFY_SOCKET=/run/notify/notify.sock, a proxy socket
 *              bind-mounted from the container's run dir, and the
 *              supervisor relays READY/STATUS/RELOADING/STOPPING/WATCHDOG/
 *              ERRNO/MONOTONIC_USEC lines from it (never MAINPID: the
 *              payload's pids mean nothing to systemd).
 *   healthy    MAINPID once the container runs, READY=1 after the first
 *              passing health check.
 *   ignore     nothing is sent and the payload gets no socket (podman:
 *              "for the case where some other process above Podman uses
 *              NOTIFY_SOCKET").
 * A service started without $NOTIFY_SOCKET sends nothing in any mode. */
#pragma once

#include <glib.h>
#include <sys/types.h>

G_BEGIN_DECLS

/* Where the proxy socket appears inside the container. */
#define NOTIFY_CONTAINER_DIR "/run/notify"
#define NOTIFY_CONTAINER_SOCKET "/run/notify/notify.sock"

typedef enum
{
  NOTIFY_MODE_CONTAINER, /* podman's default */
  NOTIFY_MODE_CONMON,
  NOTIFY_MODE_HEALTHY,
  NOTIFY_MODE_IGNORE,
} NotifyMode;

gboolean notify_mode_from_string (const char *s, NotifyMode *mode, GError **error);
const char *notify_mode_to_string (NotifyMode mode);

/* Returns $NOTIFY_SOCKET (NULL when unset) and removes it from the
 * environment. Call before anything forks or reads the environment. */
char *notify_take_socket (void);

/* Sends @message (newline-separated KEY=VALUE lines) to @socket_path,
 * systemd's notify socket ("/run/systemd/notify" or "@abstract"). */
gboolean notify_send (const char *socket_path, const char *message, GError **error);

typedef struct _Notifier Notifier;

/* @socket_path: what notify_take_socket returned (NULL: nothing to do);
 * @supervisor: the pid systemd should watch as the service's main pid. */
Notifier *notifier_new (NotifyMode mode, const char *socket_path, pid_t supervisor);
void notifier_free (Notifier *n);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Notifier, notifier_free)

/* Container mode with a socket: creates @host_dir/notify.sock (the
 * directory is made; it is bind-mounted at NOTIFY_CONTAINER_DIR) and
 * returns TRUE; other modes do nothing. */
gboolean notifier_open_proxy (Notifier *n, const char *host_dir, GError **error);
/* The proxy's non-blocking fd, handed to the supervisor
 * (supervisor/notify-relay.h), or -1. */
int notifier_proxy_fd (Notifier *n);
/* "NOTIFY_SOCKET=/run/notify/notify.sock" for the payload's environment
 * when the proxy is open, else NULL. */
const char *notifier_payload_env (Notifier *n);

/* The container process is running: conmon mode sends MAINPID and READY,
 * container and healthy modes MAINPID. */
gboolean notifier_container_started (Notifier *n, GError **error);
/* A health check passed: healthy mode sends READY=1 the first time. */
gboolean notifier_health_passed (Notifier *n, GError **error);

G_END_DECLS
