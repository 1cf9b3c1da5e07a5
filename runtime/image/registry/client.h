/* SPDX-License-Identifier: Apache-2.0 */
/* An OCI distribution API client for one repository, over libcurl:
 * the /v2/ ping (which also picks https or, for an insecure registry that
 * does not speak TLS, http), bearer-token and basic authentication, TLS
 * with the system CAs plus /etc/containers/certs.d/HOST[:PORT] (and
 * /etc/docker/certs.d): the .crt files are CAs, a .cert/.key pair a client cert.
 * Small documents (manifests, configs, tokens) are fetched whole; layer
 * blobs are streamed by pull.c on handles this file configures. */
#pragma once

#include "image/registry/reference.h"

#include <curl/curl.h>
#include <glib.h>
#include <json-glib/json-glib.h>

typedef struct
{
  gboolean insecure;     /* TLS not verified, plain http allowed (--tls-verify=false) */
  const char *cert_dir;  /* instead of certs.d (--cert-dir) */
  const char *authfile;  /* --authfile */
  const char *creds;     /* "user[:password]" (--creds) */
  const char *certs_d;   /* NULL: /etc/containers/certs.d (tests set another) */
  guint retries;         /* per blob: resumes of a dropped stream (--retry) */
  guint stall_timeout;   /* seconds without a byte before a transfer fails; 0: 60 */
  guint parallel;        /* concurrent blob downloads; 0: 6 */
  guint64 chunk_size;    /* push: bytes per PATCH of a blob upload; 0: REGISTRY_CHUNK_SIZE */
} RegistryOptions;

/* A pushed blob goes up in PATCHes of this much: a broken connection costs
 * at most one chunk again, and each chunk costs one round trip more. */
#define REGISTRY_CHUNK_SIZE (64 << 20)

typedef struct _RegistryClient RegistryClient;

/* Progress lines ("Copying blob sha256:…"); the engine prints nothing. */
typedef void (*RegistryProgressFunc) (const char *line, gpointer data);
/* Formats a progress line for PROGRESS (NULL: none wanted). */
void registry_say (RegistryProgressFunc progress, gpointer data, const char *fmt, ...)
    G_GNUC_PRINTF (3, 4);
/* O's member NAME when it is a string (manifests, configs), else NULL. */
const char *registry_json_string (JsonObject *o, const char *name);

/* Connects to REF's registry (ping, authentication) for PUSH (pull,push
 * scope) or pull. */
RegistryClient *registry_client_new (const RegistryRef *ref, const RegistryOptions *o,
                                     gboolean push, GError **error);
void registry_client_free (RegistryClient *c);
/* For login: HOST accepts O's credentials (--creds) on /v2/. */
gboolean registry_login_check (const char *host, const RegistryOptions *o, GError **error);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RegistryClient, registry_client_free)

const RegistryOptions *registry_client_options (RegistryClient *c);
/* "host[:port]" as typed, for messages. */
const char *registry_client_host (RegistryClient *c);

/* The manifests (and indexes) this client accepts. */
#define MEDIA_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MEDIA_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MEDIA_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MEDIA_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MEDIA_DOCKER_SCHEMA1 "application/vnd.docker.distribution.manifest.v1+json"
#define MEDIA_DOCKER_SCHEMA1_SIGNED "application/vnd.docker.distribution.manifest.v1+prettyjws"
#define MEDIA_DOCKER_CONFIG "application/vnd.docker.container.image.v1+json"
#define MEDIA_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MEDIA_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"
#define MEDIA_OCI_LAYER_GZIP "application/vnd.oci.image.layer.v1.tar+gzip"

#define REGISTRY_MAX_MANIFEST (4 << 20)

/* GET /v2/PATH/manifests/REFERENCE (at most 4 MiB). *MEDIA_TYPE gets the
 * Content-Type (or the document's mediaType). */
GBytes *registry_get_manifest (RegistryClient *c, const char *reference, char **media_type,
                               GError **error);
/* GET a small blob whole (at most MAX bytes), checked against DIGEST. */
GBytes *registry_get_blob (RegistryClient *c, const char *digest, gsize max, GError **error);
/* GET /v2/PATH/tags/list (following Link pagination). */
GPtrArray *registry_list_tags (RegistryClient *c, GError **error);
/* GET /v2/_catalog (following Link pagination): the registry's
 * repositories, for search (the client may have an empty path). */
GPtrArray *registry_catalog (RegistryClient *c, GError **error);

/* One answer of a v1 search. */
typedef struct
{
  char *name; /* "busybox", "radial/busyboxplus" */
  char *description;
  gint64 stars;
  gboolean official, automated;
} RegistrySearchResult;
void registry_search_result_free (RegistrySearchResult *r);
/* Docker Hub's search API, GET /v1/search?q=TERM&n=LIMIT (podman asks it of
 * every registry before the catalog): at most LIMIT results, in the
 * registry's order; NULL with ERROR when the registry does not answer it. */
GPtrArray *registry_search (RegistryClient *c, const char *term, guint limit, GError **error);

/* An easy handle for blob DIGEST with this client's TLS, auth, timeouts
 * and redirects set; OFFSET > 0 asks for the rest with Range. *HEADERS is
 * the request's header list (free it after the transfer). */
CURL *registry_blob_handle (RegistryClient *c, const char *digest, guint64 offset,
                            struct curl_slist **headers);
/* The URL of PATH below the repository ("blobs/uploads/"). */
char *registry_url (RegistryClient *c, const char *path);
/* A Location header made absolute ("/v2/…" is below the registry's base). */
char *registry_absolute_url (RegistryClient *c, const char *location);
/* Performs one request: METHOD with BODY (may be NULL; a blob's bytes go
 * with registry_upload_chunk), retried once after a 401 with fresh
 * authentication. Returns the HTTP status (0 with an error for a transport
 * failure); RESPONSE (may be NULL) gets the body, LOCATION (may be NULL)
 * the Location header. */
long registry_request (RegistryClient *c, const char *method, const char *url,
                       const char *content_type, GBytes *body, GBytes **response,
                       char **location, GError **error);

/* An error for an unexpected HTTP status ST of WHAT, with the registry's
 * own error code and message from BODY (may be NULL) when it sent one.
 * Returns FALSE. */
/* PATCHes LEN bytes of FD from OFFSET to the blob upload at LOCATION, with a
 * Content-Range when RANGED (one chunk of a larger blob). Returns the HTTP
 * status (0 with ERROR on a transport failure); *NEXT: the upload's next
 * Location. */
long registry_upload_chunk (RegistryClient *c, const char *location, int fd, guint64 offset,
                            guint64 len, gboolean ranged, GBytes **response, char **next,
                            GError **error);
/* Asks the registry how much of the upload at LOCATION it has (GET, its
 * Range header): *HAVE bytes, *NEXT the upload's next Location (or NULL).
 * FALSE when the upload is unknown to it (expired, or dropped after a
 * broken chunk). */
gboolean registry_upload_status (RegistryClient *c, const char *location, guint64 *have,
                                 char **next, GError **error);
gboolean registry_status_error (RegistryClient *c, long st, GBytes *body, const char *what,
                                GError **error);

/* A message for a failed transfer of WHAT from CURLcode R. */
void registry_set_curl_error (RegistryClient *c, GError **error, CURLcode r, const char *errbuf,
                              const char *what);
