/* SPDX-License-Identifier: Apache-2.0 */
/* What every Quadlet unit type shares: the supported-key tables, the
 * unit-info map (service and resource names known before conversion, so
 * "Network=db.network" can be resolved whatever the load order), the
 * service skeleton (initServiceUnitFile in Quadlet), and the engine
 * command-line builder with its key -> flag helpers. */
#include "quadlet.h"
#include "escape.h"

#include <stdarg.h>
#include <string.h>

G_DEFINE_QUARK (podunit-quadlet-error-quark, quadlet_error)

/* ------------------------------------------------------------ key tables */

const char *const quadlet_container_keys[] = {
  "AddCapability", "AddDevice", "AddHost", "Annotation", "AppArmor", "AutoUpdate",
  "CgroupsMode", "ContainerName", "ContainersConfModule", "DNS", "DNSOption", "DNSSearch",
  "DropCapability", "Entrypoint", "Environment", "EnvironmentFile", "EnvironmentHost", "Exec",
  "ExposeHostPort", "GIDMap", "GlobalArgs", "Group", "GroupAdd", "HealthCmd", "HealthInterval",
  "HealthLogDestination", "HealthMaxLogCount", "HealthMaxLogSize", "HealthOnFailure",
  "HealthRetries", "HealthStartPeriod", "HealthStartupCmd", "HealthStartupInterval",
  "HealthStartupRetries", "HealthStartupSuccess", "HealthStartupTimeout", "HealthTimeout",
  "HostName", "HttpProxy", "IP", "IP6", "Image", "Label", "LogDriver", "LogOpt", "Mask",
  "Memory", "Mount", "Network", "NetworkAlias", "NoNewPrivileges", "Notify", "PidsLimit", "Pod",
  "PodmanArgs", "PublishPort", "Pull", "ReadOnly", "ReadOnlyTmpfs", "ReloadCmd", "ReloadSignal",
  "RemapGid", "RemapUid", "RemapUidSize", "RemapUsers", "Retry", "RetryDelay", "Rootfs",
  "RunInit", "SeccompProfile", "Secret", "SecurityLabelDisable", "SecurityLabelFileType",
  "SecurityLabelLevel", "SecurityLabelNested", "SecurityLabelType", "ServiceName", "ShmSize",
  "StartWithPod", "StopSignal", "StopTimeout", "SubGIDMap", "SubUIDMap", "Sysctl", "Timezone",
  "Tmpfs", "UIDMap", "Ulimit", "Unmask", "User", "UserNS", "VolatileTmp", "Volume", "WorkingDir",
  NULL,
};

const char *const quadlet_pod_keys[] = {
  "AddHost", "ContainersConfModule", "DNS", "DNSOption", "DNSSearch", "ExitPolicy", "GIDMap",
  "GlobalArgs", "HostName", "IP", "IP6", "Label", "Network", "NetworkAlias", "PodName",
  "PodmanArgs", "PublishPort", "RemapGid", "RemapUid", "RemapUidSize", "RemapUsers",
  "ServiceName", "ShmSize", "StopTimeout", "SubGIDMap", "SubUIDMap", "UIDMap", "UserNS", "Volume",
  NULL,
};

const char *const quadlet_volume_keys[] = {
  "ContainersConfModule", "Copy", "Device", "Driver", "GID", "GlobalArgs", "Group", "Image",
  "Label", "Options", "PodmanArgs", "ServiceName", "Type", "UID", "User", "VolumeName", NULL,
};

const char *const quadlet_network_keys[] = {
  "ContainersConfModule", "DisableDNS", "DNS", "Driver", "Gateway", "GlobalArgs", "InterfaceName",
  "Internal", "IPAMDriver", "IPRange", "IPv6", "Label", "NetworkDeleteOnStop", "NetworkName",
  "Options", "PodmanArgs", "ServiceName", "Subnet", NULL,
};

const char *const quadlet_image_keys[] = {
  "AllTags", "Arch", "AuthFile", "CertDir", "ContainersConfModule", "Creds", "DecryptionKey",
  "GlobalArgs", "Image", "ImageTag", "OS", "PodmanArgs", "Policy", "Retry", "RetryDelay",
  "ServiceName", "TLSVerify", "Variant", NULL,
};

const char *const quadlet_build_keys[] = {
  "Annotation", "Arch", "AuthFile", "BuildArg", "ContainersConfModule", "DNS", "DNSOption",
  "DNSSearch", "Environment", "File", "ForceRM", "GlobalArgs", "GroupAdd", "IgnoreFile",
  "ImageTag", "Label", "Network",
  "PodmanArgs", "Pull", "Retry", "RetryDelay", "Secret", "ServiceName", "SetWorkingDirectory",
  "Target", "TLSVerify", "Variant", "Volume", NULL,
};

const char *const quadlet_kube_keys[] = {
  "AutoUpdate", "ConfigMap", "ContainersConfModule", "ExitCodePropagation", "GlobalArgs",
  "KubeDownForce", "LogDriver", "LogOpt", "Network", "PodmanArgs", "PublishPort", "RemapGid",
  "RemapUid", "RemapUidSize", "RemapUsers", "ServiceName", "SetWorkingDirectory", "UserNS",
  "Yaml", NULL,
};

const char *const quadlet_artifact_keys[] = {
  "Artifact", "AuthFile", "CertDir", "ContainersConfModule", "Creds", "DecryptionKey",
  "GlobalArgs", "PodmanArgs", "Quiet", "Retry", "RetryDelay", "ServiceName", "TLSVerify", NULL,
};

static const char *const quadlet_group_keys[] = { "DefaultDependencies", NULL };

/* The [Unit] keys whose values may name Quadlet files ("db.container"). */
static const char *const unit_dependency_keys[] = {
  "After", "Before", "BindsTo", "Conflicts", "OnFailure", "OnSuccess", "PartOf",
  "PropagatesReloadTo", "PropagatesStopTo", "ReloadPropagatedFrom", "Requires", "Requisite",
  "StopPropagatedFrom", "Upholds", "Wants", NULL,
};

/* Conversion order: what others reference (images, artifacts, volumes,
 * networks, built images) comes before containers, kubes and pods. */
static const QuadletUnitType unit_types[] = {
  { ".image", QUADLET_IMAGE_GROUP, "X-Image", "-image", 1, quadlet_image_keys,
    quadlet_convert_image },
  { ".artifact", QUADLET_ARTIFACT_GROUP, "X-Artifact", "-artifact", 1, quadlet_artifact_keys,
    quadlet_convert_artifact },
  { ".volume", QUADLET_VOLUME_GROUP, "X-Volume", "-volume", 2, quadlet_volume_keys,
    quadlet_convert_volume },
  { ".network", QUADLET_NETWORK_GROUP, "X-Network", "-network", 2, quadlet_network_keys,
    quadlet_convert_network },
  { ".build", QUADLET_BUILD_GROUP, "X-Build", "-build", 3, quadlet_build_keys,
    quadlet_convert_build },
  { ".container", QUADLET_CONTAINER_GROUP, "X-Container", "", 4, quadlet_container_keys,
    quadlet_convert_container },
  { ".kube", QUADLET_KUBE_GROUP, "X-Kube", "", 4, quadlet_kube_keys, quadlet_convert_kube },
  { ".pod", QUADLET_POD_GROUP, "X-Pod", "-pod", 5, quadlet_pod_keys, quadlet_convert_pod },
};

const QuadletUnitType *
quadlet_unit_type_for (const char *filename)
{
  const char *ext = filename ? strrchr (filename, '.') : NULL;
  if (ext == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (unit_types); i++)
    if (strcmp (ext, unit_types[i].extension) == 0)
      return &unit_types[i];
  return NULL;
}

const QuadletUnitType *const *
quadlet_unit_types (void)
{
  static const QuadletUnitType *const all[] = {
    &unit_types[0], &unit_types[1], &unit_types[2], &unit_types[3],
    &unit_types[4], &unit_types[5], &unit_types[6], &unit_types[7], NULL,
  };
  G_STATIC_ASSERT (G_N_ELEMENTS (all) == G_N_ELEMENTS (unit_types) + 1);
  return all;
}

/* Whether @key is in @table (NULL-terminated). Every key of every file is
 * checked: comparing the first character before strcmp() makes a miss
 * cost one load for nearly every entry. */
static gboolean
key_in (const char *const *table, const char *key)
{
  for (; *table; table++)
    if ((*table)[0] == key[0] && strcmp (*table, key) == 0)
      return TRUE;
  return FALSE;
}

/* ------------------------------------------------------------ context */

static void
unit_info_free (gpointer p)
{
  QuadletUnitInfo *info = p;
  g_free (info->service_name);
  g_free (info->resource_name);
  if (info->containers_to_start)
    g_ptr_array_unref (info->containers_to_start);
  g_free (info);
}

QuadletContext *
quadlet_context_new (gboolean is_user, const char *engine)
{
  QuadletContext *ctx = g_new0 (QuadletContext, 1);
  ctx->is_user = is_user;
  ctx->engine = g_strdup (engine);
  ctx->units = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, unit_info_free);
  ctx->warnings = g_ptr_array_new_with_free_func (g_free);
  return ctx;
}

void
quadlet_context_free (QuadletContext *ctx)
{
  if (ctx == NULL)
    return;
  g_free (ctx->engine);
  g_hash_table_unref (ctx->units);
  g_ptr_array_unref (ctx->warnings);
  g_free (ctx);
}

void
quadlet_warn (QuadletContext *ctx, const char *format, ...)
{
  va_list ap;
  va_start (ap, format);
  g_ptr_array_add (ctx->warnings, g_strdup_vprintf (format, ap));
  va_end (ap);
}

void
quadlet_set_error_at (GError **error, UnitFile *unit, const char *group, const char *key,
                      const char *format, ...)
{
  g_autofree char *msg = NULL;
  const char *source = NULL;
  int line = 0;
  va_list ap;

  va_start (ap, format);
  msg = g_strdup_vprintf (format, ap);
  va_end (ap);
  if (group != NULL && key != NULL)
    line = unit_file_lookup_line (unit, group, key, &source);
  if (line > 0)
    {
      g_autofree char *base = g_path_get_basename (source ? source : unit_file_get_filename (unit));
      g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID, "%s (%s:%d)", msg, base, line);
    }
  else
    g_set_error_literal (error, QUADLET_ERROR, QUADLET_ERROR_INVALID, msg);
}

/* ------------------------------------------------------------ names */

char *
quadlet_remove_extension (const char *name, const char *prefix, const char *suffix)
{
  const char *dot = strrchr (name, '.');
  gsize len = (dot != NULL && dot > name) ? (gsize) (dot - name) : strlen (name);
  g_autofree char *base = g_strndup (name, len);
  return g_strconcat (prefix, base, suffix, NULL);
}

char *
quadlet_get_service_name (UnitFile *unit, const char *group, const char *suffix)
{
  g_autofree char *base = NULL, *instance = NULL;
  char *name = unit_file_lookup (unit, group, "ServiceName");

  if (name != NULL)
    return name;
  /* A template's suffix goes before the '@' so the result is still a
   * template (foo@.volume -> foo-volume@.service). */
  if (suffix[0] != '\0' && unit_file_get_template_parts (unit, &base, &instance))
    return g_strconcat (base, suffix, "@", instance, NULL);
  return quadlet_remove_extension (unit_file_get_filename (unit), "", suffix);
}

char *
quadlet_default_resource_name (UnitFile *unit)
{
  g_autofree char *base = NULL, *instance = NULL;

  if (unit_file_get_template_parts (unit, &base, &instance))
    return g_strconcat ("systemd-", base, "-", instance[0] ? instance : "%i", NULL);
  return quadlet_remove_extension (unit_file_get_filename (unit), "systemd-", "");
}

char *
quadlet_get_container_name (UnitFile *unit)
{
  char *name = unit_file_lookup (unit, QUADLET_CONTAINER_GROUP, "ContainerName");
  if (name != NULL && name[0] != '\0')
    return name;
  g_free (name);
  if (strchr (unit_file_get_filename (unit), '@') != NULL)
    return g_strdup ("systemd-%p_%i");
  return g_strdup ("systemd-%N");
}

char *
quadlet_named_resource (UnitFile *unit, const char *group, const char *key)
{
  char *name = unit_file_lookup (unit, group, key);
  if (name != NULL && name[0] != '\0')
    return name;
  g_free (name);
  return quadlet_default_resource_name (unit);
}

/* The podman name of the resource @unit creates, when it can be known
 * without converting; NULL otherwise. Container names are only known when
 * they hold no specifier but %N (which is the service name). */
static char *
resource_name_for (UnitFile *unit, const QuadletUnitType *type, const char *service_name)
{
  if (strcmp (type->extension, ".container") == 0)
    {
      g_autofree char *name = quadlet_get_container_name (unit);
      g_autoptr (GString) s = NULL;

      /* The usual two: no specifier at all, or the default. */
      if (strchr (name, '%') == NULL)
        return g_steal_pointer (&name);
      if (strcmp (name, "systemd-%N") == 0 && strchr (service_name, '%') == NULL)
        return g_strconcat ("systemd-", service_name, NULL);
      s = g_string_new (name);
      g_string_replace (s, "%N", service_name, 0);
      return strchr (s->str, '%') ? NULL : g_string_free (g_steal_pointer (&s), FALSE);
    }
  if (strcmp (type->extension, ".build") == 0)
    {
      g_auto (GStrv) tags = unit_file_lookup_all (unit, QUADLET_BUILD_GROUP, "ImageTag");
      return tags[0] ? g_strdup (tags[0]) : NULL;
    }
  if (strcmp (type->extension, ".volume") == 0)
    return quadlet_named_resource (unit, QUADLET_VOLUME_GROUP, "VolumeName");
  if (strcmp (type->extension, ".network") == 0)
    return quadlet_named_resource (unit, QUADLET_NETWORK_GROUP, "NetworkName");
  if (strcmp (type->extension, ".pod") == 0)
    return quadlet_named_resource (unit, QUADLET_POD_GROUP, "PodName");
  if (strcmp (type->extension, ".artifact") == 0)
    return unit_file_lookup (unit, QUADLET_ARTIFACT_GROUP, "Artifact");
  if (strcmp (type->extension, ".image") == 0)
    {
      g_autofree char *tag = unit_file_lookup (unit, QUADLET_IMAGE_GROUP, "ImageTag");
      if (tag != NULL && tag[0] != '\0')
        return g_steal_pointer (&tag);
      return unit_file_lookup (unit, QUADLET_IMAGE_GROUP, "Image");
    }
  return NULL;
}

void
quadlet_units_info_add (QuadletContext *ctx, UnitFile *unit)
{
  quadlet_units_info_insert (ctx, unit, quadlet_unit_info_new (unit));
}

QuadletUnitInfo *
quadlet_unit_info_new (UnitFile *unit)
{
  const QuadletUnitType *type = quadlet_unit_type_for (unit_file_get_filename (unit));
  QuadletUnitInfo *info;

  if (type == NULL)
    return NULL;
  info = g_new0 (QuadletUnitInfo, 1);
  info->service_name = quadlet_get_service_name (unit, type->group, type->service_suffix);
  info->resource_name = resource_name_for (unit, type, info->service_name);
  if (strcmp (type->extension, ".pod") == 0)
    info->containers_to_start = g_ptr_array_new_with_free_func (g_free);
  return info;
}

void
quadlet_units_info_insert (QuadletContext *ctx, UnitFile *unit, QuadletUnitInfo *info)
{
  if (info != NULL)
    g_hash_table_replace (ctx->units, g_strdup (unit_file_get_filename (unit)), info);
}

void
quadlet_unit_info_free (QuadletUnitInfo *info)
{
  if (info != NULL)
    unit_info_free (info);
}

QuadletUnitInfo *
quadlet_units_info_lookup (QuadletContext *ctx, const char *filename)
{
  return g_hash_table_lookup (ctx->units, filename);
}

/* ------------------------------------------------------------ checks */

/* Case-insensitive optimal-string-alignment distance, capped at 3. */
static guint
key_distance (const char *a, const char *b)
{
  gsize n = strlen (a), m = strlen (b);
  g_autofree guint *d = NULL;

  if (n > 64 || m > 64 || (n > m ? n - m : m - n) > 2)
    return 3;
  d = g_new0 (guint, (n + 1) * (m + 1));
#define D(i, j) d[(i) * (m + 1) + (j)]
  for (gsize i = 0; i <= n; i++)
    D (i, 0) = (guint) i;
  for (gsize j = 0; j <= m; j++)
    D (0, j) = (guint) j;
  for (gsize i = 1; i <= n; i++)
    for (gsize j = 1; j <= m; j++)
      {
        guint cost = g_ascii_tolower (a[i - 1]) != g_ascii_tolower (b[j - 1]);
        guint best = MIN (MIN (D (i - 1, j) + 1, D (i, j - 1) + 1), D (i - 1, j - 1) + cost);
        if (i > 1 && j > 1 && g_ascii_tolower (a[i - 1]) == g_ascii_tolower (b[j - 2]) &&
            g_ascii_tolower (a[i - 2]) == g_ascii_tolower (b[j - 1]))
          best = MIN (best, D (i - 2, j - 2) + 1);
        D (i, j) = best;
      }
  return MIN (D (n, m), 3);
#undef D
}

/* "; did you mean 'Image'?" for a key one edit (two for longer keys) from a
 * supported one, else "". */
static char *
key_suggestion (const char *key, const char *const *supported)
{
  const char *best = NULL;
  /* Two edits only for longer names: "Foo" is not a typo of "Pod". */
  guint best_d = strlen (key) >= 6 ? 3 : 2;

  for (const char *const *k = supported; *k; k++)
    {
      guint dist = key_distance (key, *k);
      if (dist < best_d)
        {
          best = *k;
          best_d = dist;
        }
    }
  return best ? g_strdup_printf ("; did you mean '%s'?", best) : g_strdup ("");
}

static char *
unknown_key_message (UnitFile *unit, const char *group, const char *key,
                     const char *const *supported)
{
  const char *source = NULL;
  int line = unit_file_lookup_line (unit, group, key, &source);
  const char *path = unit_file_get_path (unit) ? unit_file_get_path (unit) : "";
  g_autofree char *hint = key_suggestion (key, supported);

  /* Quadlet's text, then ":LINE" when the key came from the file itself
   * (a drop-in's line number would point into the wrong file). */
  if (line > 0 && source != NULL && strcmp (source, path) == 0)
    return g_strdup_printf ("unsupported key '%s' in group '%s' in %s:%d%s", key, group, path,
                            line, hint);
  if (line > 0 && source != NULL)
    return g_strdup_printf ("unsupported key '%s' in group '%s' in %s (from %s:%d)%s", key, group,
                            path, source, line, hint);
  return g_strdup_printf ("unsupported key '%s' in group '%s' in %s%s", key, group, path, hint);
}

void
quadlet_collect_unknown_keys (UnitFile *unit, const char *group, const char *const *supported,
                              GPtrArray *problems)
{
  const char *groups[] = { group, QUADLET_QUADLET_GROUP };
  const char *const *tables[] = { supported, quadlet_group_keys };

  for (gsize g = 0; g < G_N_ELEMENTS (groups); g++)
    {
      g_auto (GStrv) keys = unit_file_list_keys (unit, groups[g]);
      for (char **k = keys; *k; k++)
        if (!key_in (tables[g], *k))
          g_ptr_array_add (problems, unknown_key_message (unit, groups[g], *k, tables[g]));
    }
}

static gboolean
key_is_unknown (const char *key, gpointer table)
{
  return !key_in (table, key);
}

gboolean
quadlet_check_unknown_keys (UnitFile *unit, const char *group, const char *const *supported,
                            GError **error)
{
  g_autoptr (GPtrArray) problems = NULL;

  /* The common case, every key known, without listing them. */
  if (unit_file_find_key (unit, group, key_is_unknown, (gpointer) supported) == NULL &&
      unit_file_find_key (unit, QUADLET_QUADLET_GROUP, key_is_unknown,
                          (gpointer) quadlet_group_keys) == NULL)
    return TRUE;
  problems = g_ptr_array_new_with_free_func (g_free);
  quadlet_collect_unknown_keys (unit, group, supported, problems);
  if (problems->len == 0)
    return TRUE;
  g_set_error_literal (error, QUADLET_ERROR, QUADLET_ERROR_INVALID, problems->pdata[0]);
  return FALSE;
}

void
quadlet_warn_unsupported_service_keys (QuadletContext *ctx, UnitFile *unit)
{
  /* systemd would run the engine as that user, which breaks the engine's
   * idea of its storage; Quadlet warns and goes on. */
  static const char *const keys[] = { "User", "Group", "DynamicUser", NULL };

  for (const char *const *k = keys; *k; k++)
    if (unit_file_has_key (unit, QUADLET_SERVICE_GROUP, *k))
      quadlet_warn (ctx, "Warning: using key %s in the Service group is not supported - use at "
                    "your own risk (%s)", *k, unit_file_get_filename (unit));
}

static gboolean
find_unterminated_quote (const char *value, gpointer found)
{
  *(gboolean *) found = has_unterminated_quote (value);
  return !*(gboolean *) found; /* the first one is enough */
}

/* A value that may give the warning (a continued one always may: the
 * exact check is on the joined value). */
static gboolean
value_has_unterminated_quote (const char *value, gpointer data)
{
  return has_unterminated_quote (value) || strchr (value, '\n') != NULL;
}

void
quadlet_warn_unterminated_quotes (QuadletContext *ctx, UnitFile *unit, const char *group)
{
  static const char *const keys[] = {
    "Annotation", "Environment", "EnvironmentFile", "Exec", "GlobalArgs", "Label", "Mask",
    "Mount", "PodmanArgs", "ReloadCmd", "Secret", "Unmask", NULL,
  };

  /* Warnings come from such values only: most groups have none. */
  if (unit_file_find_value (unit, group, value_has_unterminated_quote, NULL) == NULL)
    return;

  for (const char *const *k = keys; *k; k++)
    {
      gboolean unterminated = FALSE;
      const char *source = NULL;
      g_autofree char *base = NULL;
      int line;

      unit_file_foreach_value (unit, group, *k, find_unterminated_quote, &unterminated);
      if (!unterminated)
        continue;
      line = unit_file_lookup_line (unit, group, *k, &source);
      base = g_path_get_basename (source ? source : unit_file_get_filename (unit));
      quadlet_warn (ctx, "Warning: %s:%d: %s= has an unterminated quote; it runs to the end "
                    "of the value", base, line, *k);
    }
}

static gboolean
is_image_id (const char *name)
{
  if (g_str_has_prefix (name, "sha256:"))
    return TRUE;
  if (strlen (name) != 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isxdigit (*p))
      return FALSE;
  return TRUE;
}

static gboolean
is_unambiguous_name (const char *name)
{
  const char *slash;
  g_autofree char *domain = NULL;

  if (is_image_id (name))
    return TRUE;
  slash = strchr (name, '/');
  if (slash == NULL)
    return FALSE;
  domain = g_strndup (name, (gsize) (slash - name));
  return strpbrk (domain, ".:") != NULL || strcmp (domain, "localhost") == 0;
}

void
quadlet_warn_ambiguous_image (QuadletContext *ctx, UnitFile *unit, const char *group)
{
  g_autofree char *image = unit_file_lookup (unit, group, "Image");

  if (image == NULL || g_str_has_suffix (image, ".build") || g_str_has_suffix (image, ".image"))
    return;
  if (!is_unambiguous_name (image))
    quadlet_warn (ctx, "Warning: %s specifies the image \"%s\" which not a fully qualified image "
                  "name. This is not ideal for performance and security reasons. See the "
                  "podman-pull manpage discussion of short-name-aliases.conf for details.",
                  unit_file_get_filename (unit), image);
}

/* ------------------------------------------------------------ service init */

/* The service generated from Quadlet file @dep, or NULL. An instance of a
 * loaded template ("db@%i.volume", "db@x.volume" with only db@.volume on
 * disk) names that template's service instantiated: Quadlet knows only
 * files, but templates depending on templates need this. */
static char *
dependency_service (QuadletContext *ctx, const char *dep)
{
  QuadletUnitInfo *info = quadlet_units_info_lookup (ctx, dep);
  const char *at = strchr (dep, '@'), *dot = strrchr (dep, '.');
  g_autofree char *prefix = NULL, *template = NULL, *instance = NULL;

  if (info != NULL)
    return g_strconcat (info->service_name, ".service", NULL);
  if (at == NULL || dot == NULL || dot <= at + 1)
    return NULL;
  prefix = g_strndup (dep, (gsize) (at - dep + 1));
  template = g_strconcat (prefix, dot, NULL);
  info = quadlet_units_info_lookup (ctx, template);
  if (info == NULL || !g_str_has_suffix (info->service_name, "@"))
    return NULL;
  instance = g_strndup (at + 1, (gsize) (dot - at - 1));
  return g_strconcat (info->service_name, instance, ".service", NULL);
}

/* Rewrites [Unit] dependency keys whose words name Quadlet files into the
 * services generated from them. */
static gboolean
is_dependency_key (const char *key, gpointer data)
{
  return g_strv_contains (unit_dependency_keys, key);
}

static gboolean
translate_unit_dependencies (QuadletContext *ctx, UnitFile *service, GError **error)
{
  /* Most [Unit] groups have a Description= and no dependency at all. */
  if (unit_file_find_key (service, QUADLET_UNIT_GROUP, is_dependency_key, NULL) == NULL)
    return TRUE;
  for (const char *const *key = unit_dependency_keys; *key; key++)
    {
      g_auto (GStrv) deps = NULL;
      g_autoptr (GPtrArray) out = NULL;
      gboolean translated = FALSE;

      if (!unit_file_has_key (service, QUADLET_UNIT_GROUP, *key))
        continue;
      deps = unit_file_lookup_all_strv (service, QUADLET_UNIT_GROUP, *key);
      out = g_ptr_array_new_with_free_func (g_free);

      for (char **dep = deps; *dep; dep++)
        {
          if (quadlet_unit_type_for (*dep) != NULL)
            {
              char *name = dependency_service (ctx, *dep);
              if (name == NULL)
                {
                  g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_NOT_FOUND,
                               "unable to translate dependency for %s", *dep);
                  return FALSE;
                }
              g_ptr_array_add (out, name);
              translated = TRUE;
            }
          else
            g_ptr_array_add (out, g_strdup (*dep));
        }
      if (!translated)
        continue;
      g_ptr_array_add (out, NULL);
      {
        g_autofree char *joined = g_strjoinv (" ", (char **) out->pdata);
        unit_file_unset (service, QUADLET_UNIT_GROUP, *key);
        unit_file_add (service, QUADLET_UNIT_GROUP, *key, joined);
      }
    }
  return TRUE;
}

static void
add_default_dependencies (QuadletContext *ctx, UnitFile *service)
{
  /* Image pulls and pasta need the network; user managers cannot wait for
   * network-online.target, so podunit ships a user service that does
   * (units/podunit-user-wait-network-online.service). */
  const char *target =
    ctx->is_user ? "podunit-user-wait-network-online.service" : "network-online.target";

  if (!unit_file_lookup_boolean_default (service, QUADLET_QUADLET_GROUP, "DefaultDependencies",
                                         TRUE))
    return;
  unit_file_prepend_line (service, QUADLET_UNIT_GROUP, "After", target);
  unit_file_prepend_line (service, QUADLET_UNIT_GROUP, "Wants", target);
}

UnitFile *
quadlet_init_service (QuadletContext *ctx, UnitFile *unit, const char *group,
                      QuadletUnitInfo **info_out, GError **error)
{
  const char *filename = unit_file_get_filename (unit);
  const QuadletUnitType *type = quadlet_unit_type_for (filename);
  QuadletUnitInfo *info = quadlet_units_info_lookup (ctx, filename);
  g_autoptr (UnitFile) service = NULL;
  g_autofree char *service_file = NULL;

  if (info == NULL || type == NULL)
    {
      g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_NOT_FOUND,
                   "internal error while processing %s", filename);
      return NULL;
    }
  if (!quadlet_check_unknown_keys (unit, group, type->keys, error))
    return NULL;

  service = unit_file_dup (unit);
  service_file = g_strconcat (info->service_name, ".service", NULL);
  unit_file_set_filename (service, service_file);

  if (!translate_unit_dependencies (ctx, service, error))
    return NULL;
  add_default_dependencies (ctx, service);
  if (unit_file_get_path (unit) != NULL)
    unit_file_add (service, QUADLET_UNIT_GROUP, "SourcePath", unit_file_get_path (unit));
  /* The engine needs its storage under %t/containers mounted. */
  unit_file_add (service, QUADLET_UNIT_GROUP, "RequiresMountsFor", "%t/containers");

  /* systemd ignores X- groups; keeping them documents the source. */
  unit_file_rename_group (service, group, type->x_group);
  unit_file_rename_group (service, QUADLET_QUADLET_GROUP, "X-Quadlet");

  if (info_out)
    *info_out = info;
  return g_steal_pointer (&service);
}

void
quadlet_default_oneshot_service (UnitFile *service, gboolean remain_after_exit)
{
  /* The default identifier would be the engine's basename, useless here. */
  if (!unit_file_has_key (service, QUADLET_SERVICE_GROUP, "SyslogIdentifier"))
    unit_file_set (service, QUADLET_SERVICE_GROUP, "SyslogIdentifier", "%N");
  if (!unit_file_has_key (service, QUADLET_SERVICE_GROUP, "Type"))
    unit_file_set (service, QUADLET_SERVICE_GROUP, "Type", "oneshot");
  if (remain_after_exit && !unit_file_has_key (service, QUADLET_SERVICE_GROUP, "RemainAfterExit"))
    unit_file_set (service, QUADLET_SERVICE_GROUP, "RemainAfterExit", "yes");
}

void
quadlet_finish_resource_service (UnitFile *service, PodmanCmdline *podman, UnitFile *unit,
                                 const char *group, const char *last_arg, QuadletUnitInfo *info,
                                 const char *resource_name)
{
  quadlet_add_podman_args (podman, unit, group);
  podman_cmdline_add (podman, last_arg, NULL);
  podman_cmdline_add_to (podman, service, "ExecStart");
  quadlet_default_oneshot_service (service, TRUE);
  g_free (info->resource_name);
  info->resource_name = g_strdup (resource_name);
}

/* ------------------------------------------------------------ command lines */

PodmanCmdline *
podman_cmdline_new (const char *engine)
{
  PodmanCmdline *c = g_new (PodmanCmdline, 1); /* (g_new0 is calloc: slower) */
  c->arena = arena_new ();
  c->args = g_ptr_array_sized_new (96); /* a container's `run` line fits */
  podman_cmdline_add (c, engine, NULL);
  return c;
}

void
podman_cmdline_free (PodmanCmdline *c)
{
  if (c == NULL)
    return;
  g_ptr_array_unref (c->args);
  arena_free (c->arena);
  g_free (c);
}

void
podman_cmdline_add (PodmanCmdline *c, const char *arg, ...)
{
  va_list ap;
  va_start (ap, arg);
  for (const char *a = arg; a != NULL; a = va_arg (ap, const char *))
    g_ptr_array_add (c->args, arena_strdup (c->arena, a));
  va_end (ap);
}

void
podman_cmdline_addf (PodmanCmdline *c, const char *format, ...)
{
  g_autofree char *arg = NULL;
  va_list ap;

  va_start (ap, format);
  arg = g_strdup_vprintf (format, ap);
  va_end (ap);
  g_ptr_array_add (c->args, arena_strdup (c->arena, arg));
}

void
podman_cmdline_add_strv (PodmanCmdline *c, const char *const *args)
{
  for (; args && *args; args++)
    podman_cmdline_add (c, *args, NULL);
}

void
podman_cmdline_set_engine (PodmanCmdline *c, const char *engine)
{
  c->args->pdata[0] = arena_strdup (c->arena, engine);
}

void
podman_cmdline_add_bool (PodmanCmdline *c, const char *flag, gboolean value)
{
  if (value)
    podman_cmdline_add (c, flag, NULL);
  else
    podman_cmdline_addf (c, "%s=false", flag);
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

void
podman_cmdline_add_keys (PodmanCmdline *c, const char *flag, GHashTable *kv)
{
  g_autofree gpointer *keys = NULL;
  guint n = 0;

  if (kv == NULL)
    return;
  keys = g_hash_table_get_keys_as_array (kv, &n);
  qsort (keys, n, sizeof (gpointer), compare_strings);
  for (guint i = 0; i < n; i++)
    {
      const char *value = g_hash_table_lookup (kv, keys[i]);
      podman_cmdline_add (c, flag, NULL);
      /* A bare word (Environment=FOO) passes the host's value through. */
      if (value == NULL)
        podman_cmdline_add (c, keys[i], NULL);
      else
        {
          gsize klen = strlen (keys[i]), vlen = strlen (value);
          char *arg = arena_alloc0 (c->arena, klen + 1 + vlen + 1);
          memcpy (arg, keys[i], klen);
          arg[klen] = '=';
          memcpy (arg + klen + 1, value, vlen);
          g_ptr_array_add (c->args, arg);
        }
    }
}

const char *const *
podman_cmdline_argv (PodmanCmdline *c)
{
  /* Keep a NULL slot after the last argument without counting it. */
  g_ptr_array_add (c->args, NULL);
  g_ptr_array_set_size (c->args, c->args->len - 1);
  return (const char *const *) c->args->pdata;
}

void
podman_cmdline_add_to (PodmanCmdline *c, UnitFile *service, const char *key)
{
  unit_file_add_cmdline (service, QUADLET_SERVICE_GROUP, key, podman_cmdline_argv (c));
}

PodmanCmdline *
quadlet_base_command (QuadletContext *ctx, UnitFile *unit, const char *group)
{
  PodmanCmdline *c = podman_cmdline_new (ctx->engine);

  if (unit_file_has_key (unit, group, "ContainersConfModule"))
    {
      g_auto (GStrv) modules = unit_file_lookup_all (unit, group, "ContainersConfModule");
      for (char **m = modules; *m; m++)
        podman_cmdline_addf (c, "--module=%s", *m);
    }
  if (unit_file_has_key (unit, group, "GlobalArgs"))
    {
      g_auto (GStrv) global = unit_file_lookup_all_args (unit, group, "GlobalArgs");
      podman_cmdline_add_strv (c, (const char *const *) global);
    }
  return c;
}

void
quadlet_add_podman_args (PodmanCmdline *c, UnitFile *unit, const char *group)
{
  g_auto (GStrv) args = NULL;

  if (!unit_file_has_key (unit, group, "PodmanArgs"))
    return;
  args = unit_file_lookup_all_args (unit, group, "PodmanArgs");
  podman_cmdline_add_strv (c, (const char *const *) args);
}

void
quadlet_add_strings (PodmanCmdline *c, UnitFile *unit, const char *group,
                     const QuadletKeyFlag *table)
{
  for (; table->key; table++)
    {
      g_autofree char *v = unit_file_lookup (unit, group, table->key);
      if (v != NULL && v[0] != '\0')
        podman_cmdline_add (c, table->flag, v, NULL);
    }
}

typedef struct {
  PodmanCmdline *c;
  const char *flag;
} AddAll;

static gboolean
add_flag_value (const char *value, gpointer data)
{
  AddAll *add = data;
  podman_cmdline_add (add->c, add->flag, value, NULL);
  return TRUE;
}

void
quadlet_add_all_strings (PodmanCmdline *c, UnitFile *unit, const char *group,
                         const QuadletKeyFlag *table)
{
  AddAll add = { c, NULL };

  for (; table->key; table++)
    {
      add.flag = table->flag;
      unit_file_foreach_value (unit, group, table->key, add_flag_value, &add);
    }
}

void
quadlet_add_booleans (PodmanCmdline *c, UnitFile *unit, const char *group,
                      const QuadletKeyFlag *table)
{
  for (; table->key; table++)
    {
      gboolean v;
      if (unit_file_lookup_boolean (unit, group, table->key, &v))
        podman_cmdline_add_bool (c, table->flag, v);
    }
}

void
quadlet_add_key_vals (QuadletContext *ctx, PodmanCmdline *c, UnitFile *unit, const char *group,
                      const QuadletKeyFlag *table)
{
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);

  AddAll add = { c, NULL };

  for (; table->key; table++)
    {
      if (!unit_file_has_key (unit, group, table->key))
        continue;
      /* podman_cmdline_add_keys (unit_file_lookup_all_key_val ()) without
       * the table: the same words in the same order. */
      add.flag = table->flag;
      unit_file_foreach_key_val_word (unit, group, table->key, problems, add_flag_value, &add);
      for (guint i = 0; i < problems->len; i++)
        quadlet_warn (ctx, "Warning: %s: %s=: %s, ignoring", unit_file_get_filename (unit),
                      table->key, (char *) problems->pdata[i]);
      g_ptr_array_set_size (problems, 0);
    }
}

/* ------------------------------------------------------------ references */

char *
quadlet_handle_image_source (QuadletContext *ctx, const char *image, UnitFile *service,
                             GError **error)
{
  QuadletUnitInfo *info;
  g_autofree char *service_file = NULL;

  if (!g_str_has_suffix (image, ".build") && !g_str_has_suffix (image, ".image"))
    return g_strdup (image);
  /* There is no default name for an image unit's image: it must be known. */
  info = quadlet_units_info_lookup (ctx, image);
  if (info == NULL)
    {
      g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_NOT_FOUND,
                   "requested Quadlet image %s was not found", image);
      return NULL;
    }
  service_file = g_strconcat (info->service_name, ".service", NULL);
  unit_file_add (service, QUADLET_UNIT_GROUP, "Requires", service_file);
  unit_file_add (service, QUADLET_UNIT_GROUP, "After", service_file);
  return g_strdup (info->resource_name ? info->resource_name : "");
}

static gboolean
starts_with_specifier (const char *path)
{
  return path[0] == '%' && path[1] != '%';
}

char *
quadlet_get_absolute_path (UnitFile *unit, const char *path)
{
  const char *unit_path = unit_file_get_path (unit);

  if (starts_with_specifier (path) || g_path_is_absolute (path))
    return g_strdup (path);
  if (unit_path != NULL && unit_path[0] != '\0')
    {
      g_autofree char *dir = g_path_get_dirname (unit_path);
      g_autofree char *joined = g_build_filename (dir, path, NULL);
      return g_canonicalize_filename (joined, "/");
    }
  return g_canonicalize_filename (path, NULL);
}

/* ------------------------------------------------------------ working directory */

gboolean
quadlet_is_url (const char *s)
{
  const char *gh;

  /* Quadlet's regexp ^((https?)|(git)://)|(github\.com/).+$ as written:
   * the alternation makes any "http" prefix a URL. */
  if (g_str_has_prefix (s, "http") || g_str_has_prefix (s, "git://"))
    return TRUE;
  gh = strstr (s, "github.com/");
  return gh != NULL && gh[strlen ("github.com/")] != '\0';
}

char *
quadlet_handle_set_working_directory (UnitFile *unit, UnitFile *service, const char *group,
                                      GError **error)
{
  g_autofree char *value = unit_file_lookup (unit, group, "SetWorkingDirectory");
  g_autofree char *lower = NULL, *relative_to = NULL, *context = NULL, *service_wd = NULL;
  gboolean is_kube = strcmp (group, QUADLET_KUBE_GROUP) == 0;
  gboolean is_build = strcmp (group, QUADLET_BUILD_GROUP) == 0;

  if (value == NULL || value[0] == '\0')
    return g_strdup ("");
  lower = g_ascii_strdown (value, -1);
  if (strcmp (lower, "yaml") == 0)
    {
      g_auto (GStrv) yamls = NULL;
      if (!is_kube)
        goto only_in;
      yamls = unit_file_lookup_all (unit, group, "Yaml");
      if (yamls[0] == NULL)
        {
          g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID, "no Yaml key specified");
          return NULL;
        }
      if (yamls[1] != NULL)
        {
          quadlet_set_error_at (error, unit, group, "SetWorkingDirectory",
                                "SetWorkingDirectory=%s is only supported when a single Yaml key "
                                "is provided", value);
          return NULL;
        }
      relative_to = g_strdup (yamls[0]);
    }
  else if (strcmp (lower, "file") == 0)
    {
      if (!is_build)
        goto only_in;
      relative_to = unit_file_lookup (unit, group, "File");
      if (relative_to == NULL)
        {
          g_set_error (error, QUADLET_ERROR, QUADLET_ERROR_INVALID, "no File key specified");
          return NULL;
        }
    }
  else if (strcmp (lower, "unit") == 0)
    relative_to = g_strdup (unit_file_get_path (unit));
  else
    {
      /* A path or URL: the build context itself (.build only). */
      if (!is_build)
        {
          quadlet_set_error_at (error, unit, group, "SetWorkingDirectory",
                                "unsupported value for WorkingDirectory: %s ", value);
          return NULL;
        }
      context = g_strdup (value);
      if (!g_path_is_absolute (context))
        relative_to = g_strdup (unit_file_get_path (unit));
    }

  if (relative_to != NULL && relative_to[0] != '\0' && !quadlet_is_url (context ? context : ""))
    {
      g_autofree char *abs = NULL, *dir = NULL;
      /* An explicit [Service] WorkingDirectory= wins (and, as in Quadlet,
       * drops the context). */
      service_wd = unit_file_lookup (unit, QUADLET_SERVICE_GROUP, "WorkingDirectory");
      if (service_wd != NULL && service_wd[0] != '\0')
        return g_strdup ("");
      abs = quadlet_get_absolute_path (unit, relative_to);
      dir = g_path_get_dirname (abs);
      unit_file_add (service, QUADLET_SERVICE_GROUP, "WorkingDirectory", dir);
    }
  return context ? g_steal_pointer (&context) : g_strdup ("");

only_in:
  quadlet_set_error_at (error, unit, group, "SetWorkingDirectory",
                        "SetWorkingDirectory=%s is only supported in .%s files", value,
                        strcmp (lower, "yaml") == 0 ? "kube" : "build");
  return NULL;
}
