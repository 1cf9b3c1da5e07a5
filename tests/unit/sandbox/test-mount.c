/* SPDX-License-Identifier: Apache-2.0 */
/* The mount plan's pure parts (sandbox/mount.h): a recorded mount spec
 * read back into what gets mounted, and podman's masked and read-only
 * paths with --security-opt mask=/unmask=. Mounting itself needs root
 * and is checked from inside containers by tests/root/test-run.sh. */
#include "sandbox/mount.h"

#include <criterion/criterion.h>
#include <sys/mount.h>

Test (mount, bind_defaults_are_recursive_nosuid_nodev)
{
  g_autoptr (MountEntry) m = mount_entry_parse ("type=bind,source=/h,destination=/c", NULL);
  cr_assert_not_null (m);
  cr_assert_eq (m->type, MOUNT_BIND);
  cr_assert_str_eq (m->source, "/h");
  cr_assert_str_eq (m->destination, "/c");
  cr_assert (m->recursive);
  cr_assert_not (m->read_only);
  cr_assert_not (m->chown);
  cr_assert_eq (m->flags, MS_NOSUID | MS_NODEV);
  cr_assert_null (m->data);
}

Test (mount, bind_options)
{
  g_autoptr (MountEntry) m = mount_entry_parse (
      "type=bind,source=/h,destination=/c,ro,chown,norbind,noexec,suid,dev", NULL);
  cr_assert (m->read_only);
  cr_assert (m->chown);
  cr_assert_not (m->recursive);
  cr_assert_eq (m->flags, MS_NOEXEC);
}

Test (mount, tmpfs_keeps_size_and_mode)
{
  g_autoptr (MountEntry) m
      = mount_entry_parse ("type=tmpfs,destination=/run,size=65536k,mode=1777,noexec", NULL);
  cr_assert_eq (m->type, MOUNT_TMPFS);
  cr_assert_null (m->source);
  cr_assert_str_eq (m->data, "size=65536k,mode=1777");
  cr_assert_eq (m->flags, MS_NOSUID | MS_NODEV | MS_NOEXEC);
}

Test (mount, invalid_specs_are_named)
{
  const char *bad[] = { "type=bind,destination=/c", "type=bind,source=/h,destination=rel",
                        "type=tmpfs" };
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (MountEntry) m = mount_entry_parse (bad[i], &error);
      cr_assert_null (m, "%s", bad[i]);
      g_autofree char *want = g_strdup_printf ("invalid mount \"%s\"", bad[i]);
      cr_assert_str_eq (error->message, want);
    }
}

static gboolean
has (char **v, const char *s)
{
  return g_strv_contains ((const char *const *) v, s);
}

Test (mount, default_masks_are_podmans)
{
  g_autoptr (MountPlan) p = g_new0 (MountPlan, 1);
  mount_plan_set_masks (p, NULL, NULL);
  cr_assert_eq (g_strv_length (p->masked), g_strv_length ((char **) mount_default_masked_paths));
  cr_assert (has (p->masked, "/proc/kcore"));
  cr_assert (has (p->masked, "/sys/firmware"));
  cr_assert (has (p->readonly, "/proc/sys"));
  cr_assert (has (p->readonly, "/proc/sysrq-trigger"));
}

Test (mount, mask_adds_unmask_removes)
{
  g_autoptr (MountPlan) p = g_new0 (MountPlan, 1);
  char *mask[] = { "/secret", NULL };
  char *unmask[] = { "/proc/kcore", "/proc/sys", NULL };
  mount_plan_set_masks (p, mask, unmask);
  cr_assert (has (p->masked, "/secret"));
  cr_assert_not (has (p->masked, "/proc/kcore"));
  cr_assert (has (p->masked, "/proc/keys"));
  /* podman: unmask also lifts the default read-only paths. */
  cr_assert_not (has (p->readonly, "/proc/sys"));
  cr_assert (has (p->readonly, "/proc/bus"));
}

Test (mount, unmask_all)
{
  g_autoptr (MountPlan) p = g_new0 (MountPlan, 1);
  char *mask[] = { "/secret", NULL };
  char *unmask[] = { "ALL", NULL };
  mount_plan_set_masks (p, mask, unmask);
  cr_assert_eq (g_strv_length (p->masked), 1);
  cr_assert_str_eq (p->masked[0], "/secret");
  cr_assert_eq (g_strv_length (p->readonly), 0);
}
