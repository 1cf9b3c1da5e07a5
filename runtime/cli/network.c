/* SPDX-License-Identifier: Apache-2.0 */
/* podunit network create|ls|inspect|rm|prune|exists|reload|connect|disconnect, as podman's
 * (net/network.h keeps the definitions, net/attach.h what uses them).
 * Quadlet's .network service runs `network create --ignore ... NAME`. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/template.h"
#include "container/container.h"
#include "container/launch.h"
#include "net/attach.h"
#include "net/firewalld.h"
#include "net/network.h"

static int
fail_net (GError *error)
{
  cli_error ("%s", error->message);
  return EXIT_PODUNIT;
}

int
cli_network_create (CliGlobal *g, int argc, char **argv)
{
  gboolean ignore = FALSE, internal = FALSE, disable_dns = FALSE, ipv6 = FALSE;
  g_autofree char *driver = NULL, *iface = NULL, *ipam = NULL;
  g_auto (GStrv) labels = NULL, opts = NULL, dns = NULL, subnets = NULL, gateways = NULL,
                 ranges = NULL;
  const GOptionEntry entries[] = {
    { "ignore", 0, 0, G_OPTION_ARG_NONE, &ignore, "Don't fail if the network exists", NULL },
    { "driver", 'd', 0, G_OPTION_ARG_STRING, &driver, "Network driver (bridge)", "DRIVER" },
    { "subnet", 0, 0, G_OPTION_ARG_STRING_ARRAY, &subnets, "Subnet in CIDR form (IPv4 or IPv6)",
      "SUBNET" },
    { "gateway", 0, 0, G_OPTION_ARG_STRING_ARRAY, &gateways, "Gateway of the subnet", "IP" },
    { "ip-range", 0, 0, G_OPTION_ARG_STRING_ARRAY, &ranges, "Allocate addresses from this range",
      "CIDR" },
    { "interface-name", 0, 0, G_OPTION_ARG_STRING, &iface, "Bridge interface name", "NAME" },
    { "internal", 0, 0, G_OPTION_ARG_NONE, &internal, "No traffic out of the network", NULL },
    { "disable-dns", 0, 0, G_OPTION_ARG_NONE, &disable_dns, "No name resolution", NULL },
    { "ipv6", 0, 0, G_OPTION_ARG_NONE, &ipv6, "Enable IPv6 (dual stack)", NULL },
    { "ipam-driver", 0, 0, G_OPTION_ARG_STRING, &ipam, "IPAM driver (host-local)", "DRIVER" },
    { "dns", 0, 0, G_OPTION_ARG_STRING_ARRAY, &dns, "DNS servers of the network", "IP" },
    { "label", 0, 0, G_OPTION_ARG_STRING_ARRAY, &labels, "Set a label", "KEY=VALUE" },
    { "opt", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &opts, "Driver option (mtu=)", "KEY=VALUE" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (NetNetwork) n = NULL;
  NetCreateSpec spec = { 0 };

  if (!cli_parse_options (&argc, &argv, entries, "[NAME]", FALSE))
    return EXIT_PODUNIT;
  if (argc > 2)
    {
      cli_error ("too many arguments, create takes at most 1 argument");
      return EXIT_PODUNIT;
    }
  if (ipam && !g_str_equal (ipam, "host-local"))
    {
      cli_error ("unsupported ipam driver %s: podunit has host-local", ipam);
      return EXIT_PODUNIT;
    }
  if (dns)
    {
      cli_error ("--dns on a network is not supported by podunit yet");
      return EXIT_PODUNIT;
    }
  spec.name = argc == 2 ? argv[1] : NULL;
  spec.driver = driver;
  spec.subnets = subnets;
  spec.gateways = gateways;
  spec.ip_ranges = ranges;
  spec.iface = iface;
  spec.internal = internal;
  spec.disable_dns = disable_dns;
  spec.ipv6 = ipv6;
  spec.opts = opts;
  spec.labels = labels;
  n = net_network_create (g->root, &spec, ignore, &error);
  if (!n)
    return fail_net (error);
  printf ("%s\n", n->name);
  return 0;
}

static JsonObject *
network_row (const NetNetwork *n)
{
  JsonObject *o = json_object_new ();
  g_autofree char *labels = g_strjoinv (",", n->labels);
  json_object_set_string_member (o, "Name", n->name);
  json_object_set_string_member (o, "ID", n->id);
  json_object_set_string_member (o, "Id", n->id);
  json_object_set_string_member (o, "Driver", n->driver);
  json_object_set_string_member (o, "NetworkInterface", n->iface);
  json_object_set_string_member (o, "Subnet", n->subnet ? n->subnet : n->subnet6);
  json_object_set_string_member (o, "Gateway", n->gateway ? n->gateway : n->gateway6);
  json_object_set_boolean_member (o, "IPv6Enabled", n->subnet6 != NULL);
  json_object_set_boolean_member (o, "Internal", n->internal);
  json_object_set_boolean_member (o, "DNSEnabled", n->dns_enabled);
  json_object_set_string_member (o, "Labels", labels);
  return o;
}

int
cli_network_ls (CliGlobal *g, int argc, char **argv)
{
  gboolean quiet = FALSE, noheading = FALSE;
  g_autofree char *format = NULL;
  g_auto (GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print names only", NULL },
    { "noheading", 'n', 0, G_OPTION_ARG_NONE, &noheading, "No header", NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Go template for each network", "FORMAT" },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters, "name=, label=, driver=", "F" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (CliTemplate) tmpl = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "", FALSE))
    return EXIT_PODUNIT;
  if (format && !(tmpl = cli_template_new (format, NULL, &error)))
    return fail_net (error);
  all = net_network_list (g->root, &error);
  if (!all)
    return fail_net (error);
  if (!noheading && !quiet && !format)
    g_ptr_array_add (rows, g_strsplit ("NETWORK ID|NAME|DRIVER", "|", -1));
  for (guint i = 0; i < all->len; i++)
    {
      NetNetwork *n = all->pdata[i];
      gboolean keep = TRUE;
      for (char **f = filters; f && *f; f++)
        {
          if (g_str_has_prefix (*f, "name="))
            keep &= g_regex_match_simple (*f + 5, n->name, 0, 0);
          else if (g_str_has_prefix (*f, "driver="))
            keep &= g_str_equal (*f + 7, n->driver);
          else if (g_str_has_prefix (*f, "label="))
            {
              const char *want = *f + 6;
              gboolean any = FALSE;
              for (char **l = n->labels; *l; l++)
                any |= g_str_equal (*l, want)
                       || (!strchr (want, '=') && g_str_has_prefix (*l, want)
                           && (*l)[strlen (want)] == '=');
              keep &= any;
            }
          else
            {
              cli_error ("invalid filter %s", *f);
              return EXIT_PODUNIT;
            }
        }
      if (!keep)
        continue;
      if (quiet)
        printf ("%s\n", n->name);
      else if (tmpl)
        {
          g_autoptr (JsonObject) o = network_row (n);
          if (!cli_template_add_row (tmpl, o, &error))
            return fail_net (error);
        }
      else
        {
          char **row = g_new0 (char *, 4);
          row[0] = g_strndup (n->id, 12);
          row[1] = g_strdup (n->name);
          row[2] = g_strdup (n->driver);
          g_ptr_array_add (rows, row);
        }
    }
  if (tmpl)
    cli_template_print (tmpl, FALSE);
  else if (!quiet)
    cli_print_table (rows);
  return 0;
}

int
cli_network_inspect (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Go template for each network", "FORMAT" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (CliTemplate) tmpl = NULL;
  g_autoptr (GString) out = g_string_new ("[\n");
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, "NETWORK...", FALSE))
    return EXIT_PODUNIT;
  if (argc < 2)
    {
      cli_error ("inspect requires at least 1 argument");
      return EXIT_PODUNIT;
    }
  if (format && !(tmpl = cli_template_new (format, NULL, &error)))
    return fail_net (error);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (NetNetwork) n = net_network_load (g->root, argv[i], &error);
      g_autofree char *json = NULL;
      if (!n)
        {
          cli_error ("%s", error->message);
          g_clear_error (&error);
          status = EXIT_PODUNIT;
          continue;
        }
      json = net_network_to_json (n);
      if (tmpl)
        {
          g_autoptr (JsonParser) p = json_parser_new ();
          json_parser_load_from_data (p, json, -1, NULL);
          if (!cli_template_add_row (tmpl, json_node_get_object (json_parser_get_root (p)),
                                     &error))
            return fail_net (error);
          continue;
        }
      if (out->len > 2)
        g_string_append (out, ",\n");
      /* indented one level, as podman prints its array */
      g_auto (GStrv) lines = g_strsplit (json, "\n", -1);
      for (char **l = lines; *l; l++)
        g_string_append_printf (out, "%s     %s", l == lines ? "" : "\n", *l);
    }
  if (tmpl)
    cli_template_print (tmpl, FALSE);
  else
    {
      g_string_append (out, "\n]\n");
      fputs (out->str, stdout);
    }
  return status;
}

/* Removes @name; with @force its containers go first. */
static gboolean
remove_network (CliGlobal *g, const char *name, gboolean force, GError **error)
{
  g_autoptr (NetNetwork) n = net_network_load (g->root, name, error);
  g_autoptr (GPtrArray) users = NULL;
  if (!n)
    return FALSE;
  users = net_network_users (g->runroot, n->name);
  if (users->len > 0 && !force)
    {
      g_set_error (error, NET_ERROR, NET_ERROR_IN_USE,
                   "\"%s\" has associated containers with it. Use -f to forcibly delete "
                   "containers and pods: network is being used", n->name);
      return FALSE;
    }
  for (guint i = 0; i < users->len; i++)
    if (!launch_remove (&g->launch, users->pdata[i], TRUE, error))
      return FALSE;
  return net_network_remove (g->root, n->name, error);
}

int
cli_network_rm (CliGlobal *g, int argc, char **argv)
{
  gboolean force = FALSE;
  int status = 0;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Remove the containers using it too", NULL },
    { "time", 't', 0, G_OPTION_ARG_INT, &(int){ 0 }, "Seconds to wait for containers", "N" },
    { NULL },
  };
  if (!cli_parse_options (&argc, &argv, entries, "NETWORK...", FALSE))
    return EXIT_PODUNIT;
  if (argc < 2)
    {
      cli_error ("requires at least 1 arg(s), only received 0");
      return EXIT_PODUNIT;
    }
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) error = NULL;
      if (!remove_network (g, argv[i], force, &error))
        {
          cli_error ("%s", error->message);
          status = EXIT_PODUNIT;
          continue;
        }
      printf ("%s\n", argv[i]);
    }
  return status;
}

int
cli_network_prune (CliGlobal *g, int argc, char **argv)
{
  gboolean force = FALSE;
  g_auto (GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Do not ask", NULL },
    { "filter", 0, 0, G_OPTION_ARG_STRING_ARRAY, &filters, "label=", "F" },
    { NULL },
  };
  g_autoptr (GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  int status;
  if (!cli_parse_options (&argc, &argv, entries, "", FALSE))
    return EXIT_PODUNIT;
  status = cli_prune_networks (g, filters, removed);
  for (guint i = 0; i < removed->len; i++)
    printf ("%s\n", (char *) removed->pdata[i]);
  return status;
}

int
cli_prune_networks (CliGlobal *g, char **filters, GPtrArray *removed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = net_network_list (g->root, &error);
  if (!all)
    return fail_net (error);
  for (guint i = 0; i < all->len; i++)
    {
      NetNetwork *n = all->pdata[i];
      g_autoptr (GPtrArray) users = NULL;
      gboolean keep = g_str_equal (n->name, NET_DEFAULT_NAME);
      for (char **f = filters; f && *f && !keep; f++)
        if (g_str_has_prefix (*f, "label="))
          keep = !g_strv_contains ((const char *const *) n->labels, *f + 6);
      if (keep)
        continue;
      users = net_network_users (g->runroot, n->name);
      if (users->len == 0 && net_network_remove (g->root, n->name, NULL))
        g_ptr_array_add (removed, g_strdup (n->name));
    }
  return 0;
}

int
cli_network_exists (CliGlobal *g, int argc, char **argv)
{
  g_autoptr (NetNetwork) n = NULL;
  if (!cli_parse_options (&argc, &argv, (GOptionEntry[]){ { NULL } }, "NETWORK", FALSE))
    return EXIT_PODUNIT;
  if (argc != 2)
    {
      cli_error ("accepts 1 arg(s), received %d", argc - 1);
      return EXIT_PODUNIT;
    }
  n = net_network_load (g->root, argv[1], NULL);
  return n ? 0 : 1;
}

/* One reload of --watch-firewalld: a failure is reported and the watch
 * goes on. */
static void
resync (gpointer data)
{
  CliGlobal *g = data;
  g_autoptr (GError) error = NULL;
  if (!net_sync (g->root, g->runroot, &error))
    cli_error ("%s", error->message);
}

/* Bridges and table inet podunit again from the stored state: after
 * `nft flush ruleset`, a firewalld reload or a reboot (units/);
 * --watch-firewalld: now and after each firewalld reload or start. */
int
cli_network_reload (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE, watch = FALSE;
  g_autoptr (GError) error = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Every container (the only mode)", NULL },
    { "watch-firewalld", 0, 0, G_OPTION_ARG_NONE, &watch,
      "Stay, and reload after each firewalld reload or start", NULL },
    { NULL },
  };
  if (!cli_parse_options (&argc, &argv, entries, "[CONTAINER...]", FALSE))
    return EXIT_PODUNIT;
  if (watch)
    {
      firewalld_watch (resync, g, &error);
      return fail_net (error);
    }
  if (!net_sync (g->root, g->runroot, &error))
    return fail_net (error);
  return 0;
}

/* The container of `network connect|disconnect NETWORK CONTAINER`, its
 * network list and the lock held while both change. */
typedef struct {
  char *id;
  ContainerConfig *c;
  GPtrArray *names; /* its networks */
  int lock;
} Membership;

static void
membership_clear (Membership *m)
{
  g_free (m->id);
  g_clear_pointer (&m->c, container_config_free);
  g_clear_pointer (&m->names, g_ptr_array_unref);
  if (m->lock >= 0)
    close (m->lock);
}

static gboolean
membership_load (CliGlobal *g, const char *name, Membership *m, GError **error)
{
  g_auto (GStrv) nets = NULL;
  m->lock = -1;
  if (!(m->id = container_resolve (g->root, name, error))
      || (m->lock = container_lock (g->runroot, m->id, error)) < 0
      || !(m->c = container_config_load (g->root, m->id, error)))
    return FALSE;
  if (!m->c->network || g_str_equal (m->c->network, "host") || g_str_equal (m->c->network, "none")
      || g_str_equal (m->c->network, "private") || strchr (m->c->network, ':'))
    {
      g_set_error (error, NET_ERROR, NET_ERROR_INVALID,
                   "container %s is not on bridge networks (--network %s)", name,
                   m->c->network ? m->c->network : "");
      return FALSE;
    }
  m->names = g_ptr_array_new_with_free_func (g_free);
  nets = g_strsplit (m->c->network, ",", -1);
  for (char **n = nets; *n; n++)
    g_ptr_array_add (m->names, g_strdup (*n));
  return TRUE;
}

static gboolean
membership_save (CliGlobal *g, Membership *m, GError **error)
{
  g_ptr_array_add (m->names, NULL);
  g_free (m->c->network);
  /* With the last network gone, the container keeps a namespace with
   * loopback only, as podman leaves it. */
  m->c->network = m->names->len > 1 ? g_strjoinv (",", (char **) m->names->pdata) : g_strdup ("none");
  g_ptr_array_remove_index (m->names, m->names->len - 1);
  return container_config_save (m->c, g->root, error);
}

static gboolean
has_name (GPtrArray *names, const char *name)
{
  for (guint i = 0; i < names->len; i++)
    if (g_str_equal (names->pdata[i], name))
      return TRUE;
  return FALSE;
}

/* NETWORK CONTAINER and the verb's options. */
static gboolean
parse_network_container (int *argc, char ***argv, const GOptionEntry *entries)
{
  if (!cli_parse_options (argc, argv, entries, "NETWORK CONTAINER", FALSE))
    return FALSE;
  if (*argc != 3)
    {
      cli_error ("accepts 2 arg(s), received %d", *argc - 1);
      return FALSE;
    }
  return TRUE;
}

/* A running container gets the network now (net/attach.h), a stopped
 * one at its next start; both keep it in their record. */
int
cli_network_connect (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *ip = NULL, *ip6 = NULL, *mac = NULL;
  g_auto (GStrv) aliases = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (NetNetwork) n = NULL;
  Membership m = { 0 };
  const GOptionEntry entries[] = {
    { "alias", 0, 0, G_OPTION_ARG_STRING_ARRAY, &aliases, "Network-scoped alias", "NAME" },
    { "ip", 0, 0, G_OPTION_ARG_STRING, &ip, "IPv4 address on the network", "IP" },
    { "ip6", 0, 0, G_OPTION_ARG_STRING, &ip6, "IPv6 address on the network", "IP" },
    { "mac-address", 0, 0, G_OPTION_ARG_STRING, &mac, "MAC address on the network", "MAC" },
    { NULL },
  };
  if (!parse_network_container (&argc, &argv, entries))
    return EXIT_PODUNIT;
  if (!(n = net_network_load (g->root, argv[1], &error)) || !membership_load (g, argv[2], &m, &error))
    goto fail;
  if (has_name (m.names, n->name))
    {
      g_set_error (&error, NET_ERROR, NET_ERROR_EXISTS,
                   "container %s is already connected to network %s: network is already connected",
                   argv[2], n->name);
      goto fail;
    }
  if (!net_connect (g->root, g->runroot, m.id, n->name, ip, ip6, mac, aliases, &error))
    {
      if (!g_error_matches (error, NET_ERROR, NET_ERROR_NOT_FOUND))
        goto fail;
      g_clear_error (&error); /* not running: from its next start on */
      if (ip || ip6 || mac || aliases)
        {
          /* The record keeps --ip, --mac-address and aliases for all its
           * networks, not per network. */
          g_set_error (&error, NET_ERROR, NET_ERROR_INVALID,
                       "--ip, --ip6, --mac-address and --alias of network connect need a running "
                       "container (%s is not)", argv[2]);
          goto fail;
        }
    }
  g_ptr_array_add (m.names, g_strdup (n->name));
  if (!membership_save (g, &m, &error))
    goto fail;
  membership_clear (&m);
  return 0;
fail:
  membership_clear (&m);
  cli_error ("%s", error->message);
  return EXIT_PODUNIT;
}

int
cli_network_disconnect (CliGlobal *g, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  Membership m = { 0 };
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &(gboolean){ FALSE }, "Also a stopped container", NULL },
    { NULL },
  };
  if (!parse_network_container (&argc, &argv, entries))
    return EXIT_PODUNIT;
  if (!membership_load (g, argv[2], &m, &error))
    goto fail;
  if (!has_name (m.names, argv[1]))
    {
      g_set_error (&error, NET_ERROR, NET_ERROR_NOT_FOUND,
                   "container %s is not connected to network %s", argv[2], argv[1]);
      goto fail;
    }
  if (!net_disconnect (g->root, g->runroot, m.id, argv[1], &error))
    {
      if (!g_error_matches (error, NET_ERROR, NET_ERROR_NOT_FOUND))
        goto fail;
      g_clear_error (&error);
    }
  for (guint i = 0; i < m.names->len; i++)
    if (g_str_equal (m.names->pdata[i], argv[1]))
      g_ptr_array_remove_index (m.names, i--);
  if (!membership_save (g, &m, &error))
    goto fail;
  membership_clear (&m);
  return 0;
fail:
  membership_clear (&m);
  cli_error ("%s", error->message);
  return EXIT_PODUNIT;
}
