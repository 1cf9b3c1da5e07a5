/* SPDX-License-Identifier: Apache-2.0 */
/* The container's seccomp filter: podman's default profile (built in,
 * also installed as /usr/share/podunit/seccomp.json) or a user's profile in
 * podman/docker JSON format (--security-opt seccomp=PATH), compiled with
 * libseccomp for the container's capabilities.
 *
 * Compiling costs milliseconds of CPU, so the BPF program is cached in
 * CACHE_DIR/<sha256>.bpf, keyed by (profile bytes, capabilities, native
 * architecture, libseccomp version). A run normally reads the cached
 * program and only hands it to the kernel in the child.
 *
 * Parent, before clone:   prog = seccomp_program_prepare (...)
 * Child, before execve:   seccomp_program_apply (prog) -- see caps.h for
 *                         where exactly in the sequence (it depends on
 *                         no_new_privs). */
#pragma once

#include <glib.h>

#define SECCOMP_PROFILE_ERROR (seccomp_profile_error_quark ())
GQuark seccomp_profile_error_quark (void);
typedef enum {
  SECCOMP_PROFILE_ERROR_IO,      /* profile or cache file unreadable */
  SECCOMP_PROFILE_ERROR_INVALID, /* bad JSON, unknown syscall/action/arch/op */
  SECCOMP_PROFILE_ERROR_FAILED,  /* libseccomp or the kernel refused */
} SeccompProfileError;

typedef struct _SeccompProgram SeccompProgram;

/* @profile: NULL or "" for the built-in default, "unconfined" for no
 * filter (the program is then empty and apply does nothing), otherwise a
 * path to a JSON profile. @bounding_caps: the container's bounding set
 * (CapSets.bounding); rules with "includes": {"caps": [...]} apply when all
 * listed capabilities are in it, "excludes" conversely (podman does the
 * same). @cache_dir: where to cache compiled programs (created if needed,
 * e.g. RUNROOT/seccomp), or NULL to always compile. Errors name the profile
 * file and the bad entry ("p.json: syscalls[3]: unknown syscall 'foo'").
 * A syscall name this libseccomp does not know is an error in a user's
 * profile (a typo must not silently allow or deny nothing); the built-in
 * profile skips such names, as it may list syscalls newer than the host's
 * libseccomp. Conflicting rules for one syscall: the first one wins
 * (libseccomp's behaviour, which podman's profiles rely on). */
SeccompProgram *seccomp_program_prepare (const char *profile, guint64 bounding_caps,
                                         const char *cache_dir, GError **error);
void seccomp_program_free (SeccompProgram *prog);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (SeccompProgram, seccomp_program_free)

/* TRUE for "unconfined": no filter to apply. */
gboolean seccomp_program_is_empty (const SeccompProgram *prog);
/* TRUE when prepare read the program from the cache instead of compiling. */
gboolean seccomp_program_from_cache (const SeccompProgram *prog);
/* Number of BPF instructions. */
gsize seccomp_program_length (const SeccompProgram *prog);

/* Child side: loads the filter into the calling thread (all threads via
 * SECCOMP_FILTER_FLAG_TSYNC when available). Needs no_new_privs or
 * CAP_SYS_ADMIN in the current user namespace (the kernel's rule). Does
 * not allocate unless it fails. */
gboolean seccomp_program_apply (const SeccompProgram *prog, GError **error);

/* The built-in default profile (JSON text, static; podman's semantics). */
GBytes *seccomp_default_profile (void);
