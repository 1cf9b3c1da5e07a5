/* SPDX-License-Identifier: Apache-2.0 */
/* Mount= values: podman's --mount syntax is one CSV record
 * ("type=bind,src=/a,\"dst=/b,c\""), read and written with the quoting
 * rules of Go's encoding/csv that podman and Quadlet use. */
#pragma once

#include "quadlet.h"

/* The fields of one CSV record (g_strfreev); NULL with @error on bad
 * quoting or more than one record. */
char **quadlet_csv_split (const char *record, GError **error);
/* Fields joined by commas, quoted where needed. Caller frees. */
char *quadlet_csv_join (const char *const *fields);

/* Rewrites one Mount= value: the source of volume, bind, glob, image and
 * artifact mounts is resolved with quadlet_resolve_storage_source()
 * (dependencies are added to @service); the result starts with type=.
 * Other mount types are returned unchanged. Caller frees. */
char *quadlet_resolve_mount (QuadletContext *ctx, UnitFile *unit, UnitFile *service,
                             const char *mount, GError **error);
