/* SPDX-License-Identifier: Apache-2.0 */
/* firewalld's trusted zone over D-Bus (see firewalld.h). */
#include "net/firewalld.h"

#include <systemd/sd-bus.h>

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
