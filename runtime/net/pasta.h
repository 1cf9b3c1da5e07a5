/* SPDX-License-Identifier: Apache-2.0 */
/* Rootless networking through pasta (package passt), podman 5's default:
 * a tap device in the container's network namespace whose traffic pasta
 * turns into the user's own sockets on the host, and published ports as
 * sockets pasta listens on in the host's namespace.
 *
 *   RUNROOT/networks/pasta/<id>   the pid pasta wrote (-P) once it had
 *                                 configured the namespace and bound its ports
 *
 * pasta targets the container's pid 1 (it joins that process's user and
 * network namespaces), daemonizes once it is ready and, with a pid as its
 * target, does not exit by itself when the namespace goes away: the
 * container's cleanup (net_detach) ends it. */
#pragma once

#include <glib.h>
#include <sys/types.h>

/* The address the container's resolv.conf names when the host's only
 * nameservers are on its loopback: pasta forwards it to the first one. */
#define NET_PASTA_DNS "169.254.1.1"

/* Whether --network @net is pasta's ("pasta" or "pasta:OPT,OPT..."). */
gboolean net_is_pasta (const char *net);

/* Checks "pasta[:OPTIONS]" and that pasta is installed. */
gboolean net_pasta_check (const char *net, GError **error);

/* Starts pasta for the network namespace of @pid (a new container's pid
 * 1) with @ports (normalized, ports.h) published; returns once the
 * namespace has its interface, addresses and routes and the ports listen.
 * pasta's own message is in the error when it fails. */
gboolean net_pasta_start (const char *runroot, const char *id, const char *net, char **ports,
                          pid_t pid, GError **error);

/* Ends @id's pasta, if any, and waits (briefly) until it is gone, so its
 * ports are free again. */
void net_pasta_stop (const char *runroot, const char *id);
