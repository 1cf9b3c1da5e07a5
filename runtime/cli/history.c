/* SPDX-License-Identifier: Apache-2.0 */
/* podunit history|image history [-H=BOOL] [-q] [--no-trunc] [--format T|json]
 * IMAGE: the image config's history, newest first, as podman prints it:
 * the top entry carries the image id and names, the others "<missing>";
 * an entry that made a layer shows that layer's size. */
#include "cli/image-util.h"
#include "cli/template.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_FORMAT "table {{.ID}}\t{{.Created}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"

/* Go's time.RFC3339 in the local zone ("Z" for UTC), as podman's CreatedAt. */
static char *
rfc3339_local (gint64 t)
{
  g_autoptr (GDateTime) d = g_date_time_new_from_unix_local (t);
  g_autofree char *base = d ? g_date_time_format (d, "%Y-%m-%dT%H:%M:%S") : NULL;
  g_autofree char *off = d ? g_date_time_format (d, "%:z") : NULL;
  if (!d)
    return g_strdup ("");
  return g_strconcat (base, strcmp (off, "+00:00") == 0 ? "Z" : off, NULL);
}

static const char *
str_member (JsonObject *o, const char *name)
{
  JsonNode *n = json_object_get_member (o, name);
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
           ? json_node_get_string (n)
           : "";
}

static gboolean human;

/* --human[=BOOL], -H: pflag's optional boolean */
static gboolean
option_human (const char *name, const char *value, gpointer data, GError **error)
{
  if (!value || strcmp (value, "true") == 0)
    human = TRUE;
  else if (strcmp (value, "false") == 0)
    human = FALSE;
  else
    return g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                        "invalid argument \"%s\" for \"-H, --human\" flag: strconv.ParseBool: "
                        "parsing \"%s\": invalid syntax",
                        value, value),
           FALSE;
  return TRUE;
}

CLI_VERB (cli_history)
{
  g_autofree char *format = NULL;
  gboolean quiet = FALSE, no_trunc = FALSE;
  const GOptionEntry entries[] = {
    { "human", 'H', G_OPTION_FLAG_OPTIONAL_ARG, G_OPTION_ARG_CALLBACK, option_human,
      "Sizes and times for humans (default true)", "BOOL" },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print only the ids", NULL },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, "Do not truncate the output", NULL },
    { "notruncate", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &no_trunc, NULL, NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Go template or json", "FORMAT" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (Store) s = NULL;
  g_autoptr (StoreImage) img = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr (GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr (CliTemplate) tmpl = NULL;
  JsonObject *oci;
  JsonArray *hist;
  const char *const *diff_ids;
  guint nlayers, layer, n;

  human = TRUE;
  if (!cli_parse_options (&argc, &argv, entries, "IMAGE", FALSE))
    return EXIT_PODUNIT;
  if (argc != 2)
    {
      cli_error ("accepts 1 arg(s), received %d", argc - 1);
      return EXIT_PODUNIT;
    }
  g_hash_table_insert (headers, "CreatedBy", "CREATED BY");
  g_hash_table_insert (headers, "CreatedAt", "CREATED AT");
  g_hash_table_insert (headers, "CreatedSince", "CREATED");
  if (!(format && cli_template_is_json (format))
      && !(tmpl = cli_template_new (format ? format : quiet ? "{{.ID}}" : DEFAULT_FORMAT, headers,
                                    &error)))
    return cli_fail (error);
  if (!(s = cli_store_open (g, &error)) || !(img = store_lookup_image (s, argv[1], &error)))
    return cli_fail (error);

  oci = store_image_get_oci_config (img);
  hist = json_object_has_member (oci, "history")
             && JSON_NODE_HOLDS_ARRAY (json_object_get_member (oci, "history"))
           ? json_object_get_array_member (oci, "history")
           : NULL;
  diff_ids = store_image_get_diff_ids (img);
  nlayers = diff_ids ? g_strv_length ((char **) diff_ids) : 0;
  n = hist ? json_array_get_length (hist) : 0;
  /* entries that made a layer take the layers bottom up; walked newest
   * first, they take them from the top */
  layer = nlayers;
  for (guint k = n; k-- > 0;)
    {
      JsonNode *node = json_array_get_element (hist, k);
      JsonObject *h = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
      JsonObject *o = json_object_new ();
      JsonArray *tags = json_array_new ();
      const char *created_s = h ? str_member (h, "created") : "";
      g_autoptr (GDateTime) t = *created_s ? g_date_time_new_from_iso8601 (created_s, NULL) : NULL;
      gint64 created = t ? g_date_time_to_unix (t) : 0;
      gboolean empty = h && json_object_has_member (h, "empty_layer")
                       && json_object_get_boolean_member (h, "empty_layer");
      guint64 size = 0;
      g_autofree char *id = NULL, *ago = cli_human_ago (created), *at = rfc3339_local (created);
      g_autofree char *by = g_strdup (h ? str_member (h, "created_by") : "");
      g_autofree char *size_s = NULL;

      if (!empty && layer > 0)
        {
          layer--;
          if (!store_layer_info (s, diff_ids[layer], NULL, NULL, &size, &error))
            return cli_fail (error);
        }
      if (k == n - 1)
        {
          id = g_strdup (store_image_get_id (img));
          for (const char *const *nm = store_image_get_names (img); nm && *nm; nm++)
            json_array_add_string_element (tags, *nm);
        }
      else
        id = g_strdup ("<missing>");
      if (format && cli_template_is_json (format))
        {
          json_object_set_string_member (o, "id", id);
          json_object_set_string_member (o, "created", at);
          if (*by)
            json_object_set_string_member (o, "CreatedBy", by);
          json_object_set_int_member (o, "size", (gint64) size);
          if (h && *str_member (h, "comment"))
            json_object_set_string_member (o, "comment", str_member (h, "comment"));
          json_object_set_array_member (o, "tags", tags);
          g_ptr_array_add (rows, o);
          continue;
        }
      if (!no_trunc && k == n - 1)
        id[12] = '\0';
      /* podman's human mode cuts long commands at 45 characters */
      if (human && !no_trunc && g_utf8_strlen (by, -1) > 45)
        {
          char *cut = g_utf8_offset_to_pointer (by, 42);
          strcpy (cut, "...");
        }
      size_s = human ? cli_human_size (size) : g_strdup_printf ("%" G_GUINT64_FORMAT, size);
      json_object_set_string_member (o, "ID", id);
      json_object_set_string_member (o, "Created", human ? ago : at);
      json_object_set_string_member (o, "CreatedAt", at);
      json_object_set_string_member (o, "CreatedSince", ago);
      json_object_set_string_member (o, "CreatedBy", by);
      json_object_set_string_member (o, "Size", size_s);
      json_object_set_string_member (o, "Comment", h ? str_member (h, "comment") : "");
      json_object_set_array_member (o, "Tags", tags);
      if (!cli_template_add_row (tmpl, o, &error))
        {
          json_object_unref (o);
          return cli_fail (error);
        }
      json_object_unref (o);
    }
  if (tmpl)
    cli_template_print (tmpl, FALSE);
  else
    cli_print_json_rows (rows);
  return 0;
}
