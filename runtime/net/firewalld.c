/* SPDX-License-Identifier: Apache-2.0 */
/* firewalld's trusted zone over D-Bus (see firewalld.h). */
#include "net/firewalld.h"

#include <errno.h>
#include <unistd.h>

#include <systemd/sd-bus.h>

#include "net/network.h"

#define FW_NAME "org.fedoraproject.FirewallD1"
/* sd-bus's default system bus address (DBUS_SYSTEM_BUS_ADDRESS unset) */
#define SYSTEM_BUS_SOCKET "/run/dbus/system_bus_socket"

/* @dest's @method (@iface, @path) with string arguments @a, @b (NULL:
 * none), its reply in @reply (NULL: dropped), waiting up to @usec (0:
 * sd-bus's 25 s); never starts @dest (no D-Bus activation). */
static int
call_wait (sd_bus *bus, const char *dest, const char *path, const char *iface,
           const char *method, const char *a, const char *b, sd_bus_message **reply,
           guint64 usec)
{
  sd_bus_message *m = NULL, *rep = NULL;
  int r = sd_bus_message_new_method_call (bus, &m, dest, path, iface, method);
  if (r >= 0)
    r = sd_bus_message_set_auto_start (m, 0);
  if (r >= 0 && a)
    r = sd_bus_message_append_basic (m, 's', a);
  if (r >= 0 && b)
    r = sd_bus_message_append_basic (m, 's', b);
  if (r >= 0)
    r = sd_bus_call (bus, m, usec, NULL, &rep);
  if (r >= 0 && reply)
    *reply = sd_bus_message_ref (rep);
  sd_bus_message_unref (rep);
  sd_bus_message_unref (m);
  return r;
}

static int
call (sd_bus *bus, const char *dest, const char *path, const char *iface, const char *method,
      const char *a, const char *b)
{
  return call_wait (bus, dest, path, iface, method, a, b, NULL, 0);
}

sd_bus *
firewalld_open (void)
{
  sd_bus *bus = NULL;
  /* No system bus socket where sd-bus would look: no firewalld, and no
   * need to load libsystemd (dlopened, with six libraries of its own:
   * about a millisecond of every first start on a network). */
  if (!g_getenv ("DBUS_SYSTEM_BUS_ADDRESS") && access (SYSTEM_BUS_SOCKET, F_OK) < 0)
    return NULL;
  if (sd_bus_open_system (&bus) < 0)
    return NULL; /* no system bus: no firewalld */
  if (call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
            "GetNameOwner", FW_NAME, NULL) < 0)
    {
      sd_bus_flush_close_unref (bus);
      return NULL;
    }
  return bus;
}

void
firewalld_close (sd_bus *bus)
{
  if (bus)
    sd_bus_flush_close_unref (bus);
}

/* The trusted zone's sources (a set), NULL when firewalld does not say. */
static GHashTable *
trusted_sources (sd_bus *bus)
{
  sd_bus_message *reply = NULL;
  GHashTable *set = NULL;
  const char *src;
  int r = call_wait (bus, FW_NAME, "/org/fedoraproject/FirewallD1", FW_NAME ".zone",
                     "getSources", "trusted", NULL, &reply, 0);
  if (r >= 0)
    r = sd_bus_message_enter_container (reply, 'a', "s");
  if (r >= 0)
    set = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  while (r >= 0 && (r = sd_bus_message_read_basic (reply, 's', &src)) > 0)
    g_hash_table_add (set, g_strdup (src));
  if (r < 0)
    g_clear_pointer (&set, g_hash_table_unref);
  sd_bus_message_unref (reply);
  return set;
}

void
firewalld_trust (sd_bus *bus, GPtrArray *add, GPtrArray *del)
{
  /* Only what changes the zone: firewalld logs an ERROR for each removal
   * of a source it does not hold (UNKNOWN_SOURCE; a whole write removes
   * the subnet of every unused network) and each addition of one it has.
   * Other errors (ZONE_CONFLICT: a subnet the administrator bound
   * elsewhere) leave firewalld's answer standing, as netavark does. */
  g_autoptr (GHashTable) has = bus ? trusted_sources (bus) : NULL;
  for (guint i = 0; bus && del && i < del->len; i++)
    if (!has || g_hash_table_remove (has, del->pdata[i]))
      call (bus, FW_NAME, "/org/fedoraproject/FirewallD1", FW_NAME ".zone", "removeSource",
            "trusted", del->pdata[i]);
  for (guint i = 0; bus && add && i < add->len; i++)
    if (!has || !g_hash_table_contains (has, add->pdata[i]))
      {
        call (bus, FW_NAME, "/org/fedoraproject/FirewallD1", FW_NAME ".zone", "addSource",
              "trusted", add->pdata[i]);
        if (has) /* a subnet comes once per container using it */
          g_hash_table_add (has, g_strdup (add->pdata[i]));
      }
}

static int
on_reloaded (sd_bus_message *m, void *due, sd_bus_error *e)
{
  *(gboolean *) due = TRUE;
  return 0;
}

static int
on_owner (sd_bus_message *m, void *due, sd_bus_error *e)
{
  const char *name = NULL, *old = NULL, *owner = NULL;
  /* _basic: the variadic reader has no lazy wrapper (tools/gen-lazy.py) */
  if (sd_bus_message_read_basic (m, 's', &name) > 0 && sd_bus_message_read_basic (m, 's', &old) > 0
      && sd_bus_message_read_basic (m, 's', &owner) > 0 && *owner)
    *(gboolean *) due = TRUE; /* started (again): its runtime sources are new */
  return 0;
}

gboolean
firewalld_watch (FirewalldSync sync, gpointer data, GError **error)
{
  sd_bus *bus = NULL;
  gboolean due = FALSE;
  /* No sender in the first match: sd-bus compares a sender locally with
   * the message's unique name, never a well-known one. A Reloaded from
   * elsewhere only costs a sync. */
  int r = sd_bus_open_system (&bus);
  if (r >= 0)
    r = sd_bus_add_match (bus, NULL,
                          "type='signal',interface='" FW_NAME "',member='Reloaded',"
                          "path='/org/fedoraproject/FirewallD1'",
                          on_reloaded, &due);
  if (r >= 0)
    r = sd_bus_add_match (bus, NULL,
                          "type='signal',sender='org.freedesktop.DBus',"
                          "interface='org.freedesktop.DBus',member='NameOwnerChanged',"
                          "arg0='" FW_NAME "'",
                          on_owner, &due);
  /* after the matches: a start in between is seen either way */
  if (r >= 0)
    due = call (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                "GetNameOwner", FW_NAME, NULL)
          >= 0;
  while (r >= 0)
    {
      r = sd_bus_process (bus, NULL);
      if (r > 0)
        continue;
      if (r < 0)
        break;
      if (due)
        {
          due = FALSE;
          /* A starting firewalld owns its name before it loads its
           * configuration (40-60 s under TCG) and answers after: one call
           * that waits for that, so that the sync's own calls do not time
           * out (answer or error, either will do). */
          call_wait (bus, FW_NAME, "/org/fedoraproject/FirewallD1", FW_NAME, "getDefaultZone", NULL,
                     NULL, NULL, 300 * G_USEC_PER_SEC);
          sync (data);
          continue; /* what came meanwhile */
        }
      r = sd_bus_wait (bus, UINT64_MAX);
      if (r == -EINTR)
        r = 0;
    }
  g_set_error (error, NET_ERROR, NET_ERROR_SYSTEM, "firewalld: the system bus: %s",
               g_strerror (-r));
  if (bus)
    sd_bus_flush_close_unref (bus);
  return FALSE;
}
