/* SPDX-License-Identifier: Apache-2.0 */
/* The container's user resolved in the image's /etc/passwd and /etc/group
 * (container/user.h): the uid, gid, home and extra groups its process
 * gets, as `id` inside the container would show them. */
#include "container/user.h"

#include <criterion/criterion.h>
#include <glib/gstdio.h>

static char *rootfs;

static void
setup (void)
{
  g_autofree char *etc = NULL, *passwd = NULL, *group = NULL;
  rootfs = g_dir_make_tmp ("podunit-user-XXXXXX", NULL);
  etc = g_build_filename (rootfs, "etc", NULL);
  passwd = g_build_filename (etc, "passwd", NULL);
  group = g_build_filename (etc, "group", NULL);
  cr_assert_eq (g_mkdir (etc, 0755), 0);
  cr_assert (g_file_set_contents (passwd,
                                  "root:x:0:0:root:/root:/bin/sh\n"
                                  "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
                                  "www:x:33:82:web:/var/www:/bin/false\n"
                                  "nohome:x:44:44:::/bin/false\n",
                                  -1, NULL));
  cr_assert (g_file_set_contents (group,
                                  "root:x:0:\n"
                                  "daemon:x:1:\n"
                                  "www-data:x:82:\n"
                                  "wheel:x:10:root\n",
                                  -1, NULL));
}

static void
teardown (void)
{
  g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", rootfs);
  cr_assert_eq (system (cmd), 0);
  g_clear_pointer (&rootfs, g_free);
}

TestSuite (user, .init = setup, .fini = teardown);

static void
assert_user (const char *user, uid_t want_uid, gid_t want_gid, const char *want_home)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *home = NULL;
  uid_t uid = 4242;
  gid_t gid = 4242;
  cr_assert (container_user_resolve (user, rootfs, &uid, &gid, &home, &error), "%s: %s",
             user ? user : "(null)", error ? error->message : "");
  cr_assert_eq (uid, want_uid, "%s: uid %u", user, (unsigned) uid);
  cr_assert_eq (gid, want_gid, "%s: gid %u", user, (unsigned) gid);
  cr_assert_str_eq (home, want_home);
}

Test (user, default_is_root)
{
  assert_user (NULL, 0, 0, "/root");
  assert_user ("", 0, 0, "/root");
}

Test (user, names_and_ids_from_passwd)
{
  assert_user ("www", 33, 82, "/var/www");
  assert_user ("33", 33, 82, "/var/www"); /* an id in passwd gets its group and home */
  assert_user ("nohome", 44, 44, "/");    /* an empty home field is "/" */
}

Test (user, group_by_name_or_id)
{
  assert_user ("www:wheel", 33, 10, "/var/www");
  assert_user ("www:500", 33, 500, "/var/www");
  assert_user ("1000:1000", 1000, 1000, "/");
}

Test (user, unknown_id_is_accepted)
{
  /* A numeric uid needs no passwd entry; its gid is then 0, as podman's
   * (`podman run -u 1000 busybox id`: uid=1000 gid=0(root)). */
  assert_user ("1000", 1000, 0, "/");
}

Test (user, unknown_names_are_errors)
{
  g_autoptr (GError) e1 = NULL, e2 = NULL;
  uid_t uid;
  gid_t gid;
  cr_assert_not (container_user_resolve ("nobody-here", rootfs, &uid, &gid, NULL, &e1));
  cr_assert_str_eq (e1->message,
                    "unable to find user nobody-here: no matching entries in passwd file");
  cr_assert_not (container_user_resolve ("www:nogroup", rootfs, &uid, &gid, NULL, &e2));
  cr_assert_str_eq (e2->message,
                    "unable to find group nogroup: no matching entries in group file");
}

Test (user, no_passwd_file_still_takes_ids)
{
  g_autofree char *empty = g_dir_make_tmp ("podunit-user-empty-XXXXXX", NULL);
  g_autoptr (GError) error = NULL;
  uid_t uid;
  gid_t gid;
  cr_assert (container_user_resolve ("0", empty, &uid, &gid, NULL, NULL));
  cr_assert_eq (uid, 0);
  cr_assert_eq (gid, 0);
  cr_assert_not (container_user_resolve ("root", empty, &uid, &gid, NULL, &error));
  g_rmdir (empty);
}

Test (user, group_add_in_order)
{
  g_autoptr (GArray) groups = g_array_new (FALSE, FALSE, sizeof (gid_t));
  char *add[] = { "wheel", "2000", "www-data", NULL };
  cr_assert (container_user_groups (NULL, 0, add, rootfs, groups, NULL));
  cr_assert_eq (groups->len, 3);
  cr_assert_eq (g_array_index (groups, gid_t, 0), 10);
  cr_assert_eq (g_array_index (groups, gid_t, 1), 2000);
  cr_assert_eq (g_array_index (groups, gid_t, 2), 82);
}

Test (user, a_named_user_keeps_its_group)
{
  /* podman run -u 1000:1000 --group-add 100 busybox id: groups=100,1000 */
  g_autoptr (GArray) groups = g_array_new (FALSE, FALSE, sizeof (gid_t));
  char *add[] = { "100", NULL };
  cr_assert (container_user_groups ("1000:1000", 1000, add, rootfs, groups, NULL));
  cr_assert_eq (groups->len, 2);
  cr_assert_eq (g_array_index (groups, gid_t, 0), 1000);
  cr_assert_eq (g_array_index (groups, gid_t, 1), 100);
  /* No -u and no USER in the image: none (podman: `id` shows no groups). */
  g_autoptr (GArray) none = g_array_new (FALSE, FALSE, sizeof (gid_t));
  cr_assert (container_user_groups ("", 0, NULL, rootfs, none, NULL));
  cr_assert_eq (none->len, 0);
}

Test (user, group_add_errors_name_the_group)
{
  g_autoptr (GArray) groups = g_array_new (FALSE, FALSE, sizeof (gid_t));
  g_autoptr (GError) e1 = NULL, e2 = NULL;
  char *missing[] = { "nogroup", NULL };
  char *keep[] = { "keep-groups", NULL };
  cr_assert_not (container_user_groups (NULL, 0, missing, rootfs, groups, &e1));
  cr_assert_str_eq (e1->message, "--group-add nogroup: no such group in the image");
  cr_assert_not (container_user_groups (NULL, 0, keep, rootfs, groups, &e2));
  cr_assert_str_eq (e2->message, "--group-add keep-groups is not supported");
}
