/* SPDX-License-Identifier: Apache-2.0 */
/* podman's name rule for containers, pods, volumes and networks. */
#include <criterion/criterion.h>
#include <string.h>

#include "names.h"

Test (names, podman_rule)
{
  const char *good[] = { "a", "web", "Web-1", "a_b.c-d", "0", NULL };
  const char *bad[] = { "", "../x", "a/b", ".", "..", "-dash", "_x", "a\nb", "a b", "é", NULL };
  for (const char **g = good; *g; g++)
    cr_expect (name_check ("container", *g, NULL), "%s", *g);
  for (const char **b = bad; *b; b++)
    cr_expect_not (name_check ("container", *b, NULL), "%s", *b);
  cr_expect_not (name_check ("container", NULL, NULL));
}

Test (names, messages_as_podman)
{
  g_autoptr (GError) e1 = NULL, e2 = NULL;
  g_autofree char *longname = g_strnfill (NAME_MAX_LEN + 1, 'a');
  g_autofree char *maxname = g_strnfill (NAME_MAX_LEN, 'a');
  cr_assert_not (name_check ("volume", "../x", &e1));
  cr_assert_str_eq (e1->message, "running volume create option: names must match "
                                 "[a-zA-Z0-9][a-zA-Z0-9_.-]*: invalid argument");
  cr_assert (name_check ("container", maxname, NULL));
  cr_assert_not (name_check ("container", longname, &e2));
  cr_assert (strstr (e2->message, "254 characters") != NULL, "%s", e2->message);
}

/* Strings allocated in the reverse of their order: a comparator that
 * compared the element pointers' bytes (what (GCompareFunc) strcmp gives
 * g_ptr_array_sort) sorts them by address instead. */
Test (names, compare_sorts_strings_not_pointers)
{
  const char *want[] = { "10-a.conf", "20-b.conf", "30-c.conf", "histagain", "histimg", "z" };
  g_autoptr (GPtrArray) a = g_ptr_array_new_with_free_func (g_free);
  for (int i = G_N_ELEMENTS (want) - 1; i >= 0; i--)
    g_ptr_array_add (a, g_strdup (want[i]));
  g_ptr_array_sort (a, name_compare);
  for (guint i = 0; i < G_N_ELEMENTS (want); i++)
    cr_expect_str_eq (a->pdata[i], want[i]);
}
