/* SPDX-License-Identifier: Apache-2.0 */
/* The image store through its API: loading oci- and docker-archives,
 * lookups by name and id, tags, removal and garbage collection, hostile
 * archives (rejected, store unchanged), save/load round trips, concurrent
 * loads and commit's layer-from-dir.  Archives come from
 * tests/images/mkimage.py (busybox-static). */
#include "image/store.h"
#include "image/archive-common.h"
#include "image/layer.h"

#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <fcntl.h>
#include <ftw.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char *workdir;

static void
setup (void)
{
  workdir = g_dir_make_tmp ("test-store-XXXXXX", NULL);
  cr_assert_not_null (workdir);
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", workdir);
  (void)system (cmd);
}

static char *
path_in (const char *name)
{
  return g_build_filename (workdir, name, NULL);
}

/* Runs mkimage.py with ARGS; returns the archive path; *ID gets the id it
 * printed. */
static char *
mkimage (const char *name, const char *args, char **id)
{
  char *out = path_in (name);
  g_autofree char *cmd = g_strdup_printf ("python3 %s/mkimage.py %s", TEST_IMAGES_DIR, args);
  g_autofree char *full = NULL;
  if (strstr (args, "@OUT@"))
    {
      g_auto (GStrv) parts = g_strsplit (cmd, "@OUT@", 2);
      full = g_strconcat (parts[0], out, parts[1], NULL);
    }
  g_autofree char *stdout_text = NULL;
  int status = -1;
  cr_assert (g_spawn_command_line_sync (full, &stdout_text, NULL, &status, NULL));
  cr_assert_eq (status, 0, "mkimage.py %s failed", args);
  if (id)
    *id = g_strstrip (g_steal_pointer (&stdout_text));
  return out;
}

static Store *
open_store (const char *name)
{
  g_autofree char *root = path_in (name);
  g_autofree char *run = g_strconcat (root, "-run", NULL);
  g_autoptr (GError) error = NULL;
  Store *s = store_open (root, run, &error);
  cr_assert_not_null (s, "%s", error ? error->message : "");
  return s;
}

static GString *snapshot_out;
static size_t snapshot_prefix;

static int
snapshot_one (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  const char *rel = path + snapshot_prefix;
  /* The root and its staging dir change mtime when a transaction comes and goes. */
  if (*rel == '\0' || strcmp (rel, "/tmp") == 0)
    return 0;
  g_string_append_printf (snapshot_out, "%s %o %lld %lld\n", rel, st->st_mode,
                          (long long)st->st_size, (long long)st->st_mtime);
  return 0;
}

/* Everything under the store root (names, modes, sizes, mtimes). */
static char *
snapshot (Store *s)
{
  snapshot_out = g_string_new (NULL);
  snapshot_prefix = strlen (store_get_root (s));
  nftw (store_get_root (s), snapshot_one, 16, FTW_PHYS);
  return g_string_free (snapshot_out, FALSE);
}

static GPtrArray *
load_ok (Store *s, const char *archive)
{
  g_autoptr (GError) error = NULL;
  GPtrArray *loaded = image_archive_load (s, archive, &error);
  cr_assert_not_null (loaded, "load %s: %s", archive, error ? error->message : "");
  return loaded;
}

static gboolean
exists_in (const char *dir, const char *rel)
{
  g_autofree char *p = g_build_filename (dir, rel, NULL);
  struct stat st;
  return lstat (p, &st) == 0;
}

TestSuite (store, .init = setup, .fini = teardown);

Test (store, load_oci_archive_then_list)
{
  g_autofree char *id = NULL;
  g_autofree char *archive = mkimage ("bb.tar", "busybox @OUT@ oci", &id);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GPtrArray) loaded = load_ok (s, archive);
  cr_assert_eq (loaded->len, 1);
  cr_assert_str_eq (loaded->pdata[0], "localhost/busybox:latest");

  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) images = store_list_images (s, &error);
  cr_assert_eq (images->len, 1);
  StoreImage *img = images->pdata[0];
  cr_assert_str_eq (store_image_get_id (img), id);
  cr_assert_str_eq (store_image_get_names (img)[0], "localhost/busybox:latest");
  cr_assert_null (store_image_get_names (img)[1]);
  const char *const *dirs = store_image_get_layer_dirs (img);
  cr_assert_not_null (dirs[0]);
  cr_assert_null (dirs[1]);
  cr_assert (exists_in (dirs[0], "bin/busybox"));
  g_autofree char *sh = g_build_filename (dirs[0], "bin/sh", NULL);
  g_autofree char *target = g_file_read_link (sh, NULL);
  cr_assert_str_eq (target, "busybox");
  JsonArray *cmd = json_object_get_array_member (store_image_get_config (img), "Cmd");
  cr_assert_str_eq (json_array_get_string_element (cmd, 0), "sh");
  cr_assert_gt (store_image_get_size (img), 1000000);
  cr_assert_eq (store_image_get_created (img), 1704067200);
}

Test (store, docker_archive_gives_the_same_image_id)
{
  g_autofree char *id = NULL;
  g_autofree char *archive = mkimage ("bb.tar", "busybox @OUT@ docker --name busybox:1.35", &id);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GPtrArray) loaded = load_ok (s, archive);
  /* docker-archive RepoTags are docker references: short names are docker.io's. */
  cr_assert_str_eq (loaded->pdata[0], "docker.io/library/busybox:1.35");
  g_autoptr (GError) error = NULL;
  g_autoptr (StoreImage) img = store_lookup_image (s, "busybox:1.35", &error);
  cr_assert_not_null (img, "%s", error ? error->message : "");
  cr_assert_str_eq (store_image_get_id (img), id);
  cr_assert (exists_in (store_image_get_layer_dirs (img)[0], "etc/passwd"));
}

Test (store, loading_a_stored_image_again_changes_nothing)
{
  g_autofree char *oci = mkimage ("bb.tar", "busybox @OUT@ oci", NULL);
  g_autofree char *docker
      = mkimage ("bbd.tar", "busybox @OUT@ docker --name localhost/busybox", NULL);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GPtrArray) l1 = load_ok (s, oci);
  g_autofree char *before = snapshot (s);
  g_autoptr (GPtrArray) l2 = load_ok (s, docker);
  g_autoptr (GPtrArray) l3 = load_ok (s, oci);
  g_autofree char *after = snapshot (s);
  cr_assert_str_eq (after, before);
}

/* Rootless unpacking (no mknod of 0/0, no trusted.* xattrs) keeps the OCI
 * whiteout files, which fuse-overlayfs reads, and skips device nodes. */
Test (store, oci_whiteouts_kept_for_rootless)
{
  g_autofree char *archive = mkimage ("bb2.tar", "busybox @OUT@ oci --two-layer", NULL);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GPtrArray) loaded = load_ok (s, archive);
  g_autoptr (StoreImage) img = store_lookup_image (s, "busybox", NULL);
  g_autofree char *blob = NULL;
  cr_assert (store_layer_info (s, store_image_get_diff_ids (img)[1], &blob, NULL, NULL, NULL));
  g_autofree char *path = store_blob_path (s, blob);
  int fd = open (path, O_RDONLY);
  cr_assert_geq (fd, 0);
  g_autofree char *dest = path_in ("rootless");
  g_mkdir_with_parents (dest, 0755);
  g_autoptr (GError) error = NULL;
  g_autofree char *diff = NULL;
  cr_assert (
      layer_unpack (fd, dest, LAYER_OCI_WHITEOUTS | LAYER_NO_SYNC, "test", &diff, NULL, &error),
      "%s", error ? error->message : "");
  close (fd);
  cr_assert_str_eq (diff, store_image_get_diff_ids (img)[1] + 7);
  g_autofree char *wh = g_build_filename (dest, "data/.wh.gone", NULL);
  g_autofree char *opq = g_build_filename (dest, "opq/.wh..wh..opq", NULL);
  g_autofree char *dev = g_build_filename (dest, "dev/podunit-null", NULL);
  cr_assert (g_file_test (wh, G_FILE_TEST_IS_REGULAR));
  cr_assert (g_file_test (opq, G_FILE_TEST_IS_REGULAR));
  cr_assert_not (g_file_test (dev, G_FILE_TEST_EXISTS));
}

Test (store, zstd_layers_load)
{
  g_autofree char *archive = mkimage ("bb.tar", "busybox @OUT@ oci --zstd", NULL);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GPtrArray) loaded = load_ok (s, archive);
  g_autoptr (StoreImage) img = store_lookup_image (s, "busybox", NULL);
  cr_assert_not_null (img);
  cr_assert (exists_in (store_image_get_layer_dirs (img)[0], "bin/busybox"));
}

Test (store, lookup_by_short_name_full_name_and_id)
{
  g_autofree char *id = NULL;
  g_autofree char *archive = mkimage ("bb.tar", "busybox @OUT@ oci", &id);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GPtrArray) loaded = load_ok (s, archive);
  g_autofree char *prefix = g_strndup (id, 6);
  g_autofree char *with_algo = g_strconcat ("sha256:", id, NULL);
  const char *refs[]
      = { "busybox", "busybox:latest", "localhost/busybox", "localhost/busybox:latest", prefix,
          id,        with_algo };
  for (guint i = 0; i < G_N_ELEMENTS (refs); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (StoreImage) img = store_lookup_image (s, refs[i], &error);
      cr_assert_not_null (img, "%s: %s", refs[i], error ? error->message : "");
      cr_assert_str_eq (store_image_get_id (img), id);
    }
  const char *missing[] = { "busybox:1.0", "quay.io/busybox", "nope", "ffffff" };
  for (guint i = 0; i < G_N_ELEMENTS (missing); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (StoreImage) img = store_lookup_image (s, missing[i], &error);
      cr_assert_null (img, "%s resolved", missing[i]);
      cr_assert (g_error_matches (error, STORE_ERROR, STORE_ERROR_NOT_FOUND), "%s", missing[i]);
      cr_assert (strstr (error->message, missing[i]) != NULL);
    }
}

Test (store, tag_untag_remove_collects_layers_and_blobs)
{
  g_autofree char *id = NULL;
  g_autofree char *a1 = mkimage ("bb.tar", "busybox @OUT@ oci", &id);
  g_autofree char *a2
      = mkimage ("bb2.tar", "busybox @OUT@ oci --two-layer --name localhost/two", NULL);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GPtrArray) l1 = load_ok (s, a1);
  g_autoptr (GPtrArray) l2 = load_ok (s, a2);
  g_autoptr (GError) error = NULL;

  cr_assert (store_tag_image (s, "busybox", "mine:v1", &error));
  g_autoptr (StoreImage) img = store_lookup_image (s, "localhost/mine:v1", &error);
  cr_assert_not_null (img);
  cr_assert_str_eq (store_image_get_id (img), id);
  cr_assert_eq (g_strv_length ((char **)store_image_get_names (img)), 2);
  cr_assert (store_untag_image (s, "mine:v1", &error));
  g_autoptr (StoreImage) untagged = store_lookup_image (s, "mine:v1", NULL);
  cr_assert_null (untagged);
  cr_assert_not (store_tag_image (s, "busybox", "Upper/Case", &error));
  g_clear_error (&error);

  /* The two images share the busybox layer: removing one keeps it. */
  g_autoptr (StoreImage) two = store_lookup_image (s, "two", &error);
  cr_assert_not_null (two);
  g_autofree char *shared = g_strdup (store_image_get_layer_dirs (two)[0]);
  g_autofree char *top = g_strdup (store_image_get_layer_dirs (two)[1]);
  cr_assert (store_remove_image (s, store_image_get_id (two), &error), "%s",
             error ? error->message : "");
  cr_assert (g_file_test (shared, G_FILE_TEST_IS_DIR));
  cr_assert_not (g_file_test (top, G_FILE_TEST_EXISTS));
  cr_assert (store_remove_image (s, id, &error));
  cr_assert_not (g_file_test (shared, G_FILE_TEST_EXISTS));

  g_autoptr (GPtrArray) images = store_list_images (s, &error);
  cr_assert_eq (images->len, 0);
  g_autofree char *blobs = g_build_filename (store_get_root (s), "blobs", "sha256", NULL);
  g_autoptr (GDir) d = g_dir_open (blobs, 0, NULL);
  cr_assert_null (g_dir_read_name (d), "blobs left after removing every image");
}

/* Hostile archives: each rejected with a message naming the problem, and
 * the store exactly as it was (a good image loaded before stays intact). */
struct hostile
{
  char kind[32];
  char message[64];
};

ParameterizedTestParameters (store, hostile_archive_rejected)
{
  static struct hostile cases[] = {
    { "traversal", "'..' component" },         { "absolute", "absolute path" },
    { "symlink-escape", "is a symlink" },      { "symlink-dir-escape", "is a symlink" },
    { "hardlink-escape", "hard link target" }, { "whiteout-dotdot", "whiteout of '..'" },
    { "truncated-gzip", "truncated" },         { "bad-digest", "digest mismatch" },
    { "bad-diffid", "diff id mismatch" },
  };
  return cr_make_param_array (struct hostile, cases, G_N_ELEMENTS (cases));
}

ParameterizedTest (struct hostile *h, store, hostile_archive_rejected)
{
  g_autofree char *good = mkimage ("bb.tar", "busybox @OUT@ oci", NULL);
  g_autofree char *args = g_strdup_printf ("hostile %s @OUT@", h->kind);
  g_autofree char *bad = mkimage ("bad.tar", args, NULL);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GPtrArray) loaded = load_ok (s, good);
  g_autofree char *before = snapshot (s);

  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) none = image_archive_load (s, bad, &error);
  cr_assert_null (none, "%s was accepted", h->kind);
  cr_assert (g_error_matches (error, STORE_ERROR, STORE_ERROR_INVALID), "%s: %s", h->kind,
             error->message);
  cr_assert (strstr (error->message, h->message) != NULL, "%s: message '%s' lacks '%s'", h->kind,
             error->message, h->message);
  g_autofree char *after = snapshot (s);
  cr_assert_str_eq (after, before, "%s changed the store", h->kind);
  g_autoptr (StoreImage) hostile = store_lookup_image (s, "hostile", NULL);
  cr_assert_null (hostile);
  cr_assert_not (g_file_test ("/etc/podunit-escaped", G_FILE_TEST_EXISTS));
}

Test (store, missing_or_garbage_file_is_a_clear_error)
{
  g_autoptr (Store) s = open_store ("root");
  g_autofree char *before = snapshot (s);
  g_autofree char *junk = path_in ("junk.tar");
  g_file_set_contents (junk, "not an archive at all", -1, NULL);
  const char *files[] = { junk, "/nonexistent/x.tar" };
  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autoptr (GError) error = NULL;
      cr_assert_null (image_archive_load (s, files[i], &error));
      cr_assert (strstr (error->message, files[i]) != NULL, "'%s' does not name the file",
                 error->message);
    }
  g_autofree char *after = snapshot (s);
  cr_assert_str_eq (after, before);
}

static void
round_trip (ImageArchiveFormat fmt)
{
  g_autofree char *id = NULL;
  g_autofree char *archive = mkimage ("bb.tar", "busybox @OUT@ oci --two-layer", &id);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GPtrArray) loaded = load_ok (s, archive);
  g_autoptr (StoreImage) img = store_lookup_image (s, "busybox", NULL);
  g_autofree char *saved = path_in ("saved.tar");
  g_autoptr (GError) error = NULL;
  cr_assert (image_archive_save (s, img, "localhost/busybox:latest", saved, fmt, FALSE, &error), "%s",
             error ? error->message : "");

  g_autoptr (Store) s2 = open_store ("root2");
  g_autoptr (GPtrArray) again = load_ok (s2, saved);
  cr_assert_str_eq (again->pdata[0], "localhost/busybox:latest");
  g_autoptr (StoreImage) img2 = store_lookup_image (s2, "busybox", NULL);
  cr_assert_str_eq (store_image_get_id (img2), id);
  if (fmt == IMAGE_ARCHIVE_OCI)
    cr_assert_str_eq (store_image_get_digest (img2), store_image_get_digest (img));
  cr_assert_eq (store_image_get_size (img2), store_image_get_size (img));
  cr_assert (exists_in (store_image_get_layer_dirs (img2)[1], "opq/c"));

  /* Repeated names in one layer: the later entry replaced the earlier one. */
  g_autofree char *dup = g_build_filename (store_image_get_layer_dirs (img2)[1], "etc/dup", NULL);
  g_autofree char *dup_text = NULL;
  cr_assert (g_file_get_contents (dup, &dup_text, NULL, NULL));
  cr_assert_str_eq (dup_text, "second\n");
  g_autofree char *was
      = g_build_filename (store_image_get_layer_dirs (img2)[1], "etc/was-link", NULL);
  cr_assert (g_file_test (was, G_FILE_TEST_IS_REGULAR)
             && !g_file_test (was, G_FILE_TEST_IS_SYMLINK));
}

Test (store, save_load_round_trip_oci) { round_trip (IMAGE_ARCHIVE_OCI); }
Test (store, save_load_round_trip_docker) { round_trip (IMAGE_ARCHIVE_DOCKER); }

Test (store, concurrent_loads_leave_a_consistent_store)
{
  g_autofree char *a1 = mkimage ("bb.tar", "busybox @OUT@ oci", NULL);
  g_autofree char *a2
      = mkimage ("bb2.tar", "busybox @OUT@ docker --two-layer --name localhost/two", NULL);
  g_autofree char *root = path_in ("root");
  pid_t pids[4];
  for (int i = 0; i < 4; i++)
    {
      pids[i] = fork ();
      cr_assert_geq (pids[i], 0);
      if (pids[i] == 0)
        {
          g_autoptr (Store) s = open_store ("root");
          g_autoptr (GPtrArray) l = image_archive_load (s, i % 2 ? a2 : a1, NULL);
          _exit (l ? 0 : 1);
        }
    }
  for (int i = 0; i < 4; i++)
    {
      int status;
      cr_assert_eq (waitpid (pids[i], &status, 0), pids[i]);
      cr_assert (WIFEXITED (status) && WEXITSTATUS (status) == 0, "loader %d failed", i);
    }
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GPtrArray) images = store_list_images (s, NULL);
  cr_assert_eq (images->len, 2);
  for (guint i = 0; i < images->len; i++)
    for (const char *const *d = store_image_get_layer_dirs (images->pdata[i]); *d; d++)
      cr_assert (g_file_test (*d, G_FILE_TEST_IS_DIR), "%s missing", *d);
  g_autofree char *tmp = g_build_filename (root, "tmp", NULL);
  g_autoptr (GDir) d = g_dir_open (tmp, 0, NULL);
  cr_assert_null (g_dir_read_name (d), "staging dirs left behind");
  g_autoptr (StoreImage) two = store_lookup_image (s, "two", NULL);
  g_autoptr (StoreImage) bb = store_lookup_image (s, "busybox", NULL);
  cr_assert_not_null (two);
  cr_assert_not_null (bb);
}

Test (store, commit_creates_layer_and_image)
{
  g_autofree char *archive = mkimage ("bb.tar", "busybox @OUT@ oci", NULL);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GPtrArray) loaded = load_ok (s, archive);
  g_autoptr (StoreImage) base = store_lookup_image (s, "busybox", NULL);

  g_autofree char *upper = path_in ("upper");
  g_autofree char *sub = g_build_filename (upper, "srv", NULL);
  g_mkdir_with_parents (sub, 0755);
  g_autofree char *file = g_build_filename (sub, "hello", NULL);
  g_file_set_contents (file, "hello\n", -1, NULL);

  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) cfg = json_object_new ();
  JsonArray *cmd = json_array_new ();
  json_array_add_string_element (cmd, "cat");
  json_array_add_string_element (cmd, "/srv/hello");
  json_object_set_array_member (cfg, "Cmd", cmd);
  g_autoptr (StoreImage) img
      = store_create_image (s, base, upper, cfg, "tester", "commit test", "committed", &error);
  cr_assert_not_null (img, "%s", error ? error->message : "");
  cr_assert_str_eq (store_image_get_names (img)[0], "localhost/committed:latest");
  const char *const *dirs = store_image_get_layer_dirs (img);
  cr_assert_eq (g_strv_length ((char **)dirs), 2);
  g_autofree char *got = NULL;
  g_autofree char *hello = g_build_filename (dirs[1], "srv/hello", NULL);
  cr_assert (g_file_get_contents (hello, &got, NULL, NULL));
  cr_assert_str_eq (got, "hello\n");
  JsonArray *c = json_object_get_array_member (store_image_get_config (img), "Cmd");
  cr_assert_str_eq (json_array_get_string_element (c, 1), "/srv/hello");

  /* Committed images save and load like any other. */
  g_autofree char *saved = path_in ("c.tar");
  cr_assert (
      image_archive_save (s, img, "localhost/committed:latest", saved, IMAGE_ARCHIVE_OCI, FALSE, &error));
  g_autoptr (Store) s2 = open_store ("root2");
  g_autoptr (GPtrArray) again = load_ok (s2, saved);
  g_autoptr (StoreImage) img2 = store_lookup_image (s2, "committed", NULL);
  cr_assert_str_eq (store_image_get_id (img2), store_image_get_id (img));
}

Test (store, normalize_names_as_podman)
{
  const char *cases[][2] = {
    { "busybox", "localhost/busybox:latest" }, { "busybox:1", "localhost/busybox:1" },
    { "quay.io/a/b", "quay.io/a/b:latest" },   { "localhost:5000/x:y", "localhost:5000/x:y" },
    { "a/b", "localhost/a/b:latest" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *n = store_normalize_name (cases[i][0], NULL);
      cr_assert_str_eq (n, cases[i][1]);
    }
  g_autofree char *d = store_normalize_name_in ("busybox", "docker.io", NULL);
  cr_assert_str_eq (d, "docker.io/library/busybox:latest");
  cr_assert_null (store_normalize_name ("Busybox", NULL));
  cr_assert_null (store_normalize_name ("", NULL));
}

/* What run reads: the first lookup makes ROOT/images/<id>/run.cache, the
 * second reads it; both give the same fields, which match the config. */
static void
assert_strv_eq (char **a, char **b, const char *what)
{
  g_autofree char *ja = a ? g_strjoinv ("|", a) : g_strdup ("(null)");
  g_autofree char *jb = b ? g_strjoinv ("|", b) : g_strdup ("(null)");
  cr_assert_str_eq (ja, jb, "%s", what);
}

Test (store, run_image_from_json_and_from_its_cache_agree)
{
  g_autofree char *id = NULL;
  g_autofree char *archive = mkimage ("bb.tar", "busybox @OUT@ oci", &id);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GPtrArray) loaded = load_ok (s, archive);
  g_autoptr (GError) error = NULL;
  g_autoptr (StoreImage) img = store_lookup_image (s, "busybox", &error);
  g_autofree char *cache = g_build_filename (workdir, "root", "images", id, "run.cache", NULL);
  g_autoptr (StoreRunImage) first = NULL;
  g_autoptr (StoreRunImage) second = NULL;

  cr_assert_not_null (img, "%s", error ? error->message : "");
  cr_assert_not (g_file_test (cache, G_FILE_TEST_EXISTS));
  first = store_lookup_run_image (s, "busybox", &error);
  cr_assert_not_null (first, "%s", error ? error->message : "");
  cr_assert (g_file_test (cache, G_FILE_TEST_IS_REGULAR), "no run.cache made");
  second = store_lookup_run_image (s, "busybox", &error);
  cr_assert_not_null (second, "%s", error ? error->message : "");

  cr_assert_str_eq (first->id, id);
  cr_assert_str_eq (second->id, id);
  cr_assert_not_null (first->cmd, "the test image has a Cmd");
  cr_assert_not_null (first->env, "the test image has an Env");
  assert_strv_eq (first->layer_dirs, second->layer_dirs, "layer dirs");
  assert_strv_eq (first->env, second->env, "Env");
  assert_strv_eq (first->entrypoint, second->entrypoint, "Entrypoint");
  assert_strv_eq (first->cmd, second->cmd, "Cmd");
  assert_strv_eq (first->labels, second->labels, "Labels");
  cr_assert_str_eq (first->working_dir ? first->working_dir : "(null)",
                    second->working_dir ? second->working_dir : "(null)");
  cr_assert_str_eq (first->user ? first->user : "(null)", second->user ? second->user : "(null)");
  cr_assert_eq (first->has_stop_signal, second->has_stop_signal);

  /* A cache of another format or a garbage one is made again, not trusted. */
  cr_assert (g_file_set_contents (cache, "garbage that is no a{sv}", -1, NULL));
  g_clear_pointer (&second, store_run_image_free);
  second = store_lookup_run_image (s, "busybox", &error);
  cr_assert_not_null (second, "%s", error ? error->message : "");
  assert_strv_eq (first->cmd, second->cmd, "Cmd after a garbage cache");
  assert_strv_eq (first->layer_dirs, second->layer_dirs, "layers after a garbage cache");
}

/* Issue 13: a load that reuses a stored layer while an rmi collects the
 * last other image using it. The transaction found the layer stored (so
 * it will not unpack it); the rmi, from another handle (another process's
 * lock), runs its garbage collection before the load commits. The layer
 * must survive, and the load succeed. */
Test (store, layer_reused_by_a_transaction_survives_a_concurrent_rmi)
{
  g_autofree char *archive = mkimage ("bb.tar", "busybox @OUT@ oci", NULL);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (Store) other = open_store ("root");
  g_autoptr (GPtrArray) loaded = load_ok (s, archive);
  g_autoptr (StoreImage) a = store_lookup_image (s, "busybox", NULL);
  g_autoptr (GError) error = NULL;
  const char *did = store_image_get_diff_ids (a)[0];
  g_autofree char *layer = g_strdup (store_image_get_layer_dirs (a)[0]);
  JsonObject *m = store_image_get_manifest (a);
  JsonObject *l0 = json_array_get_object_element (json_object_get_array_member (m, "layers"), 0);

  g_autoptr (StoreTxn) t = store_txn_begin (s, &error);
  cr_assert_not_null (t, "%s", error ? error->message : "");
  cr_assert (store_txn_has_layer (t, did + 7));
  cr_assert (store_remove_image (other, store_image_get_id (a), &error), "%s",
             error ? error->message : "");
  cr_assert (g_file_test (layer, G_FILE_TEST_IS_DIR), "the reused layer was collected");

  /* A new image on that layer: another config, the same layer blob. */
  g_autoptr (JsonNode) cfg = json_node_init_object (json_node_alloc (),
                                                     store_image_get_oci_config (a));
  json_object_set_string_member (json_node_get_object (cfg), "created", "2001-01-01T00:00:00Z");
  g_autofree char *cdata = json_to_string (cfg, FALSE);
  g_autofree char *chex = store_txn_add_blob_data (t, cdata, strlen (cdata), &error);
  cr_assert_not_null (chex);
  g_autoptr (JsonNode) mn = json_node_new (JSON_NODE_OBJECT);
  JsonObject *mo = json_object_new ();
  JsonArray *ls = json_array_new ();
  json_array_add_object_element (ls, json_object_ref (l0));
  json_object_set_int_member (mo, "schemaVersion", 2);
  json_object_set_object_member (
      mo, "config", store_descriptor ("application/vnd.oci.image.config.v1+json", chex,
                                      strlen (cdata)));
  json_object_set_array_member (mo, "layers", ls);
  json_node_take_object (mn, mo);
  g_autofree char *mdata = json_to_string (mn, FALSE);
  g_autofree char *mhex = store_txn_add_blob_data (t, mdata, strlen (mdata), &error);
  const char *names[] = { "localhost/again:latest", NULL };
  g_autofree char *id = store_txn_add_image (t, mhex, names, &error);
  cr_assert_not_null (id, "%s", error ? error->message : "");
  cr_assert (store_txn_commit (t, &error), "%s", error ? error->message : "");
  g_clear_pointer (&t, store_txn_free);

  g_autoptr (StoreImage) b = store_lookup_image (s, "again", &error);
  cr_assert_not_null (b, "%s", error ? error->message : "");
  cr_assert_str_eq (store_image_get_layer_dirs (b)[0], layer);
  cr_assert (g_file_test (layer, G_FILE_TEST_IS_DIR));
  g_autofree char *blob = store_blob_path (s, json_object_get_string_member (l0, "digest") + 7);
  cr_assert (g_file_test (blob, G_FILE_TEST_EXISTS), "the layer's blob was collected");

  /* Once no transaction pins it, the layer goes with its last image. */
  cr_assert (store_remove_image (other, id, &error), "%s", error ? error->message : "");
  cr_assert_not (g_file_test (layer, G_FILE_TEST_EXISTS));
}

/* Issue 13: what a killed load leaves (its staging dir, unlocked, and a
 * layer it had moved in before its image record) is collected when the
 * next transaction begins. */
Test (store, a_dead_transaction_is_collected_by_the_next)
{
  g_autofree char *archive = mkimage ("bb.tar", "busybox @OUT@ oci", NULL);
  g_autoptr (Store) s = open_store ("root");
  g_autoptr (GError) error = NULL;
  g_autofree char *root = g_strdup (store_get_root (s));
  g_autofree char *dead = g_build_filename (root, "tmp", "txn-dead01", "blobs", NULL);
  g_autofree char *orphan = g_build_filename (root, "layers", "00ff", "diff", NULL);
  cr_assert_eq (g_mkdir_with_parents (dead, 0700), 0);
  cr_assert_eq (g_mkdir_with_parents (orphan, 0700), 0);

  g_autoptr (GPtrArray) loaded = load_ok (s, archive);
  cr_assert_not (exists_in (root, "tmp/txn-dead01"));
  cr_assert_not (exists_in (root, "layers/00ff"));
  g_autoptr (StoreImage) a = store_lookup_image (s, "busybox", &error);
  cr_assert_not_null (a);
  cr_assert (g_file_test (store_image_get_layer_dirs (a)[0], G_FILE_TEST_IS_DIR));
}

/* Found by tests/fuzz (imageconfig): members of the wrong type in an image
 * config (a User object, an Entrypoint of numbers, a rootfs string) went
 * to json-glib's typed getters: GLib criticals on every run of the image.
 * They read as absent now; a diff id that is not a digest is an error. */
Test (image_config, wrong_types)
{
  const char *cfg = "{\"created\": 5, \"config\": {\"User\": {}, \"WorkingDir\": [],"
                    " \"Entrypoint\": [\"/x\", 1, \"y\"], \"Env\": \"A=1\", \"StopSignal\": null,"
                    " \"Labels\": {\"a\": null, \"b\": {}, \"c\": \"d\"}}, \"rootfs\": \"x\"}";
  g_autoptr (JsonNode) oci = NULL;
  g_auto (GStrv) ids = NULL;
  g_autoptr (GError) error = NULL;
  gint64 created = -1;
  StoreRunImage r = { 0 };

  cr_assert (store_parse_image_config (cfg, strlen (cfg), "blob", &oci, &created, &ids, &error),
             "%s", error ? error->message : "");
  cr_assert_eq (created, 0);
  cr_assert_null (ids[0]);
  store_run_image_from_config (
      json_object_get_object_member (json_node_get_object (oci), "config"), &r);
  cr_assert_null (r.user);
  cr_assert_null (r.working_dir);
  cr_assert_null (r.env);
  cr_assert_eq (g_strv_length (r.entrypoint), 1, "a non-string element ends the list");
  cr_assert (r.has_stop_signal);
  cr_assert_null (r.stop_signal);
  cr_assert_eq (g_strv_length (r.labels), 1);
  cr_assert_str_eq (r.labels[0], "c=d");
  cr_assert_null (r.exposed_ports[0]);
  g_strfreev (r.entrypoint);
  g_strfreev (r.labels);
  g_strfreev (r.exposed_ports);

  {
    const char *bad = "{\"rootfs\": {\"diff_ids\": [7]}}";
    cr_assert_not (
        store_parse_image_config (bad, strlen (bad), "blob", &oci, &created, &ids, &error));
    cr_assert (strstr (error->message, "invalid digest"), "%s", error->message);
  }
}
