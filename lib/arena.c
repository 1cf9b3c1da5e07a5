/* SPDX-License-Identifier: Apache-2.0 */
#include "arena.h"

#include <string.h>

/* Blocks grow from 4 KiB (a typical unit file fits in one) up to 64 KiB;
 * a request larger than that gets a block of its own. */
#define ARENA_FIRST_BLOCK 4096
#define ARENA_MAX_BLOCK (64 * 1024)
#define ARENA_ALIGN (sizeof (void *) > sizeof (double) ? sizeof (void *) : sizeof (double))

typedef struct _ArenaBlock {
  struct _ArenaBlock *next;
  gsize size, used;
  /* data follows, ARENA_ALIGN-aligned */
} ArenaBlock;

#define BLOCK_HEADER ((sizeof (ArenaBlock) + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1))

struct _Arena {
  ArenaBlock *blocks; /* current block first */
  gsize next_size;
};

Arena *
arena_new (void)
{
  Arena *a = g_new0 (Arena, 1);
  a->next_size = ARENA_FIRST_BLOCK;
  return a;
}

void
arena_free (Arena *a)
{
  if (a == NULL)
    return;
  while (a->blocks != NULL)
    {
      ArenaBlock *next = a->blocks->next;
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
  if (need > a->next_size && a->blocks != NULL)
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
arena_alloc0 (Arena *a, gsize size)
{
  ArenaBlock *b = a->blocks;
  gsize start = b ? (b->used + ARENA_ALIGN - 1) & ~(ARENA_ALIGN - 1) : 0;
  char *p;

  /* Strings leave the fill unaligned; structs start on the next boundary. */
  if (b == NULL || start > b->size || b->size - start < size)
    {
      b = arena_add_block (a, size);
      start = 0;
    }
  p = (char *) b + BLOCK_HEADER + start;
  b->used = start + size;
  memset (p, 0, size);
  return p;
}

char *
arena_strndup (Arena *a, const char *s, gsize n)
{
  ArenaBlock *b = a->blocks;
  char *p;

  /* Strings need no alignment: take exactly n + 1 bytes. */
  if (b == NULL || b->size - b->used < n + 1)
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
