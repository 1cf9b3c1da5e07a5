/* SPDX-License-Identifier: Apache-2.0 */
/* sha256 digests as OCI writes them ("sha256:<64 lowercase hex>").
 * OpenSSL's libcrypto does the hashing: it uses the CPU's SHA extensions,
 * several times faster than GChecksum, which matters when every unpacked
 * layer byte is hashed to check its diff id. */
#pragma once

#include <glib.h>

typedef struct _Sha256 Sha256;

Sha256 *sha256_new (void);
void sha256_update (Sha256 *h, const void *data, gsize len);
/* Returns the 64-char lowercase hex digest; H may not be updated after. */
char *sha256_finish_hex (Sha256 *h);
void sha256_free (Sha256 *h);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Sha256, sha256_free)

char *sha256_hex_of (const void *data, gsize len);

/* TRUE for 64 lowercase hex chars. */
gboolean digest_is_hex (const char *hex);
/* Checks "sha256:<hex>" and returns the hex part (pointer into DIGEST);
 * WHAT names the field in the error message. */
const char *digest_hex (const char *digest, const char *what, GError **error);
