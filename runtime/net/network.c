/* SPDX-License-Identifier: Apache-2.0 */
/* Network definitions in netavark's JSON schema (see network.h). */
#include "net/network.h"
#include "names.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <json-glib/json-glib.h>

G_DEFINE_QUARK (podunit-net-error-quark, net_error)

void
net_network_free (NetNetwork *n)
{
  if (!n)
    return;
  g_free (n->name);
  g_free (n->id);
  g_free (n->driver);
  g_free (n->iface);
  g_free (n->created);
  g_free (n->subnet);
  g_free (n->gateway);
  g_free (n->range_start);
  g_free (n->range_end);
  g_free (n->subnet6);
  g_free (n->gateway6);
  g_free (n->range6_start);
  g_free (n->range6_end);
  g_strfreev (n->labels);
  g_free (n);
}

/* podman's rule (lib/names.c, shared with containers and volumes), and at
 * most 200 characters. */
gboolean
net_name_valid (const char *name)
{
  return name_check ("network", name, NULL) && strlen (name) <= 200;
}

gboolean
net_parse_ip4 (const char *s, guint32 *out)
{
  struct in_addr a;
  if (!s || inet_pton (AF_INET, s, &a) != 1)
    return FALSE;
  *out = ntohl (a.s_addr);
  return TRUE;
}

char *
net_ip4_to_string (guint32 ip)
{
  struct in_addr a = { .s_addr = htonl (ip) };
  char buf[INET_ADDRSTRLEN];
  return g_strdup (inet_ntop (AF_INET, &a, buf, sizeof buf));
}

/* "ADDR/PREFIX" with PREFIX in 0-@max: ADDR (to free) and PREFIX. */
static char *
split_cidr (const char *s, int max, int *prefix)
{
  const char *slash = s ? strchr (s, '/') : NULL;
  char *end;
  long p;
  if (!slash)
    return NULL;
  p = strtol (slash + 1, &end, 10);
  if (*end || end == slash + 1 || p < 0 || p > max || !g_ascii_isdigit (slash[1]))
    return NULL;
  *prefix = (int) p;
  return g_strndup (s, slash - s);
}

gboolean
net_parse_cidr (const char *s, guint32 *net, guint32 *mask, int *prefix)
{
  int p;
  g_autofree char *addr = split_cidr (s, 32, &p);
  guint32 ip;
  if (!addr || !net_parse_ip4 (addr, &ip))
    return FALSE;
  *prefix = (int) p;
  *mask = p == 0 ? 0 : 0xffffffffu << (32 - p);
  *net = ip & *mask;
  return TRUE;
}

gboolean
net_parse_ip6 (const char *s, struct in6_addr *out)
{
  return s && strchr (s, ':') && inet_pton (AF_INET6, s, out) == 1;
}

char *
net_ip6_to_string (const struct in6_addr *ip)
{
  char buf[INET6_ADDRSTRLEN];
  return g_strdup (inet_ntop (AF_INET6, ip, buf, sizeof buf));
}

gboolean
net_ip6_in (const struct in6_addr *ip, const struct in6_addr *net, int prefix)
{
  for (int i = 0; i < 16; i++)
    {
      int bits = CLAMP (prefix - 8 * i, 0, 8);
      guint8 mask = bits ? (guint8) (0xff << (8 - bits)) : 0;
      if ((ip->s6_addr[i] & mask) != (net->s6_addr[i] & mask))
        return FALSE;
    }
  return TRUE;
}

void
net_ip6_last (const struct in6_addr *net, int prefix, struct in6_addr *out)
{
  *out = *net;
  for (int i = 0; i < 16; i++)
    {
      int bits = CLAMP (prefix - 8 * i, 0, 8);
      out->s6_addr[i] |= bits ? (guint8) (0xff >> bits) : 0xff;
    }
}

gboolean
net_ip6_next (struct in6_addr *ip)
{
  for (int i = 15; i >= 0; i--)
    if (++ip->s6_addr[i] != 0)
      return TRUE;
  return FALSE;
}

gboolean
net_parse_cidr6 (const char *s, struct in6_addr *net, int *prefix)
{
  int p;
  g_autofree char *addr = split_cidr (s, 128, &p);
  struct in6_addr ip;
  if (!addr || !net_parse_ip6 (addr, &ip))
    return FALSE;
  *net = ip; /* with the host bits cleared: */
  for (int i = 0; i < 16; i++)
    {
      int bits = CLAMP ((int) p - 8 * i, 0, 8);
      net->s6_addr[i] &= bits ? (guint8) (0xff << (8 - bits)) : 0;
    }
  *prefix = (int) p;
  return TRUE;
}

void
net_ip6_random_ula (struct in6_addr *out)
{
  memset (out, 0, sizeof *out);
  out->s6_addr[0] = 0xfd;
  for (int i = 1; i < 8; i++)
    out->s6_addr[i] = g_random_int () & 0xff;
}

static char *
networks_dir (const char *root)
{
  return g_build_filename (root, "networks", NULL);
}

static char *
network_file (const char *root, const char *name)
{
  g_autofree char *f = g_strconcat (name, ".json", NULL);
  return g_build_filename (root, "networks", f, NULL);
}

/* The parsed subnet of @n; FALSE (with @error) when it is not usable. */
static gboolean
complete_subnet (NetNetwork *n, GError **error)
{
  if (!net_parse_cidr (n->subnet, &n->net4, &n->mask4, &n->prefix) || n->prefix > 30)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                   "invalid subnet %s: expected an IPv4 network of at most /30", n->subnet);
      return FALSE;
    }
  return TRUE;
}

static NetNetwork *
default_network (void)
{
  NetNetwork *n = g_new0 (NetNetwork, 1);
  n->name = g_strdup (NET_DEFAULT_NAME);
  /* podman's default network id: 64 hex from its name's hash. */
  n->id = g_compute_checksum_for_string (G_CHECKSUM_SHA256, NET_DEFAULT_NAME, -1);
  n->driver = g_strdup ("bridge");
  n->iface = g_strdup (NET_DEFAULT_IFACE);
  n->created = g_strdup ("1970-01-01T00:00:00Z");
  n->subnet = g_strdup (NET_DEFAULT_SUBNET);
  n->gateway = g_strdup ("10.88.0.1");
  n->labels = g_new0 (char *, 1);
  complete_subnet (n, NULL);
  return n;
}

/* {"subnet": ..., "gateway": ..., "lease_range": {...}} as netavark has it. */
static void
subnet_json (JsonBuilder *b, const char *subnet, const char *gateway, const char *start,
             const char *end)
{
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "subnet");
  json_builder_add_string_value (b, subnet);
  json_builder_set_member_name (b, "gateway");
  json_builder_add_string_value (b, gateway);
  if (start)
    {
      json_builder_set_member_name (b, "lease_range");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "start_ip");
      json_builder_add_string_value (b, start);
      json_builder_set_member_name (b, "end_ip");
      json_builder_add_string_value (b, end);
      json_builder_end_object (b);
    }
  json_builder_end_object (b);
}

char *
net_network_to_json (const NetNetwork *n)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autoptr (JsonGenerator) gen = json_generator_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, n->name);
  json_builder_set_member_name (b, "id");
  json_builder_add_string_value (b, n->id);
  json_builder_set_member_name (b, "driver");
  json_builder_add_string_value (b, n->driver);
  json_builder_set_member_name (b, "network_interface");
  json_builder_add_string_value (b, n->iface);
  json_builder_set_member_name (b, "created");
  json_builder_add_string_value (b, n->created);
  json_builder_set_member_name (b, "subnets");
  json_builder_begin_array (b);
  if (n->subnet6 && n->v6_first)
    subnet_json (b, n->subnet6, n->gateway6, n->range6_start, n->range6_end);
  if (n->subnet)
    subnet_json (b, n->subnet, n->gateway, n->range_start, n->range_end);
  if (n->subnet6 && !n->v6_first)
    subnet_json (b, n->subnet6, n->gateway6, n->range6_start, n->range6_end);
  json_builder_end_array (b);
  json_builder_set_member_name (b, "ipv6_enabled");
  json_builder_add_boolean_value (b, n->subnet6 != NULL);
  json_builder_set_member_name (b, "internal");
  json_builder_add_boolean_value (b, n->internal);
  json_builder_set_member_name (b, "dns_enabled");
  json_builder_add_boolean_value (b, n->dns_enabled);
  if (n->labels && *n->labels)
    {
      json_builder_set_member_name (b, "labels");
      json_builder_begin_object (b);
      for (char **l = n->labels; *l; l++)
        {
          const char *eq = strchr (*l, '=');
          g_autofree char *k = eq ? g_strndup (*l, eq - *l) : g_strdup (*l);
          json_builder_set_member_name (b, k);
          json_builder_add_string_value (b, eq ? eq + 1 : "");
        }
      json_builder_end_object (b);
    }
  if (n->mtu > 0)
    {
      g_autofree char *mtu = g_strdup_printf ("%d", n->mtu);
      json_builder_set_member_name (b, "options");
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "mtu");
      json_builder_add_string_value (b, mtu);
      json_builder_end_object (b);
    }
  json_builder_set_member_name (b, "ipam_options");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "driver");
  json_builder_add_string_value (b, "host-local");
  json_builder_end_object (b);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  json_generator_set_indent (gen, 5);
  return json_generator_to_data (gen, NULL);
}

static const char *
member_str (JsonObject *o, const char *key)
{
  JsonNode *n = o ? json_object_get_member (o, key) : NULL;
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
             ? json_node_get_string (n)
             : NULL;
}

static gboolean
member_bool (JsonObject *o, const char *key)
{
  JsonNode *n = json_object_get_member (o, key);
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_BOOLEAN
         && json_node_get_boolean (n);
}

static NetNetwork *
network_from_file (const char *path, GError **error)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  g_autoptr (NetNetwork) n = g_new0 (NetNetwork, 1);
  JsonObject *o, *opts, *labels;
  JsonArray *subnets;

  if (!json_parser_load_from_file (p, path, error))
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
    goto bad;
  o = json_node_get_object (json_parser_get_root (p));
  subnets = json_object_has_member (o, "subnets") ? json_object_get_array_member (o, "subnets")
                                                  : NULL;
  /* the first subnet of each family */
  for (guint i = 0; subnets && i < json_array_get_length (subnets); i++)
    {
      JsonObject *sub = json_array_get_object_element (subnets, i);
      const char *net = member_str (sub, "subnet");
      gboolean v6 = net && strchr (net, ':');
      JsonObject *r = sub && json_object_has_member (sub, "lease_range")
                          ? json_object_get_object_member (sub, "lease_range")
                          : NULL;
      if (!net || (v6 ? n->subnet6 != NULL : n->subnet != NULL))
        continue;
      n->v6_first |= v6 && !n->subnet;
      *(v6 ? &n->subnet6 : &n->subnet) = g_strdup (net);
      *(v6 ? &n->gateway6 : &n->gateway) = g_strdup (member_str (sub, "gateway"));
      *(v6 ? &n->range6_start : &n->range_start) = g_strdup (member_str (r, "start_ip"));
      *(v6 ? &n->range6_end : &n->range_end) = g_strdup (member_str (r, "end_ip"));
    }
  if (!member_str (o, "name") || (!n->subnet && !n->subnet6))
    goto bad;
  n->name = g_strdup (member_str (o, "name"));
  n->id = g_strdup (member_str (o, "id") ? member_str (o, "id") : "");
  n->driver = g_strdup (member_str (o, "driver") ? member_str (o, "driver") : "bridge");
  n->iface = g_strdup (member_str (o, "network_interface"));
  n->created = g_strdup (member_str (o, "created") ? member_str (o, "created") : "");
  n->internal = member_bool (o, "internal");
  n->dns_enabled = member_bool (o, "dns_enabled");
  opts = json_object_has_member (o, "options") ? json_object_get_object_member (o, "options")
                                               : NULL;
  if (member_str (opts, "mtu"))
    n->mtu = atoi (member_str (opts, "mtu"));
  labels = json_object_has_member (o, "labels") ? json_object_get_object_member (o, "labels")
                                                : NULL;
  {
    g_autoptr (GPtrArray) l = g_ptr_array_new ();
    g_autoptr (GList) keys = labels ? json_object_get_members (labels) : NULL;
    for (GList *k = keys; k; k = k->next)
      g_ptr_array_add (l, g_strconcat (k->data, "=", member_str (labels, k->data) ?: "", NULL));
    g_ptr_array_add (l, NULL);
    n->labels = (char **) g_ptr_array_free (g_steal_pointer (&l), FALSE);
  }
  if (!n->iface || (n->subnet && (!n->gateway || !complete_subnet (n, NULL)))
      || (n->subnet6 && (!n->gateway6 || !net_parse_cidr6 (n->subnet6, &n->net6, &n->prefix6))))
    goto bad;
  return g_steal_pointer (&n);

bad:
  g_set_error (error, NET_ERROR, NET_ERROR_INVALID, "%s: not a network definition", path);
  return NULL;
}

NetNetwork *
net_network_load (const char *root, const char *name, GError **error)
{
  g_autofree char *path = NULL;
  if (!net_name_valid (name))
    {
      g_set_error (error, NET_ERROR, NET_ERROR_NOT_FOUND, "unable to find network with name or ID %s: network not found", name);
      return NULL;
    }
  path = network_file (root, name);
  if (access (path, F_OK) != 0)
    {
      if (g_str_equal (name, NET_DEFAULT_NAME))
        return default_network ();
      /* podman's default network is "podman": scripts name it so */
      if (g_str_equal (name, NET_DEFAULT_ALIAS))
        return net_network_load (root, NET_DEFAULT_NAME, error);
      g_set_error (error, NET_ERROR, NET_ERROR_NOT_FOUND,
                   "unable to find network with name or ID %s: network not found", name);
      return NULL;
    }
  return network_from_file (path, error);
}

static gint
by_name (gconstpointer a, gconstpointer b)
{
  const NetNetwork *x = *(NetNetwork **) a, *y = *(NetNetwork **) b;
  if (g_str_equal (x->name, NET_DEFAULT_NAME) != g_str_equal (y->name, NET_DEFAULT_NAME))
    return g_str_equal (x->name, NET_DEFAULT_NAME) ? -1 : 1;
  return strcmp (x->name, y->name);
}

GPtrArray *
net_network_list (const char *root, GError **error)
{
  g_autofree char *dir = networks_dir (root);
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) net_network_free);
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  const char *e;
  gboolean have_default = FALSE;

  while (d && (e = g_dir_read_name (d)))
    {
      g_autofree char *path = NULL;
      NetNetwork *n;
      if (!g_str_has_suffix (e, ".json") || e[0] == '.')
        continue;
      path = g_build_filename (dir, e, NULL);
      n = network_from_file (path, NULL);
      if (!n)
        continue; /* a foreign or broken file: skipped, as podman does */
      have_default |= g_str_equal (n->name, NET_DEFAULT_NAME);
      g_ptr_array_add (out, n);
    }
  if (!have_default)
    g_ptr_array_add (out, default_network ());
  g_ptr_array_sort (out, by_name);
  return g_steal_pointer (&out);
}

int
net_lock_dir (const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "lock", NULL);
  int fd;
  if (g_mkdir_with_parents (dir, 0700) < 0
      || (fd = open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "%s: %s", path, g_strerror (errno));
      return -1;
    }
  while (flock (fd, LOCK_EX) < 0 && errno == EINTR)
    ;
  return fd;
}

/* flock on ROOT/networks/lock; -1 on failure. */
static int
lock_networks (const char *root, GError **error)
{
  g_autofree char *dir = networks_dir (root);
  return net_lock_dir (dir, error);
}

static gboolean
overlaps (const NetNetwork *a, guint32 net, guint32 mask)
{
  if (!a->subnet)
    return FALSE; /* IPv6 only */
  guint32 m = a->mask4 & mask; /* the shorter prefix */
  return (a->net4 & m) == (net & m);
}

static char *
rfc3339_now (void)
{
  g_autoptr (GDateTime) now = g_date_time_new_now_local ();
  return g_date_time_format (now, "%Y-%m-%dT%H:%M:%S.%f%:z");
}

/* @n's IPv4 subnet: @sub, or the next free 10.89.N.0/24 as podman picks
 * it; its gateway @gw (or the first address) and range @range. */
static gboolean
complete_ipv4 (NetNetwork *n, GPtrArray *all, const char *sub4, const char *gw4,
               const char *range4, GError **error)
{
  if (sub4)
    {
      n->subnet = g_strdup (sub4);
      if (!complete_subnet (n, error))
        return FALSE;
      g_autofree char *ip = net_ip4_to_string (n->net4);
      g_free (n->subnet);
      n->subnet = g_strdup_printf ("%s/%d", ip, n->prefix);
    }
  else
    /* The next free 10.89.N.0/24, as podman. */
    for (guint32 third = 0;; third++)
      {
        guint32 net = (10u << 24) | (89u << 16) | (third << 8);
        gboolean used = FALSE;
        if (third > 255)
          {
            g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "no free subnet in 10.89.0.0/16");
            return FALSE;
          }
        for (guint k = 0; k < all->len; k++)
          used |= overlaps (all->pdata[k], net, 0xffffff00u);
        if (used)
          continue;
        g_autofree char *ip = net_ip4_to_string (net);
        n->subnet = g_strdup_printf ("%s/24", ip);
        complete_subnet (n, NULL);
        break;
      }
  for (guint k = 0; k < all->len; k++)
    if (overlaps (all->pdata[k], n->net4, n->mask4))
      {
        g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                     "subnet %s is already used on the host or by another config", n->subnet);
        return FALSE;
      }
  {
    guint32 gw, bcast = n->net4 | ~n->mask4;
    if (gw4)
      {
        if (!net_parse_ip4 (gw4, &gw) || (gw & n->mask4) != n->net4 || gw == n->net4
            || gw == bcast)
          {
            g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                         "gateway %s is not a host address of subnet %s", gw4, n->subnet);
            return FALSE;
          }
      }
    else
      gw = n->net4 + 1;
    n->gateway = net_ip4_to_string (gw);
    if (range4)
      {
        guint32 rnet, rmask;
        int rprefix;
        if (!net_parse_cidr (range4, &rnet, &rmask, &rprefix) || rprefix < n->prefix
            || (rnet & n->mask4) != n->net4)
          {
            g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                         "--ip-range %s is not a range inside subnet %s", range4, n->subnet);
            return FALSE;
          }
        n->range_start = net_ip4_to_string (MAX (rnet, n->net4 + 1));
        n->range_end = net_ip4_to_string (MIN (rnet | ~rmask, bcast - 1));
      }
  }
  return TRUE;
}

/* The Nth --gateway and --ip-range go with the Nth --subnet (podman);
 * one subnet of each family. */
static gboolean
split_subnets (const NetCreateSpec *spec, const char **sub4, const char **gw4,
               const char **range4, const char **sub6, const char **gw6, const char **range6,
               GError **error)
{
  guint nsub = spec->subnets ? g_strv_length (spec->subnets) : 0;
  guint ngw = spec->gateways ? g_strv_length (spec->gateways) : 0;
  guint nrange = spec->ip_ranges ? g_strv_length (spec->ip_ranges) : 0;
  *sub4 = *gw4 = *range4 = *sub6 = *gw6 = *range6 = NULL;
  if (ngw > nsub || nrange > nsub)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID, "cannot set more %s than subnets",
                   ngw > nsub ? "gateways" : "ranges");
      return FALSE;
    }
  for (guint i = 0; i < nsub; i++)
    {
      const char *net = spec->subnets[i];
      gboolean v6 = strchr (net, ':') != NULL;
      const char **sub = v6 ? sub6 : sub4;
      if (*sub)
        {
          g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                       "subnets %s and %s: podunit has one IPv4 and one IPv6 subnet a network",
                       *sub, net);
          return FALSE;
        }
      *sub = net;
      *(v6 ? gw6 : gw4) = i < ngw ? spec->gateways[i] : NULL;
      *(v6 ? range6 : range4) = i < nrange ? spec->ip_ranges[i] : NULL;
    }
  return TRUE;
}

static gboolean
overlaps6 (const NetNetwork *a, const struct in6_addr *net, int prefix)
{
  return a->subnet6 && net_ip6_in (net, &a->net6, MIN (a->prefix6, prefix));
}

/* @n's IPv6 subnet: @sub, or a random unique local /64 that none of @all
 * overlaps (as podman: at most 10,000 tries); its gateway @gw (or the
 * first address) and range @range (a CIDR inside it). */
static gboolean
complete_ipv6 (NetNetwork *n, GPtrArray *all, const char *sub, const char *gw,
               const char *range, GError **error)
{
  struct in6_addr last, a;
  g_autofree char *net = NULL;
  if (sub)
    {
      if (!net_parse_cidr6 (sub, &n->net6, &n->prefix6) || n->prefix6 > 126)
        {
          g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                       "invalid subnet %s: expected an IPv6 network of at most /126", sub);
          return FALSE;
        }
    }
  else
    for (int tries = 0;; tries++)
      {
        gboolean used = FALSE;
        if (tries == 10000)
          {
            g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "failed to get a free IPv6 subnet");
            return FALSE;
          }
        net_ip6_random_ula (&n->net6);
        n->prefix6 = 64;
        for (guint k = 0; k < all->len && !used; k++)
          used = overlaps6 (all->pdata[k], &n->net6, 64);
        if (!used)
          break;
      }
  net = net_ip6_to_string (&n->net6);
  n->subnet6 = g_strdup_printf ("%s/%d", net, n->prefix6);
  for (guint k = 0; k < all->len; k++)
    if (overlaps6 (all->pdata[k], &n->net6, n->prefix6))
      {
        g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                     "subnet %s is already used on the host or by another config", n->subnet6);
        return FALSE;
      }
  net_ip6_last (&n->net6, n->prefix6, &last);
  if (gw)
    {
      if (!net_parse_ip6 (gw, &a) || !net_ip6_in (&a, &n->net6, n->prefix6)
          || !memcmp (&a, &n->net6, sizeof a) || !memcmp (&a, &last, sizeof a))
        {
          g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                       "gateway %s is not a host address of subnet %s", gw, n->subnet6);
          return FALSE;
        }
    }
  else
    {
      a = n->net6;
      net_ip6_next (&a);
    }
  n->gateway6 = net_ip6_to_string (&a);
  if (range)
    {
      struct in6_addr rnet, rlast, first = n->net6;
      int rprefix;
      if (!net_parse_cidr6 (range, &rnet, &rprefix) || rprefix < n->prefix6
          || !net_ip6_in (&rnet, &n->net6, n->prefix6))
        {
          g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                       "--ip-range %s is not a range inside subnet %s", range, n->subnet6);
          return FALSE;
        }
      net_ip6_last (&rnet, rprefix, &rlast);
      net_ip6_next (&first);
      if (memcmp (&rnet, &first, sizeof rnet) < 0)
        rnet = first;
      if (!memcmp (&rlast, &last, sizeof rlast))
        rlast.s6_addr[15]--; /* not the last address (all host bits set) */
      n->range6_start = net_ip6_to_string (&rnet);
      n->range6_end = net_ip6_to_string (&rlast);
    }
  return TRUE;
}

NetNetwork *
net_network_create (const char *root, const NetCreateSpec *spec, gboolean ignore, GError **error)
{
  g_autoptr (NetNetwork) n = g_new0 (NetNetwork, 1);
  g_autoptr (GPtrArray) all = NULL;
  g_autofree char *path = NULL, *json = NULL;
  const char *sub4, *gw4, *range4, *sub6, *gw6, *range6;
  int lfd;
  gboolean ok;

  if (spec->driver && !g_str_equal (spec->driver, "bridge"))
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                   "unsupported driver %s: podunit has the bridge driver", spec->driver);
      return NULL;
    }
  if (spec->name && !net_name_valid (spec->name))
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                   "network name %s invalid: names must match [a-zA-Z0-9][a-zA-Z0-9_.-]*: "
                   "invalid argument", spec->name);
      return NULL;
    }
  if (spec->iface && (strlen (spec->iface) >= 16 || !net_name_valid (spec->iface)))
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID, "invalid interface name %s", spec->iface);
      return NULL;
    }
  for (char **o = spec->opts; o && *o; o++)
    {
      char *end;
      if (g_str_has_prefix (*o, "mtu="))
        {
          long mtu = strtol (*o + 4, &end, 10);
          if (*end || end == *o + 4 || mtu < 68 || mtu > 65535)
            {
              g_set_error (error, NET_ERROR, NET_ERROR_INVALID, "invalid mtu in %s", *o);
              return NULL;
            }
          n->mtu = (int) mtu;
        }
      else
        {
          g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                       "unsupported bridge network option %s", *o);
          return NULL;
        }
    }
  if (!split_subnets (spec, &sub4, &gw4, &range4, &sub6, &gw6, &range6, error))
    return NULL;

  lfd = lock_networks (root, error);
  if (lfd < 0)
    return NULL;
  all = net_network_list (root, NULL);
  if (spec->name)
    for (guint i = 0; i < all->len; i++)
      {
        NetNetwork *o = all->pdata[i];
        if (g_str_equal (o->name, spec->name))
          {
            close (lfd);
            if (ignore)
              {
                g_ptr_array_steal_index (all, i);
                return o;
              }
            g_set_error (error, NET_ERROR, NET_ERROR_EXISTS,
                         "network name %s already used: network already exists", spec->name);
            return NULL;
          }
      }
  /* podman numbers unnamed networks and their interfaces alike: the
   * first N free as both. */
  for (int i = 1; !spec->name || !spec->iface; i++)
    {
      g_autofree char *cand = g_strdup_printf ("podunit%d", i);
      gboolean used = FALSE;
      for (guint k = 0; k < all->len; k++)
        {
          NetNetwork *o = all->pdata[k];
          used |= g_str_equal (o->iface, cand) || g_str_equal (o->name, cand);
        }
      if (used)
        continue;
      if (!spec->name)
        n->name = g_steal_pointer (&cand);
      else
        n->iface = g_steal_pointer (&cand);
      if (!spec->name && !spec->iface)
        n->iface = g_strdup (n->name);
      break;
    }
  if (spec->name)
    n->name = g_strdup (spec->name);
  if (spec->iface)
    n->iface = g_strdup (spec->iface);
  for (guint k = 0; k < all->len; k++)
    if (g_str_equal (((NetNetwork *) all->pdata[k])->iface, n->iface))
      {
        close (lfd);
        g_set_error (error, NET_ERROR, NET_ERROR_EXISTS,
                     "bridge name %s already in use", n->iface);
        return NULL;
      }

  /* an IPv6 --subnet alone (no --ipv6): IPv6 only, as podman */
  if ((sub4 || !sub6 || spec->ipv6) && !complete_ipv4 (n, all, sub4, gw4, range4, error))
    goto fail;
  if ((spec->ipv6 || sub6) && !complete_ipv6 (n, all, sub6, gw6, range6, error))
    goto fail;
  n->v6_first = spec->subnets && spec->subnets[0] && strchr (spec->subnets[0], ':');
  n->driver = g_strdup ("bridge");
  n->internal = spec->internal;
  n->dns_enabled = !spec->disable_dns;
  n->labels = g_strdupv (spec->labels ? spec->labels : (char *[]){ NULL });
  n->created = rfc3339_now ();
  {
    g_autofree char *seed = g_strdup_printf ("%s %s %" G_GINT64_FORMAT, n->name, n->created,
                                             g_get_real_time ());
    n->id = g_compute_checksum_for_string (G_CHECKSUM_SHA256, seed, -1);
  }
  json = net_network_to_json (n);
  path = network_file (root, n->name);
  ok = g_file_set_contents (path, json, -1, error);
  close (lfd);
  if (!ok)
    return NULL;
  return g_steal_pointer (&n);

fail:
  close (lfd);
  return NULL;
}

gboolean
net_network_remove (const char *root, const char *name, GError **error)
{
  g_autofree char *path = NULL;
  if (g_str_equal (name, NET_DEFAULT_NAME))
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                   "default network %s cannot be removed", name);
      return FALSE;
    }
  path = net_name_valid (name) ? network_file (root, name) : NULL;
  if (!path || unlink (path) < 0)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_NOT_FOUND,
                   "unable to find network with name or ID %s: network not found", name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
addr_in_list (const struct in6_addr *ip, const struct in6_addr *list, guint n)
{
  for (guint i = 0; i < n; i++)
    if (!memcmp (ip, &list[i], sizeof *ip))
      return TRUE;
  return FALSE;
}

static void
v4_mapped (guint32 ip, struct in6_addr *out)
{
  memset (out, 0, sizeof *out);
  out->s6_addr[10] = out->s6_addr[11] = 0xff;
  ip = htonl (ip);
  memcpy (out->s6_addr + 12, &ip, 4);
}

gboolean
net_addr_parse (int family, const char *s, struct in6_addr *out)
{
  guint32 v;
  if (family == AF_INET6)
    return net_parse_ip6 (s, out);
  if (!net_parse_ip4 (s, &v))
    return FALSE;
  v4_mapped (v, out);
  return TRUE;
}

char *
net_addr_to_string (int family, const struct in6_addr *a)
{
  guint32 v;
  if (family == AF_INET6)
    return net_ip6_to_string (a);
  memcpy (&v, a->s6_addr + 12, 4);
  return net_ip4_to_string (ntohl (v));
}

gboolean
net_ipam_pick (const NetNetwork *n, int family, const struct in6_addr *taken, guint n_taken,
               const char *want, struct in6_addr *out, GError **error)
{
  gboolean v6 = family == AF_INET6;
  const char *subnet = v6 ? n->subnet6 : n->subnet;
  const char *start = v6 ? n->range6_start : n->range_start;
  const char *end = v6 ? n->range6_end : n->range_end;
  struct in6_addr net, gw, first, top, last, ip;
  int prefix = v6 ? n->prefix6 : 96 + n->prefix;
  if (v6)
    net = n->net6;
  else
    v4_mapped (n->net4, &net);
  net_ip6_last (&net, prefix, &top);
  last = top;
  last.s6_addr[15]--;
  first = net;
  net_ip6_next (&first);
  net_addr_parse (family, v6 ? n->gateway6 : n->gateway, &gw);
  if (start)
    net_addr_parse (family, start, &first);
  if (end)
    net_addr_parse (family, end, &last);
  if (want)
    {
      if (!net_addr_parse (family, want, &ip) || !net_ip6_in (&ip, &net, prefix)
          || !memcmp (&ip, &net, sizeof ip) || !memcmp (&ip, &top, sizeof ip)
          || !memcmp (&ip, &gw, sizeof ip))
        {
          g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                       "%s %s is not a free host address of network %s (%s)",
                       v6 ? "--ip6" : "--ip", want, n->name, subnet);
          return FALSE;
        }
      if (addr_in_list (&ip, taken, n_taken))
        {
          g_set_error (error, NET_ERROR, NET_ERROR_IN_USE,
                       "IPAM error: requested ip address %s is already allocated to another "
                       "container on network %s", want, n->name);
          return FALSE;
        }
      *out = ip;
      return TRUE;
    }
  /* at most n_taken + 2 steps: every step past the first skips a lease or
   * the gateway */
  for (ip = first; memcmp (&ip, &last, sizeof ip) <= 0;)
    {
      if (memcmp (&ip, &gw, sizeof ip) && memcmp (&ip, &net, sizeof ip)
          && memcmp (&ip, &top, sizeof ip) && !addr_in_list (&ip, taken, n_taken))
        {
          *out = ip;
          return TRUE;
        }
      if (!net_ip6_next (&ip))
        break;
    }
  g_set_error (error, NET_ERROR, NET_ERROR_IN_USE, "IPAM error: failed to find free IP in range %s",
               subnet);
  return FALSE;
}
