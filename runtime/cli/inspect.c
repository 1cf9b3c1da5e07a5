/* SPDX-License-Identifier: Apache-2.0 */
/* podunit inspect [--format T] [--type container|image] NAME...: podman's
 * container inspect JSON (the fields podunit has), or the image's when
 * NAME is not a container. */
#include "cli/image-util.h"

#include <stdio.h>
#include <string.h>

#include "cli/template.h"
#include "container/container.h"
#include "container/launch.h"
#include "systemd/health.h"
#include "systemd/journal.h"

#pragma weak cli_image_inspect

static char *
rfc3339 (gint64 usec)
{
  g_autoptr (GDateTime) dt = usec ? g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC) : NULL;
  if (!dt)
    return g_strdup ("0001-01-01T00:00:00Z");
  g_autoptr (GDateTime) precise = g_date_time_add (dt, usec % G_USEC_PER_SEC);
  return g_date_time_format (precise, "%Y-%m-%dT%H:%M:%S.%fZ");
}

static void
add_strv (JsonBuilder *b, const char *member, char **v)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_array (b);
  for (; v && *v; v++)
    json_builder_add_string_value (b, *v);
  json_builder_end_array (b);
}

static void
add_kv (JsonBuilder *b, const char *member, char **v)
{
  json_builder_set_member_name (b, member);
  json_builder_begin_object (b);
  for (; v && *v; v++)
    {
      g_auto (GStrv) kv = g_strsplit (*v, "=", 2);
      json_builder_set_member_name (b, kv[0]);
      json_builder_add_string_value (b, kv[1] ? kv[1] : "");
    }
  json_builder_end_object (b);
}

static void
add_str (JsonBuilder *b, const char *member, const char *v)
{
  json_builder_set_member_name (b, member);
  json_builder_add_string_value (b, v ? v : "");
}

/* podman's HostConfig.Ulimits: [{Name: RLIMIT_NOFILE, Soft, Hard}]. */
static void
add_ulimits (JsonBuilder *b, char **ulimits)
{
  json_builder_set_member_name (b, "Ulimits");
  json_builder_begin_array (b);
  for (char **u = ulimits; u && *u; u++)
    {
      g_auto (GStrv) kv = g_strsplit (*u, "=", 2);
      g_auto (GStrv) sh = g_strsplit (kv[1] ? kv[1] : "", ":", 2);
      g_autofree char *up = g_ascii_strup (kv[0], -1);
      g_autofree char *name = g_strconcat ("RLIMIT_", up, NULL);
      json_builder_begin_object (b);
      add_str (b, "Name", name);
      json_builder_set_member_name (b, "Soft");
      json_builder_add_int_value (b, g_ascii_strtoll (sh[0] ? sh[0] : "0", NULL, 10));
      json_builder_set_member_name (b, "Hard");
      json_builder_add_int_value (b, g_ascii_strtoll (sh[0] && sh[1] ? sh[1] : sh[0] ? sh[0] : "0",
                                                      NULL, 10));
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

/* The k8s-file (json-file too), "" for the other drivers, as podman's
 * LogPath. */
static char *
log_file (const char *root, const ContainerConfig *c)
{
  return container_log_driver (c) == LOG_DRIVER_K8S_FILE ? container_log_path (root, c)
                                                         : g_strdup ("");
}

/* podman's Config.Secrets: the mounted ones, {Name, ID, UID, GID, Mode}
 * (env secrets are not listed, as podman's). */
static void
add_secrets (JsonBuilder *b, char **secrets)
{
  json_builder_set_member_name (b, "Secrets");
  json_builder_begin_array (b);
  for (char **s = secrets; s && *s; s++)
    {
      g_autofree char *type = container_opt_get (*s, "type");
      g_autofree char *name = container_opt_get (*s, "source");
      g_autofree char *id = container_opt_get (*s, "id");
      g_autofree char *uid = container_opt_get (*s, "uid");
      g_autofree char *gid = container_opt_get (*s, "gid");
      g_autofree char *mode = container_opt_get (*s, "mode");
      if (g_strcmp0 (type, "mount") != 0)
        continue;
      json_builder_begin_object (b);
      add_str (b, "Name", name);
      add_str (b, "ID", id);
      json_builder_set_member_name (b, "UID");
      json_builder_add_int_value (b, uid ? g_ascii_strtoll (uid, NULL, 10) : 0);
      json_builder_set_member_name (b, "GID");
      json_builder_add_int_value (b, gid ? g_ascii_strtoll (gid, NULL, 10) : 0);
      json_builder_set_member_name (b, "Mode");
      json_builder_add_int_value (b, mode ? g_ascii_strtoll (mode, NULL, 8) : 0444);
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
}

static JsonNode *
inspect_json (CliGlobal *g, Store *store, ContainerConfig *c, const ContainerState *st)
{
  g_autoptr (JsonBuilder) b = json_builder_new ();
  g_autofree char *created = rfc3339 (c->created * G_USEC_PER_SEC);
  g_autofree char *started = rfc3339 (st->started_at);
  g_autofree char *finished = rfc3339 (st->finished_at);
  g_autofree char *cdir = container_dir (g->root, c->id);
  g_autofree char *rdir = container_run_dir (g->runroot, c->id);
  gboolean running = st->status == CONTAINER_RUNNING || st->status == CONTAINER_STOPPING;

  json_builder_begin_object (b);
  add_str (b, "Id", c->id);
  add_str (b, "Created", created);
  add_str (b, "Path", c->argv ? c->argv[0] : "");
  {
    /* Image: the id; ImageName: the name it was created from, as the
     * store resolved it; ImageDigest: that image's manifest digest. */
    g_autoptr (StoreImage) img
        = store && c->image_id ? store_lookup_image (store, c->image_id, NULL) : NULL;
    const char *name = img ? cli_image_name_for_ref (img, c->image) : NULL;
    add_str (b, "Image", c->image_id ? c->image_id : "");
    add_str (b, "ImageDigest", img ? store_image_get_digest (img) : "");
    add_str (b, "ImageName", name ? name : c->image);
  }
  add_strv (b, "Args", c->argv && c->argv[0] ? c->argv + 1 : NULL);
  json_builder_set_member_name (b, "State");
  json_builder_begin_object (b);
  add_str (b, "Status", container_status_to_string (st->status));
  json_builder_set_member_name (b, "Running");
  json_builder_add_boolean_value (b, running);
  json_builder_set_member_name (b, "Paused");
  json_builder_add_boolean_value (b, st->status == CONTAINER_PAUSED);
  json_builder_set_member_name (b, "OOMKilled");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "Dead");
  json_builder_add_boolean_value (b, FALSE);
  json_builder_set_member_name (b, "Pid");
  json_builder_add_int_value (b, st->pid);
  json_builder_set_member_name (b, "ConmonPid");
  json_builder_add_int_value (b, container_status_alive (st->status) ? st->supervisor_pid : 0);
  json_builder_set_member_name (b, "ExitCode");
  json_builder_add_int_value (b, st->exit_code);
  add_str (b, "StartedAt", started);
  add_str (b, "FinishedAt", finished);
  {
    /* The health check's state, as podman shows it (health.h). */
    g_autofree char *hc = g_build_filename (cdir, HEALTH_CONFIG_FILE, NULL);
    g_autofree char *hs = g_build_filename (rdir, HEALTH_STATE_FILE, NULL);
    g_autoptr (HealthState) health = g_file_test (hc, G_FILE_TEST_EXISTS)
                                         ? health_state_load (hs, NULL)
                                         : NULL;
    JsonNode *node = health ? health_state_to_inspect (health) : NULL;
    if (node)
      {
        json_builder_set_member_name (b, "Health");
        json_builder_add_value (b, node);
      }
  }
  json_builder_end_object (b);
  add_str (b, "Rootfs", c->image_id ? "" : c->image);
  add_str (b, "OCIRuntime", c->oci_runtime ? c->oci_runtime : "podunit");
  add_str (b, "Name", c->name);
  json_builder_set_member_name (b, "RestartCount");
  json_builder_add_int_value (b, container_restart_count (g->runroot, c->id));
  add_str (b, "Driver", "overlay");
  {
    g_autofree char *h = g_build_filename (rdir, "hosts", NULL);
    g_autofree char *hn = g_build_filename (rdir, "hostname", NULL);
    g_autofree char *r = g_build_filename (rdir, "resolv.conf", NULL);
    g_autofree char *log = log_file (g->root, c);
    add_str (b, "HostsPath", h);
    add_str (b, "HostnamePath", hn);
    add_str (b, "ResolvConfPath", r);
    add_str (b, "LogPath", log);
  }
  json_builder_set_member_name (b, "GraphDriver");
  json_builder_begin_object (b);
  add_str (b, "Name", "overlay");
  json_builder_set_member_name (b, "Data");
  json_builder_begin_object (b);
  {
    g_autofree char *u = g_build_filename (cdir, "upper", NULL);
    g_autofree char *w = g_build_filename (cdir, "work", NULL);
    add_str (b, "UpperDir", u);
    add_str (b, "WorkDir", w);
  }
  json_builder_end_object (b);
  json_builder_end_object (b);
  add_strv (b, "Mounts", c->mounts);
  json_builder_set_member_name (b, "Config");
  json_builder_begin_object (b);
  add_str (b, "Hostname", c->hostname);
  add_str (b, "User", c->user);
  add_strv (b, "Env", c->env);
  add_secrets (b, c->secrets);
  add_strv (b, "Cmd", c->argv);
  add_str (b, "Image", c->image);
  add_str (b, "WorkingDir", c->workdir ? c->workdir : "/");
  add_kv (b, "Labels", c->labels);
  add_kv (b, "Annotations", c->annotations);
  {
    g_autofree char *sig = g_strdup_printf ("%d", c->stop_signal);
    add_str (b, "StopSignal", sig);
  }
  json_builder_set_member_name (b, "StopTimeout");
  json_builder_add_int_value (b, c->stop_timeout);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "HostConfig");
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "AutoRemove");
  json_builder_add_boolean_value (b, c->auto_remove);
  json_builder_set_member_name (b, "AutoRemoveImage");
  json_builder_add_boolean_value (b, c->auto_remove_image);
  json_builder_set_member_name (b, "RestartPolicy");
  json_builder_begin_object (b);
  add_str (b, "Name", c->restart_policy ? c->restart_policy : "");
  json_builder_set_member_name (b, "MaximumRetryCount");
  json_builder_add_int_value (b, c->restart_retries);
  json_builder_end_object (b);
  json_builder_set_member_name (b, "ReadonlyRootfs");
  json_builder_add_boolean_value (b, c->read_only);
  json_builder_set_member_name (b, "Init");
  json_builder_add_boolean_value (b, c->init);
  add_strv (b, "CapAdd", c->cap_add);
  add_strv (b, "CapDrop", c->cap_drop);
  add_str (b, "NetworkMode", c->network);
  json_builder_set_member_name (b, "ShmSize");
  json_builder_add_int_value (b, c->shm_size);
  add_ulimits (b, c->ulimits);
  add_strv (b, "Devices", c->devices);
  add_str (b, "LogDriver", c->log_driver);
  json_builder_set_member_name (b, "LogConfig");
  json_builder_begin_object (b);
  {
    g_autofree char *log = log_file (g->root, c);
    add_str (b, "Type", c->log_driver ? c->log_driver : "k8s-file");
    json_builder_set_member_name (b, "Config");
    json_builder_add_null_value (b);
    add_str (b, "Path", log);
    add_str (b, "Tag", c->log_tag);
    g_autofree char *size = cli_human_size_precision (c->log_size_max > 0 ? c->log_size_max : 0, 4, "");
    add_str (b, "Size", size);
  }
  json_builder_end_object (b);
  if (c->log_tag)
    add_str (b, "LogTag", c->log_tag);
  add_str (b, "Cgroups", c->cgroups);
  add_str (b, "SdNotify", c->sdnotify);
  json_builder_end_object (b);
  json_builder_end_object (b);
  return json_builder_get_root (b);
}

int
cli_inspect (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *format = NULL, *type = NULL;
  gboolean size = FALSE, latest = FALSE;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Go template", NULL },
    { "latest", 'l', 0, G_OPTION_ARG_NONE, &latest, "The container created last", NULL },
    { "type", 't', 0, G_OPTION_ARG_STRING, &type, "container, image or all", NULL },
    { "size", 's', 0, G_OPTION_ARG_NONE, &size, "Ignored", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (CliTemplate) tmpl = NULL;
  g_autoptr (JsonArray) out = json_array_new ();
  g_autofree char **orig = g_memdup2 (argv, sizeof (char *) * (argc + 1));
  g_autofree char *probe = NULL;
  int orig_argc = argc, status = 0;
  /* podman prints what it found, then an error for each name it did not. */
  g_autoptr (GPtrArray) missing = g_ptr_array_new_with_free_func (g_free);

  g_autoptr (GPtrArray) last = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "NAME...", FALSE))
    return EXIT_PODUNIT;
  if (latest)
    {
      if (argc > 1)
        {
          cli_error ("--latest and containers cannot be used together");
          return EXIT_PODUNIT;
        }
      last = cli_container_args (g, argc, argv, NULL, FALSE, TRUE, FALSE, NULL, &status);
      if (!last || last->len == 0)
        {
          cli_error ("no containers to inspect");
          return EXIT_PODUNIT;
        }
      g_ptr_array_insert (last, 0, g_strdup (argv[0]));
      g_ptr_array_add (last, NULL);
      argv = (char **) last->pdata;
      argc = 2;
      g_free (type);
      type = g_strdup ("container");
    }
  if (argc < 2)
    {
      cli_error ("inspect: requires at least 1 arg");
      return EXIT_PODUNIT;
    }
  if (!type && g_str_equal (argv[0], "container inspect"))
    type = g_strdup ("container");
  if (g_strcmp0 (type, "image") == 0
      || (!type && !(probe = container_resolve (g->root, argv[1], NULL))))
    {
      if (cli_image_inspect && g_strcmp0 (type, "container") != 0)
        return cli_image_inspect (g, orig_argc, orig);
    }
  if (format && !(tmpl = cli_template_new (format, NULL, &error)))
    return cli_fail (error);
  g_autoptr (Store) store = cli_store_open (g, NULL);
  for (int i = 1; i < argc; i++)
    {
      g_autofree char *id = container_resolve (g->root, argv[i], &error);
      g_autoptr (ContainerConfig) c = id ? container_config_load (g->root, id, &error) : NULL;
      ContainerState st;
      if (!c || !container_state_load (g->runroot, id, &st, &error))
        {
          if (!id && g_error_matches (error, CONTAINER_ERROR, CONTAINER_ERROR_NOT_FOUND))
            g_ptr_array_add (missing, g_strdup_printf ("no such container \"%s\"", argv[i]));
          else
            g_ptr_array_add (missing, g_strdup (error->message));
          g_clear_error (&error);
          status = EXIT_PODUNIT;
          continue;
        }
      JsonNode *node = inspect_json (g, store, c, &st);
      if (tmpl && !cli_template_add_row (tmpl, json_node_get_object (node), &error))
        {
          json_node_unref (node);
          return cli_fail (error);
        }
      json_array_add_element (out, node);
    }
  if (tmpl)
    cli_template_print (tmpl, FALSE);
  else
    {
      g_autoptr (JsonNode) root = json_node_new (JSON_NODE_ARRAY);
      json_node_set_array (root, out);
      cli_print_json (root);
    }
  fflush (stdout);
  for (guint i = 0; i < missing->len; i++)
    cli_error ("%s", (char *) missing->pdata[i]);
  return status;
}
