/* SPDX-License-Identifier: Apache-2.0 */
/* A container on its networks: what is set up for it, recorded, and
 * taken away again.
 *
 *   RUNROOT/networks/lock          flock around every allocation and removal
 *                                  (leases, firewall and DNS entries; a start's
 *                                  veth pairs are made after it is released)
 *   RUNROOT/networks/attach/<id>   the container's attachment (GKeyFile, replaced
 *                                  atomically): its pid 1 and that process's start
 *                                  time, per network the address, MAC, interfaces
 *                                  and aliases, and its published ports
 *
 * The attachment is the lease: an address is taken while a record holding
 * it names a live process. Records whose process is gone (a container that
 * exited, a podunit that was SIGKILLed halfway) are reclaimed by the next
 * attach, detach or sync, which then writes the whole firewall
 * (firewall.h) from the live records; otherwise an attach or detach adds
 * or deletes only the container's own elements (and its networks', when
 * it is their first or last container). The veth pairs die with the
 * container's network namespace, so the kernel removes them even after a
 * crash. */
#pragma once

#include <glib.h>
#include <sys/types.h>

typedef struct {
  const char *id;
  const char *name;
  char **networks;   /* network names, in order: eth0, eth1 ... */
  const char *ip;    /* --ip on the first network, NULL: allocated */
  const char *ip6;   /* --ip6 on the first network (an IPv6 one), NULL: allocated */
  const char *mac;   /* --mac-address on the first network, NULL: random */
  char **aliases;    /* --network-alias */
  char **ports;      /* normalized (ports.h), DNAT to the first network's address */
} NetAttachSpec;

typedef struct {
  char *ip;      /* the first network's address */
  char *gateway; /* and its gateway */
  char *ip6;     /* its IPv6 address (NULL: an IPv4 network) */
  char *dns_server;  /* aardvark-dns's address for the container (dns.h), NULL: none */
  char *dns_server6; /* and its IPv6 one, on a dual-stack network */
} NetAttachResult;

/* Sets up the network namespace of @pid (a new container's pid 1, in its
 * own net ns): one veth per network on that network's bridge, addresses,
 * the default route, and the firewall for its ports. On failure nothing
 * stays recorded. */
gboolean net_attach (const char *root, const char *runroot, const NetAttachSpec *spec,
                     pid_t pid, NetAttachResult *result, GError **error);
void net_attach_result_clear (NetAttachResult *r);

/* An fd of @pid's network namespace (NET_ERROR naming the path). */
int net_open_netns (pid_t pid, GError **error);

/* Removes @id's record and its firewall entries and ends its pasta
 * (nothing when it has none). */
gboolean net_detach (const char *root, const char *runroot, const char *id, GError **error);

/* A running container's record on one more network, @net (`network
 * connect`): a veth named ethN (the next free N) on its bridge in the
 * container's namespace, an address (@ip, or allocated), @mac (NULL:
 * random), an IPv6 address on a dual-stack network (@ip6 or allocated),
 * @aliases, the network's firewall and DNS entries. No default
 * route: that stays with the first network. NET_ERROR_NOT_FOUND when @id
 * has no live record (not running: the caller changes its config only). */
gboolean net_connect (const char *root, const char *runroot, const char *id, const char *net,
                      const char *ip, const char *ip6, const char *mac, char **aliases,
                      GError **error);
/* Takes @net away from a running container (`network disconnect`): its
 * veth, address, firewall and DNS entries. Published ports follow the
 * first network left; with none left they go. NET_ERROR_NOT_FOUND as
 * net_connect. */
gboolean net_disconnect (const char *root, const char *runroot, const char *id, const char *net,
                         GError **error);

/* Reclaims records of dead processes, recreates the bridges of live ones
 * and writes the firewall again (`network reload`). */
gboolean net_sync (const char *root, const char *runroot, GError **error);

/* The ids of live containers attached to network @name. */
GPtrArray *net_network_users (const char *runroot, const char *name);

/* Validates --ip/--mac-address/--network values for @c before anything
 * is created. */
gboolean net_mac_parse (const char *s, guint8 mac[6]);
