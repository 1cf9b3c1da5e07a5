/* SPDX-License-Identifier: Apache-2.0 */
/* rtnetlink through libmnl: the bridge, veth pairs and addresses a
 * container's network needs (what `ip link/addr/route` would do, without
 * running it). */
#pragma once

#include <glib.h>
#include <netinet/in.h>
#include <sys/types.h>

typedef struct _NetLink NetLink;

/* A route netlink socket in this process's network namespace, or (with
 * @netns_fd >= 0) in that one: the socket stays bound to the namespace it
 * was opened in. */
NetLink *netlink_open (int netns_fd, GError **error);
void netlink_close (NetLink *nl);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetLink, netlink_close)

/* Creates bridge @name unless it exists, gives it @gateway/@prefix
 * (unless it has it; 0: no IPv4 address) and sets it up. @mtu 0: the
 * default. */
gboolean netlink_bridge_ensure (NetLink *nl, const char *name, guint32 gateway, int prefix,
                                int mtu, GError **error);
/* A veth pair: @host_name on @bridge (up) here, @peer_name in the
 * namespace @netns_fd with @mac (6 bytes, NULL: the kernel's). */
gboolean netlink_veth_create (NetLink *nl, const char *host_name, const char *bridge,
                              const char *peer_name, int netns_fd, const guint8 *mac, int mtu,
                              GError **error);
/* Deletes link @name (no error when it is gone already). */
gboolean netlink_link_delete (NetLink *nl, const char *name, GError **error);
/* Adds @ip/@prefix to link @name (no error when it has it). */
gboolean netlink_address6_add (NetLink *nl, const char *name, const struct in6_addr *ip,
                               int prefix, GError **error);
/* In the socket's namespace: @ifname up with @ip/@prefix, and a default
 * route through @gateway (0: none; @ip 0: no IPv4 address); with @ip6 also @ip6/@prefix6 and (with
 * @gateway6) an IPv6 default route through it. */
gboolean netlink_configure (NetLink *nl, const char *ifname, guint32 ip, int prefix,
                            guint32 gateway, const struct in6_addr *ip6, int prefix6,
                            const struct in6_addr *gateway6, GError **error);

/* Sets each /proc/sys/KEY of @kv (KEY, VALUE, ..., NULL; KEY a path below
 * it: "net/ipv6/conf/eth0/accept_dad") to its VALUE unless it has it
 * already; with @netns_fd >= 0 in that network namespace (entered once and
 * left again by this thread). */
gboolean netlink_sysctls (int netns_fd, const char *const *kv, GError **error);
#define netlink_sysctl(key, value, error)                                                         \
  netlink_sysctls (-1, (const char *const[]){ key, value, NULL }, error)
