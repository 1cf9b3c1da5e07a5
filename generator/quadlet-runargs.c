/* SPDX-License-Identifier: Apache-2.0 */
/* Networks, ports, volumes and user namespaces for .container and .pod
 * (see quadlet-runargs.h). The flag spellings and error texts are
 * Quadlet's, so generated command lines and messages match it. */
#include "quadlet-runargs.h"

#include <string.h>

/* Requires= and After= on the service generated for @info. */
static void
add_service_dependency (UnitFile *service, const QuadletUnitInfo *info)
{
  g_autofree char *name = g_strconcat (info->service_name, ".service", NULL);

  unit_file_add (service, QUADLET_UNIT_GROUP, "Requires", name);
  unit_file_add (service, QUADLET_UNIT_GROUP, "After", name);
}

gboolean
quadlet_add_networks (QuadletContext *ctx, UnitFile *unit, const char *group, UnitFile *service,
                      PodmanCmdline *c, GError **error)
{
  g_auto (GStrv) networks = unit_file_lookup_all (unit, group, "Network");

  for (char **n = networks; *n; n++)
    {
      g_autofree char *name = NULL;
      const char *options;
      gboolean is_network, is_container;
      QuadletUnitInfo *info;

      if (**n == '\0')
        continue;
      options = strchr (*n, ':');
      name = options ? g_strndup (*n, (gsize) (options - *n)) : g_strdup (*n);
      if (options)
        options++;
      is_network = g_str_has_suffix (name, ".network");
      is_container = g_str_has_suffix (name, ".container");
      if (!is_network && !is_container)
        {
          podman_cmdline_add (c, "--network", *n, NULL);
          continue;
        }

      info = quadlet_units_info_lookup (ctx, name);
      if (info == NULL)
        return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_NOT_FOUND,
                            "requested Quadlet unit %s was not found", name),
               FALSE;
      /* Usually a template: its resource name has a specifier in it. */
      if (info->resource_name == NULL || *info->resource_name == '\0')
        return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                            "cannot get the resource name of %s", name),
               FALSE;
      add_service_dependency (service, info);

      if (options && is_container)
        return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                            "extra options are not supported when joining another container's "
                            "network"),
               FALSE;
      podman_cmdline_add (c, "--network", NULL);
      if (options)
        podman_cmdline_addf (c, "%s:%s", info->resource_name, options);
      else if (is_container)
        podman_cmdline_addf (c, "container:%s", info->resource_name);
      else
        podman_cmdline_add (c, info->resource_name, NULL);
    }
  return TRUE;
}

void
quadlet_add_publish_ports (UnitFile *unit, const char *group, PodmanCmdline *c)
{
  g_auto (GStrv) ports = unit_file_lookup_all (unit, group, "PublishPort");

  for (char **p = ports; *p; p++)
    podman_cmdline_add (c, "--publish", *p, NULL);
}

/* RequiresMountsFor= takes a space-separated list, so a path with spaces
 * or quotes is written quoted with those bytes as \xNN escapes. */
static gboolean
mount_path_char_needs_escape (guchar ch)
{
  return ch <= ' ' || ch == '"' || ch == '\'' || ch == '\\' || ch == 0x7f;
}

static char *
escape_mount_path (const char *path)
{
  GString *s;
  const char *p;

  for (p = path; *p && !mount_path_char_needs_escape ((guchar) *p); p++)
    ;
  if (*p == '\0')
    return g_strdup (path);
  s = g_string_new ("\"");
  for (p = path; *p; p++)
    {
      if (mount_path_char_needs_escape ((guchar) *p))
        g_string_append_printf (s, "\\x%02x", (guchar) *p);
      else
        g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
  return g_string_free (s, FALSE);
}

char *
quadlet_resolve_storage_source (QuadletContext *ctx, UnitFile *unit, UnitFile *service,
                                const char *source, gboolean check_image, GError **error)
{
  g_autofree char *resolved = NULL;
  QuadletUnitInfo *info;

  if (source[0] == '.')
    resolved = quadlet_get_absolute_path (unit, source);
  else
    resolved = g_strdup (source);

  if (resolved[0] == '/')
    {
      g_autofree char *escaped = escape_mount_path (resolved);
      unit_file_add (service, QUADLET_UNIT_GROUP, "RequiresMountsFor", escaped);
      return g_steal_pointer (&resolved);
    }
  if (!g_str_has_suffix (resolved, ".volume") &&
      !(check_image && (g_str_has_suffix (resolved, ".image") ||
                        g_str_has_suffix (resolved, ".build") ||
                        g_str_has_suffix (resolved, ".artifact"))))
    return g_steal_pointer (&resolved);

  info = quadlet_units_info_lookup (ctx, resolved);
  if (info == NULL)
    return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_NOT_FOUND,
                        "requested Quadlet source %s was not found", resolved),
           NULL;
  add_service_dependency (service, info);
  return g_strdup (info->resource_name ? info->resource_name : "");
}

gboolean
quadlet_add_volumes (QuadletContext *ctx, UnitFile *unit, const char *group, UnitFile *service,
                     PodmanCmdline *c, GError **error)
{
  g_auto (GStrv) volumes = unit_file_lookup_all (unit, group, "Volume");

  for (char **v = volumes; *v; v++)
    {
      /* g_strsplit (*v, ":", 3), in place */
      char *parts[3] = { *v, NULL, NULL };
      guint n = 1;
      g_autofree char *source = NULL;

      for (char *colon; n < 3 && (colon = strchr (parts[n - 1], ':')) != NULL; n++)
        {
          *colon = '\0';
          parts[n] = colon + 1;
        }

      if (n < 2)
        {
          podman_cmdline_add (c, "-v", n == 1 ? parts[0] : "", NULL);
          continue;
        }
      if (parts[0][0] != '\0')
        {
          source = quadlet_resolve_storage_source (ctx, unit, service, parts[0], FALSE, error);
          if (source == NULL)
            return FALSE;
        }
      podman_cmdline_add (c, "-v", NULL);
      if (source == NULL || *source == '\0')
        podman_cmdline_add (c, parts[1], NULL);
      else
        podman_cmdline_addf (c, "%s:%s%s%s", source, parts[1], n == 3 ? ":" : "",
                             n == 3 ? parts[2] : "");
    }
  return TRUE;
}

/* "auto" / "auto:a,b" as --userns takes it. */
static char *
userns_option (const char *kind, GPtrArray *opts)
{
  GString *s = g_string_new (kind);

  for (guint i = 0; i < opts->len; i++)
    {
      g_string_append_c (s, i == 0 ? ':' : ',');
      g_string_append (s, g_ptr_array_index (opts, i));
    }
  return g_string_free (s, FALSE);
}

/* The deprecated RemapUsers= family. */
static gboolean
add_user_remap (UnitFile *unit, const char *group, PodmanCmdline *c, gboolean support_manual,
                GError **error)
{
  g_auto (GStrv) uid_maps = NULL;
  g_auto (GStrv) gid_maps = NULL;
  g_autofree char *remap = NULL;
  g_autoptr (GPtrArray) opts = NULL;
  g_autofree char *userns = NULL;

  /* Nearly every file has none of the three. */
  if (!unit_file_has_key (unit, group, "RemapUsers") &&
      !unit_file_has_key (unit, group, "RemapUid") && !unit_file_has_key (unit, group, "RemapGid"))
    return TRUE;
  uid_maps = unit_file_lookup_all_strv (unit, group, "RemapUid");
  gid_maps = unit_file_lookup_all_strv (unit, group, "RemapGid");
  remap = unit_file_lookup (unit, group, "RemapUsers");
  opts = g_ptr_array_new_with_free_func (g_free);

  if (remap == NULL || *remap == '\0')
    {
      if (uid_maps[0] != NULL)
        return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                            "UidMap set without RemapUsers"),
               FALSE;
      if (gid_maps[0] != NULL)
        return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                            "GidMap set without RemapUsers"),
               FALSE;
      return TRUE;
    }

  if (g_str_equal (remap, "manual"))
    {
      if (!support_manual)
        return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                            "RemapUsers=manual is not supported"),
               FALSE;
      for (char **m = uid_maps; *m; m++)
        podman_cmdline_add (c, "--uidmap", *m, NULL);
      for (char **m = gid_maps; *m; m++)
        podman_cmdline_add (c, "--gidmap", *m, NULL);
      return TRUE;
    }

  if (g_str_equal (remap, "auto"))
    {
      guint32 size = unit_file_lookup_uint32 (unit, group, "RemapUidSize", 0);

      for (char **m = uid_maps; *m; m++)
        g_ptr_array_add (opts, g_strconcat ("uidmapping=", *m, NULL));
      for (char **m = gid_maps; *m; m++)
        g_ptr_array_add (opts, g_strconcat ("gidmapping=", *m, NULL));
      if (size > 0)
        g_ptr_array_add (opts, g_strdup_printf ("size=%u", size));
      userns = userns_option ("auto", opts);
    }
  else if (g_str_equal (remap, "keep-id"))
    {
      if (uid_maps[0] != NULL && uid_maps[1] != NULL)
        return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                            "RemapUsers=keep-id supports only a single value for UID mapping"),
               FALSE;
      if (gid_maps[0] != NULL && gid_maps[1] != NULL)
        return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                            "RemapUsers=keep-id supports only a single value for GID mapping"),
               FALSE;
      if (uid_maps[0] != NULL)
        g_ptr_array_add (opts, g_strconcat ("uid=", uid_maps[0], NULL));
      if (gid_maps[0] != NULL)
        g_ptr_array_add (opts, g_strconcat ("gid=", gid_maps[0], NULL));
      userns = userns_option ("keep-id", opts);
    }
  else
    return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                        "unsupported RemapUsers option '%s'", remap),
           FALSE;

  podman_cmdline_add (c, "--userns", userns, NULL);
  return TRUE;
}

/* Adds FLAG VALUE for the last non-empty @key; TRUE when it did. */
static gboolean
add_last_nonempty (UnitFile *unit, const char *group, const char *key, const char *flag,
                   PodmanCmdline *c)
{
  g_autofree char *v = unit_file_lookup (unit, group, key);

  if (v == NULL || *v == '\0')
    return FALSE;
  podman_cmdline_add (c, flag, v, NULL);
  return TRUE;
}

gboolean
quadlet_add_all_words (UnitFile *unit, const char *group, const char *key, const char *flag,
                       PodmanCmdline *c)
{
  g_auto (GStrv) words = NULL;

  if (!unit_file_has_key (unit, group, key))
    return FALSE; /* most are absent: no empty vector to allocate */
  words = unit_file_lookup_all_strv (unit, group, key);
  for (char **w = words; *w; w++)
    podman_cmdline_add (c, flag, *w, NULL);
  return words[0] != NULL;
}

gboolean
quadlet_add_user_mappings (UnitFile *unit, const char *group, PodmanCmdline *c,
                           gboolean support_manual, GError **error)
{
  gboolean defined = FALSE;

  defined |= add_last_nonempty (unit, group, "UserNS", "--userns", c);
  defined |= quadlet_add_all_words (unit, group, "UIDMap", "--uidmap", c);
  defined |= quadlet_add_all_words (unit, group, "GIDMap", "--gidmap", c);
  defined |= add_last_nonempty (unit, group, "SubUIDMap", "--subuidname", c);
  defined |= add_last_nonempty (unit, group, "SubGIDMap", "--subgidname", c);

  if (!defined)
    return add_user_remap (unit, group, c, support_manual, error);

  if (unit_file_has_key (unit, group, "RemapUid") || unit_file_has_key (unit, group, "RemapGid") ||
      unit_file_has_key (unit, group, "RemapUsers"))
    return g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID,
                        "deprecated Remap keys are set along with explicit mapping keys"),
           FALSE;
  return TRUE;
}

gboolean
quadlet_is_port_range (const char *port)
{
  /* Quadlet matches `\d+(-\d+)?(/udp|/tcp)?$` unanchored at the start, so
   * only the end of the value matters: after an optional protocol suffix
   * it must end in a digit. */
  gsize n = strlen (port);

  if (g_str_has_suffix (port, "/udp") || g_str_has_suffix (port, "/tcp"))
    n -= 4;
  return n > 0 && g_ascii_isdigit (port[n - 1]);
}
