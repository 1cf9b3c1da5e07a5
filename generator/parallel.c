/* SPDX-License-Identifier: Apache-2.0 */
#include "parallel.h"

#include <malloc.h>

/* Below this many items per thread, another thread does not pay off. */
#define PARALLEL_MIN_ITEMS 32

typedef struct {
  ParallelFunc func;
  gpointer data;
  guint end;
  gint next; /* atomic: the next item to take */
} Work;

typedef struct {
  Work *work;
  guint thread;
} Worker;

/* glibc gives each thread its own malloc arena and grows it one page per
 * mprotect() as it fills; a generator run needs a few MiB per thread. One
 * block of that size, allocated and freed when the thread starts, grows it
 * in one step, and the trim threshold keeps it from being given back. */
#define PARALLEL_THREAD_HEAP (8 << 20)

static void
reserve_heap (void)
{
  g_free (g_malloc (PARALLEL_THREAD_HEAP));
}

static gpointer
run_worker (gpointer p)
{
  Worker *w = p;
  if (w->thread > 0)
    reserve_heap ();
  for (;;)
    {
      guint item = (guint) g_atomic_int_add (&w->work->next, 1);
      if (item >= w->work->end)
        return NULL;
      w->work->func (w->work->data, w->thread, item);
    }
}

guint
parallel_threads_for (guint n_items)
{
  guint n = MIN ((guint) g_get_num_processors (), n_items / PARALLEL_MIN_ITEMS + 1);
  return CLAMP (n, 1, PARALLEL_MAX_THREADS);
}

static gsize malloc_tuned;

void
parallel_for (guint first, guint end, guint n_threads, ParallelFunc func, gpointer data)
{
  Work work = { func, data, end, (gint) first };
  Worker workers[PARALLEL_MAX_THREADS];
  GThread *threads[PARALLEL_MAX_THREADS];

  n_threads = CLAMP (n_threads, 1, PARALLEL_MAX_THREADS);
  if (n_threads > 1 && g_once_init_enter (&malloc_tuned))
    {
      mallopt (M_MMAP_THRESHOLD, PARALLEL_THREAD_HEAP * 2);
      mallopt (M_TRIM_THRESHOLD, PARALLEL_THREAD_HEAP * 4);
      g_once_init_leave (&malloc_tuned, 1);
    }
  for (guint t = 0; t < n_threads; t++)
    workers[t] = (Worker){ &work, t };
  for (guint t = 1; t < n_threads; t++)
    {
      /* Fewer threads (down to this one) when the system has no more. */
      threads[t] = g_thread_try_new ("podunit-gen", run_worker, &workers[t], NULL);
      if (threads[t] == NULL)
        n_threads = t;
    }
  run_worker (&workers[0]);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
}
