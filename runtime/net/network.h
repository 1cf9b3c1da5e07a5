/* SPDX-License-Identifier: Apache-2.0 */
/* Network definitions, kept as podman keeps them (netavark's JSON schema,
 * one file a network):
 *
 *   ROOT/networks/NAME.json     a named network (`network create`)
 *   ROOT/networks/lock          flock held while names are checked and claimed
 *
 * The default network `podunit` (bridge podunit0, 10.88.0.0/16, no DNS, as
 * podman's `podman`) has no file unless written; it always exists. Named
 * networks get the next free 10.89.N.0/24 and interface podunitN when no
 * subnet or interface is given, as podman does. With --ipv6 (or an IPv6
 * --subnet beside --ipv6) a network is dual stack: its IPv6 subnet is the
 * one given or, as podman picks it, a random unique local fdXX:...::/64
 * (RFC 4193) that no other network overlaps. An IPv6 --subnet without
 * --ipv6 makes an IPv6-only network (subnet, gateway NULL), as podman
 * does. One subnet of each family at most. */
#pragma once

#include <glib.h>
#include <netinet/in.h>

#define NET_ERROR (net_error_quark ())
GQuark net_error_quark (void);
typedef enum {
  NET_ERROR_NOT_FOUND,
  NET_ERROR_EXISTS,
  NET_ERROR_INVALID, /* bad input: the CLI exits 125 */
  NET_ERROR_IN_USE,
  NET_ERROR_SYSTEM, /* netlink, nftables, files */
} NetError;

#define NET_DEFAULT_NAME "podunit"
/* podman's name of its default network: the default one too, unless a
 * network of that name was created (net_network_load). */
#define NET_DEFAULT_ALIAS "podman"
#define NET_DEFAULT_IFACE "podunit0"
#define NET_DEFAULT_SUBNET "10.88.0.0/16"

typedef struct {
  char *name;
  char *id;          /* 64 hex */
  char *driver;      /* "bridge" */
  char *iface;       /* bridge interface */
  char *created;     /* RFC 3339 */
  char *subnet;      /* "10.89.0.0/24" (NULL: IPv6 only) */
  char *gateway;     /* "10.89.0.1" */
  char *range_start; /* --ip-range: first and last address leased (NULL: the subnet) */
  char *range_end;
  gboolean internal;
  gboolean dns_enabled;
  int mtu; /* 0: the kernel's default */
  char **labels; /* KEY=VALUE */
  /* The subnet, parsed (host order). */
  guint32 net4, mask4;
  int prefix;
  /* IPv6 (netavark's ipv6_enabled): all NULL/0 without. */
  char *subnet6;  /* "fd5e:1a2b:3c4d:5e6f::/64" */
  char *gateway6; /* "fd5e:1a2b:3c4d:5e6f::1" */
  char *range6_start, *range6_end; /* --ip-range (NULL: the subnet) */
  struct in6_addr net6;
  int prefix6;
  gboolean v6_first; /* the subnets as podman orders them: as given, a picked one after */
} NetNetwork;

void net_network_free (NetNetwork *n);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetNetwork, net_network_free)

/* [a-zA-Z0-9][a-zA-Z0-9_.-]*, as podman. */
gboolean net_name_valid (const char *name);

/* "10.1.2.0/24" -> network, mask, prefix; FALSE when not an IPv4 CIDR. */
gboolean net_parse_cidr (const char *s, guint32 *net, guint32 *mask, int *prefix);
gboolean net_parse_ip4 (const char *s, guint32 *out);
char *net_ip4_to_string (guint32 ip);

/* IPv6: "fd00:1::/64" -> the network (host bits cleared) and prefix;
 * FALSE when not an IPv6 CIDR. Addresses compare with memcmp. */
gboolean net_parse_cidr6 (const char *s, struct in6_addr *net, int *prefix);
gboolean net_parse_ip6 (const char *s, struct in6_addr *out);
char *net_ip6_to_string (const struct in6_addr *ip);
/* Whether @ip lies in @net/@prefix. */
gboolean net_ip6_in (const struct in6_addr *ip, const struct in6_addr *net, int prefix);
/* The last address of @net/@prefix (all host bits set). */
void net_ip6_last (const struct in6_addr *net, int prefix, struct in6_addr *out);
/* @ip + 1; FALSE when it wrapped around. */
gboolean net_ip6_next (struct in6_addr *ip);
/* A random unique local /64 as podman picks it: fd, then 7 random bytes. */
void net_ip6_random_ula (struct in6_addr *out);

/* What `network create` was given; NULL/0 fields take the defaults. */
typedef struct {
  const char *name; /* NULL: podunitN's name "podunitN" (podman: podmanN) */
  const char *driver;
  /* --subnet, --gateway and --ip-range, matched by position as podman
   * does (the Nth gateway and range belong to the Nth subnet). */
  char **subnets;
  char **gateways;
  char **ip_ranges;
  const char *iface;
  gboolean internal;
  gboolean disable_dns;
  gboolean ipv6;
  char **opts;   /* "mtu=1400" */
  char **labels; /* KEY=VALUE */
} NetCreateSpec;

/* Validates, completes and writes a new network under ROOT/networks.
 * With @ignore an existing network of that name is returned unchanged. */
NetNetwork *net_network_create (const char *root, const NetCreateSpec *spec, gboolean ignore,
                                GError **error);
/* The network called @name (the default one included, also as
 * NET_DEFAULT_ALIAS when no network has that name). */
NetNetwork *net_network_load (const char *root, const char *name, GError **error);
/* Every network, the default first, then by name. */
GPtrArray *net_network_list (const char *root, GError **error);
/* IPAM, one family of @n (AF_INET or AF_INET6; the caller holds the
 * leases' lock). Addresses of both families are struct in6_addr here, IPv4
 * ones v4-mapped (::ffff:a.b.c.d: net_addr_parse/net_addr_to_string). Picks
 * @want (--ip/--ip6), or the first free address of the range that is not
 * the subnet's first (network, subnet-router anycast), its last
 * (broadcast) or the gateway, none of the @n_taken in @taken.
 * NET_ERROR_INVALID for a @want that is no host address of the subnet,
 * NET_ERROR_IN_USE when it is taken or none is left. */
gboolean net_ipam_pick (const NetNetwork *n, int family, const struct in6_addr *taken,
                        guint n_taken, const char *want, struct in6_addr *out, GError **error);
/* An address of @family as net_ipam_pick has it, and back. */
gboolean net_addr_parse (int family, const char *s, struct in6_addr *out);
char *net_addr_to_string (int family, const struct in6_addr *a);
/* Deletes a named network's file (the default cannot be removed). */
gboolean net_network_remove (const char *root, const char *name, GError **error);
/* Creates @dir and flocks @dir/lock; returns the fd (close it to unlock)
 * or -1. */
int net_lock_dir (const char *dir, GError **error);

/* The network as netavark's JSON (what `network inspect` prints). */
char *net_network_to_json (const NetNetwork *n);
