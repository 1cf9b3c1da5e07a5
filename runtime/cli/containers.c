/* SPDX-License-Identifier: Apache-2.0 */
/* Which containers a verb acts on (stop, rm): the names given, the ids in
 * --cidfile files, or --all. See cli.h. */
#include "cli/cli.h"

#include "container/container.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

GPtrArray *
cli_container_args (CliGlobal *g, int argc, char **argv, char **cidfiles, gboolean all,
                    gboolean latest, gboolean ignore, GPtrArray *read_cidfiles, int *status)
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
  if (all || latest)
    {
      g_autoptr (GPtrArray) list = container_list (g->root, NULL); /* oldest first */
      for (guint i = all ? 0 : list->len ? list->len - 1 : 0; i < list->len; i++)
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

/* podman's id= and name= filters: a regular expression (ids: hex only is a
 * case-insensitive prefix). */
static gboolean
regex_match (const char *pattern, const char *s, gboolean id)
{
  if (id && pattern[strspn (pattern, "0123456789abcdefABCDEF")] == '\0')
    return g_ascii_strncasecmp (s, pattern, strlen (pattern)) == 0;
  g_autoptr (GRegex) re = g_regex_new (pattern, id ? G_REGEX_CASELESS : 0, 0, NULL);
  return re && g_regex_match (re, s, 0, NULL);
}

static const char *const filter_keys[]
    = { "name", "id", "status", "label", "exited", "restart-policy", "pod", NULL };
/* podman's restart-policy= values: "none" is a container created without --restart */
static const char *const filter_policies[]
    = { "none", "no", "always", "on-failure", "unless-stopped", NULL };

gboolean
cli_container_filters_check (char **filters, GError **error)
{
  for (char **f = filters; f && *f; f++)
    {
      const char *eq = strchr (*f, '=');
      g_autofree char *key = eq ? g_strndup (*f, eq - *f) : NULL;
      if (!key || !g_strv_contains (filter_keys, key))
        return gerror_set (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--filter %s is not supported by podunit yet", *f);
      if (g_str_equal (key, "restart-policy") && !g_strv_contains (filter_policies, eq + 1))
        return gerror_set (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "%s invalid restart policy", eq + 1);
    }
  return TRUE;
}

gboolean
cli_container_matches (char **filters, const ContainerConfig *c, const ContainerState *st,
                       const char *pod_name)
{
  const char *const *keys = filter_keys;
  for (const char *const *k = keys; *k; k++)
    {
      gboolean seen = FALSE, any = FALSE;
      for (char **f = filters; f && *f; f++)
        {
          const char *eq = strchr (*f, '=');
          if (!eq || strlen (*k) != (gsize) (eq - *f) || strncmp (*f, *k, eq - *f) != 0)
            continue;
          const char *v = eq + 1;
          const char *state = container_status_to_string (st->status);
          gboolean m = FALSE;
          seen = TRUE;
          if (g_str_equal (*k, "name"))
            {
              /* also as Docker's "/NAME" */
              g_autofree char *slashed = g_strconcat ("/", c->name, NULL);
              m = regex_match (v, c->name, FALSE) || regex_match (v, slashed, FALSE);
            }
          else if (g_str_equal (*k, "id"))
            m = regex_match (v, c->id, TRUE);
          else if (g_str_equal (*k, "status"))
            m = g_str_equal (state, v)
                || (g_str_equal (v, "stopped") && st->status == CONTAINER_EXITED);
          else if (g_str_equal (*k, "exited"))
            m = st->status == CONTAINER_EXITED && st->exit_code == atoi (v);
          else if (g_str_equal (*k, "pod"))
            m = c->pod && (g_strcmp0 (pod_name, v) == 0
                           || (strlen (v) >= 3 && g_str_has_prefix (c->pod, v)));
          else if (g_str_equal (*k, "restart-policy"))
            m = g_str_equal (v, "none") ? !c->restart_policy || !*c->restart_policy
                                        : g_strcmp0 (c->restart_policy, v) == 0;
          else
            for (char **l = c->labels; l && *l && !m; l++)
              m = strchr (v, '=') ? g_str_equal (*l, v)
                                  : g_str_has_prefix (*l, v) && (*l)[strlen (v)] == '=';
          any = any || m;
        }
      if (seen && !any)
        return FALSE;
    }
  return TRUE;
}
