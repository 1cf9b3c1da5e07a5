/* SPDX-License-Identifier: Apache-2.0 */
/* podunit's firewall: one nftables table, `table inet podunit`, driven by
 * libnftables' text command API. Nothing outside the table is touched.
 * What is per network or per container lives in sets and maps, not in
 * rules, so a container's start or removal is one small transaction that
 * adds or deletes its elements; the rules themselves never change:
 *
 *   set bridges, internal, masq (ifname): every bridge in use, the
 *       --internal ones, the others (their outbound traffic is masqueraded)
 *   set same (ifname . ifname): each bridge with itself
 *   map pf4     host ip . proto . port : container ip . port  (-p IP:H:C)
 *   map pf4any  proto . port : container ip . port            (-p H:C)
 *   map pf6, pf6any   the same for IPv6 (-p [IP6]:H:C, and -p H:C to the
 *       container's IPv6 address on a dual-stack network, as netavark
 *       DNATs both families)
 *   chain prerouting/output (nat): local destinations jump portfwd (DNAT)
 *   chain postrouting (nat): masquerade outbound from non-internal bridges
 *     (both families: the rules match interfaces, as do the forward
 *     chain's), localhost (route_localnet; ::1) and hairpin connections to
 *     published ports
 *   chain forward (filter): established, within one bridge (seen here
 *     with br_netfilter), internal networks cut off, DNAT'd, isolation
 *     between networks
 *
 * Why elements and not a rewrite: deleting anything in nf_tables (a table,
 * a rule, an element) queues it for release after an RCU grace period,
 * and the next close of an nftables socket waits for that release (5-16
 * ms on a loaded machine). Adding elements deletes nothing. Element
 * updates (firewall_update) are nf_tables netlink messages on a socket of
 * the process's own, closed only by its exit or exec, so no lock is held
 * and no start waits while a removal's release is pending; the rest goes
 * through libnftables' text API: the whole table, written by the first
 * start after boot (or after `nft flush ruleset`) and by `network
 * reload`. The table then stays, its sets and maps empty once the last
 * container is gone (netavark keeps its `table inet netavark` too): no
 * later start loads libnftables (about 2.5 ms) or holds the networks
 * lock over a table write, which in a TCG guest at boot loads the
 * nf_tables modules (tens of seconds). */
#pragma once

#include <glib.h>

typedef struct {
  GPtrArray *bridges;  /* char *: podunit bridges */
  GPtrArray *internal; /* char *: the --internal ones among them */
  GPtrArray *masq;     /* char *: the others */
  GPtrArray *pf4;      /* char *: "127.0.0.1 . tcp . 8080 : 10.88.0.2 . 80" */
  GPtrArray *pf4any;   /* char *: "tcp . 8080 : 10.88.0.2 . 80" */
  GPtrArray *pf6;      /* char *: "::1 . tcp . 8080 : fd00::2 . 80" */
  GPtrArray *pf6any;   /* char *: "tcp . 8080 : fd00::2 . 80" */
  GPtrArray *trusted;  /* char *: the bridges' subnets (both families), for firewalld
                        * (firewalld.h), not nft */
} FirewallState;

void firewall_state_init (FirewallState *s);
void firewall_state_clear (FirewallState *s);

/* The nft script that makes the table hold exactly @s: created when
 * absent, its rules and elements replaced when present. With @exact the
 * table is deleted first, so that objects of another podunit version go
 * too (this costs the grace period). */
char *firewall_ruleset (const FirewallState *s, gboolean exact);
/* Runs firewall_ruleset (@s, @exact). */
gboolean firewall_apply (const FirewallState *s, gboolean exact, GError **error);
/* One transaction: @del's elements deleted, @add's added (either NULL).
 * Fails when the table or an element to delete is not there (after `nft
 * flush ruleset`), or past a batch of 128 KiB (a range of thousands of
 * ports): the caller then applies the whole state. */
gboolean firewall_update (const FirewallState *add, const FirewallState *del, GError **error);
