/* SPDX-License-Identifier: Apache-2.0 */
#include "arena.h"

#include <string.h>
#include <sys/mman.h>

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
  ArenaBlock *spare;  /* emptied blocks of an earlier use, smallest first */
  gsize next_size;
  gint refs;
  gboolean in_region; /* this allocation is in the reserved region, not malloc's */
  Arena *next_free;   /* in a thread's cache of emptied arenas */
};

/* The region of arena_reserve_region(), handed out by an atomic bump. */
static char *region;
static gsize region_size, region_used;

#define ARENA_HEADER ALIGN_UP (sizeof (Arena))

static ArenaBlock *
first_block (Arena *a)
{
  return (ArenaBlock *) ((char *) a + ARENA_HEADER);
}

/* Arenas freed in a thread are emptied and kept (up to ARENA_CACHE, with
 * their blocks) for its next arena_new(): a generator thread builds and
 * drops a few per unit, and reusing them saves a malloc and free of
 * every block, which are too large for malloc's own per-thread caches. */
#define ARENA_CACHE 8
#define ARENA_CACHE_MAX_BLOCK ARENA_MAX_BLOCK

typedef struct {
  Arena *first;
  guint n;
} ArenaCache;

static void destroy (Arena *a);

static void
cache_free (gpointer p)
{
  ArenaCache *c = p;
  while (c->first != NULL)
    {
      Arena *a = c->first;
      c->first = a->next_free;
      destroy (a);
    }
  g_free (c);
}

static GPrivate cache_key = G_PRIVATE_INIT (cache_free);

static ArenaCache *
thread_cache (void)
{
  ArenaCache *c = g_private_get (&cache_key);
  if (c == NULL)
    {
      c = g_new0 (ArenaCache, 1);
      g_private_set (&cache_key, c);
    }
  return c;
}

static void
reset (Arena *a)
{
  ArenaBlock *b = first_block (a);

  b->next = NULL;
  b->used = 0;
  a->blocks = b;
  a->next_size = ARENA_FIRST_BLOCK * 2;
  a->refs = 1;
  a->next_free = NULL;
}

Arena *
arena_new (void)
{
  ArenaCache *c = thread_cache ();
  Arena *a = c->first;

  if (a != NULL)
    {
      c->first = a->next_free;
      c->n--;
      a->next_free = NULL;
      return a;
    }
  a = g_malloc (ARENA_HEADER + BLOCK_HEADER + ARENA_FIRST_BLOCK);
  first_block (a)->size = ARENA_FIRST_BLOCK;
  a->spare = NULL;
  a->in_region = FALSE;
  reset (a);
  return a;
}

#define HUGE_PAGE (2 << 20)

void
arena_reserve_region (gsize size)
{
  gsize map_size;
  char *p;

  if (region != NULL || size == 0)
    return;
  size = (size + HUGE_PAGE - 1) & ~(gsize) (HUGE_PAGE - 1);
  map_size = size + HUGE_PAGE; /* room to align it */
  p = mmap (NULL, map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
            -1, 0);
  if (p == MAP_FAILED)
    return;
  p = (char *) (((guintptr) p + HUGE_PAGE - 1) & ~(guintptr) (HUGE_PAGE - 1));
#ifdef MADV_HUGEPAGE
  (void) madvise (p, size, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages */
#endif
  region_size = size;
  region = p;
}

/* @size bytes of the region, or NULL when it is used up (or absent). */
static gpointer
region_take (gsize size)
{
  gsize start;

  if (region == NULL)
    return NULL;
  start = (gsize) g_atomic_pointer_add (&region_used, (gssize) size);
  if (start + size > region_size)
    return NULL;
  return region + start;
}

Arena *
arena_new_sized (gsize size)
{
  Arena *a;

  size = ALIGN_UP (MAX (size, 64));
  if (size >= ARENA_FIRST_BLOCK)
    return arena_new ();
  /* Not from (nor, when freed, into) the cache, which holds standard ones. */
  a = region_take (ARENA_HEADER + BLOCK_HEADER + size);
  if (a != NULL)
    a->in_region = TRUE;
  else
    {
      a = g_malloc (ARENA_HEADER + BLOCK_HEADER + size);
      a->in_region = FALSE;
    }
  first_block (a)->size = size;
  a->spare = NULL;
  reset (a);
  a->next_size = ARENA_FIRST_BLOCK;
  return a;
}

Arena *
arena_ref (Arena *a)
{
  g_atomic_int_inc (&a->refs);
  return a;
}

static void
free_blocks (ArenaBlock *b, ArenaBlock *keep)
{
  while (b != NULL)
    {
      ArenaBlock *next = b->next;
      if (b != keep)
        g_free (b);
      b = next;
    }
}

static void
destroy (Arena *a)
{
  free_blocks (a->blocks, first_block (a));
  free_blocks (a->spare, NULL);
  if (!a->in_region)
    g_free (a); /* the region's memory stays with it */
}

void
arena_free (Arena *a)
{
  ArenaCache *c;
  ArenaBlock *spare = NULL;

  if (a == NULL || !g_atomic_int_dec_and_test (&a->refs))
    return;
  c = thread_cache ();
  if (c->n >= ARENA_CACHE || first_block (a)->size != ARENA_FIRST_BLOCK)
    {
      destroy (a);
      return;
    }
  /* Blocks of the usual sizes become spares (the current one, the
   * largest, first in the list, so they end up smallest first). */
  for (ArenaBlock *b = a->blocks, *next; b != NULL; b = next)
    {
      next = b->next;
      if (b == first_block (a))
        continue;
      if (b->size > ARENA_CACHE_MAX_BLOCK)
        {
          g_free (b);
          continue;
        }
      b->used = 0;
      b->next = spare;
      spare = b;
    }
  /* Older spares (not used this time) are larger still: after these. */
  if (spare != NULL)
    {
      ArenaBlock *last = spare;
      while (last->next != NULL)
        last = last->next;
      last->next = a->spare;
      a->spare = spare;
    }
  reset (a);
  a->next_free = c->first;
  c->first = a;
  c->n++;
}

static ArenaBlock *
arena_add_block (Arena *a, gsize need)
{
  gsize size = MAX (a->next_size, need);
  ArenaBlock *b;

  if (a->spare != NULL && a->spare->size >= size)
    {
      b = a->spare;
      a->spare = b->next;
    }
  else
    {
      b = g_malloc (BLOCK_HEADER + size);
      b->size = size;
    }
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

gsize
arena_used (Arena *a)
{
  gsize n = 0;
  for (ArenaBlock *b = a->blocks; b != NULL; b = b->next)
    n += b->used;
  return n;
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
