/* SPDX-License-Identifier: Apache-2.0 */
/* firewalld, when it runs: the subnets of podunit's networks in use are
 * sources of its `trusted` zone, as netavark puts podman's there
 * (netavark-firewalld(7)). Otherwise firewalld's chains, which know no
 * podunit bridge, put the containers' traffic in the default zone (public)
 * and reject it: a name asked of aardvark-dns on the gateway, a host
 * port, traffic forwarded to other networks. The sources are
 * firewalld's runtime configuration: a firewalld reload (`firewall-cmd
 * --reload`, `systemctl reload firewalld`: asynchronous, a SIGHUP) or
 * restart drops them, and `podunit network reload --watch-firewalld`
 * (podunit-firewalld-reload.service, started with firewalld, as netavark's
 * netavark-firewalld-reload.service) adds them again when firewalld says
 * it is done.
 *
 * Over the system bus (sd-bus), best effort as netavark: no bus, no
 * firewalld (never started for this: no D-Bus activation) or an error from
 * it (a subnet already bound to another zone) leave podunit's own table as
 * it is and fail nothing. */
#pragma once

#include <glib.h>

typedef struct sd_bus sd_bus;

/* The system bus when firewalld runs on it, else NULL. */
sd_bus *firewalld_open (void);
void firewalld_close (sd_bus *bus);
/* Adds each subnet of @add ("10.88.0.0/16") to the trusted zone and
 * removes each of @del (either NULL). */
void firewalld_trust (sd_bus *bus, GPtrArray *add, GPtrArray *del);

/* Calls @sync (@data) now when firewalld runs, then again after each of
 * its reloads (its Reloaded signal, sent when the reload is done) and each
 * start (its name gets an owner), once for signals that came together.
 * Returns only when the bus fails (FALSE, @error set). @sync reports its
 * own failures; the watch goes on. */
typedef void (*FirewalldSync) (gpointer data);
gboolean firewalld_watch (FirewalldSync sync, gpointer data, GError **error);
