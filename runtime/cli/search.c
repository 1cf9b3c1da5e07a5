/* SPDX-License-Identifier: Apache-2.0 */
/* podunit search [flags] TERM (also `image search`), as podman: what
 * precedes the first '/' of TERM is the registry to search, else every
 * unqualified-search registry of registries.conf is searched. A registry's
 * /v2/_catalog lists its repositories, and those whose name contains the
 * rest of TERM are shown (at most --limit, default 25, per registry;
 * "HOST/" shows them all): the distribution API has no search endpoint, so
 * this is what podman does for such registries too. Descriptions and stars
 * are empty for them. --list-tags lists the tags of the repository TERM
 * names instead. A registry that fails is skipped while another gives
 * results; with no results at all the failures are the error, as podman's. */
#include "cli/image-util.h"
#include "cli/template.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_LIMIT 25

typedef struct
{
  gint64 stars;
  int official, automated; /* -1: no filter */
} SearchFilter;

static gboolean
parse_filters (char **filters, SearchFilter *f, GError **error)
{
  f->stars = 0;
  f->official = f->automated = -1;
  for (char **p = filters; p && *p; p++)
    {
      const char *eq = strchr (*p, '=');
      g_autofree char *key = eq ? g_strndup (*p, eq - *p) : g_strdup (*p);
      const char *v = eq ? eq + 1 : "true";
      char *end;
      if (strcmp (key, "stars") == 0)
        {
          f->stars = g_ascii_strtoll (v, &end, 10);
          if (*v == '\0' || *end)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--filter stars=%s: not a number", v);
              return FALSE;
            }
        }
      else if (strcmp (key, "is-official") == 0 || strcmp (key, "is-automated") == 0)
        {
          int b = strcmp (v, "true") == 0 ? 1 : strcmp (v, "false") == 0 ? 0 : -2;
          if (b == -2)
            {
              g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                           "--filter %s=%s: expected true or false", key, v);
              return FALSE;
            }
          *(strcmp (key, "is-official") == 0 ? &f->official : &f->automated) = b;
        }
      else
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--filter %s: invalid filter (stars, is-official, is-automated)", *p);
          return FALSE;
        }
    }
  return TRUE;
}

static JsonObject *
result_row (const char *index, const char *name, const char *tag)
{
  JsonObject *o = json_object_new ();
  json_object_set_string_member (o, "Index", index);
  json_object_set_string_member (o, "Name", name);
  json_object_set_string_member (o, "Description", "");
  json_object_set_int_member (o, "Stars", 0);
  json_object_set_string_member (o, "Official", "");
  json_object_set_string_member (o, "Automated", "");
  json_object_set_string_member (o, "Tag", tag ? tag : "");
  return o;
}

/* A v1 search result as podman shows it: NAME under REGISTRY (an official
 * Docker Hub image, one without a '/', under docker.io/library/), the
 * description on one line and, unless NO_TRUNC, cut after 44 bytes (at a
 * character's start: podman cuts bytes) with "...". */
static JsonObject *
v1_row (const char *registry, const RegistrySearchResult *r, gboolean no_trunc)
{
  /* podman's index: the registry's last two name components. */
  g_auto (GStrv) parts = g_strsplit (registry, ".", -1);
  guint n = g_strv_length (parts);
  g_autofree char *index
      = n > 2 ? g_strjoin (".", parts[n - 2], parts[n - 1], NULL) : g_strdup (registry);
  g_autofree char *name = strcmp (index, "docker.io") == 0 && !strchr (r->name, '/')
                              ? g_strconcat ("docker.io/library/", r->name, NULL)
                              : g_strconcat (registry, "/", r->name, NULL);
  g_autofree char *desc = g_strdup (r->description);
  g_strdelimit (desc, "\n", ' ');
  if (!no_trunc && strlen (desc) > 44)
    {
      const char *end = desc + 44;
      while (end > desc && (*end & 0xc0) == 0x80) /* not inside a character */
        end--;
      char *cut = g_strdup_printf ("%.*s...", (int)(end - desc), desc);
      g_free (desc);
      desc = cut;
    }
  JsonObject *o = result_row (registry, name, NULL);
  json_object_set_string_member (o, "Description", desc);
  json_object_set_int_member (o, "Stars", r->stars);
  json_object_set_string_member (o, "Official", r->official ? "[OK]" : "");
  json_object_set_string_member (o, "Automated", r->automated ? "[OK]" : "");
  return o;
}

static gboolean
v1_matches (const SearchFilter *f, const RegistrySearchResult *r)
{
  return r->stars >= f->stars && (f->official < 0 || f->official == r->official)
         && (f->automated < 0 || f->automated == r->automated);
}

/* A client for REGISTRY (PATH: a repository, or "" for the catalog) with
 * registries.conf's insecure setting unless --tls-verify was given. */
static RegistryClient *
connect_registry (RegistriesConf *conf, const char *registry, const char *path,
                  const RegistryOptions *o, GError **error)
{
  RegistryRef ref = { .domain = (char *)registry, .path = (char *)path };
  RegistryOptions ro = *o;
  const RegistryEntry *e;
  if (!cli_registry_entry (conf, &ref, &ro, cli_tls_given, &e, error))
    return NULL;
  return registry_client_new (&ref, &ro, FALSE, error);
}

/* One registry's rows: repositories containing TERM, or TERM's tags. */
static gboolean
search_registry (RegistriesConf *conf, const char *registry, const char *term, gboolean list_tags,
                 guint limit, gboolean no_trunc, const SearchFilter *f, const RegistryOptions *o,
                 GPtrArray *rows, GError **error)
{
  if (list_tags)
    {
      g_autofree char *name = g_strconcat (registry, "/", term, NULL);
      g_autoptr (RegistryRef) ref = registry_ref_parse (name, error);
      if (ref == NULL)
        return FALSE;
      /* A tag or digest in TERM is ignored, as podman does. */
      g_autoptr (RegistryClient) c = connect_registry (conf, registry, ref->path, o, error);
      g_autoptr (GPtrArray) tags = c ? registry_list_tags (c, error) : NULL;
      if (tags == NULL)
        return FALSE;
      g_autofree char *repo = registry_ref_repo (ref);
      for (guint i = 0; i < tags->len && i < limit; i++)
        g_ptr_array_add (rows, result_row (registry, repo, tags->pdata[i]));
      return TRUE;
    }
  /* Docker Hub answers searches at its v1 host, and finds official images
   * by their bare names (so does podman). */
  gboolean hub = strcmp (registry, "docker.io") == 0;
  if (hub && g_str_has_prefix (term, "library/"))
    term += strlen ("library/");
  g_autoptr (RegistryClient) c
      = connect_registry (conf, hub ? "index.docker.io" : registry, "", o, error);
  if (c == NULL)
    return FALSE;
  g_autoptr (GError) v1_error = NULL;
  g_autoptr (GPtrArray) found = *term ? registry_search (c, term, limit, &v1_error) : NULL;
  if (found)
    {
      for (guint i = 0; i < found->len; i++)
        if (v1_matches (f, found->pdata[i]))
          g_ptr_array_add (rows, v1_row (registry, found->pdata[i], no_trunc));
      return TRUE;
    }
  if (v1_error)
    cli_debug ("%s: no v1 search (%s), the catalog then", registry, v1_error->message);
  g_autoptr (GPtrArray) repos = registry_catalog (c, error);
  if (repos == NULL)
    return FALSE;
  guint n = 0;
  for (guint i = 0; i < repos->len && n < limit; i++)
    {
      const char *r = repos->pdata[i];
      /* Catalog entries have no stars and are neither official nor automated. */
      if (!strstr (r, term) || f->stars > 0 || f->official == 1 || f->automated == 1)
        continue;
      g_autofree char *name = g_strconcat (registry, "/", r, NULL);
      g_ptr_array_add (rows, result_row (registry, name, NULL));
      n++;
    }
  return TRUE;
}

static void
print_tags_json (GPtrArray *rows)
{
  /* podman: [{"Name": …, "Tags": […]}], one entry per repository. */
  g_autoptr (GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  for (guint i = 0; i < rows->len; i++)
    {
      const char *name = json_object_get_string_member (rows->pdata[i], "Name");
      const char *tag = json_object_get_string_member (rows->pdata[i], "Tag");
      JsonObject *e = out->len ? out->pdata[out->len - 1] : NULL;
      if (e == NULL || strcmp (json_object_get_string_member (e, "Name"), name) != 0)
        {
          e = json_object_new ();
          json_object_set_string_member (e, "Name", name);
          json_object_set_array_member (e, "Tags", json_array_new ());
          g_ptr_array_add (out, e);
        }
      json_array_add_string_element (json_object_get_array_member (e, "Tags"), tag);
    }
  cli_print_json_rows (out);
}

int
cli_search (CliGlobal *g, int argc, char **argv)
{
  g_autofree char *authfile = NULL, *creds = NULL, *cert_dir = NULL, *format = NULL;
  g_auto (GStrv) filters = NULL;
  gint limit = 0;
  gboolean list_tags = FALSE, no_trunc = FALSE;
  cli_tls_verify = TRUE;
  cli_tls_given = FALSE;
  const GOptionEntry entries[] = {
    CLI_REGISTRY_OPTIONS (authfile, creds, cert_dir),
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, "Results per registry (default 25)", "N" },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "json or a Go template", "FORMAT" },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters,
      "stars=N, is-official=BOOL, is-automated=BOOL", "FILTER" },
    { "list-tags", 0, 0, G_OPTION_ARG_NONE, &list_tags, "List the tags of the repository", NULL },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, "Do not truncate descriptions", NULL },
    { NULL },
  };
  if (!cli_parse_options (&argc, &argv, entries, "TERM", FALSE))
    return EXIT_PODUNIT;
  {
    g_autoptr (GError) check = NULL;
    if (!cli_check_authfile (authfile, &check))
      return cli_fail (check);
  }
  if (argc != 2)
    {
      cli_error ("search: requires exactly one term");
      return EXIT_PODUNIT;
    }
  g_autoptr (GError) error = NULL;
  if (list_tags && filters)
    {
      cli_error ("filters are not applicable to list tags result");
      return EXIT_PODUNIT;
    }
  if (limit < 0)
    {
      cli_error ("--limit %d: must not be negative", limit);
      return EXIT_PODUNIT;
    }
  SearchFilter f;
  if (!parse_filters (filters, &f, &error))
    return cli_fail (error);
  gboolean json = format && cli_template_is_json (format);
  g_autofree char *fmt
      = format && !json ? g_strdup (format)
        : list_tags     ? g_strdup ("table {{.Name}}\t{{.Tag}}")
                        : g_strdup ("table {{.Name}}\t{{.Description}}");
  g_autoptr (CliTemplate) t = json ? NULL : cli_template_new (fmt, NULL, &error);
  if (!json && t == NULL)
    return cli_fail (error);
  g_autoptr (RegistriesConf) conf = registries_conf_load (&error);
  if (conf == NULL)
    return cli_fail (error);

  const char *term = argv[1];
  const char *slash = strchr (term, '/');
  g_auto (GStrv) registries = slash ? g_new0 (char *, 2) : g_strdupv (conf->search);
  if (slash)
    {
      registries[0] = g_strndup (term, slash - term);
      term = slash + 1;
    }
  if (registries[0] == NULL)
    {
      cli_error ("no registries to search: name one (HOST/TERM) or set "
                 "unqualified-search-registries in %s",
                 conf->path);
      return EXIT_PODUNIT;
    }
  RegistryOptions o = {
    .insecure = !cli_tls_verify,
    .cert_dir = cert_dir,
    .authfile = authfile,
    .creds = creds,
  };
  g_autoptr (GPtrArray) rows = g_ptr_array_new_with_free_func ((GDestroyNotify)json_object_unref);
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);
  for (char **r = registries; *r; r++)
    {
      g_autoptr (GError) local = NULL;
      if (!search_registry (conf, *r, term, list_tags, limit ? (guint)limit : DEFAULT_LIMIT,
                            no_trunc, &f, &o, rows, &local))
        g_ptr_array_add (errors, list_tags ? g_strdup_printf ("getting repository tags: %s",
                                                              local->message)
                                           : g_strdup_printf ("couldn't search registry \"%s\": %s",
                                                              *r, local->message));
    }
  if (rows->len == 0 && errors->len)
    {
      g_autoptr (GString) msg = g_string_new (NULL);
      g_string_printf (msg, "%u error%s occurred:", errors->len, errors->len == 1 ? "" : "s");
      for (guint i = 0; i < errors->len; i++)
        g_string_append_printf (msg, "\n\t* %s", (char *)errors->pdata[i]);
      cli_error ("%s", msg->str);
      return EXIT_PODUNIT;
    }
  for (guint i = 0; i < errors->len; i++)
    cli_debug ("%s", (char *)errors->pdata[i]);
  if (rows->len == 0)
    return 0;
  if (json)
    {
      if (list_tags)
        print_tags_json (rows);
      else
        cli_print_json_rows (rows);
      return 0;
    }
  for (guint i = 0; i < rows->len; i++)
    if (!cli_template_add_row (t, rows->pdata[i], &error))
      return cli_fail (error);
  cli_template_print (t, FALSE);
  return 0;
}
