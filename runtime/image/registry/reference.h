/* SPDX-License-Identifier: Apache-2.0 */
/* Image references as the registry client uses them: DOMAIN/PATH with a
 * tag and/or a digest, normalized as podman does (docker.io/library/ for
 * one-component Docker Hub names, ":latest" when neither is given). */
#pragma once

#include <glib.h>

#define REGISTRY_ERROR (registry_error_quark ())
GQuark registry_error_quark (void);

typedef enum
{
  REGISTRY_ERROR_INVALID,     /* bad name, bad manifest, digest mismatch */
  REGISTRY_ERROR_AUTH,        /* 401/403, bad or missing credentials */
  REGISTRY_ERROR_NOT_FOUND,   /* manifest/blob unknown to the registry */
  REGISTRY_ERROR_NETWORK,     /* connect, dropped or stalled transfers (worth a retry) */
  REGISTRY_ERROR_TLS,         /* certificate or handshake failures (not retried) */
  REGISTRY_ERROR_PLATFORM,    /* no manifest for the wanted platform */
  REGISTRY_ERROR_UNSUPPORTED, /* schema 1, credential helpers … */
  REGISTRY_ERROR_SHORT_NAME,  /* short-name resolution refused or failed */
} RegistryError;

typedef struct
{
  char *domain; /* "docker.io", "quay.io", "127.0.0.1:5000" */
  char *path;   /* "library/busybox" */
  char *tag;    /* NULL when only a digest was given */
  char *digest; /* "sha256:<hex>" or NULL */
} RegistryRef;

/* TRUE when NAME has no domain part ("busybox", "centos/centos:stream9"):
 * a short name, resolved through registries.conf. */
gboolean registry_name_is_short (const char *name);

/* Parses a fully qualified or short NAME (short ones land on docker.io). */
RegistryRef *registry_ref_parse (const char *name, GError **error);
void registry_ref_free (RegistryRef *r);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RegistryRef, registry_ref_free)

/* "domain/path" */
char *registry_ref_repo (const RegistryRef *r);
/* "domain/path:tag", "domain/path@digest" or both. */
char *registry_ref_string (const RegistryRef *r);
/* The tag or digest to ask the registry for (the digest wins). */
const char *registry_ref_reference (const RegistryRef *r);
