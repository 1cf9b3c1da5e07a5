/* SPDX-License-Identifier: Apache-2.0 */
/* Published ports: podman's -p forms, kept normalized in the container's
 * record as "HOSTIP:HOSTPORT[-END]:CTRPORT[-END]/PROTO" (one protocol
 * each; HOSTIP empty for every address; IPv6 host addresses bracketed). */
#pragma once

#include <glib.h>

typedef struct {
  char host_ip[48]; /* "" any, "127.0.0.1", "::1" */
  guint16 host_port;
  guint16 ctr_port;
  guint16 count; /* ports in the range */
  char proto[5]; /* tcp, udp, sctp */
} NetPort;

/* One -p value ("127.0.0.1:80:90", ":80:92", "80:96", "97",
 * "8000-8010:8000-8010", "53:53/udp", "80/tcp,udp", "[::1]:80:80") into
 * normalized strings appended to @out. A missing host port is picked free
 * (bound and released on this host). */
gboolean net_ports_parse (const char *spec, GPtrArray *out, GError **error);
/* A normalized string back. */
gboolean net_port_from_string (const char *s, NetPort *p);
/* podman's display: "127.0.0.1:8080->80/tcp" ("0.0.0.0" for any). */
char *net_port_display (const NetPort *p);
