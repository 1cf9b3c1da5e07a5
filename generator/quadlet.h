/* SPDX-License-Identifier: Apache-2.0 */
/* The shared model of the generator: one QuadletContext per run, holding
 * what every conversion needs to know about the other Quadlet files (their
 * service and resource names), and the helpers every unit type uses to
 * build a .service from a Quadlet file (service init, engine command lines,
 * key lookups that add flags).
 *
 * Data flow: main.c loads files (unitdirs.c), fills the unit-info map
 * (quadlet_units_info_add), converts each file with quadlet_convert_TYPE
 * (quadlet-TYPE.c), and writes the result (emit.c). Conversions return
 * NULL + GError (QUADLET_ERROR, message in Quadlet's words without the
 * `converting "x": ` prefix, which main.c adds) and never log: warnings
 * go to quadlet_warn(). */
#pragma once

#include <glib.h>

#include "arena.h"
#include "unitfile.h"

#define QUADLET_ERROR (quadlet_error_quark ())
GQuark quadlet_error_quark (void);
typedef enum {
  QUADLET_ERROR_INVALID, /* the file asks for something Quadlet rejects */
  QUADLET_ERROR_NOT_FOUND, /* a referenced Quadlet unit is not loaded */
} QuadletError;

/* Group names. */
#define QUADLET_UNIT_GROUP "Unit"
#define QUADLET_SERVICE_GROUP "Service"
#define QUADLET_INSTALL_GROUP "Install"
#define QUADLET_QUADLET_GROUP "Quadlet"
#define QUADLET_CONTAINER_GROUP "Container"
#define QUADLET_POD_GROUP "Pod"
#define QUADLET_VOLUME_GROUP "Volume"
#define QUADLET_NETWORK_GROUP "Network"
#define QUADLET_IMAGE_GROUP "Image"
#define QUADLET_BUILD_GROUP "Build"
#define QUADLET_KUBE_GROUP "Kube"
#define QUADLET_ARTIFACT_GROUP "Artifact"

/* What is known about one loaded Quadlet file before any is converted. */
typedef struct {
  char *service_name;  /* generated unit name without ".service" */
  char *resource_name; /* podman-side name (volume, network, image, container,
                        * pod); NULL or "" when not known (yet) */
  GPtrArray *containers_to_start; /* .pod only: service file names */
} QuadletUnitInfo;

typedef struct {
  gboolean is_user;      /* user (rootless) generator */
  char *engine;          /* engine binary put first in every command ($PODMAN) */
  GHashTable *units;     /* file name ("web.container") -> QuadletUnitInfo* */
  GPtrArray *warnings;   /* char*; drained and logged by main.c */
} QuadletContext;

QuadletContext *quadlet_context_new (gboolean is_user, const char *engine);
void quadlet_context_free (QuadletContext *ctx);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (QuadletContext, quadlet_context_free)

/* Records a warning (logged by the driver, the conversion still succeeds). */
void quadlet_warn (QuadletContext *ctx, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* ------------------------------------------------------------ unit types */

typedef UnitFile *(*QuadletConvertFunc) (QuadletContext *ctx, UnitFile *unit, GError **error);

typedef struct {
  const char *extension;    /* ".container" */
  const char *group;        /* "Container" */
  const char *x_group;      /* "X-Container": the group kept in the service */
  const char *service_suffix; /* "-volume" for .volume; "" for .container */
  int order;                /* conversion order: images first, pods last */
  const char *const *keys;  /* supported keys, NULL-terminated */
  QuadletConvertFunc convert; /* NULL when the type is recognised but not supported */
} QuadletUnitType;

/* The type of @filename by extension, or NULL. */
const QuadletUnitType *quadlet_unit_type_for (const char *filename);
/* All types, NULL-terminated. */
const QuadletUnitType *const *quadlet_unit_types (void);

UnitFile *quadlet_convert_container (QuadletContext *ctx, UnitFile *unit, GError **error);
UnitFile *quadlet_convert_pod (QuadletContext *ctx, UnitFile *unit, GError **error);
UnitFile *quadlet_convert_volume (QuadletContext *ctx, UnitFile *unit, GError **error);
UnitFile *quadlet_convert_network (QuadletContext *ctx, UnitFile *unit, GError **error);
UnitFile *quadlet_convert_image (QuadletContext *ctx, UnitFile *unit, GError **error);
UnitFile *quadlet_convert_build (QuadletContext *ctx, UnitFile *unit, GError **error);
UnitFile *quadlet_convert_kube (QuadletContext *ctx, UnitFile *unit, GError **error);
UnitFile *quadlet_convert_artifact (QuadletContext *ctx, UnitFile *unit, GError **error);

/* Supported-key tables (quadlet-common.c), for checks and --validate. */
extern const char *const quadlet_container_keys[];
extern const char *const quadlet_pod_keys[];
extern const char *const quadlet_volume_keys[];
extern const char *const quadlet_network_keys[];
extern const char *const quadlet_image_keys[];
extern const char *const quadlet_build_keys[];
extern const char *const quadlet_kube_keys[];
extern const char *const quadlet_artifact_keys[];

/* ------------------------------------------------------------ unit infos */

/* Pre-pass: records @unit's service name and, where it can be known before
 * conversion (.container, .build), its resource name. */
void quadlet_units_info_add (QuadletContext *ctx, UnitFile *unit);
/* The same in two steps: the info of @unit (NULL when it is no Quadlet
 * file), which only reads @unit, and recording it (taking it) in @ctx. */
QuadletUnitInfo *quadlet_unit_info_new (UnitFile *unit);
void quadlet_units_info_insert (QuadletContext *ctx, UnitFile *unit, QuadletUnitInfo *info);
void quadlet_unit_info_free (QuadletUnitInfo *info);
QuadletUnitInfo *quadlet_units_info_lookup (QuadletContext *ctx, const char *filename);

/* "web.container" -> "web", ServiceName= wins; templates keep their '@'
 * ("foo@.volume" -> "foo-volume@"). Caller frees. */
char *quadlet_get_service_name (UnitFile *unit, const char *group, const char *suffix);
/* removeExtension: "foo.volume" -> PREFIX "foo" SUFFIX. Caller frees. */
char *quadlet_remove_extension (const char *name, const char *prefix, const char *suffix);
/* The default podman name of a .volume/.network/.pod: "systemd-" + base
 * ("systemd-foo"; templates "systemd-foo-%i"). Caller frees. */
char *quadlet_default_resource_name (UnitFile *unit);
/* @key (VolumeName=, NetworkName=, PodName=) when set and not empty, else
 * quadlet_default_resource_name(). Caller frees. */
char *quadlet_named_resource (UnitFile *unit, const char *group, const char *key);
/* ContainerName= or "systemd-%N" ("systemd-%p_%i" for templates); caller frees. */
char *quadlet_get_container_name (UnitFile *unit);

/* ------------------------------------------------------------ service init */

/* Checks for unknown keys, copies @unit into a new service (named after its
 * unit info), rewrites [Unit] dependencies naming Quadlet files, adds the
 * network-online dependencies unless [Quadlet] DefaultDependencies=false,
 * SourcePath=, RequiresMountsFor=%t/containers, and renames @group and
 * [Quadlet] to their X- names. *info (optional) is @unit's unit info. */
UnitFile *quadlet_init_service (QuadletContext *ctx, UnitFile *unit, const char *group,
                                QuadletUnitInfo **info, GError **error);

/* "unsupported key 'K' in group 'G' in PATH" for the first unknown key in
 * @group, then in [Quadlet]. */
gboolean quadlet_check_unknown_keys (UnitFile *unit, const char *group,
                                     const char *const *supported, GError **error);
/* Like quadlet_check_unknown_keys but reports every problem (for --validate). */
void quadlet_collect_unknown_keys (UnitFile *unit, const char *group,
                                   const char *const *supported, GPtrArray *problems);

/* Warns for [Service] User=, Group=, DynamicUser= (Quadlet's warning). */
void quadlet_warn_unsupported_service_keys (QuadletContext *ctx, UnitFile *unit);
/* Warns for an unterminated quote in the command-line style keys (Exec=,
 * PodmanArgs=, Environment=, …): Quadlet, like podunit, lets the quote run
 * to the end of the value, which is rarely what was meant. */
void quadlet_warn_unterminated_quotes (QuadletContext *ctx, UnitFile *unit, const char *group);
/* Warns when Image= is a short name (Quadlet's text). */
void quadlet_warn_ambiguous_image (QuadletContext *ctx, UnitFile *unit, const char *group);

/* SyslogIdentifier=%N, Type=oneshot, RemainAfterExit=yes unless set. */
void quadlet_default_oneshot_service (UnitFile *service, gboolean remain_after_exit);

/* Sets @error naming @unit's file and the line of @group/@key when known:
 * "MESSAGE (web.container:12)". */
void quadlet_set_error_at (GError **error, UnitFile *unit, const char *group, const char *key,
                           const char *format, ...) G_GNUC_PRINTF (5, 6);

/* ------------------------------------------------------------ command lines */

typedef struct {
  GPtrArray *args; /* char*, in arena */
  Arena *arena;    /* the arguments' strings, freed with the command line */
} PodmanCmdline;

/* @engine first. */
PodmanCmdline *podman_cmdline_new (const char *engine);
void podman_cmdline_free (PodmanCmdline *c);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PodmanCmdline, podman_cmdline_free)

/* Appends each argument of the NULL-terminated list. */
void podman_cmdline_add (PodmanCmdline *c, const char *arg, ...) G_GNUC_NULL_TERMINATED;
void podman_cmdline_addf (PodmanCmdline *c, const char *format, ...) G_GNUC_PRINTF (2, 3);
void podman_cmdline_add_strv (PodmanCmdline *c, const char *const *args);
/* Replaces the engine (the first word). */
void podman_cmdline_set_engine (PodmanCmdline *c, const char *engine);
/* FLAG when @value, else FLAG=false. */
void podman_cmdline_add_bool (PodmanCmdline *c, const char *flag, gboolean value);
/* FLAG K=V for each entry of @kv (char* -> char*; a NULL value gives FLAG K),
 * sorted by key. */
void podman_cmdline_add_keys (PodmanCmdline *c, const char *flag, GHashTable *kv);
/* NULL-terminated argument vector (borrowed, valid until the next add). */
const char *const *podman_cmdline_argv (PodmanCmdline *c);
/* Adds the command line as @key in [Service]. */
void podman_cmdline_add_to (PodmanCmdline *c, UnitFile *service, const char *key);

/* The engine, --module=M for each ContainersConfModule=, and GlobalArgs=. */
PodmanCmdline *quadlet_base_command (QuadletContext *ctx, UnitFile *unit, const char *group);
/* Appends PodmanArgs= (exec-style split). */
void quadlet_add_podman_args (PodmanCmdline *c, UnitFile *unit, const char *group);

/* The end shared by the units that create one resource (.volume .network
 * .image .artifact): PodmanArgs=, @last_arg, the command as ExecStart= of a
 * oneshot service that stays active, and @resource_name recorded in @info
 * for the units that reference this one. */
void quadlet_finish_resource_service (UnitFile *service, PodmanCmdline *podman, UnitFile *unit,
                                      const char *group, const char *last_arg,
                                      QuadletUnitInfo *info, const char *resource_name);

/* Key -> flag tables, NULL-terminated ({ NULL, NULL }). Quadlet iterates Go
 * maps here, so their order is not defined by Quadlet; podunit uses table
 * order. */
typedef struct {
  const char *key;
  const char *flag;
} QuadletKeyFlag;

/* FLAG VALUE for the last non-empty value of each key. */
void quadlet_add_strings (PodmanCmdline *c, UnitFile *unit, const char *group,
                          const QuadletKeyFlag *table);
/* FLAG VALUE for every value of each key. */
void quadlet_add_all_strings (PodmanCmdline *c, UnitFile *unit, const char *group,
                              const QuadletKeyFlag *table);
/* FLAG or FLAG=false for each boolean key that is set. */
void quadlet_add_booleans (PodmanCmdline *c, UnitFile *unit, const char *group,
                           const QuadletKeyFlag *table);
/* FLAG K=V (sorted) for each Environment=-style key; parse problems become
 * warnings. */
void quadlet_add_key_vals (QuadletContext *ctx, PodmanCmdline *c, UnitFile *unit,
                           const char *group, const QuadletKeyFlag *table);

/* ------------------------------------------------------------ references */

/* Image=x.image / x.build: adds Requires=/After= on its service and returns
 * its resource name; any other image is returned unchanged. Caller frees. */
char *quadlet_handle_image_source (QuadletContext *ctx, const char *image, UnitFile *service,
                                   GError **error);
/* Relative paths resolve against the Quadlet file's directory; paths
 * starting with a systemd specifier (%h/...) are left alone. Caller frees. */
char *quadlet_get_absolute_path (UnitFile *unit, const char *path);

/* Quadlet's URL test for build contexts and files: "http…", "git://…",
 * or anything with "github.com/" followed by more. */
gboolean quadlet_is_url (const char *s);
/* SetWorkingDirectory= of .build and .kube files: adds [Service]
 * WorkingDirectory= (unless the file sets one) and returns the build
 * context to pass last ("" for none; caller frees), NULL with @error. */
char *quadlet_handle_set_working_directory (UnitFile *unit, UnitFile *service, const char *group,
                                            GError **error);
