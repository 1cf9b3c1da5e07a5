/* SPDX-License-Identifier: Apache-2.0 */
/* OCI hooks (oci-hooks(5), podman's containers/common pkg/hooks): JSON
 * files in hook directories say which program runs at which stage of a
 * container's life, and for which containers.
 *
 *   read      every *.json of each directory; a later directory's file
 *             masks an earlier one of the same name (defaults:
 *             /usr/share/containers/oci/hooks.d, then /etc/...); a file
 *             whose hook program does not exist is skipped, as podman
 *             does; any other invalid file is an error naming it
 *   select    at create, in file-name order (lower-cased), the hooks whose
 *             `when` matches the container: recorded with it (HookSet as
 *             JSON, ContainerConfig.hooks), so `start` and --restart run
 *             what create decided
 *   run       at each stage with the OCI state JSON on stdin, the hook's
 *             args and env, killed after its timeout
 *
 * Stages as the runtime spec places them (prestart is createRuntime, as
 * in podman):
 *   createRuntime    runtime namespace, after the container's namespaces
 *                    and mounts exist, before pivot_root; failure fails the start
 *   createContainer  the container's namespaces, its mounts made but before
 *                    pivot_root (the path resolves on the host); fails the start
 *   startContainer   the container's namespaces and root, just before its
 *                    process runs; fails the start
 *   poststart        runtime namespace, once the process runs; failure warns
 *   poststop         runtime namespace, after the container exited; warns
 * Engine code: nothing is printed; errors are GErrors naming the hook file. */
#pragma once

#include <glib.h>
#include <sys/types.h>

#define HOOKS_ERROR (hooks_error_quark ())
GQuark hooks_error_quark (void);
typedef enum {
  HOOKS_ERROR_INVALID, /* a hook file that cannot be used */
  HOOKS_ERROR_FAILED,  /* a hook that ran and failed (exit status, signal, timeout) */
} HooksError;

typedef enum {
  HOOK_CREATE_RUNTIME,
  HOOK_CREATE_CONTAINER,
  HOOK_START_CONTAINER,
  HOOK_POSTSTART,
  HOOK_POSTSTOP,
  HOOK_N_STAGES
} HookStage;

/* The default directories, in precedence order (the last wins). */
#define HOOKS_DIR_DEFAULT "/usr/share/containers/oci/hooks.d"
#define HOOKS_DIR_OVERRIDE "/etc/containers/oci/hooks.d"

/* One hook to run: the runtime spec's hook entry and the file it came from. */
typedef struct {
  char *file;    /* the hook file, for messages */
  char *path;
  char **args;   /* argv; NULL: just the path */
  char **env;    /* NULL: the runtime's environment */
  int timeout;   /* seconds; 0: none */
} OciHook;

/* One parsed hook file (schema 1.0.0, or 0.1.0 converted as podman does). */
typedef struct _HookDef HookDef;

/* The hooks selected for a container, per stage, in the order they run. */
typedef struct {
  GPtrArray *stage[HOOK_N_STAGES]; /* OciHook */
} HookSet;

/* Parses one hook file's text: its JSON, version, stages, `when` (regular
 * expressions compiled) and hook.path present. Whether the program exists
 * is for hooks_select. */
HookDef *hook_def_parse (const char *text, gsize len, GError **error);
void hook_def_free (HookDef *d);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HookDef, hook_def_free)
/* The hook's program (hook.path). */
const char *hook_def_path (const HookDef *d);
/* Whether @d applies to a container whose process.args[0] is @argv0, with
 * @annotations (KEY=VALUE) and user volumes or binds (@has_bind_mounts). */
gboolean hook_def_matches (const HookDef *d, const char *argv0, char **annotations,
                           gboolean has_bind_mounts);

/* The hooks of @dirs (a directory that does not exist is skipped) that
 * apply to the container; an empty set when none do. */
HookSet *hooks_select (char **dirs, const char *argv0, char **annotations,
                       gboolean has_bind_mounts, GError **error);

HookSet *hook_set_new (void);
void hook_set_free (HookSet *s);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (HookSet, hook_set_free)
gboolean hook_set_is_empty (const HookSet *s);
gboolean hook_set_has (const HookSet *s, HookStage stage);
/* The record (ContainerConfig.hooks): {"createRuntime":[{"path":..,"args":..,
 * "env":..,"timeout":..,"file":..}],...}; NULL for an empty set. */
char *hook_set_to_json (const HookSet *s);
HookSet *hook_set_from_json (const char *json, GError **error);

/* The OCI state hooks read on stdin: ociVersion, id, status, pid (0:
 * none), bundle, annotations. */
char *hooks_state_json (const char *id, const char *status, pid_t pid, const char *bundle,
                        char **annotations);

/* Runs the hooks of @stage in order with @state on stdin. @ns_pid > 0:
 * each runs in the namespaces of that process (createContainer,
 * startContainer). Stops at the first failure (an error naming the hook
 * file), unless @keep_going (poststart, poststop): then every hook runs and
 * the error tells all that failed. */
gboolean hooks_run (const HookSet *s, HookStage stage, const char *state, pid_t ns_pid,
                    gboolean keep_going, GError **error);
