/* SPDX-License-Identifier: Apache-2.0 */
/* Pulling an image into the store.
 *
 * The manifest (an index is resolved to the platform's manifest, as podman
 * picks it) and the config are fetched whole; the layers then download
 * concurrently (RegistryOptions.parallel at once, curl multi), and each
 * one is hashed, written to its staging file and fed, through a socket
 * pair, to store_txn_unpack_layer in a thread of its own while it
 * arrives: decompression and unpacking overlap the download instead of
 * following it. A layer the store already has (same blob, same diff id)
 * is not fetched. A dropped stream resumes with Range (a 200 to a Range
 * request is read from the start again, discarding what was seen); a
 * stall ends the transfer with an error. Everything is staged in one
 * StoreTxn, so a failed pull leaves the store as it was. */
#pragma once

#include "image/registry/client.h"
#include "image/store.h"

typedef struct
{
  const char *os;      /* NULL: linux */
  const char *arch;    /* NULL: this machine's, as Go names it */
  const char *variant; /* NULL: any */
} RegistryPlatform;

/* What a failed pull leaves for the next attempt of the same pull (--retry):
 * its staging transaction, with the layers it completed, and the blobs it
 * had begun (their bytes so far, checked again as they are re-read). The
 * next registry_pull with it skips the completed layers and resumes the
 * begun blobs with Range; registry_resume_free discards what is left, so
 * a pull that fails for good still leaves the store as it was. */
typedef struct _RegistryResume RegistryResume;
RegistryResume *registry_resume_new (void);
void registry_resume_free (RegistryResume *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RegistryResume, registry_resume_free)

/* Pulls REF (fully qualified) into S, naming it NAME (NULL: REF; no name
 * when pulled by digest only): NAME differs for a mirror or a rewritten
 * location. RESUME (may be NULL) carries a failed attempt's work to the
 * next. Returns the image id. */
char *registry_pull (Store *s, const RegistryRef *ref, const RegistryRef *name,
                     const RegistryOptions *o,
                     const RegistryPlatform *platform, RegistryResume *resume,
                     RegistryProgressFunc progress, gpointer progress_data, GError **error);

/* Go's name of this machine's architecture ("amd64", "arm64" …). */
const char *registry_host_arch (void);
