/* SPDX-License-Identifier: Apache-2.0 */
/* --sdnotify=container in the supervisor: what the payload sends on its
 * proxy socket (systemd/notify.h) goes on to systemd's $NOTIFY_SOCKET,
 * filtered by sdwire_notify_filter (never the payload's MAINPID); the
 * supervisor's own MAINPID goes along with the first READY=1. libc only. */
#pragma once

#include <sys/types.h>

typedef struct
{
  int proxy_fd;       /* the bound proxy socket (non-blocking reads) */
  const char *socket; /* systemd's notify socket; NULL: read and drop */
  pid_t mainpid;      /* the supervisor */
  int ready_sent;
} NotifyRelay;

/* Relays every datagram pending on the proxy. Returns 0, or -errno of a
 * failed receive or send (the rest is relayed still). */
int notify_relay (NotifyRelay *r);
