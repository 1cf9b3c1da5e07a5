/* SPDX-License-Identifier: Apache-2.0 */
#include "image/registry/client.h"
#include "names.h"
#include "image/registry/auth.h"
#include "image/digest.h"

#include <errno.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <unistd.h>

struct _RegistryClient
{
  RegistryOptions o;
  char *host;     /* as in the name: "127.0.0.1:5000", "docker.io" */
  char *path;     /* repository path */
  char *base;     /* "https://registry-1.docker.io" */
  gboolean push;
  gboolean have_creds;
  char *user, *password;
  char *auth_header; /* "Authorization: …" or NULL */
  char *ca_file;     /* system CAs + certs.d *.crt, a temp file; NULL: curl's default */
  char *client_cert, *client_key;
};

/* What one request collected. */
typedef struct
{
  GByteArray *body;
  gsize max;
  gboolean too_large;
  char *www_authenticate;
  char *content_type;
  char *location;
  char *link;
  char *range;
  int upload_fd;
  guint64 upload_offset; /* where in UPLOAD_FD the body starts */
  guint64 upload_left;
} Exchange;

static void
exchange_clear (Exchange *x)
{
  if (x->body)
    g_byte_array_unref (x->body);
  g_free (x->www_authenticate);
  g_free (x->content_type);
  g_free (x->location);
  g_free (x->link);
  g_free (x->range);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Exchange, exchange_clear)

static size_t
on_body (char *ptr, size_t size, size_t n, void *data)
{
  Exchange *x = data;
  if (x->body->len + n > x->max)
    {
      x->too_large = TRUE;
      return 0;
    }
  g_byte_array_append (x->body, (const guint8 *)ptr, n);
  return n;
}

static char *
header_value (const char *line, size_t n, const char *name)
{
  gsize l = strlen (name);
  if (n <= l + 1 || g_ascii_strncasecmp (line, name, l) != 0 || line[l] != ':')
    return NULL;
  return g_strstrip (g_strndup (line + l + 1, n - l - 1));
}

static size_t
on_header (char *ptr, size_t size, size_t n, void *data)
{
  Exchange *x = data;
  char *v;
  /* A redirect's headers come before the final response's: keep the last. */
  if (n >= 5 && strncmp (ptr, "HTTP/", 5) == 0)
    {
      g_clear_pointer (&x->www_authenticate, g_free);
      g_clear_pointer (&x->content_type, g_free);
      g_clear_pointer (&x->link, g_free);
      g_clear_pointer (&x->range, g_free);
    }
  if ((v = header_value (ptr, n, "WWW-Authenticate")))
    g_free (x->www_authenticate), x->www_authenticate = v;
  else if ((v = header_value (ptr, n, "Content-Type")))
    g_free (x->content_type), x->content_type = v;
  else if ((v = header_value (ptr, n, "Location")))
    g_free (x->location), x->location = v;
  else if ((v = header_value (ptr, n, "Link")))
    g_free (x->link), x->link = v;
  else if ((v = header_value (ptr, n, "Range")))
    g_free (x->range), x->range = v;
  return n;
}

static size_t
on_upload (char *buf, size_t size, size_t n, void *data)
{
  Exchange *x = data;
  ssize_t r;
  if (x->upload_left == 0)
    return 0;
  do
    r = pread (x->upload_fd, buf, MIN (size * n, x->upload_left), x->upload_offset);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return CURL_READFUNC_ABORT;
  x->upload_offset += r;
  x->upload_left -= r;
  return r;
}

void
registry_say (RegistryProgressFunc progress, gpointer data, const char *fmt, ...)
{
  if (progress == NULL)
    return;
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *line = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  progress (line, data);
}

const char *
registry_json_string (JsonObject *o, const char *name)
{
  JsonNode *n = o && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
  return n && JSON_NODE_HOLDS_VALUE (n) && json_node_get_value_type (n) == G_TYPE_STRING
             ? json_node_get_string (n)
             : NULL;
}

const RegistryOptions *
registry_client_options (RegistryClient *c)
{
  return &c->o;
}

const char *
registry_client_host (RegistryClient *c)
{
  return c->host;
}

static void
setup_handle (RegistryClient *c, CURL *h, const char *url, char *errbuf)
{
  curl_easy_setopt (h, CURLOPT_URL, url);
  curl_easy_setopt (h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt (h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt (h, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt (h, CURLOPT_CONNECTTIMEOUT, 30L);
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt (h, CURLOPT_LOW_SPEED_TIME, (long)(c->o.stall_timeout ?: 60));
  curl_easy_setopt (h, CURLOPT_USERAGENT, "podunit");
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, errbuf);
  errbuf[0] = '\0';
  if (c->o.insecure)
    {
      curl_easy_setopt (h, CURLOPT_SSL_VERIFYPEER, 0L);
      curl_easy_setopt (h, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  if (c->ca_file)
    curl_easy_setopt (h, CURLOPT_CAINFO, c->ca_file);
  if (c->client_cert)
    {
      curl_easy_setopt (h, CURLOPT_SSLCERT, c->client_cert);
      curl_easy_setopt (h, CURLOPT_SSLKEY, c->client_key);
    }
}

void
registry_set_curl_error (RegistryClient *c, GError **error, CURLcode r, const char *errbuf,
                         const char *what)
{
  const char *msg = errbuf && *errbuf ? errbuf : curl_easy_strerror (r);
  switch (r)
    {
    case CURLE_OPERATION_TIMEDOUT:
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_NETWORK,
                   "%s from %s: the transfer stalled (no data for %u s): %s", what, c->host,
                   c->o.stall_timeout ?: 60, msg);
      break;
    case CURLE_TOO_MANY_REDIRECTS:
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_NETWORK,
                   "%s from %s: too many redirects (a redirect loop?): %s", what, c->host, msg);
      break;
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_TLS,
                   "%s from %s: TLS: %s (a private CA goes in /etc/containers/certs.d/%s/ca.crt; "
                   "--tls-verify=false skips the check)",
                   what, c->host, msg, c->host);
      break;
    case CURLE_COULDNT_RESOLVE_HOST:
      /* Not retried: a name that does not resolve will not in 2 s either. */
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_NOT_FOUND, "%s from %s: %s", what,
                   c->host, msg);
      break;
    default:
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_NETWORK, "%s from %s: %s", what,
                   c->host, msg);
    }
}

static gboolean http_error (RegistryClient *c, long st, Exchange *x, const char *what,
                            GError **error);

/* One request, no authentication retry. */
static long
perform (RegistryClient *c, const char *method, const char *url, struct curl_slist *extra,
         const char *content_type, GBytes *body, int upload_fd, guint64 size, gsize max,
         Exchange *x, const char *what, GError **error)
{
  CURL *h = curl_easy_init ();
  char errbuf[CURL_ERROR_SIZE];
  struct curl_slist *hdrs = NULL;
  for (struct curl_slist *l = extra; l; l = l->next)
    hdrs = curl_slist_append (hdrs, l->data);
  if (c->auth_header)
    hdrs = curl_slist_append (hdrs, c->auth_header);
  g_autofree char *ct = content_type ? g_strconcat ("Content-Type: ", content_type, NULL) : NULL;
  if (ct)
    hdrs = curl_slist_append (hdrs, ct);
  x->body = g_byte_array_new ();
  x->max = max;
  x->upload_fd = upload_fd;
  x->upload_left = size;
  setup_handle (c, h, url, errbuf);
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, hdrs);
  curl_easy_setopt (h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt (h, CURLOPT_WRITEDATA, x);
  curl_easy_setopt (h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (h, CURLOPT_HEADERDATA, x);
  if (strcmp (method, "HEAD") == 0)
    curl_easy_setopt (h, CURLOPT_NOBODY, 1L);
  else if (upload_fd >= 0)
    {
      curl_easy_setopt (h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt (h, CURLOPT_READFUNCTION, on_upload);
      curl_easy_setopt (h, CURLOPT_READDATA, x);
      curl_easy_setopt (h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)size);
      curl_easy_setopt (h, CURLOPT_CUSTOMREQUEST, method);
    }
  else if (body || strcmp (method, "GET") != 0)
    {
      gsize len = 0;
      const void *data = body ? g_bytes_get_data (body, &len) : "";
      curl_easy_setopt (h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
      curl_easy_setopt (h, CURLOPT_POSTFIELDS, data);
      curl_easy_setopt (h, CURLOPT_CUSTOMREQUEST, method);
    }
  CURLcode r = curl_easy_perform (h);
  long status = 0;
  curl_easy_getinfo (h, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup (h);
  curl_slist_free_all (hdrs);
  if (x->too_large)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                   "%s from %s: larger than %" G_GSIZE_FORMAT " bytes, refusing it", what, c->host,
                   max);
      return 0;
    }
  if (r != CURLE_OK)
    {
      registry_set_curl_error (c, error, r, errbuf, what);
      return 0;
    }
  return status;
}

/* key="value" pairs of a challenge, after its scheme. */
static GHashTable *
parse_challenge (const char *v)
{
  GHashTable *t = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  const char *p = v;
  while (*p)
    {
      while (*p == ' ' || *p == ',')
        p++;
      const char *eq = strchr (p, '=');
      if (eq == NULL)
        break;
      g_autofree char *key = g_ascii_strdown (p, eq - p);
      p = eq + 1;
      GString *val = g_string_new (NULL);
      if (*p == '"')
        {
          for (p++; *p && *p != '"'; p++)
            {
              if (*p == '\\' && p[1])
                p++;
              g_string_append_c (val, *p);
            }
          if (*p == '"')
            p++;
        }
      else
        while (*p && *p != ',')
          g_string_append_c (val, *p++);
      g_hash_table_replace (t, g_steal_pointer (&key), g_string_free (val, FALSE));
    }
  return t;
}

static gboolean
load_creds (RegistryClient *c, GError **error)
{
  if (c->have_creds)
    return TRUE;
  if (c->o.creds)
    {
      const char *colon = strchr (c->o.creds, ':');
      c->user = colon ? g_strndup (c->o.creds, colon - c->o.creds) : g_strdup (c->o.creds);
      c->password = g_strdup (colon ? colon + 1 : "");
    }
  else
    {
      g_autofree char *repo = g_strconcat (c->host, "/", c->path, NULL);
      if (!registry_auth_lookup (c->o.authfile, repo, &c->user, &c->password, error)
          && error && *error)
        return FALSE;
    }
  c->have_creds = TRUE;
  return TRUE;
}

static char *
basic_header (RegistryClient *c)
{
  g_autofree char *pair = g_strconcat (c->user, ":", c->password, NULL);
  g_autofree char *b64 = g_base64_encode ((const guchar *)pair, strlen (pair));
  return g_strconcat ("Authorization: Basic ", b64, NULL);
}

static gboolean
auth_failed (RegistryClient *c, long status, GError **error)
{
  if (c->user)
    g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_AUTH,
                 "authenticating to %s as %s: invalid username/password (HTTP %ld)", c->host,
                 c->user, status);
  else
    g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_AUTH,
                 "%s/%s: authentication required (HTTP %ld) and no credentials are stored for %s: "
                 "use podunit login %s or --creds",
                 c->host, c->path, status, c->host, c->host);
  return FALSE;
}

/* Answers the challenge of a 401: a bearer token from the realm, or basic. */
static gboolean
authenticate (RegistryClient *c, const char *challenge, GError **error)
{
  if (!load_creds (c, error))
    return FALSE;
  g_clear_pointer (&c->auth_header, g_free);
  if (challenge && g_ascii_strncasecmp (challenge, "Bearer ", 7) == 0)
    {
      g_autoptr (GHashTable) kv = parse_challenge (challenge + 7);
      const char *realm = g_hash_table_lookup (kv, "realm");
      const char *service = g_hash_table_lookup (kv, "service");
      if (realm == NULL)
        {
          g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_AUTH,
                       "%s: a bearer challenge without a realm: %s", c->host, challenge);
          return FALSE;
        }
      /* The repository's scope, and the one the challenge names when it
       * differs (registry:catalog:* for _catalog). No repository (login,
       * the first request of search): a token without a scope proves the
       * password. */
      g_autofree char *scope = *c->path ? g_strdup_printf ("repository:%s:%s", c->path,
                                                           c->push ? "pull,push" : "pull")
                                        : NULL;
      const char *asked = g_hash_table_lookup (kv, "scope");
      /* The challenge's scope is a space-separated list (a mount asks for
       * pull on the source repository too): one scope parameter each. */
      g_autoptr (GPtrArray) params = g_ptr_array_new_with_free_func (g_free);
      if (service)
        g_ptr_array_add (params, g_strconcat ("service=", service, NULL));
      if (scope)
        g_ptr_array_add (params, g_strconcat ("scope=", scope, NULL));
      g_auto (GStrv) more = g_strsplit (asked ? asked : "", " ", -1);
      for (char **m = more; *m; m++)
        if (**m && g_strcmp0 (*m, scope) != 0)
          g_ptr_array_add (params, g_strconcat ("scope=", *m, NULL));
      g_autoptr (GString) url = g_string_new (realm);
      for (guint i = 0; i < params->len; i++)
        {
          char *eq = strchr (params->pdata[i], '=');
          g_autofree char *e = g_uri_escape_string (eq + 1, NULL, FALSE);
          g_string_append_printf (url, "%c%.*s=%s", strchr (url->str, '?') ? '&' : '?',
                                  (int)(eq - (char *)params->pdata[i]), (char *)params->pdata[i],
                                  e);
        }
      struct curl_slist *extra = NULL;
      g_autofree char *basic = c->user ? basic_header (c) : NULL;
      if (basic)
        extra = curl_slist_append (extra, basic);
      g_auto (Exchange) x = { 0 };
      long st = perform (c, "GET", url->str, extra, NULL, NULL, -1, 0, 1 << 20, &x, "token", error);
      curl_slist_free_all (extra);
      if (st == 0)
        return FALSE;
      if (st == 401 || st == 403)
        return auth_failed (c, st, error);
      g_autoptr (JsonParser) p = json_parser_new ();
      JsonNode *root;
      if (st != 200
          || !json_parser_load_from_data (p, (const char *)x.body->data, x.body->len, NULL)
          || !(root = json_parser_get_root (p)) || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_AUTH,
                       "%s: no token from %s (HTTP %ld)", c->host, realm, st);
          return FALSE;
        }
      JsonObject *o = json_node_get_object (root);
      const char *tok = json_object_get_string_member_with_default (o, "token", NULL);
      if (tok == NULL || !*tok)
        tok = json_object_get_string_member_with_default (o, "access_token", NULL);
      if (tok == NULL || !*tok)
        {
          g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_AUTH,
                       "%s: the token answer of %s has no token", c->host, realm);
          return FALSE;
        }
      c->auth_header = g_strconcat ("Authorization: Bearer ", tok, NULL);
      return TRUE;
    }
  if (challenge && g_ascii_strncasecmp (challenge, "Basic", 5) == 0)
    {
      if (c->user == NULL)
        return auth_failed (c, 401, error);
      c->auth_header = basic_header (c);
      return TRUE;
    }
  g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_AUTH,
               "%s: HTTP 401 with an unsupported challenge: %s", c->host,
               challenge ? challenge : "(none)");
  return FALSE;
}

/* A request, authenticated again once after a 401. */
static long
request (RegistryClient *c, const char *method, const char *url, struct curl_slist *extra,
         const char *content_type, GBytes *body, int upload_fd, guint64 size, gsize max,
         Exchange *x, const char *what, GError **error)
{
  long st = perform (c, method, url, extra, content_type, body, upload_fd, size, max, x, what,
                     error);
  if (st != 401 || upload_fd >= 0)
    return st;
  gboolean had = c->auth_header != NULL && c->user != NULL;
  if (had && g_ascii_strncasecmp (c->auth_header, "Authorization: Basic", 20) == 0)
    return auth_failed (c, st, error), 0;
  g_autofree char *challenge = g_strdup (x->www_authenticate);
  exchange_clear (x);
  memset (x, 0, sizeof *x);
  if (!authenticate (c, challenge, error))
    return 0;
  st = perform (c, method, url, extra, content_type, body, upload_fd, size, max, x, what, error);
  if (st == 401)
    return auth_failed (c, st, error), 0;
  return st;
}

long
registry_request (RegistryClient *c, const char *method, const char *url,
                  const char *content_type, GBytes *body, GBytes **response, char **location,
                  GError **error)
{
  g_auto (Exchange) x = { 0 };
  long st = request (c, method, url, NULL, content_type, body, -1, 0, 16 << 20, &x, url, error);
  if (st && response)
    *response = g_bytes_new (x.body->data, x.body->len);
  if (st && location)
    *location = g_steal_pointer (&x.location);
  return st;
}

long
registry_upload_chunk (RegistryClient *c, const char *location, int fd, guint64 offset,
                       guint64 len, gboolean ranged, GBytes **response, char **next,
                       GError **error)
{
  g_auto (Exchange) x = { .upload_offset = offset };
  /* The distribution API's form: no "bytes " unit, the end inclusive. */
  g_autofree char *range = g_strdup_printf ("Content-Range: %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT,
                                            offset, offset + len - 1);
  struct curl_slist *extra = ranged && len ? curl_slist_append (NULL, range) : NULL;
  long st = request (c, "PATCH", location, extra, "application/octet-stream", NULL, fd, len,
                     16 << 20, &x, "a blob upload", error);
  curl_slist_free_all (extra);
  if (st && response)
    *response = g_bytes_new (x.body->data, x.body->len);
  if (st && next)
    *next = g_steal_pointer (&x.location);
  return st;
}

gboolean
registry_upload_status (RegistryClient *c, const char *location, guint64 *have, char **next,
                        GError **error)
{
  g_auto (Exchange) x = { 0 };
  g_autofree char *what = g_strdup_printf ("the state of upload %s", location);
  long st = request (c, "GET", location, NULL, NULL, NULL, -1, 0, 1 << 20, &x, what, error);
  if (st == 0)
    return FALSE;
  if (st != 204 && st != 200)
    return http_error (c, st, &x, what, error);
  /* "0-N": N+1 bytes; "0-0" is also what distribution says of an empty
   * upload, so it counts as none (one byte sent again at worst). */
  const char *r = x.range ? x.range : "";
  if (g_str_has_prefix (r, "bytes="))
    r += 6;
  const char *dash = strchr (r, '-');
  guint64 end = dash ? g_ascii_strtoull (dash + 1, NULL, 10) : 0;
  *have = end ? end + 1 : 0;
  *next = x.location ? g_steal_pointer (&x.location) : NULL;
  return TRUE;
}

gboolean
registry_status_error (RegistryClient *c, long st, GBytes *body, const char *what, GError **error)
{
  /* The distribution API's errors: {"errors":[{"code":…,"message":…}]}. */
  g_autofree char *detail = NULL;
  g_autoptr (JsonParser) p = json_parser_new ();
  JsonNode *root;
  gsize len = 0;
  const char *data = body ? g_bytes_get_data (body, &len) : NULL;
  if (len && json_parser_load_from_data (p, data, len, NULL)
      && (root = json_parser_get_root (p)) && JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonObject *o = json_node_get_object (root);
      JsonNode *errs = json_object_get_member (o, "errors");
      if (errs && JSON_NODE_HOLDS_ARRAY (errs) && json_array_get_length (json_node_get_array (errs)))
        {
          JsonNode *e0 = json_array_get_element (json_node_get_array (errs), 0);
          if (JSON_NODE_HOLDS_OBJECT (e0))
            detail = g_strdup_printf (
                "%s: %s",
                json_object_get_string_member_with_default (json_node_get_object (e0), "code", "?"),
                json_object_get_string_member_with_default (json_node_get_object (e0), "message",
                                                            ""));
        }
    }
  g_set_error (error, REGISTRY_ERROR,
               st == 404 ? REGISTRY_ERROR_NOT_FOUND
               : st == 401 || st == 403 ? REGISTRY_ERROR_AUTH
                                        : REGISTRY_ERROR_INVALID,
               "%s from %s%s%s: HTTP %ld%s%s", what, c->host, *c->path ? "/" : "", c->path, st,
               detail ? " " : "", detail ? detail : "");
  return FALSE;
}

static gboolean
http_error (RegistryClient *c, long st, Exchange *x, const char *what, GError **error)
{
  g_autoptr (GBytes) b = x->body ? g_bytes_new (x->body->data, x->body->len) : NULL;
  return registry_status_error (c, st, b, what, error);
}

char *
registry_url (RegistryClient *c, const char *path)
{
  return g_strdup_printf ("%s/v2/%s/%s", c->base, c->path, path);
}

char *
registry_absolute_url (RegistryClient *c, const char *location)
{
  if (location[0] == '/')
    return g_strconcat (c->base, location, NULL);
  return g_strdup (location);
}

GBytes *
registry_get_manifest (RegistryClient *c, const char *reference, char **media_type,
                       GError **error)
{
  g_autofree char *rel = g_strconcat ("manifests/", reference, NULL);
  g_autofree char *url = registry_url (c, rel);
  struct curl_slist *accept = curl_slist_append (
      NULL, "Accept: " MEDIA_OCI_MANIFEST ", " MEDIA_OCI_INDEX ", " MEDIA_DOCKER_MANIFEST
            ", " MEDIA_DOCKER_LIST ", " MEDIA_DOCKER_SCHEMA1_SIGNED ", " MEDIA_DOCKER_SCHEMA1);
  g_auto (Exchange) x = { 0 };
  g_autofree char *what = g_strdup_printf ("manifest %s", reference);
  long st = request (c, "GET", url, accept, NULL, NULL, -1, 0, REGISTRY_MAX_MANIFEST, &x, what,
                     error);
  curl_slist_free_all (accept);
  if (st == 0)
    return NULL;
  if (st != 200)
    {
      if (st == 404)
        g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_NOT_FOUND,
                     "%s/%s:%s: manifest unknown (HTTP 404)", c->host, c->path, reference);
      else
        http_error (c, st, &x, what, error);
      return NULL;
    }
  if (media_type)
    {
      char *semi = x.content_type ? strchr (x.content_type, ';') : NULL;
      if (semi)
        *semi = '\0';
      *media_type = g_strdup (x.content_type ? g_strstrip (x.content_type) : "");
    }
  return g_bytes_new (x.body->data, x.body->len);
}

GBytes *
registry_get_blob (RegistryClient *c, const char *digest, gsize max, GError **error)
{
  const char *hex = digest_hex (digest, "blob digest", error);
  if (hex == NULL)
    return NULL;
  g_autofree char *rel = g_strconcat ("blobs/", digest, NULL);
  g_autofree char *url = registry_url (c, rel);
  g_autofree char *what = g_strdup_printf ("blob %s", digest);
  g_auto (Exchange) x = { 0 };
  long st = request (c, "GET", url, NULL, NULL, NULL, -1, 0, max, &x, what, error);
  if (st == 0)
    return NULL;
  if (st != 200)
    {
      http_error (c, st, &x, what, error);
      return NULL;
    }
  g_autofree char *got = sha256_hex_of (x.body->data, x.body->len);
  if (strcmp (got, hex) != 0)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                   "%s from %s/%s: digest mismatch: the content is sha256:%s", what, c->host,
                   c->path, got);
      return NULL;
    }
  return g_bytes_new (x.body->data, x.body->len);
}

/* The strings of array MEMBER in the JSON objects of URL and the pages its
 * Link headers chain (the distribution API's pagination). */
static GPtrArray *
get_string_pages (RegistryClient *c, const char *first, const char *member, const char *what,
                  GError **error)
{
  g_autoptr (GPtrArray) items = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *url = g_strdup (first);
  for (int page = 0; url && page < 1000; page++)
    {
      g_auto (Exchange) x = { 0 };
      long st = request (c, "GET", url, NULL, NULL, NULL, -1, 0, 16 << 20, &x, what, error);
      if (st == 0)
        return NULL;
      if (st != 200)
        {
          http_error (c, st, &x, what, error);
          return NULL;
        }
      g_autoptr (JsonParser) p = json_parser_new ();
      JsonNode *root;
      if (!json_parser_load_from_data (p, (const char *)x.body->data, x.body->len, NULL)
          || !(root = json_parser_get_root (p)) || !JSON_NODE_HOLDS_OBJECT (root))
        {
          g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                       "%s from %s%s%s: not a JSON object", what, c->host, *c->path ? "/" : "",
                       c->path);
          return NULL;
        }
      JsonNode *tn = json_object_get_member (json_node_get_object (root), member);
      JsonArray *ta = tn && JSON_NODE_HOLDS_ARRAY (tn) ? json_node_get_array (tn) : NULL;
      for (guint i = 0; ta && i < json_array_get_length (ta); i++)
        {
          JsonNode *e = json_array_get_element (ta, i);
          if (JSON_NODE_HOLDS_VALUE (e) && json_node_get_value_type (e) == G_TYPE_STRING)
            g_ptr_array_add (items, g_strdup (json_node_get_string (e)));
        }
      g_clear_pointer (&url, g_free);
      /* Link: </v2/…?last=x&n=y>; rel="next" */
      if (x.link && strstr (x.link, "rel=\"next\"") && x.link[0] == '<' && strchr (x.link, '>'))
        {
          g_autofree char *rel = g_strndup (x.link + 1, strchr (x.link, '>') - x.link - 1);
          url = rel[0] == '/' ? g_strconcat (c->base, rel, NULL) : g_steal_pointer (&rel);
        }
    }
  return g_steal_pointer (&items);
}

GPtrArray *
registry_list_tags (RegistryClient *c, GError **error)
{
  g_autofree char *url = registry_url (c, "tags/list");
  return get_string_pages (c, url, "tags", "tag list", error);
}

GPtrArray *
registry_catalog (RegistryClient *c, GError **error)
{
  g_autofree char *url = g_strconcat (c->base, "/v2/_catalog", NULL);
  return get_string_pages (c, url, "repositories", "catalog", error);
}

void
registry_search_result_free (RegistrySearchResult *r)
{
  g_free (r->name);
  g_free (r->description);
  g_free (r);
}

GPtrArray *
registry_search (RegistryClient *c, const char *term, guint limit, GError **error)
{
  g_autofree char *q = g_uri_escape_string (term, NULL, FALSE);
  g_autofree char *url = g_strdup_printf ("%s/v1/search?q=%s&n=%u", c->base, q, limit);
  g_auto (Exchange) x = { 0 };
  /* Unauthenticated, as podman asks it. */
  long st = perform (c, "GET", url, NULL, NULL, NULL, -1, 0, 16 << 20, &x, "v1 search", error);
  if (st == 0)
    return NULL;
  if (st != 200)
    {
      http_error (c, st, &x, "v1 search", error);
      return NULL;
    }
  g_autoptr (JsonParser) p = json_parser_new ();
  JsonNode *root;
  JsonNode *rn;
  if (!json_parser_load_from_data (p, (const char *)x.body->data, x.body->len, NULL)
      || !(root = json_parser_get_root (p)) || !JSON_NODE_HOLDS_OBJECT (root)
      || !(rn = json_object_get_member (json_node_get_object (root), "results"))
      || !JSON_NODE_HOLDS_ARRAY (rn))
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                   "v1 search from %s: not a JSON object with results", c->host);
      return NULL;
    }
  JsonArray *a = json_node_get_array (rn);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify)registry_search_result_free);
  for (guint i = 0; i < json_array_get_length (a) && out->len < limit; i++)
    {
      JsonNode *en = json_array_get_element (a, i);
      JsonObject *e = JSON_NODE_HOLDS_OBJECT (en) ? json_node_get_object (en) : NULL;
      const char *name = registry_json_string (e, "name");
      if (name == NULL || !*name)
        continue;
      RegistrySearchResult *r = g_new0 (RegistrySearchResult, 1);
      r->name = g_strdup (name);
      const char *d = registry_json_string (e, "description");
      r->description = g_strdup (d ? d : "");
      JsonNode *v = json_object_get_member (e, "star_count");
      if (v && JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_INT64)
        r->stars = json_node_get_int (v);
      v = json_object_get_member (e, "is_official");
      r->official = v && JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_BOOLEAN
                    && json_node_get_boolean (v);
      v = json_object_get_member (e, "is_automated");
      r->automated = v && JSON_NODE_HOLDS_VALUE (v) && json_node_get_value_type (v) == G_TYPE_BOOLEAN
                     && json_node_get_boolean (v);
      g_ptr_array_add (out, r);
    }
  return out;
}

CURL *
registry_blob_handle (RegistryClient *c, const char *digest, guint64 offset,
                      struct curl_slist **headers)
{
  static __thread char errbuf_unused[CURL_ERROR_SIZE];
  CURL *h = curl_easy_init ();
  g_autofree char *rel = g_strconcat ("blobs/", digest, NULL);
  g_autofree char *url = registry_url (c, rel);
  setup_handle (c, h, url, errbuf_unused);
  curl_easy_setopt (h, CURLOPT_ERRORBUFFER, NULL);
  *headers = NULL;
  if (c->auth_header)
    *headers = curl_slist_append (*headers, c->auth_header);
  if (offset)
    {
      g_autofree char *range = g_strdup_printf ("%" G_GUINT64_FORMAT "-", offset);
      curl_easy_setopt (h, CURLOPT_RANGE, range);
    }
  curl_easy_setopt (h, CURLOPT_HTTPHEADER, *headers);
  /* Blobs are big: 256 KiB per callback instead of curl's 16 KiB, so a
   * sixteenth of the hash, write and unpacker calls for each blob. */
  curl_easy_setopt (h, CURLOPT_BUFFERSIZE, 256L << 10);
  return h;
}

/* ---- TLS material ---- */

static const char *const system_bundles[] = {
  "/etc/pki/tls/certs/ca-bundle.crt",   /* RHEL */
  "/etc/ssl/certs/ca-certificates.crt", /* Debian */
  "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
};

/* Reads the .crt files (CAs) and a .cert + .key client pair in DIR. */
static gboolean
load_cert_dir (RegistryClient *c, const char *dir, GError **error)
{
  g_autoptr (GDir) d = g_dir_open (dir, 0, NULL);
  if (d == NULL)
    return TRUE;
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *n;
  while ((n = g_dir_read_name (d)))
    g_ptr_array_add (names, g_strdup (n));
  g_ptr_array_sort (names, name_compare);
  g_autoptr (GString) pem = g_string_new (NULL);
  for (guint i = 0; i < names->len; i++)
    {
      const char *name = names->pdata[i];
      g_autofree char *path = g_build_filename (dir, name, NULL);
      if (g_str_has_suffix (name, ".crt"))
        {
          g_autofree char *data = NULL;
          if (!g_file_get_contents (path, &data, NULL, NULL))
            {
              g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_NETWORK, "cannot read %s", path);
              return FALSE;
            }
          g_string_append (pem, data);
          g_string_append_c (pem, '\n');
        }
      else if (g_str_has_suffix (name, ".cert") && c->client_cert == NULL)
        {
          g_autofree char *stem = g_strndup (path, strlen (path) - 5);
          g_autofree char *key = g_strconcat (stem, ".key", NULL);
          if (!g_file_test (key, G_FILE_TEST_EXISTS))
            {
              g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_NETWORK,
                           "%s has no key: missing %s", path, key);
              return FALSE;
            }
          c->client_cert = g_strdup (path);
          c->client_key = g_steal_pointer (&key);
        }
    }
  if (pem->len == 0)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (system_bundles); i++)
    {
      g_autofree char *sys = NULL;
      if (g_file_get_contents (system_bundles[i], &sys, NULL, NULL))
        {
          g_string_prepend (pem, sys);
          break;
        }
    }
  g_autofree char *prev = NULL;
  if (c->ca_file && g_file_get_contents (c->ca_file, &prev, NULL, NULL))
    g_string_append (pem, prev);
  if (c->ca_file == NULL)
    {
      int fd = g_file_open_tmp ("podunit-ca-XXXXXX.pem", &c->ca_file, error);
      if (fd < 0)
        return FALSE;
      close (fd);
    }
  return g_file_set_contents (c->ca_file, pem->str, pem->len, error);
}

/* ---- connecting ---- */

static gboolean
ping (RegistryClient *c, GError **error)
{
  const char *api_host = strcmp (c->host, "docker.io") == 0 ? "registry-1.docker.io" : c->host;
  for (int attempt = 0; attempt < 2; attempt++)
    {
      g_free (c->base);
      c->base = g_strconcat (attempt ? "http://" : "https://", api_host, NULL);
      g_autofree char *url = g_strconcat (c->base, "/v2/", NULL);
      g_auto (Exchange) x = { 0 };
      g_autoptr (GError) local = NULL;
      long st = perform (c, "GET", url, NULL, NULL, NULL, -1, 0, 1 << 20, &x, "ping", &local);
      if (st == 0)
        {
          /* An insecure registry may speak plain http (podman falls back too). */
          if (attempt == 0 && c->o.insecure)
            continue;
          g_propagate_error (error, g_steal_pointer (&local));
          return FALSE;
        }
      if (st == 200)
        return TRUE;
      if (st == 401)
        return authenticate (c, x.www_authenticate, error);
      if (st == 400 && attempt == 0 && c->o.insecure)
        continue; /* "Client sent an HTTP request to an HTTPS server" the other way round */
      return http_error (c, st, &x, "ping", error);
    }
  return FALSE;
}

gboolean
registry_login_check (const char *host, const RegistryOptions *o, GError **error)
{
  RegistryRef ref = { .domain = (char *)host, .path = (char *)"" };
  g_autoptr (RegistryClient) c = registry_client_new (&ref, o, FALSE, error);
  if (c == NULL)
    return FALSE;
  g_autofree char *url = g_strconcat (c->base, "/v2/", NULL);
  g_auto (Exchange) x = { 0 };
  long st = perform (c, "GET", url, NULL, NULL, NULL, -1, 0, 1 << 20, &x, "ping", error);
  if (st == 0)
    return FALSE;
  if (st == 401 || st == 403)
    return auth_failed (c, st, error);
  return st == 200 || http_error (c, st, &x, "ping", error);
}

RegistryClient *
registry_client_new (const RegistryRef *ref, const RegistryOptions *o, gboolean push,
                     GError **error)
{
  static gsize inited;
  if (g_once_init_enter (&inited))
    {
      curl_global_init (CURL_GLOBAL_DEFAULT);
      g_once_init_leave (&inited, 1);
    }
  g_autoptr (RegistryClient) c = g_new0 (RegistryClient, 1);
  c->o = *o;
  c->host = g_strdup (ref->domain);
  c->path = g_strdup (ref->path);
  c->push = push;
  if (o->cert_dir)
    {
      if (!load_cert_dir (c, o->cert_dir, error))
        return NULL;
    }
  else
    {
      g_autofree char *a = g_build_filename (o->certs_d ? o->certs_d : "/etc/containers/certs.d",
                                             c->host, NULL);
      g_autofree char *b = g_build_filename ("/etc/docker/certs.d", c->host, NULL);
      if (!load_cert_dir (c, a, error) || !load_cert_dir (c, b, error))
        return NULL;
    }
  if (!ping (c, error))
    return NULL;
  return g_steal_pointer (&c);
}

void
registry_client_free (RegistryClient *c)
{
  if (c == NULL)
    return;
  if (c->ca_file)
    unlink (c->ca_file);
  g_free (c->ca_file);
  g_free (c->client_cert);
  g_free (c->client_key);
  g_free (c->host);
  g_free (c->path);
  g_free (c->base);
  g_free (c->user);
  if (c->password)
    memset (c->password, 0, strlen (c->password));
  g_free (c->password);
  g_free (c->auth_header);
  g_free (c);
}
