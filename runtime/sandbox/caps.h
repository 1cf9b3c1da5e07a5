/* SPDX-License-Identifier: Apache-2.0 */
/* Linux capabilities of the container process, with podman's semantics:
 * the default set of containers.conf, --cap-add/--cap-drop, a non-root
 * container user getting only what was added, and --security-opt
 * no-new-privileges.
 *
 * Resolving (caps_resolve) happens in the parent; applying happens in the
 * child as the last steps before execve. The kernel dictates the order
 * (this is also crun's):
 *
 *   1. mounts, pivot_root, sysctls, ... (everything that needs privileges)
 *   2. caps_apply_bounding (caps)   drop the bounding set; needs CAP_SETPCAP,
 *                                   so still as the initial (root) user.
 *                                   Also sets PR_SET_KEEPCAPS so the permitted
 *                                   set survives step 4.
 *   3. seccomp_program_apply (prog) only when !caps->no_new_privs: loading a
 *                                   filter without no_new_privs needs
 *                                   CAP_SYS_ADMIN, which step 5 may drop.
 *   4. setgroups, setresgid, setresuid (the runner, for --user/--group-add)
 *   5. caps_apply (caps)            capset(effective, permitted, inheritable),
 *                                   clears KEEPCAPS, raises the ambient set,
 *                                   sets no_new_privs when requested.
 *   6. seccomp_program_apply (prog) only when caps->no_new_privs.
 *   7. execve
 *
 * The default seccomp profile allows every syscall steps 4-7 make (setgroups,
 * setres[ug]id, capset, prctl, execve), so a filter loaded at step 3 does not
 * get in the way. All masks are 64-bit: bit N is capability N (CAP_CHOWN = 0). */
#pragma once

#include <glib.h>

#define CAPS_ERROR (caps_error_quark ())
GQuark caps_error_quark (void);
typedef enum {
  CAPS_ERROR_UNKNOWN,  /* a capability name that does not exist */
  CAPS_ERROR_CONFLICT, /* the same capability both added and dropped, or ALL and ALL */
  CAPS_ERROR_FAILED,   /* a prctl/capset call failed (message has the errno) */
} CapsError;

/* podman's default set (containers.conf): CHOWN DAC_OVERRIDE FOWNER FSETID
 * KILL NET_BIND_SERVICE SETFCAP SETGID SETPCAP SETUID SYS_CHROOT. */
#define CAPS_DEFAULT_MASK G_GUINT64_CONSTANT (0x00000000800405fb)

typedef struct {
  guint64 bounding;
  guint64 effective;
  guint64 permitted;
  guint64 inheritable;
  guint64 ambient;
  gboolean no_new_privs;
} CapSets;

/* Highest capability number the running kernel knows. */
int caps_last_cap (void);
/* Whether this process has capability @cap in its effective set (a raw
 * capget: libcap is loaded only for capability names). */
gboolean caps_effective_has (int cap);
/* All capabilities the running kernel knows. */
guint64 caps_all_mask (void);

/* One capability name: "NET_ADMIN", "cap_net_admin", "CAP_NET_ADMIN" (any
 * case). Returns its number, or -1 with an error naming @name. "ALL" is not
 * a single capability and is rejected here. */
int caps_from_name (const char *name, GError **error);
/* "CAP_NET_ADMIN" (static string), or NULL for an unknown number. */
const char *caps_to_name (int cap);

/* podman's MergeCapabilities: @base minus @drop plus @add, where "ALL" in
 * @drop starts from nothing and "ALL" in @add means every capability of
 * our own bounding set. Names in each list may be comma-separated
 * ("--cap-add=NET_ADMIN,SYS_TIME"). A capability both added and dropped is
 * an error, as in podman. Errors name the offending flag value. */
gboolean caps_merge (guint64 base, const char *const *add, const char *const *drop, guint64 *out,
                     GError **error);

/* The sets for a container: bounding = default merged with @add/@drop; for
 * the root user effective = permitted = bounding; for another user
 * effective = permitted = ambient = inheritable = only what @add names
 * (podman: non-root users get no capabilities unless added). Inheritable is
 * otherwise empty (podman since CVE-2022-27649). podman decides "root" from
 * the --user text before resolving it: unset, "root" or "0" (with any
 * ":group"), and not with --userns=keep-id. */
gboolean caps_resolve (const char *const *add, const char *const *drop, gboolean root_user,
                       gboolean no_new_privs, CapSets *out, GError **error);

/* Child side, step 2 above: drops every capability not in @caps->bounding
 * from the bounding set and sets PR_SET_KEEPCAPS. */
gboolean caps_apply_bounding (const CapSets *caps, GError **error);
/* Child side, step 5 above. */
gboolean caps_apply (const CapSets *caps, GError **error);

/* "00000000800405fb", as /proc/PID/status prints a mask (caller frees). */
char *caps_format_mask (guint64 mask);
