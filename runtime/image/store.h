/* SPDX-License-Identifier: Apache-2.0 */
/* The image store: content-addressed blobs, unpacked layers and image
 * records under one root directory, safe against crashes (every update is
 * temp + fsync + rename) and against concurrent podunit commands (an flock
 * on ROOT/store.lock around every change).
 *
 * Layout (ROOT is /var/lib/podunit for root, $XDG_DATA_HOME/podunit or
 * ~/.local/share/podunit rootless; RUNROOT is /run/podunit or
 * $XDG_RUNTIME_DIR/podunit):
 *   ROOT/blobs/sha256/<hex>         manifests, configs, layer tarballs
 *   ROOT/layers/<diffid-hex>/diff   a layer, unpacked once (overlay lowerdir)
 *   ROOT/layers/<diffid-hex>/layer.json  diff id, compressed digest, sizes
 *   ROOT/images/<id>/image.json     manifest + config digests of one image
 *   ROOT/names.json                 name -> image id (the only name index), and
 *                                   each image's names history
 *   ROOT/names.cache, ROOT/images/<id>/run.cache  what run reads, without JSON
 *                                   (store_lookup_run_image)
 *   ROOT/mountpoints                empty /etc/hosts, /etc/hostname, /etc/resolv.conf,
 *                                   /dev, /proc, /sys: the bottom lower layer of --rm
 *                                   containers (store_mountpoints_layer)
 *   ROOT/tmp/                       staging; renamed into place when complete
 *   ROOT/containers/                owned by the container code, not here
 * An image's id is the hex sha256 of its config blob, as in podman. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _Store Store;
typedef struct _StoreImage StoreImage;

#define STORE_ERROR (store_error_quark ())
GQuark store_error_quark (void);

typedef enum
{
  STORE_ERROR_NOT_FOUND, /* no image by that name or id */
  STORE_ERROR_AMBIGUOUS, /* an id prefix matching several images */
  STORE_ERROR_INVALID,   /* bad name, bad archive, digest mismatch, hostile path */
  STORE_ERROR_IN_USE,    /* image still used (by a container or by name) */
  STORE_ERROR_IO,        /* file system error (message names the path) */
} StoreError;

/* Default locations for the calling user (root or rootless). */
char *store_default_root (void);
char *store_default_runroot (void);

/* Opens (creating when missing) the store. NULL root/runroot mean the
 * defaults above. */
Store *store_open (const char *root, const char *runroot, GError **error);
void store_free (Store *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Store, store_free)

const char *store_get_root (Store *s);
const char *store_get_runroot (Store *s);
/* TRUE when this process runs as root; otherwise layers are unpacked in
 * the rootless way (no device nodes, whiteouts recorded, see layer.h). */
gboolean store_is_rootless (Store *s);

/* Exclusive flock on ROOT/store.lock. Nests: each store_lock needs one
 * store_unlock; the file is unlocked when the count returns to zero. Every
 * store_* function that changes the store takes it itself; callers take it
 * only to make several steps atomic (e.g. "no container uses it, remove"). */
gboolean store_lock (Store *s, GError **error);
void store_unlock (Store *s);

/* Looking images up.  NAME_OR_ID is a full name (quay.io/a/b:tag), a short
 * name resolved as podman does for local images ("busybox" ->
 * "localhost/busybox:latest", "docker.io/library/busybox:latest", or any
 * "*\/busybox:latest"), "name@sha256:<manifest digest>", a full id, a
 * "sha256:"-prefixed id or a unique id prefix. */
StoreImage *store_lookup_image (Store *s, const char *name_or_id, GError **error);
/* What `run` (and `start`) take from an image: its layers and the parts
 * of its config that complete a container's spec, as they use them. */
typedef struct
{
  char *id;
  char **layer_dirs;               /* lowest first */
  char **env, **entrypoint, **cmd; /* NULL: not in the config (or not an array) */
  char *working_dir, *user;        /* NULL: not set */
  gboolean has_stop_signal;        /* StopSignal is in the config... */
  char *stop_signal;               /* ...and this its string (NULL: not a string) */
  char **labels;                   /* "KEY=VALUE", the config's Labels in json-glib's order */
  char **exposed_ports;            /* the keys of ExposedPorts ("8080/tcp"), sorted; never NULL */
} StoreRunImage;

/* store_lookup_image for run: the same resolution, read without JSON (so
 * `run` loads no JSON library) from two caches of GVariants: ROOT/names.cache,
 * valid while names.json has the inode, size and mtime it records, and
 * ROOT/images/<id>/run.cache (an image record never changes). Either is
 * made again from the JSON when missing or stale; they are only caches
 * (written temp + fsync + rename, checked when read), never the record. */
StoreRunImage *store_lookup_run_image (Store *s, const char *name_or_id, GError **error);
void store_run_image_free (StoreRunImage *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreRunImage, store_run_image_free)

/* The pieces of the above that read no file (tests/fuzz/fuzz-imageconfig.c
 * feeds them hostile configs):
 * - the OCI image config blob as every reader takes it: DATA must be a
 *   JSON object; its "config" member is made an object when missing or
 *   not one; *CREATED is "created" in unix seconds (0: none or not a
 *   time); *DIFF_IDS the rootfs.diff_ids, each a sha256 digest (an error
 *   otherwise). WHAT names the blob in errors.
 * - what run takes from the "config" object CFG into R (Env, Entrypoint,
 *   Cmd, WorkingDir, User, StopSignal, Labels, ExposedPorts);
 * - ROOT/images/<id>/run.cache: written only when every string of R is
 *   UTF-8 (cacheable), read back into R and the layers' hex diff ids. */
/* DATA as a JSON object (a copy to unref), or NULL with an error in
 * DOMAIN/CODE naming WHAT ("invalid JSON: ...", "not a JSON object"). */
JsonNode *store_parse_json_object (const char *data, gssize len, const char *what, GQuark domain,
                                   gint code, GError **error);
gboolean store_parse_image_config (const char *data, gsize len, const char *what,
                                   JsonNode **oci_config, gint64 *created, char ***diff_ids,
                                   GError **error);
void store_run_image_from_config (JsonObject *cfg, StoreRunImage *r);
gboolean store_run_image_cacheable (const StoreRunImage *r);
GVariant *store_run_image_to_cache (const StoreRunImage *r, const char *id, char **hexes);
gboolean store_run_image_from_cache (GVariant *cache, const char *id, StoreRunImage *r,
                                     char ***hexes);

/* All images, newest first. */
GPtrArray *store_list_images (Store *s, GError **error);

StoreImage *store_image_ref (StoreImage *img);
void store_image_unref (StoreImage *img);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreImage, store_image_unref)

const char *store_image_get_id (StoreImage *img);     /* 64 hex chars */
const char *store_image_get_digest (StoreImage *img); /* "sha256:<manifest hex>" */
/* Full names ("localhost/busybox:latest"), sorted; empty for dangling. */
const char *const *store_image_get_names (StoreImage *img);
/* "repo@sha256:…" names a pull by digest gave it (podman keeps them among
 * its names; they are not tags: no row in `images`, not in RepoTags). */
const char *const *store_image_get_digested_names (StoreImage *img);
/* Its tags, then its digested names. Free with g_strfreev. */
char **store_image_all_names (StoreImage *img);
/* podman's RepoDigests: "repo@<its digest>" for each repository it has a
 * tag in, then its digested names, without repeats. Free with g_strfreev. */
char **store_image_repo_digests (StoreImage *img);
/* Every name it has had, newest first (podman's NamesHistory). */
const char *const *store_image_get_names_history (StoreImage *img);
/* "sha256:<hex>" diff ids, lowest layer first. */
const char *const *store_image_get_diff_ids (StoreImage *img);
/* Absolute ROOT/layers/<hex>/diff paths, lowest layer first (reverse them
 * for overlay's lowerdir=, which lists the top layer first). */
const char *const *store_image_get_layer_dirs (StoreImage *img);
/* The OCI image config's "config" object (Env, Cmd, Entrypoint, WorkingDir,
 * User, ExposedPorts, Labels, StopSignal, Volumes…); never NULL (empty
 * object when the image has none). Owned by the image. */
JsonObject *store_image_get_config (StoreImage *img);
/* The whole OCI image config (architecture, os, created, rootfs, history). */
JsonObject *store_image_get_oci_config (StoreImage *img);
/* The OCI manifest. */
JsonObject *store_image_get_manifest (StoreImage *img);
gint64 store_image_get_created (StoreImage *img); /* unix seconds, 0 unknown */
guint64 store_image_get_size (StoreImage *img);   /* sum of unpacked layer sizes */

/* Names.  Short names get "localhost/" and ":latest" as podman tag does. */
char *store_normalize_name (const char *name, GError **error);
/* "repo[:tag]@sha256:…" as stored: normalized, without the tag. */
char *store_normalize_digested_name (const char *name, GError **error);
gboolean store_tag_image (Store *s, const char *name_or_id, const char *new_name, GError **error);
/* Removes one name; the image stays (dangling) when it was its last. */
gboolean store_untag_image (Store *s, const char *name, GError **error);
/* Removes the image record, its names, and the layers and blobs no other
 * image uses.  Whether a container uses it is the caller's check (hold
 * store_lock around check + remove). */
gboolean store_remove_image (Store *s, const char *id, GError **error);

/* ROOT/mountpoints (created on first use: staged in ROOT/tmp under the
 * store lock, fsynced, renamed into place): an image-independent layer
 * holding the targets every container mounts over.  Below an image's
 * layers, it shows only where the image has nothing at those paths (any
 * entry or whiteout of the image wins, as overlay merges), so the
 * container's /etc/hosts & co need not be created (and /etc copied up)
 * in the upper dir at every start.  Returns its path. */
char *store_mountpoints_layer (const char *root, const char *runroot, GError **error);

/* Removes layers and blobs no image uses and abandoned staging dirs. */
gboolean store_prune_unused (Store *s, GError **error);

/* For `podunit commit`: writes config + manifest blobs and an image record
 * for BASE's layers (BASE may be NULL for an image from scratch) plus, when
 * LAYER_DIR is non-NULL, that dir packed as a new top layer (an overlay
 * upper dir: char 0/0 devices and trusted.overlay.opaque become OCI
 * whiteouts), all in one transaction.  CONFIG is the new "config" object
 * (NULL: BASE's); HISTORY_COMMENT goes into the history entry.  NAME (may
 * be NULL) is normalized and moved to the new image. */
StoreImage *store_create_image (Store *s, StoreImage *base, const char *layer_dir,
                                JsonObject *config, const char *author, const char *history_comment,
                                const char *name, GError **error);
typedef enum
{
  STORE_IMAGE_OCI,
  STORE_IMAGE_DOCKER, /* Docker schema 2 manifest and config media types */
} StoreImageFormat;
/* store_create_image in FORMAT (`commit --format`); a Docker config also
 * gets COMMENT (may be NULL) as its "comment" (`commit -m`). A zstd layer
 * has no Docker media type: refused, naming it. */
StoreImage *store_create_image_as (Store *s, StoreImageFormat format, const char *comment,
                                   StoreImage *base, const char *layer_dir, JsonObject *config,
                                   const char *author, const char *history_comment,
                                   const char *name, GError **error);

/* Transactions, for the archive importers, pull and commit: blobs, layers
 * and image records are staged in ROOT/tmp/txn-XXXXXX (flocked while the
 * transaction lives) and moved into the store by store_txn_commit under the
 * store lock; store_txn_free of an uncommitted transaction removes the
 * staging dir, leaving the store as it was (a rejected archive changes
 * nothing). A stored layer the transaction reuses is pinned in its
 * staging dir (garbage collection keeps it). A staging dir nobody holds is
 * what a killed process left: store_txn_begin then collects garbage first
 * (store_prune_unused), so nothing of it outlives the next load, pull or
 * commit. */
typedef struct _StoreTxn StoreTxn;

StoreTxn *store_txn_begin (Store *s, GError **error);
void store_txn_free (StoreTxn *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (StoreTxn, store_txn_free)

/* A new empty file in the staging dir (for a blob being written); the
 * caller writes it and then files it with store_txn_adopt_blob. */
char *store_txn_new_temp (StoreTxn *t, int *fd, GError **error);
/* Files the staged file PATH as blob HEX. When EXPECTED_HEX is non-NULL it
 * must equal HEX (else a digest-mismatch error naming WHAT). */
gboolean store_txn_adopt_blob (StoreTxn *t, const char *path, const char *hex,
                               const char *expected_hex, const char *what, GError **error);
/* Stages a blob from memory; returns its hex digest. */
char *store_txn_add_blob_data (StoreTxn *t, const void *data, gsize len, GError **error);
/* Opens blob HEX, staged or already in the store; -1 with an error if missing. */
int store_txn_open_blob (StoreTxn *t, const char *hex, GError **error);
/* Reads blob HEX (staged or stored) into memory. */
char *store_txn_read_blob (StoreTxn *t, const char *hex, gsize *len, GError **error);
/* Unpacks layer blob BLOB_HEX unless layer DIFF_ID_HEX is already stored or
 * staged; the unpacked content must hash to DIFF_ID_HEX. */
gboolean store_txn_add_layer (StoreTxn *t, const char *blob_hex, const char *media_type,
                              const char *diff_id_hex, GError **error);
/* Unpacks the layer blob streamed from FD (a pipe while the blob downloads:
 * the registry client) as layer DIFF_ID_HEX of blob BLOB_HEX (BLOB_SIZE
 * bytes; the caller checks and adopts the blob itself). Safe to call from
 * several threads at once for different layers. */
gboolean store_txn_unpack_layer (StoreTxn *t, int fd, const char *blob_hex, guint64 blob_size,
                                 const char *media_type, const char *diff_id_hex, GError **error);
/* TRUE when layer DIFF_ID_HEX is stored or staged. */
gboolean store_txn_has_layer (StoreTxn *t, const char *diff_id_hex);
/* Records an image for the staged/stored manifest MANIFEST_HEX (its config
 * and layers must be staged or stored). NAMES are full names, moved to
 * it. Returns the image id. */
char *store_txn_add_image (StoreTxn *t, const char *manifest_hex, const char *const *names,
                           GError **error);
gboolean store_txn_commit (StoreTxn *t, GError **error);

/* Layer DIFF_ID's record: the blob it was unpacked from (hex), that blob's
 * media type and the uncompressed tar size. Any out-pointer may be NULL. */
gboolean store_layer_info (Store *s, const char *diff_id, char **blob_hex, char **media_type,
                           guint64 *size, GError **error);

/* An OCI descriptor {mediaType, digest: "sha256:HEX", size}. */
JsonObject *store_descriptor (const char *media_type, const char *hex, gsize size);

/* Blob HEX's path in the store (it may not exist). */
char *store_blob_path (Store *s, const char *hex);
/* Names with podman's registry defaults: short "busybox" becomes
 * DEFAULT_DOMAIN/busybox:latest ("localhost" for tag and oci-archive,
 * "docker.io" (+ "library/") for docker-archive RepoTags). */
char *store_normalize_name_in (const char *name, const char *default_domain, GError **error);

G_END_DECLS
