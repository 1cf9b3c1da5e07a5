/* SPDX-License-Identifier: Apache-2.0 */
/* What the image verbs share: opening the store from the global flags,
 * podman's human-readable sizes and ages, and which containers use an image. */
#pragma once

#include "cli/cli.h"
#include "image/registry/pull.h"
#include "image/registry/registries.h"
#include "image/store.h"

Store *cli_store_open (CliGlobal *g, GError **error);

/* go-units HumanSizeWithPrecision(size, 3): "4.53 MB". */
char *cli_human_size (guint64 size);
/* With @digits significant digits and @sep before the unit: go-units'
 * HumanSize is (size, 4, ""): "400MB", "5.023MB". */
char *cli_human_size_precision (guint64 size, int digits, const char *sep);
/* go-units HumanDuration + " ago": "2 weeks ago". */
char *cli_human_ago (gint64 unix_seconds);

/* Ids of the containers created from image ID (empty when none).  NULL with
 * an error when the container records cannot be read. */
GPtrArray *cli_containers_using_image (CliGlobal *g, const char *id, GError **error);

/* podman's copy progress, as it prints it without a terminal (stderr):
 * "Getting image source signatures", "Copying blob DIGEST" (the first
 * @reused "skipped: already exists"), "Copying config", "Writing
 * manifest to image destination". */
void cli_print_copy_progress (StoreImage *img, guint reused);

/* run's and create's IMAGE as "docker-archive:PATH" or "oci-archive:PATH"
 * (podman loads the archive and runs what it holds): loads PATH as `load`
 * does, printing the copy progress, and returns the first loaded image's
 * name (its id when unnamed). NULL without an error when @ref names no
 * archive transport. */
char *cli_load_archive_ref (Store *s, const char *ref, GError **error);

/* The name of IMG that REF selected (a name REF resolves to), or NULL when
 * REF was an id. */
const char *cli_image_name_for_ref (StoreImage *img, const char *ref);
/* run --rmi in the foreground, after the container is removed: the image
 * goes unless a container uses it (then a warning, as podman). */
void cli_rmi_after_run (CliGlobal *g, const char *image_id);

/* cli/pull.c: pulls NAME (short names resolved through registries.conf;
 * its insecure settings apply unless TLS_GIVEN: --tls-verify was set)
 * with podman's progress lines on stderr unless QUIET; retries network
 * failures RETRIES times, the delay doubling from RETRY_DELAY seconds.
 * Returns the image id. */
char *cli_pull_image (Store *s, const char *name, const RegistryOptions *o, gboolean tls_given,
                      const RegistryPlatform *platform, guint retries, guint retry_delay,
                      gboolean quiet, GError **error);
/* "10", "2s", "1m", "500ms" -> whole seconds (a part rounds up to 1). */
gboolean cli_parse_duration_seconds (const char *s, guint *out);
/* The image `run`/`create` use, pulled first as POLICY says (NULL:
 * missing; always, newer, never); RETRY and RETRY_DELAY as given (NULL:
 * 3 and 2s, already checked); AUTHFILE: --authfile (NULL: the default
 * files). */
StoreRunImage *cli_run_image (Store *s, const char *name, const char *policy, const char *retry,
                              const char *retry_delay, const char *authfile, GError **error);

/* --tls-verify[=BOOL] (an optional-argument callback option for pull, push,
 * search): cli_tls_verify, and cli_tls_given when it was set at all. The
 * verb resets both before parsing. */
extern gboolean cli_tls_verify, cli_tls_given;
gboolean cli_option_tls_verify (const char *name, const char *value, gpointer data,
                                GError **error);
/* registries.conf's [[registry]] entry for REF (*ENTRY, NULL when none):
 * an error when it is blocked; its insecure setting goes into *O unless
 * TLS_GIVEN. */
gboolean cli_registry_entry (RegistriesConf *conf, const RegistryRef *ref, RegistryOptions *o,
                             gboolean tls_given, const RegistryEntry **entry, GError **error);

/* The flags every registry verb takes (pull, push, search, image
 * list-tags): --tls-verify[=BOOL], --authfile, --creds, --cert-dir. */
#define CLI_REGISTRY_OPTIONS(authfile, creds, cert_dir)                                          \
  { "tls-verify", 0, G_OPTION_FLAG_OPTIONAL_ARG | G_OPTION_FLAG_FILENAME, G_OPTION_ARG_CALLBACK, \
    cli_option_tls_verify, "Require HTTPS and verify certificates (default true)", "BOOL" },    \
  { "authfile", 0, 0, G_OPTION_ARG_FILENAME, &(authfile), "Path of the authentication file",     \
    "FILE" },                                                                                    \
  { "creds", 0, 0, G_OPTION_ARG_STRING, &(creds), "Credentials USER[:PASSWORD]", "CREDS" },      \
  { "cert-dir", 0, 0, G_OPTION_ARG_FILENAME, &(cert_dir), "Certificates (*.crt, *.cert, *.key)", \
    "DIR" }
/* --retry N and --retry-delay D as pull and push check them (errors
 * printed): *DELAY gets D in seconds (2 when unset). */
gboolean cli_check_retry (gint retry, const char *retry_delay, guint *delay);
/* A registry verb's target: NAME ([docker://]HOST/PATH[:TAG|@DIGEST])
 * parsed, registries.conf read into *CONF, and *O filled from the registry
 * flags (cli_tls_verify, AUTHFILE, CREDS, CERT_DIR) and the name's
 * [[registry]] entry (a blocked one is an error). */
RegistryRef *cli_registry_target (const char *name, const char *authfile, const char *creds,
                                  const char *cert_dir, RegistryOptions *o,
                                  RegistriesConf **conf, GError **error);
