/* SPDX-License-Identifier: Apache-2.0 */
/* The image verbs as a user runs them: podunit load / images / tag / rmi /
 * save / image inspect / image prune, their output and exit statuses. */
#include <criterion/criterion.h>
#include <glib.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/wait.h>

static char *workdir;
static char *archive;
static char *image_id;

static void
setup (void)
{
  workdir = g_dir_make_tmp ("test-cli-images-XXXXXX", NULL);
  archive = g_build_filename (workdir, "bb.tar", NULL);
  g_autofree char *cmd
      = g_strdup_printf ("python3 %s/mkimage.py busybox %s oci", TEST_IMAGES_DIR, archive);
  int status = -1;
  cr_assert (g_spawn_command_line_sync (cmd, &image_id, NULL, &status, NULL));
  cr_assert_eq (status, 0);
  g_strstrip (image_id);
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", workdir);
  (void)system (cmd);
}

/* Runs podunit --root W/root --runroot W/run ARGS...; returns the exit status. */
static int
podunit (char **out, char **err, const char *args)
{
  g_autofree char *cmd = g_strdup_printf ("%s --root %s/root --runroot %s/run %s", PODUNIT_BIN,
                                          workdir, workdir, args);
  int status = -1;
  g_autofree char *o = NULL, *e = NULL;
  cr_assert (g_spawn_command_line_sync (cmd, &o, &e, &status, NULL));
  if (out)
    *out = g_steal_pointer (&o);
  if (err)
    *err = g_steal_pointer (&e);
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static void
load (void)
{
  g_autofree char *args = g_strdup_printf ("load -i %s", archive);
  g_autofree char *out = NULL;
  cr_assert_eq (podunit (&out, NULL, args), 0);
  cr_assert_str_eq (out, "Loaded image: localhost/busybox:latest\n");
}

TestSuite (cli_images, .init = setup, .fini = teardown);

Test (cli_images, images_lists_podman_columns)
{
  load ();
  g_autofree char *out = NULL;
  cr_assert_eq (podunit (&out, NULL, "images"), 0);
  g_auto (GStrv) lines = g_strsplit (out, "\n", -1);
  cr_assert (g_str_has_prefix (lines[0], "REPOSITORY"), "%s", out);
  cr_assert (strstr (lines[0], "TAG") && strstr (lines[0], "IMAGE ID")
                 && strstr (lines[0], "CREATED") && strstr (lines[0], "SIZE"),
             "%s", lines[0]);
  g_autofree char *short_id = g_strndup (image_id, 12);
  cr_assert (g_str_has_prefix (lines[1], "localhost/busybox"), "%s", lines[1]);
  cr_assert (strstr (lines[1], "latest") && strstr (lines[1], short_id)
                 && strstr (lines[1], "years ago") && strstr (lines[1], " MB"),
             "%s", lines[1]);
  /* Columns line up under their headers. */
  cr_assert_eq (strstr (lines[1], short_id) - lines[1], strstr (lines[0], "IMAGE ID") - lines[0]);
  cr_assert_str_eq (lines[2], "");

  g_autofree char *q = NULL;
  cr_assert_eq (podunit (&q, NULL, "images -q"), 0);
  g_autofree char *want = g_strconcat (short_id, "\n", NULL);
  cr_assert_str_eq (q, want);

  g_autofree char *f = NULL;
  cr_assert_eq (
      podunit (&f, NULL, "images --no-trunc --format '{{.Repository}}:{{.Tag}}\\t{{.ID}}'"), 0);
  g_autofree char *want_f = g_strdup_printf ("localhost/busybox:latest\tsha256:%s\n", image_id);
  cr_assert_str_eq (f, want_f);

  g_autofree char *t = NULL;
  cr_assert_eq (podunit (&t, NULL, "images --format 'table {{.ID}}\\t{{.Digest}}'"), 0);
  cr_assert (g_str_has_prefix (t, "IMAGE ID    "), "%s", t);
  cr_assert (strstr (t, "DIGEST") && strstr (t, "sha256:"), "%s", t);

  g_autofree char *bad = NULL;
  cr_assert_eq (podunit (NULL, &bad, "images --format '{{.Nope}}'"), 125);
  cr_assert (strstr (bad, "Nope") != NULL, "%s", bad);
}

Test (cli_images, tag_rmi_untags_then_deletes)
{
  load ();
  cr_assert_eq (podunit (NULL, NULL, "tag busybox quay.io/me/bb:1 other"), 0);
  g_autofree char *out = NULL;
  cr_assert_eq (podunit (&out, NULL, "images --format '{{.Repository}}:{{.Tag}}'"), 0);
  cr_assert (strstr (out, "quay.io/me/bb:1\n") && strstr (out, "localhost/other:latest\n")
                 && strstr (out, "localhost/busybox:latest\n"),
             "%s", out);

  /* By id with several names: podman wants -f. */
  g_autofree char *err = NULL;
  g_autofree char *by_id = g_strdup_printf ("rmi %.12s", image_id);
  cr_assert_eq (podunit (NULL, &err, by_id), 125);
  cr_assert (strstr (err, "more than one tag"), "%s", err);

  g_autofree char *o1 = NULL;
  cr_assert_eq (podunit (&o1, NULL, "rmi other quay.io/me/bb:1"), 0);
  cr_assert_str_eq (o1, "Untagged: localhost/other:latest\nUntagged: quay.io/me/bb:1\n");
  g_autofree char *o2 = NULL;
  cr_assert_eq (podunit (&o2, NULL, "rmi busybox"), 0);
  g_autofree char *want
      = g_strdup_printf ("Untagged: localhost/busybox:latest\nDeleted: %s\n", image_id);
  cr_assert_str_eq (o2, want);

  g_autofree char *e2 = NULL;
  cr_assert_eq (podunit (NULL, &e2, "rmi busybox"), 1);
  cr_assert_str_eq (e2, "Error: busybox: image not known\n");
  cr_assert_eq (podunit (NULL, NULL, "rmi -i busybox"), 0);
}

Test (cli_images, load_errors_name_the_file)
{
  g_autofree char *err = NULL;
  cr_assert_eq (podunit (NULL, &err, "load -i /nonexistent/img.tar"), 125);
  cr_assert (strstr (err, "/nonexistent/img.tar"), "%s", err);
  g_autofree char *junk = g_build_filename (workdir, "junk.tar", NULL);
  g_file_set_contents (junk, "junk", -1, NULL);
  g_autofree char *args = g_strdup_printf ("load -i %s", junk);
  g_autofree char *err2 = NULL;
  cr_assert_eq (podunit (NULL, &err2, args), 125);
  cr_assert (g_str_has_prefix (err2, "Error: ") && strstr (err2, junk), "%s", err2);
  g_autofree char *out = NULL;
  cr_assert_eq (podunit (&out, NULL, "images -q"), 0);
  cr_assert_str_eq (out, "");
}

Test (cli_images, inspect_save_load_prune)
{
  load ();
  g_autofree char *out = NULL;
  cr_assert_eq (podunit (&out, NULL, "image inspect busybox"), 0);
  g_autoptr (JsonParser) p = json_parser_new ();
  cr_assert (json_parser_load_from_data (p, out, -1, NULL), "%s", out);
  JsonObject *o = json_array_get_object_element (json_node_get_array (json_parser_get_root (p)), 0);
  cr_assert_str_eq (json_object_get_string_member (o, "Id"), image_id);
  cr_assert_str_eq (json_array_get_string_element (json_object_get_array_member (o, "RepoTags"), 0),
                    "localhost/busybox:latest");
  JsonObject *cfg = json_object_get_object_member (o, "Config");
  cr_assert_str_eq (json_array_get_string_element (json_object_get_array_member (cfg, "Cmd"), 0),
                    "sh");
  cr_assert_eq (json_array_get_length (json_object_get_array_member (
                    json_object_get_object_member (o, "RootFS"), "Layers")),
                1);
  cr_assert_gt (json_object_get_int_member (o, "Size"), 1000000);

  g_autofree char *f = NULL;
  cr_assert_eq (podunit (&f, NULL, "image inspect --format '{{.Id}} {{.Config.Cmd}}' busybox"), 0);
  g_autofree char *want = g_strdup_printf ("%s [sh]\n", image_id);
  cr_assert_str_eq (f, want);

  g_autofree char *saved = g_build_filename (workdir, "saved.tar", NULL);
  g_autofree char *save = g_strdup_printf ("save --format oci-archive -o %s busybox", saved);
  cr_assert_eq (podunit (NULL, NULL, save), 0);
  cr_assert_eq (podunit (NULL, NULL, "rmi busybox"), 0);
  g_autofree char *ld = g_strdup_printf ("load -q -i %s", saved);
  g_autofree char *lo = NULL;
  cr_assert_eq (podunit (&lo, NULL, ld), 0);
  cr_assert_str_eq (lo, "Loaded image: localhost/busybox:latest\n");

  /* prune removes only dangling images unless -a. */
  cr_assert_eq (podunit (NULL, NULL, "image prune -f"), 0);
  g_autofree char *q = NULL;
  cr_assert_eq (podunit (&q, NULL, "images -q"), 0);
  cr_assert_neq (strlen (q), 0);
  g_autofree char *pr = NULL;
  cr_assert_eq (podunit (&pr, NULL, "image prune -a -f"), 0);
  g_autofree char *want_pr = g_strconcat (image_id, "\n", NULL);
  cr_assert_str_eq (pr, want_pr);
  g_autofree char *q2 = NULL;
  cr_assert_eq (podunit (&q2, NULL, "images -q"), 0);
  cr_assert_str_eq (q2, "");
}
