/* SPDX-License-Identifier: Apache-2.0 */
#include <criterion/criterion.h>
#include "arena.h"

#include <stdint.h>
#include <string.h>

/* Strings and structs mixed, past several blocks: every allocation keeps
 * its contents, structs stay aligned, and zeroed memory is zero. */
Test (arena, allocations_keep_contents_and_alignment)
{
  g_autoptr (Arena) a = arena_new ();
  g_autoptr (GPtrArray) strings = g_ptr_array_new ();
  g_autoptr (GPtrArray) numbers = g_ptr_array_new ();

  for (int i = 0; i < 5000; i++)
    {
      g_autofree char *s = g_strdup_printf ("value-%d%s", i, i % 7 ? "" : "-longer-string-here");
      guint64 *n = arena_new0 (a, guint64);

      cr_assert_eq ((uintptr_t) n % G_ALIGNOF (guint64), 0, "struct %d misaligned", i);
      cr_assert_eq (*n, 0);
      *n = (guint64) i * 3;
      g_ptr_array_add (strings, arena_strdup (a, s));
      g_ptr_array_add (numbers, n);
    }
  for (int i = 0; i < 5000; i++)
    {
      g_autofree char *s = g_strdup_printf ("value-%d%s", i, i % 7 ? "" : "-longer-string-here");
      cr_assert_str_eq (strings->pdata[i], s);
      cr_assert_eq (*(guint64 *) numbers->pdata[i], (guint64) i * 3);
    }
}

/* A request larger than a block gets a block of its own; allocations after
 * it still work. */
Test (arena, large_allocations)
{
  g_autoptr (Arena) a = arena_new ();
  char *small = arena_strdup (a, "before");
  char *big = arena_alloc0 (a, 1 << 20);
  char *after = arena_strndup (a, "after-and-more", 5);

  memset (big, 'x', 1 << 20);
  cr_assert_str_eq (small, "before");
  cr_assert_str_eq (after, "after");
  cr_assert_null (arena_strdup (a, NULL));
}
