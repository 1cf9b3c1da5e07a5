/* SPDX-License-Identifier: Apache-2.0 */
/* lib's fd helpers: the cleanup attribute, write_file_atomic() and the
 * errno -> GError helper. */
#include <criterion/criterion.h>
#include "error.h"
#include "fdio.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

static char *
scratch_dir (void)
{
  char *dir = g_dir_make_tmp ("podunit-fdio-XXXXXX", NULL);
  cr_assert_not_null (dir);
  return dir;
}

/* Names in @dir, sorted, space separated: what a user listing it sees. */
static char *
listing (const char *dir)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  DIR *d = opendir (dir);
  struct dirent *e;

  cr_assert_not_null (d);
  while ((e = readdir (d)) != NULL)
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      g_ptr_array_add (names, g_strdup (e->d_name));
  closedir (d);
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

static void
rm_dir (const char *dir)
{
  g_autofree char *list = listing (dir);
  g_auto (GStrv) names = g_strsplit (list, " ", -1);
  for (char **n = names; *n && **n; n++)
    {
      g_autofree char *p = g_build_filename (dir, *n, NULL);
      g_unlink (p);
    }
  g_rmdir (dir);
}

Test (fdio, autofd_closes_at_scope_end_and_steal_keeps_it_open)
{
  int kept, dropped;
  {
    autofd int a = open ("/dev/null", O_RDONLY | O_CLOEXEC);
    autofd int b = open ("/dev/null", O_RDONLY | O_CLOEXEC);
    autofd int none = -1;
    cr_assert_geq (a, 0);
    dropped = a;
    kept = fd_steal (&b);
    cr_assert_eq (b, -1);
    (void) none;
  }
  cr_assert_eq (fcntl (dropped, F_GETFD), -1, "the fd was not closed");
  cr_assert_eq (errno, EBADF);
  cr_assert_geq (fcntl (kept, F_GETFD), 0, "a stolen fd was closed");
  close (kept);
}

Test (fdio, write_file_atomic_replaces_with_exact_mode_and_leaves_no_temporary)
{
  g_autofree char *dir = scratch_dir ();
  g_autofree char *path = g_build_filename (dir, "unit.service", NULL);
  g_autofree char *text = NULL;
  g_autofree char *list = NULL;
  mode_t old = umask (077);
  struct stat st;

  cr_assert_eq (write_file_atomic (AT_FDCWD, path, "old\n", 4, 0644, 0), 0);
  cr_assert_eq (write_file_atomic (AT_FDCWD, path, "new contents\n", 13, 0644, WRITE_DURABLE), 0);
  umask (old);
  cr_assert (g_file_get_contents (path, &text, NULL, NULL));
  cr_assert_str_eq (text, "new contents\n");
  cr_assert_eq (stat (path, &st), 0);
  cr_assert_eq (st.st_mode & 07777, 0644, "mode %o: the umask applied", st.st_mode & 07777);
  list = listing (dir);
  cr_assert_str_eq (list, "unit.service");
  rm_dir (dir);
}

Test (fdio, write_file_atomic_relative_to_a_directory_fd)
{
  g_autofree char *dir = scratch_dir ();
  g_autofree char *path = g_build_filename (dir, "state.json", NULL);
  g_autofree char *text = NULL;
  g_autofree char *list = NULL;
  autofd int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);

  cr_assert_eq (write_file_atomic (dfd, "state.json", "{}", 2, 0600, WRITE_DURABLE), 0,
                "%s", g_strerror (errno));
  cr_assert (g_file_get_contents (path, &text, NULL, NULL));
  cr_assert_str_eq (text, "{}");
  list = listing (dir);
  cr_assert_str_eq (list, "state.json");
  rm_dir (dir);
}

/* WRITE_NEW_NAME: a new name gets the whole file (unnamed, then linked in
 * where the kernel allows it), an existing one is replaced as usual; the
 * umask applies, and nothing else is left in the directory. */
Test (fdio, write_file_atomic_new_name_creates_and_replaces)
{
  g_autofree char *dir = scratch_dir ();
  g_autofree char *path = g_build_filename (dir, "web.service", NULL);
  g_autofree char *text = NULL, *again = NULL;
  g_autofree char *list = NULL;
  autofd int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  mode_t old = umask (027);
  struct stat st;

  cr_assert_eq (write_file_atomic (dfd, "web.service", "[Unit]\n", 7, 0644, WRITE_NEW_NAME), 0,
                "%s", g_strerror (errno));
  cr_assert (g_file_get_contents (path, &text, NULL, NULL));
  cr_assert_str_eq (text, "[Unit]\n");
  cr_assert_eq (stat (path, &st), 0);
  cr_assert_eq (st.st_mode & 07777, 0640, "mode %o: not the umask's", st.st_mode & 07777);
  cr_assert_eq (write_file_atomic (dfd, "web.service", "[Service]\n", 10, 0644, WRITE_NEW_NAME),
                0, "%s", g_strerror (errno));
  umask (old);
  cr_assert (g_file_get_contents (path, &again, NULL, NULL));
  cr_assert_str_eq (again, "[Service]\n");
  list = listing (dir);
  cr_assert_str_eq (list, "web.service");
  rm_dir (dir);
}

/* A failure leaves the old file and no temporary: here the target is a
 * directory, so the rename fails after the data was written. */
Test (fdio, write_file_atomic_failure_keeps_the_old_state)
{
  g_autofree char *dir = scratch_dir ();
  g_autofree char *sub = g_build_filename (dir, "sub", NULL);
  g_autofree char *file = g_build_filename (sub, "f", NULL);
  g_autofree char *list = NULL;

  cr_assert_eq (g_mkdir (sub, 0755), 0);
  cr_assert (g_file_set_contents (file, "x", 1, NULL));
  cr_assert_eq (write_file_atomic (AT_FDCWD, sub, "data", 4, 0644, 0), -1);
  cr_assert (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST, "errno %d", errno);
  list = listing (dir);
  cr_assert_str_eq (list, "sub");
  cr_assert_eq (write_file_atomic (AT_FDCWD, "/nonexistent-dir/x", "d", 1, 0644, 0), -1);
  cr_assert_eq (errno, ENOENT);
  g_unlink (file);
  g_rmdir (sub);
  g_rmdir (dir);
}

Test (fdio, errno_error_names_the_thing_and_the_reason)
{
  g_autoptr (GError) error = NULL;

  cr_assert_not (errno_error (&error, G_FILE_ERROR, G_FILE_ERROR_NOENT, ENOENT, "cannot open %s",
                              "/x/y"));
  cr_assert (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT));
  cr_assert_str_eq (error->message,
                    g_strdup_printf ("cannot open /x/y: %s", g_strerror (ENOENT)));
  cr_assert_not (errno_error (NULL, G_FILE_ERROR, 0, EIO, "ignored"));
}

Test (fdio, gerror_set_formats_and_returns_false)
{
  g_autoptr (GError) error = NULL;

  cr_assert_not (gerror_set (&error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "bad %s=%d", "x", 3));
  cr_assert (g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_INVAL));
  cr_assert_str_eq (error->message, "bad x=3");
  cr_assert_not (gerror_set (NULL, G_FILE_ERROR, 0, "ignored"));
}
