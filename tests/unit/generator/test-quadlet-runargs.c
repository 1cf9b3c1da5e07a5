/* SPDX-License-Identifier: Apache-2.0 */
/* Arguments shared by .container and .pod: user namespaces, networks,
 * volumes, ports. */
#include <criterion/criterion.h>
#include "quadlet-runargs.h"

static QuadletContext *ctx;
static UnitFile *service;
static PodmanCmdline *cmd;

static void
setup (void)
{
  static const char *const others[][2] = {
    { "/q/lan.network", "[Network]\nNetworkName=backend\n" },
    { "/q/db.container", "[Container]\nImage=localhost/db\n" },
    { "/q/cache.volume", "[Volume]\n" },
  };
  ctx = quadlet_context_new (FALSE, "/usr/bin/podunit");
  service = unit_file_new ();
  cmd = podman_cmdline_new ("/usr/bin/podunit");
  for (gsize i = 0; i < G_N_ELEMENTS (others); i++)
    {
      g_autoptr (UnitFile) u = unit_file_parse (others[i][1], -1, others[i][0], NULL);
      quadlet_units_info_add (ctx, u);
    }
}

static void
teardown (void)
{
  podman_cmdline_free (cmd);
  unit_file_free (service);
  quadlet_context_free (ctx);
}

static UnitFile *
container (const char *body)
{
  g_autofree char *text = g_strconcat ("[Container]\nImage=localhost/x\n", body, NULL);
  UnitFile *u = unit_file_parse (text, -1, "/q/web.container", NULL);
  cr_assert_not_null (u);
  return u;
}

/* The arguments after the engine, space-joined. */
static char *
args (void)
{
  return g_strjoinv (" ", (char **) podman_cmdline_argv (cmd) + 1);
}

static void
assert_mapping_error (const char *body, const char *message)
{
  g_autoptr (UnitFile) u = container (body);
  g_autoptr (GError) error = NULL;
  cr_assert_not (quadlet_add_user_mappings (u, "Container", cmd, TRUE, &error), "%s", body);
  cr_assert_str_eq (error->message, message);
}

Test (quadlet_userns, remap_auto_collects_its_options, .init = setup, .fini = teardown)
{
  g_autoptr (UnitFile) u = container ("RemapUsers=auto\nRemapUid=0:1:2\nRemapGid=0:3:4\n"
                                      "RemapUidSize=20\n");
  g_autofree char *a = NULL;
  cr_assert (quadlet_add_user_mappings (u, "Container", cmd, TRUE, NULL));
  a = args ();
  cr_assert_str_eq (a, "--userns auto:uidmapping=0:1:2,gidmapping=0:3:4,size=20");
}

Test (quadlet_userns, keep_id_takes_trailing_spaces_and_one_id, .init = setup, .fini = teardown)
{
  g_autoptr (UnitFile) u = container ("RemapUsers=keep-id   \nRemapUid=200\n");
  g_autofree char *a = NULL;
  cr_assert (quadlet_add_user_mappings (u, "Container", cmd, TRUE, NULL));
  a = args ();
  cr_assert_str_eq (a, "--userns keep-id:uid=200");
}

Test (quadlet_userns, conflicts_and_bad_values_fail, .init = setup, .fini = teardown)
{
  assert_mapping_error ("UserNS=keep-id\nRemapUsers=auto\n",
                        "deprecated Remap keys are set along with explicit mapping keys");
  assert_mapping_error ("RemapUsers=keep-id\nRemapUid=1\nRemapUid=2\n",
                        "RemapUsers=keep-id supports only a single value for UID mapping");
  assert_mapping_error ("RemapUid=0:1:2\n", "UidMap set without RemapUsers");
  assert_mapping_error ("RemapUsers=magic\n", "unsupported RemapUsers option 'magic'");
}

Test (quadlet_userns, manual_only_where_supported, .init = setup, .fini = teardown)
{
  g_autoptr (UnitFile) u = container ("RemapUsers=manual\nRemapUid=0:1:2\n");
  g_autoptr (GError) error = NULL;
  cr_assert_not (quadlet_add_user_mappings (u, "Container", cmd, FALSE, &error));
  cr_assert_str_eq (error->message, "RemapUsers=manual is not supported");
}

Test (quadlet_network, quadlet_references_resolve, .init = setup, .fini = teardown)
{
  g_autoptr (UnitFile) u = container ("Network=host\nNetwork=lan.network:ip=10.0.0.2\n"
                                      "Network=db.container\n");
  g_autofree char *a = NULL;
  g_auto (GStrv) requires = NULL;
  cr_assert (quadlet_add_networks (ctx, u, "Container", service, cmd, NULL));
  a = args ();
  cr_assert_str_eq (a, "--network host --network backend:ip=10.0.0.2 --network container:systemd-db");
  requires = unit_file_lookup_all (service, "Unit", "Requires");
  cr_assert_eq (g_strv_length (requires), 2);
  cr_assert_str_eq (requires[0], "lan-network.service");
  cr_assert_str_eq (requires[1], "db.service");
}

Test (quadlet_network, bad_references_fail, .init = setup, .fini = teardown)
{
  static const char *const cases[][2] = {
    { "Network=db.container:x=y\n",
      "extra options are not supported when joining another container's network" },
    { "Network=nope.network\n", "requested Quadlet unit nope.network was not found" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (UnitFile) u = container (cases[i][0]);
      g_autoptr (GError) error = NULL;
      cr_assert_not (quadlet_add_networks (ctx, u, "Container", service, cmd, &error));
      cr_assert_str_eq (error->message, cases[i][1]);
    }
}

Test (quadlet_volume, sources_resolve_and_options_stay, .init = setup, .fini = teardown)
{
  g_autoptr (UnitFile) u = container ("Volume=./data:/data:Z\nVolume=/anon\n"
                                      "Volume=cache.volume:/c\nVolume=%h/x:/x\n");
  g_autofree char *a = NULL;
  g_autofree char *mounts = NULL;
  cr_assert (quadlet_add_volumes (ctx, u, "Container", service, cmd, NULL));
  a = args ();
  cr_assert_str_eq (a, "-v /q/data:/data:Z -v /anon -v systemd-cache:/c -v %h/x:/x");
  mounts = unit_file_lookup_last (service, "Unit", "RequiresMountsFor");
  cr_assert_str_eq (mounts, "/q/data");
}

Test (quadlet_ports, port_range_check_looks_at_the_end)
{
  cr_assert (quadlet_is_port_range ("1000"));
  cr_assert (quadlet_is_port_range ("2000-3000/udp"));
  cr_assert (quadlet_is_port_range ("80/tcp"));
  cr_assert_not (quadlet_is_port_range ("http"));
  cr_assert_not (quadlet_is_port_range ("80/sctp"));
  cr_assert_not (quadlet_is_port_range ("/udp"));
  cr_assert_not (quadlet_is_port_range (""));
}
