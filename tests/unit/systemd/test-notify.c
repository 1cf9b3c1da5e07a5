/* SPDX-License-Identifier: Apache-2.0 */
/* notify.c against a datagram socket of the test's own standing in for
 * systemd's $NOTIFY_SOCKET: what arrives there, per --sdnotify mode; in
 * container mode through the proxy podunit opens and the relay the
 * supervisor runs (supervisor/notify-relay.h). */
#include <criterion/criterion.h>
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "supervisor/notify-relay.h"
#include "systemd/notify.h"

static char *dir;
static char *sock_path;
static int sock_fd = -1;

static void
setup (void)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  dir = g_dir_make_tmp ("notify-XXXXXX", NULL);
  cr_assert_not_null (dir);
  sock_path = g_build_filename (dir, "systemd-notify", NULL);
  g_strlcpy (sa.sun_path, sock_path, sizeof sa.sun_path);
  sock_fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  cr_assert_geq (sock_fd, 0);
  cr_assert_eq (bind (sock_fd, (struct sockaddr *) &sa, sizeof sa), 0);
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);
  close (sock_fd);
  cr_assert_eq (system (cmd), 0);
  g_clear_pointer (&dir, g_free);
  g_clear_pointer (&sock_path, g_free);
}

/* The next datagram systemd would get, or NULL after @ms of silence. */
static char *
next_message (int ms)
{
  struct pollfd p = { .fd = sock_fd, .events = POLLIN };
  char buf[4096];
  if (poll (&p, 1, ms) <= 0)
    return NULL;
  ssize_t n = recv (sock_fd, buf, sizeof buf - 1, 0);
  cr_assert_geq (n, 0);
  buf[n] = '\0';
  return g_strdup (buf);
}

/* A payload writing to the proxy socket, as sd_notify in a container. */
static void
payload_sends (Notifier *n, const char *msg)
{
  g_autofree char *path = g_build_filename (dir, "run", "notify.sock", NULL);
  cr_assert (notify_send (path, msg, NULL));
}

TestSuite (notify, .init = setup, .fini = teardown);

Test (notify, modes_parse)
{
  NotifyMode m;
  g_autoptr (GError) error = NULL;
  cr_assert (notify_mode_from_string ("conmon", &m, NULL));
  cr_assert_eq (m, NOTIFY_MODE_CONMON);
  cr_assert (notify_mode_from_string ("healthy", &m, NULL));
  cr_assert_eq (m, NOTIFY_MODE_HEALTHY);
  cr_assert_not (notify_mode_from_string ("systemd", &m, &error));
  cr_assert (strstr (error->message, "--sdnotify"));
  cr_assert_str_eq (notify_mode_to_string (NOTIFY_MODE_IGNORE), "ignore");
}

Test (notify, take_socket_unsets_the_variable)
{
  g_setenv ("NOTIFY_SOCKET", "/run/systemd/notify", TRUE);
  g_autofree char *s = notify_take_socket ();
  cr_assert_str_eq (s, "/run/systemd/notify");
  cr_assert_null (g_getenv ("NOTIFY_SOCKET"));
  g_autofree char *none = notify_take_socket ();
  cr_assert_null (none);
}

Test (notify, conmon_sends_mainpid_and_ready_once_started)
{
  g_autoptr (Notifier) n = notifier_new (NOTIFY_MODE_CONMON, sock_path, 4242);
  cr_assert (notifier_open_proxy (n, dir, NULL));
  cr_assert_eq (notifier_proxy_fd (n), -1, "conmon mode passes no socket in");
  cr_assert_null (notifier_payload_env (n));
  g_autofree char *none = next_message (0);
  cr_assert_null (none, "nothing before the container runs");

  cr_assert (notifier_container_started (n, NULL));
  g_autofree char *m = next_message (1000);
  cr_assert_str_eq (m, "MAINPID=4242\nREADY=1");
  cr_assert (notifier_health_passed (n, NULL));
  g_autofree char *again = next_message (50);
  cr_assert_null (again, "READY only once");
}

Test (notify, container_mode_relays_filtered_lines_never_mainpid)
{
  g_autofree char *run = g_build_filename (dir, "run", NULL);
  g_autoptr (Notifier) n = notifier_new (NOTIFY_MODE_CONTAINER, sock_path, 4242);
  cr_assert (notifier_open_proxy (n, run, NULL));
  cr_assert_geq (notifier_proxy_fd (n), 0);
  cr_assert_str_eq (notifier_payload_env (n), "NOTIFY_SOCKET=/run/notify/notify.sock");
  g_autofree char *proxy = g_build_filename (run, "notify.sock", NULL);
  struct stat st;
  cr_assert_eq (stat (proxy, &st), 0);
  cr_assert (S_ISSOCK (st.st_mode));
  cr_assert_eq (st.st_mode & 0777, 0777, "any container user may notify");

  cr_assert (notifier_container_started (n, NULL));
  g_autofree char *m1 = next_message (1000);
  cr_assert_str_eq (m1, "MAINPID=4242", "systemd learns the supervisor at start");
  NotifyRelay relay = { .proxy_fd = notifier_proxy_fd (n), .socket = sock_path, .mainpid = 4242 };

  payload_sends (n, "STATUS=warming up\nMAINPID=7\nFDSTORE=1");
  cr_assert_eq (notify_relay (&relay), 0);
  g_autofree char *m2 = next_message (1000);
  cr_assert_str_eq (m2, "STATUS=warming up");

  payload_sends (n, "MAINPID=1\nREADY=1\nSTATUS=serving");
  cr_assert_eq (notify_relay (&relay), 0);
  g_autofree char *m3 = next_message (1000);
  cr_assert_str_eq (m3, "MAINPID=4242\nREADY=1\nSTATUS=serving",
                    "the payload's MAINPID is dropped, ours goes with READY");

  payload_sends (n, "MAINPID=1");
  payload_sends (n, "WATCHDOG=1\nWATCHDOG_USEC=5\nSTOPPING=1\nRELOADING=1\nERRNO=2\nMONOTONIC_USEC=9");
  cr_assert_eq (notify_relay (&relay), 0);
  g_autofree char *m4 = next_message (1000);
  cr_assert_str_eq (m4, "WATCHDOG=1\nSTOPPING=1\nRELOADING=1\nERRNO=2\nMONOTONIC_USEC=9");
  g_autofree char *m5 = next_message (50);
  cr_assert_null (m5, "a datagram with only MAINPID is not relayed at all");
  cr_assert_eq (notify_relay (&relay), 0, "nothing pending is fine");
}

Test (notify, proxy_in_a_run_dir_longer_than_sun_path)
{
  g_autofree char *hex = g_strnfill (64, 'a');
  g_autofree char *run = g_build_filename (dir, "run", "containers", hex, "notify", NULL);
  g_autoptr (Notifier) n = notifier_new (NOTIFY_MODE_CONTAINER, sock_path, 1);
  g_autoptr (GError) error = NULL;
  cr_assert_gt (strlen (run) + strlen ("/notify.sock"), 107);
  cr_assert (notifier_open_proxy (n, run, &error), "%s", error ? error->message : "");
  g_autofree char *proxy = g_build_filename (run, "notify.sock", NULL);
  struct stat st;
  cr_assert_eq (stat (proxy, &st), 0);
  cr_assert (S_ISSOCK (st.st_mode));
}

Test (notify, healthy_mode_waits_for_the_health_check)
{
  g_autoptr (Notifier) n = notifier_new (NOTIFY_MODE_HEALTHY, sock_path, 99);
  cr_assert (notifier_open_proxy (n, dir, NULL));
  cr_assert_null (notifier_payload_env (n));
  cr_assert (notifier_container_started (n, NULL));
  g_autofree char *m1 = next_message (1000);
  cr_assert_str_eq (m1, "MAINPID=99");
  cr_assert (notifier_health_passed (n, NULL));
  g_autofree char *m2 = next_message (1000);
  cr_assert_str_eq (m2, "MAINPID=99\nREADY=1");
  cr_assert (notifier_health_passed (n, NULL));
  g_autofree char *m3 = next_message (50);
  cr_assert_null (m3);
}

Test (notify, ignore_and_no_socket_send_nothing)
{
  g_autoptr (Notifier) i = notifier_new (NOTIFY_MODE_IGNORE, sock_path, 1);
  cr_assert (notifier_open_proxy (i, dir, NULL));
  cr_assert_null (notifier_payload_env (i));
  cr_assert (notifier_container_started (i, NULL));
  cr_assert (notifier_health_passed (i, NULL));
  g_autoptr (Notifier) none = notifier_new (NOTIFY_MODE_CONMON, NULL, 1);
  cr_assert (notifier_container_started (none, NULL));
  g_autoptr (Notifier) c = notifier_new (NOTIFY_MODE_CONTAINER, NULL, 1);
  cr_assert (notifier_open_proxy (c, dir, NULL));
  cr_assert_null (notifier_payload_env (c), "no socket from systemd: none for the payload");
  g_autofree char *m = next_message (50);
  cr_assert_null (m);
}

Test (notify, abstract_socket_and_errors)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  g_autofree char *name = g_strdup_printf ("podunit-test-%d", (int) getpid ());
  int fd = socket (AF_UNIX, SOCK_DGRAM, 0);
  memcpy (sa.sun_path + 1, name, strlen (name));
  cr_assert_eq (bind (fd, (struct sockaddr *) &sa,
                      offsetof (struct sockaddr_un, sun_path) + 1 + strlen (name)), 0);
  g_autofree char *at = g_strdup_printf ("@%s", name);
  cr_assert (notify_send (at, "READY=1", NULL));
  char buf[64];
  ssize_t len = recv (fd, buf, sizeof buf, 0);
  cr_assert_eq (len, 7);
  close (fd);

  g_autoptr (GError) error = NULL;
  g_autofree char *gone = g_build_filename (dir, "gone", NULL);
  cr_assert_not (notify_send (gone, "READY=1", &error));
  cr_assert (strstr (error->message, gone), "%s", error->message);
}
