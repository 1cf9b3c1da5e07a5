/* SPDX-License-Identifier: Apache-2.0 */
/* table inet podunit (see firewall.h). */
#include "net/firewall.h"

#include <stdio.h>

#include <nftables/libnftables.h>

#include "net/network.h"

/* What a full write empties before it fills them again. */
static const char flushes[] = "flush table inet podunit\n"
                              "flush set inet podunit bridges\n"
                              "flush set inet podunit internal\n"
                              "flush set inet podunit masq\n"
                              "flush set inet podunit same\n"
                              "flush map inet podunit pf4\n"
                              "flush map inet podunit pf4any\n";

/* Sets and chains without rules: adding them again changes nothing. */
static const char skeleton[] =
    "table inet podunit {\n"
    "  set bridges { type ifname; }\n"
    "  set internal { type ifname; }\n"
    "  set masq { type ifname; }\n"
    "  set same { type ifname . ifname; }\n"
    "  map pf4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
    "  map pf4any { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
    "  chain prerouting { type nat hook prerouting priority dstnat; policy accept; }\n"
    "  chain output { type nat hook output priority -100; policy accept; }\n"
    "  chain portfwd { }\n"
    "  chain postrouting { type nat hook postrouting priority srcnat; policy accept; }\n"
    "  chain forward { type filter hook forward priority filter; policy accept; }\n"
    "}\n";

static const char rules[] =
    "add rule inet podunit prerouting fib daddr type local jump portfwd\n"
    "add rule inet podunit output fib daddr type local jump portfwd\n"
    "add rule inet podunit portfwd dnat ip to ip daddr . meta l4proto . th dport map @pf4\n"
    "add rule inet podunit portfwd dnat ip to meta l4proto . th dport map @pf4any\n"
    "add rule inet podunit postrouting ct status dnat ip saddr 127.0.0.0/8 masquerade\n"
    "add rule inet podunit postrouting ct status dnat iifname @bridges oifname @bridges masquerade\n"
    "add rule inet podunit postrouting iifname @masq oifname != @bridges masquerade\n"
    "add rule inet podunit forward ct state established,related accept\n"
    /* br_netfilter (on where Docker ran) shows bridged traffic to the
     * forward hook, in and out the bridge: within one bridge it passes,
     * internal ones included. */
    "add rule inet podunit forward iifname . oifname @same accept\n"
    "add rule inet podunit forward iifname @internal drop\n"
    "add rule inet podunit forward oifname @internal drop\n"
    "add rule inet podunit forward ct status dnat accept\n"
    "add rule inet podunit forward iifname @bridges oifname @bridges drop\n";

void
firewall_state_init (FirewallState *s)
{
  s->bridges = g_ptr_array_new_with_free_func (g_free);
  s->internal = g_ptr_array_new_with_free_func (g_free);
  s->masq = g_ptr_array_new_with_free_func (g_free);
  s->pf4 = g_ptr_array_new_with_free_func (g_free);
  s->pf4any = g_ptr_array_new_with_free_func (g_free);
}

void
firewall_state_clear (FirewallState *s)
{
  g_clear_pointer (&s->bridges, g_ptr_array_unref);
  g_clear_pointer (&s->internal, g_ptr_array_unref);
  g_clear_pointer (&s->masq, g_ptr_array_unref);
  g_clear_pointer (&s->pf4, g_ptr_array_unref);
  g_clear_pointer (&s->pf4any, g_ptr_array_unref);
}

/* @quote: interface names, quoted (a name like "br-int" is no nft
 * symbol); @pair: "NAME" . "NAME" (set same). */
static void
elements (GString *out, const char *verb, const char *set, GPtrArray *elems, gboolean quote,
          gboolean pair)
{
  if (!elems || elems->len == 0)
    return;
  g_string_append_printf (out, "%s element inet podunit %s { ", verb, set);
  for (guint i = 0; i < elems->len; i++)
    {
      const char *e = elems->pdata[i];
      if (i)
        g_string_append (out, ", ");
      if (pair)
        g_string_append_printf (out, "\"%s\" . \"%s\"", e, e);
      else
        g_string_append_printf (out, quote ? "\"%s\"" : "%s", e);
    }
  g_string_append (out, " }\n");
}

static void
state_elements (GString *out, const char *verb, const FirewallState *s)
{
  if (!s)
    return;
  elements (out, verb, "bridges", s->bridges, TRUE, FALSE);
  elements (out, verb, "same", s->bridges, TRUE, TRUE);
  elements (out, verb, "internal", s->internal, TRUE, FALSE);
  elements (out, verb, "masq", s->masq, TRUE, FALSE);
  elements (out, verb, "pf4", s->pf4, FALSE, FALSE);
  elements (out, verb, "pf4any", s->pf4any, FALSE, FALSE);
}

char *
firewall_ruleset (const FirewallState *s, gboolean exact)
{
  GString *out = g_string_new ("add table inet podunit\n");
  if (exact)
    g_string_append (out, "delete table inet podunit\n");
  g_string_append (out, skeleton);
  /* Empty when the table was just created: nothing deleted, no grace
   * period (firewall.h). */
  g_string_append (out, flushes);
  g_string_append (out, rules);
  state_elements (out, "add", s);
  return g_string_free (out, FALSE);
}

static gboolean
run (const char *script, GError **error)
{
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

gboolean
firewall_apply (const FirewallState *s, gboolean exact, GError **error)
{
  /* "add" first: deleting a table that is not there would fail the
   * whole transaction. */
  g_autofree char *script = s ? firewall_ruleset (s, exact)
                              : g_strdup ("add table inet podunit\ndelete table inet podunit\n");
  return run (script, error);
}

gboolean
firewall_update (const FirewallState *add, const FirewallState *del, GError **error)
{
  g_autoptr (GString) script = g_string_new (NULL);
  state_elements (script, "delete", del);
  state_elements (script, "add", add);
  return script->len == 0 || run (script->str, error);
}
