/* SPDX-License-Identifier: Apache-2.0 */
/* The container record (container/container.c): what `create` writes is
 * what `start`, `inspect` and `ps` read back, byte for byte, including
 * arguments and environment entries that are not UTF-8 (a GVariant string
 * must be: such a value used to make `create` crash in libglib at address
 * 0x30, issue 13). */
#include "container/container.h"

#include <criterion/criterion.h>
#include <glib/gstdio.h>

static void
assert_strv_eq (char **a, char **b)
{
  cr_assert_eq (g_strv_length (a), g_strv_length (b));
  for (guint i = 0; a[i]; i++)
    cr_assert_str_eq (a[i], b[i]);
}

static ContainerConfig *
sample (void)
{
  ContainerConfig *c = g_new0 (ContainerConfig, 1);
  const char *argv[] = { "printf", "\xff\xfe-%s", "ok\xc3", NULL };
  const char *env[] = { "PATH=/bin", "A=\xe9t\xe9", NULL };
  const char *labels[] = { "k=v", NULL };
  c->id = g_strdup ("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
  c->name = g_strdup ("rec");
  c->image = g_strdup ("/srv/root\xff");
  c->argv = g_strdupv ((char **) argv);
  c->env = g_strdupv ((char **) env);
  c->labels = g_strdupv ((char **) labels);
  c->workdir = g_strdup ("/w\x80");
  c->stop_signal = 15;
  c->memory = -1;
  c->auto_remove = TRUE;
  return c;
}

Test (record, non_utf8_values_round_trip)
{
  g_autoptr (ContainerConfig) c = sample ();
  g_autoptr (GVariant) v = container_config_to_variant (c);
  g_autoptr (ContainerConfig) back = NULL;

  cr_assert_not_null (v);
  cr_assert (g_variant_is_normal_form (v));
  back = container_config_from_variant (v);
  cr_assert_str_eq (back->id, c->id);
  cr_assert_str_eq (back->image, c->image);
  cr_assert_str_eq (back->workdir, c->workdir);
  assert_strv_eq (back->argv, c->argv);
  assert_strv_eq (back->env, c->env);
  assert_strv_eq (back->labels, c->labels);
  cr_assert_eq (back->stop_signal, 15);
  cr_assert_eq (back->memory, -1);
  cr_assert (back->auto_remove);
  cr_assert_null (back->user);
}

Test (record, saved_and_loaded)
{
  g_autofree char *root = g_dir_make_tmp ("podunit-record-XXXXXX", NULL);
  g_autoptr (ContainerConfig) c = sample ();
  g_autofree char *dir = g_build_filename (root, "containers", c->id, NULL);
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
  g_autoptr (GError) error = NULL;
  g_autoptr (ContainerConfig) back = NULL;

  cr_assert_eq (g_mkdir_with_parents (dir, 0700), 0);
  cr_assert (container_config_save (c, root, &error), "%s", error ? error->message : "");
  back = container_config_load (root, c->id, &error);
  cr_assert_not_null (back, "%s", error ? error->message : "");
  assert_strv_eq (back->argv, c->argv);
  assert_strv_eq (back->env, c->env);
  cr_assert_str_eq (back->image, c->image);
  cr_assert_eq (system (cmd), 0);
}

/* Records written before bytes were kept ("as" only) read as before, and
 * a field of an unexpected type is skipped, not misread. */
Test (record, older_and_foreign_types)
{
  g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  const char *argv[] = { "sh", "-c", "true", NULL };
  g_autoptr (GVariant) v = NULL;
  g_autoptr (ContainerConfig) c = NULL;

  g_variant_builder_add (&b, "{sv}", "Args", g_variant_new_strv (argv, -1));
  g_variant_builder_add (&b, "{sv}", "Name", g_variant_new_int32 (7));
  g_variant_builder_add (&b, "{sv}", "StopSignal", g_variant_new_string ("TERM"));
  v = g_variant_ref_sink (g_variant_builder_end (&b));
  c = container_config_from_variant (v);
  assert_strv_eq (c->argv, (char **) argv);
  cr_assert_null (c->name);
  cr_assert_eq (c->stop_signal, 0);
}

/* A record read in one pass: unknown keys are skipped and, as with a
 * lookup, the first entry of a key counts (a record written by hand or
 * damaged may repeat one). */
Test (record, unknown_and_repeated_keys)
{
  g_auto (GVariantBuilder) b = G_VARIANT_BUILDER_INIT (G_VARIANT_TYPE_VARDICT);
  g_autoptr (GVariant) v = NULL;
  g_autoptr (ContainerConfig) c = NULL;

  g_variant_builder_add (&b, "{sv}", "NoSuchField", g_variant_new_string ("x"));
  g_variant_builder_add (&b, "{sv}", "Name", g_variant_new_string ("first"));
  g_variant_builder_add (&b, "{sv}", "Name", g_variant_new_string ("second"));
  g_variant_builder_add (&b, "{sv}", "StopSignal", g_variant_new_string ("TERM"));
  g_variant_builder_add (&b, "{sv}", "StopSignal", g_variant_new_int32 (9));
  v = g_variant_ref_sink (g_variant_builder_end (&b));
  c = container_config_from_variant (v);
  cr_assert_str_eq (c->name, "first");
  cr_assert_eq (c->stop_signal, 0);
}
