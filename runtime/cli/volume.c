/* SPDX-License-Identifier: Apache-2.0 */
/* podunit volume create|ls|inspect|rm|prune|exists, as podman's.
 * Quadlet's .volume service runs `volume create --ignore ... NAME` at every
 * start, so --ignore of an existing volume is success without a change. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/template.h"
#include "container/container.h"
#include "container/launch.h"
#include "container/volume.h"

static int
fail_volume (GError *error)
{
  cli_error ("%s", error->message);
  return EXIT_PODUNIT;
}

int
cli_volume_create (CliGlobal *g, int argc, char **argv)
{
  gboolean ignore = FALSE, existed = FALSE;
  g_autofree char *driver = NULL, *uid = NULL, *gid = NULL;
  g_auto (GStrv) labels = NULL, opts = NULL;
  const GOptionEntry entries[] = {
    { "ignore", 0, 0, G_OPTION_ARG_NONE, &ignore, "Don't fail if the volume exists", NULL },
    { "driver", 'd', 0, G_OPTION_ARG_STRING, &driver, "Volume driver (local)", "DRIVER" },
    { "label", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &labels, "Set a label", "KEY=VALUE" },
    { "opt", 'o', 0, G_OPTION_ARG_STRING_ARRAY, &opts, "Set a driver option", "KEY=VALUE" },
    { "uid", 0, 0, G_OPTION_ARG_STRING, &uid, "Owner of the volume's data", "UID" },
    { "gid", 0, 0, G_OPTION_ARG_STRING, &gid, "Group of the volume's data", "GID" },
    { NULL },
  };
  g_autoptr (Volume) v = volume_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GStrvBuilder) o = g_strv_builder_new ();

  if (!cli_parse_options (&argc, &argv, entries, "[NAME]", FALSE))
    return EXIT_PODUNIT;
  if (argc > 2)
    {
      cli_error ("too many arguments, create takes at most 1 argument");
      return EXIT_PODUNIT;
    }
  v->name = argc == 2 ? g_strdup (argv[1]) : NULL;
  if (driver)
    v->driver = (g_free (v->driver), g_strdup (driver));
  v->labels = g_steal_pointer (&labels);
  for (char **p = opts; p && *p; p++)
    g_strv_builder_add (o, *p);
  /* podman's --uid/--gid are the local driver's uid=/gid= options. */
  if (uid)
    {
      g_autofree char *kv = g_strconcat ("uid=", uid, NULL);
      g_strv_builder_add (o, kv);
    }
  if (gid)
    {
      g_autofree char *kv = g_strconcat ("gid=", gid, NULL);
      g_strv_builder_add (o, kv);
    }
  v->options = g_strv_builder_end (o);
  for (char **l = v->labels; l && *l; l++)
    if (**l == '=')
      {
        cli_error ("invalid label \"%s\": empty key", *l);
        return EXIT_PODUNIT;
      }
  if (!volume_create (g->root, v, ignore, &existed, &error))
    return fail_volume (error);
  printf ("%s\n", v->name);
  return 0;
}

/* podman's --filter for volumes: name= (regex), label=K[=V], driver=,
 * dangling=true|false. Filters of one key are ORed, different keys ANDed. */
static gboolean
matches (CliGlobal *g, Volume *v, char **filters, GError **error)
{
  static const char *const keys[] = { "name", "label", "driver", "dangling", NULL };
  for (const char *const *k = keys; *k; k++)
    {
      gboolean seen = FALSE, any = FALSE;
      for (char **f = filters; f && *f; f++)
        {
          const char *eq = strchr (*f, '=');
          const char *val = eq ? eq + 1 : "";
          if (!eq || strncmp (*f, *k, eq - *f) != 0 || strlen (*k) != (gsize)(eq - *f))
            continue;
          seen = TRUE;
          if (g_str_equal (*k, "name"))
            any |= g_regex_match_simple (val, v->name, 0, 0);
          else if (g_str_equal (*k, "driver"))
            any |= g_str_equal (val, v->driver);
          else if (g_str_equal (*k, "label"))
            {
              const char *leq = strchr (val, '=');
              g_autofree char *lk = leq ? g_strndup (val, leq - val) : g_strdup (val);
              const char *have = volume_strv_get (v->labels, lk);
              any |= have && (!leq || g_str_equal (have, leq + 1));
            }
          else
            {
              g_autoptr (GPtrArray) users = volume_users (g->root, v->name, error);
              if (!users)
                return FALSE;
              any |= (users->len == 0) == (g_ascii_strcasecmp (val, "true") == 0);
            }
        }
      if (seen && !any)
        return FALSE;
    }
  return TRUE;
}

static gboolean
check_filters (char **filters)
{
  for (char **f = filters; f && *f; f++)
    if (!g_str_has_prefix (*f, "name=") && !g_str_has_prefix (*f, "label=")
        && !g_str_has_prefix (*f, "driver=") && !g_str_has_prefix (*f, "dangling="))
      {
        cli_error ("invalid filter \"%s\": podunit filters volumes by name, label, driver "
                   "and dangling",
                   *f);
        return FALSE;
      }
  return TRUE;
}

int
cli_volume_ls (CliGlobal *g, int argc, char **argv)
{
  gboolean quiet = FALSE, noheading = FALSE;
  g_autofree char *format = NULL;
  g_auto (GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print volume names only", NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Go template for each volume", "FORMAT" },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters, "Filter output", "KEY=VALUE" },
    { "noheading", 'n', 0, G_OPTION_ARG_NONE, &noheading, "Do not print headers", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)g_strfreev);
  g_autoptr (CliTemplate) tmpl = NULL;
  g_autoptr (GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);

  if (!cli_parse_options (&argc, &argv, entries, NULL, FALSE) || !check_filters (filters))
    return EXIT_PODUNIT;
  if (argc > 1)
    {
      cli_error ("\"podunit volume ls\" accepts no arguments");
      return EXIT_PODUNIT;
    }
  g_hash_table_insert (headers, "Name", "VOLUME NAME");
  if (format && !(tmpl = cli_template_new (format, headers, &error)))
    return fail_volume (error);
  if (!(names = volume_list (g->root, &error)))
    return fail_volume (error);
  if (!noheading && !quiet && !format)
    g_ptr_array_add (rows, g_strsplit ("DRIVER\tVOLUME NAME", "\t", -1));
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (Volume) v = volume_load (g->root, names->pdata[i], NULL);
      if (!v)
        continue; /* removed meanwhile */
      if (!filters || matches (g, v, filters, NULL))
        {
          if (quiet)
            printf ("%s\n", v->name);
          else if (tmpl)
            {
              g_autoptr (JsonObject) o = volume_to_json (g->root, v);
              if (!cli_template_add_row (tmpl, o, &error))
                return fail_volume (error);
            }
          else
            {
              char *row[] = { v->driver, v->name, NULL };
              g_ptr_array_add (rows, g_strdupv (row));
            }
        }
    }
  if (tmpl)
    cli_template_print (tmpl, FALSE);
  else if (!quiet)
    cli_print_table (rows);
  return 0;
}

/* The volumes a verb acts on: every one with @all, else the operands.
 * NULL (printed) when both or neither were given. */
static GPtrArray *
volume_args (CliGlobal *g, int argc, char **argv, gboolean all, const char *none_message)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *names;

  if (all == (argc > 1))
    {
      cli_error ("%s", all ? "when --all is given, no volumes may be named" : none_message);
      return NULL;
    }
  if (all)
    {
      if (!(names = volume_list (g->root, &error)))
        cli_error ("%s", error->message);
      return names;
    }
  names = g_ptr_array_new_with_free_func (g_free);
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (names, g_strdup (argv[i]));
  return names;
}

int
cli_volume_inspect (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Inspect all volumes", NULL },
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Go template", "FORMAT" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = NULL;
  g_autoptr (JsonArray) out = json_array_new ();
  g_autoptr (CliTemplate) tmpl = NULL;
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, "VOLUME...", FALSE))
    return EXIT_PODUNIT;
  if (!(names = volume_args (g, argc, argv, all, "provide one or more volume names or use --all")))
    return EXIT_PODUNIT;
  if (format && !(tmpl = cli_template_new (format, NULL, &error)))
    return fail_volume (error);
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GError) local = NULL;
      g_autoptr (Volume) v = volume_load (g->root, names->pdata[i], &local);
      if (!v)
        {
          cli_error ("%s", local->message);
          status = EXIT_PODUNIT;
          continue;
        }
      JsonObject *o = volume_to_json (g->root, v);
      if (tmpl && !cli_template_add_row (tmpl, o, &error))
        {
          json_object_unref (o);
          return fail_volume (error);
        }
      json_array_add_object_element (out, o);
    }
  if (tmpl)
    cli_template_print (tmpl, FALSE);
  else
    {
      g_autoptr (JsonNode) node = json_node_new (JSON_NODE_ARRAY);
      g_autofree char *text = NULL;
      json_node_set_array (node, out);
      text = json_to_string (node, TRUE);
      printf ("%s\n", text);
    }
  return status;
}

/* Removes @name; with @force first the containers using it, as podman does. */
static gboolean
remove_one (CliGlobal *g, const char *name, gboolean force, GError **error)
{
  if (force)
    {
      g_autoptr (GPtrArray) users = volume_users (g->root, name, error);
      if (!users)
        return FALSE;
      for (guint i = 0; i < users->len; i++)
        if (!launch_remove (&g->launch, users->pdata[i], TRUE, error))
          return FALSE;
    }
  return volume_remove (g->root, name, error);
}

int
cli_volume_rm (CliGlobal *g, int argc, char **argv)
{
  gboolean force = FALSE, all = FALSE;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Remove the containers using it too", NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Remove all volumes", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = NULL;
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, "VOLUME...", FALSE))
    return EXIT_PODUNIT;
  if (!(names = volume_args (g, argc, argv, all, "choose either one or more volumes or all")))
    return EXIT_PODUNIT;
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GError) local = NULL;
      const char *name = names->pdata[i];
      if (remove_one (g, name, force, &local))
        {
          printf ("%s\n", name);
          continue;
        }
      /* podman's exit statuses: 1 no such volume, 2 in use, 125 other. */
      if (g_error_matches (local, VOLUME_ERROR, VOLUME_ERROR_NOT_FOUND) && force)
        continue; /* podman: --force ignores missing volumes */
      if (g_error_matches (local, VOLUME_ERROR, VOLUME_ERROR_NOT_FOUND))
        {
          cli_error ("no volume with name \"%s\" found: no such volume", name);
          status = status ? status : 1;
        }
      else
        {
          cli_error ("%s", local->message);
          status = g_error_matches (local, VOLUME_ERROR, VOLUME_ERROR_IN_USE) && status != 125
                       ? 2
                       : EXIT_PODUNIT;
        }
    }
  return status;
}

int
cli_volume_prune (CliGlobal *g, int argc, char **argv)
{
  gboolean force = FALSE, all = FALSE;
  g_auto (GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "force", 'f', 0, G_OPTION_ARG_NONE, &force, "Do not ask for confirmation", NULL },
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Named volumes too, not only anonymous ones",
      NULL },
    { "filter", 0, 0, G_OPTION_ARG_STRING_ARRAY, &filters, "Prune only these", "KEY=VALUE" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = NULL;
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, NULL, FALSE) || !check_filters (filters))
    return EXIT_PODUNIT;
  if (!force)
    {
      char answer[16] = "";
      printf ("WARNING! This will remove all %svolumes not used by at least one container. "
              "The following volumes will be removed:\n",
              all ? "" : "anonymous ");
      if (!(names = volume_list (g->root, &error)))
        return fail_volume (error);
      for (guint i = 0; i < names->len; i++)
        {
          g_autoptr (GPtrArray) users = volume_users (g->root, names->pdata[i], NULL);
          g_autoptr (Volume) v = volume_load (g->root, names->pdata[i], NULL);
          if (users && !users->len && v && (all || v->anonymous))
            printf ("%s\n", (char *)names->pdata[i]);
        }
      printf ("Are you sure you want to continue? [y/N] ");
      fflush (stdout);
      if (!fgets (answer, sizeof answer, stdin) || g_ascii_tolower (answer[0]) != 'y')
        return 0;
      g_clear_pointer (&names, g_ptr_array_unref);
    }
  g_autoptr (GPtrArray) removed = g_ptr_array_new_with_free_func (g_free);
  status = cli_prune_volumes (g, all, filters, removed);
  for (guint i = 0; i < removed->len; i++)
    printf ("%s\n", (char *) removed->pdata[i]);
  return status;
}

int
cli_prune_volumes (CliGlobal *g, gboolean all, char **filters, GPtrArray *removed)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = volume_list (g->root, &error);
  int status = 0;
  if (!names)
    return fail_volume (error);
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GError) local = NULL;
      g_autoptr (Volume) v = volume_load (g->root, names->pdata[i], NULL);
      /* Without --all only anonymous volumes go, as podman: named ones
       * hold data someone chose to keep. */
      if (!v || (!all && !v->anonymous) || (filters && !matches (g, v, filters, NULL)))
        continue;
      if (volume_remove (g->root, v->name, &local))
        g_ptr_array_add (removed, g_strdup (v->name));
      else if (!g_error_matches (local, VOLUME_ERROR, VOLUME_ERROR_IN_USE))
        {
          cli_error ("%s", local->message);
          status = EXIT_PODUNIT;
        }
    }
  return status;
}

int
cli_volume_exists (CliGlobal *g, int argc, char **argv)
{
  g_autoptr (Volume) v = NULL;
  const GOptionEntry entries[] = { { NULL } };

  if (!cli_parse_options (&argc, &argv, entries, "VOLUME", FALSE))
    return EXIT_PODUNIT;
  if (argc != 2)
    {
      cli_error ("\"podunit volume exists\" requires exactly 1 argument");
      return EXIT_PODUNIT;
    }
  v = volume_load (g->root, argv[1], NULL);
  return v ? 0 : 1;
}
