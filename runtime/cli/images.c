/* SPDX-License-Identifier: Apache-2.0 */
/* podunit images [-a] [-q] [--no-trunc] [--digests] [-n] [--format T]
 * [--filter dangling=BOOL|reference=GLOB]: one row per name, podman's
 * columns, newest first. */
#include "cli/image-util.h"
#include "cli/template.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_FORMAT "table {{.Repository}}\\t{{.Tag}}\\t{{.ID}}\\t{{.Created}}\\t{{.Size}}"
#define DIGESTS_FORMAT                                                                             \
  "table {{.Repository}}\\t{{.Tag}}\\t{{.Digest}}\\t{{.ID}}\\t{{.Created}}\\t{{.Size}}"

typedef struct
{
  int dangling; /* -1 any, 0 named only, 1 dangling only */
  GPtrArray *references;
  char *before, *after; /* image refs: created before / after (since) it */
  GPtrArray *labels;    /* "k" or "k=v" */
} Filters;

static gboolean
parse_filters (char **filters, Filters *f, GError **error)
{
  f->dangling = -1;
  for (char **p = filters; p && *p; p++)
    {
      const char *eq = strchr (*p, '=');
      if (eq && g_str_has_prefix (*p, "dangling=")
          && (!strcmp (eq + 1, "true") || !strcmp (eq + 1, "false")))
        f->dangling = strcmp (eq + 1, "true") == 0;
      else if (eq && g_str_has_prefix (*p, "reference="))
        g_ptr_array_add (f->references, g_strdup (eq + 1));
      else if (eq && g_str_has_prefix (*p, "before="))
        {
          g_free (f->before);
          f->before = g_strdup (eq + 1);
        }
      else if (eq && (g_str_has_prefix (*p, "after=") || g_str_has_prefix (*p, "since=")))
        {
          g_free (f->after);
          f->after = g_strdup (eq + 1);
        }
      else if (eq && g_str_has_prefix (*p, "label="))
        g_ptr_array_add (f->labels, g_strdup (eq + 1));
      else if (!eq)
        {
          /* podman's words for a filter that is no KEY=VALUE at all */
          g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
                       "invalid image filter \"%s\": must be in the format \"filter=value or "
                       "filter!=value\"",
                       *p);
          return FALSE;
        }
      else
        {
          g_set_error (
              error, STORE_ERROR, STORE_ERROR_INVALID,
              "images: --filter %s is not supported (dangling=true|false, reference=PATTERN, "
              "before=IMAGE, after=IMAGE, since=IMAGE, label=KEY[=VALUE])", *p);
          return FALSE;
        }
    }
  return TRUE;
}

/* podman matches reference= against the full name and the name without
 * its registry ("busybox", "library/busybox:latest" …). */
static gboolean
reference_matches (Filters *f, const char *name)
{
  if (f->references->len == 0)
    return TRUE;
  for (guint i = 0; name && i < f->references->len; i++)
    {
      const char *pat = f->references->pdata[i];
      g_autofree char *tagged = strrchr (pat, ':') > strrchr (pat, '/')
                                    ? g_strdup (pat)
                                    : g_strconcat (pat, ":latest", NULL);
      for (const char *n = name; n; n = strchr (n, '/') ? strchr (n, '/') + 1 : NULL)
        if (g_pattern_match_simple (tagged, n) || g_pattern_match_simple (pat, n))
          return TRUE;
    }
  return FALSE;
}

static void
split_name (const char *name, char **repo, char **tag)
{
  const char *at = strchr (name, '@');
  const char *colon = strrchr (name, ':');
  const char *slash = strrchr (name, '/');
  if (at)
    {
      *repo = g_strndup (name, at - name);
      *tag = g_strdup ("<none>");
    }
  else if (colon && (!slash || colon > slash))
    {
      *repo = g_strndup (name, colon - name);
      *tag = g_strdup (colon + 1);
    }
  else
    {
      *repo = g_strdup (name);
      *tag = g_strdup ("<none>");
    }
}

static JsonObject *
image_row (StoreImage *img, const char *name, gboolean no_trunc, int containers)
{
  JsonObject *o = json_object_new ();
  g_autofree char *repo = NULL, *tag = NULL;
  if (name)
    split_name (name, &repo, &tag);
  const char *id = store_image_get_id (img);
  g_autofree char *full_id = g_strconcat ("sha256:", id, NULL);
  g_autofree char *short_id = g_strndup (id, 12);
  g_autofree char *size = cli_human_size (store_image_get_size (img));
  g_autofree char *ago = cli_human_ago (store_image_get_created (img));
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (store_image_get_created (img));
  g_autofree char *at = g_date_time_format (dt, "%Y-%m-%d %H:%M:%S +0000 UTC");
  json_object_set_string_member (o, "Repository", repo ? repo : "<none>");
  json_object_set_string_member (o, "Tag", tag ? tag : "<none>");
  json_object_set_string_member (o, "ID", no_trunc ? full_id : short_id);
  json_object_set_string_member (o, "Id", id);
  json_object_set_string_member (o, "Digest", store_image_get_digest (img));
  json_object_set_string_member (o, "Size", size);
  json_object_set_int_member (o, "VirtualSize", store_image_get_size (img));
  json_object_set_string_member (o, "Created", ago);
  json_object_set_string_member (o, "CreatedSince", ago);
  json_object_set_string_member (o, "CreatedAt", at);
  json_object_set_int_member (o, "CreatedUnix", store_image_get_created (img));
  JsonArray *names = json_array_new ();
  for (const char *const *n = store_image_get_names (img); *n; n++)
    json_array_add_string_element (names, *n);
  json_object_set_array_member (o, "Names", names);
  json_object_set_boolean_member (o, "Dangling", name == NULL);
  JsonObject *cfg = store_image_get_config (img);
  JsonNode *labels = cfg ? json_object_get_member (cfg, "Labels") : NULL;
  if (labels && JSON_NODE_HOLDS_OBJECT (labels))
    json_object_set_member (o, "Labels", json_node_copy (labels));
  else
    json_object_set_object_member (o, "Labels", json_object_new ());
  g_autofree char *history = g_strjoinv (", ", (char **) store_image_get_names_history (img));
  json_object_set_string_member (o, "History", history);
  json_object_set_boolean_member (o, "ReadOnly", FALSE);
  json_object_set_boolean_member (o, "IsReadOnly", FALSE);
  json_object_set_int_member (o, "Containers", containers);
  json_object_set_string_member (o, "SharedSize", "0 B");
  json_object_set_string_member (o, "UniqueSize", size);
  return o;
}

/* One image as podman's `images --format json` prints it (ImageSummary). */
static JsonObject *
image_json (StoreImage *img, int containers)
{
  JsonObject *o = json_object_new ();
  const char *const *names = store_image_get_names (img);
  json_object_set_string_member (o, "Id", store_image_get_id (img));
  json_object_set_string_member (o, "ParentId", "");
  JsonArray *tags = json_array_new (), *digests = json_array_new ();
  g_auto (GStrv) repo_digests = store_image_repo_digests (img);
  for (guint i = 0; names[i]; i++)
    json_array_add_string_element (tags, names[i]);
  for (guint i = 0; repo_digests[i]; i++)
    json_array_add_string_element (digests, repo_digests[i]);
  json_object_set_array_member (o, "RepoTags", tags);
  json_object_set_array_member (o, "RepoDigests", digests);
  json_object_set_int_member (o, "Created", store_image_get_created (img));
  json_object_set_int_member (o, "Size", store_image_get_size (img));
  json_object_set_int_member (o, "SharedSize", 0);
  json_object_set_int_member (o, "VirtualSize", store_image_get_size (img));
  JsonObject *cfg = store_image_get_config (img);
  JsonNode *labels = cfg ? json_object_get_member (cfg, "Labels") : NULL;
  if (labels && JSON_NODE_HOLDS_OBJECT (labels))
    json_object_set_member (o, "Labels", json_node_copy (labels));
  else
    json_object_set_object_member (o, "Labels", json_object_new ());
  json_object_set_int_member (o, "Containers", containers);
  JsonArray *na = json_array_new (), *hist = json_array_new ();
  for (guint i = 0; names[i]; i++)
    json_array_add_string_element (na, names[i]);
  for (const char *const *h = store_image_get_names_history (img); *h; h++)
    json_array_add_string_element (hist, *h);
  if (names[0])
    json_object_set_array_member (o, "Names", na);
  else
    json_array_unref (na);
  json_object_set_string_member (o, "Digest", store_image_get_digest (img));
  json_object_set_array_member (o, "History", hist);
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (store_image_get_created (img));
  g_autofree char *at = g_date_time_format_iso8601 (dt);
  json_object_set_string_member (o, "CreatedAt", at);
  return o;
}

static gboolean
labels_match (JsonObject *cfg, GPtrArray *filters)
{
  JsonNode *ln = cfg ? json_object_get_member (cfg, "Labels") : NULL;
  JsonObject *labels = ln && JSON_NODE_HOLDS_OBJECT (ln) ? json_node_get_object (ln) : NULL;
  for (guint i = 0; i < filters->len; i++)
    {
      g_auto (GStrv) kv = g_strsplit (filters->pdata[i], "=", 2);
      if (!labels || !json_object_has_member (labels, kv[0]))
        return FALSE;
      JsonNode *v = json_object_get_member (labels, kv[0]);
      if (kv[1] && (!JSON_NODE_HOLDS_VALUE (v) || g_strcmp0 (json_node_get_string (v), kv[1]) != 0))
        return FALSE;
    }
  return TRUE;
}

static const char *images_sort_key;

/* --sort: repository then tag, or one key; created and size newest/largest
 * first as podman's. */
static int
compare_rows (gconstpointer a, gconstpointer b)
{
  JsonObject *x = *(JsonObject **) a, *y = *(JsonObject **) b;
  const char *k = images_sort_key;
  if (g_str_equal (k, "created") || g_str_equal (k, "size"))
    {
      const char *m = k[0] == 'c' ? "CreatedUnix" : "VirtualSize";
      gint64 vx = json_object_get_int_member (x, m), vy = json_object_get_int_member (y, m);
      return vx > vy ? -1 : vx < vy;
    }
  if (g_str_equal (k, "id"))
    return strcmp (json_object_get_string_member (x, "Id"), json_object_get_string_member (y, "Id"));
  int r = 0;
  if (g_str_equal (k, "repository"))
    r = strcmp (json_object_get_string_member (x, "Repository"),
                json_object_get_string_member (y, "Repository"));
  return r ? r
           : strcmp (json_object_get_string_member (x, "Tag"),
                     json_object_get_string_member (y, "Tag"));
}

static GHashTable *
headers (void)
{
  GHashTable *h = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (h, "ID", "IMAGE ID");
  g_hash_table_insert (h, "Id", "IMAGE ID");
  g_hash_table_insert (h, "CreatedAt", "CREATED AT");
  g_hash_table_insert (h, "CreatedSince", "CREATED");
  g_hash_table_insert (h, "VirtualSize", "SIZE");
  return h;
}

int
cli_images (CliGlobal *g, int argc, char **argv)
{
  gboolean all = FALSE, quiet = FALSE, no_trunc = FALSE, digests = FALSE, noheading = FALSE;
  g_autofree char *format = NULL, *sort = NULL;
  g_auto (GStrv) filters = NULL;
  const GOptionEntry entries[] = {
    { "all", 'a', 0, G_OPTION_ARG_NONE, &all, "Show all images (no intermediate images exist)",
      NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &quiet, "Show image ids only", NULL },
    { "no-trunc", 0, 0, G_OPTION_ARG_NONE, &no_trunc, "Do not truncate ids", NULL },
    { "digests", 0, 0, G_OPTION_ARG_NONE, &digests, "Show digests", NULL },
    { "noheading", 'n', 0, G_OPTION_ARG_NONE, &noheading, "Do not print the header", NULL },
    { "format", 0, 0, G_OPTION_ARG_STRING, &format, "Go template (podman's subset)", "TEMPLATE" },
    { "sort", 0, 0, G_OPTION_ARG_STRING, &sort, "created, id, repository, size or tag", "KEY" },
    { "filter", 'f', 0, G_OPTION_ARG_STRING_ARRAY, &filters, "dangling=BOOL or reference=PATTERN",
      "FILTER" },
    { NULL },
  };
  g_autoptr (GError) error = NULL;

  if (!cli_parse_options (&argc, &argv, entries, "[IMAGE] - list images", FALSE))
    return EXIT_PODUNIT;
  Filters f = { .references = g_ptr_array_new_with_free_func (g_free),
                .labels = g_ptr_array_new_with_free_func (g_free) };
  g_autoptr (GPtrArray) refs = f.references;
  g_autoptr (GPtrArray) label_filters = f.labels;
  if (argc > 2)
    {
      cli_error ("images: at most one IMAGE filter argument");
      return EXIT_PODUNIT;
    }
  if (argc == 2)
    g_ptr_array_add (f.references, g_strdup (argv[1]));
  if (!parse_filters (filters, &f, &error))
    return cli_fail (error);

  const char *fmt = format ? format : digests ? DIGESTS_FORMAT : DEFAULT_FORMAT;
  if (quiet)
    fmt = "{{.ID}}";
  static const char *const sort_keys[] = { "created", "id", "repository", "size", "tag", NULL };
  if (sort && !g_strv_contains (sort_keys, sort))
    {
      cli_error ("invalid option for --sort, options are: [created id repository size tag]");
      return EXIT_PODUNIT;
    }
  gboolean json = cli_template_is_json (fmt);
  g_autoptr (GPtrArray) table_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autoptr (GHashTable) h = headers ();
  g_autoptr (CliTemplate) t = json ? NULL : cli_template_new (fmt, h, &error);
  if (t == NULL && !json)
    return cli_fail (error);
  g_autoptr (GPtrArray) json_rows = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);

  g_autoptr (Store) s = cli_store_open (g, &error);
  g_autoptr (GPtrArray) images = s ? store_list_images (s, &error) : NULL;
  if (images == NULL)
    return cli_fail (error);
  g_autofree char *before_s = f.before, *after_s = f.after;
  gint64 before = G_MAXINT64, after = G_MININT64;
  if (f.before || f.after)
    {
      g_autoptr (StoreImage) b = f.before ? store_lookup_image (s, f.before, &error) : NULL;
      if (f.before && !b)
        return cli_fail (error);
      g_autoptr (StoreImage) a = f.after ? store_lookup_image (s, f.after, &error) : NULL;
      if (f.after && !a)
        return cli_fail (error);
      before = b ? store_image_get_created (b) : before;
      after = a ? store_image_get_created (a) : after;
    }
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < images->len; i++)
    {
      StoreImage *img = images->pdata[i];
      /* Its tags; an image pulled only by digest is listed by those names
       * ("repo <none>"), as podman does, and is not dangling. */
      const char *const *names = store_image_get_names (img);
      if (names[0] == NULL)
        names = store_image_get_digested_names (img);
      gboolean dangling = names[0] == NULL;
      if (f.dangling >= 0 && dangling != f.dangling)
        continue;
      gint64 created = store_image_get_created (img);
      if (created >= before || created <= after)
        continue;
      if (!labels_match (store_image_get_config (img), label_filters))
        continue;
      guint n = g_strv_length ((char **)names);
      for (guint j = 0; j < MAX (n, 1); j++)
        {
          const char *name = n ? names[j] : NULL;
          if (!reference_matches (&f, name))
            continue;
          /* -q lists each image once, for `rmi $(images -q)`. */
          if ((quiet || json) && !g_hash_table_add (seen, (char *)store_image_get_id (img)))
            continue;
          g_autoptr (GPtrArray) users = cli_containers_using_image (g, store_image_get_id (img), NULL);
          int containers = users ? (int) users->len : 0;
          if (json)
            {
              g_ptr_array_add (json_rows, image_json (img, containers));
              continue;
            }
          g_ptr_array_add (table_rows, image_row (img, name, no_trunc, containers));
        }
    }
  if (sort)
    {
      images_sort_key = sort;
      g_ptr_array_sort (table_rows, compare_rows);
    }
  for (guint i = 0; i < table_rows->len; i++)
    if (!cli_template_add_row (t, table_rows->pdata[i], &error))
      return cli_fail (error);
  if (json)
    cli_print_json_rows (json_rows);
  else
    cli_template_print (t, noheading);
  return 0;
}
