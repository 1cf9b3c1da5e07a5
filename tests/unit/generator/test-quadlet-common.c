/* SPDX-License-Identifier: Apache-2.0 */
/* The generator framework: service and resource names, the unit-info map,
 * service init ([Unit] dependency rewriting, default dependencies, unknown
 * keys), command-line helpers. */
#include <criterion/criterion.h>
#include "quadlet.h"

static UnitFile *
parse (const char *path, const char *text)
{
  g_autoptr (GError) error = NULL;
  UnitFile *f = unit_file_parse (text, -1, path, &error);
  cr_assert_not_null (f, "%s: %s", path, error ? error->message : "?");
  return f;
}

static char *
service_name_of (const char *path, const char *text)
{
  g_autoptr (UnitFile) f = parse (path, text);
  const QuadletUnitType *type = quadlet_unit_type_for (path);
  cr_assert_not_null (type, "%s has no type", path);
  return quadlet_get_service_name (f, type->group, type->service_suffix);
}

Test (quadlet_names, service_names)
{
  static const struct {
    const char *path, *text, *want;
  } cases[] = {
    { "/q/web.container", "[Container]\n", "web" },
    { "/q/db.volume", "[Volume]\n", "db-volume" },
    { "/q/lan.network", "[Network]\n", "lan-network" },
    { "/q/app.pod", "[Pod]\n", "app-pod" },
    { "/q/base.image", "[Image]\n", "base-image" },
    { "/q/named.volume", "[Volume]\nServiceName=custom\n", "custom" },
    /* templates keep the '@' last so the service is still a template */
    { "/q/db@.volume", "[Volume]\n", "db-volume@" },
    { "/q/db@x.volume", "[Volume]\n", "db-volume@x" },
    { "/q/web@.container", "[Container]\n", "web@" },
    { "/q/web@blue.container", "[Container]\n", "web@blue" },
  };
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *got = service_name_of (cases[i].path, cases[i].text);
      cr_expect_str_eq (got, cases[i].want, "%s", cases[i].path);
    }
}

Test (quadlet_names, default_resource_names)
{
  g_autoptr (UnitFile) plain = parse ("/q/foo.volume", "[Volume]\n");
  g_autoptr (UnitFile) tmpl = parse ("/q/foo@.volume", "[Volume]\n");
  g_autoptr (UnitFile) inst = parse ("/q/foo@bar.volume", "[Volume]\n");
  g_autoptr (UnitFile) named = parse ("/q/foo.network", "[Network]\nNetworkName=\n");
  g_autofree char *a = quadlet_default_resource_name (plain);
  g_autofree char *b = quadlet_default_resource_name (tmpl);
  g_autofree char *c = quadlet_default_resource_name (inst);
  g_autofree char *d = quadlet_named_resource (named, "Network", "NetworkName");

  cr_expect_str_eq (a, "systemd-foo");
  cr_expect_str_eq (b, "systemd-foo-%i");
  cr_expect_str_eq (c, "systemd-foo-bar");
  cr_expect_str_eq (d, "systemd-foo", "an empty NetworkName= means the default");
}

Test (quadlet_names, container_resource_name_known_only_without_specifiers)
{
  g_autoptr (QuadletContext) ctx = quadlet_context_new (FALSE, "/usr/bin/podunit");
  g_autoptr (UnitFile) a = parse ("/q/a.container", "[Container]\n");
  g_autoptr (UnitFile) b = parse ("/q/b.container", "[Container]\nContainerName=%N-x\n");
  g_autoptr (UnitFile) c = parse ("/q/c@.container", "[Container]\n");

  quadlet_units_info_add (ctx, a);
  quadlet_units_info_add (ctx, b);
  quadlet_units_info_add (ctx, c);
  cr_expect_str_eq (quadlet_units_info_lookup (ctx, "a.container")->resource_name, "systemd-a");
  cr_expect_str_eq (quadlet_units_info_lookup (ctx, "b.container")->resource_name, "b-x");
  cr_expect_null (quadlet_units_info_lookup (ctx, "c.container"));
  cr_expect_null (quadlet_units_info_lookup (ctx, "c@.container")->resource_name,
                  "%%p_%%i cannot be resolved before systemd does");
}

/* ------------------------------------------------------------ service init */

static UnitFile *
init (QuadletContext *ctx, UnitFile *unit, const char *group, GError **error)
{
  return quadlet_init_service (ctx, unit, group, NULL, error);
}

Test (quadlet_init, rewrites_quadlet_dependencies)
{
  g_autoptr (QuadletContext) ctx = quadlet_context_new (FALSE, "/usr/bin/podunit");
  g_autoptr (UnitFile) db = parse ("/q/db.container", "[Container]\nImage=localhost/db\n");
  g_autoptr (UnitFile) vol = parse ("/q/data@.volume", "[Volume]\n");
  g_autoptr (UnitFile) web = parse ("/q/web.container",
                                    "[Unit]\nAfter=db.container other.service\n"
                                    "Requires=db.container data@x.volume\n"
                                    "[Container]\nImage=localhost/web\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (UnitFile) service = NULL;
  g_auto (GStrv) after = NULL, requires = NULL;

  quadlet_units_info_add (ctx, db);
  quadlet_units_info_add (ctx, vol);
  quadlet_units_info_add (ctx, web);
  service = init (ctx, web, "Container", &error);
  cr_assert_not_null (service, "%s", error ? error->message : "?");
  cr_expect_str_eq (unit_file_get_filename (service), "web.service");

  after = unit_file_lookup_all (service, "Unit", "After");
  requires = unit_file_lookup_all (service, "Unit", "Requires");
  cr_assert_eq (g_strv_length (after), 2);
  cr_expect_str_eq (after[0], "network-online.target", "default dependency comes first");
  cr_expect_str_eq (after[1], "db.service other.service");
  cr_assert_eq (g_strv_length (requires), 1);
  cr_expect_str_eq (requires[0], "db.service data-volume@x.service");
  cr_expect (unit_file_has_group (service, "X-Container"));
  cr_expect (!unit_file_has_group (service, "Container"));
  cr_expect_str_eq (unit_file_lookup_last_raw (service, "Unit", "SourcePath"), "/q/web.container");
  cr_expect_str_eq (unit_file_lookup_last_raw (service, "Unit", "RequiresMountsFor"),
                    "%t/containers");
}

Test (quadlet_init, unknown_quadlet_dependency_fails)
{
  g_autoptr (QuadletContext) ctx = quadlet_context_new (FALSE, "/usr/bin/podunit");
  g_autoptr (UnitFile) web = parse ("/q/web.container",
                                    "[Unit]\nWants=missing.network\n[Container]\nImage=x\n");
  g_autoptr (GError) error = NULL;
  g_autoptr (UnitFile) service = NULL;

  quadlet_units_info_add (ctx, web);
  service = init (ctx, web, "Container", &error);
  cr_assert_null (service);
  cr_expect_str_eq (error->message, "unable to translate dependency for missing.network");
}

Test (quadlet_init, default_dependencies_user_mode_and_opt_out)
{
  g_autoptr (QuadletContext) user = quadlet_context_new (TRUE, "/usr/bin/podunit");
  g_autoptr (UnitFile) a = parse ("/q/a.volume", "[Volume]\n");
  g_autoptr (UnitFile) b = parse ("/q/b.volume", "[Quadlet]\nDefaultDependencies=no\n[Volume]\n");
  g_autoptr (UnitFile) sa = NULL, sb = NULL;

  quadlet_units_info_add (user, a);
  quadlet_units_info_add (user, b);
  sa = init (user, a, "Volume", NULL);
  sb = init (user, b, "Volume", NULL);
  cr_assert_not_null (sa);
  cr_assert_not_null (sb);
  cr_expect_str_eq (unit_file_lookup_last_raw (sa, "Unit", "Wants"),
                    "podunit-user-wait-network-online.service");
  cr_expect_null (unit_file_lookup_last_raw (sb, "Unit", "Wants"));
  cr_expect_null (unit_file_lookup_last_raw (sb, "Unit", "After"));
  cr_expect (unit_file_has_group (sb, "X-Quadlet"));
}

Test (quadlet_init, unknown_keys_name_file_and_line)
{
  g_autoptr (QuadletContext) ctx = quadlet_context_new (FALSE, "/usr/bin/podunit");
  g_autoptr (UnitFile) a = parse ("/q/a.volume", "[Volume]\n\nLabel=x=y\nImgae=foo\n");
  g_autoptr (UnitFile) b = parse ("/q/b.volume", "[Volume]\n[Quadlet]\nNope=1\n");
  g_autoptr (GError) ea = NULL, eb = NULL;
  g_autoptr (UnitFile) sa = NULL, sb = NULL;

  quadlet_units_info_add (ctx, a);
  quadlet_units_info_add (ctx, b);
  sa = init (ctx, a, "Volume", &ea);
  sb = init (ctx, b, "Volume", &eb);
  cr_assert_null (sa);
  cr_assert_null (sb);
  cr_expect_str_eq (ea->message, "unsupported key 'Imgae' in group 'Volume' in /q/a.volume:4; "
                    "did you mean 'Image'?");
  cr_expect_str_eq (eb->message, "unsupported key 'Nope' in group 'Quadlet' in /q/b.volume:3");
}

/* ------------------------------------------------------------ command lines */

static char *
joined (PodmanCmdline *c)
{
  return g_strjoinv (" ", (char **) podman_cmdline_argv (c));
}

Test (podman_cmdline, keys_sorted_and_bare_words)
{
  g_autoptr (PodmanCmdline) c = podman_cmdline_new ("/e");
  g_autoptr (GHashTable) kv = g_hash_table_new (g_str_hash, g_str_equal);
  g_autofree char *line = NULL;

  g_hash_table_insert (kv, "b", "2");
  g_hash_table_insert (kv, "a", "1");
  g_hash_table_insert (kv, "HOSTVAR", NULL);
  podman_cmdline_add_keys (c, "--env", kv);
  podman_cmdline_add_bool (c, "--tls-verify", FALSE);
  podman_cmdline_add_bool (c, "--init", TRUE);
  line = joined (c);
  cr_expect_str_eq (line, "/e --env HOSTVAR --env a=1 --env b=2 --tls-verify=false --init");
}

Test (podman_cmdline, base_command_modules_then_global_args)
{
  g_autoptr (QuadletContext) ctx = quadlet_context_new (FALSE, "/usr/bin/podunit");
  g_autoptr (UnitFile) f = parse ("/q/a.volume", "[Volume]\nGlobalArgs=--log-level=debug \"--x y\"\n"
                                                  "ContainersConfModule=/m1.conf\n"
                                                  "PodmanArgs=--opt a=b\n");
  g_autoptr (PodmanCmdline) c = quadlet_base_command (ctx, f, "Volume");
  g_autofree char *line = NULL;

  podman_cmdline_add (c, "volume", "create", NULL);
  quadlet_add_podman_args (c, f, "Volume");
  line = joined (c);
  cr_expect_str_eq (line,
                    "/usr/bin/podunit --module=/m1.conf --log-level=debug --x y volume create --opt a=b");
}

Test (podman_cmdline, key_val_problems_become_warnings_naming_the_file)
{
  g_autoptr (QuadletContext) ctx = quadlet_context_new (FALSE, "/e");
  g_autoptr (UnitFile) f = parse ("/q/a.container", "[Container]\nLabel=a=\\q b=1\n");
  g_autoptr (PodmanCmdline) c = podman_cmdline_new ("/e");
  static const QuadletKeyFlag table[] = { { "Label", "--label" }, { NULL, NULL } };

  quadlet_add_key_vals (ctx, c, f, "Container", table);
  cr_assert_eq (ctx->warnings->len, 1);
  cr_expect_not_null (strstr (ctx->warnings->pdata[0], "a.container"));
  cr_expect_not_null (strstr (ctx->warnings->pdata[0], "unsupported escape char"));
}

/* ------------------------------------------------------------ misc */

Test (quadlet_misc, is_url_as_quadlet)
{
  cr_expect (quadlet_is_url ("https://example.com/x.tar.gz"));
  cr_expect (quadlet_is_url ("http://example.com/"));
  cr_expect (quadlet_is_url ("git://git.sr.ht/~x/y"));
  cr_expect (quadlet_is_url ("github.com/containers/PodmanHello.git"));
  cr_expect (!quadlet_is_url ("github.com/"));
  cr_expect (!quadlet_is_url ("./context"));
  cr_expect (!quadlet_is_url ("/srv/build"));
}

Test (quadlet_misc, absolute_paths)
{
  g_autoptr (UnitFile) f = parse ("/etc/containers/systemd/a.kube", "[Kube]\n");
  g_autofree char *rel = quadlet_get_absolute_path (f, "./sub/../k8s/app.yml");
  g_autofree char *spec = quadlet_get_absolute_path (f, "%h/app.yml");
  g_autofree char *abs = quadlet_get_absolute_path (f, "/opt/app.yml");

  cr_expect_str_eq (rel, "/etc/containers/systemd/k8s/app.yml");
  cr_expect_str_eq (spec, "%h/app.yml", "specifiers are systemd's to expand");
  cr_expect_str_eq (abs, "/opt/app.yml");
}

Test (quadlet_misc, image_source_references)
{
  g_autoptr (QuadletContext) ctx = quadlet_context_new (FALSE, "/e");
  g_autoptr (UnitFile) img = parse ("/q/base.image", "[Image]\nImage=localhost/b\nImageTag=b:1\n");
  g_autoptr (UnitFile) svc = unit_file_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *plain = NULL, *ref = NULL, *missing = NULL;

  quadlet_units_info_add (ctx, img);
  plain = quadlet_handle_image_source (ctx, "quay.io/x", svc, NULL);
  ref = quadlet_handle_image_source (ctx, "base.image", svc, NULL);
  missing = quadlet_handle_image_source (ctx, "nope.build", svc, &error);
  cr_expect_str_eq (plain, "quay.io/x");
  cr_expect_str_eq (ref, "b:1", "ImageTag= names the image");
  cr_expect_str_eq (unit_file_lookup_last_raw (svc, "Unit", "Requires"), "base-image.service");
  cr_expect_null (missing);
  cr_expect_str_eq (error->message, "requested Quadlet image nope.build was not found");
}
