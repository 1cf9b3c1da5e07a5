/* SPDX-License-Identifier: Apache-2.0 */
/* e2e-notify: sends its arguments, one per line, as one sd_notify datagram
 * to $NOTIFY_SOCKET. Built static so the busybox test image can run it
 * (busybox has no systemd-notify and no unix-socket client). */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int
main (int argc, char **argv)
{
  const char *path = getenv ("NOTIFY_SOCKET");
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  char msg[4096] = "";
  size_t len = 0;
  socklen_t salen;
  int fd;

  if (path == NULL || path[0] == '\0' || strlen (path) >= sizeof sa.sun_path)
    {
      fprintf (stderr, "e2e-notify: NOTIFY_SOCKET is not set or too long\n");
      return 2;
    }
  for (int i = 1; i < argc; i++)
    {
      int n = snprintf (msg + len, sizeof msg - len, "%s%s", argv[i], i + 1 < argc ? "\n" : "");
      if (n < 0 || (size_t) n >= sizeof msg - len)
        {
          fprintf (stderr, "e2e-notify: message too long\n");
          return 2;
        }
      len += (size_t) n;
    }
  memcpy (sa.sun_path, path, strlen (path));
  if (sa.sun_path[0] == '@')    /* abstract socket */
    sa.sun_path[0] = '\0';
  salen = (socklen_t) (offsetof (struct sockaddr_un, sun_path) + strlen (path));
  fd = socket (AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || sendto (fd, msg, len, 0, (struct sockaddr *) &sa, salen) < 0)
    {
      perror ("e2e-notify");
      return 1;
    }
  close (fd);
  return 0;
}
