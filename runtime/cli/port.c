/* SPDX-License-Identifier: Apache-2.0 */
/* podunit port CONTAINER [PRIVATE_PORT[/PROTO]] | --all: the published
 * ports of a container, as podman prints them ("80/tcp -> 0.0.0.0:8080"). */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "container/container.h"
#include "net/ports.h"

static void
print_ports (ContainerConfig *c, const char *filter, gboolean with_name)
{
  for (char **s = c->ports; s && *s; s++)
    {
      NetPort p;
      if (!net_port_from_string (*s, &p))
        continue;
      for (guint k = 0; k < p.count; k++)
        {
          g_autofree char *key = g_strdup_printf ("%u/%s", p.ctr_port + k, p.proto);
          g_autofree char *bare = g_strdup_printf ("%u", p.ctr_port + k);
          const char *ip = *p.host_ip ? p.host_ip : "0.0.0.0";
          gboolean v6 = strchr (ip, ':') != NULL;
          if (filter && !g_str_equal (filter, key)
              && !(g_str_equal (filter, bare) && g_str_equal (p.proto, "tcp")))
            continue;
          if (filter)
            printf (v6 ? "[%s]:%u\n" : "%s:%u\n", ip, p.host_port + k);
          else
            printf (v6 ? "%s%s%s -> [%s]:%u\n" : "%s%s%s -> %s:%u\n",
                    with_name ? c->id : "", with_name ? "\t" : "", key, ip, p.host_port + k);
        }
    }
}

int
cli_port (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE, latest = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Every container", NULL },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, "The latest container", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER [PORT]", FALSE))
    return EXIT_PODUNIT;
  if (all)
    {
      g_autoptr (GPtrArray) ids = container_list (g->root, &error);
      if (!ids)
        return cli_fail (error);
      for (guint i = 0; i < ids->len; i++)
        {
          g_autoptr (ContainerConfig) c = container_config_load (g->root, ids->pdata[i], NULL);
          if (c)
            print_ports (c, NULL, TRUE);
        }
      return 0;
    }
  if (argc < 2 || argc > 3)
    {
      cli_error ("you must supply a running container name or id");
      return EXIT_PODUNIT;
    }
  {
    g_autofree char *id = container_resolve (g->root, argv[1], &error);
    g_autoptr (ContainerConfig) c = id ? container_config_load (g->root, id, &error) : NULL;
    if (!c)
      return cli_fail (error);
    print_ports (c, argc == 3 ? argv[2] : NULL, FALSE);
  }
  return 0;
}
