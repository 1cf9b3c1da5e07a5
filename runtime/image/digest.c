/* SPDX-License-Identifier: Apache-2.0 */
#include "image/digest.h"
#include "image/store.h"

#include <dlfcn.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <string.h>

/* libcrypto is not linked but opened on the first digest: with its
 * relocations (bind-now) it cost every podunit start ~1.5 ms of CPU, and
 * `run`, `ps`, `rm` … never hash. */
#if OPENSSL_VERSION_MAJOR >= 3
#define CRYPTO_SONAME "libcrypto.so.3"
#else
#define CRYPTO_SONAME "libcrypto.so.1.1"
#endif

static struct
{
  EVP_MD_CTX *(*ctx_new) (void);
  void (*ctx_free) (EVP_MD_CTX *);
  const EVP_MD *(*sha256) (void);
  int (*init) (EVP_MD_CTX *, const EVP_MD *, ENGINE *);
  int (*update) (EVP_MD_CTX *, const void *, size_t);
  int (*final) (EVP_MD_CTX *, unsigned char *, unsigned int *);
} crypto;

static void
crypto_load (void)
{
  static gsize done;
  if (!g_once_init_enter (&done))
    return;
  void *lib = dlopen (CRYPTO_SONAME, RTLD_NOW | RTLD_LOCAL);
  if (lib == NULL)
    g_error ("cannot load %s: %s", CRYPTO_SONAME, dlerror ());
#define SYM(field, name)                                                                          \
  if ((*(void **) &crypto.field = dlsym (lib, name)) == NULL)                                     \
    g_error ("%s: no %s", CRYPTO_SONAME, name);
  SYM (ctx_new, "EVP_MD_CTX_new")
  SYM (ctx_free, "EVP_MD_CTX_free")
  SYM (sha256, "EVP_sha256")
  SYM (init, "EVP_DigestInit_ex")
  SYM (update, "EVP_DigestUpdate")
  SYM (final, "EVP_DigestFinal_ex")
#undef SYM
  g_once_init_leave (&done, 1);
}

struct _Sha256
{
  EVP_MD_CTX *ctx;
};

Sha256 *
sha256_new (void)
{
  Sha256 *h = g_new0 (Sha256, 1);
  crypto_load ();
  h->ctx = crypto.ctx_new ();
  if (h->ctx == NULL || crypto.init (h->ctx, crypto.sha256 (), NULL) != 1)
    g_error ("libcrypto cannot initialise sha256");
  return h;
}

void
sha256_update (Sha256 *h, const void *data, gsize len)
{
  crypto.update (h->ctx, data, len);
}

char *
sha256_finish_hex (Sha256 *h)
{
  unsigned char md[32];
  unsigned int n = 0;
  static const char xd[] = "0123456789abcdef";
  char *hex = g_malloc (65);

  crypto.final (h->ctx, md, &n);
  for (unsigned i = 0; i < 32; i++)
    {
      hex[2 * i] = xd[md[i] >> 4];
      hex[2 * i + 1] = xd[md[i] & 15];
    }
  hex[64] = '\0';
  return hex;
}

void
sha256_free (Sha256 *h)
{
  if (h == NULL)
    return;
  crypto.ctx_free (h->ctx);
  g_free (h);
}

char *
sha256_hex_of (const void *data, gsize len)
{
  g_autoptr (Sha256) h = sha256_new ();
  sha256_update (h, data, len);
  return sha256_finish_hex (h);
}

gboolean
digest_is_hex (const char *hex)
{
  if (hex == NULL || strlen (hex) != 64)
    return FALSE;
  for (const char *p = hex; *p; p++)
    if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f')))
      return FALSE;
  return TRUE;
}

const char *
digest_hex (const char *digest, const char *what, GError **error)
{
  if (digest != NULL && g_str_has_prefix (digest, "sha256:") && digest_is_hex (digest + 7))
    return digest + 7;
  g_set_error (error, STORE_ERROR, STORE_ERROR_INVALID,
               "%s: invalid digest '%s' (want sha256:<64 hex>)", what,
               digest ? digest : "(missing)");
  return NULL;
}
