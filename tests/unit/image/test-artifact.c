/* SPDX-License-Identifier: Apache-2.0 */
/* The artifact store (image/artifact/artifact.h): names as podman takes
 * them, media type sniffing, and add/append/replace/remove/extract on a
 * private root, refusals leaving index.json as it was. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>
#include <string.h>

#include "image/artifact/artifact.h"

static char *root;

static void
setup (void)
{
  root = g_dir_make_tmp ("test-artifact-XXXXXX", NULL);
  cr_assert_not_null (root);
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", root);
  cr_assert_eq (system (cmd), 0);
  g_free (root);
}

static char *
write_file (const char *name, const char *data)
{
  char *path = g_build_filename (root, name, NULL);
  cr_assert (g_file_set_contents (path, data, -1, NULL));
  return path;
}

static char *
index_json (void)
{
  g_autofree char *path = g_build_filename (root, "artifacts", "index.json", NULL);
  char *data = NULL;
  g_file_get_contents (path, &data, NULL, NULL);
  return data ? data : g_strdup ("");
}

Test (artifact, names)
{
  static const struct { const char *in, *out; } ok[] = {
    { "quay.io/a/b", "quay.io/a/b:latest" },
    { "localhost/x", "localhost/x:latest" },
    { "foo.io:5000/my-repo/x_y:v1.2", "foo.io:5000/my-repo/x_y:v1.2" },
    { "docker.io/library/busybox", "docker.io/library/busybox:latest" },
    { "quay.io/a/b@sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
      "quay.io/a/b@sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a" },
  };
  static const char *const bad[] = { "", "busybox", "a/b", "docker.io/busybox", "quay.io/A/b",
                                     "quay.io/a//b", "quay.io/a/b:", "quay.io/a/b:-x",
                                     "quay.io/a/b@sha256:12", "quay.io/a/-b", "-q.io/a" };
  for (gsize i = 0; i < G_N_ELEMENTS (ok); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *n = artifact_normalize_name (ok[i].in, &error);
      cr_assert_str_eq (n, ok[i].out, "%s", ok[i].in);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *n = artifact_normalize_name (bad[i], &error);
      cr_assert_null (n, "%s accepted", bad[i]);
      cr_assert (g_error_matches (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID));
    }
}

Test (artifact, sniff)
{
  cr_assert_str_eq (artifact_sniff_media_type ((const guint8 *) "hello\n", 6),
                    "text/plain; charset=utf-8");
  cr_assert_str_eq (artifact_sniff_media_type ((const guint8 *) "a\0b", 3),
                    "application/octet-stream");
  cr_assert_str_eq (artifact_sniff_media_type ((const guint8 *) "\x1f\x8b\x08\0", 4),
                    "application/x-gzip");
  cr_assert_str_eq (artifact_sniff_media_type ((const guint8 *) "", 0),
                    "text/plain; charset=utf-8");
}

Test (artifact, add_append_replace_remove, .init = setup, .fini = teardown)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a = write_file ("a.txt", "aaa\n"), *b = write_file ("b.txt", "bb\n");
  char *one[] = { a, NULL }, *two[] = { b, NULL };
  ArtifactAddOptions plain = { 0 }, append = { .append = TRUE }, replace = { .replace = TRUE };
  g_autofree char *d1 = artifact_add (root, "quay.io/t/x", one, &plain, &error);
  g_autofree char *d2 = NULL, *d3 = NULL, *gone = NULL;
  g_autoptr (Artifact) art = NULL;
  g_autoptr (GPtrArray) list = NULL;

  cr_assert_not_null (d1, "%s", error ? error->message : "");
  art = artifact_lookup (root, "quay.io/t/x:latest", &error);
  cr_assert_not_null (art);
  cr_assert_str_eq (art->digest, d1);
  cr_assert_eq (art->size, 4);
  cr_assert_not_null (art->created_text);
  g_clear_pointer (&art, artifact_free);

  d2 = artifact_add (root, "quay.io/t/x", two, &append, &error);
  cr_assert_not_null (d2);
  art = artifact_lookup (root, d2 + 7, &error); /* by digest hex */
  cr_assert_not_null (art);
  cr_assert_eq (art->size, 7);
  cr_assert_eq (json_array_get_length (json_object_get_array_member (art->manifest, "layers")), 2);
  g_clear_pointer (&art, artifact_free);

  d3 = artifact_add (root, "quay.io/t/x", two, &replace, &error);
  cr_assert_not_null (d3);
  list = artifact_list (root, &error);
  cr_assert_eq (list->len, 1);
  cr_assert_eq (((Artifact *) list->pdata[0])->size, 3);

  gone = artifact_remove (root, "quay.io/t/x", &error);
  cr_assert_str_eq (gone, d3);
  g_clear_pointer (&list, g_ptr_array_unref);
  list = artifact_list (root, &error);
  cr_assert_eq (list->len, 0);
}

Test (artifact, refusals_change_nothing, .init = setup, .fini = teardown)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *a = write_file ("a.txt", "aaa\n");
  g_autofree char *missing = g_build_filename (root, "missing", NULL);
  char *one[] = { a, NULL }, *bad_files[] = { a, missing, NULL };
  ArtifactAddOptions plain = { 0 }, both = { .append = TRUE, .replace = TRUE };
  g_autofree char *d = artifact_add (root, "quay.io/t/x", one, &plain, &error);
  g_autofree char *before = index_json ();
  g_autofree char *r = NULL;

  cr_assert_not_null (d);
  r = artifact_add (root, "quay.io/t/x", one, &plain, &error);
  cr_assert (r == NULL && g_error_matches (error, ARTIFACT_ERROR, ARTIFACT_ERROR_EXISTS));
  g_clear_error (&error);
  r = artifact_add (root, "quay.io/t/y", bad_files, &plain, &error);
  cr_assert (r == NULL && g_error_matches (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID));
  cr_assert (strstr (error->message, "no such file"), "%s", error->message);
  g_clear_error (&error);
  r = artifact_add (root, "quay.io/t/x", one, &both, &error);
  cr_assert (r == NULL && g_error_matches (error, ARTIFACT_ERROR, ARTIFACT_ERROR_INVALID));
  g_clear_error (&error);
  r = artifact_remove (root, "quay.io/t/nope", &error);
  cr_assert (r == NULL && g_error_matches (error, ARTIFACT_ERROR, ARTIFACT_ERROR_NOT_FOUND));
  cr_assert_str_eq (error->message, "quay.io/t/nope:latest: artifact does not exist");
  {
    g_autofree char *after = index_json ();
    cr_assert_str_eq (before, after);
  }
}

Test (artifact, extract_refuses_a_path_title, .init = setup, .fini = teardown)
{
  /* a hostile manifest's title must not write outside the target */
  g_autoptr (GError) error = NULL;
  g_autofree char *a = write_file ("a.txt", "aaa\n");
  char *one[] = { a, NULL };
  ArtifactAddOptions plain = { 0 };
  g_autofree char *d = artifact_add (root, "quay.io/t/x", one, &plain, &error);
  g_autofree char *mpath = g_build_filename (root, "artifacts", "blobs", "sha256", d + 7, NULL);
  g_autofree char *data = NULL, *evil = NULL, *target = g_build_filename (root, "out", NULL);
  cr_assert (g_file_get_contents (mpath, &data, NULL, NULL));
  evil = g_strjoinv ("../evil", g_strsplit (data, "a.txt", -1));
  cr_assert (g_file_set_contents (mpath, evil, -1, NULL));
  cr_assert_eq (g_mkdir (target, 0755), 0);
  cr_assert_not (artifact_extract (root, "quay.io/t/x", target, NULL, NULL, &error));
  cr_assert (strstr (error->message, "cannot contain /"), "%s", error->message);
}
