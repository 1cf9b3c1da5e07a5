/* SPDX-License-Identifier: Apache-2.0 */
/* podunit's firewall: one nftables table, `table inet podunit`, written
 * whole from the stored state by libnftables' text command API, in one
 * transaction ("add table; delete table; table { ... }"), so removal is
 * exact, nothing outside the table is touched and `network reload` after
 * `nft flush ruleset` is the same call. What is per network or per
 * container lives in sets and maps, not in rules:
 *
 *   set bridges, internal (ifname), subnets4 (ipv4_addr, interval),
 *       same (ifname . ifname: each bridge with itself)
 *   map pf4     host ip . proto . port : container ip . port  (-p IP:H:C)
 *   map pf4any  proto . port : container ip . port            (-p H:C)
 *   chain prerouting/output (nat): local destinations jump portfwd (DNAT)
 *   chain postrouting (nat): masquerade outbound from non-internal subnets,
 *     localhost (route_localnet) and hairpin connections to published ports
 *   chain forward (filter): established, DNAT'd, within one bridge (seen
 *     here with br_netfilter), isolation between networks, internal
 *     networks cut off */
#pragma once

#include <glib.h>

typedef struct {
  GPtrArray *bridges;  /* char *: every podunit bridge in use */
  GPtrArray *internal; /* char *: the --internal ones */
  GPtrArray *subnets;  /* char *: "10.88.0.0/16" of non-internal networks */
  GPtrArray *pf4;      /* char *: "127.0.0.1 . tcp . 8080 : 10.88.0.2 . 80" */
  GPtrArray *pf4any;   /* char *: "tcp . 8080 : 10.88.0.2 . 80" */
} FirewallState;

void firewall_state_init (FirewallState *s);
void firewall_state_clear (FirewallState *s);

/* The nft script for @s (without the delete: see firewall_apply). */
char *firewall_ruleset (const FirewallState *s);
/* Replaces table inet podunit with @s's; with @s NULL deletes the table. */
gboolean firewall_apply (const FirewallState *s, GError **error);
