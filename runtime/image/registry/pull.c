/* SPDX-License-Identifier: Apache-2.0 */
#include "image/registry/pull.h"
#include "image/digest.h"
#include "fdio.h"

#include <errno.h>
#include <fcntl.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_CONFIG (16 << 20)

typedef struct _Pull Pull;

typedef struct
{
  Pull *p;
  char *digest;
  const char *hex; /* into digest */
  char *diff_hex;
  char *media_type;
  guint64 size;
  gboolean unpack; /* stream into store_txn_unpack_layer while downloading */
  CURL *h;
  struct curl_slist *hdrs;
  char errbuf[CURL_ERROR_SIZE];
  int file_fd;
  char *file_path;
  char *wbuf; /* O_DIRECT: bytes not yet written, less than a block or a buffer */
  size_t wlen;
  int sock_w, sock_r;
  GThread *thread;
  GError *unpack_error;
  Sha256 *hash;
  guint64 received;
  guint64 offset;      /* where the current request starts */
  guint64 skip;        /* bytes of a 200 answer to a Range request already seen */
  gint64 range_start;  /* from Content-Range, -1 none */
  gboolean status_checked;
  guint attempts;
  gboolean corrupt; /* its bytes are wrong: not kept for a retry */
  GError *error;
} Blob;

struct _RegistryResume
{
  StoreTxn *t;
  GHashTable *partial; /* blob digest -> staged file with its first bytes */
};

RegistryResume *
registry_resume_new (void)
{
  RegistryResume *r = g_new0 (RegistryResume, 1);
  r->partial = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return r;
}

void
registry_resume_free (RegistryResume *r)
{
  if (r == NULL)
    return;
  if (r->t)
    store_txn_free (r->t); /* removes the staging dir and what it holds */
  g_hash_table_unref (r->partial);
  g_free (r);
}

struct _Pull
{
  Store *s;
  StoreTxn *t;
  RegistryClient *c;
  const RegistryRef *ref;
  RegistryResume *resume;
  RegistryProgressFunc progress;
  gpointer progress_data;
};

#define say(p, ...) registry_say ((p)->progress, (p)->progress_data, __VA_ARGS__)

const char *
registry_host_arch (void)
{
#if defined(__x86_64__)
  return "amd64";
#elif defined(__aarch64__)
  return "arm64";
#elif defined(__s390x__)
  return "s390x";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
  return "ppc64le";
#elif defined(__i386__)
  return "386";
#elif defined(__arm__)
  return "arm";
#else
  return "unknown";
#endif
}

/* ---- manifests ---- */

static JsonNode *
parse_object (GBytes *b, const char *what, GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data (b, &len);
  g_autoptr (JsonParser) jp = json_parser_new ();
  g_autoptr (GError) local = NULL;
  if (!json_parser_load_from_data (jp, data, len, &local) || json_parser_get_root (jp) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (jp)))
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID, "%s: not a JSON object%s%s",
                   what, local ? ": " : "", local ? local->message : "");
      return NULL;
    }
  return json_node_copy (json_parser_get_root (jp));
}


static JsonObject *
obj_member (JsonObject *o, const char *name)
{
  JsonNode *n = o && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
  return n && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static JsonArray *
array_member (JsonObject *o, const char *name)
{
  JsonNode *n = o && json_object_has_member (o, name) ? json_object_get_member (o, name) : NULL;
  return n && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
}

/* Fetches the manifest REFERENCE, checking it against DIGEST when set. */
static GBytes *
fetch_manifest (Pull *p, const char *reference, const char *digest, char **media_type,
                JsonNode **parsed, GError **error)
{
  g_autofree char *ct = NULL;
  g_autoptr (GBytes) b = registry_get_manifest (p->c, reference, &ct, error);
  if (b == NULL)
    return NULL;
  g_autofree char *name = registry_ref_repo (p->ref);
  g_autofree char *what = g_strdup_printf ("manifest %s of %s", reference, name);
  if (digest)
    {
      gsize len;
      const void *data = g_bytes_get_data (b, &len);
      g_autofree char *got = sha256_hex_of (data, len);
      if (strcmp (got, digest + strlen ("sha256:")) != 0)
        {
          g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                       "%s: digest mismatch: the content is sha256:%s", what, got);
          return NULL;
        }
    }
  g_autoptr (JsonNode) n = parse_object (b, what, error);
  if (n == NULL)
    return NULL;
  JsonObject *o = json_node_get_object (n);
  const char *mt = registry_json_string (o, "mediaType");
  if (mt == NULL || (ct && *ct && strcmp (ct, "application/json") != 0 && strcmp (ct, "text/plain") != 0))
    mt = ct && *ct ? ct : mt;
  if ((mt && (strcmp (mt, MEDIA_DOCKER_SCHEMA1) == 0 || strcmp (mt, MEDIA_DOCKER_SCHEMA1_SIGNED) == 0))
      || json_object_get_int_member_with_default (o, "schemaVersion", 2) == 1)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_UNSUPPORTED,
                   "%s: Docker schema 1 manifests are not supported (deprecated since 2017); "
                   "push the image again with a current tool (schema 2 or OCI)",
                   what);
      return NULL;
    }
  if (mt == NULL)
    mt = array_member (o, "manifests") ? MEDIA_OCI_INDEX : MEDIA_OCI_MANIFEST;
  *media_type = g_strdup (mt);
  *parsed = g_steal_pointer (&n);
  return g_steal_pointer (&b);
}

static gboolean
is_index (const char *mt)
{
  return strcmp (mt, MEDIA_OCI_INDEX) == 0 || strcmp (mt, MEDIA_DOCKER_LIST) == 0;
}

/* Picks the platform's entry of an index, as podman does: os and
 * architecture must match, the variant too when one is asked for. */
static char *
choose_platform (Pull *p, JsonObject *index, const RegistryPlatform *pl, GError **error)
{
  const char *os = pl && pl->os ? pl->os : "linux";
  const char *arch = pl && pl->arch ? pl->arch : registry_host_arch ();
  const char *variant = pl ? pl->variant : NULL;
  JsonArray *ms = array_member (index, "manifests");
  g_autoptr (GString) present = g_string_new (NULL);
  for (guint i = 0; ms && i < json_array_get_length (ms); i++)
    {
      JsonNode *en = json_array_get_element (ms, i);
      JsonObject *e = JSON_NODE_HOLDS_OBJECT (en) ? json_node_get_object (en) : NULL;
      JsonObject *plat = obj_member (e, "platform");
      const char *eos = registry_json_string (plat, "os");
      const char *earch = registry_json_string (plat, "architecture");
      const char *evar = registry_json_string (plat, "variant");
      const char *mt = registry_json_string (e, "mediaType");
      if (eos == NULL || earch == NULL || (mt && is_index (mt)))
        continue; /* attestations ("unknown/unknown") and nested indexes */
      if (strcmp (eos, os) == 0 && strcmp (earch, arch) == 0
          && (variant == NULL || g_strcmp0 (evar, variant) == 0))
        {
          const char *d = registry_json_string (e, "digest");
          if (d == NULL || digest_hex (d, "index entry", error) == NULL)
            return NULL;
          return g_strdup (d);
        }
      g_string_append_printf (present, "%s%s/%s%s%s", present->len ? ", " : "", eos, earch,
                              evar ? "/" : "", evar ? evar : "");
    }
  g_autofree char *name = registry_ref_string (p->ref);
  g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_PLATFORM,
               "choosing an image from manifest list docker://%s: no image found in manifest "
               "list for architecture \"%s\", variant \"%s\", OS \"%s\" (it has: %s)",
               name, arch, variant ? variant : "", os, present->len ? present->str : "nothing");
  return NULL;
}

/* ---- layers ---- */

static gboolean blob_flush (Blob *b);

static void
blob_free (Blob *b)
{
  if (b->h)
    curl_easy_cleanup (b->h);
  curl_slist_free_all (b->hdrs);
  if (b->sock_w >= 0)
    close (b->sock_w);
  if (b->thread)
    g_thread_join (b->thread);
  if (b->sock_r >= 0)
    close (b->sock_r);
  /* The file holds every byte received (a resume reads them back). */
  if (b->file_fd >= 0 && !b->corrupt && !blob_flush (b))
    b->corrupt = TRUE;
  free (b->wbuf);
  if (b->file_fd >= 0)
    close (b->file_fd);
  /* Begun and sound so far: kept for the next attempt to resume. */
  if (b->file_path && b->p->resume && b->received > 0 && !b->corrupt)
    g_hash_table_replace (b->p->resume->partial, g_strdup (b->digest),
                          g_steal_pointer (&b->file_path));
  else if (b->file_path)
    unlink (b->file_path);
  g_free (b->file_path);
  g_free (b->digest);
  g_free (b->diff_hex);
  g_free (b->media_type);
  if (b->hash)
    sha256_free (b->hash);
  g_clear_error (&b->unpack_error);
  g_clear_error (&b->error);
  g_free (b);
}

static gpointer
unpack_thread (gpointer data)
{
  Blob *b = data;
  store_txn_unpack_layer (b->p->t, b->sock_r, b->hex, b->size, b->media_type, b->diff_hex,
                          &b->unpack_error);
  /* Closing our end tells the downloader (EPIPE) that nobody reads any more. */
  close (b->sock_r);
  b->sock_r = -1;
  return NULL;
}

static void
blob_fail (Blob *b, const char *fmt, ...) G_GNUC_PRINTF (2, 3);

static void
blob_fail (Blob *b, const char *fmt, ...)
{
  b->corrupt = TRUE;
  if (b->error)
    return;
  va_list ap;
  va_start (ap, fmt);
  g_autofree char *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_autofree char *repo = registry_ref_repo (b->p->ref);
  g_set_error (&b->error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID, "blob %s from %s: %s",
               b->digest, repo, msg);
}

static size_t
on_header (char *ptr, size_t size, size_t n, void *data)
{
  Blob *b = data;
  if (n >= 5 && strncmp (ptr, "HTTP/", 5) == 0)
    b->range_start = -1;
  else if (n > 14 && g_ascii_strncasecmp (ptr, "Content-Range:", 14) == 0)
    {
      const char *v = ptr + 14;
      while (*v == ' ')
        v++;
      if (g_ascii_strncasecmp (v, "bytes ", 6) == 0)
        b->range_start = g_ascii_strtoll (v + 6, NULL, 10);
    }
  return n;
}

static void feed (Blob *b, const char *p, size_t len);

/* A blob's bytes go to its file with O_DIRECT, in whole blocks: nothing
 * reads them again during the pull, and through the page cache they took
 * fresh pages (on a VM whose host reclaims free guest memory, each one a
 * host page fault: 113 MB of them in bench/pull) and a copy, plus the
 * writeback. The tail (under a block) is written buffered. */
#define DIRECT_BUF (1 << 20)
#define DIRECT_ALIGN 4096

static void
blob_direct_start (Blob *b)
{
  int fl = fcntl (b->file_fd, F_GETFL);
  if (fl < 0 || posix_memalign ((void **)&b->wbuf, DIRECT_ALIGN, DIRECT_BUF) != 0)
    return;
  if (fcntl (b->file_fd, F_SETFL, fl | O_DIRECT) < 0)
    g_clear_pointer (&b->wbuf, free); /* the file system has no direct I/O */
}

static gboolean
direct_off (Blob *b)
{
  int fl = fcntl (b->file_fd, F_GETFL);
  return fl >= 0 && fcntl (b->file_fd, F_SETFL, fl & ~O_DIRECT) == 0;
}

/* Writes the buffer's first N bytes and keeps the rest. Direct while the
 * file system takes it (EINVAL: it does not) and the offsets stay
 * aligned; FALSE with errno. */
static gboolean
direct_out (Blob *b, size_t n)
{
  gboolean direct = n % DIRECT_ALIGN == 0;
  if (!direct && !direct_off (b))
    return FALSE;
  for (size_t done = 0; done < n;)
    {
      ssize_t w = write (b->file_fd, b->wbuf + done, n - done);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0 && errno == EINVAL && direct)
        {
          direct = FALSE;
          if (!direct_off (b))
            return FALSE;
          continue;
        }
      if (w <= 0)
        {
          errno = w == 0 ? EIO : errno;
          return FALSE;
        }
      done += w;
      if (direct && done % DIRECT_ALIGN && !(direct = FALSE, direct_off (b)))
        return FALSE;
    }
  memmove (b->wbuf, b->wbuf + n, b->wlen - n);
  b->wlen -= n;
  return TRUE;
}

/* Writes out what the buffer holds; direct I/O ends there (the tail
 * under a block goes buffered), later bytes go straight to the file. */
static gboolean
blob_flush (Blob *b)
{
  if (b->wbuf == NULL)
    return TRUE;
  size_t whole = b->wlen & ~(size_t)(DIRECT_ALIGN - 1);
  if (!direct_out (b, whole) || !direct_out (b, b->wlen))
    return FALSE;
  g_clear_pointer (&b->wbuf, free);
  return TRUE;
}

static gboolean
blob_write (Blob *b, const char *p, size_t len)
{
  if (b->wbuf == NULL)
    return fd_write_all (b->file_fd, p, len) == 0;
  while (len > 0)
    {
      size_t n = MIN (len, DIRECT_BUF - b->wlen);
      memcpy (b->wbuf + b->wlen, p, n);
      b->wlen += n;
      p += n;
      len -= n;
      if (b->wlen == DIRECT_BUF && !direct_out (b, DIRECT_BUF))
        return FALSE;
    }
  return TRUE;
}

static size_t
on_data (char *ptr, size_t size, size_t n, void *data)
{
  Blob *b = data;
  if (!b->status_checked)
    {
      long st = 0;
      curl_easy_getinfo (b->h, CURLINFO_RESPONSE_CODE, &st);
      b->status_checked = TRUE;
      if (st == 206 && b->offset && b->range_start != (gint64)b->offset)
        {
          blob_fail (b, "asked for bytes %" G_GUINT64_FORMAT "-, got a range from %" G_GINT64_FORMAT,
                     b->offset, b->range_start);
          return 0;
        }
      if (st == 200)
        b->skip = b->offset; /* the whole blob again: skip what was seen */
      else if (st != 206)
        return 0; /* an error page: on_done reports the status */
    }
  const char *p = ptr;
  size_t len = n;
  if (b->skip)
    {
      size_t k = MIN ((guint64)len, b->skip);
      b->skip -= k;
      p += k;
      len -= k;
    }
  if (b->received + len > b->size)
    {
      blob_fail (b, "more than the %" G_GUINT64_FORMAT " bytes the manifest says", b->size);
      return 0;
    }
  if (len && !blob_write (b, p, len))
    {
      blob_fail (b, "cannot write %s: %s", b->file_path, g_strerror (errno));
      return 0;
    }
  feed (b, p, len);
  return n;
}

/* Bytes of the blob, in order: into the hash and to the unpacker. */
static void
feed (Blob *b, const char *p, size_t len)
{
  sha256_update (b->hash, p, len);
  for (size_t off = 0; b->sock_w >= 0 && off < len;)
    {
      ssize_t w = send (b->sock_w, p + off, len - off, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        {
          /* The unpacker stopped (an error it reports, or the end of the
           * archive before trailing bytes): keep downloading for the digest. */
          close (b->sock_w);
          b->sock_w = -1;
          break;
        }
      off += w;
    }
  b->received += len;
}

static void
start_request (Blob *b, CURLM *multi)
{
  if (b->h)
    {
      curl_multi_remove_handle (multi, b->h);
      curl_easy_cleanup (b->h);
      curl_slist_free_all (b->hdrs);
    }
  b->offset = b->received;
  b->skip = 0;
  b->range_start = -1;
  b->status_checked = FALSE;
  b->attempts++;
  b->h = registry_blob_handle (b->p->c, b->digest, b->offset, &b->hdrs);
  curl_easy_setopt (b->h, CURLOPT_ERRORBUFFER, b->errbuf);
  b->errbuf[0] = '\0';
  curl_easy_setopt (b->h, CURLOPT_WRITEFUNCTION, on_data);
  curl_easy_setopt (b->h, CURLOPT_WRITEDATA, b);
  curl_easy_setopt (b->h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt (b->h, CURLOPT_HEADERDATA, b);
  curl_easy_setopt (b->h, CURLOPT_PRIVATE, b);
  curl_multi_add_handle (multi, b->h);
}

static gboolean
start_blob (Blob *b, CURLM *multi, GError **error)
{
  Pull *p = b->p;
  char *partial = NULL;
  if (p->resume && g_hash_table_steal_extended (p->resume->partial, b->digest, NULL,
                                                (gpointer *)&partial))
    {
      b->file_path = partial;
      b->file_fd = open (partial, O_RDWR | O_APPEND | O_CLOEXEC);
      if (b->file_fd < 0)
        g_clear_pointer (&b->file_path, g_free); /* gone: download it whole */
    }
  if (b->file_path == NULL)
    {
      b->file_path = store_txn_new_temp (p->t, &b->file_fd, error);
      if (b->file_path == NULL)
        return FALSE;
      blob_direct_start (b);
    }
  b->hash = sha256_new ();
  if (b->unpack)
    {
      int sv[2];
      if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
        {
          g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_NETWORK, "socketpair: %s",
                       g_strerror (errno));
          return FALSE;
        }
      int big = 4 << 20;
      setsockopt (sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
      setsockopt (sv[1], SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
      b->sock_w = sv[0];
      b->sock_r = sv[1];
      b->thread = g_thread_new ("layer-unpack", unpack_thread, b);
    }
  say (p, "Copying blob %s", b->digest);
  /* A blob an earlier attempt began: its bytes again through the hash and
   * the unpacker, then the rest with Range. */
  char buf[1 << 16];
  ssize_t r;
  while (b->received < b->size && (r = pread (b->file_fd, buf, MIN (sizeof buf, b->size - b->received),
                                               b->received)) > 0)
    feed (b, buf, r);
  if (b->received)
    say (p, "Resuming blob %s at byte %" G_GUINT64_FORMAT, b->digest, b->received);
  start_request (b, multi);
  return TRUE;
}

static gboolean
retryable (CURLcode r)
{
  return r == CURLE_PARTIAL_FILE || r == CURLE_RECV_ERROR || r == CURLE_GOT_NOTHING
         || r == CURLE_SEND_ERROR || r == CURLE_HTTP2_STREAM || r == CURLE_COULDNT_CONNECT;
}

/* A transfer ended: TRUE when the blob is complete (or restarted), FALSE
 * with B->error set. */
static gboolean
finish_transfer (Blob *b, CURLM *multi, CURLcode r, gboolean *restarted)
{
  Pull *p = b->p;
  long st = 0;
  curl_easy_getinfo (b->h, CURLINFO_RESPONSE_CODE, &st);
  *restarted = FALSE;
  if (b->error)
    return FALSE;
  if (r == CURLE_OK && st != 200 && st != 206)
    {
      blob_fail (b, "HTTP %ld%s", st, st == 404 ? " (blob unknown to the registry)" : "");
      return FALSE;
    }
  const RegistryOptions *o = registry_client_options (p->c);
  if ((r != CURLE_OK && retryable (r)) || (r == CURLE_OK && b->received < b->size))
    {
      if (b->attempts <= o->retries)
        {
          say (p, "Resuming blob %s at byte %" G_GUINT64_FORMAT, b->digest, b->received);
          start_request (b, multi);
          *restarted = TRUE;
          return TRUE;
        }
      if (r == CURLE_OK)
        blob_fail (b, "truncated: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes (tried %u times)",
                   b->received, b->size, b->attempts);
      else
        blob_fail (b, "%s after %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " bytes (tried %u times)",
                   *b->errbuf ? b->errbuf : curl_easy_strerror (r), b->received, b->size,
                   b->attempts);
      return FALSE;
    }
  if (r != CURLE_OK)
    {
      g_autofree char *what = g_strdup_printf ("blob %s", b->digest);
      registry_set_curl_error (p->c, &b->error, r, b->errbuf, what);
      return FALSE;
    }
  /* Complete: the digest first, then the unpacker's verdict. */
  g_autofree char *got = sha256_finish_hex (b->hash);
  b->hash = NULL;
  if (b->sock_w >= 0)
    {
      close (b->sock_w);
      b->sock_w = -1;
    }
  if (b->thread)
    {
      g_thread_join (b->thread);
      b->thread = NULL;
    }
  if (strcmp (got, b->hex) != 0)
    {
      blob_fail (b, "digest mismatch: the content is sha256:%s", got);
      return FALSE;
    }
  if (b->unpack_error)
    {
      g_propagate_error (&b->error, g_steal_pointer (&b->unpack_error));
      return FALSE;
    }
  if (!blob_flush (b))
    {
      blob_fail (b, "cannot write %s: %s", b->file_path, g_strerror (errno));
      return FALSE;
    }
  sync_file_range (b->file_fd, 0, 0, SYNC_FILE_RANGE_WRITE); /* see txn_sync_staged */
  close (b->file_fd);
  b->file_fd = -1;
  if (!store_txn_adopt_blob (p->t, b->file_path, got, b->hex, b->digest, &b->error))
    return FALSE;
  g_clear_pointer (&b->file_path, g_free);
  /* A layer stored from another blob: the diff id is checked now. */
  if (!b->unpack && !store_txn_add_layer (p->t, b->hex, b->media_type, b->diff_hex, &b->error))
    return FALSE;
  return TRUE;
}

static gboolean
download_layers (Pull *p, GPtrArray *blobs, GError **error)
{
  const RegistryOptions *o = registry_client_options (p->c);
  guint parallel = o->parallel ? o->parallel : 6;
  CURLM *multi = curl_multi_init ();
  guint next = 0, active = 0;
  gboolean ok = TRUE;
  while (ok && (next < blobs->len || active > 0))
    {
      while (ok && active < parallel && next < blobs->len)
        {
          ok = start_blob (blobs->pdata[next++], multi, error);
          active += ok;
        }
      int running;
      curl_multi_perform (multi, &running);
      CURLMsg *m;
      int left;
      while (ok && (m = curl_multi_info_read (multi, &left)))
        {
          if (m->msg != CURLMSG_DONE)
            continue;
          Blob *b;
          CURLcode r = m->data.result;
          curl_easy_getinfo (m->easy_handle, CURLINFO_PRIVATE, (char **)&b);
          gboolean restarted;
          if (!finish_transfer (b, multi, r, &restarted))
            {
              g_propagate_error (error, g_steal_pointer (&b->error));
              ok = FALSE;
              break;
            }
          if (!restarted)
            {
              curl_multi_remove_handle (multi, b->h);
              curl_easy_cleanup (b->h);
              b->h = NULL;
              active--;
            }
        }
      if (ok && active)
        curl_multi_poll (multi, NULL, 0, 1000, NULL);
    }
  /* On failure: every handle leaves the multi handle; blob_free closes the
   * sockets, so the unpackers see the stream end and stop. */
  for (guint i = 0; i < blobs->len; i++)
    {
      Blob *b = blobs->pdata[i];
      if (b->h)
        curl_multi_remove_handle (multi, b->h);
    }
  curl_multi_cleanup (multi);
  return ok;
}

static gboolean
supported_layer (const char *mt, const char *digest, GError **error)
{
  static const char *const ok[] = {
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.diff.tar",
  };
  for (guint i = 0; i < G_N_ELEMENTS (ok); i++)
    if (mt && strcmp (mt, ok[i]) == 0)
      return TRUE;
  g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_UNSUPPORTED,
               "layer %s: media type \"%s\" is not supported (foreign, encrypted or not a layer)",
               digest, mt ? mt : "");
  return FALSE;
}

/* The manifest's layers that need a download. */
static GPtrArray *
plan_layers (Pull *p, JsonObject *manifest, JsonObject *config, GError **error)
{
  JsonArray *layers = array_member (manifest, "layers");
  JsonArray *ids = array_member (obj_member (config, "rootfs"), "diff_ids");
  guint n = layers ? json_array_get_length (layers) : 0;
  if (ids == NULL || json_array_get_length (ids) != n)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                   "the manifest lists %u layers, the image config %u", n,
                   ids ? json_array_get_length (ids) : 0);
      return NULL;
    }
  g_autoptr (GPtrArray) blobs = g_ptr_array_new_with_free_func ((GDestroyNotify)blob_free);
  g_autoptr (GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *ln = json_array_get_element (layers, i);
      JsonObject *l = JSON_NODE_HOLDS_OBJECT (ln) ? json_node_get_object (ln) : NULL;
      const char *digest = registry_json_string (l, "digest");
      const char *mt = registry_json_string (l, "mediaType");
      const char *hex = digest_hex (digest, "manifest layer", error);
      const char *did = digest_hex (json_array_get_string_element (ids, i), "config diff_ids", error);
      if (hex == NULL || did == NULL || !supported_layer (mt, digest, error))
        return NULL;
      gint64 size = json_object_get_int_member_with_default (l, "size", -1);
      if (size < 0)
        {
          g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                       "layer %s: the manifest gives no size", digest);
          return NULL;
        }
      if (!g_hash_table_add (seen, g_strdup (did)))
        continue;
      /* Stored already: nothing to fetch when the store has this very blob
       * too (every stored layer blob was checked against its diff id). */
      gboolean stored = store_txn_has_layer (p->t, did);
      autofd int bfd = stored ? store_txn_open_blob (p->t, hex, NULL) : -1;
      if (bfd >= 0)
        {
          say (p, "Copying blob %s skipped: already exists", digest);
          continue;
        }
      Blob *b = g_new0 (Blob, 1);
      b->p = p;
      b->digest = g_strdup (digest);
      b->hex = b->digest + strlen ("sha256:");
      b->diff_hex = g_strdup (did);
      b->media_type = g_strdup (mt);
      b->size = size;
      b->unpack = !stored;
      b->file_fd = b->sock_w = b->sock_r = -1;
      b->range_start = -1;
      g_ptr_array_add (blobs, b);
    }
  return g_steal_pointer (&blobs);
}

/* Config, layers and the image record (named AS) into P's transaction,
 * committed. Returns the image id. */
static char *
pull_layers_and_record (Pull *p, JsonObject *manifest, GBytes *mb, const char *cdigest,
                        const char *chex, const RegistryRef *as, GError **error)
{
  say (p, "Getting image source signatures");
  g_autoptr (GBytes) cb = NULL;
  gsize clen;
  g_autofree char *cdata = store_txn_read_blob (p->t, chex, &clen, NULL);
  if (cdata)
    cb = g_bytes_new_take (g_steal_pointer (&cdata), clen);
  else
    {
      cb = registry_get_blob (p->c, cdigest, MAX_CONFIG, error);
      if (cb == NULL)
        return NULL;
      g_autofree char *h = store_txn_add_blob_data (p->t, g_bytes_get_data (cb, NULL),
                                                    g_bytes_get_size (cb), error);
      if (h == NULL)
        return NULL;
    }
  g_autoptr (JsonNode) cn = parse_object (cb, "image config", error);
  if (cn == NULL)
    return NULL;
  g_autoptr (GPtrArray) blobs = plan_layers (p, manifest, json_node_get_object (cn), error);
  if (blobs == NULL || !download_layers (p, blobs, error))
    return NULL;
  say (p, "Copying config %s", cdigest);
  say (p, "Writing manifest to image destination");
  g_autofree char *mhex = store_txn_add_blob_data (p->t, g_bytes_get_data (mb, NULL),
                                                   g_bytes_get_size (mb), error);
  if (mhex == NULL)
    return NULL;
  /* As podman: pulled by digest, the image is named by it (a tag given
   * with it is dropped), else by the tag. */
  g_autofree char *name
      = as->digest ? g_strconcat (as->domain, "/", as->path, "@", as->digest, NULL)
        : as->tag  ? g_strconcat (as->domain, "/", as->path, ":", as->tag, NULL)
                   : NULL;
  const char *names[] = { name, NULL };
  g_autofree char *id = store_txn_add_image (p->t, mhex, names, error);
  if (id == NULL || !store_txn_commit (p->t, error))
    return NULL;
  return g_steal_pointer (&id);
}

char *
registry_pull (Store *s, const RegistryRef *ref, const RegistryRef *as, const RegistryOptions *o,
               const RegistryPlatform *platform, RegistryResume *resume,
               RegistryProgressFunc progress, gpointer progress_data, GError **error)
{
  Pull p = { .s = s, .ref = ref, .progress = progress, .progress_data = progress_data };
  g_autoptr (RegistryClient) c = registry_client_new (ref, o, FALSE, error);
  if (c == NULL)
    return NULL;
  p.c = c;
  g_autofree char *mt = NULL;
  g_autoptr (JsonNode) mn = NULL;
  g_autoptr (GBytes) mb
      = fetch_manifest (&p, registry_ref_reference (ref), ref->digest, &mt, &mn, error);
  if (mb == NULL)
    return NULL;
  if (is_index (mt))
    {
      g_autofree char *d = choose_platform (&p, json_node_get_object (mn), platform, error);
      if (d == NULL)
        return NULL;
      g_clear_pointer (&mb, g_bytes_unref);
      g_clear_pointer (&mn, json_node_unref);
      g_clear_pointer (&mt, g_free);
      mb = fetch_manifest (&p, d, d, &mt, &mn, error);
      if (mb == NULL)
        return NULL;
      if (is_index (mt))
        {
          g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_INVALID,
                       "manifest %s: an index inside an index is not supported", d);
          return NULL;
        }
    }
  if (strcmp (mt, MEDIA_OCI_MANIFEST) != 0 && strcmp (mt, MEDIA_DOCKER_MANIFEST) != 0)
    {
      g_set_error (error, REGISTRY_ERROR, REGISTRY_ERROR_UNSUPPORTED,
                   "manifest of %s: media type \"%s\" is not an image manifest", ref->path, mt);
      return NULL;
    }
  JsonObject *manifest = json_node_get_object (mn);
  const char *cdigest = registry_json_string (obj_member (manifest, "config"), "digest");
  const char *chex = digest_hex (cdigest, "manifest config", error);
  if (chex == NULL)
    return NULL;

  StoreTxn *t = resume && resume->t ? g_steal_pointer (&resume->t) : store_txn_begin (s, error);
  if (t == NULL)
    return NULL;
  p.t = t;
  p.resume = resume;
  char *id = pull_layers_and_record (&p, manifest, mb, cdigest, chex, as ? as : ref, error);
  if (id == NULL && resume)
    resume->t = t; /* for the next attempt */
  else
    store_txn_free (t);
  return id;
}


