/* SPDX-License-Identifier: Apache-2.0 */
/* userns.c: --userns parsing, /etc/subuid ranges and the maps a container
 * gets, rootful and inside the rootless namespace. */
#include <criterion/criterion.h>
#include <glib/gstdio.h>

#include "sandbox/userns.h"

static char *
write_tmp (const char *text)
{
  char *path = g_strdup ("/tmp/rootless-subid-XXXXXX");
  int fd = g_mkstemp (path);
  cr_assert (fd >= 0);
  cr_assert (write (fd, text, strlen (text)) == (ssize_t) strlen (text));
  close (fd);
  return path;
}

static char *
resolve_text (const char *userns, char **uidmaps, const char *subuidname, const UsernsHost *h,
              char **gid_text, gint64 *uid, GError **error)
{
  g_auto (UsernsMode) m;
  g_autoptr (GArray) u = NULL;
  g_autoptr (GArray) g = NULL;
  gint64 gid = -1;
  if (!userns_mode_parse (userns, &m, error))
    return NULL;
  for (char **p = uidmaps; p && *p; p++)
    {
      if (!m.uidmap)
        m.uidmap = g_array_new (FALSE, FALSE, sizeof (IdMapping));
      if (!userns_mapping_parse (*p, "--uidmap", m.uidmap, error))
        return NULL;
    }
  if (!userns_resolve (&m, subuidname, NULL, h, &u, &g, uid, &gid, error))
    return NULL;
  if (gid_text)
    *gid_text = g ? userns_map_text (g) : NULL;
  return u ? userns_map_text (u) : g_strdup ("none");
}

static const UsernsHost rootless = { .rootless = TRUE, .user_uid = 1000, .user_gid = 1000,
                                     .ns_uids = 65537, .ns_gids = 65537 };

Test (userns, parse_modes)
{
  g_auto (UsernsMode) m;
  g_autoptr (GError) e = NULL;
  cr_assert (userns_mode_parse ("keep-id:uid=200,gid=210", &m, NULL));
  cr_assert_eq (m.kind, USERNS_KEEP_ID);
  cr_assert_eq (m.uid, 200);
  cr_assert_eq (m.gid, 210);
  userns_mode_clear (&m);
  /* Quadlet's RemapUsers=auto with maps and a size, as emitted. */
  cr_assert (userns_mode_parse ("auto:uidmapping=0:10000:10,uidmapping=10:20000:10,"
                                "gidmapping=0:10000:10,gidmapping=10:20000:10,size=20",
                                &m, NULL));
  cr_assert_eq (m.kind, USERNS_AUTO);
  cr_assert_eq (m.size, 20);
  cr_assert_eq (m.uidmap->len, 2);
  cr_assert_eq (m.gidmap->len, 2);
  userns_mode_clear (&m);
  cr_assert (userns_mode_parse ("ns:/proc/1/ns/user", &m, NULL));
  cr_assert_str_eq (m.path, "/proc/1/ns/user");
  userns_mode_clear (&m);
  cr_assert_not (userns_mode_parse ("keep-idd", &m, &e));
  cr_assert (strstr (e->message, "keep-idd"), "%s", e->message);
  g_clear_error (&e);
  cr_assert_not (userns_mode_parse ("keep-id:uid=x", &m, &e));
  cr_assert (strstr (e->message, "uid must be a number"), "%s", e->message);
  g_clear_error (&e);
  cr_assert_not (userns_mode_parse ("host:size=3", &m, &e));
  cr_assert (strstr (e->message, "takes no options"), "%s", e->message);
}

Test (userns, mapping_parse)
{
  g_autoptr (GArray) a = g_array_new (FALSE, FALSE, sizeof (IdMapping));
  g_autoptr (GError) e = NULL;
  cr_assert (userns_mapping_parse ("0:100000:65536", "--uidmap", a, NULL));
  cr_assert_eq (g_array_index (a, IdMapping, 0).host, 100000);
  cr_assert_not (userns_mapping_parse ("0:100000", "--uidmap", a, &e));
  cr_assert (strstr (e->message, "--uidmap 0:100000: expected CONTAINER_ID:HOST_ID:SIZE"), "%s",
             e->message);
  g_clear_error (&e);
  cr_assert_not (userns_mapping_parse ("0:1:0", "--gidmap", a, &e));
  cr_assert (strstr (e->message, "empty"), "%s", e->message);
}

Test (userns, subid_ranges)
{
  g_autofree char *f = write_tmp ("# comment\nalice:100000:65536\n1001:200000:1000\n"
                                  "bob:300000:10\nalice:400000:5\nbroken\n");
  g_autoptr (GArray) a = userns_subid_ranges (f, "alice", 1000, 1000, NULL);
  g_autoptr (GArray) b = userns_subid_ranges (f, "carol", 1001, 1001, NULL);
  g_autoptr (GArray) none = userns_subid_ranges (f, "dave", 1002, 1002, NULL);
  g_autoptr (GArray) missing = userns_subid_ranges ("/nonexistent", "x", 1, 1, NULL);
  cr_assert_eq (a->len, 2);
  cr_assert_eq (g_array_index (a, IdMapping, 1).host, 400000);
  cr_assert_eq (b->len, 1, "numeric uid lines match");
  cr_assert_eq (g_array_index (b, IdMapping, 0).size, 1000);
  cr_assert_eq (none->len, 0);
  cr_assert_eq (missing->len, 0);
  g_unlink (f);
}

Test (userns, subid_refuses_own_id_and_size_one)
{
  g_autofree char *f = write_tmp ("eve:1000:65536\nmallory:500000:1\n");
  g_autoptr (GError) e = NULL;
  cr_assert_null (userns_subid_ranges (f, "eve", 1000, 1000, &e));
  cr_assert (strstr (e->message, ":1: the range 1000:65536 of eve holds the user's own id 1000"),
             "%s", e->message);
  g_clear_error (&e);
  cr_assert_null (userns_subid_ranges (f, "mallory", 1001, 1001, &e));
  cr_assert (strstr (e->message, ":2: the range 500000:1 of mallory has 1 id;"), "%s", e->message);
  g_unlink (f);
}

Test (userns, rootful_uidmap_and_default)
{
  UsernsHost root = { .rootless = FALSE };
  char *maps[] = { "0:100000:1000", "1000:200000:10", NULL };
  g_autofree char *gt = NULL;
  gint64 uid = -1;
  g_autofree char *t = resolve_text (NULL, maps, NULL, &root, &gt, &uid, NULL);
  cr_assert_str_eq (t, "0 100000 1000\n1000 200000 10\n");
  cr_assert_str_eq (gt, "0 100000 1000\n1000 200000 10\n", "the gid map follows the uid map");
  g_autofree char *none = resolve_text (NULL, NULL, NULL, &root, NULL, &uid, NULL);
  cr_assert_str_eq (none, "none");
  g_autofree char *host = resolve_text ("host", NULL, NULL, &root, NULL, &uid, NULL);
  cr_assert_str_eq (host, "none");
  cr_assert_eq (uid, -1);
}

Test (userns, rootful_subuidname_and_auto)
{
  g_autofree char *f = write_tmp ("utest:300000:70000\ncontainers:500000:100000\n");
  UsernsHost root = { .rootless = FALSE, .subuid_file = f, .subgid_file = f };
  gint64 uid = -1;
  g_autoptr (GError) e = NULL;
  g_autofree char *t = resolve_text (NULL, NULL, "utest", &root, NULL, &uid, NULL);
  cr_assert_str_eq (t, "0 300000 70000\n");
  g_autofree char *a = resolve_text ("auto:size=20", NULL, NULL, &root, NULL, &uid, NULL);
  cr_assert_str_eq (a, "0 500000 20\n");
  g_autofree char *bad = resolve_text (NULL, NULL, "nobody-here", &root, NULL, &uid, &e);
  cr_assert_null (bad);
  cr_assert (strstr (e->message, "no range for \"nobody-here\""), "%s", e->message);
  g_clear_error (&e);
  g_autofree char *k = resolve_text ("keep-id", NULL, NULL, &root, NULL, &uid, &e);
  cr_assert_null (k);
  cr_assert (strstr (e->message, "only supported in rootless mode"), "%s", e->message);
  g_unlink (f);
}

/* root's --userns=auto: each container the first window of the
 * "containers" ranges that no running one has, across range boundaries. */
Test (userns, rootful_auto_leaves_running_containers_out)
{
  g_autofree char *f = write_tmp ("containers:500000:100\ncontainers:900000:50\n");
  UsernsHost root = { .rootless = FALSE, .subuid_file = f, .subgid_file = f };
  IdMapping used[] = { { 0, 500000, 20 }, { 0, 500030, 10 }, { 0, 900010, 5 } };
  gint64 uid = -1;
  g_autoptr (GError) e = NULL;
  root.used_uids = g_array_new (FALSE, FALSE, sizeof (IdMapping));
  root.used_gids = g_array_new (FALSE, FALSE, sizeof (IdMapping));
  g_array_append_vals (root.used_uids, used, 3);
  g_array_append_vals (root.used_gids, used, 1);
  g_autofree char *gt = NULL;
  /* 500020..500029 is free: the first fit after a used range */
  g_autofree char *a = resolve_text ("auto:size=10", NULL, NULL, &root, &gt, &uid, NULL);
  cr_assert_str_eq (a, "0 500020 10\n");
  cr_assert_str_eq (gt, "0 500020 10\n");
  g_free (gt);
  gt = NULL;
  /* 60 ids: 500040..500099 */
  g_autofree char *b = resolve_text ("auto:size=60", NULL, NULL, &root, &gt, &uid, NULL);
  cr_assert_str_eq (b, "0 500040 60\n");
  g_free (gt);
  gt = NULL;
  /* 70 ids: the 60 after the used ones, on into the second range, whose
   * first 10 are free (it is used from 900010) */
  g_autofree char *d = resolve_text ("auto:size=70", NULL, NULL, &root, &gt, &uid, NULL);
  cr_assert_str_eq (d, "0 500040 60\n60 900000 10\n");
  g_free (gt);
  gt = NULL;
  g_autofree char *full = resolve_text ("auto:size=140", NULL, NULL, &root, &gt, &uid, &e);
  cr_assert_null (full);
  cr_assert (strstr (e->message, "no 140 ids of the \"containers\" ranges"), "%s", e->message);
  userns_host_clear (&root);
  g_unlink (f);
}

Test (userns, rootless_keep_id)
{
  gint64 uid = -1;
  g_autofree char *gt = NULL;
  /* podman's layout: the user's uid is the namespace's 0, the rest in order. */
  g_autofree char *t = resolve_text ("keep-id", NULL, NULL, &rootless, &gt, &uid, NULL);
  cr_assert_str_eq (t, "1000 0 1\n0 1 1000\n1001 1001 64536\n");
  cr_assert_eq (uid, 1000);
  g_autofree char *t2 = resolve_text ("keep-id:uid=200,gid=210", NULL, NULL, &rootless, &gt,
                                      &uid, NULL);
  cr_assert_str_eq (t2, "200 0 1\n0 1 200\n201 201 65336\n");
  cr_assert_eq (uid, 200);
  g_free (gt);
  gt = NULL;
  g_autofree char *nm = resolve_text ("nomap", NULL, NULL, &rootless, &gt, &uid, NULL);
  cr_assert_str_eq (nm, "0 1 65536\n");
}

Test (userns, rootless_default_and_limits)
{
  gint64 uid = -1;
  g_autoptr (GError) e = NULL;
  char *ok[] = { "0:1:65536", NULL };
  char *too_far[] = { "0:1:70000", NULL };
  g_autofree char *d = resolve_text (NULL, NULL, NULL, &rootless, NULL, &uid, NULL);
  cr_assert_str_eq (d, "none", "rootless: the container runs in the rootless namespace");
  g_autofree char *m = resolve_text (NULL, ok, NULL, &rootless, NULL, &uid, NULL);
  cr_assert_str_eq (m, "0 1 65536\n");
  g_autofree char *bad = resolve_text (NULL, too_far, NULL, &rootless, NULL, &uid, &e);
  cr_assert_null (bad);
  cr_assert (strstr (e->message, "--uidmap 0:1:70000 maps ids the rootless namespace does not "
                                 "have (it has 0-65536"),
             "%s", e->message);
  g_clear_error (&e);
  UsernsHost single = rootless;
  single.ns_uids = single.ns_gids = 1;
  g_autofree char *nomap = resolve_text ("nomap", NULL, NULL, &single, NULL, &uid, &e);
  cr_assert_null (nomap);
  cr_assert (strstr (e->message, "needs a range in /etc/subuid"), "%s", e->message);
}

Test (userns, rootless_split_at_namespace_lines)
{
  /* A user with two subordinate ranges: the namespace's map has three
   * lines, and a container's line may not cross from one to the next. */
  UsernsHost h = rootless;
  gint64 uid = -1;
  g_autoptr (GArray) lines = g_array_new (FALSE, FALSE, sizeof (IdMapping));
  IdMapping l[] = { { 0, 1000, 1 }, { 1, 100000, 65536 }, { 65537, 200000, 65536 } };
  g_array_append_vals (lines, l, 3);
  h.ns_uids = h.ns_gids = 131073;
  h.ns_uid_lines = h.ns_gid_lines = lines;
  g_autofree char *t = resolve_text ("keep-id", NULL, NULL, &h, NULL, &uid, NULL);
  cr_assert_str_eq (t, "1000 0 1\n0 1 1000\n1001 1001 64536\n65537 65537 65536\n");
}
