/* SPDX-License-Identifier: Apache-2.0 */
/* containers-registries.conf(5), version 2: where names are pulled from.
 * The file is CONTAINERS_REGISTRIES_CONF if set, else (rootless)
 * ~/.config/containers/registries.conf when it exists, else
 * /etc/containers/registries.conf; then the FILE.d directory's .conf drop-ins in name
 * order: their top-level keys replace the file's, [[registry]] entries
 * replace the one with the same prefix (or add to them), [aliases] merge.
 * Read: unqualified-search-registries, short-name-mode, [aliases],
 * [[registry]] prefix/location/insecure/blocked/pull-from-mirror with
 * [[registry.mirror]] location/insecure/pull-from-mirror. Other keys are
 * ignored, as podman's own (credential-helpers …); a key with the wrong type
 * is an error naming FILE:LINE. Last, the short-name alias cache
 * (registries_alias_cache_path): its [aliases] win over the files'. */
#pragma once

#include <glib.h>

typedef struct
{
  char *location;
  gboolean insecure;
  char *pull_from_mirror; /* all, digest-only, tag-only (NULL: all) */
} RegistryMirror;

typedef struct
{
  char *prefix;   /* "quay.io/ns", "*.example.com" */
  char *location; /* NULL: the prefix */
  gboolean insecure, blocked;
  GPtrArray *mirrors; /* RegistryMirror */
} RegistryEntry;

typedef enum
{
  SHORT_NAME_ENFORCING, /* podman's default */
  SHORT_NAME_PERMISSIVE,
  SHORT_NAME_DISABLED,
} ShortNameMode;

typedef struct
{
  char **search;          /* unqualified-search-registries */
  ShortNameMode mode;
  GHashTable *aliases;    /* short name -> fully qualified */
  GHashTable *alias_files; /* short name -> the file that set it */
  GPtrArray *registries;  /* RegistryEntry, as read */
  char *path;             /* the main file, for messages */
} RegistriesConf;

/* The short-name alias cache: /var/cache/containers/short-name-aliases.conf
 * for root, ${XDG_CACHE_HOME:-~/.cache}/containers/short-name-aliases.conf
 * for users, as containers/image keeps it. */
char *registries_alias_cache_path (void);
/* Records NAME = VALUE in the alias cache (the file rewritten atomically
 * under a lock, other aliases kept): what a short name resolved to when
 * the user picked it at the prompt. */
gboolean registries_alias_cache_record (const char *name, const char *value, GError **error);

/* Reads the files named above (missing ones are fine). */
RegistriesConf *registries_conf_load (GError **error);
/* Applies one file's DATA (named FILE in errors) on top of CONF. */
gboolean registries_conf_apply (RegistriesConf *conf, const char *data, gsize len,
                                const char *file, GError **error);
RegistriesConf *registries_conf_new (const char *path);
void registries_conf_free (RegistriesConf *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RegistriesConf, registries_conf_free)

/* The [[registry]] entry for REPO ("host/path"): the longest matching
 * prefix; NULL when none. */
const RegistryEntry *registries_conf_find (RegistriesConf *c, const char *repo);
/* REPO rewritten to ENTRY's location (REPO when it has none). */
char *registries_conf_rewrite (const RegistryEntry *e, const char *repo);
