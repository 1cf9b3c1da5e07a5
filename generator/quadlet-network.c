/* SPDX-License-Identifier: Apache-2.0 */
/* .network -> a oneshot service running "ENGINE network create --ignore
 * NAME"; NAME is NetworkName= or "systemd-" + the file's base name. */
#include "quadlet.h"

/* Subnet=, Gateway= and IPRange= pair up by position. */
static gboolean
add_subnets (PodmanCmdline *podman, UnitFile *network, GError **error)
{
  const char *G = QUADLET_NETWORK_GROUP;
  g_auto (GStrv) subnets = unit_file_lookup_all (network, G, "Subnet");
  g_auto (GStrv) gateways = unit_file_lookup_all (network, G, "Gateway");
  g_auto (GStrv) ranges = unit_file_lookup_all (network, G, "IPRange");
  guint n_subnets = g_strv_length (subnets);
  guint n_gateways = g_strv_length (gateways);
  guint n_ranges = g_strv_length (ranges);

  if (n_subnets == 0)
    {
      if (n_gateways > 0 || n_ranges > 0)
        {
          quadlet_set_error_at (error, network, G, n_gateways ? "Gateway" : "IPRange",
                                "cannot set gateway or range without subnet");
          return FALSE;
        }
      return TRUE;
    }
  if (n_gateways > n_subnets)
    {
      quadlet_set_error_at (error, network, G, "Gateway", "cannot set more gateways than subnets");
      return FALSE;
    }
  if (n_ranges > n_subnets)
    {
      quadlet_set_error_at (error, network, G, "IPRange", "cannot set more ranges than subnets");
      return FALSE;
    }
  for (guint i = 0; i < n_subnets; i++)
    {
      podman_cmdline_add (podman, "--subnet", subnets[i], NULL);
      if (i < n_gateways)
        podman_cmdline_add (podman, "--gateway", gateways[i], NULL);
      if (i < n_ranges)
        podman_cmdline_add (podman, "--ip-range", ranges[i], NULL);
    }
  return TRUE;
}

UnitFile *
quadlet_convert_network (QuadletContext *ctx, UnitFile *network, GError **error)
{
  static const QuadletKeyFlag booleans[] = {
    { "DisableDNS", "--disable-dns" },
    { "Internal", "--internal" },
    { "IPv6", "--ipv6" },
    { NULL, NULL },
  };
  static const QuadletKeyFlag strings[] = {
    { "Driver", "--driver" },
    { "IPAMDriver", "--ipam-driver" },
    { "InterfaceName", "--interface-name" },
    { NULL, NULL },
  };
  static const QuadletKeyFlag all_strings[] = { { "DNS", "--dns" }, { NULL, NULL } };
  static const QuadletKeyFlag key_vals[] = {
    { "Options", "--opt" },
    { "Label", "--label" },
    { NULL, NULL },
  };
  const char *G = QUADLET_NETWORK_GROUP;
  QuadletUnitInfo *info = NULL;
  g_autoptr (UnitFile) service = quadlet_init_service (ctx, network, G, &info, error);
  g_autoptr (PodmanCmdline) podman = NULL;
  g_autofree char *name = NULL;

  if (service == NULL)
    return NULL;

  name = quadlet_named_resource (network, G, "NetworkName");

  if (unit_file_lookup_boolean_default (network, G, "NetworkDeleteOnStop", FALSE))
    {
      g_autoptr (PodmanCmdline) rm = quadlet_base_command (ctx, network, G);
      podman_cmdline_add (rm, "network", "rm", name, NULL);
      podman_cmdline_add_to (rm, service, "ExecStopPost");
    }

  podman = quadlet_base_command (ctx, network, G);
  podman_cmdline_add (podman, "network", "create", "--ignore", NULL);
  quadlet_add_booleans (podman, network, G, booleans);
  quadlet_add_strings (podman, network, G, strings);
  quadlet_add_all_strings (podman, network, G, all_strings);
  if (!add_subnets (podman, network, error))
    return NULL;
  quadlet_add_key_vals (ctx, podman, network, G, key_vals);
  quadlet_finish_resource_service (service, podman, network, G, name, info, name);
  return g_steal_pointer (&service);
}
