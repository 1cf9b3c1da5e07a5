/* SPDX-License-Identifier: Apache-2.0
 *
 * bench/io-floor: the file system work any generator must do for the
 * bench input, and nothing else. It reads every input file once and writes
 * the outputs a real run wrote (same names, sizes, directories and
 * symlinks, from a manifest made beforehand), each unit published
 * atomically the cheapest way measured here (O_TMPFILE, then linkat), in as
 * many threads as there are CPUs. No parsing, no conversion.
 *
 * Its time is an upper bound on how fast a generator can be on this
 * machine, so Quadlet's time divided by it bounds the reachable ratio.
 *
 * Usage: io-floor INPUT_DIR MANIFEST OUTPUT_DIR
 * MANIFEST lines: "d PATH", "f SIZE PATH", "l TARGET PATH" (PATH relative
 * to OUTPUT_DIR, in creation order: directories first). */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { MAX_ENTRIES = 65536, MAX_FILE = 1 << 20 };

struct entry
{
  char kind;
  long size;
  char *path, *target;
};

static int in_fd, out_fd, nthreads;
static char **inputs;
static int ninputs;
static struct entry *entries;
static int nentries;
static char zeros[MAX_FILE];

static void
die (const char *what, const char *arg)
{
  fprintf (stderr, "io-floor: %s %s: %s\n", what, arg, strerror (errno));
  exit (1);
}

static void *
worker (void *arg)
{
  long t = (long) arg;
  static __thread char buf[MAX_FILE];

  for (int i = (int) t; i < ninputs; i += nthreads)
    {
      int fd = openat (in_fd, inputs[i], O_RDONLY | O_CLOEXEC);
      if (fd < 0 || read (fd, buf, sizeof buf) < 0)
        die ("reading", inputs[i]);
      close (fd);
    }
  for (int i = (int) t; i < nentries; i += nthreads)
    {
      struct entry *e = &entries[i];
      if (e->kind == 'f')
        {
          int fd = openat (out_fd, ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
          if (fd < 0 || write (fd, zeros, e->size) != e->size
              || linkat (fd, "", out_fd, e->path, AT_EMPTY_PATH) < 0)
            die ("writing", e->path);
          close (fd);
        }
      else if (e->kind == 'l' && symlinkat (e->target, out_fd, e->path) < 0)
        die ("linking", e->path);
    }
  return NULL;
}

int
main (int argc, char **argv)
{
  FILE *m;
  char line[8192];
  DIR *d;
  struct dirent *de;
  pthread_t th[64];

  if (argc != 4)
    {
      fprintf (stderr, "usage: io-floor INPUT_DIR MANIFEST OUTPUT_DIR\n");
      return 2;
    }
  in_fd = open (argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  out_fd = open (argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (in_fd < 0 || out_fd < 0)
    die ("opening", in_fd < 0 ? argv[1] : argv[3]);

  /* The generator lists its input directory too. */
  inputs = calloc (MAX_ENTRIES, sizeof *inputs);
  d = fdopendir (dup (in_fd));
  if (!d)
    die ("listing", argv[1]);
  while ((de = readdir (d)) && ninputs < MAX_ENTRIES)
    if (de->d_type == DT_REG)
      inputs[ninputs++] = strdup (de->d_name);

  entries = calloc (MAX_ENTRIES, sizeof *entries);
  m = fopen (argv[2], "re");
  if (!m)
    die ("opening", argv[2]);
  while (fgets (line, sizeof line, m) && nentries < MAX_ENTRIES)
    {
      struct entry *e = &entries[nentries];
      char a[4096], b[4096];
      line[strcspn (line, "\n")] = '\0';
      if (sscanf (line, "d %4095s", a) == 1)
        {
          /* Directories in the manifest's order, before any thread runs. */
          if (mkdirat (out_fd, a, 0755) < 0 && errno != EEXIST)
            die ("creating", a);
          continue;
        }
      if (sscanf (line, "f %ld %4095s", &e->size, a) == 2 && e->size <= MAX_FILE)
        e->kind = 'f';
      else if (sscanf (line, "l %4095s %4095s", b, a) == 2)
        {
          e->kind = 'l';
          e->target = strdup (b);
        }
      else
        {
          fprintf (stderr, "io-floor: %s: bad line: %s\n", argv[2], line);
          return 1;
        }
      e->path = strdup (a);
      nentries++;
    }
  fclose (m);

  nthreads = (int) sysconf (_SC_NPROCESSORS_ONLN);
  if (nthreads < 1)
    nthreads = 1;
  if (nthreads > 64)
    nthreads = 64;
  for (long t = 1; t < nthreads; t++)
    pthread_create (&th[t], NULL, worker, (void *) t);
  worker (0);
  for (long t = 1; t < nthreads; t++)
    pthread_join (th[t], NULL);
  return 0;
}
