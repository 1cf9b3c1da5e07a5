/* SPDX-License-Identifier: Apache-2.0 */
/* table inet podunit (see firewall.h). */
#include "net/firewall.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <nftables/libnftables.h>

#include "net/network.h"

/* What a full write empties before it fills them again. */
static const char flushes[] = "flush table inet podunit\n"
                              "flush set inet podunit bridges\n"
                              "flush set inet podunit internal\n"
                              "flush set inet podunit masq\n"
                              "flush set inet podunit same\n"
                              "flush map inet podunit pf4\n"
                              "flush map inet podunit pf4any\n"
                              "flush map inet podunit pf6\n"
                              "flush map inet podunit pf6any\n";

/* Sets and chains without rules: adding them again changes nothing. */
static const char skeleton[] =
    "table inet podunit {\n"
    "  set bridges { type ifname; }\n"
    "  set internal { type ifname; }\n"
    "  set masq { type ifname; }\n"
    "  set same { type ifname . ifname; }\n"
    "  map pf4 { type ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service; }\n"
    "  map pf4any { type inet_proto . inet_service : ipv4_addr . inet_service; }\n"
    "  map pf6 { type ipv6_addr . inet_proto . inet_service : ipv6_addr . inet_service; }\n"
    "  map pf6any { type inet_proto . inet_service : ipv6_addr . inet_service; }\n"
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
    "add rule inet podunit portfwd meta nfproto ipv6 dnat ip6 to ip6 daddr . meta l4proto . th dport map @pf6\n"
    "add rule inet podunit portfwd meta nfproto ipv6 dnat ip6 to meta l4proto . th dport map @pf6any\n"
    "add rule inet podunit postrouting ct status dnat ip saddr 127.0.0.0/8 masquerade\n"
    "add rule inet podunit postrouting ct status dnat ip6 saddr ::1 masquerade\n"
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
  s->pf6 = g_ptr_array_new_with_free_func (g_free);
  s->pf6any = g_ptr_array_new_with_free_func (g_free);
  s->trusted = g_ptr_array_new_with_free_func (g_free);
}

void
firewall_state_clear (FirewallState *s)
{
  g_clear_pointer (&s->bridges, g_ptr_array_unref);
  g_clear_pointer (&s->internal, g_ptr_array_unref);
  g_clear_pointer (&s->masq, g_ptr_array_unref);
  g_clear_pointer (&s->pf4, g_ptr_array_unref);
  g_clear_pointer (&s->pf4any, g_ptr_array_unref);
  g_clear_pointer (&s->pf6, g_ptr_array_unref);
  g_clear_pointer (&s->pf6any, g_ptr_array_unref);
  g_clear_pointer (&s->trusted, g_ptr_array_unref);
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
  elements (out, verb, "pf6", s->pf6, FALSE, FALSE);
  elements (out, verb, "pf6any", s->pf6any, FALSE, FALSE);
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


/* Element updates go to the kernel as nf_tables netlink messages over
 * libmnl, not through libnftables: a start then loads no libnftables
 * (2 ms on a loaded machine) and fetches no ruleset cache, and the
 * socket is this process's own, opened once and closed by its exit or
 * exec. That close is what waits for the release of deleted elements (an
 * RCU grace period, firewall.h): at exit it overlaps the rest of a
 * removal and comes after the networks lock is released; a supervisor
 * closes it by its exec, after the start was reported.
 *
 * Keys and data are laid out as nft lays out its concatenations: every
 * field in 4-byte units, ifname 16 bytes, ipv4_addr 4, inet_proto and
 * inet_service 2 and 1 bytes padded to 4 (the port in network order),
 * ipv6_addr 16. */
static struct mnl_socket *nft_sock;
static guint32 nft_seq;
/* Past this the caller writes the whole table through libnftables. */
#define BATCH_MAX (128 * 1024)

typedef struct {
  guint8 b[2 * IFNAMSIZ];
  guint len;
} Field;

static gboolean
field_add (Field *f, const char *text)
{
  guint32 ip;
  struct in6_addr ip6;
  guint64 v;
  char *end;
  if (f->len + 4 > sizeof f->b)
    return FALSE;
  if (inet_pton (AF_INET6, text, &ip6) == 1)
    {
      if (f->len + 16 > sizeof f->b)
        return FALSE;
      memcpy (f->b + f->len, &ip6, 16);
      f->len += 16;
      return TRUE;
    }
  if (inet_pton (AF_INET, text, &ip) == 1)
    {
      memcpy (f->b + f->len, &ip, 4);
      f->len += 4;
      return TRUE;
    }
  if (g_str_equal (text, "tcp") || g_str_equal (text, "udp") || g_str_equal (text, "sctp"))
    {
      memset (f->b + f->len, 0, 4);
      f->b[f->len] = text[0] == 't' ? IPPROTO_TCP : text[0] == 'u' ? IPPROTO_UDP : IPPROTO_SCTP;
      f->len += 4;
      return TRUE;
    }
  v = g_ascii_strtoull (text, &end, 10);
  if (*text && !*end && v <= 65535)
    {
      memset (f->b + f->len, 0, 4);
      f->b[f->len] = v >> 8;
      f->b[f->len + 1] = v & 0xff;
      f->len += 4;
      return TRUE;
    }
  return FALSE;
}

/* "A . B" of fields (or one interface name, or a name twice with @pair). */
static gboolean
parse_fields (Field *f, const char *text, gboolean ifname, gboolean pair)
{
  memset (f, 0, sizeof *f);
  if (ifname)
    {
      if (strlen (text) >= IFNAMSIZ)
        return FALSE;
      strcpy ((char *) f->b, text);
      f->len = IFNAMSIZ;
      if (pair)
        {
          strcpy ((char *) f->b + IFNAMSIZ, text);
          f->len += IFNAMSIZ;
        }
      return TRUE;
    }
  g_auto (GStrv) parts = g_strsplit (text, " . ", -1);
  for (char **p = parts; *p; p++)
    if (!field_add (f, g_strstrip (*p)))
      return FALSE;
  return f->len > 0;
}

static void
put_data (struct nlmsghdr *nlh, int type, const Field *f)
{
  struct nlattr *nest = mnl_attr_nest_start (nlh, type);
  mnl_attr_put (nlh, NFTA_DATA_VALUE, f->len, f->b);
  mnl_attr_nest_end (nlh, nest);
}

/* One NEWSETELEM/DELSETELEM message for @elems of @set, in @batch. */
static gboolean
elements_msg (struct mnl_nlmsg_batch *batch, guint32 seq, gboolean add, const char *set,
              GPtrArray *elems, gboolean ifname, gboolean pair)
{
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (mnl_nlmsg_batch_current (batch));
  struct nfgenmsg *nfg;
  struct nlattr *list;
  nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | (add ? NFT_MSG_NEWSETELEM : NFT_MSG_DELSETELEM);
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE : 0);
  nlh->nlmsg_seq = seq;
  nfg = mnl_nlmsg_put_extra_header (nlh, sizeof *nfg);
  nfg->nfgen_family = NFPROTO_INET;
  nfg->version = NFNETLINK_V0;
  nfg->res_id = 0;
  mnl_attr_put_strz (nlh, NFTA_SET_ELEM_LIST_TABLE, "podunit");
  mnl_attr_put_strz (nlh, NFTA_SET_ELEM_LIST_SET, set);
  list = mnl_attr_nest_start (nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
  for (guint i = 0; i < elems->len; i++)
    {
      g_auto (GStrv) kv = g_strsplit (elems->pdata[i], " : ", 2);
      struct nlattr *elem;
      Field key, data;
      if (!parse_fields (&key, kv[0], ifname, pair)
          || (kv[1] && !parse_fields (&data, kv[1], FALSE, FALSE)))
        return FALSE;
      elem = mnl_attr_nest_start (nlh, NFTA_LIST_ELEM);
      put_data (nlh, NFTA_SET_ELEM_KEY, &key);
      if (kv[1] && add)
        put_data (nlh, NFTA_SET_ELEM_DATA, &data);
      mnl_attr_nest_end (nlh, elem);
    }
  mnl_attr_nest_end (nlh, list);
  mnl_nlmsg_batch_next (batch);
  return TRUE;
}

static void
batch_marker (struct mnl_nlmsg_batch *batch, int type, guint32 seq)
{
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (mnl_nlmsg_batch_current (batch));
  struct nfgenmsg *nfg;
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST;
  nlh->nlmsg_seq = seq;
  nfg = mnl_nlmsg_put_extra_header (nlh, sizeof *nfg);
  nfg->nfgen_family = AF_UNSPEC;
  nfg->version = NFNETLINK_V0;
  nfg->res_id = htons (NFNL_SUBSYS_NFTABLES);
  mnl_nlmsg_batch_next (batch);
}

static gboolean
state_msgs (struct mnl_nlmsg_batch *batch, guint32 *seq, guint *n, gboolean add,
            const FirewallState *s)
{
  struct {
    const char *set;
    GPtrArray *elems;
    gboolean ifname, pair;
  } sets[] = {
    { "bridges", s ? s->bridges : NULL, TRUE, FALSE },
    { "same", s ? s->bridges : NULL, TRUE, TRUE },
    { "internal", s ? s->internal : NULL, TRUE, FALSE },
    { "masq", s ? s->masq : NULL, TRUE, FALSE },
    { "pf4", s ? s->pf4 : NULL, FALSE, FALSE },
    { "pf4any", s ? s->pf4any : NULL, FALSE, FALSE },
    { "pf6", s ? s->pf6 : NULL, FALSE, FALSE },
    { "pf6any", s ? s->pf6any : NULL, FALSE, FALSE },
  };
  for (guint i = 0; i < G_N_ELEMENTS (sets); i++)
    {
      if (!sets[i].elems || sets[i].elems->len == 0)
        continue;
      if (!elements_msg (batch, (*seq)++, add, sets[i].set, sets[i].elems, sets[i].ifname,
                         sets[i].pair))
        return FALSE;
      ++*n;
    }
  return TRUE;
}

static int
nft_socket (void)
{
  int one = 1, e;
  if (nft_sock)
    return 0;
  nft_sock = mnl_socket_open2 (NETLINK_NETFILTER, SOCK_CLOEXEC);
  if (!nft_sock)
    return -errno;
  /* errors without a copy of the (large) request */
  setsockopt (mnl_socket_get_fd (nft_sock), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
  if (mnl_socket_bind (nft_sock, 0, MNL_SOCKET_AUTOPID) == 0)
    {
      nft_seq = (guint32) time (NULL);
      return 0;
    }
  e = errno;
  mnl_socket_close (nft_sock);
  nft_sock = NULL;
  return -e;
}

/* Sends the batch whose acked messages have the sequence numbers @first
 * to @last and reads their acks; 0 or -errno (the first error: the kernel
 * then applied none of it). Messages of an earlier batch cut short by an
 * error are skipped by their numbers. */
static int
send_batch (struct mnl_nlmsg_batch *batch, guint32 first, guint32 last)
{
  char buf[MNL_SOCKET_BUFFER_SIZE];
  guint acked = 0, n = last - first + 1;
  if (mnl_socket_sendto (nft_sock, mnl_nlmsg_batch_head (batch), mnl_nlmsg_batch_size (batch)) < 0)
    return -errno;
  while (acked < n)
    {
      ssize_t len = mnl_socket_recvfrom (nft_sock, buf, sizeof buf);
      const struct nlmsghdr *nlh = (const struct nlmsghdr *) buf;
      if (len < 0)
        return -errno;
      for (int left = len; mnl_nlmsg_ok (nlh, left); nlh = mnl_nlmsg_next (nlh, &left))
        if (nlh->nlmsg_type == NLMSG_ERROR && nlh->nlmsg_seq - first < n)
          {
            const struct nlmsgerr *err = mnl_nlmsg_get_payload (nlh);
            if (err->error != 0)
              return err->error;
            acked++;
          }
    }
  return 0;
}

static gsize
state_size (const FirewallState *s)
{
  GPtrArray *all[] = { s ? s->bridges : NULL, s ? s->bridges : NULL, s ? s->internal : NULL,
                       s ? s->masq : NULL, s ? s->pf4 : NULL, s ? s->pf4any : NULL,
                       s ? s->pf6 : NULL, s ? s->pf6any : NULL };
  gsize size = 0;
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    size += all[i] ? 128 + all[i]->len * 96 : 0;
  return size;
}

gboolean
firewall_update (const FirewallState *add, const FirewallState *del, GError **error)
{
  gsize size = 256 + state_size (add) + state_size (del);
  g_autofree char *buf = NULL;
  struct mnl_nlmsg_batch *batch;
  guint32 first;
  guint n = 0;
  int r;
  if (size > BATCH_MAX)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID, "nftables: too many elements for one batch");
      return FALSE;
    }
  r = nft_socket ();
  if (r < 0)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "nftables socket: %s", g_strerror (-r));
      return FALSE;
    }
  /* (the batch API wants twice its limit) */
  buf = g_malloc (2 * size);
  batch = mnl_nlmsg_batch_start (buf, size);
  batch_marker (batch, NFNL_MSG_BATCH_BEGIN, nft_seq++);
  first = nft_seq;
  if (!state_msgs (batch, &nft_seq, &n, FALSE, del) || !state_msgs (batch, &nft_seq, &n, TRUE, add))
    {
      mnl_nlmsg_batch_stop (batch);
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID, "nftables: an element podunit cannot encode");
      return FALSE;
    }
  batch_marker (batch, NFNL_MSG_BATCH_END, ++nft_seq);
  r = n == 0 ? 0 : send_batch (batch, first, first + n - 1);
  nft_seq++;
  mnl_nlmsg_batch_stop (batch);
  if (r < 0)
    g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "nftables (table inet podunit): %s",
                 g_strerror (-r));
  return r == 0;
}

gboolean
firewall_apply (const FirewallState *s, gboolean exact, GError **error)
{
  g_autofree char *script = firewall_ruleset (s, exact);
  return run (script, error);
}
