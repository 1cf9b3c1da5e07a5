/* SPDX-License-Identifier: Apache-2.0 */
#include "cli/image-util.h"

#include <stdio.h>
#include <string.h>

#include "container/container.h"

Store *
cli_store_open (CliGlobal *g, GError **error)
{
  return store_open (g->root, g->runroot, error);
}

char *
cli_human_size_precision (guint64 size, int digits, const char *sep)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
  double v = size;
  guint i = 0;
  while (v >= 1000 && i + 1 < G_N_ELEMENTS (units))
    {
      v /= 1000;
      i++;
    }
  return g_strdup_printf ("%.*g%s%s", digits, v, sep, units[i]);
}

char *
cli_human_size (guint64 size)
{
  return cli_human_size_precision (size, 3, " ");
}

char *
cli_human_ago (gint64 when)
{
  gint64 secs = g_get_real_time () / G_USEC_PER_SEC - when;
  gint64 mins = secs / 60, hours = mins / 60;
  if (secs < 1)
    return g_strdup ("Less than a second ago");
  if (secs == 1)
    return g_strdup ("1 second ago");
  if (secs < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " seconds ago", secs);
  if (mins == 1)
    return g_strdup ("About a minute ago");
  if (mins < 60)
    return g_strdup_printf ("%" G_GINT64_FORMAT " minutes ago", mins);
  if (hours == 1)
    return g_strdup ("About an hour ago");
  if (hours < 48)
    return g_strdup_printf ("%" G_GINT64_FORMAT " hours ago", hours);
  if (hours < 24 * 7 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT " days ago", hours / 24);
  if (hours < 24 * 30 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT " weeks ago", hours / 24 / 7);
  if (hours < 24 * 365 * 2)
    return g_strdup_printf ("%" G_GINT64_FORMAT " months ago", hours / 24 / 30);
  return g_strdup_printf ("%" G_GINT64_FORMAT " years ago", hours / 24 / 365);
}

GPtrArray *
cli_containers_using_image (CliGlobal *g, const char *id, GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) ids = container_list (g->root, error);
  if (ids == NULL)
    {
      g_ptr_array_unref (out);
      return NULL;
    }
  for (guint i = 0; i < ids->len; i++)
    {
      g_autoptr (ContainerConfig) c = container_config_load (g->root, ids->pdata[i], NULL);
      if (c && g_strcmp0 (c->image_id, id) == 0)
        g_ptr_array_add (out, g_strdup (ids->pdata[i]));
    }
  return out;
}

const char *
cli_image_name_for_ref (StoreImage *img, const char *ref)
{
  const char *const *names = store_image_get_names (img);
  g_autofree char *full = store_normalize_name (ref, NULL);
  if (full == NULL)
    return NULL;
  for (guint i = 0; names[i]; i++)
    if (strcmp (names[i], full) == 0)
      return names[i];
  /* A short name resolved to some registry's image: "busybox" ->
   * "docker.io/library/busybox:latest". */
  const char *short_tagged = full + strlen ("localhost/");
  g_autofree char *suffix = g_strconcat ("/", short_tagged, NULL);
  for (guint i = 0; names[i]; i++)
    if (g_str_has_suffix (names[i], suffix) && !strchr (ref, '/'))
      return names[i];
  return NULL;
}

void
cli_print_copy_progress (StoreImage *img, guint reused)
{
  JsonObject *m = store_image_get_manifest (img);
  JsonArray *layers = m && json_object_has_member (m, "layers")
                          ? json_object_get_array_member (m, "layers")
                          : NULL;
  guint n = layers ? json_array_get_length (layers) : 0;
  fputs ("Getting image source signatures\n", stderr);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *l = json_array_get_object_element (layers, i);
      fprintf (stderr, "Copying blob %s%s\n", json_object_get_string_member (l, "digest"),
               i < reused ? " skipped: already exists" : "");
    }
  fprintf (stderr, "Copying config sha256:%s\n", store_image_get_id (img));
  fputs ("Writing manifest to image destination\n", stderr);
}
