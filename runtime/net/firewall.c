/* SPDX-License-Identifier: Apache-2.0 */
/* table inet podunit from the stored state (see firewall.h). */
#include "net/firewall.h"

#include <stdio.h>

#include <nftables/libnftables.h>

#include "net/network.h"

void
firewall_state_init (FirewallState *s)
{
  s->bridges = g_ptr_array_new_with_free_func (g_free);
  s->internal = g_ptr_array_new_with_free_func (g_free);
  s->subnets = g_ptr_array_new_with_free_func (g_free);
  s->pf4 = g_ptr_array_new_with_free_func (g_free);
  s->pf4any = g_ptr_array_new_with_free_func (g_free);
}

void
firewall_state_clear (FirewallState *s)
{
  g_clear_pointer (&s->bridges, g_ptr_array_unref);
  g_clear_pointer (&s->internal, g_ptr_array_unref);
  g_clear_pointer (&s->subnets, g_ptr_array_unref);
  g_clear_pointer (&s->pf4, g_ptr_array_unref);
  g_clear_pointer (&s->pf4any, g_ptr_array_unref);
}

static void
add_elements (GString *out, const char *set, GPtrArray *elems, gboolean quote)
{
  if (!elems || elems->len == 0)
    return;
  g_string_append_printf (out, "add element inet podunit %s { ", set);
  for (guint i = 0; i < elems->len; i++)
    g_string_append_printf (out, quote ? "%s\"%s\"" : "%s%s", i ? ", " : "",
                            (char *) elems->pdata[i]);
  g_string_append (out, " }\n");
}

char *
firewall_ruleset (const FirewallState *s)
{
  GString *out = g_string_new (
      "table inet podunit {\n"
      "  set bridges { type ifname; }\n"
      "  set internal { type ifname; }\n"
      "  set subnets4 { type ipv4_addr; flags interval; }\n"
      "  set same { type ifname . ifname; }\n"
      "  map pf4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
      "  map pf4any { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
      "  chain prerouting {\n"
      "    type nat hook prerouting priority dstnat; policy accept;\n"
      "    fib daddr type local jump portfwd\n"
      "  }\n"
      "  chain output {\n"
      "    type nat hook output priority -100; policy accept;\n"
      "    fib daddr type local jump portfwd\n"
      "  }\n"
      "  chain portfwd {\n"
      "    dnat ip to ip daddr . meta l4proto . th dport map @pf4\n"
      "    dnat ip to meta l4proto . th dport map @pf4any\n"
      "  }\n"
      "  chain postrouting {\n"
      "    type nat hook postrouting priority srcnat; policy accept;\n"
      "    ct status dnat ip saddr 127.0.0.0/8 masquerade\n"
      "    ct status dnat iifname @bridges oifname @bridges masquerade\n"
      "    ip saddr @subnets4 ip daddr != @subnets4 oifname != @bridges masquerade\n"
      "  }\n"
      "  chain forward {\n"
      "    type filter hook forward priority filter; policy accept;\n"
      "    ct state established,related accept\n"
      "    iifname @internal drop\n"
      "    oifname @internal drop\n"
      "    ct status dnat accept\n"
      "    iifname . oifname @same accept\n"
      "    iifname @bridges oifname @bridges drop\n"
      "  }\n"
      "}\n");
  add_elements (out, "bridges", s->bridges, TRUE);
  /* br_netfilter (on where Docker ran) shows bridged traffic to the
   * forward hook: within one bridge it passes. */
  if (s->bridges && s->bridges->len > 0)
    {
      g_autoptr (GPtrArray) pairs = g_ptr_array_new_with_free_func (g_free);
      for (guint i = 0; i < s->bridges->len; i++)
        g_ptr_array_add (pairs, g_strdup_printf ("\"%s\" . \"%s\"", (char *) s->bridges->pdata[i],
                                                 (char *) s->bridges->pdata[i]));
      add_elements (out, "same", pairs, FALSE);
    }
  add_elements (out, "internal", s->internal, TRUE);
  add_elements (out, "subnets4", s->subnets, FALSE);
  add_elements (out, "pf4", s->pf4, FALSE);
  add_elements (out, "pf4any", s->pf4any, FALSE);
  return g_string_free (out, FALSE);
}

gboolean
firewall_apply (const FirewallState *s, GError **error)
{
  g_autofree char *body = s ? firewall_ruleset (s) : NULL;
  /* "add" first: deleting a table that is not there would fail the
   * whole transaction. */
  g_autofree char *script = g_strconcat ("add table inet podunit\ndelete table inet podunit\n",
                                         body, NULL);
  struct nft_ctx *nft = nft_ctx_new (NFT_CTX_DEFAULT);
  int r;
  if (!nft)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "nftables: cannot create a context");
      return FALSE;
    }
  nft_ctx_buffer_output (nft);
  nft_ctx_buffer_error (nft);
  r = nft_run_cmd_from_buffer (nft, script);
  if (r != 0)
    {
      g_autofree char *msg = g_strstrip (g_strdup (nft_ctx_get_error_buffer (nft)));
      g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "nftables (table inet podunit): %s", msg);
    }
  nft_ctx_free (nft);
  return r == 0;
}
