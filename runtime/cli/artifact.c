/* SPDX-License-Identifier: Apache-2.0 */
/* podunit artifact add|ls|inspect|rm|extract (podman 5's OCI artifacts),
 * with podman's output and messages; the store is image/artifact/artifact.h.
 * push and pull answer that podunit cannot move artifacts yet. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

#include "cli/image-util.h"
#include "cli/template.h"
#include "image/artifact/artifact.h"

CLI_VERB (cli_artifact_add)
{
  g_autofree char *type = NULL, *file_type = NULL;
  g_auto (GStrv) annotations = NULL;
  gboolean append = FALSE, replace = FALSE;
  const GOptionEntry entries[] = {
    { "annotation", 0, 0, G_OPTION_ARG_STRING_ARRAY, &annotations,
      "Set an annotation on the files of the artifact", "KEY=VALUE" },
    { "type", 0, 0, G_OPTION_ARG_STRING, &type, "The artifact's type (artifactType)", "TYPE" },
    { "file-type", 0, 0, G_OPTION_ARG_STRING, &file_type, "The files' media type", "TYPE" },
    { "append", 'a', 0, G_OPTION_ARG_NONE, &append, "Append the files to an existing artifact",
      NULL },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace, "Replace an artifact of that name", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *digest = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "ARTIFACT PATH...", FALSE))
    return EXIT_PODUNIT;
  if (argc < 3)
    {
      cli_error ("requires at least 2 arg(s), only received %d", argc - 1);
      return EXIT_PODUNIT;
    }
  ArtifactAddOptions o = { .type = type, .file_type = file_type, .annotations = annotations,
                           .append = append, .replace = replace };
  if (!(digest = artifact_add (g->root, argv[1], argv + 2, &o, &error)))
    return cli_fail (error);
  printf ("%s\n", digest + strlen ("sha256:"));
  return 0;
}

/* podman's artifactListOutput (and Created/CreatedAt/VirtualSize) */
static JsonObject *
list_row (const Artifact *a, gboolean no_trunc)
{
  JsonObject *o = json_object_new ();
  const char *at = strchr (a->name, '@');
  const char *last = strrchr (a->name, '/');
  const char *colon = strchr (last ? last : a->name, ':');
  g_autofree char *repo = g_strndup (a->name, colon ? colon - a->name : at ? at - a->name
                                                                        : (long) strlen (a->name));
  g_autofree char *tag = colon ? g_strndup (colon + 1, at && at > colon ? at - colon - 1
                                                                        : (long) strlen (colon + 1))
                               : g_strdup ("");
  g_autofree char *digest = g_strndup (a->digest + 7, no_trunc ? 64 : 12);
  g_autofree char *size = cli_human_size_precision (a->size, 4, "");
  g_autofree char *created = a->created ? cli_human_ago (a->created) : g_strdup ("");
  g_autofree char *created_at = a->created_text ? cli_go_time_string (a->created_text)
                                                : g_strdup ("");
  json_object_set_string_member (o, "Repository", repo);
  json_object_set_string_member (o, "Tag", tag);
  json_object_set_string_member (o, "Digest", digest);
  json_object_set_string_member (o, "Created", created);
  json_object_set_string_member (o, "CreatedAt", created_at);
  json_object_set_string_member (o, "Size", size);
  json_object_set_int_member (o, "VirtualSize", (gint64) a->size);
  return o;
}

CLI_VERB (cli_artifact_ls)
{
  g_autofree char *format = NULL;
  gboolean noheading = FALSE, no_trunc = FALSE;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Go template or json", "FORMAT" },
    { "noheading", 'n', 0, G_OPTION_ARG_NONE, &noheading, "Do not print column headings", NULL },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, "Do not truncate the digests", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr (CliTemplate) tmpl = NULL;
  g_autoptr (GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);

  if (!cli_parse_options (&argc, &argv, entries, NULL, FALSE))
    return EXIT_PODUNIT;
  if (argc > 1)
    {
      cli_error ("\"podunit artifact ls\" accepts no arguments");
      return EXIT_PODUNIT;
    }
  g_hash_table_insert (headers, "CreatedAt", "CREATED AT");
  g_hash_table_insert (headers, "VirtualSize", "VIRTUAL SIZE");
  if (!(format && cli_template_is_json (format))
      && !(tmpl = cli_template_new (
               format ? format : "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.Created}}\t{{.Size}}",
               headers, &error)))
    return cli_fail (error);
  if (!(all = artifact_list (g->root, &error)))
    return cli_fail (error);
  for (guint i = 0; i < all->len; i++)
    {
      JsonObject *o = list_row (all->pdata[i], no_trunc);
      g_ptr_array_add (rows, o);
      if (tmpl && !cli_template_add_row (tmpl, o, &error))
        return cli_fail (error);
    }
  if (tmpl)
    cli_template_print (tmpl, noheading);
  else
    cli_print_json_rows (rows);
  return 0;
}

CLI_VERB (cli_artifact_inspect)
{
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Go template or json", "FORMAT" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (Artifact) a = NULL;
  g_autoptr (JsonObject) o = json_object_new ();

  if (!cli_parse_options (&argc, &argv, entries, "ARTIFACT", FALSE))
    return EXIT_PODUNIT;
  if (argc != 2)
    {
      cli_error ("accepts 1 arg(s), received %d", argc - 1);
      return EXIT_PODUNIT;
    }
  if (!(a = artifact_lookup (g->root, argv[1], &error)))
    return cli_fail (error);
  /* podman's ArtifactInspectReport: the artifact (Manifest, Name), Digest */
  json_object_set_object_member (o, "Manifest", json_object_ref (a->manifest));
  json_object_set_string_member (o, "Name", a->name);
  json_object_set_string_member (o, "Digest", a->digest);
  if (format && *format && !cli_template_is_json (format))
    {
      g_autoptr (CliTemplate) tmpl = cli_template_new (format, NULL, &error);
      if (!tmpl || !cli_template_add_row (tmpl, o, &error))
        return cli_fail (error);
      cli_template_print (tmpl, FALSE);
      return 0;
    }
  {
    g_autoptr (JsonNode) n = json_node_new (JSON_NODE_OBJECT);
    json_node_set_object (n, o);
    cli_print_json (n);
  }
  return 0;
}

CLI_VERB (cli_artifact_rm)
{
  gboolean all = FALSE, ignore = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Remove all artifacts", NULL },
    { "ignore", 'i', 0, G_OPTION_ARG_NONE, &ignore, "A missing artifact is not an error", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  int status = 0;

  if (!cli_parse_options (&argc, &argv, entries, "ARTIFACT...", FALSE))
    return EXIT_PODUNIT;
  if (all && argc > 1)
    {
      cli_error ("when using the --all switch, you may not pass any artifact names or digests");
      return EXIT_PODUNIT;
    }
  if (!all && argc < 2)
    {
      cli_error ("a single artifact name or digest must be specified");
      return EXIT_PODUNIT;
    }
  if (all)
    {
      g_autoptr (GPtrArray) list = artifact_list (g->root, &error);
      if (!list)
        return cli_fail (error);
      for (guint i = 0; i < list->len; i++)
        g_ptr_array_add (names, g_strdup (((Artifact *) list->pdata[i])->name));
    }
  else
    for (int i = 1; i < argc; i++)
      g_ptr_array_add (names, g_strdup (argv[i]));
  for (guint i = 0; i < names->len; i++)
    {
      g_autoptr (GError) local = NULL;
      g_autofree char *digest = artifact_remove (g->root, names->pdata[i], &local);
      if (digest)
        printf ("%s\n", digest + strlen ("sha256:"));
      else if (!(ignore && g_error_matches (local, ARTIFACT_ERROR, ARTIFACT_ERROR_NOT_FOUND)))
        {
          cli_error ("%s", local->message);
          status = EXIT_PODUNIT;
        }
    }
  return status;
}

CLI_VERB (cli_artifact_extract)
{
  g_autofree char *title = NULL, *digest = NULL;
  const GOptionEntry entries[] = {
    { "title", 0, 0, G_OPTION_ARG_STRING, &title, "Only the file of this title", "TITLE" },
    { "digest", 0, 0, G_OPTION_ARG_STRING, &digest, "Only the file of this digest", "DIGEST" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "ARTIFACT TARGET", FALSE))
    return EXIT_PODUNIT;
  if (argc != 3)
    {
      cli_error ("accepts 2 arg(s), received %d", argc - 1);
      return EXIT_PODUNIT;
    }
  if (!artifact_extract (g->root, argv[1], argv[2], title, digest, &error))
    return cli_fail (error);
  return 0;
}

/* Moving artifacts to and from registries is not written yet: say so
 * rather than pretend. */
CLI_VERB (cli_artifact_push_pull)
{
  const GOptionEntry entries[] = { { NULL } };
  (void) g;
  if (!cli_parse_options (&argc, &argv, entries, "ARTIFACT", FALSE))
    return EXIT_PODUNIT;
  cli_error ("\"podunit %s\": podunit cannot copy artifacts to or from a registry yet", argv[0]);
  return EXIT_PODUNIT;
}
