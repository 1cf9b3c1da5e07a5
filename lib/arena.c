/* SPDX-License-Identifier: Apache-2.0 */
#include "arena.h"

#include <string.h>

/* The arena and its first block are one allocation; blocks then grow up to
 * 64 KiB, and a request larger than that gets a block of its own. */
#define ARENA_FIRST_BLOCK 4096
#define ARENA_MAX_BLOCK (64 * 1024)
#define ARENA_ALIGN (sizeof (void *) > sizeof (double) ? sizeof (void *) : sizeof (double))
#define ALIGN_UP(n) (((n) + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1))

typedef struct _ArenaBlock {
  struct _ArenaBlock *next;
  gsize size, used;
  /* data follows, ARENA_ALIGN-aligned */
} ArenaBlock;

#define BLOCK_HEADER ALIGN_UP (sizeof (ArenaBlock))

struct _Arena {
  ArenaBlock *blocks; /* current block first; the first one is inside this allocation */
  gsize next_size;
  gint refs;
};

#define ARENA_HEADER ALIGN_UP (sizeof (Arena))

static ArenaBlock *
first_block (Arena *a)
{
  return (ArenaBlock *) ((char *) a + ARENA_HEADER);
}

Arena *
arena_new (void)
{
  Arena *a = g_malloc (ARENA_HEADER + BLOCK_HEADER + ARENA_FIRST_BLOCK);
  ArenaBlock *b = first_block (a);

  b->next = NULL;
  b->size = ARENA_FIRST_BLOCK;
  b->used = 0;
  a->blocks = b;
  a->next_size = ARENA_FIRST_BLOCK * 2;
  a->refs = 1;
  return a;
}

Arena *
arena_ref (Arena *a)
{
  g_atomic_int_inc (&a->refs);
  return a;
}

void
arena_free (Arena *a)
{
  if (a == NULL || !g_atomic_int_dec_and_test (&a->refs))
    return;
  while (a->blocks != NULL)
    {
      ArenaBlock *next = a->blocks->next;
      if (a->blocks != first_block (a))
        g_free (a->blocks);
      a->blocks = next;
    }
  g_free (a);
}

static ArenaBlock *
arena_add_block (Arena *a, gsize need)
{
  gsize size = MAX (a->next_size, need);
  ArenaBlock *b = g_malloc (BLOCK_HEADER + size);

  b->size = size;
  b->used = 0;
  if (need > a->next_size)
    {
      /* An oversized request: keep filling the current block afterwards. */
      b->next = a->blocks->next;
      a->blocks->next = b;
      return b;
    }
  b->next = a->blocks;
  a->blocks = b;
  a->next_size = MIN (a->next_size * 2, ARENA_MAX_BLOCK);
  return b;
}

gpointer
arena_alloc (Arena *a, gsize size)
{
  ArenaBlock *b = a->blocks;
  gsize start = ALIGN_UP (b->used);
  char *p;

  /* Strings leave the fill unaligned; structs start on the next boundary. */
  if (start > b->size || b->size - start < size)
    {
      b = arena_add_block (a, size);
      start = 0;
    }
  p = (char *) b + BLOCK_HEADER + start;
  b->used = start + size;
  return p;
}

gpointer
arena_alloc0 (Arena *a, gsize size)
{
  return memset (arena_alloc (a, size), 0, size);
}

char *
arena_strndup (Arena *a, const char *s, gsize n)
{
  ArenaBlock *b = a->blocks;
  char *p;

  /* Strings need no alignment: take exactly n + 1 bytes. */
  if (b->size - b->used < n + 1)
    b = arena_add_block (a, n + 1);
  p = (char *) b + BLOCK_HEADER + b->used;
  b->used += n + 1;
  memcpy (p, s, n);
  p[n] = '\0';
  return p;
}

char *
arena_strdup (Arena *a, const char *s)
{
  return s ? arena_strndup (a, s, strlen (s)) : NULL;
}
