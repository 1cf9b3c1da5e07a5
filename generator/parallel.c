/* SPDX-License-Identifier: Apache-2.0 */
#include "parallel.h"

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

static gpointer
run_worker (gpointer p)
{
  Worker *w = p;
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

void
parallel_for (guint first, guint end, guint n_threads, ParallelFunc func, gpointer data)
{
  Work work = { func, data, end, (gint) first };
  Worker workers[PARALLEL_MAX_THREADS];
  GThread *threads[PARALLEL_MAX_THREADS];

  n_threads = CLAMP (n_threads, 1, PARALLEL_MAX_THREADS);
  for (guint t = 0; t < n_threads; t++)
    workers[t] = (Worker){ &work, t };
  for (guint t = 1; t < n_threads; t++)
    threads[t] = g_thread_new ("podunit-gen", run_worker, &workers[t]);
  run_worker (&workers[0]);
  for (guint t = 1; t < n_threads; t++)
    g_thread_join (threads[t]);
}
