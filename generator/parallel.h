/* SPDX-License-Identifier: Apache-2.0 */
/* Runs independent work items in a few threads. A boot waits for the
 * generator, and most of its time goes to reading, converting and writing
 * files one by one: on a machine with two cores, two threads halve it. */
#pragma once

#include <glib.h>

#define PARALLEL_MAX_THREADS 4

/* Work on item @item, in thread @thread (0 is the calling thread). */
typedef void (*ParallelFunc) (gpointer data, guint thread, guint item);

/* How many threads parallel_for() uses for @n_items items: one per core,
 * at most PARALLEL_MAX_THREADS, and only as many as have a few dozen
 * items each (a thread costs more than converting a file). */
guint parallel_threads_for (guint n_items);

/* Calls @func once for each item in [@first, @end), in up to @n_threads threads
 * (the calling thread is one of them), and returns when all are done. The
 * items are handed out in order, one at a time. */
void parallel_for (guint first, guint end, guint n_threads, ParallelFunc func, gpointer data);
