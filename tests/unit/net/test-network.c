/* SPDX-License-Identifier: Apache-2.0 */
/* Network definitions (net/network.h): IPv6 prefixes and addresses, and
 * `network create` with --ipv6 and several --subnet/--gateway/--ip-range,
 * written and read back in netavark's JSON in a temporary store. */
#include "net/network.h"

#include <arpa/inet.h>
#include <string.h>

#include <criterion/criterion.h>
#include <json-glib/json-glib.h>

static char *
cidr6 (const char *s)
{
  struct in6_addr net;
  int prefix;
  g_autofree char *ip = NULL;
  if (!net_parse_cidr6 (s, &net, &prefix))
    return g_strdup ("(bad)");
  ip = net_ip6_to_string (&net);
  return g_strdup_printf ("%s/%d", ip, prefix);
}

Test (ipv6, prefixes_parse_with_host_bits_cleared)
{
  g_autofree char *a = cidr6 ("fd00:1:2:3::5/64");
  g_autofree char *b = cidr6 ("2001:db8::ffff/120");
  g_autofree char *c = cidr6 ("fd00::1/125");
  g_autofree char *d = cidr6 ("::/0");
  cr_assert_str_eq (a, "fd00:1:2:3::/64");
  cr_assert_str_eq (b, "2001:db8::ff00/120");
  cr_assert_str_eq (c, "fd00::/125");
  cr_assert_str_eq (d, "::/0");
  struct in6_addr n;
  int p;
  cr_assert_not (net_parse_cidr6 ("10.0.0.0/8", &n, &p));
  cr_assert_not (net_parse_cidr6 ("fd00::/129", &n, &p));
  cr_assert_not (net_parse_cidr6 ("fd00::", &n, &p));
  cr_assert_not (net_parse_cidr6 ("fd00::/", &n, &p));
  cr_assert_not (net_parse_cidr6 ("fd00::/6x", &n, &p));
  cr_assert_not (net_parse_cidr6 ("fd00:::1/64", &n, &p));
  cr_assert_not (net_parse_ip6 ("10.1.2.3", &n));
}

Test (ipv6, membership_last_and_next)
{
  struct in6_addr net, ip, last;
  int p;
  g_autofree char *l = NULL, *w = NULL;
  cr_assert (net_parse_cidr6 ("fd00:aa::/120", &net, &p));
  cr_assert (net_parse_ip6 ("fd00:aa::ff", &ip));
  cr_assert (net_ip6_in (&ip, &net, p));
  cr_assert (net_parse_ip6 ("fd00:aa::100", &ip));
  cr_assert_not (net_ip6_in (&ip, &net, p));
  net_ip6_last (&net, p, &last);
  l = net_ip6_to_string (&last);
  cr_assert_str_eq (l, "fd00:aa::ff");
  cr_assert (net_parse_ip6 ("fd00::ffff", &ip));
  cr_assert (net_ip6_next (&ip));
  w = net_ip6_to_string (&ip);
  cr_assert_str_eq (w, "fd00::1:0");
  cr_assert (net_parse_ip6 ("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", &ip));
  cr_assert_not (net_ip6_next (&ip));
}

Test (ipv6, random_ula_is_fd_slash_64)
{
  struct in6_addr a, b;
  static const guint8 zero[8];
  net_ip6_random_ula (&a);
  net_ip6_random_ula (&b);
  cr_assert_eq (a.s6_addr[0], 0xfd);
  cr_assert (memcmp (a.s6_addr + 8, zero, 8) == 0);
  cr_assert (memcmp (&a, &b, sizeof a) != 0);
}

static char *root;

static void
setup (void)
{
  root = g_dir_make_tmp ("podunit-net-XXXXXX", NULL);
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
  cr_assert_eq (system (cmd), 0);
  g_free (root);
}

static NetNetwork *
create (const char *name, gboolean ipv6, char **subnets, char **gateways, char **ranges,
        GError **error)
{
  NetCreateSpec spec = { .name = name, .ipv6 = ipv6, .subnets = subnets, .gateways = gateways,
                         .ip_ranges = ranges };
  return net_network_create (root, &spec, FALSE, error);
}

#define V(...) ((char *[]){ __VA_ARGS__, NULL })

/* The "subnets" of @name's JSON file as "SUBNET GATEWAY [START-END]" lines. */
static char *
stored_subnets (const char *name, gboolean *ipv6_enabled)
{
  g_autofree char *path = g_strdup_printf ("%s/networks/%s.json", root, name);
  g_autoptr (JsonParser) p = json_parser_new ();
  GString *out = g_string_new (NULL);
  JsonObject *o;
  JsonArray *subs;
  cr_assert (json_parser_load_from_file (p, path, NULL));
  o = json_node_get_object (json_parser_get_root (p));
  *ipv6_enabled = json_object_get_boolean_member (o, "ipv6_enabled");
  subs = json_object_get_array_member (o, "subnets");
  for (guint i = 0; i < json_array_get_length (subs); i++)
    {
      JsonObject *s = json_array_get_object_element (subs, i);
      g_string_append_printf (out, "%s %s", json_object_get_string_member (s, "subnet"),
                              json_object_get_string_member (s, "gateway"));
      if (json_object_has_member (s, "lease_range"))
        {
          JsonObject *r = json_object_get_object_member (s, "lease_range");
          g_string_append_printf (out, " %s-%s", json_object_get_string_member (r, "start_ip"),
                                  json_object_get_string_member (r, "end_ip"));
        }
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

TestSuite (create, .init = setup, .fini = teardown);

Test (create, ipv6_alone_is_dual_stack_with_a_random_ula_64)
{
  g_autoptr (GError) e = NULL;
  g_autoptr (NetNetwork) n = create ("six", TRUE, NULL, NULL, NULL, &e);
  g_autoptr (NetNetwork) back = NULL;
  g_autofree char *subs = NULL;
  gboolean v6 = FALSE;
  cr_assert_not_null (n, "%s", e ? e->message : "");
  cr_assert_str_eq (n->subnet, "10.89.0.0/24");
  cr_assert (g_str_has_prefix (n->subnet6, "fd"), "%s", n->subnet6);
  cr_assert (g_str_has_suffix (n->subnet6, "::/64"), "%s", n->subnet6);
  cr_assert_eq (n->prefix6, 64);
  {
    g_autofree char *gw = g_strndup (n->subnet6, strlen (n->subnet6) - 3);
    g_autofree char *want = g_strconcat (gw, "1", NULL);
    cr_assert_str_eq (n->gateway6, want);
  }
  subs = stored_subnets ("six", &v6);
  cr_assert (v6);
  {
    g_autofree char *want = g_strdup_printf ("10.89.0.0/24 10.89.0.1\n%s %s\n", n->subnet6,
                                             n->gateway6);
    cr_assert_str_eq (subs, want);
  }
  back = net_network_load (root, "six", &e);
  cr_assert_not_null (back);
  cr_assert_str_eq (back->subnet6, n->subnet6);
  cr_assert_str_eq (back->gateway6, n->gateway6);
  cr_assert (memcmp (&back->net6, &n->net6, 16) == 0);
}

Test (create, subnets_gateways_and_ranges_match_by_position)
{
  g_autoptr (GError) e = NULL;
  g_autoptr (NetNetwork) n
      = create ("dual", FALSE, V ("fd00:10:20::/64", "10.77.0.0/24"),
                V ("fd00:10:20::fe", "10.77.0.254"), V ("fd00:10:20::100/120", "10.77.0.128/25"),
                &e);
  g_autofree char *subs = NULL;
  gboolean v6 = FALSE;
  cr_assert_not_null (n, "%s", e ? e->message : "");
  subs = stored_subnets ("dual", &v6);
  cr_assert (v6);
  /* in the order given, as podman keeps them */
  cr_assert_str_eq (subs, "fd00:10:20::/64 fd00:10:20::fe fd00:10:20::100-fd00:10:20::1ff\n"
                          "10.77.0.0/24 10.77.0.254 10.77.0.128-10.77.0.254\n");
}

Test (create, ipv6_with_only_a_v6_subnet_picks_the_v4_one)
{
  g_autoptr (GError) e = NULL;
  g_autoptr (NetNetwork) n = create ("s6", TRUE, V ("fd00:99::/112"), NULL, NULL, &e);
  g_autoptr (NetNetwork) back = NULL;
  g_autofree char *subs = NULL;
  gboolean v6 = FALSE;
  cr_assert_not_null (n, "%s", e ? e->message : "");
  cr_assert_str_eq (n->subnet, "10.89.0.0/24");
  cr_assert_str_eq (n->subnet6, "fd00:99::/112");
  cr_assert_str_eq (n->gateway6, "fd00:99::1");
  /* podman appends the picked IPv4 subnet after the given one */
  subs = stored_subnets ("s6", &v6);
  cr_assert_str_eq (subs, "fd00:99::/112 fd00:99::1\n10.89.0.0/24 10.89.0.1\n");
  back = net_network_load (root, "s6", &e);
  cr_assert (back && back->v6_first);
}

Test (create, an_ipv6_subnet_without_ipv6_is_ipv6_only_as_in_podman)
{
  g_autoptr (GError) e = NULL;
  g_autoptr (NetNetwork) n = create ("only6", FALSE, V ("fd00:66::/64"), NULL, NULL, &e);
  g_autoptr (NetNetwork) n2 = NULL, back = NULL;
  g_autofree char *subs = NULL, *ip = NULL;
  gboolean v6 = FALSE;
  struct in6_addr a;
  cr_assert_not_null (n, "%s", e ? e->message : "");
  cr_assert_null (n->subnet);
  cr_assert_null (n->gateway);
  subs = stored_subnets ("only6", &v6);
  cr_assert (v6);
  cr_assert_str_eq (subs, "fd00:66::/64 fd00:66::1\n");
  back = net_network_load (root, "only6", &e);
  cr_assert_not_null (back, "%s", e ? e->message : "");
  cr_assert_null (back->subnet);
  cr_assert_str_eq (back->subnet6, "fd00:66::/64");
  /* the next network still gets 10.89.0.0/24: an IPv6-only one overlaps no IPv4 subnet */
  n2 = create ("next", FALSE, NULL, NULL, NULL, &e);
  cr_assert_str_eq (n2->subnet, "10.89.0.0/24");
  cr_assert (net_ipam_pick (back, AF_INET6, NULL, 0, NULL, &a, &e));
  ip = net_ip6_to_string (&a);
  cr_assert_str_eq (ip, "fd00:66::2");
}

Test (create, an_ipv4_network_stays_ipv4_only)
{
  g_autoptr (GError) e = NULL;
  g_autoptr (NetNetwork) n = create ("four", FALSE, NULL, NULL, NULL, &e);
  g_autofree char *subs = NULL;
  gboolean v6 = TRUE;
  cr_assert_not_null (n);
  cr_assert_null (n->subnet6);
  subs = stored_subnets ("four", &v6);
  cr_assert_not (v6);
  cr_assert_str_eq (subs, "10.89.0.0/24 10.89.0.1\n");
}

static void
assert_fails (const char *name, gboolean ipv6, char **subnets, char **gateways, char **ranges,
              const char *message)
{
  g_autoptr (GError) e = NULL;
  g_autoptr (NetNetwork) n = create (name, ipv6, subnets, gateways, ranges, &e);
  g_autofree char *path = g_strdup_printf ("%s/networks/%s.json", root, name);
  cr_assert_null (n, "%s was created", name);
  cr_assert (g_error_matches (e, NET_ERROR, NET_ERROR_INVALID), "%s", e->message);
  cr_assert_str_eq (e->message, message);
  cr_assert_not (g_file_test (path, G_FILE_TEST_EXISTS), "%s left a file", name);
}

Test (create, bad_ipv6_input_fails_naming_it_and_writes_nothing)
{
  g_autoptr (NetNetwork) first = create ("first", FALSE, V ("10.50.0.0/24", "fd00:50::/64"),
                                         NULL, NULL, NULL);
  cr_assert_not_null (first);
  assert_fails ("b", TRUE, V ("fd00:1::/64", "fd00:2::/64"), NULL, NULL,
                "subnets fd00:1::/64 and fd00:2::/64: podunit has one IPv4 and one IPv6 subnet "
                "a network");
  assert_fails ("c", TRUE, V ("fd00:1::/64"), V ("fd00:1::1", "10.0.0.1"), NULL,
                "cannot set more gateways than subnets");
  assert_fails ("d", TRUE, NULL, NULL, V ("fd00:1::/120"), "cannot set more ranges than subnets");
  assert_fails ("e", TRUE, V ("fd00:1::/64"), V ("fd00:2::1"), NULL,
                "gateway fd00:2::1 is not a host address of subnet fd00:1::/64");
  assert_fails ("f", TRUE, V ("fd00:1::/64"), V ("fd00:1::"), NULL,
                "gateway fd00:1:: is not a host address of subnet fd00:1::/64");
  assert_fails ("g", TRUE, V ("fd00:1::/127"), NULL, NULL,
                "invalid subnet fd00:1::/127: expected an IPv6 network of at most /126");
  assert_fails ("h", TRUE, V ("fd00:50:0:0:1::/80"), NULL, NULL,
                "subnet fd00:50:0:0:1::/80 is already used on the host or by another config");
  assert_fails ("i", TRUE, V ("fd00:1::/64"), NULL, V ("fd00:2::/120"),
                "--ip-range fd00:2::/120 is not a range inside subnet fd00:1::/64");
  assert_fails ("j", TRUE, V ("fd00:1::/64"), V ("10.1.1.1"), NULL,
                "gateway 10.1.1.1 is not a host address of subnet fd00:1::/64");
}

/* Leases (net_ipam_pick): what attach picks on @n given the leases held. */
static char *
pick_in (const NetNetwork *n, int family, const char *const *taken, const char *want)
{
  g_autoptr (GArray) t = g_array_new (FALSE, FALSE, sizeof (struct in6_addr));
  g_autoptr (GError) e = NULL;
  struct in6_addr out;
  for (const char *const *s = taken; s && *s; s++)
    {
      struct in6_addr a;
      cr_assert (net_addr_parse (family, *s, &a));
      g_array_append_val (t, a);
    }
  if (!net_ipam_pick (n, family, (struct in6_addr *) t->data, t->len, want, &out, &e))
    return g_strdup_printf ("%d %s", e->code, e->message);
  return net_addr_to_string (family, &out);
}
#define pick(n, taken, want) pick_in (n, AF_INET6, taken, want)
#define pick4(n, taken, want) pick_in (n, AF_INET, taken, want)

#define T(...) ((const char *const[]){ __VA_ARGS__, NULL })

Test (create, ipam6_first_free_skipping_gateway_leases_and_the_ends)
{
  g_autoptr (GError) e = NULL;
  g_autoptr (NetNetwork) n = create ("p", TRUE, V ("10.60.0.0/24", "fd00:60::/126"), NULL,
                                     NULL, &e);
  g_autoptr (NetNetwork) r = create ("r", TRUE, V ("10.61.0.0/24", "fd00:61::/64"),
                                     V ("10.61.0.1", "fd00:61::1:5"), V ("10.61.0.0/25", "fd00:61::1:0/126"), &e);
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *f = NULL, *g = NULL, *h = NULL,
                  *i = NULL, *j = NULL;
  cr_assert_not_null (n);
  cr_assert_not_null (r, "%s", e ? e->message : "");
  /* fd00:60::/126: ::0 the subnet, ::1 the gateway, ::3 the last: ::2 only */
  a = pick (n, NULL, NULL);
  cr_assert_str_eq (a, "fd00:60::2");
  b = pick (n, T ("fd00:60::2"), NULL);
  cr_assert_str_eq (b, "3 IPAM error: failed to find free IP in range fd00:60::/126");
  /* a range: fd00:61::1:0/126 starts past the subnet's first address */
  c = pick (r, NULL, NULL);
  cr_assert_str_eq (c, "fd00:61::1:0");
  d = pick (r, T ("fd00:61::1:0", "fd00:61::1:1", "fd00:61::1:2"), NULL);
  cr_assert_str_eq (d, "fd00:61::1:3");
  f = pick (r, T ("fd00:61::1:0", "fd00:61::1:1", "fd00:61::1:2", "fd00:61::1:3"), NULL);
  cr_assert_str_eq (f, "3 IPAM error: failed to find free IP in range fd00:61::/64");
  /* --ip6: any host address of the subnet, even outside the range */
  g = pick (r, T ("fd00:61::9"), "fd00:61::8");
  cr_assert_str_eq (g, "fd00:61::8");
  h = pick (r, T ("fd00:61::9"), "fd00:61::9");
  cr_assert_str_eq (h, "3 IPAM error: requested ip address fd00:61::9 is already allocated to "
                       "another container on network r");
  i = pick (r, NULL, "fd00:61::1:5");
  cr_assert_str_eq (i, "2 --ip6 fd00:61::1:5 is not a free host address of network r "
                       "(fd00:61::/64)");
  j = pick (r, NULL, "fd00:62::1");
  cr_assert_str_eq (j, "2 --ip6 fd00:62::1 is not a free host address of network r "
                       "(fd00:61::/64)");
}

/* The same code leases IPv4 addresses (v4-mapped in net_ipam_pick). */
Test (create, ipam4_first_free_skipping_gateway_network_and_broadcast)
{
  g_autoptr (GError) e = NULL;
  g_autoptr (NetNetwork) n = create ("q", FALSE, V ("10.70.0.0/29"), V ("10.70.0.2"), NULL, &e);
  g_autoptr (NetNetwork) r = create ("s", FALSE, V ("10.71.0.0/24"), NULL, V ("10.71.0.128/30"),
                                     &e);
  g_autofree char *a = NULL, *b = NULL, *c = NULL, *d = NULL, *f = NULL, *g = NULL, *h = NULL;
  cr_assert_not_null (n);
  cr_assert_not_null (r, "%s", e ? e->message : "");
  a = pick4 (n, NULL, NULL);
  cr_assert_str_eq (a, "10.70.0.1");
  b = pick4 (n, T ("10.70.0.1", "10.70.0.3", "10.70.0.4", "10.70.0.5"), NULL);
  cr_assert_str_eq (b, "10.70.0.6");
  c = pick4 (n, T ("10.70.0.1", "10.70.0.3", "10.70.0.4", "10.70.0.5", "10.70.0.6"), NULL);
  cr_assert_str_eq (c, "3 IPAM error: failed to find free IP in range 10.70.0.0/29");
  d = pick4 (n, NULL, "10.70.0.7");
  cr_assert_str_eq (d, "2 --ip 10.70.0.7 is not a free host address of network q (10.70.0.0/29)");
  f = pick4 (n, NULL, "10.70.0.2");
  cr_assert_str_eq (f, "2 --ip 10.70.0.2 is not a free host address of network q (10.70.0.0/29)");
  g = pick4 (r, T ("10.71.0.128"), NULL);
  cr_assert_str_eq (g, "10.71.0.129");
  h = pick4 (r, T ("10.71.0.128", "10.71.0.129", "10.71.0.130", "10.71.0.131"), NULL);
  cr_assert_str_eq (h, "3 IPAM error: failed to find free IP in range 10.71.0.0/24");
}
