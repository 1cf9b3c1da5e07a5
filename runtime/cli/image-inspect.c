/* SPDX-License-Identifier: Apache-2.0 */
/* podunit image inspect [--format T] IMAGE...: podman's JSON (Id, Digest,
 * RepoTags, RepoDigests, Created, Config, RootFS, Size, GraphDriver …). */
#include "cli/image-util.h"
#include "cli/template.h"

#include <stdio.h>
#include <string.h>

static void
copy_member (JsonObject *to, const char *to_name, JsonObject *from, const char *name,
             JsonNodeType fallback)
{
  JsonNode *n
      = from && json_object_has_member (from, name) ? json_object_get_member (from, name) : NULL;
  if (n)
    json_object_set_member (to, to_name, json_node_copy (n));
  else if (fallback == JSON_NODE_OBJECT)
    json_object_set_object_member (to, to_name, json_object_new ());
  else if (fallback == JSON_NODE_ARRAY)
    json_object_set_array_member (to, to_name, json_array_new ());
  else
    json_object_set_string_member (to, to_name, "");
}

static JsonObject *
inspect_image (StoreImage *img)
{
  JsonObject *o = json_object_new ();
  JsonObject *oci = store_image_get_oci_config (img);
  JsonObject *cfg = store_image_get_config (img);
  JsonObject *manifest = store_image_get_manifest (img);
  const char *const *names = store_image_get_names (img);
  const char *const *dirs = store_image_get_layer_dirs (img);

  json_object_set_string_member (o, "Id", store_image_get_id (img));
  json_object_set_string_member (o, "Digest", store_image_get_digest (img));
  JsonArray *tags = json_array_new (), *digests = json_array_new ();
  g_auto (GStrv) repo_digests = store_image_repo_digests (img);
  for (guint i = 0; names[i]; i++)
    json_array_add_string_element (tags, names[i]);
  for (guint i = 0; repo_digests[i]; i++)
    json_array_add_string_element (digests, repo_digests[i]);
  json_object_set_array_member (o, "RepoTags", tags);
  json_object_set_array_member (o, "RepoDigests", digests);
  json_object_set_string_member (o, "Parent", "");
  copy_member (o, "Comment", oci, "comment", JSON_NODE_VALUE);
  copy_member (o, "Created", oci, "created", JSON_NODE_VALUE);
  json_object_set_object_member (o, "Config", json_object_ref (cfg));
  json_object_set_string_member (o, "Version", "");
  copy_member (o, "Author", oci, "author", JSON_NODE_VALUE);
  copy_member (o, "Architecture", oci, "architecture", JSON_NODE_VALUE);
  copy_member (o, "Os", oci, "os", JSON_NODE_VALUE);
  json_object_set_int_member (o, "Size", store_image_get_size (img));
  json_object_set_int_member (o, "VirtualSize", store_image_get_size (img));

  /* overlay's view: the top layer is UpperDir, the rest LowerDir (top first). */
  JsonObject *gd = json_object_new (), *data = json_object_new ();
  json_object_set_string_member (gd, "Name", "overlay");
  guint n = g_strv_length ((char **)dirs);
  if (n > 0)
    {
      GString *lower = g_string_new (NULL);
      for (guint i = n - 1; i-- > 0;)
        g_string_append_printf (lower, "%s%s", lower->len ? ":" : "", dirs[i]);
      if (lower->len)
        json_object_set_string_member (data, "LowerDir", lower->str);
      g_string_free (lower, TRUE);
      json_object_set_string_member (data, "UpperDir", dirs[n - 1]);
    }
  json_object_set_object_member (gd, "Data", data);
  json_object_set_object_member (o, "GraphDriver", gd);

  JsonObject *rootfs = json_object_new ();
  json_object_set_string_member (rootfs, "Type", "layers");
  JsonArray *layers = json_array_new ();
  for (const char *const *d = store_image_get_diff_ids (img); *d; d++)
    json_array_add_string_element (layers, *d);
  json_object_set_array_member (rootfs, "Layers", layers);
  json_object_set_object_member (o, "RootFS", rootfs);
  copy_member (o, "Labels", cfg, "Labels", JSON_NODE_OBJECT);
  copy_member (o, "Annotations", manifest, "annotations", JSON_NODE_OBJECT);
  copy_member (o, "ManifestType", manifest, "mediaType", JSON_NODE_VALUE);
  copy_member (o, "User", cfg, "User", JSON_NODE_VALUE);
  copy_member (o, "History", oci, "history", JSON_NODE_ARRAY);
  JsonArray *nh = json_array_new ();
  for (const char *const *h = store_image_get_names_history (img); *h; h++)
    json_array_add_string_element (nh, *h);
  json_object_set_array_member (o, "NamesHistory", nh);
  return o;
}

int
cli_image_inspect (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *format = NULL, *type = NULL;
  gboolean size = FALSE;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Go template (podman's subset)", "TEMPLATE" },
    /* `inspect` hands its own flags over with the arguments */
    { "type", 't', 0, G_OPTION_ARG_STRING, &type, "image (from inspect)", NULL },
    { "size", 's', 0, G_OPTION_ARG_NONE, &size, "Ignored", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;

  gboolean generic = strcmp (argv[0], "inspect") == 0;
  if (!cli_parse_options (&argc, &argv, entries, "IMAGE... - show image details", FALSE))
    return EXIT_PODUNIT;
  if (argc < 2)
    {
      cli_error ("image inspect: at least one IMAGE is required");
      return EXIT_PODUNIT;
    }
  g_autoptr (CliTemplate) t = NULL;
  if (format && strcmp (format, "json") != 0)
    {
      t = cli_template_new (format, NULL, &error);
      if (t == NULL)
        return cli_fail (error);
    }
  g_autoptr (Store) s = cli_store_open (g, &error);
  if (s == NULL)
    return cli_fail (error);

  g_autoptr (JsonArray) out = json_array_new ();
  /* podman prints what it found, then an error for each name it did not. */
  g_autoptr (GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);
  int rc = 0;
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (GError) local = NULL;
      g_autoptr (StoreImage) img = store_lookup_image (s, argv[i], &local);
      if (img == NULL && generic && g_error_matches (local, STORE_ERROR, STORE_ERROR_NOT_FOUND))
        {
          /* `podunit inspect NAME`: neither a container nor an image */
          g_ptr_array_add (missing, g_strdup_printf ("no such object: \"%s\"", argv[i]));
          rc = EXIT_PODUNIT;
          continue;
        }
      if (img == NULL)
        {
          /* Plain `inspect` found no container either: podman's words. */
          if (strcmp (argv[0], "inspect") == 0
              && g_error_matches (local, STORE_ERROR, STORE_ERROR_NOT_FOUND))
            {
              g_clear_error (&local);
              g_set_error (&local, STORE_ERROR, STORE_ERROR_NOT_FOUND, "no such object: \"%s\"",
                           argv[i]);
            }
          g_ptr_array_add (missing, g_strdup (local->message));
          rc = EXIT_PODUNIT;
          continue;
        }
      JsonObject *o = inspect_image (img);
      if (t && !cli_template_add_row (t, o, &error))
        {
          json_object_unref (o);
          return cli_fail (error);
        }
      json_array_add_object_element (out, o);
    }
  if (t)
    cli_template_print (t, FALSE);
  else
    {
      g_autoptr (JsonNode) root = json_node_init_array (json_node_alloc (), out);
      cli_print_json (root);
    }
  fflush (stdout);
  for (guint i = 0; i < missing->len; i++)
    cli_error ("%s", (char *) missing->pdata[i]);
  return rc;
}
