/* SPDX-License-Identifier: Apache-2.0 */
/* The payload's sd_notify, relayed; see notify-relay.h. */
#include "supervisor/notify-relay.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "systemd/sdwire.h"

static int
has_ready (const char *msg)
{
  for (const char *p = msg; p; p = strchr (p, '\n') ? strchr (p, '\n') + 1 : NULL)
    if (strncmp (p, "READY=1", 7) == 0 && (p[7] == '\n' || p[7] == '\0'))
      return 1;
  return 0;
}

int
notify_relay (NotifyRelay *r)
{
  char in[4096], out[4096], msg[4200];
  int result = 0;

  for (;;)
    {
      ssize_t n = recv (r->proxy_fd, in, sizeof in - 1, MSG_DONTWAIT);
      size_t len;
      int ready, m, e;

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK ? result : -errno;
      len = sdwire_notify_filter (in, n, out, sizeof out);
      if (len == 0 || !r->socket)
        continue;
      ready = has_ready (out);
      if (ready && !r->ready_sent)
        m = snprintf (msg, sizeof msg, "MAINPID=%d\n%s", (int) r->mainpid, out);
      else
        m = snprintf (msg, sizeof msg, "%s", out);
      e = sdwire_notify_send (r->socket, msg, (size_t) m < sizeof msg ? (size_t) m : sizeof msg - 1);
      if (e < 0)
        result = result ? result : e;
      else
        r->ready_sent |= ready;
    }
}
