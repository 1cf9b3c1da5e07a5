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

/* Pulls REF (fully qualified) into S, naming it NAME (NULL: REF; no name
 * when pulled by digest only): NAME differs for a mirror or a rewritten
 * location. Returns the image id. */
char *registry_pull (Store *s, const RegistryRef *ref, const RegistryRef *name,
                     const RegistryOptions *o,
                     const RegistryPlatform *platform, RegistryProgressFunc progress,
                     gpointer progress_data, GError **error);

/* Go's name of this machine's architecture ("amd64", "arm64" …). */
const char *registry_host_arch (void);
