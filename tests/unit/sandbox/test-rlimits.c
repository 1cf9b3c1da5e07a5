/* SPDX-License-Identifier: Apache-2.0 */
/* Resource limits (sandbox/spawn.h: rlimits_resolve) as podman sets them:
 * nofile and nproc 1048576 by default; root raises them whatever the
 * caller's own limits are (podman's 030 "can use maximum ulimit value" and
 * "ulimits have the correct default values"); without CAP_SYS_RESOURCE
 * every value is clamped to the caller's hard limit instead of failing. */
#include "sandbox/spawn.h"

#include <criterion/criterion.h>
#include <sys/resource.h>

static struct rlimit
limit_of (GArray *a, int resource)
{
  for (guint i = 0; i < a->len; i++)
    if (g_array_index (a, SpawnRlimit, i).resource == resource)
      return g_array_index (a, SpawnRlimit, i).limit;
  cr_assert_fail ("resource %d not set", resource);
  return (struct rlimit){ 0 };
}

static rlim_t
nr_open (void)
{
  g_autofree char *text = NULL;
  cr_assert (g_file_get_contents ("/proc/sys/fs/nr_open", &text, NULL, NULL));
  return g_ascii_strtoull (text, NULL, 10);
}

Test (rlimits, root_gets_podmans_defaults_whatever_its_own_limits)
{
  g_autoptr (GArray) a = rlimits_resolve (NULL, TRUE, NULL);
  rlim_t nofile = MIN (1048576, nr_open ());
  cr_assert_not_null (a);
  cr_assert_eq (limit_of (a, RLIMIT_NOFILE).rlim_cur, nofile);
  cr_assert_eq (limit_of (a, RLIMIT_NOFILE).rlim_max, nofile);
  cr_assert_eq (limit_of (a, RLIMIT_NPROC).rlim_cur, 1048576);
  cr_assert_eq (limit_of (a, RLIMIT_NPROC).rlim_max, 1048576);
}

Test (rlimits, without_cap_sys_resource_clamped_to_the_callers_hard_limit)
{
  struct rlimit own;
  g_autoptr (GArray) a = NULL;
  cr_assert_eq (getrlimit (RLIMIT_NOFILE, &own), 0);
  a = rlimits_resolve (NULL, FALSE, NULL);
  cr_assert_eq (limit_of (a, RLIMIT_NOFILE).rlim_max, MIN (own.rlim_max, 1048576));
}

Test (rlimits, the_callers_maximum_is_usable)
{
  struct rlimit own;
  g_autofree char *u = NULL;
  char *ulimits[2] = { NULL, NULL };
  g_autoptr (GArray) a = NULL;
  cr_assert_eq (getrlimit (RLIMIT_NOFILE, &own), 0);
  u = g_strdup_printf ("nofile=%llu:%llu", (unsigned long long) own.rlim_max,
                       (unsigned long long) own.rlim_max);
  ulimits[0] = u;
  a = rlimits_resolve (ulimits, FALSE, NULL);
  cr_assert_eq (limit_of (a, RLIMIT_NOFILE).rlim_cur, own.rlim_max);
  cr_assert_eq (limit_of (a, RLIMIT_NOFILE).rlim_max, own.rlim_max);
}
