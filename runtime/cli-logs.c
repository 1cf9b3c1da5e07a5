/* SPDX-License-Identifier: Apache-2.0 */
/* podunit logs [-f] [-n N] [-t] NAME: replays the k8s-file log of a
 * detached container ("TIMESTAMP STREAM F|P TEXT" lines), stdout lines to
 * stdout and stderr lines to stderr. */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "container.h"

typedef struct {
  gboolean timestamps;
} LogOpts;

/* Prints complete lines of @buf; returns how many bytes were used. */
static gsize
print_records (const char *buf, gsize len, const LogOpts *o)
{
  gsize used = 0;
  for (;;)
    {
      const char *start = buf + used;
      const char *nl = memchr (start, '\n', len - used);
      const char *sp1, *sp2;
      if (!nl)
        return used;
      sp1 = memchr (start, ' ', nl - start);
      sp2 = sp1 ? memchr (sp1 + 1, ' ', nl - sp1 - 1) : NULL;
      if (sp1 && sp2 && sp2 + 2 <= nl)
        {
          FILE *out = strncmp (sp1 + 1, "stderr", 6) == 0 ? stderr : stdout;
          gboolean full = sp2[1] == 'F';
          const char *text = sp2 + 3 <= nl ? sp2 + 3 : nl;
          if (o->timestamps)
            fprintf (out, "%.*s ", (int) (sp1 - start), start);
          fwrite (text, 1, nl - text, out);
          if (full)
            fputc ('\n', out);
          fflush (out);
        }
      used = nl - buf + 1;
    }
}

int
cli_logs (CliGlobal *g, int argc, char **argv)
{
  gboolean follow = FALSE;
  LogOpts o = { 0 };
  gint tail = -1;
  g_autofree char *since = NULL;
  const GOptionEntry entries[] = {
    { "follow", 'f', 0, G_OPTION_ARG_NONE, &follow, "Follow the log", NULL },
    { "tail", 'n', 0, G_OPTION_ARG_INT, &tail, "Only the last N lines", NULL },
    { "timestamps", 't', 0, G_OPTION_ARG_NONE, &o.timestamps, "Show timestamps", NULL },
    { "since", 0, 0, G_OPTION_ARG_STRING, &since, "Not supported yet", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autofree char *id = NULL, *path = NULL, *cdir = NULL;
  FILE *f;
  GString *pending = g_string_new (NULL);
  char buf[65536];

  if (!cli_parse_options (&argc, &argv, entries, "CONTAINER", FALSE))
    return EXIT_PODUNIT;
  if (since)
    {
      cli_error ("logs: --since is not supported by podunit yet");
      return EXIT_PODUNIT;
    }
  if (argc != 2)
    {
      cli_error ("logs: requires exactly 1 container");
      return EXIT_PODUNIT;
    }
  id = container_resolve (g->root, argv[1], &error);
  if (!id)
    return cli_fail (error);
  cdir = container_dir (g->root, id);
  path = g_build_filename (cdir, "ctr.log", NULL);
  f = fopen (path, "re");
  if (!f)
    return 0; /* never ran detached, or log driver none/passthrough */
  if (tail >= 0)
    {
      /* Keep the last N records; a log is small enough to read whole. */
      g_autofree char *all = NULL;
      gsize len;
      fclose (f);
      if (!g_file_get_contents (path, &all, &len, &error))
        return cli_fail (error);
      gsize start = len;
      for (gint n = 0; start > 0 && n <= tail;)
        {
          start--;
          if (all[start] == '\n' && start + 1 < len)
            n++;
          if (n > tail)
            {
              start++;
              break;
            }
        }
      if (tail == 0)
        start = len;
      print_records (all + start, len - start, &o);
      if (!follow)
        return 0;
      f = fopen (path, "re");
      if (!f)
        return 0;
      fseek (f, len, SEEK_SET);
    }
  for (;;)
    {
      size_t n = fread (buf, 1, sizeof buf, f);
      if (n > 0)
        {
          g_string_append_len (pending, buf, n);
          gsize used = print_records (pending->str, pending->len, &o);
          g_string_erase (pending, 0, used);
          continue;
        }
      if (!follow)
        break;
      ContainerState st;
      if (!container_state_load (g->runroot, id, &st, NULL)
          || (st.status != CONTAINER_RUNNING && st.status != CONTAINER_STOPPING))
        {
          /* One more pass picks up what the supervisor wrote last. */
          follow = FALSE;
          clearerr (f);
          continue;
        }
      clearerr (f);
      g_usleep (100000);
    }
  fclose (f);
  g_string_free (pending, TRUE);
  return 0;
}
