/* SPDX-License-Identifier: Apache-2.0 */
/* The store's tree walks on trees a container can make: thousands of
 * nested directories and paths far over PATH_MAX. rm -rf, du and packing a
 * layer (commit) must finish without recursion or one fd per level. */
#include "image/layer.h"
#include "image/store-fs.h"

#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

static char *workdir;

static void
setup (void)
{
  workdir = g_dir_make_tmp ("test-store-fs-XXXXXX", NULL);
  cr_assert_not_null (workdir);
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s' 2>/dev/null", workdir);
  (void) system (cmd);
}

/* DEPTH nested directories named NAMELEN 'x's under TOP, a file "leaf" in
 * the deepest; made relative to fds so no path gets long. */
static void
make_deep (const char *top, int depth, int namelen)
{
  g_autofree char *name = g_strnfill (namelen, 'x');
  int fd = open (top, O_RDONLY | O_DIRECTORY);
  cr_assert_geq (fd, 0);
  for (int i = 0; i < depth; i++)
    {
      cr_assert_eq (mkdirat (fd, name, 0755), 0, "mkdir at level %d: %s", i, g_strerror (errno));
      int next = openat (fd, name, O_RDONLY | O_DIRECTORY);
      cr_assert_geq (next, 0);
      close (fd);
      fd = next;
    }
  int leaf = openat (fd, "leaf", O_WRONLY | O_CREAT, 0644);
  cr_assert_eq (write (leaf, "data", 4), 4);
  close (leaf);
  close (fd);
}

TestSuite (store_fs, .init = setup, .fini = teardown);

Test (store_fs, rm_rf_removes_long_paths)
{
  g_autofree char *top = g_build_filename (workdir, "long", NULL);
  g_autoptr (GError) error = NULL;
  cr_assert_eq (mkdir (top, 0755), 0);
  make_deep (top, 17, 250); /* about 4.3 KB deep, over PATH_MAX */
  cr_assert (fs_rm_rf (top, &error), "%s", error ? error->message : "");
  cr_assert_eq (access (top, F_OK), -1);
}

Test (store_fs, rm_rf_and_du_of_thousands_of_levels_with_few_fds)
{
  g_autofree char *top = g_build_filename (workdir, "deep", NULL);
  g_autoptr (GError) error = NULL;
  /* With 64 fds a walk holding one per level fails long before the end. */
  struct rlimit rl = { 64, 64 };
  cr_assert_eq (mkdir (top, 0755), 0);
  make_deep (top, 3000, 1);
  cr_assert_eq (setrlimit (RLIMIT_NOFILE, &rl), 0);
  cr_assert_eq (fs_du (top), 4);
  cr_assert (fs_rm_rf (top, &error), "%s", error ? error->message : "");
  cr_assert_eq (access (top, F_OK), -1);
}

Test (store_fs, rm_rf_error_names_the_entry)
{
  g_autoptr (GError) error = NULL;
  /* A missing tree is fine; a file that cannot go says why. */
  cr_assert (fs_rm_rf ("/nonexistent/podunit-test", &error));
  cr_assert_not (fs_rm_rf ("/proc/self/status", &error));
  cr_assert_not_null (error);
  cr_assert (strstr (error->message, "status") != NULL, "%s", error->message);
}

Test (store_fs, layer_pack_of_1000_nested_directories)
{
  g_autofree char *top = g_build_filename (workdir, "upper", NULL);
  g_autofree char *tar = g_build_filename (workdir, "layer.tar", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *digest = NULL;
  struct rlimit rl = { 64, 64 };
  cr_assert_eq (mkdir (top, 0755), 0);
  make_deep (top, 1000, 1);
  int out = open (tar, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  cr_assert_geq (out, 0);
  cr_assert_eq (setrlimit (RLIMIT_NOFILE, &rl), 0);
  cr_assert (layer_pack (top, out, &digest, NULL, &error), "%s", error ? error->message : "");
  close (out);

  /* The tarball has every level and the leaf, in walk order. */
  struct archive *a = archive_read_new ();
  struct archive_entry *e;
  int entries = 0;
  gboolean leaf = FALSE;
  archive_read_support_format_tar (a);
  cr_assert_eq (archive_read_open_filename (a, tar, 65536), ARCHIVE_OK);
  while (archive_read_next_header (a, &e) == ARCHIVE_OK)
    {
      entries++;
      const char *p = archive_entry_pathname (e);
      if (g_str_has_suffix (p, "/x/leaf") && strlen (p) == 1000 * 2 + 4)
        leaf = TRUE;
    }
  archive_read_free (a);
  cr_assert_eq (entries, 1001);
  cr_assert (leaf);
}

/* A layer whose directory "ok" is followed by a file "ok": tar semantics,
 * the later entry wins (it failed with "cannot remove ok: Bad file
 * descriptor": the parent's fd was closed before the removal). */
Test (store_fs, layer_entry_replaces_a_directory)
{
  g_autofree char *tar = g_build_filename (workdir, "dup.tar", NULL);
  g_autofree char *dest = g_build_filename (workdir, "dest", NULL);
  g_autofree char *okpath = g_build_filename (dest, "ok", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *diff_id = NULL;
  g_autofree char *text = NULL;
  struct archive *a = archive_write_new ();
  const struct { const char *path; int type; const char *data; } entries[] = {
    { "ok", AE_IFDIR, NULL }, { "ok/inner", AE_IFREG, "x" }, { "ok", AE_IFREG, "file" },
  };

  archive_write_set_format_pax_restricted (a);
  cr_assert_eq (archive_write_open_filename (a, tar), ARCHIVE_OK);
  for (gsize i = 0; i < G_N_ELEMENTS (entries); i++)
    {
      struct archive_entry *e = archive_entry_new ();
      archive_entry_set_pathname (e, entries[i].path);
      archive_entry_set_filetype (e, entries[i].type);
      archive_entry_set_perm (e, 0755);
      archive_entry_set_size (e, entries[i].data ? strlen (entries[i].data) : 0);
      cr_assert_eq (archive_write_header (a, e), ARCHIVE_OK);
      if (entries[i].data)
        archive_write_data (a, entries[i].data, strlen (entries[i].data));
      archive_entry_free (e);
    }
  archive_write_close (a);
  archive_write_free (a);

  cr_assert_eq (mkdir (dest, 0755), 0);
  int fd = open (tar, O_RDONLY);
  cr_assert_geq (fd, 0);
  cr_assert (layer_unpack (fd, dest, LAYER_NO_SYNC, "dup.tar", &diff_id, NULL, &error), "%s",
             error ? error->message : "");
  close (fd);
  cr_assert (g_file_get_contents (okpath, &text, NULL, NULL));
  cr_assert_str_eq (text, "file");
}
