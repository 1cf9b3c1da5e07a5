/* SPDX-License-Identifier: Apache-2.0 */
/* The store as root: OCI whiteouts and opaque dirs become overlayfs ones,
 * and an overlay mount of the unpacked layers shows what the image means
 * (deleted file gone, opaque dir replaced); device nodes and ownership are
 * kept; commit turns overlay whiteouts back into OCI ones. */
#include "image/store.h"
#include "image/archive-common.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

static char *workdir;

static void
setup (void)
{
  if (geteuid () != 0)
    cr_skip_test ("needs root");
  workdir = g_dir_make_tmp ("test-store-root-XXXXXX", NULL);
}

static void
teardown (void)
{
  if (workdir == NULL)
    return;
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", workdir);
  (void)system (cmd);
}

static StoreImage *
load_two_layer (Store **sp)
{
  g_autofree char *archive = g_build_filename (workdir, "two.tar", NULL);
  g_autofree char *cmd = g_strdup_printf ("python3 %s/mkimage.py busybox %s oci --two-layer",
                                          TEST_IMAGES_DIR, archive);
  int status = -1;
  g_autofree char *id = NULL;
  cr_assert (g_spawn_command_line_sync (cmd, &id, NULL, &status, NULL));
  cr_assert_eq (status, 0);
  g_autofree char *root = g_build_filename (workdir, "root", NULL);
  g_autofree char *run = g_build_filename (workdir, "run", NULL);
  g_autoptr (GError) error = NULL;
  *sp = store_open (root, run, &error);
  cr_assert_not_null (*sp);
  g_autoptr (GPtrArray) loaded = image_archive_load (*sp, archive, &error);
  cr_assert_not_null (loaded, "%s", error ? error->message : "");
  return store_lookup_image (*sp, "busybox", NULL);
}

TestSuite (store_root, .init = setup, .fini = teardown);

Test (store_root, whiteouts_become_overlay_whiteouts)
{
  Store *s;
  g_autoptr (StoreImage) img = load_two_layer (&s);
  const char *top = store_image_get_layer_dirs (img)[1];
  struct stat st;
  g_autofree char *gone = g_build_filename (top, "data/gone", NULL);
  cr_assert_eq (lstat (gone, &st), 0);
  cr_assert (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0), "data/gone is not a whiteout");
  g_autofree char *wh = g_build_filename (top, "data/.wh.gone", NULL);
  cr_assert_neq (lstat (wh, &st), 0, ".wh. file left in the layer");
  g_autofree char *opq = g_build_filename (top, "opq", NULL);
  char v[4] = { 0 };
  cr_assert_eq (getxattr (opq, "trusted.overlay.opaque", v, sizeof v), 1);
  cr_assert_eq (v[0], 'y');
  g_autofree char *opqfile = g_build_filename (top, "opq/.wh..wh..opq", NULL);
  cr_assert_neq (lstat (opqfile, &st), 0);

  g_autofree char *dev = g_build_filename (top, "dev/podunit-null", NULL);
  cr_assert_eq (lstat (dev, &st), 0);
  cr_assert (S_ISCHR (st.st_mode) && st.st_rdev == makedev (1, 3));
  g_autofree char *owned = g_build_filename (top, "home/nobody-file", NULL);
  cr_assert_eq (lstat (owned, &st), 0);
  cr_assert_eq (st.st_uid, 65534);
  cr_assert_eq (st.st_mode & 07777, 0600);

  const char *bottom = store_image_get_layer_dirs (img)[0];
  struct stat a, b;
  g_autofree char *l1 = g_build_filename (bottom, "etc/hardlink-src", NULL);
  g_autofree char *l2 = g_build_filename (bottom, "etc/hardlink-dst", NULL);
  cr_assert (lstat (l1, &a) == 0 && lstat (l2, &b) == 0 && a.st_ino == b.st_ino);
  store_free (s);
}

static int
count_entries (const char *dir)
{
  int n = 0;
  DIR *d = opendir (dir);
  struct dirent *de;
  if (!d)
    return -1;
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") && strcmp (de->d_name, ".."))
      n++;
  closedir (d);
  return n;
}

Test (store_root, overlay_mount_shows_the_image)
{
  Store *s;
  g_autoptr (StoreImage) img = load_two_layer (&s);
  const char *const *dirs = store_image_get_layer_dirs (img);
  g_autofree char *mnt = g_build_filename (workdir, "mnt", NULL);
  g_mkdir_with_parents (mnt, 0755);

  pid_t pid = fork ();
  if (pid == 0)
    {
      /* A private mount namespace: nothing leaks to the host. */
      if (unshare (CLONE_NEWNS) < 0 || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
        _exit (10);
      g_autofree char *opts = g_strdup_printf ("lowerdir=%s:%s", dirs[1], dirs[0]);
      if (mount ("overlay", mnt, "overlay", MS_RDONLY, opts) < 0)
        _exit (11);
      struct stat st;
      g_autofree char *gone = g_build_filename (mnt, "data/gone", NULL);
      g_autofree char *keep = g_build_filename (mnt, "data/keep", NULL);
      g_autofree char *opq = g_build_filename (mnt, "opq", NULL);
      g_autofree char *sh = g_build_filename (mnt, "bin/sh", NULL);
      if (lstat (gone, &st) == 0)
        _exit (12);
      if (lstat (keep, &st) != 0)
        _exit (13);
      if (count_entries (opq) != 1)
        _exit (14); /* only "c": a and b hidden by the opaque dir */
      if (lstat (sh, &st) != 0 || !S_ISLNK (st.st_mode))
        _exit (15);
      _exit (0);
    }
  int status;
  cr_assert_eq (waitpid (pid, &status, 0), pid);
  cr_assert (WIFEXITED (status));
  cr_assert_eq (WEXITSTATUS (status), 0, "overlay check failed with %d", WEXITSTATUS (status));
  store_free (s);
}

Test (store_root, commit_turns_overlay_whiteouts_into_oci_ones)
{
  Store *s;
  g_autoptr (StoreImage) base = load_two_layer (&s);
  g_autofree char *upper = g_build_filename (workdir, "upper", NULL);
  g_autofree char *dir = g_build_filename (upper, "data", NULL);
  g_autofree char *opq = g_build_filename (upper, "opq", NULL);
  g_mkdir_with_parents (dir, 0755);
  g_mkdir_with_parents (opq, 0755);
  g_autofree char *wh = g_build_filename (dir, "keep", NULL);
  cr_assert_eq (mknod (wh, S_IFCHR, makedev (0, 0)), 0);
  cr_assert_eq (setxattr (opq, "trusted.overlay.opaque", "y", 1, 0), 0);
  g_autofree char *d = g_build_filename (opq, "d", NULL);
  g_file_set_contents (d, "d\n", -1, NULL);

  g_autoptr (GError) error = NULL;
  g_autoptr (StoreImage) img = store_create_image (s, base, upper, NULL, NULL, NULL, "c", &error);
  cr_assert_not_null (img, "%s", error ? error->message : "");
  const char *const *diffs = store_image_get_diff_ids (img);
  const char *diff = diffs[g_strv_length ((char **) diffs) - 1];

  /* Saved as OCI: the layer tar carries .wh.keep and .wh..wh..opq. */
  g_autofree char *saved = g_build_filename (workdir, "c.tar", NULL);
  cr_assert (image_archive_save (s, img, NULL, saved, IMAGE_ARCHIVE_DOCKER, FALSE, &error));
  g_autofree char *hex = g_strdup (diff + 7);
  g_autofree char *cmd
      = g_strdup_printf ("sh -c \"tar -xOf '%s' '%s/layer.tar' | tar -tf -\"", saved, hex);
  g_autofree char *list = NULL;
  int status = -1;
  cr_assert (g_spawn_command_line_sync (cmd, &list, NULL, &status, NULL));
  cr_assert_eq (status, 0);
  cr_assert (strstr (list, "data/.wh.keep\n") != NULL, "%s", list);
  cr_assert (strstr (list, "opq/.wh..wh..opq\n") != NULL, "%s", list);
  cr_assert (strstr (list, "opq/d\n") != NULL, "%s", list);

  /* And unpacked again in the store, they are overlay whiteouts. */
  const char *top = store_image_get_layer_dirs (img)[2];
  struct stat st;
  g_autofree char *k = g_build_filename (top, "data/keep", NULL);
  cr_assert (lstat (k, &st) == 0 && S_ISCHR (st.st_mode) && st.st_rdev == 0);
  store_free (s);
}
