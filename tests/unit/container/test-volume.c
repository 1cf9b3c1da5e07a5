/* SPDX-License-Identifier: Apache-2.0 */
/* -v, --mount and --tmpfs values into the normalized mount specs a
 * container records (container/volume.c, sandbox/mount.h), and the named
 * volumes they create: what `podunit inspect` shows as the mounts and what
 * the user reads when a value is wrong. */
#include "container/volume.h"

#include <criterion/criterion.h>
#include <glib/gstdio.h>

#include "names.h"
#include "sandbox/mount.h"

static char *root, *host;

static void
setup (void)
{
  root = g_dir_make_tmp ("podunit-volume-XXXXXX", NULL);
  host = g_build_filename (root, "host", NULL);
  cr_assert_eq (g_mkdir (host, 0755), 0);
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
  cr_assert_eq (system (cmd), 0);
  g_clear_pointer (&root, g_free);
  g_clear_pointer (&host, g_free);
}

TestSuite (volume, .init = setup, .fini = teardown);

static void
assert_v (const char *spec, const char *want)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *got = volume_normalize_v (root, spec, &error);
  cr_assert_not_null (got, "-v %s: %s", spec, error ? error->message : "");
  cr_assert_str_eq (got, want);
}

static char *
v_error (const char *spec)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *got = volume_normalize_v (root, spec, &error);
  cr_assert_null (got, "-v %s: expected an error, got %s", spec, got);
  cr_assert (g_error_matches (error, MOUNT_ERROR, MOUNT_ERROR_INVALID));
  return g_strdup (error->message);
}

Test (volume, v_bind_with_options)
{
  g_autofree char *spec = NULL, *want = NULL;
  spec = g_strconcat (host, ":/data", NULL);
  want = g_strconcat ("type=bind,source=", host, ",destination=/data", NULL);
  assert_v (spec, want);
  g_free (spec), g_free (want);
  /* z/Z (SELinux) and rw are accepted and change nothing here. */
  spec = g_strconcat (host, ":/data:ro,Z,U,noexec", NULL);
  want = g_strconcat ("type=bind,source=", host, ",destination=/data,ro,chown,noexec", NULL);
  assert_v (spec, want);
  g_free (spec), g_free (want);
  spec = g_strconcat (host, "/../host/:/data:bind", NULL); /* canonicalized; non-recursive */
  want = g_strconcat ("type=bind,source=", host, ",destination=/data,norbind", NULL);
  assert_v (spec, want);
}

Test (volume, v_errors_name_the_value)
{
  g_autofree char *missing = v_error ("/nonexistent-podunit:/d");
  cr_assert_str_eq (missing,
                    "-v /nonexistent-podunit:/d: statfs /nonexistent-podunit: no such file or "
                    "directory");
  g_autofree char *rel = v_error ("data:relative");
  cr_assert_str_eq (rel, "-v data:relative: the container path must be absolute");
  g_autofree char *spec = g_strconcat (host, ":/d:shared", NULL);
  g_autofree char *opt = v_error (spec);
  g_autofree char *want = g_strdup_printf ("-v: unsupported option \"shared\"");
  cr_assert_str_eq (opt, want);
  g_autofree char *bare = v_error ("justaname");
  cr_assert_str_eq (bare, "-v justaname: expected SOURCE:DESTINATION[:OPTIONS]");
}

Test (volume, v_named_volume_is_created)
{
  g_autofree char *data = g_build_filename (root, "volumes", "web", "_data", NULL);
  g_autofree char *want = g_strconcat ("type=bind,source=", data, ",destination=/srv,ro", NULL);
  assert_v ("web:/srv:ro", want);
  cr_assert (g_file_test (data, G_FILE_TEST_IS_DIR));
  g_autoptr (Volume) v = volume_load (root, "web", NULL);
  cr_assert_not_null (v);
  cr_assert_str_eq (v->driver, "local");
  cr_assert_not (v->anonymous);
  /* Using it again finds the same volume. */
  assert_v ("web:/srv:ro", want);
}

Test (volume, v_path_alone_is_an_anonymous_volume)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *got = volume_normalize_v (root, "/cache", &error);
  cr_assert_not_null (got, "%s", error ? error->message : "");
  g_autoptr (GPtrArray) names = volume_list (root, NULL);
  cr_assert_eq (names->len, 1);
  const char *name = names->pdata[0];
  cr_assert_eq (strlen (name), 64);
  g_autofree char *data = volume_mountpoint (root, name);
  g_autofree char *want = g_strconcat ("type=bind,source=", data, ",destination=/cache", NULL);
  cr_assert_str_eq (got, want);
  g_autoptr (Volume) v = volume_load (root, name, NULL);
  cr_assert (v->anonymous);
}

Test (volume, mount_flag)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *spec = g_strconcat ("type=bind,src=", host, ",dst=/m,readonly,U", NULL);
  g_autofree char *got = volume_normalize_mount (root, spec, &error);
  g_autofree char *want = g_strconcat ("type=bind,source=", host, ",destination=/m,ro,chown", NULL);
  cr_assert_str_eq (got, want);

  g_autofree char *tmpfs = volume_normalize_mount (root, "type=tmpfs,target=/t,tmpfs-size=1m,tmpfs-mode=700", NULL);
  cr_assert_str_eq (tmpfs, "type=tmpfs,destination=/t,size=1m,mode=700");

  g_autofree char *vol = volume_normalize_mount (root, "type=volume,source=db,destination=/var/lib/db", NULL);
  g_autofree char *data = g_build_filename (root, "volumes", "db", "_data", NULL);
  g_autofree char *want_vol = g_strconcat ("type=bind,source=", data, ",destination=/var/lib/db", NULL);
  cr_assert_str_eq (vol, want_vol);
}

static char *
mount_error (const char *spec)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *got = volume_normalize_mount (root, spec, &error);
  cr_assert_null (got, "--mount %s: expected an error", spec);
  return g_strdup (error->message);
}

Test (volume, mount_flag_errors)
{
  g_autofree char *a = mount_error ("type=bind,destination=/m");
  cr_assert_str_eq (a, "--mount type=bind,destination=/m: a bind mount needs source=");
  g_autofree char *b = mount_error ("type=volume,source=/abs,destination=/m");
  cr_assert_str_eq (b, "--mount type=volume,source=/abs,destination=/m: a volume source is a name, not a path");
  g_autofree char *c = mount_error ("source=x,destination=/m");
  cr_assert_str_eq (c, "--mount source=x,destination=/m: type= and destination= are required");
  g_autofree char *d = mount_error ("type=image,source=x,destination=/m");
  cr_assert_str_eq (d, "--mount type=image,source=x,destination=/m: type image is not supported by podunit yet (bind, volume, tmpfs)");
  g_autofree char *e = mount_error ("type=bind,source=/tmp,destination=/m,wibble");
  cr_assert_str_eq (e, "--mount type=bind,source=/tmp,destination=/m,wibble: unsupported option \"wibble\"");
  /* Found by tests/fuzz (cli): a valued key without a value went into the
   * spec as "(null)"; a key given twice leaked the first value. */
  g_autofree char *f = mount_error ("type=tmpfs,destination=/t,tmpfs-size");
  cr_assert_str_eq (f, "--mount type=tmpfs,destination=/t,tmpfs-size: option \"tmpfs-size\" needs a value");
  g_autofree char *twice = volume_normalize_mount (root, "type=bind,type=tmpfs,dst=/a,dst=/t", NULL);
  cr_assert_str_eq (twice, "type=tmpfs,destination=/t");
}

Test (volume, tmpfs_flag)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a = volume_normalize_tmpfs ("/run", NULL);
  cr_assert_str_eq (a, "type=tmpfs,destination=/run");
  g_autofree char *b = volume_normalize_tmpfs ("/run:rw,size=10m,mode=1777,nosuid,noexec", NULL);
  cr_assert_str_eq (b, "type=tmpfs,destination=/run,size=10m,mode=1777,noexec");
  g_autofree char *c = volume_normalize_tmpfs ("run", &error);
  cr_assert_null (c);
  cr_assert_str_eq (error->message, "--tmpfs run: the container path must be absolute");
  g_clear_error (&error);
  g_autofree char *d = volume_normalize_tmpfs ("/run:huge", &error);
  cr_assert_null (d);
  cr_assert_str_eq (error->message, "--tmpfs /run:huge: unsupported option \"huge\"");
}

Test (volume, names)
{
  /* The shared rule (lib/names.c), as volumes use it. */
  cr_assert (name_check ("volume", "web-data_1.x", NULL));
  cr_assert_not (name_check ("volume", "-leading-dash", NULL));
  cr_assert_not (name_check ("volume", "has/slash", NULL));
  cr_assert_not (name_check ("volume", "", NULL));
}
