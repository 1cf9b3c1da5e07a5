/* SPDX-License-Identifier: Apache-2.0 */
/* Capabilities of the container process. Names come from libcap; the sets
 * are applied with raw capset/prctl calls so the child does not allocate
 * between clone and execve. See caps.h for the order the runner follows. */
#include "sandbox/caps.h"
#include "error.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

G_DEFINE_QUARK (caps-error-quark, caps_error)

int
caps_last_cap (void)
{
  static int last = -1;
  if (last < 0)
    {
      g_autofree char *text = NULL;
      int value = CAP_LAST_CAP;
      if (g_file_get_contents ("/proc/sys/kernel/cap_last_cap", &text, NULL, NULL))
        value = (int)g_ascii_strtoll (text, NULL, 10);
      /* Our masks are 64 bits wide. */
      last = CLAMP (value, 0, 63);
    }
  return last;
}

guint64
caps_all_mask (void)
{
  int last = caps_last_cap ();
  return last >= 63 ? G_MAXUINT64 : (G_GUINT64_CONSTANT (1) << (last + 1)) - 1;
}

gboolean
caps_effective_has (int cap)
{
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2] = { { 0 } };
  if (cap < 0 || cap > 63 || syscall (SYS_capget, &header, data) < 0)
    return FALSE;
  return (data[cap / 32].effective >> (cap % 32)) & 1;
}

static guint64
own_bounding_set (void)
{
  guint64 mask = 0;
  for (int cap = 0; cap <= caps_last_cap (); cap++)
    if (prctl (PR_CAPBSET_READ, cap, 0, 0, 0) == 1)
      mask |= G_GUINT64_CONSTANT (1) << cap;
  return mask;
}

int
caps_from_name (const char *name, GError **error)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (name));
  g_autofree char *lower = g_ascii_strdown (trimmed, -1);
  g_autofree char *full
      = g_str_has_prefix (lower, "cap_") ? g_strdup (lower) : g_strconcat ("cap_", lower, NULL);
  cap_value_t cap;
  /* libcap also accepts plain numbers; podman does not. */
  if (full[4] != '\0' && !g_ascii_isdigit (full[4]) && cap_from_name (full, &cap) == 0 && cap >= 0
      && cap <= 63)
    return cap;
  g_set_error (error, CAPS_ERROR, CAPS_ERROR_UNKNOWN, "unknown capability '%s'", name);
  return -1;
}

const char *
caps_to_name (int cap)
{
  static char *names[64];
  if (cap < 0 || cap > 63)
    return NULL;
  if (names[cap] == NULL)
    {
      char *lower = cap_to_name (cap);
      /* libcap prints unknown numbers as digits. */
      if (lower == NULL || g_ascii_isdigit (lower[0]))
        {
          cap_free (lower);
          return NULL;
        }
      names[cap] = g_ascii_strup (lower, -1);
      cap_free (lower);
    }
  return names[cap];
}

/* Splits the flag values at commas and resolves them; "ALL" sets *all. */
static gboolean
parse_list (const char *const *values, const char *flag, guint64 *mask, gboolean *all,
            GError **error)
{
  *mask = 0;
  *all = FALSE;
  for (gsize i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_auto (GStrv) parts = g_strsplit (values[i], ",", -1);
      for (gsize j = 0; parts[j] != NULL; j++)
        {
          g_autoptr (GError) local = NULL;
          const char *name = g_strstrip (parts[j]);
          int cap;
          if (*name == '\0')
            continue;
          if (g_ascii_strcasecmp (name, "ALL") == 0)
            {
              *all = TRUE;
              continue;
            }
          cap = caps_from_name (name, &local);
          if (cap < 0)
            {
              g_set_error (error, CAPS_ERROR, CAPS_ERROR_UNKNOWN, "%s=%s: %s", flag, values[i],
                           local->message);
              return FALSE;
            }
          *mask |= G_GUINT64_CONSTANT (1) << cap;
        }
    }
  return TRUE;
}

static const char *
name_or_number (int cap, char buf[16])
{
  const char *name = caps_to_name (cap);
  if (name != NULL)
    return name;
  g_snprintf (buf, 16, "%d", cap);
  return buf;
}

gboolean
caps_merge (guint64 base, const char *const *add, const char *const *drop, guint64 *out,
            GError **error)
{
  guint64 add_mask, drop_mask, both;
  gboolean add_all, drop_all;

  if (!parse_list (add, "--cap-add", &add_mask, &add_all, error)
      || !parse_list (drop, "--cap-drop", &drop_mask, &drop_all, error))
    return FALSE;

  if (add_all && drop_all)
    {
      g_set_error (error, CAPS_ERROR, CAPS_ERROR_CONFLICT,
                   "--cap-add=ALL and --cap-drop=ALL cannot be used together");
      return FALSE;
    }
  /* podman: dropping ALL keeps only what is added. */
  if (drop_all)
    {
      *out = add_mask;
      return TRUE;
    }
  both = add_mask & drop_mask;
  if (both != 0)
    {
      char buf[16];
      g_set_error (error, CAPS_ERROR, CAPS_ERROR_CONFLICT,
                   "capability %s cannot be both added (--cap-add) and dropped (--cap-drop)",
                   name_or_number (g_bit_nth_lsf (both, -1), buf));
      return FALSE;
    }
  if (add_all)
    base = own_bounding_set ();
  *out = (base & ~drop_mask) | add_mask;
  return TRUE;
}

gboolean
caps_resolve (const char *const *add, const char *const *drop, gboolean root_user,
              gboolean no_new_privs, CapSets *out, GError **error)
{
  /* Only what we have ourselves can be given to the container. */
  guint64 available = own_bounding_set ();
  guint64 merged;

  memset (out, 0, sizeof *out);
  if (!caps_merge (CAPS_DEFAULT_MASK, add, drop, &merged, error))
    return FALSE;
  out->bounding = merged & available;
  out->no_new_privs = no_new_privs;
  if (root_user)
    {
      out->effective = out->permitted = out->bounding;
      return TRUE;
    }
  /* A non-root user gets only what was added explicitly, and through the
   * ambient set so that it survives execve. */
  if (!caps_merge (0, add, NULL, &merged, error))
    return FALSE;
  merged &= available;
  out->effective = out->permitted = out->inheritable = out->ambient = merged;
  return TRUE;
}

gboolean
caps_apply_bounding (const CapSets *caps, GError **error)
{
  int last = caps_last_cap ();
  for (int cap = 0; cap <= last; cap++)
    {
      if (caps->bounding & (G_GUINT64_CONSTANT (1) << cap))
        continue;
      /* EINVAL: a capability this kernel does not have; nothing to drop. */
      if (prctl (PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
        return errno_error (error, CAPS_ERROR, CAPS_ERROR_FAILED, errno,
                            "dropping from the capability bounding set");
    }
  if (prctl (PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
    return errno_error (error, CAPS_ERROR, CAPS_ERROR_FAILED, errno, "prctl(PR_SET_KEEPCAPS)");
  return TRUE;
}

gboolean
caps_apply (const CapSets *caps, GError **error)
{
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct data[2] = {
    { (guint32)caps->effective, (guint32)caps->permitted, (guint32)caps->inheritable },
    { (guint32)(caps->effective >> 32), (guint32)(caps->permitted >> 32),
      (guint32)(caps->inheritable >> 32) },
  };
  int last = caps_last_cap ();

  if (syscall (SYS_capset, &header, data) < 0)
    return errno_error (error, CAPS_ERROR, CAPS_ERROR_FAILED, errno, "capset");
  if (prctl (PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
    return errno_error (error, CAPS_ERROR, CAPS_ERROR_FAILED, errno, "prctl(PR_SET_KEEPCAPS)");
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return errno_error (error, CAPS_ERROR, CAPS_ERROR_FAILED, errno,
                        "clearing the ambient capabilities");
  for (int cap = 0; cap <= last; cap++)
    if ((caps->ambient & (G_GUINT64_CONSTANT (1) << cap))
        && prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
      return errno_error (error, CAPS_ERROR, CAPS_ERROR_FAILED, errno,
                          "raising an ambient capability");
  if (caps->no_new_privs && prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return errno_error (error, CAPS_ERROR, CAPS_ERROR_FAILED, errno, "prctl(PR_SET_NO_NEW_PRIVS)");
  return TRUE;
}

char *
caps_format_mask (guint64 mask)
{
  return g_strdup_printf ("%016" G_GINT64_MODIFIER "x", mask);
}
