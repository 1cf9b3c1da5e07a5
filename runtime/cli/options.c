/* SPDX-License-Identifier: Apache-2.0 */
/* A verb's flags with GOption, read as podman's pflag reads them (cli.h:
 * cli_parse_options reports what this returns). */
#include "cli/cli.h"

#include <string.h>

/* The rewritten argvs and the strings made for them: verbs keep pointers
 * into argv for the life of the process, so they are kept here, reachable
 * (cli_options_release frees them: the fuzzer, between inputs). */
static GPtrArray *kept;

static char *
keep (char *s)
{
  if (kept == NULL)
    kept = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (kept, s);
  return s;
}

void
cli_options_release (void)
{
  g_clear_pointer (&kept, g_ptr_array_unref);
}

static const char *program_name;

const char *
cli_program_name (void)
{
  return program_name ? program_name : "podunit";
}

void
cli_set_program_name (const char *name)
{
  program_name = name;
}

/* pflag's message, then the pointer to the help podman adds to it. */
static void
see_help (GError **error, const char *verb)
{
  char *m;
  if (!error || !*error)
    return;
  m = g_strdup_printf ("%s\nSee '%s %s --help'", (*error)->message, cli_program_name (), verb);
  g_free ((*error)->message);
  (*error)->message = m;
}

static const GOptionEntry *
find_entry (const GOptionEntry *entries, const char *long_name, gsize n, char short_name)
{
  for (const GOptionEntry *e = entries; e->long_name; e++)
    if (long_name ? strlen (e->long_name) == n && strncmp (e->long_name, long_name, n) == 0
                  : e->short_name == short_name)
      return e;
  return NULL;
}

static gboolean
takes_value (const GOptionEntry *e)
{
  return e->arg != G_OPTION_ARG_NONE
         && !(e->arg == G_OPTION_ARG_CALLBACK && (e->flags & G_OPTION_FLAG_NO_ARG));
}

/* A string flag's value must be UTF-8 (a verb prints it, matches it or
 * writes it into JSON); GOption's own check converts from the locale and
 * names nothing. run and create keep bytes instead (run-flags.c). */
static gboolean
check_value (const GOptionEntry *e, const char *value, GError **error)
{
  if ((e->arg != G_OPTION_ARG_STRING && e->arg != G_OPTION_ARG_STRING_ARRAY)
      || g_utf8_validate (value, -1, NULL))
    return TRUE;
  if (e->long_name && e->long_name[0])
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "invalid argument for \"--%s\" flag: not valid UTF-8", e->long_name);
  else
    g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                 "invalid argument for \"-%c\" flag: not valid UTF-8", e->short_name);
  return FALSE;
}

/* Rewrites argv the way pflag reads it into what GOption accepts: "-t0"
 * becomes "-t" "0", "-dit" becomes "-d" "-i" "-t", "--bool=false" clears
 * the flag and "--bool=true" becomes "--bool". Options end at "--" and,
 * with @stop_at_operand, at the first operand. Unknown options are left for
 * GOption to report. */
static gboolean
normalize_args (int *argc, char ***argv, const GOptionEntry *entries, gboolean stop_at_operand,
                GPtrArray *out, GError **error)
{
  int i;
  g_ptr_array_add (out, (*argv)[0]);
  for (i = 1; i < *argc; i++)
    {
      char *a = (*argv)[i];
      if (strcmp (a, "--") == 0)
        break;
      if (a[0] != '-' || a[1] == '\0')
        {
          if (stop_at_operand)
            break;
          g_ptr_array_add (out, a);
          continue;
        }
      if (a[1] == '-')
        {
          const char *eq = strchr (a, '=');
          gsize n = eq ? (gsize) (eq - a - 2) : strlen (a + 2);
          const GOptionEntry *e = find_entry (entries, a + 2, n, 0);
          if (!e && strcmp (a, "--help") != 0 && strcmp (a, "--help-all") != 0)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                           "unknown flag: --%.*s", (int) n, a + 2);
              return FALSE;
            }
          if (e && !takes_value (e) && eq && e->arg == G_OPTION_ARG_NONE)
            {
              gboolean v;
              if (g_ascii_strcasecmp (eq + 1, "true") == 0)
                v = TRUE;
              else if (g_ascii_strcasecmp (eq + 1, "false") == 0)
                v = FALSE;
              else
                {
                  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               "invalid argument \"%s\" for \"--%s\" flag: strconv.ParseBool: "
                               "parsing \"%s\": invalid syntax",
                               eq + 1, e->long_name, eq + 1);
                  return FALSE;
                }
              if (v != !!(e->flags & G_OPTION_FLAG_REVERSE))
                g_ptr_array_add (out, keep (g_strndup (a, eq - a)));
              else
                *(gboolean *) e->arg_data = !!(e->flags & G_OPTION_FLAG_REVERSE);
              continue;
            }
          if (e && takes_value (e) && (e->flags & G_OPTION_FLAG_OPTIONAL_ARG) && !eq)
            {
              /* pflag's optional value comes only after "=" (--tls-verify
               * IMAGE); GOption would take the next argument */
              g_ptr_array_add (out, keep (g_strconcat (a, "=true", NULL)));
              continue;
            }
          g_ptr_array_add (out, a);
          if (e && eq && !check_value (e, eq + 1, error))
            return FALSE;
          if (e && takes_value (e) && !eq && !(e->flags & G_OPTION_FLAG_OPTIONAL_ARG))
            {
              if (i + 1 >= *argc)
                {
                  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               "flag needs an argument: --%s", e->long_name);
                  return FALSE;
                }
              if (!check_value (e, (*argv)[i + 1], error))
                return FALSE;
              g_ptr_array_add (out, (*argv)[++i]);
            }
          continue;
        }
      /* A group of short flags; the first that takes a value takes the rest. */
      for (const char *c = a + 1; *c; c++)
        {
          const GOptionEntry *e = find_entry (entries, NULL, 0, *c);
          if (!e && *c != 'h' && *c != '?')
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_UNKNOWN_OPTION,
                           "unknown shorthand flag: '%c' in %s", *c, a);
              return FALSE;
            }
          if (e && e->arg == G_OPTION_ARG_NONE && c[1] == '=')
            {
              /* -t=false */
              if (g_ascii_strcasecmp (c + 2, "false") == 0)
                *(gboolean *) e->arg_data = !!(e->flags & G_OPTION_FLAG_REVERSE);
              else if (g_ascii_strcasecmp (c + 2, "true") == 0)
                g_ptr_array_add (out, keep (g_strdup_printf ("-%c", *c)));
              else
                {
                  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               "invalid argument \"%s\" for \"-%c\" flag: strconv.ParseBool: "
                               "parsing \"%s\": invalid syntax",
                               c + 2, *c, c + 2);
                  return FALSE;
                }
              break;
            }
          if (e && takes_value (e) && (e->flags & G_OPTION_FLAG_OPTIONAL_ARG) && e->long_name)
            {
              /* pflag's optional value comes only after "=": -H, -H=false */
              if (c[1] == '=')
                {
                  g_ptr_array_add (out, keep (g_strdup_printf ("--%s=%s", e->long_name, c + 2)));
                  break;
                }
              g_ptr_array_add (out, keep (g_strdup_printf ("--%s=true", e->long_name)));
              continue;
            }
          g_ptr_array_add (out, keep (g_strdup_printf ("-%c", *c)));
          if (e && takes_value (e))
            {
              if (c[1] == '=')
                c++;
              if (c[1] && !check_value (e, c + 1, error))
                return FALSE;
              if (c[1])
                g_ptr_array_add (out, keep (g_strdup (c + 1)));
              else if (i + 1 < *argc && !check_value (e, (*argv)[i + 1], error))
                return FALSE;
              else if (i + 1 < *argc)
                g_ptr_array_add (out, (*argv)[++i]);
              else
                {
                  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               "flag needs an argument: '%c' in -%c", *c, *c);
                  return FALSE;
                }
              break;
            }
        }
    }
  if (i < *argc)
    {
      /* GOption must not look past here: hand it a "--" and the rest. */
      g_ptr_array_add (out, (char *) "--");
      if (strcmp ((*argv)[i], "--") == 0)
        i++;
      for (; i < *argc; i++)
        g_ptr_array_add (out, (*argv)[i]);
    }
  return TRUE;
}

gboolean
cli_options_parse (int *argc, char ***argv, const GOptionEntry *entries,
                   const char *parameter_string, gboolean stop_at_operand, GError **error)
{
  g_autoptr (GOptionContext) ctx = g_option_context_new (parameter_string);
  GPtrArray *args = g_ptr_array_new ();
  gsize n = 0;
  g_autofree GOptionEntry *bytes = NULL;

  if (!normalize_args (argc, argv, entries, stop_at_operand, args, error))
    {
      see_help (error, (*argv)[0]);
      g_ptr_array_unref (args);
      return FALSE;
    }
  *argc = args->len;
  g_ptr_array_add (args, NULL);
  *argv = (char **) keep ((char *) g_ptr_array_free (args, FALSE));

  /* The values were checked above: GOption takes them as they are (its
   * STRING converts from the locale, which refuses any non-ASCII byte in
   * the C locale podunit runs in). */
  while (entries[n].long_name)
    n++;
  bytes = g_memdup2 (entries, (n + 1) * sizeof *entries);
  for (gsize k = 0; k < n; k++)
    if (bytes[k].arg == G_OPTION_ARG_STRING)
      bytes[k].arg = G_OPTION_ARG_FILENAME;
    else if (bytes[k].arg == G_OPTION_ARG_STRING_ARRAY)
      bytes[k].arg = G_OPTION_ARG_FILENAME_ARRAY;
  g_option_context_add_main_entries (ctx, bytes, NULL);
  g_option_context_set_strict_posix (ctx, stop_at_operand);
  if (!g_option_context_parse (ctx, argc, argv, error))
    {
      g_prefix_error (error, "%s: ", (*argv)[0]);
      /* a value GOption could not read; not a verb's own refusal */
      if (g_error_matches (*error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE))
        see_help (error, (*argv)[0]);
      return FALSE;
    }
  /* GOption leaves the "--" that ended the options in place (the first
   * non-option argument after parsing, all operands before it with
   * permutation). */
  for (int k = 1; k < *argc; k++)
    if (strcmp ((*argv)[k], "--") == 0)
      {
        memmove (&(*argv)[k], &(*argv)[k + 1], (*argc - k) * sizeof (char *));
        (*argc)--;
        break;
      }
  return TRUE;
}
