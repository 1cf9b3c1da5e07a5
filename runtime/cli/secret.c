/* SPDX-License-Identifier: Apache-2.0 */
/* podunit secret create|ls|inspect|rm|exists, as podman's (its output,
 * messages and exit statuses). Quadlet's Secret= key becomes run's
 * --secret; the store is secret/secret.h. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/template.h"
#include "error.h"
#include "secret/secret.h"

char *
cli_go_time_string (const char *rfc3339)
{
  g_autoptr (GDateTime) t = rfc3339 ? g_date_time_new_from_iso8601 (rfc3339, NULL) : NULL;
  g_autofree char *base = NULL, *frac = NULL, *off = NULL;
  gsize n;
  if (!t)
    return g_strdup (rfc3339 ? rfc3339 : "");
  base = g_date_time_format (t, "%Y-%m-%d %H:%M:%S");
  frac = g_strdup_printf ("%06d", g_date_time_get_microsecond (t));
  for (n = strlen (frac); n > 0 && frac[n - 1] == '0'; n--)
    frac[n - 1] = '\0';
  off = g_date_time_format (t, "%z");
  return g_strdup_printf ("%s%s%s %s %s", base, n ? "." : "", frac, off,
                          g_date_time_get_utc_offset (t) == 0 ? "UTC" : off);
}

static char *
ago (const char *rfc3339)
{
  g_autoptr (GDateTime) t = rfc3339 ? g_date_time_new_from_iso8601 (rfc3339, NULL) : NULL;
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *d = cli_human_duration (t ? g_date_time_difference (now, t) / G_USEC_PER_SEC
                                             : 0);
  return g_strconcat (d, " ago", NULL);
}

static void
add_map (JsonObject *o, const char *name, char **kv)
{
  JsonObject *m = json_object_new ();
  for (char **p = kv; p && *p; p++)
    {
      const char *eq = strchr (*p, '=');
      g_autofree char *k = eq ? g_strndup (*p, eq - *p) : g_strdup (*p);
      json_object_set_string_member (m, k, eq ? eq + 1 : "");
    }
  json_object_set_object_member (o, name, m);
}

/* podman's SecretInfoReport: ID, CreatedAt, UpdatedAt, Spec {Name,
 * Driver {Name, Options}, Labels}, SecretData (in JSON only with
 * --showsecret; a template always has the field, empty without). Times
 * as JSON writes them (@go_times FALSE) or as a template prints them. */
static JsonObject *
info_report (const Secret *s, GBytes *data, gboolean go_times)
{
  JsonObject *o = json_object_new (), *spec = json_object_new (), *drv = json_object_new ();
  g_autofree char *created = go_times ? cli_go_time_string (s->created) : g_strdup (s->created);
  g_autofree char *updated = go_times ? cli_go_time_string (s->updated) : g_strdup (s->updated);
  json_object_set_string_member (o, "ID", s->id);
  json_object_set_string_member (o, "CreatedAt", created ? created : "");
  json_object_set_string_member (o, "UpdatedAt", updated ? updated : "");
  json_object_set_string_member (spec, "Name", s->name);
  json_object_set_string_member (drv, "Name", s->driver ? s->driver : "");
  add_map (drv, "Options", s->driver_options);
  json_object_set_object_member (spec, "Driver", drv);
  add_map (spec, "Labels", s->labels);
  json_object_set_object_member (o, "Spec", spec);
  if (data || go_times)
    {
      gsize len = 0;
      const char *p = data ? g_bytes_get_data (data, &len) : "";
      g_autofree char *text = g_strndup (p, len);
      json_object_set_string_member (o, "SecretData", text);
    }
  return o;
}

/* "K=V,K2=V2" (pflag's StringToString), appended to @out. */
static gboolean
split_driver_opts (char **opts, GPtrArray *out, GError **error)
{
  for (char **o = opts; o && *o; o++)
    {
      g_auto (GStrv) parts = g_strsplit (*o, ",", -1);
      for (char **p = parts; *p; p++)
        {
          if (!strchr (*p, '='))
            return gerror_set (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                               "invalid argument \"%s\" for \"--driver-opts\" flag: %s must be "
                               "formatted as key=value",
                               *o, *p);
          g_ptr_array_add (out, g_strdup (*p));
        }
    }
  return TRUE;
}

/* The secret's bytes: stdin for "-", an environment variable with --env,
 * else the file. */
static GBytes *
read_input (const char *source, gboolean from_env, GError **error)
{
  char *text = NULL;
  gsize len = 0;
  if (from_env)
    {
      const char *v = g_getenv (source);
      if (!v || !*v)
        return gerror_set (error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                           "cannot create store secret data: environment variable %s is not set",
                           source),
               NULL;
      return g_bytes_new (v, strlen (v));
    }
  if (g_str_equal (source, "-") || g_str_equal (source, "/dev/stdin"))
    {
      g_autoptr (GByteArray) b = g_byte_array_new ();
      guint8 buf[65536];
      ssize_t n;
      while ((n = read (0, buf, sizeof buf)) != 0)
        {
          if (n < 0 && errno == EINTR)
            continue;
          if (n < 0)
            return errno_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, errno, "reading stdin"),
                   NULL;
          /* more than podman's limit is refused anyway: stop reading */
          if (b->len <= SECRET_MAX_SIZE)
            g_byte_array_append (b, buf, n);
        }
      return g_byte_array_free_to_bytes (g_steal_pointer (&b));
    }
  if (!g_file_get_contents (source, &text, &len, error))
    {
      /* as Go's os.Open: "open PATH: no such file or directory" */
      int code = (*error)->code;
      g_autofree char *why = cli_go_strerror (code == G_FILE_ERROR_NOENT   ? ENOENT
                                              : code == G_FILE_ERROR_ACCES ? EACCES
                                              : code == G_FILE_ERROR_ISDIR ? EISDIR
                                                                           : EIO);
      g_clear_error (error);
      return gerror_set (error, G_FILE_ERROR, G_FILE_ERROR_FAILED, "open %s: %s", source, why), NULL;
    }
  return g_bytes_new_take (text, len);
}

int
cli_secret_create (CliGlobal *g, int argc, char **argv)
{
  gboolean from_env = FALSE, replace = FALSE, ignore = FALSE;
  g_autofree char *driver = NULL;
  g_auto (GStrv) driver_opts = NULL, labels = NULL;
  const GOptionEntry entries[] = {
    { "driver", 'd', 0, G_OPTION_ARG_STRING, &driver, "Secret driver (file)", "DRIVER" },
    { "driver-opts", 0, 0, G_OPTION_ARG_STRING_ARRAY, &driver_opts, "Driver options",
      "K=V,K=V" },
    { "env", 0, 0, G_OPTION_ARG_NONE, &from_env, "Read the data from this environment variable",
      NULL },
    { "replace", 0, 0, G_OPTION_ARG_NONE, &replace, "Replace a secret of the same name", NULL },
    { "ignore", 0, 0, G_OPTION_ARG_NONE, &ignore, "Keep a secret of the same name", NULL },
    { "label", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &labels, "Set a label", "KEY=VALUE" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) dopts = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GBytes) data = NULL;
  g_autofree char *id = NULL;
  gsize len;
  const guint8 *p;

  if (!cli_parse_options (&argc, &argv, entries, "NAME FILE|-", FALSE))
    return EXIT_PODUNIT;
  if (argc != 3)
    {
      cli_error ("accepts 2 arg(s), received %d", argc - 1);
      return EXIT_PODUNIT;
    }
  if (ignore && replace)
    {
      cli_error ("cannot use --ignore and --replace flags together");
      return EXIT_PODUNIT;
    }
  if (!split_driver_opts (driver_opts, dopts, &error))
    return cli_fail (error);
  g_ptr_array_add (dopts, NULL);
  if (!(data = read_input (argv[2], from_env, &error)))
    return cli_fail (error);
  /* labels as podman's: KEY=VALUE, or KEY alone (an empty value) */
  const SecretStoreOptions opts = {
    .driver = driver,
    .driver_options = (char **) dopts->pdata,
    .labels = labels,
    .replace = replace,
    .ignore_existing = ignore,
  };
  p = g_bytes_get_data (data, &len);
  if (!(id = secret_store (g->root, argv[1], p, len, &opts, &error)))
    return cli_fail (error);
  printf ("%s\n", id);
  return 0;
}

static gboolean
matches (const Secret *s, char **filters)
{
  gboolean name_seen = FALSE, name_ok = FALSE, id_seen = FALSE, id_ok = FALSE;
  for (char **f = filters; f && *f; f++)
    {
      const char *v = strchr (*f, '=') + 1;
      if (g_str_has_prefix (*f, "name="))
        name_seen = TRUE, name_ok |= g_regex_match_simple (v, s->name, 0, 0);
      else
        id_seen = TRUE, id_ok |= g_regex_match_simple (v, s->id, 0, 0);
    }
  return (!name_seen || name_ok) && (!id_seen || id_ok);
}

int
cli_secret_ls (CliGlobal *g, int argc, char **argv)
{
  gboolean quiet = FALSE, noheading = FALSE;
  g_autofree char *format = NULL;
  g_auto (GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Go template for each secret", "FORMAT" },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters, "Filter output (name=, id=)",
      "KEY=VALUE" },
    { "noheading", 'n', 0, G_OPTION_ARG_NONE, &noheading, "Do not print headers", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Print secret IDs only", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) g_strfreev);
  g_autoptr (GPtrArray) json_rows
      = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr (CliTemplate) tmpl = NULL;
  g_autoptr (GHashTable) headers = g_hash_table_new (g_str_hash, g_str_equal);

  if (!cli_parse_options (&argc, &argv, entries, NULL, FALSE))
    return EXIT_PODUNIT;
  if (argc > 1)
    {
      cli_error ("\"podunit secret ls\" accepts no arguments");
      return EXIT_PODUNIT;
    }
  for (char **f = filters; f && *f; f++)
    if (!g_str_has_prefix (*f, "name=") && !g_str_has_prefix (*f, "id="))
      {
        g_autofree char *key = g_strndup (*f, strcspn (*f, "="));
        cli_error ("invalid filter \"%s\"", key);
        return EXIT_PODUNIT;
      }
  g_hash_table_insert (headers, "CreatedAt", "CREATED");
  g_hash_table_insert (headers, "UpdatedAt", "UPDATED");
  if (format && !cli_template_is_json (format) && !(tmpl = cli_template_new (format, headers, &error)))
    return cli_fail (error);
  if (!(all = secret_list (g->root, &error)))
    return cli_fail (error);
  if (!format && !quiet && !noheading)
    g_ptr_array_add (rows, g_strsplit ("ID\tNAME\tDRIVER\tCREATED\tUPDATED", "\t", -1));
  for (guint i = 0; i < all->len; i++)
    {
      const Secret *s = all->pdata[i];
      g_autofree char *created = ago (s->created), *updated = ago (s->updated);
      if (!matches (s, filters))
        continue;
      if (quiet && !format)
        {
          printf ("%s\n", s->id);
          continue;
        }
      if (format)
        {
          /* podman's SecretListReport */
          JsonObject *o = json_object_new ();
          json_object_set_string_member (o, "ID", s->id);
          json_object_set_string_member (o, "Name", s->name);
          json_object_set_string_member (o, "Driver", s->driver ? s->driver : "");
          json_object_set_string_member (o, "CreatedAt", created);
          json_object_set_string_member (o, "UpdatedAt", updated);
          g_ptr_array_add (json_rows, o);
          if (tmpl && !cli_template_add_row (tmpl, o, &error))
            return cli_fail (error);
          continue;
        }
      char *row[] = { s->id, s->name, s->driver ? s->driver : "", created, updated, NULL };
      g_ptr_array_add (rows, g_strdupv (row));
    }
  if (tmpl)
    cli_template_print (tmpl, noheading);
  else if (format)
    cli_print_json_rows (json_rows);
  else if (!quiet)
    cli_print_table (rows);
  return 0;
}

/* podman's --pretty template, spacing as podman's. */
static void
print_pretty (const Secret *s)
{
  g_autofree char *created = cli_go_time_string (s->created), *updated = cli_go_time_string (s->updated);
  printf ("ID:              %s\nName:              %s\n", s->id, s->name);
  if (s->labels && *s->labels)
    {
      printf ("Labels:\n");
      for (char **l = s->labels; *l; l++)
        {
          const char *eq = strchr (*l, '=');
          if (eq && !eq[1])
            printf (" - %.*s\n", (int) (eq - *l), *l);
          else
            printf (" - %s\n", *l);
        }
    }
  printf ("Driver:            %s\nCreated at:        %s\nUpdated at:        %s\n",
          s->driver ? s->driver : "", created, updated);
}

int
cli_secret_inspect (CliGlobal *g, int argc, char **argv)
{
  gboolean show = FALSE, pretty = FALSE;
  g_autofree char *format = NULL;
  const GOptionEntry entries[] = {
    { "format", 'f', 0, G_OPTION_ARG_STRING, &format, "Go template", "FORMAT" },
    { "showsecret", 0, 0, G_OPTION_ARG_NONE, &show, "Show the secret's data", NULL },
    { "pretty", 0, 0, G_OPTION_ARG_NONE, &pretty, "Human-readable output", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr (CliTemplate) tmpl = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "SECRET...", FALSE))
    return EXIT_PODUNIT;
  if (argc < 2)
    {
      cli_error ("requires at least 1 arg(s), only received 0");
      return EXIT_PODUNIT;
    }
  if (format && !pretty && !cli_template_is_json (format)
      && !(tmpl = cli_template_new (format, NULL, &error)))
    return cli_fail (error);
  for (int i = 1; i < argc; i++)
    {
      g_autoptr (Secret) s = NULL;
      g_autoptr (GBytes) data = NULL;
      GError *local = NULL;
      if (show)
        data = secret_lookup_data (g->root, argv[i], &s, &local);
      else
        s = secret_lookup (g->root, argv[i], &local);
      if (!s)
        {
          g_ptr_array_add (errors, local);
          continue;
        }
      if (pretty)
        print_pretty (s);
      else if (tmpl)
        {
          g_autoptr (JsonObject) o = info_report (s, data, TRUE);
          if (!cli_template_add_row (tmpl, o, &error))
            return cli_fail (error);
        }
      else
        g_ptr_array_add (rows, info_report (s, data, FALSE));
    }
  if (tmpl)
    cli_template_print (tmpl, FALSE);
  else if (!pretty)
    cli_print_json_rows (rows);
  if (errors->len)
    {
      for (guint i = 1; i < errors->len; i++)
        fprintf (stderr, "error inspecting secret: %s\n",
                 ((GError *) errors->pdata[i])->message);
      cli_error ("inspecting secret: %s", ((GError *) errors->pdata[0])->message);
      return EXIT_PODUNIT;
    }
  return 0;
}

int
cli_secret_rm (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE, ignore = FALSE;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Remove all secrets", NULL },
    { "ignore", 'i', 0, G_OPTION_ARG_NONE, &ignore, "Ignore secrets that do not exist", NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);

  if (!cli_parse_options (&argc, &argv, entries, "SECRET...", FALSE))
    return EXIT_PODUNIT;
  if ((argc > 1) == all)
    {
      cli_error ("`podman secret rm` requires one argument, or the --all flag");
      return EXIT_PODUNIT;
    }
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (names, g_strdup (argv[i]));
  if (all)
    {
      g_autoptr (GPtrArray) list = secret_list (g->root, &error);
      if (!list)
        return cli_fail (error);
      for (guint i = 0; i < list->len; i++)
        g_ptr_array_add (names, g_strdup (((Secret *) list->pdata[i])->id));
    }
  for (guint i = 0; i < names->len; i++)
    {
      GError *local = NULL;
      g_autofree char *id = secret_remove (g->root, names->pdata[i], &local);
      if (id)
        printf ("%s\n", id);
      else if (ignore && g_error_matches (local, SECRET_ERROR, SECRET_ERROR_NOT_FOUND))
        g_error_free (local);
      else
        g_ptr_array_add (errors, local);
    }
  /* podman prints every error but the last, which is the command's */
  for (guint i = 0; i + 1 < errors->len; i++)
    cli_error ("%s", ((GError *) errors->pdata[i])->message);
  if (errors->len)
    {
      cli_error ("%s", ((GError *) errors->pdata[errors->len - 1])->message);
      return EXIT_PODUNIT;
    }
  return 0;
}

int
cli_secret_exists (CliGlobal *g, int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (Secret) s = NULL;
  const GOptionEntry entries[] = { { NULL } };

  if (!cli_parse_options (&argc, &argv, entries, "SECRET", FALSE))
    return EXIT_PODUNIT;
  if (argc != 2)
    {
      cli_error ("accepts 1 arg(s), received %d", argc - 1);
      return EXIT_PODUNIT;
    }
  if ((s = secret_lookup (g->root, argv[1], &error)))
    return 0;
  if (g_error_matches (error, SECRET_ERROR, SECRET_ERROR_NOT_FOUND))
    return 1;
  return cli_fail (error);
}
