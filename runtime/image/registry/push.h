/* SPDX-License-Identifier: Apache-2.0 */
/* Pushing an image from the store to a registry (the OCI distribution
 * API's push flow, as containers/image does it):
 *   - each blob (layers, then the config): HEAD /v2/NAME/blobs/DIGEST,
 *     nothing to send when the registry has it;
 *   - else a cross-repository mount (POST …/blobs/uploads/?mount=D&from=R)
 *     from another repository of the same registry that a stored image
 *     was pulled from (or pushed to) with this blob: 201 means mounted, a
 *     202 starts an ordinary upload instead;
 *   - an upload: POST …/blobs/uploads/, one PATCH streaming the blob from
 *     the store, PUT <location>?digest=D;
 *   - PUT /v2/NAME/manifests/TAG.
 * podunit writes OCI manifests only: an image pulled with a Docker schema 2
 * manifest is pushed with the same blobs under an OCI manifest (the media
 * types change, so its manifest digest does; the image id does not).
 * Layers go as they are stored (a layer made by commit is uncompressed). */
#pragma once

#include "image/registry/client.h"
#include "image/store.h"

/* Pushes IMG to DEST (which needs a tag). Returns the digest
 * ("sha256:<hex>") of the manifest the registry now has under the tag. */
char *registry_push (Store *s, StoreImage *img, const RegistryRef *dest, const RegistryOptions *o,
                     RegistryProgressFunc progress, gpointer progress_data, GError **error);

/* The manifest registry_push sends for IMG: its stored manifest when that
 * is OCI, else the same descriptors under OCI media types. */
GBytes *registry_oci_manifest (Store *s, StoreImage *img, GError **error);
