/* SPDX-License-Identifier: Apache-2.0 */
/* Which containers a verb acts on (stop, rm): the names given, the ids in
 * --cidfile files, or --all. See cli.h. */
#include "cli/cli.h"

#include "container/container.h"

GPtrArray *
cli_container_args (CliGlobal *g, int argc, char **argv, char **cidfiles, gboolean all,
                    gboolean ignore, GPtrArray *read_cidfiles, int *status)
{
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  for (int i = 1; i < argc; i++)
    g_ptr_array_add (names, g_strdup (argv[i]));
  for (char **f = cidfiles; f && *f; f++)
    {
      g_autofree char *id = NULL;
      if (g_file_get_contents (*f, &id, NULL, NULL))
        {
          g_ptr_array_add (names, g_strdup (g_strstrip (id)));
          if (read_cidfiles)
            g_ptr_array_add (read_cidfiles, g_strdup (*f));
        }
      else if (!ignore)
        {
          cli_error ("reading CIDFile: open %s: no such file or directory", *f);
          *status = EXIT_PODUNIT;
        }
    }
  if (all)
    {
      g_autoptr (GPtrArray) list = container_list (g->root, NULL);
      for (guint i = 0; i < list->len; i++)
        g_ptr_array_add (names, g_strdup (list->pdata[i]));
    }
  if (names->len == 0 && !all && !cidfiles)
    {
      cli_error ("%s: requires at least 1 arg", argv[0]);
      *status = EXIT_PODUNIT;
      return NULL;
    }
  return g_steal_pointer (&names);
}
