/* SPDX-License-Identifier: Apache-2.0 */
/* Mount= values: CSV quoting as podman reads it, and source resolution. */
#include <criterion/criterion.h>
#include "quadlet-mount.h"

static char **
split_ok (const char *record)
{
  g_autoptr (GError) error = NULL;
  char **fields = quadlet_csv_split (record, &error);
  cr_assert_not_null (fields, "split of %s failed: %s", record, error ? error->message : "?");
  return fields;
}

static void
split_fails (const char *record, const char *message_part)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) fields = quadlet_csv_split (record, &error);
  cr_assert_null (fields, "%s should not split", record);
  cr_assert_not_null (strstr (error->message, message_part), "%s: %s", record, error->message);
}

Test (quadlet_csv, quoted_field_keeps_its_comma)
{
  g_auto (GStrv) f = split_ok ("type=bind,src=/tmp,\"dst=/path,1\"");
  cr_assert_eq (g_strv_length (f), 3);
  cr_assert_str_eq (f[2], "dst=/path,1");
}

Test (quadlet_csv, doubled_quote_and_leading_space)
{
  g_auto (GStrv) f = split_ok ("\"a\"\"b\", c,");
  cr_assert_eq (g_strv_length (f), 3);
  cr_assert_str_eq (f[0], "a\"b");
  cr_assert_str_eq (f[1], " c");
  cr_assert_str_eq (f[2], "");
}

Test (quadlet_csv, bad_quotes_and_second_record_are_errors)
{
  split_fails ("type=bind,a\"b", "bare \" in non-quoted-field");
  split_fails ("\"abc\"d,e", "extraneous or missing \" in quoted-field");
  split_fails ("\"unterminated", "extraneous or missing \"");
  split_fails ("type=bind\ntype=volume", "incorrect mount format");
}

Test (quadlet_csv, join_quotes_only_where_needed)
{
  const char *fields[] = { "type=bind", "dst=/p,1", "say \"hi\"", " lead", "", NULL };
  g_autofree char *s = quadlet_csv_join (fields);
  cr_assert_str_eq (s, "type=bind,\"dst=/p,1\",\"say \"\"hi\"\"\",\" lead\",");
}

/* A context that knows one volume and one image unit, and a container
 * file in /srv/q. */
static QuadletContext *ctx;
static UnitFile *unit, *service;

static void
setup (void)
{
  ctx = quadlet_context_new (FALSE, "/usr/bin/podunit");
  unit = unit_file_parse ("[Container]\nImage=localhost/x\n", -1, "/srv/q/web.container", NULL);
  service = unit_file_new ();
  for (int i = 0; i < 2; i++)
    {
      const char *name = i == 0 ? "/srv/q/data.volume" : "/srv/q/base.image";
      const char *text = i == 0 ? "[Volume]\n" : "[Image]\nImage=quay.io/x/base:1\n";
      g_autoptr (UnitFile) u = unit_file_parse (text, -1, name, NULL);
      quadlet_units_info_add (ctx, u);
    }
}

static void
teardown (void)
{
  unit_file_free (service);
  unit_file_free (unit);
  quadlet_context_free (ctx);
}

static char *
resolve (const char *mount, GError **error)
{
  return quadlet_resolve_mount (ctx, unit, service, mount, error);
}

Test (quadlet_mount, relative_bind_source_becomes_absolute, .init = setup, .fini = teardown)
{
  g_autofree char *m = resolve ("type=bind,src=./conf/,dst=/etc/app,ro", NULL);
  g_auto (GStrv) mounts = unit_file_lookup_all (service, "Unit", "RequiresMountsFor");
  cr_assert_str_eq (m, "type=bind,source=/srv/q/conf,dst=/etc/app,ro");
  cr_assert_eq (g_strv_length (mounts), 1);
  cr_assert_str_eq (mounts[0], "/srv/q/conf");
}

Test (quadlet_mount, path_with_spaces_is_escaped_for_requires_mounts_for, .init = setup,
      .fini = teardown)
{
  g_autofree char *m = resolve ("type=bind,source=/a b,dst=/c", NULL);
  g_autofree char *req = unit_file_lookup_last (service, "Unit", "RequiresMountsFor");
  cr_assert_str_eq (m, "type=bind,source=/a b,dst=/c");
  cr_assert_str_eq (req, "\"/a\\x20b\"");
}

Test (quadlet_mount, quadlet_units_become_names_and_dependencies, .init = setup, .fini = teardown)
{
  g_autofree char *v = resolve ("destination=/d,type=volume,source=data.volume", NULL);
  g_autofree char *i = resolve ("type=image,source=base.image,destination=/i", NULL);
  g_auto (GStrv) requires = unit_file_lookup_all (service, "Unit", "Requires");
  cr_assert_str_eq (v, "type=volume,destination=/d,source=systemd-data");
  cr_assert_str_eq (i, "type=image,source=quay.io/x/base:1,destination=/i");
  cr_assert_eq (g_strv_length (requires), 2);
  cr_assert_str_eq (requires[0], "data-volume.service");
  cr_assert_str_eq (requires[1], "base-image.service");
}

Test (quadlet_mount, other_types_pass_unchanged, .init = setup, .fini = teardown)
{
  g_autofree char *t = resolve ("type=tmpfs,tmpfs-size=512M,destination=/t", NULL);
  g_autofree char *anon = resolve ("type=volume,destination=/v,ro", NULL);
  cr_assert_str_eq (t, "type=tmpfs,tmpfs-size=512M,destination=/t");
  cr_assert_str_eq (anon, "type=volume,destination=/v,ro");
}

Test (quadlet_mount, errors_use_quadlet_texts, .init = setup, .fini = teardown)
{
  static const char *const cases[][2] = {
    { "type=image,destination=/i,ro", "source parameter is required for mount type image" },
    { "type=bind,source,dst=/x", "source parameter does not include a value" },
    { "type=volume,source=missing.volume,dst=/x", "requested Quadlet source missing.volume was not found" },
    { "src=/a,dst=/b", "incorrect mount format" },
  };
  for (gsize n = 0; n < G_N_ELEMENTS (cases); n++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *m = resolve (cases[n][0], &error);
      cr_assert_null (m, "%s should fail", cases[n][0]);
      cr_assert_not_null (strstr (error->message, cases[n][1]), "%s", error->message);
    }
}
