/* SPDX-License-Identifier: Apache-2.0 */
/* firewalld's trusted zone over D-Bus (see firewalld.h). */
#include "net/firewalld.h"

#include <errno.h>

#include <systemd/sd-bus.h>

#include "net/network.h"

#define FW_NAME "org.fedoraproject.FirewallD1"

/* @dest's @method (@iface, @path) with string arguments @a, @b (NULL:
 * none); never starts @dest (no D-Bus activation). */
static int
call (sd_bus *bus, const char *dest, const char *path, const char *iface, const char *method,
      const char *a, const char *b)
{
  sd_bus_message *m = NULL, *reply = NULL;
  int r = sd_bus_message_new_method_call (bus, &m, dest, path, iface, method);
  if (r >= 0)
    r = sd_bus_message_set_auto_start (m, 0);
  if (r >= 0 && a)
    r = sd_bus_message_append_basic (m, 's', a);
  if (r >= 0 && b)
    r = sd_bus_message_append_basic (m, 's', b);
  if (r >= 0)
    r = sd_bus_call (bus, m, 0, NULL, &reply);
  sd_bus_message_unref (reply);
  sd_bus_message_unref (m);
  return r;
}

sd_bus *
firewalld_open (void)
{
  sd_bus *bus = NULL;
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

void
firewalld_trust (sd_bus *bus, GPtrArray *add, GPtrArray *del)
{
  /* Errors (ALREADY_ENABLED, NOT_ENABLED, ZONE_CONFLICT: a subnet the
   * administrator bound elsewhere) leave firewalld's answer standing, as
   * netavark does. */
  for (guint i = 0; bus && del && i < del->len; i++)
    call (bus, FW_NAME, "/org/fedoraproject/FirewallD1", FW_NAME ".zone", "removeSource",
          "trusted", del->pdata[i]);
  for (guint i = 0; bus && add && i < add->len; i++)
    call (bus, FW_NAME, "/org/fedoraproject/FirewallD1", FW_NAME ".zone", "addSource", "trusted",
          add->pdata[i]);
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
