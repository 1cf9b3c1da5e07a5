/* SPDX-License-Identifier: Apache-2.0 */
/* A bump allocator: many small allocations that all die together, freed
 * in one go. A parsed unit file keeps its lines and strings in one, so
 * parsing, copying and freeing a file costs a few block allocations
 * instead of several mallocs per line. */
#pragma once

#include <glib.h>

typedef struct _Arena Arena;

Arena *arena_new (void);
/* An arena whose first block holds @size bytes, for contents of a known
 * size (a parsed file): less memory than a standard first block. */
Arena *arena_new_sized (gsize size);
/* From now on arena_new_sized() takes its first blocks from one region of
 * @size bytes, reserved now (huge pages where the kernel offers them: a
 * program that keeps many parsed files takes fewer page faults), until it
 * is used up. The region is never given back; once per process. */
void arena_reserve_region (gsize size);
/* Drops a reference; the memory goes with the last one. */
void arena_free (Arena *a);
/* Another reference (atomic), for a copy that keeps pointing at @a's strings. */
Arena *arena_ref (Arena *a);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Arena, arena_free)

/* @size zeroed bytes, aligned for any type; valid until arena_free(). */
gpointer arena_alloc0 (Arena *a, gsize size);
/* The same, not zeroed. */
gpointer arena_alloc (Arena *a, gsize size);
#define arena_new0(a, type) ((type *) arena_alloc0 ((a), sizeof (type)))
/* How many bytes the allocations so far take (an upper bound on the
 * length of any string in the arena). */
gsize arena_used (Arena *a);
/* Copies of strings (@s may be NULL for arena_strdup). */
char *arena_strndup (Arena *a, const char *s, gsize n);
char *arena_strdup (Arena *a, const char *s);
