/* SPDX-License-Identifier: Apache-2.0 */
#include "image/registry/reference.h"
#include "image/digest.h"

#include <string.h>

G_DEFINE_QUARK (podunit-registry-error-quark, registry_error)

static gboolean
has_domain (const char *name)
{
  const char *slash = strchr (name, '/');
  if (slash == NULL)
    return FALSE;
  return memchr (name, '.', slash - name) || memchr (name, ':', slash - name)
         || (slash - name == 9 && strncmp (name, "localhost", 9) == 0);
}

gboolean
registry_name_is_short (const char *name)
{
  return !has_domain (name);
}

static gboolean
valid_path (const char *p)
{
  /* distribution's grammar: lowercase alphanumerics separated by '.', '_',
   * '__', '-'+ and '/' between components. */
  if (*p == '\0')
    return FALSE;
  for (const char *c = p; *c; c++)
    if (!(g_ascii_islower (*c) || g_ascii_isdigit (*c) || strchr ("._-/", *c)))
      return FALSE;
  return !strstr (p, "//") && p[0] != '/' && p[strlen (p) - 1] != '/';
}

static gboolean
valid_tag (const char *t)
{
  gsize n = strlen (t);
  if (n == 0 || n > 128 || t[0] == '.' || t[0] == '-')
    return FALSE;
  for (const char *c = t; *c; c++)
    if (!(g_ascii_isalnum (*c) || strchr ("._-", *c)))
      return FALSE;
  return TRUE;
}

RegistryRef *
registry_ref_parse (const char *name, GError **error)
{
  g_autoptr (RegistryRef) r = g_new0 (RegistryRef, 1);
  g_autofree char *rest = NULL;
  if (name == NULL || *name == '\0')
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID, "invalid image name ''");
      return NULL;
    }
  g_autofree char *n = g_strdup (name);
  if (g_str_has_prefix (n, "docker://"))
    memmove (n, n + 9, strlen (n + 9) + 1);
  char *at = strchr (n, '@');
  if (at)
    {
      *at = '\0';
      g_autoptr (GError) local = NULL;
      if (digest_hex (at + 1, "digest", &local) == NULL)
        {
          g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                       "invalid image name '%s': bad digest (want sha256:<64 hex>)", name);
          return NULL;
        }
      r->digest = g_strdup (at + 1);
    }
  if (has_domain (n))
    {
      char *slash = strchr (n, '/');
      r->domain = g_strndup (n, slash - n);
      rest = g_strdup (slash + 1);
    }
  else
    {
      r->domain = g_strdup ("docker.io");
      rest = strchr (n, '/') ? g_strdup (n) : g_strconcat ("library/", n, NULL);
    }
  if (strcmp (r->domain, "index.docker.io") == 0)
    {
      g_free (r->domain);
      r->domain = g_strdup ("docker.io");
    }
  if (strcmp (r->domain, "docker.io") == 0 && !strchr (rest, '/'))
    {
      char *l = g_strconcat ("library/", rest, NULL);
      g_free (rest);
      rest = l;
    }
  char *last = strrchr (rest, '/');
  char *colon = strchr (last ? last : rest, ':');
  if (colon)
    {
      *colon = '\0';
      r->tag = g_strdup (colon + 1);
      if (!valid_tag (r->tag))
        {
          g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                       "invalid image name '%s': bad tag '%s'", name, r->tag);
          return NULL;
        }
    }
  if (!valid_path (rest))
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                   "invalid image name '%s': the repository must be lowercase letters, digits, "
                   "'.', '_', '-' and '/'",
                   name);
      return NULL;
    }
  r->path = g_steal_pointer (&rest);
  if (r->tag == NULL && r->digest == NULL)
    r->tag = g_strdup ("latest");
  return g_steal_pointer (&r);
}

void
registry_ref_free (RegistryRef *r)
{
  if (r == NULL)
    return;
  g_free (r->domain);
  g_free (r->path);
  g_free (r->tag);
  g_free (r->digest);
  g_free (r);
}

char *
registry_ref_repo (const RegistryRef *r)
{
  return g_strconcat (r->domain, "/", r->path, NULL);
}

char *
registry_ref_string (const RegistryRef *r)
{
  return g_strconcat (r->domain, "/", r->path, r->tag ? ":" : "", r->tag ? r->tag : "",
                      r->digest ? "@" : "", r->digest ? r->digest : "", NULL);
}

const char *
registry_ref_reference (const RegistryRef *r)
{
  return r->digest ? r->digest : r->tag;
}
