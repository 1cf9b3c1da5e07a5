/* SPDX-License-Identifier: Apache-2.0 */
#include "image/digest.h"
#include "image/store.h"

#include <openssl/evp.h>
#include <string.h>

/* libcrypto is opened on the first call (crypto-lazy.c, made by
 * tools/gen-lazy.py like every other lazily loaded library). */

struct _Sha256
{
  EVP_MD_CTX *ctx;
};

Sha256 *
sha256_new (void)
{
  Sha256 *h = g_new0 (Sha256, 1);
  h->ctx = EVP_MD_CTX_new ();
  if (h->ctx == NULL || EVP_DigestInit_ex (h->ctx, EVP_sha256 (), NULL) != 1)
    g_error ("libcrypto cannot initialise sha256");
  return h;
}

void
sha256_update (Sha256 *h, const void *data, gsize len)
{
  EVP_DigestUpdate (h->ctx, data, len);
}

char *
sha256_finish_hex (Sha256 *h)
{
  unsigned char md[32];
  unsigned int n = 0;
  static const char xd[] = "0123456789abcdef";
  char *hex = g_malloc (65);

  EVP_DigestFinal_ex (h->ctx, md, &n);
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
  EVP_MD_CTX_free (h->ctx);
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
