/* SPDX-License-Identifier: Apache-2.0 */
/* Attachments, leases and the firewall they imply (see attach.h). */
#include "net/attach.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <unistd.h>

#include "net/dns.h"
#include "net/firewall.h"
#include "net/firewalld.h"
#include "net/netlink.h"
#include "net/network.h"
#include "net/pasta.h"
#include "net/ports.h"

#define GROUP_CTR "container"
#define NET_PREFIX "network "

static char *
state_dir (const char *runroot)
{
  return g_build_filename (runroot, "networks", "attach", NULL);
}

static int
lock_state (const char *runroot, GError **error)
{
  g_autofree char *dir = g_build_filename (runroot, "networks", NULL);
  g_autofree char *attach = state_dir (runroot);
  if (g_mkdir_with_parents (attach, 0700) < 0)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "%s: %s", attach, g_strerror (errno));
      return -1;
    }
  return net_lock_dir (dir, error);
}

/* Field 22 of /proc/PID/stat: tells a live pid from a reused one. */
static guint64
process_start_time (pid_t pid)
{
  char path[64];
  g_autofree char *text = NULL;
  char *p;
  guint64 start = 0;
  snprintf (path, sizeof path, "/proc/%d/stat", (int) pid);
  if (!g_file_get_contents (path, &text, NULL, NULL) || !(p = strrchr (text, ')')))
    return 0;
  /* after ") ": state is field 3 (a zombie has exited: it counts as
   * gone, its reaper may be slow); start time is field 22 */
  if (p[1] && (p[2] == 'Z' || p[2] == 'X'))
    return 0;
  for (int field = 2; p && field < 22; field++)
    p = strchr (p + 1, ' ');
  if (p)
    start = g_ascii_strtoull (p + 1, NULL, 10);
  return start;
}

typedef struct {
  char *id;
  GKeyFile *kf;
} Record;

static void
record_free (Record *r)
{
  g_free (r->id);
  g_key_file_unref (r->kf);
  g_free (r);
}

static gboolean
record_alive (GKeyFile *kf)
{
  pid_t pid = g_key_file_get_integer (kf, GROUP_CTR, "pid", NULL);
  g_autofree char *st = g_key_file_get_string (kf, GROUP_CTR, "starttime", NULL);
  return pid > 0 && st && process_start_time (pid) == g_ascii_strtoull (st, NULL, 10);
}

/* The live records; dead ones are deleted (reclaimed) on the way and
 * counted in @reclaimed (their firewall entries are still in the table). */
static GPtrArray *
load_records (const char *runroot, guint *reclaimed)
{
  g_autofree char *dir = state_dir (runroot);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) record_free);
  const char *e;
  *reclaimed = 0;
  while (d && (e = g_dir_read_name (d)))
    {
      g_autofree char *path = g_build_filename (dir, e, NULL);
      GKeyFile *kf;
      if (e[0] == '.')
        {
          unlink (path); /* a temp file of a write that was cut short */
          continue;
        }
      kf = g_key_file_new ();
      if (!g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL) || !record_alive (kf))
        {
          g_key_file_unref (kf);
          unlink (path);
          (*reclaimed)++;
          continue;
        }
      Record *r = g_new0 (Record, 1);
      r->id = g_strdup (e);
      r->kf = kf;
      g_ptr_array_add (out, r);
    }
  return out;
}

/* The network groups of a record, in order. */
static char **
record_networks (GKeyFile *kf)
{
  g_auto (GStrv) groups = g_key_file_get_groups (kf, NULL);
  GPtrArray *out = g_ptr_array_new ();
  for (char **gr = groups; *gr; gr++)
    if (g_str_has_prefix (*gr, NET_PREFIX))
      g_ptr_array_add (out, g_strdup (*gr));
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/* Whether one of the record's networks has DNS (recorded at attach;
 * records without the key count as having it). */
static gboolean
record_has_dns (GKeyFile *kf)
{
  g_auto (GStrv) nets = record_networks (kf);
  for (char **gr = nets; *gr; gr++)
    {
      g_autoptr (GError) e = NULL;
      if (g_key_file_get_boolean (kf, *gr, "dns", &e) || e)
        return TRUE;
    }
  return FALSE;
}

static void
string_free (gpointer s)
{
  g_string_free (s, TRUE);
}

/* aardvark-dns's files for @records (dns.h): per network with DNS, its
 * gateway, then each container's address and names. */
static gboolean
apply_dns (const char *root, const char *runroot, GPtrArray *records, GError **error)
{
  g_autoptr (GHashTable) files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                        string_free);
  g_autoptr (GHashTable) files_text = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autofree char *dir = g_build_filename (runroot, "networks", "aardvark-dns", NULL);
  GHashTableIter it;
  gpointer k, v;

  for (guint i = 0; i < records->len; i++)
    {
      Record *r = records->pdata[i];
      g_auto (GStrv) nets = record_networks (r->kf);
      g_autofree char *name = g_key_file_get_string (r->kf, GROUP_CTR, "name", NULL);
      for (char **gr = nets; *gr; gr++)
        {
          const char *net = *gr + strlen (NET_PREFIX);
          g_autoptr (NetNetwork) n = NULL;
          g_autofree char *ip = g_key_file_get_string (r->kf, *gr, "ip", NULL);
          g_autofree char *ip6 = g_key_file_get_string (r->kf, *gr, "ip6", NULL);
          g_auto (GStrv) aliases = g_key_file_get_string_list (r->kf, *gr, "aliases", NULL, NULL);
          g_autofree char *alias_list = aliases ? g_strjoinv (",", aliases) : NULL;
          GString *f = g_hash_table_lookup (files, net);
          if (!f)
            {
              n = net_network_load (root, net, NULL);
              if (!n || !n->dns_enabled)
                continue;
              f = g_string_new (NULL);
              g_string_append_printf (f, "%s%s%s\n", n->gateway ? n->gateway : "",
                                      n->gateway && n->gateway6 ? "," : "",
                                      n->gateway6 ? n->gateway6 : "");
              g_hash_table_insert (files, g_strdup (net), f);
            }
          g_string_append_printf (f, "%s %s %s %s%s%s\n", r->id, ip ? ip : "", ip6 ? ip6 : "",
                                  name ? name : r->id, alias_list ? "," : "",
                                  alias_list ? alias_list : "");
        }
    }
  g_hash_table_iter_init (&it, files);
  while (g_hash_table_iter_next (&it, &k, &v))
    g_hash_table_insert (files_text, g_strdup (k), g_strdup (((GString *) v)->str));
  return dns_apply (dir, files_text, error);
}

/* Whether one of the first @n records has network @name. */
static gboolean
network_used (GPtrArray *records, guint n, const char *name)
{
  g_autofree char *group = g_strconcat (NET_PREFIX, name, NULL);
  for (guint i = 0; i < n; i++)
    if (g_key_file_has_group (((Record *) records->pdata[i])->kf, group))
      return TRUE;
  return FALSE;
}

/* The firewall entries of network group @gr of a record: its bridge, and
 * whether it is internal (recorded at attach; loaded from the network's
 * definition for records that lack it). */
static void
network_entries (const char *root, GKeyFile *kf, const char *gr, FirewallState *s)
{
  g_autofree char *bridge = g_key_file_get_string (kf, gr, "bridge", NULL);
  g_autoptr (GError) e = NULL;
  gboolean internal = g_key_file_get_boolean (kf, gr, "internal", &e);
  g_autofree char *ip = g_key_file_get_string (kf, gr, "ip", NULL);
  g_autofree char *ip6 = g_key_file_get_string (kf, gr, "ip6", NULL);
  int prefix = g_key_file_get_integer (kf, gr, "prefix", NULL);
  int prefix6 = g_key_file_get_integer (kf, gr, "prefix6", NULL);
  struct in6_addr addr6, net6;
  guint32 addr;
  if (e)
    {
      g_autoptr (NetNetwork) n = net_network_load (root, gr + strlen (NET_PREFIX), NULL);
      if (!n)
        return; /* removed while in use: its container keeps running */
      internal = n->internal;
      g_free (bridge);
      bridge = g_strdup (n->iface);
    }
  if (!bridge)
    return;
  g_ptr_array_add (s->bridges, g_strdup (bridge));
  g_ptr_array_add (internal ? s->internal : s->masq, g_strdup (bridge));
  /* the subnet, from the address and prefix leased */
  if (ip && net_parse_ip4 (ip, &addr) && prefix > 0 && prefix <= 32)
    {
      g_autofree char *net = net_ip4_to_string (addr & ~(guint32) (0xffffffffull >> prefix));
      g_ptr_array_add (s->trusted, g_strdup_printf ("%s/%d", net, prefix));
    }
  if (ip6 && net_parse_ip6 (ip6, &addr6) && prefix6 > 0 && prefix6 <= 128)
    {
      g_autofree char *cidr = NULL, *net = NULL;
      cidr = g_strdup_printf ("%s/%d", ip6, prefix6);
      if (net_parse_cidr6 (cidr, &net6, &prefix6) && (net = net_ip6_to_string (&net6)))
        g_ptr_array_add (s->trusted, g_strdup_printf ("%s/%d", net, prefix6));
    }
}

/* firewalld's trusted zone after an update of the elements: @add's
 * subnets in, @del's out; only when a network came or went. */
static void
trust_update (const FirewallState *add, const FirewallState *del)
{
  sd_bus *bus;
  if ((!add || add->trusted->len == 0) && (!del || del->trusted->len == 0))
    return;
  bus = firewalld_open ();
  firewalld_trust (bus, add ? add->trusted : NULL, del ? del->trusted : NULL);
  firewalld_close (bus);
}

/* firewalld's trusted zone holding exactly the subnets of @s (NULL: none)
 * among podunit's networks, after a write of the whole table. */
static void
trust_all (const char *root, const FirewallState *s)
{
  sd_bus *bus = firewalld_open ();
  g_autoptr (GPtrArray) nets = NULL;
  g_autoptr (GPtrArray) unused = g_ptr_array_new ();
  if (!bus)
    return;
  nets = net_network_list (root, NULL);
  for (guint i = 0; nets && i < nets->len; i++)
    for (int f = 0; f < 2; f++)
      {
        NetNetwork *n = nets->pdata[i];
        const char *subnet = f == 0 ? n->subnet : n->subnet6;
        gboolean used = FALSE;
        for (guint k = 0; subnet && s && k < s->trusted->len && !used; k++)
          used = g_str_equal (s->trusted->pdata[k], subnet);
        if (subnet && !used)
          g_ptr_array_add (unused, (char *) subnet);
      }
  firewalld_trust (bus, s ? s->trusted : NULL, unused);
  firewalld_close (bus);
}

/* The DNAT entries of a record's published ports, to its first network's
 * addresses: an IPv4 host address to the IPv4 one, an IPv6 host address
 * ("::" for any) to the IPv6 one, no host address to both (as netavark
 * DNATs both families). */
static void
port_entries (GKeyFile *kf, FirewallState *s)
{
  g_auto (GStrv) nets = record_networks (kf);
  g_auto (GStrv) ports = g_key_file_get_string_list (kf, GROUP_CTR, "ports", NULL, NULL);
  g_autofree char *target = nets[0] ? g_key_file_get_string (kf, nets[0], "ip", NULL) : NULL;
  g_autofree char *target6 = nets[0] ? g_key_file_get_string (kf, nets[0], "ip6", NULL) : NULL;
  for (char **p = ports; (target || target6) && p && *p; p++)
    {
      NetPort port;
      gboolean v6, any6;
      if (!net_port_from_string (*p, &port))
        continue;
      v6 = strchr (port.host_ip, ':') != NULL;
      any6 = v6 && g_str_equal (port.host_ip, "::");
      for (guint k = 0; k < port.count; k++)
        {
          guint h = port.host_port + k, c = port.ctr_port + k;
          if (!target)
            ; /* an IPv6-only network */
          else if (*port.host_ip && !v6)
            g_ptr_array_add (s->pf4, g_strdup_printf ("%s . %s . %u : %s . %u", port.host_ip,
                                                      port.proto, h, target, c));
          else if (!*port.host_ip)
            g_ptr_array_add (s->pf4any, g_strdup_printf ("%s . %u : %s . %u", port.proto, h,
                                                         target, c));
          if (target6 && v6 && !any6)
            g_ptr_array_add (s->pf6, g_strdup_printf ("%s . %s . %u : %s . %u", port.host_ip,
                                                      port.proto, h, target6, c));
          else if (target6 && (any6 || !*port.host_ip))
            g_ptr_array_add (s->pf6any, g_strdup_printf ("%s . %u : %s . %u", port.proto, h,
                                                         target6, c));
        }
    }
}

/* The entries that @kf brings, or takes away, with respect to the first
 * @n of @others: its ports, and its networks that none of them uses. */
static void
record_entries (const char *root, GKeyFile *kf, GPtrArray *others, guint n, FirewallState *s)
{
  g_auto (GStrv) nets = record_networks (kf);
  for (char **gr = nets; *gr; gr++)
    if (!network_used (others, n, *gr + strlen (NET_PREFIX)))
      network_entries (root, kf, *gr, s);
  port_entries (kf, s);
}

/* The whole firewall for @records (firewall.h); with none, the table's
 * rules and empty sets, which stay for the next start. */
static gboolean
apply_firewall (const char *root, GPtrArray *records, gboolean exact, GError **error)
{
  FirewallState s;
  gboolean ok;

  firewall_state_init (&s);
  for (guint i = 0; i < records->len; i++)
    record_entries (root, ((Record *) records->pdata[i])->kf, records, i, &s);
  ok = firewall_apply (&s, exact, error);
  if (ok)
    trust_all (root, &s);
  firewall_state_clear (&s);
  return ok;
}

/* The firewall after @kf joined (@add) or left the live @others: its
 * elements added or deleted in one transaction; the whole table written
 * when dead records were reclaimed, or when the table is not as expected
 * (the first start since boot, `nft flush ruleset`). */
static gboolean
update_firewall (const char *root, GPtrArray *others, guint reclaimed, GKeyFile *kf,
                 gboolean add, GError **error)
{
  FirewallState s;
  gboolean ok = FALSE;
  if (reclaimed == 0)
    {
      firewall_state_init (&s);
      record_entries (root, kf, others, others->len, &s);
      ok = firewall_update (add ? &s : NULL, add ? NULL : &s, NULL);
      if (ok)
        trust_update (add ? &s : NULL, add ? NULL : &s);
      firewall_state_clear (&s);
    }
  if (!ok)
    {
      Record self = { .id = (char *) "", .kf = kf };
      if (add)
        g_ptr_array_add (others, &self);
      ok = apply_firewall (root, others, FALSE, error);
      if (add)
        g_ptr_array_steal_index (others, others->len - 1); /* not the array's to free */
    }
  return ok;
}

/* The bridge of @n, up, with forwarding and localhost DNAT allowed. */
static gboolean
bridge_ensure (NetLink *nl, const NetNetwork *n, GError **error)
{
  guint32 gw = 0;
  g_autofree char *rl = g_strdup_printf ("net/ipv4/conf/%s/route_localnet", n->iface);
  if (n->subnet && !net_parse_ip4 (n->gateway, &gw))
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID, "network %s: bad gateway %s", n->name,
                   n->gateway);
      return FALSE;
    }
  if (!netlink_bridge_ensure (nl, n->iface, gw, n->prefix, n->mtu, error)
      || !netlink_sysctl ("net/ipv4/ip_forward", "1", error)
      || !netlink_sysctl (rl, "1", error))
    return FALSE;
  if (n->subnet6)
    {
      /* as netavark: no DAD (it would hold the gateway address back for
       * a second) and no router advertisements on the bridge, forwarding
       * on; then the gateway's address */
      g_autofree char *dad = g_strdup_printf ("net/ipv6/conf/%s/accept_dad", n->iface);
      g_autofree char *ra = g_strdup_printf ("net/ipv6/conf/%s/accept_ra", n->iface);
      g_autofree char *off = g_strdup_printf ("net/ipv6/conf/%s/disable_ipv6", n->iface);
      struct in6_addr gw6;
      if (!net_parse_ip6 (n->gateway6, &gw6))
        {
          g_set_error (error, NET_ERROR, NET_ERROR_INVALID, "network %s: bad gateway %s",
                       n->name, n->gateway6);
          return FALSE;
        }
      if (!netlink_sysctl (off, "0", error) || !netlink_sysctl (dad, "0", error)
          || !netlink_sysctl (ra, "0", error)
          || !netlink_sysctl ("net/ipv6/conf/all/forwarding", "1", error)
          || !netlink_address6_add (nl, n->iface, &gw6, n->prefix6, error))
        return FALSE;
    }
  return TRUE;
}

/* The addresses of @family (net_ipam_pick's form) leased on network @net
 * by @records and @self. */
static GArray *
leases (GPtrArray *records, GKeyFile *self, const char *net, int family)
{
  g_autofree char *group = g_strconcat (NET_PREFIX, net, NULL);
  GArray *out = g_array_new (FALSE, FALSE, sizeof (struct in6_addr));
  for (guint i = 0; i <= records->len; i++)
    {
      GKeyFile *kf = i < records->len ? ((Record *) records->pdata[i])->kf : self;
      g_autofree char *s
          = g_key_file_get_string (kf, group, family == AF_INET6 ? "ip6" : "ip", NULL);
      struct in6_addr v;
      if (s && net_addr_parse (family, s, &v))
        g_array_append_val (out, v);
    }
  return out;
}

/* An address of @family for @n, as a string (NULL with @error). */
static char *
allocate (const NetNetwork *n, int family, GPtrArray *records, GKeyFile *self, const char *want,
          GError **error)
{
  g_autoptr (GArray) leased = leases (records, self, n->name, family);
  struct in6_addr ip;
  if (!net_ipam_pick (n, family, (struct in6_addr *) leased->data, leased->len, want, &ip, error))
    return NULL;
  return net_addr_to_string (family, &ip);
}

gboolean
net_mac_parse (const char *s, guint8 mac[6])
{
  unsigned int b[6];
  char extra;
  if (!s || sscanf (s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
                    &extra) != 6)
    return FALSE;
  for (int i = 0; i < 6; i++)
    mac[i] = b[i];
  return !(mac[0] & 1); /* not multicast */
}

/* Host ports of @ports that a live record publishes already. */
static gboolean
check_ports (GPtrArray *records, char **ports, GError **error)
{
  for (char **p = ports; p && *p; p++)
    {
      NetPort a;
      if (!net_port_from_string (*p, &a))
        continue;
      for (guint i = 0; i < records->len; i++)
        {
          g_auto (GStrv) other = g_key_file_get_string_list (((Record *) records->pdata[i])->kf,
                                                             GROUP_CTR, "ports", NULL, NULL);
          for (char **q = other; q && *q; q++)
            {
              NetPort b;
              if (net_port_from_string (*q, &b) && g_str_equal (a.proto, b.proto)
                  && (!*a.host_ip || !*b.host_ip || g_str_equal (a.host_ip, b.host_ip))
                  && a.host_port < b.host_port + b.count && b.host_port < a.host_port + a.count)
                {
                  g_set_error (error, NET_ERROR, NET_ERROR_IN_USE,
                               "cannot listen on the %s port %u: address already in use "
                               "(published by container %.12s)",
                               a.proto, a.host_port, ((Record *) records->pdata[i])->id);
                  return FALSE;
                }
            }
        }
    }
  return TRUE;
}

static gboolean
save_record (const char *runroot, const char *id, GKeyFile *kf, GError **error)
{
  g_autofree char *dir = state_dir (runroot);
  g_autofree char *path = g_build_filename (dir, id, NULL);
  return g_key_file_save_to_file (kf, path, error);
}

static void
remove_record (const char *runroot, const char *id)
{
  g_autofree char *dir = state_dir (runroot);
  g_autofree char *path = g_build_filename (dir, id, NULL);
  unlink (path);
}

/* Network @n as group of @kf: an address (@want, or the first free one
 * given @records and @kf itself), a MAC (@mac, or a random one), the
 * interface @ifname in the container and a new veth name on the host. */
static gboolean
record_network (GKeyFile *kf, GPtrArray *records, const NetNetwork *n, const char *ifname,
                const char *want, const char *want6, const char *mac_str, char **aliases,
                GError **error)
{
  g_autofree char *group = g_strconcat (NET_PREFIX, n->name, NULL);
  g_autofree char *ipstr = NULL, *macstr = NULL, *veth = NULL;
  guint8 mac[6], rnd[10];

  if (g_key_file_has_group (kf, group))
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID, "network %s given twice", n->name);
      return FALSE;
    }
  if (n->subnet && !(ipstr = allocate (n, AF_INET, records, kf, want, error)))
    return FALSE;
  if (!n->subnet && want)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                   "--ip %s: network %s has no IPv4 subnet", want, n->name);
      return FALSE;
    }
  if (n->subnet6)
    {
      g_autofree char *ip6str = allocate (n, AF_INET6, records, kf, want6, error);
      if (!ip6str)
        return FALSE;
      g_key_file_set_string (kf, group, "ip6", ip6str);
      g_key_file_set_integer (kf, group, "prefix6", n->prefix6);
      g_key_file_set_string (kf, group, "gateway6", n->gateway6);
    }
  else if (want6)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                   "--ip6 %s: network %s has no IPv6 subnet (create it with --ipv6)", want6,
                   n->name);
      return FALSE;
    }
  /* From the kernel, not g_random: the process may have forked since glib
   * seeded its generator (a member's `run` starts its pod's infra in a
   * child), and both would draw the same MAC and veth name. */
  if (getrandom (rnd, sizeof rnd, 0) != sizeof rnd)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "getrandom: %s", g_strerror (errno));
      return FALSE;
    }
  if (mac_str)
    {
      if (!net_mac_parse (mac_str, mac))
        {
          g_set_error (error, NET_ERROR, NET_ERROR_INVALID, "invalid MAC address %s", mac_str);
          return FALSE;
        }
    }
  else
    {
      memcpy (mac, rnd, 6);
      mac[0] = 0x02 | (mac[0] & 0xfc); /* locally administered, unicast, as netavark's */
    }
  macstr = g_strdup_printf ("%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
                            mac[4], mac[5]);
  veth = g_strdup_printf ("veth%02x%02x%02x%02x", rnd[6], rnd[7], rnd[8], rnd[9]);
  if (ipstr) /* not on an IPv6-only network */
    {
      g_key_file_set_string (kf, group, "ip", ipstr);
      g_key_file_set_integer (kf, group, "prefix", n->prefix);
      g_key_file_set_string (kf, group, "gateway", n->gateway);
    }
  g_key_file_set_string (kf, group, "mac", macstr);
  g_key_file_set_string (kf, group, "interface", ifname);
  g_key_file_set_string (kf, group, "veth", veth);
  g_key_file_set_string (kf, group, "bridge", n->iface);
  g_key_file_set_boolean (kf, group, "internal", n->internal);
  g_key_file_set_boolean (kf, group, "dns", n->dns_enabled);
  if (aliases && *aliases)
    g_key_file_set_string_list (kf, group, "aliases", (const char *const *) aliases,
                                g_strv_length (aliases));
  return TRUE;
}

/* The veth pair of @n's group of @kf, on the bridge here and configured in
 * the namespace @nsfd (@inner: a socket there); with @route the default
 * route through the gateway. */
static gboolean
plug_network (NetLink *nl, NetLink *inner, int nsfd, GKeyFile *kf, const NetNetwork *n,
              gboolean route, GError **error)
{
  g_autofree char *group = g_strconcat (NET_PREFIX, n->name, NULL);
  g_autofree char *veth = g_key_file_get_string (kf, group, "veth", NULL);
  g_autofree char *ifname = g_key_file_get_string (kf, group, "interface", NULL);
  g_autofree char *ipstr = g_key_file_get_string (kf, group, "ip", NULL);
  g_autofree char *macstr = g_key_file_get_string (kf, group, "mac", NULL);
  g_autofree char *ip6str = g_key_file_get_string (kf, group, "ip6", NULL);
  guint32 ip = 0, gw = 0;
  struct in6_addr ip6, gw6;
  gboolean v6 = ip6str && net_parse_ip6 (ip6str, &ip6) && net_parse_ip6 (n->gateway6, &gw6);
  guint8 mac[6];
  net_parse_ip4 (ipstr, &ip);
  net_parse_ip4 (n->gateway, &gw);
  net_mac_parse (macstr, mac);
  if (!netlink_veth_create (nl, veth, n->iface, ifname, nsfd, mac, n->mtu, error))
    return FALSE;
  if (v6)
    {
      /* As netavark: no DAD (the address would stay tentative for a
       * second, unusable) and no autoconfiguration in the container, IPv6
       * on even where the host's default turns it off; no DAD on the host's
       * end either. */
      g_autofree char *off = g_strdup_printf ("net/ipv6/conf/%s/disable_ipv6", ifname);
      g_autofree char *dad = g_strdup_printf ("net/ipv6/conf/%s/accept_dad", ifname);
      g_autofree char *autoconf = g_strdup_printf ("net/ipv6/conf/%s/autoconf", ifname);
      g_autofree char *host_dad = g_strdup_printf ("net/ipv6/conf/%s/accept_dad", veth);
      if (!netlink_sysctl (host_dad, "0", error)
          || !netlink_sysctls (nsfd, (const char *const[]){ off, "0", dad, "0", autoconf, "0", NULL },
                               error))
        return FALSE;
    }
  return netlink_configure (inner, ifname, ip, n->prefix, route && !n->internal ? gw : 0,
                            v6 ? &ip6 : NULL, n->prefix6,
                            route && !n->internal ? &gw6 : NULL, error);
}

int
net_open_netns (pid_t pid, GError **error)
{
  char nspath[64];
  int fd;
  snprintf (nspath, sizeof nspath, "/proc/%d/ns/net", (int) pid);
  fd = open (nspath, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "%s: %s", nspath, g_strerror (errno));
  return fd;
}

gboolean
net_attach (const char *root, const char *runroot, const NetAttachSpec *spec, pid_t pid,
            NetAttachResult *result, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (GPtrArray) nets = g_ptr_array_new_with_free_func ((GDestroyNotify) net_network_free);
  g_autoptr (NetLink) nl = NULL;
  g_autoptr (NetLink) inner = NULL;
  int lfd, nsfd = -1;
  gboolean recorded = FALSE, firewalled = FALSE;
  guint reclaimed = 0;
  guint64 start = process_start_time (pid);

  memset (result, 0, sizeof *result);
  lfd = lock_state (runroot, error);
  if (lfd < 0)
    return FALSE;
  records = load_records (runroot, &reclaimed);
  g_key_file_set_integer (kf, GROUP_CTR, "pid", pid);
  {
    g_autofree char *st = g_strdup_printf ("%" G_GUINT64_FORMAT, start);
    g_key_file_set_string (kf, GROUP_CTR, "starttime", st);
  }
  g_key_file_set_string (kf, GROUP_CTR, "name", spec->name ? spec->name : "");
  if (spec->ports && *spec->ports)
    g_key_file_set_string_list (kf, GROUP_CTR, "ports", (const char *const *) spec->ports,
                                g_strv_length (spec->ports));
  if (!check_ports (records, spec->ports, error))
    goto fail;
  for (guint i = 0; spec->networks && spec->networks[i]; i++)
    {
      g_autofree char *ifname = g_strdup_printf ("eth%u", i);
      NetNetwork *n = net_network_load (root, spec->networks[i], error);
      if (!n)
        goto fail;
      g_ptr_array_add (nets, n);
      if (i == 0 && !n->subnet6)
        for (char **p = spec->ports; p && *p; p++)
          if (**p == '[')
            {
              g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                           "-p %s: an IPv6 host address needs a dual-stack network (network %s "
                           "has no IPv6 subnet: create it with --ipv6)", *p, n->name);
              goto fail;
            }
      if (!record_network (kf, records, n, ifname, i == 0 ? spec->ip : NULL,
                           i == 0 ? spec->ip6 : NULL,
                           i == 0 ? spec->mac : NULL, spec->aliases, error))
        goto fail;
      if (i == 0)
        {
          g_autofree char *group = g_strconcat (NET_PREFIX, n->name, NULL);
          result->ip = g_key_file_get_string (kf, group, "ip", NULL);
          result->gateway = g_strdup (n->gateway);
          result->ip6 = g_key_file_get_string (kf, group, "ip6", NULL);
          if (n->dns_enabled && dns_server_path ())
            {
              /* aardvark-dns listens on both gateways */
              result->dns_server = g_strdup (n->gateway ? n->gateway : n->gateway6);
              result->dns_server6 = n->gateway ? g_strdup (n->gateway6) : NULL;
            }
        }
    }
  /* Recorded before anything is created: a crash from here on leaves a
   * record of a process that dies, which the next command reclaims. */
  if (!save_record (runroot, spec->id, kf, error))
    goto fail;
  recorded = TRUE;
  if (!update_firewall (root, records, reclaimed, kf, TRUE, error))
    goto fail;
  firewalled = TRUE;
  if (reclaimed > 0 || record_has_dns (kf))
    {
      Record self = { .id = (char *) spec->id, .kf = kf };
      gboolean ok;
      g_ptr_array_add (records, &self);
      ok = apply_dns (root, runroot, records, error);
      g_ptr_array_steal_index (records, records->len - 1); /* not the array's to free */
      if (!ok)
        goto fail;
    }
  /* The saved record holds the addresses and the veth names: the rest
   * (bridges, veth pairs, addresses, routes) is this container's own and
   * is done unlocked, beside other starts. Under load udevd's work for
   * each new veth makes it the slowest part of a start (tens of ms on a
   * host, seconds in a TCG guest): held under the lock it serialized every
   * concurrent start behind it. */
  close (lfd);
  lfd = -1;

  nl = netlink_open (-1, error);
  if (!nl)
    goto unplug;
  for (guint i = 0; i < nets->len; i++)
    if (!bridge_ensure (nl, nets->pdata[i], error))
      goto unplug;
  nsfd = net_open_netns (pid, error);
  if (nsfd < 0)
    goto unplug;
  if (nets->len > 0 && !(inner = netlink_open (nsfd, error)))
    goto unplug;
  /* The default route goes through the first network that has one. */
  for (guint i = 0; i < nets->len; i++)
    if (!plug_network (nl, inner, nsfd, kf, nets->pdata[i], i == 0, error))
      goto unplug;
  close (nsfd);
  return TRUE;

unplug:
  /* The record goes with its veths, firewall and DNS entries, as a
   * removal takes them (net_detach locks again). */
  if (nsfd >= 0)
    close (nsfd);
  net_detach (root, runroot, spec->id, NULL);
  net_attach_result_clear (result);
  return FALSE;

fail:
  if (recorded)
    remove_record (runroot, spec->id);
  if (firewalled)
    update_firewall (root, records, 0, kf, FALSE, NULL);
  close (lfd);
  net_attach_result_clear (result);
  return FALSE;
}

/* The live record of @id among @records, stolen from the array (the others
 * stay), or NULL. */
static Record *
take_record (GPtrArray *records, const char *id)
{
  for (guint i = 0; i < records->len; i++)
    if (g_str_equal (((Record *) records->pdata[i])->id, id))
      return g_ptr_array_steal_index (records, i);
  return NULL;
}

/* Locks the state and takes @id's live record out of the live ones
 * (@records); returns the lock's fd, or -1 (NET_ERROR_NOT_FOUND when @id
 * does not run). */
static int
lock_live_record (const char *runroot, const char *id, GPtrArray **records, Record **self,
                  GError **error)
{
  guint reclaimed;
  int lfd = lock_state (runroot, error);
  if (lfd < 0)
    return -1;
  *records = load_records (runroot, &reclaimed);
  *self = take_record (*records, id);
  if (!*self)
    {
      close (lfd);
      g_set_error (error, NET_ERROR, NET_ERROR_NOT_FOUND,
                   "container %.12s has no running network namespace", id);
      return -1;
    }
  return lfd;
}

gboolean
net_connect (const char *root, const char *runroot, const char *id, const char *net,
             const char *ip, const char *ip6, const char *mac, char **aliases, GError **error)
{
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (NetNetwork) n = NULL;
  g_autoptr (NetLink) nl = NULL;
  g_autoptr (NetLink) inner = NULL;
  g_autofree char *group = g_strconcat (NET_PREFIX, net, NULL);
  g_autofree char *ifname = NULL;
  Record *self = NULL;
  FirewallState s;
  gboolean ok = FALSE, plugged = FALSE;
  guint eth = 0;
  int nsfd = -1, lfd = lock_live_record (runroot, id, &records, &self, error);

  if (lfd < 0)
    return FALSE;
  firewall_state_init (&s);
  n = net_network_load (root, net, error);
  if (!n)
    goto out;
  if (g_key_file_has_group (self->kf, group))
    {
      g_set_error (error, NET_ERROR, NET_ERROR_EXISTS,
                   "container %.12s is already connected to network %s", id, net);
      goto out;
    }
  {
    /* the next free ethN */
    g_auto (GStrv) nets = record_networks (self->kf);
    for (gboolean taken = TRUE; taken; eth += taken)
      {
        g_autofree char *want = g_strdup_printf ("eth%u", eth);
        taken = FALSE;
        for (char **gr = nets; *gr && !taken; gr++)
          {
            g_autofree char *have = g_key_file_get_string (self->kf, *gr, "interface", NULL);
            taken = g_strcmp0 (have, want) == 0;
          }
      }
    ifname = g_strdup_printf ("eth%u", eth);
  }
  g_ptr_array_add (records, self); /* its addresses count as taken */
  ok = (nl = netlink_open (-1, error)) && bridge_ensure (nl, n, error)
       && record_network (self->kf, records, n, ifname, ip, ip6, mac, aliases, error);
  g_ptr_array_steal_index (records, records->len - 1);
  if (!ok)
    goto out;
  ok = FALSE;
  {
    pid_t pid = g_key_file_get_integer (self->kf, GROUP_CTR, "pid", NULL);
    nsfd = net_open_netns (pid, error);
  }
  if (nsfd < 0 || !(inner = netlink_open (nsfd, error))
      || !save_record (runroot, id, self->kf, error))
    goto out;
  plugged = TRUE;
  if (!plug_network (nl, inner, nsfd, self->kf, n, FALSE, error))
    goto out;
  if (!network_used (records, records->len, net))
    network_entries (root, self->kf, group, &s);
  if (firewall_update (&s, NULL, NULL))
    trust_update (&s, NULL);
  else
    {
      g_ptr_array_add (records, self);
      ok = apply_firewall (root, records, FALSE, error);
      g_ptr_array_steal_index (records, records->len - 1);
      if (!ok)
        goto out;
    }
  g_ptr_array_add (records, self);
  ok = !n->dns_enabled || apply_dns (root, runroot, records, error);
  g_ptr_array_steal_index (records, records->len - 1);

out:
  if (!ok && plugged)
    {
      g_autofree char *veth = g_key_file_get_string (self->kf, group, "veth", NULL);
      if (veth)
        netlink_link_delete (nl, veth, NULL);
      g_key_file_remove_group (self->kf, group, NULL);
      save_record (runroot, id, self->kf, NULL);
    }
  if (nsfd >= 0)
    close (nsfd);
  firewall_state_clear (&s);
  record_free (self);
  close (lfd);
  return ok;
}

gboolean
net_disconnect (const char *root, const char *runroot, const char *id, const char *net,
                GError **error)
{
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (NetLink) nl = NULL;
  g_autoptr (GKeyFile) after = g_key_file_new ();
  g_autofree char *group = g_strconcat (NET_PREFIX, net, NULL);
  g_autofree char *veth = NULL, *data = NULL;
  g_auto (GStrv) before_nets = NULL;
  Record *self = NULL;
  FirewallState add, del;
  gboolean ok = FALSE, first, dns;
  int lfd = lock_live_record (runroot, id, &records, &self, error);

  if (lfd < 0)
    return FALSE;
  firewall_state_init (&add);
  firewall_state_init (&del);
  if (!g_key_file_has_group (self->kf, group))
    {
      g_set_error (error, NET_ERROR, NET_ERROR_NOT_FOUND,
                   "container %.12s is not connected to network %s", id, net);
      goto out;
    }
  before_nets = record_networks (self->kf);
  first = g_str_equal (before_nets[0], group);
  dns = g_key_file_get_boolean (self->kf, group, "dns", NULL);
  veth = g_key_file_get_string (self->kf, group, "veth", NULL);
  data = g_key_file_to_data (self->kf, NULL, NULL);
  g_key_file_load_from_data (after, data, -1, G_KEY_FILE_NONE, NULL);
  g_key_file_remove_group (after, group, NULL);
  /* Its entries: the network's when no one else uses it, and the ports
   * when they pointed at its address (they follow the next network). */
  if (!network_used (records, records->len, net))
    network_entries (root, self->kf, group, &del);
  if (first)
    {
      port_entries (self->kf, &del);
      port_entries (after, &add);
    }
  if (!save_record (runroot, id, after, error))
    goto out;
  if ((nl = netlink_open (-1, error)) == NULL || (veth && !netlink_link_delete (nl, veth, error)))
    goto out;
  if (firewall_update (&add, &del, NULL))
    trust_update (&add, &del);
  else
    {
      Record now = { .id = self->id, .kf = after };
      g_ptr_array_add (records, &now);
      ok = apply_firewall (root, records, FALSE, error);
      g_ptr_array_steal_index (records, records->len - 1);
      if (!ok)
        goto out;
    }
  {
    Record now = { .id = self->id, .kf = after };
    g_ptr_array_add (records, &now);
    ok = !dns || apply_dns (root, runroot, records, error);
    g_ptr_array_steal_index (records, records->len - 1);
  }

out:
  firewall_state_clear (&add);
  firewall_state_clear (&del);
  record_free (self);
  close (lfd);
  return ok;
}

void
net_attach_result_clear (NetAttachResult *r)
{
  g_clear_pointer (&r->ip, g_free);
  g_clear_pointer (&r->gateway, g_free);
  g_clear_pointer (&r->ip6, g_free);
  g_clear_pointer (&r->dns_server, g_free);
  g_clear_pointer (&r->dns_server6, g_free);
}

gboolean
net_detach (const char *root, const char *runroot, const char *id, GError **error)
{
  g_autofree char *dir = state_dir (runroot);
  g_autofree char *path = g_build_filename (dir, id, NULL);
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (NetLink) nl = NULL;
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  gboolean had, ok;
  guint reclaimed;
  int lfd;

  net_pasta_stop (runroot, id);
  if (access (path, F_OK) != 0)
    return TRUE;
  lfd = lock_state (runroot, error);
  if (lfd < 0)
    return FALSE;
  had = g_key_file_load_from_file (kf, path, G_KEY_FILE_NONE, NULL);
  unlink (path);
  /* The veths of a container that exited go with its network namespace,
   * which the kernel tears down on its own (deleting them here would wait
   * for that: 20-30 ms). Those of a live one (`network disconnect`, a
   * failed start) are deleted now. */
  if (had && record_alive (kf) && (nl = netlink_open (-1, NULL)))
    {
      g_auto (GStrv) nets = record_networks (kf);
      for (char **gr = nets; *gr; gr++)
        {
          g_autofree char *veth = g_key_file_get_string (kf, *gr, "veth", NULL);
          if (veth)
            netlink_link_delete (nl, veth, NULL);
        }
    }
  records = load_records (runroot, &reclaimed);
  ok = had ? update_firewall (root, records, reclaimed, kf, FALSE, error)
           : apply_firewall (root, records, FALSE, error);
  if (ok && (!had || reclaimed > 0 || record_has_dns (kf)))
    ok = apply_dns (root, runroot, records, error);
  close (lfd);
  return ok;
}

gboolean
net_sync (const char *root, const char *runroot, GError **error)
{
  g_autoptr (GPtrArray) records = NULL;
  g_autoptr (NetLink) nl = NULL;
  g_autoptr (GHashTable) done = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean ok = TRUE;
  guint reclaimed;
  int lfd = lock_state (runroot, error);
  if (lfd < 0)
    return FALSE;
  records = load_records (runroot, &reclaimed);
  for (guint i = 0; i < records->len && ok; i++)
    {
      g_auto (GStrv) nets = record_networks (((Record *) records->pdata[i])->kf);
      for (char **gr = nets; *gr && ok; gr++)
        {
          const char *name = *gr + strlen (NET_PREFIX);
          g_autoptr (NetNetwork) n = NULL;
          if (!g_hash_table_add (done, g_strdup (name)))
            continue;
          n = net_network_load (root, name, NULL);
          if (n && (nl || (nl = netlink_open (-1, error))))
            ok = bridge_ensure (nl, n, error);
          else if (n)
            ok = FALSE;
        }
    }
  ok = ok && apply_firewall (root, records, TRUE, error) && apply_dns (root, runroot, records, error);
  close (lfd);
  return ok;
}

GPtrArray *
net_network_users (const char *runroot, const char *name)
{
  g_autoptr (GPtrArray) records = NULL;
  g_autofree char *group = g_strconcat (NET_PREFIX, name, NULL);
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  guint reclaimed;
  int lfd = lock_state (runroot, NULL);
  if (lfd < 0)
    return out;
  records = load_records (runroot, &reclaimed);
  close (lfd);
  for (guint i = 0; i < records->len; i++)
    if (g_key_file_has_group (((Record *) records->pdata[i])->kf, group))
      g_ptr_array_add (out, g_strdup (((Record *) records->pdata[i])->id));
  return out;
}
