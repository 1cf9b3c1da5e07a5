/* SPDX-License-Identifier: Apache-2.0 */
/* podunit auto-update [--dry-run] [--format F] [--authfile FILE] [--tls-verify=BOOL]
 *
 * podman's auto-update: every running container labelled
 * io.containers.autoupdate=registry (or "image") or =local (Quadlet's
 * AutoUpdate= writes the label) and started by a systemd unit (the
 * PODMAN_SYSTEMD_UNIT label) is checked: "registry" asks the registry for
 * the manifest digest of the name the container was created from and
 * compares it with the local image's; "local" compares the image that name
 * now points to in the store with the container's. --dry-run reports
 * "pending" for those; otherwise a registry update is pulled and the unit
 * restarted through systemd's bus (RestartUnit, "replace"), reported
 * "true", or "failed" with the error. One row per container: podman's
 * UNIT CONTAINER IMAGE POLICY UPDATED table, json or a template. */
#include "cli/image-util.h"
#include "cli/template.h"
#include "image/registry/client.h"

#include <string.h>
#include <systemd/sd-bus.h>

#define LABEL_POLICY "io.containers.autoupdate"
#define LABEL_AUTHFILE "io.containers.autoupdate.authfile"
#define LABEL_UNIT "PODMAN_SYSTEMD_UNIT"

/* The platform's manifest digest in an index (NULL: none for this machine). */
static char *
index_platform_digest (GBytes *index)
{
  g_autoptr (JsonParser) p = json_parser_new ();
  gsize len;
  const char *data = g_bytes_get_data (index, &len);
  JsonNode *root;
  JsonArray *a;
  if (!json_parser_load_from_data (p, data, len, NULL) || !(root = json_parser_get_root (p))
      || !JSON_NODE_HOLDS_OBJECT (root)
      || !json_object_has_member (json_node_get_object (root), "manifests"))
    return NULL;
  a = json_object_get_array_member (json_node_get_object (root), "manifests");
  for (guint i = 0; a && i < json_array_get_length (a); i++)
    {
      JsonObject *m = json_array_get_object_element (a, i);
      JsonObject *pl = m && json_object_has_member (m, "platform")
                           ? json_object_get_object_member (m, "platform")
                           : NULL;
      const char *os = pl ? registry_json_string (pl, "os") : NULL;
      const char *arch = pl ? registry_json_string (pl, "architecture") : NULL;
      if (os && arch && strcmp (os, "linux") == 0 && strcmp (arch, registry_host_arch ()) == 0)
        return g_strdup (registry_json_string (m, "digest"));
    }
  return NULL;
}

/* Whether the registry has another manifest for NAME than LOCAL_DIGEST
 * (podman's HasDifferentDigest: the index's digest or the platform's). */
static gboolean
registry_differs (const char *name, const char *authfile, const char *local_digest,
                  gboolean *differs, GError **error)
{
  RegistryOptions o = { 0 };
  g_autoptr (RegistriesConf) conf = NULL;
  g_autoptr (RegistryRef) ref = NULL;
  g_autoptr (RegistryClient) c = NULL;
  g_autoptr (GBytes) m = NULL;
  g_autofree char *media = NULL, *digest = NULL, *platform = NULL;

  if (registry_name_is_short (name))
    return g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_SHORT_NAME,
                        "short name %s: the registry policy needs a fully qualified image name",
                        name),
           FALSE;
  if (!(ref = cli_registry_target (name, authfile, NULL, NULL, &o, &conf, error))
      || !(c = registry_client_new (ref, &o, FALSE, error))
      || !(m = registry_get_manifest (c, registry_ref_reference (ref), &media, error)))
    return FALSE;
  digest = g_strconcat ("sha256:", g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, m), NULL);
  if (media && (strcmp (media, MEDIA_OCI_INDEX) == 0 || strcmp (media, MEDIA_DOCKER_LIST) == 0))
    platform = index_platform_digest (m);
  *differs = !local_digest
             || (strcmp (digest, local_digest) != 0
                 && !(platform && strcmp (platform, local_digest) == 0));
  return TRUE;
}

/* systemd's RestartUnit(UNIT, "replace") on the system bus (the user's
 * when rootless), as podman does. */
static gboolean
restart_unit (CliGlobal *g, const char *unit, GError **error)
{
  sd_bus *bus = NULL;
  sd_bus_error e = SD_BUS_ERROR_NULL;
  sd_bus_message *reply = NULL;
  int r = g->rootless ? sd_bus_open_user (&bus) : sd_bus_open_system (&bus);
  if (r < 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
                   "restarting unit %s: connecting to systemd's bus: %s", unit, g_strerror (-r));
      return FALSE;
    }
  sd_bus_message *m = NULL;
  r = sd_bus_message_new_method_call (bus, &m, "org.freedesktop.systemd1",
                                      "/org/freedesktop/systemd1",
                                      "org.freedesktop.systemd1.Manager", "RestartUnit");
  if (r >= 0)
    r = sd_bus_message_append_basic (m, 's', unit);
  if (r >= 0)
    r = sd_bus_message_append_basic (m, 's', "replace");
  if (r >= 0)
    r = sd_bus_call (bus, m, 0, &e, &reply);
  sd_bus_message_unref (m);
  if (r < 0)
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "restarting unit %s: %s", unit,
                 e.message ? e.message : g_strerror (-r));
  sd_bus_error_free (&e);
  sd_bus_message_unref (reply);
  sd_bus_flush_close_unref (bus);
  return r >= 0;
}

int
cli_auto_update (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *authfile = NULL, *format = NULL;
  gboolean dry_run = FALSE, rollback = TRUE;
  const GOptionEntry entries[] = {
    { "authfile", 0, 0, G_OPTION_ARG_FILENAME, &authfile,
      "Path of the authentication file (REGISTRY_AUTH_FILE)", "FILE" },
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run, "Check for pending updates", NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "json or a Go template", "FORMAT" },
    { "rollback", 0, 0, G_OPTION_ARG_NONE, &rollback,
      "Accepted (podman's default; podunit does not roll back)", NULL },
    { "tls-verify", 0, G_OPTION_FLAG_OPTIONAL_ARG | G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK,
      cli_option_tls_verify, "Require HTTPS and verify certificates (default true)", "BOOL" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) ids = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GHashTable) pulled = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (Store) s = NULL;

  cli_tls_verify = TRUE;
  cli_tls_given = FALSE;
  if (!cli_parse_options (&argc, &argv, entries, "- update containers to their newer images",
                          FALSE))
    return EXIT_PODUNIT;
  if (argc > 1)
    {
      cli_error ("`%s %s` takes no arguments", cli_program_name (), argv[0]);
      return EXIT_PODUNIT;
    }
  if (authfile && !cli_check_authfile (authfile, &error))
    return cli_fail (error);
  if (!authfile && g_getenv ("REGISTRY_AUTH_FILE") && *g_getenv ("REGISTRY_AUTH_FILE"))
    authfile = g_strdup (g_getenv ("REGISTRY_AUTH_FILE"));
  if (!(s = cli_store_open (g, &error)))
    return cli_fail (error);

  ids = container_list (g->root, NULL);
  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = ids->pdata[i];
      g_autoptr (ContainerConfig) c = container_config_load (g->root, id, NULL);
      g_autoptr (StoreImage) img = NULL;
      g_autoptr (GError) err = NULL;
      ContainerState st;
      const char *policy, *unit, *updated = "false";
      gboolean update = FALSE;

      if (!c || !container_state_load (g->runroot, id, &st, NULL) || st.status != CONTAINER_RUNNING)
        continue;
      policy = container_strv_get (c->labels, LABEL_POLICY);
      if (!policy || !*policy || strcmp (policy, "disabled") == 0)
        continue;
      if (strcmp (policy, "image") == 0)
        policy = "registry";
      if (strcmp (policy, "registry") != 0 && strcmp (policy, "local") != 0)
        {
          g_ptr_array_add (failures,
                           g_strdup_printf ("auto-updating container \"%s\": invalid auto-update "
                                            "policy \"%s\": valid policies are [\"disabled\" "
                                            "\"image\" \"local\" \"registry\"]",
                                            id, policy));
          continue;
        }
      unit = container_strv_get (c->labels, LABEL_UNIT);
      if (!unit || !*unit)
        {
          g_ptr_array_add (failures, g_strdup_printf ("auto-updating container \"%s\": no %s "
                                                      "label found",
                                                      id, LABEL_UNIT));
          continue;
        }
      if (!c->image || !*c->image)
        {
          g_ptr_array_add (failures, g_strdup_printf ("locally auto-updating container \"%s\": "
                                                      "raw-image name is empty",
                                                      id));
          continue;
        }
      img = store_lookup_image (s, c->image_id, NULL);
      if (strcmp (policy, "registry") == 0)
        {
          const char *af = container_strv_get (c->labels, LABEL_AUTHFILE);
          if (!g_hash_table_contains (pulled, c->image)
              && !registry_differs (c->image, af && *af ? af : authfile,
                                    img ? store_image_get_digest (img) : NULL, &update, &err))
            {
              g_ptr_array_add (failures,
                               g_strdup_printf ("checking image updates for container %s: %s", id,
                                                err->message));
              continue;
            }
          update = update || g_hash_table_contains (pulled, c->image);
        }
      else
        {
          g_autoptr (StoreImage) now = store_lookup_image (s, c->image, &err);
          if (!now)
            {
              g_ptr_array_add (failures,
                               g_strdup_printf ("checking image updates for container %s: %s", id,
                                                err->message));
              continue;
            }
          update = strcmp (store_image_get_id (now), c->image_id) != 0;
        }
      if (update && dry_run)
        updated = "pending";
      else if (update)
        {
          RegistryOptions o = { .authfile = authfile, .insecure = !cli_tls_verify };
          g_autofree char *new_id = NULL;
          if (strcmp (policy, "registry") == 0 && !g_hash_table_contains (pulled, c->image))
            {
              new_id = cli_pull_image (s, c->image, &o, cli_tls_given, NULL, 3, 2, TRUE, &err);
              if (new_id)
                g_hash_table_add (pulled, g_strdup (c->image));
            }
          if ((strcmp (policy, "registry") != 0 || g_hash_table_contains (pulled, c->image))
              && restart_unit (g, unit, &err))
            updated = "true";
          else
            {
              updated = "failed";
              g_ptr_array_add (failures, g_strdup_printf ("updating container %s: %s", id,
                                                          err ? err->message : "failed"));
            }
        }
      JsonObject *row = json_object_new ();
      g_autofree char *short_id = g_strndup (id, 12);
      g_autofree char *both = g_strdup_printf ("%s (%s)", short_id, c->name);
      json_object_set_string_member (row, "Unit", unit);
      json_object_set_string_member (row, "Container", both);
      json_object_set_string_member (row, "ContainerName", c->name);
      json_object_set_string_member (row, "ContainerID", id);
      json_object_set_string_member (row, "Image", c->image);
      json_object_set_string_member (row, "Policy", policy);
      json_object_set_string_member (row, "Updated", updated);
      g_ptr_array_add (rows, row);
    }

  if (format && cli_template_is_json (format))
    cli_print_json_rows (rows);
  else
    {
      g_autoptr (CliTemplate) t = cli_template_new (
          format ? format : "table {{.Unit}}\t{{.Container}}\t{{.Image}}\t{{.Policy}}\t{{.Updated}}",
          NULL, &error);
      if (!t)
        return cli_fail (error);
      for (guint i = 0; i < rows->len; i++)
        if (!cli_template_add_row (t, rows->pdata[i], &error))
          return cli_fail (error);
      cli_template_print (t, FALSE);
    }
  fflush (stdout);
  for (guint i = 0; i < failures->len; i++)
    cli_error ("%s", (char *) failures->pdata[i]);
  return failures->len ? EXIT_PODUNIT : 0;
}
