/* SPDX-License-Identifier: Apache-2.0 */
#include "image/registry/auth.h"
#include "image/registry/reference.h"
#include "image/store-fs.h"
#include "error.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

static GPtrArray *
default_files (void)
{
  GPtrArray *files = g_ptr_array_new_with_free_func (g_free);
  const char *rt = g_getenv ("XDG_RUNTIME_DIR");
  if (rt && *rt)
    g_ptr_array_add (files, g_build_filename (rt, "containers", "auth.json", NULL));
  else
    g_ptr_array_add (files, g_strdup_printf ("/run/containers/%u/auth.json", (unsigned)getuid ()));
  const char *cfg = g_getenv ("XDG_CONFIG_HOME");
  if (cfg && *cfg)
    g_ptr_array_add (files, g_build_filename (cfg, "containers", "auth.json", NULL));
  else
    g_ptr_array_add (files,
                     g_build_filename (g_get_home_dir (), ".config", "containers", "auth.json", NULL));
  const char *dc = g_getenv ("DOCKER_CONFIG");
  if (dc && *dc)
    g_ptr_array_add (files, g_build_filename (dc, "config.json", NULL));
  else
    g_ptr_array_add (files, g_build_filename (g_get_home_dir (), ".docker", "config.json", NULL));
  return files;
}

static const char *
explicit_file (const char *authfile)
{
  if (authfile && *authfile)
    return authfile;
  const char *env = g_getenv ("REGISTRY_AUTH_FILE");
  return env && *env ? env : NULL;
}

char *
registry_auth_file_for_write (const char *authfile)
{
  const char *f = explicit_file (authfile);
  if (f)
    return g_strdup (f);
  g_autoptr (GPtrArray) files = default_files ();
  return g_strdup (files->pdata[0]);
}

static JsonNode *
read_file (const char *path, gboolean *missing, GError **error)
{
  g_autofree char *data = NULL;
  gsize len;
  g_autoptr (GError) local = NULL;
  *missing = FALSE;
  if (!g_file_get_contents (path, &data, &len, &local))
    {
      if (g_error_matches (local, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        {
          *missing = TRUE;
          return NULL;
        }
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_AUTH, "reading %s: %s", path,
                   local->message);
      return NULL;
    }
  g_autoptr (JsonParser) p = json_parser_new ();
  if (len == 0)
    return json_node_init_object (json_node_alloc (), json_object_new ());
  if (!json_parser_load_from_data (p, data, len, &local) || json_parser_get_root (p) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (p)))
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_AUTH, "%s: not a JSON object%s%s", path,
                   local ? ": " : "", local ? local->message : "");
      return NULL;
    }
  return json_node_copy (json_parser_get_root (p));
}

static JsonObject *
member_object (JsonObject *o, const char *name)
{
  JsonNode *n = o && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
  return n && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static const char *
member_string (JsonObject *o, const char *name)
{
  JsonNode *n = o && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
             ? json_node_get_string (n)
             : NULL;
}

/* One file: 1 found, 0 not there, -1 error. */
static int
lookup_in (const char *path, const char *repo, char **user, char **password, GError **error)
{
  gboolean missing;
  g_autoptr (JsonNode) root = read_file (path, &missing, error);
  if (root == NULL)
    return missing ? 0 : -1;
  JsonObject *o = json_node_get_object (root);
  g_autofree char *host = g_strndup (repo, strcspn (repo, "/"));
  JsonObject *helpers = member_object (o, "credHelpers");
  const char *store = member_string (o, "credsStore");
  if ((helpers && json_object_has_member (helpers, host)) || store)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_UNSUPPORTED,
                   "%s: credential helper \"%s\" for %s is not supported: use podunit login", path,
                   store && !(helpers && json_object_has_member (helpers, host))
                       ? store
                       : member_string (helpers, host),
                   host);
      return -1;
    }
  JsonObject *auths = member_object (o, "auths");
  if (auths == NULL)
    return 0;
  g_autofree char *key = g_strdup (repo);
  JsonObject *entry = NULL;
  for (;;)
    {
      entry = member_object (auths, key);
      /* Docker writes URLs ("https://index.docker.io/v1/"), podman hosts. */
      if (entry == NULL && !strchr (key, '/'))
        {
          GList *members = json_object_get_members (auths);
          for (GList *l = members; l && !entry; l = l->next)
            {
              const char *k = l->data;
              const char *h = g_str_has_prefix (k, "https://")  ? k + 8
                              : g_str_has_prefix (k, "http://") ? k + 7
                                                                : NULL;
              if (h == NULL)
                continue;
              gsize n = strcspn (h, "/");
              if ((strlen (key) == n && strncmp (h, key, n) == 0)
                  || (strcmp (key, "docker.io") == 0 && strncmp (h, "index.docker.io", n) == 0
                      && n == 15))
                entry = member_object (auths, k);
            }
          g_list_free (members);
        }
      if (entry)
        break;
      char *slash = strrchr (key, '/');
      if (slash == NULL)
        return 0;
      *slash = '\0';
    }
  const char *auth = member_string (entry, "auth");
  if (auth == NULL)
    return 0;
  gsize len;
  g_autofree guchar *dec = g_base64_decode (auth, &len);
  g_autofree char *s = g_strndup ((const char *)dec, len);
  char *colon = strchr (s, ':');
  if (colon == NULL)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_AUTH,
                   "%s: the \"auth\" of %s is not base64 of user:password", path, key);
      return -1;
    }
  *colon = '\0';
  *user = g_strdup (s);
  *password = g_strdup (colon + 1);
  return 1;
}

gboolean
registry_auth_lookup (const char *authfile, const char *repo, char **user, char **password,
                      GError **error)
{
  const char *f = explicit_file (authfile);
  if (f)
    return lookup_in (f, repo, user, password, error) > 0;
  g_autoptr (GPtrArray) files = default_files ();
  for (guint i = 0; i < files->len; i++)
    {
      int r = lookup_in (files->pdata[i], repo, user, password, error);
      if (r != 0)
        return r > 0;
    }
  return FALSE;
}

gboolean
registry_auth_store (const char *file, const char *key, const char *user, const char *password,
                     gboolean *removed, GError **error)
{
  gboolean missing;
  g_autoptr (JsonNode) root = read_file (file, &missing, error);
  if (root == NULL && !missing)
    return FALSE;
  if (root == NULL)
    root = json_node_init_object (json_node_alloc (), json_object_new ());
  JsonObject *o = json_node_get_object (root);
  JsonObject *auths = member_object (o, "auths");
  if (auths == NULL)
    {
      auths = json_object_new ();
      json_object_set_object_member (o, "auths", auths);
    }
  if (removed)
    *removed = json_object_has_member (auths, key);
  if (password == NULL)
    {
      if (!json_object_has_member (auths, key))
        return TRUE;
      json_object_remove_member (auths, key);
    }
  else
    {
      g_autofree char *pair = g_strconcat (user, ":", password, NULL);
      g_autofree char *b64 = g_base64_encode ((const guchar *)pair, strlen (pair));
      JsonObject *e = json_object_new ();
      json_object_set_string_member (e, "auth", b64);
      json_object_set_object_member (auths, key, e);
    }
  g_autofree char *dir = g_path_get_dirname (file);
  if (!fs_mkdir_p (dir, 0700, error))
    return FALSE;
  g_autoptr (JsonGenerator) g = json_generator_new ();
  json_generator_set_root (g, root);
  json_generator_set_pretty (g, TRUE);
  g_autofree char *json = json_generator_to_data (g, NULL);
  g_autofree char *data = g_strconcat (json, "\n", NULL);
  if (write_file_atomic (AT_FDCWD, file, data, strlen (data), 0600, WRITE_DURABLE) < 0)
    return errno_error (error, REGISTRY_ERROR, REGISTRY_ERROR_AUTH, errno, "cannot write %s",
                        file);
  return TRUE;
}
