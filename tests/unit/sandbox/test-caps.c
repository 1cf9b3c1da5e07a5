/* SPDX-License-Identifier: Apache-2.0 */
/* Capability names and podman's --cap-add/--cap-drop arithmetic. Applying
 * the sets needs root and lives in tests/root/test-security.c. */
#include "sandbox/caps.h"

#include <criterion/criterion.h>
#include <linux/capability.h>
#include <sys/prctl.h>

#define BIT(cap) (G_GUINT64_CONSTANT (1) << (cap))

/* What the test process itself may hand out (root here usually lacks a
 * few, e.g. CAP_SYS_RESOURCE in containers). */
static guint64
own_bounding (void)
{
  guint64 mask = 0;
  for (int cap = 0; cap <= caps_last_cap (); cap++)
    if (prctl (PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
      mask |= BIT (cap);
  return mask;
}

Test (caps, default_mask_is_podmans_eleven)
{
  const char *names[]
      = { "CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "NET_BIND_SERVICE",
          "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT" };
  guint64 mask = 0;
  for (gsize i = 0; i < G_N_ELEMENTS (names); i++)
    mask |= BIT (caps_from_name (names[i], NULL));
  cr_assert_eq (mask, CAPS_DEFAULT_MASK);
  g_autofree char *text = caps_format_mask (mask);
  cr_assert_str_eq (text, "00000000800405fb");
}

Test (caps, names_any_case_with_or_without_prefix)
{
  cr_assert_eq (caps_from_name ("NET_ADMIN", NULL), CAP_NET_ADMIN);
  cr_assert_eq (caps_from_name ("net_admin", NULL), CAP_NET_ADMIN);
  cr_assert_eq (caps_from_name ("CAP_NET_ADMIN", NULL), CAP_NET_ADMIN);
  cr_assert_eq (caps_from_name ("Cap_Sys_Admin", NULL), CAP_SYS_ADMIN);
  cr_assert_str_eq (caps_to_name (CAP_SYS_PTRACE), "CAP_SYS_PTRACE");
  cr_assert_null (caps_to_name (64));
}

Test (caps, unknown_name_is_an_error)
{
  g_autoptr (GError) error = NULL;
  cr_assert_eq (caps_from_name ("NET_ADMINN", &error), -1);
  cr_assert_not_null (error);
  cr_assert (g_error_matches (error, CAPS_ERROR, CAPS_ERROR_UNKNOWN));
  cr_assert (strstr (error->message, "NET_ADMINN") != NULL, "%s", error->message);
  /* libcap takes numbers; a podman flag value does not. */
  cr_assert_eq (caps_from_name ("12", NULL), -1);
  cr_assert_eq (caps_from_name ("ALL", NULL), -1);
}

Test (caps, merge_add_and_drop)
{
  const char *add[] = { "NET_ADMIN", NULL };
  const char *drop[] = { "cap_chown,KILL", NULL };
  guint64 out = 0;
  cr_assert (caps_merge (CAPS_DEFAULT_MASK, add, drop, &out, NULL));
  cr_assert_eq (out,
                (CAPS_DEFAULT_MASK | BIT (CAP_NET_ADMIN)) & ~BIT (CAP_CHOWN) & ~BIT (CAP_KILL));
}

Test (caps, merge_drop_all_keeps_only_added)
{
  const char *add[] = { "sys_time", NULL };
  const char *drop[] = { "all", NULL };
  guint64 out = 1;
  cr_assert (caps_merge (CAPS_DEFAULT_MASK, NULL, drop, &out, NULL));
  cr_assert_eq (out, 0);
  cr_assert (caps_merge (CAPS_DEFAULT_MASK, add, drop, &out, NULL));
  cr_assert_eq (out, BIT (CAP_SYS_TIME));
}

Test (caps, merge_add_all_is_our_bounding_set_minus_drops)
{
  const char *add[] = { "ALL", NULL };
  const char *drop[] = { "NET_RAW", NULL };
  guint64 out = 0;
  cr_assert (caps_merge (CAPS_DEFAULT_MASK, add, drop, &out, NULL));
  cr_assert_eq (out, own_bounding () & ~BIT (CAP_NET_RAW));
}

Test (caps, merge_conflicts)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) error2 = NULL;
  const char *add[] = { "NET_ADMIN", NULL };
  const char *drop[] = { "CAP_NET_ADMIN", NULL };
  const char *all[] = { "ALL", NULL };
  guint64 out;
  cr_assert_not (caps_merge (CAPS_DEFAULT_MASK, add, drop, &out, &error));
  cr_assert (g_error_matches (error, CAPS_ERROR, CAPS_ERROR_CONFLICT));
  cr_assert (strstr (error->message, "CAP_NET_ADMIN") != NULL, "%s", error->message);
  cr_assert_not (caps_merge (CAPS_DEFAULT_MASK, all, all, &out, &error2));
  cr_assert (g_error_matches (error2, CAPS_ERROR, CAPS_ERROR_CONFLICT));
}

Test (caps, merge_error_names_the_flag_value)
{
  g_autoptr (GError) error = NULL;
  const char *drop[] = { "CHOWN,BOGUS", NULL };
  guint64 out;
  cr_assert_not (caps_merge (CAPS_DEFAULT_MASK, NULL, drop, &out, &error));
  cr_assert (strstr (error->message, "--cap-drop=CHOWN,BOGUS") != NULL, "%s", error->message);
  cr_assert (strstr (error->message, "BOGUS'") != NULL, "%s", error->message);
}

Test (caps, resolve_root_user)
{
  CapSets sets;
  const char *add[] = { "NET_ADMIN", NULL };
  cr_assert (caps_resolve (NULL, NULL, TRUE, FALSE, &sets, NULL));
  cr_assert_eq (sets.bounding, CAPS_DEFAULT_MASK & own_bounding ());
  cr_assert_eq (sets.effective, sets.bounding);
  cr_assert_eq (sets.permitted, sets.bounding);
  cr_assert_eq (sets.inheritable, 0);
  cr_assert_eq (sets.ambient, 0);
  cr_assert_not (sets.no_new_privs);
  cr_assert (caps_resolve (add, NULL, TRUE, TRUE, &sets, NULL));
  if (own_bounding () & BIT (CAP_NET_ADMIN))
    cr_assert_eq (sets.effective, (CAPS_DEFAULT_MASK | BIT (CAP_NET_ADMIN)) & own_bounding ());
  cr_assert (sets.no_new_privs);
}

Test (caps, resolve_non_root_user_gets_only_added)
{
  CapSets sets;
  const char *add[] = { "NET_BIND_SERVICE", NULL };
  cr_assert (caps_resolve (NULL, NULL, FALSE, FALSE, &sets, NULL));
  cr_assert_eq (sets.bounding, CAPS_DEFAULT_MASK & own_bounding ());
  cr_assert_eq (sets.effective, 0);
  cr_assert_eq (sets.permitted, 0);
  cr_assert_eq (sets.ambient, 0);
  cr_assert (caps_resolve (add, NULL, FALSE, FALSE, &sets, NULL));
  cr_assert_eq (sets.effective, BIT (CAP_NET_BIND_SERVICE) & own_bounding ());
  cr_assert_eq (sets.ambient, sets.effective);
  cr_assert_eq (sets.inheritable, sets.effective);
}
