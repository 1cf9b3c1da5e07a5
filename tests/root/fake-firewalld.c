/* SPDX-License-Identifier: Apache-2.0 */
/* A stand-in for firewalld on a private system bus (test-network.sh):
 * owns org.fedoraproject.FirewallD1 and keeps the sources of each zone as
 * firewalld's zone interface does: addSource (an error when the source is
 * bound already), removeSource (NOT_ENABLED when it is not in that zone),
 * getSources, each refusal written on stderr as firewalld logs it; and
 * reload as firewalld's: every source (all runtime here) dropped, then the
 * Reloaded signal. Nothing touches the network.
 * Usage: fake-firewalld   (DBUS_SYSTEM_BUS_ADDRESS names the bus) */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#define MAX 64
static char *zone_of[MAX], *source_of[MAX];

static int
find (const char *source)
{
  for (int i = 0; i < MAX; i++)
    if (source_of[i] && strcmp (source_of[i], source) == 0)
      return i;
  return -1;
}

/* An error answer, also written on stderr as firewalld logs it. */
static int
refuse (sd_bus_error *err, const char *code, const char *source)
{
  fprintf (stderr, "fake-firewalld: ERROR: %s: %s\n", code, source);
  return sd_bus_error_set (err, "org.fedoraproject.FirewallD1.Exception", code);
}

static int
add_source (sd_bus_message *m, void *data, sd_bus_error *err)
{
  const char *zone, *source;
  int r = sd_bus_message_read (m, "ss", &zone, &source), i;
  if (r < 0)
    return r;
  if (find (source) >= 0)
    return refuse (err, "ZONE_CONFLICT", source);
  for (i = 0; i < MAX && source_of[i]; i++)
    ;
  if (i == MAX)
    return -ENOSPC;
  zone_of[i] = strdup (zone);
  source_of[i] = strdup (source);
  return sd_bus_reply_method_return (m, "s", zone);
}

static int
remove_source (sd_bus_message *m, void *data, sd_bus_error *err)
{
  const char *zone, *source;
  int r = sd_bus_message_read (m, "ss", &zone, &source), i;
  if (r < 0)
    return r;
  i = find (source);
  if (i < 0 || strcmp (zone_of[i], zone) != 0)
    return refuse (err, "NOT_ENABLED", source);
  free (zone_of[i]);
  free (source_of[i]);
  zone_of[i] = source_of[i] = NULL;
  return sd_bus_reply_method_return (m, "s", zone);
}

static int
get_sources (sd_bus_message *m, void *data, sd_bus_error *err)
{
  const char *zone;
  sd_bus_message *reply = NULL;
  int r = sd_bus_message_read (m, "s", &zone);
  if (r >= 0)
    r = sd_bus_message_new_method_return (m, &reply);
  if (r >= 0)
    r = sd_bus_message_open_container (reply, 'a', "s");
  for (int i = 0; r >= 0 && i < MAX; i++)
    if (source_of[i] && strcmp (zone_of[i], zone) == 0)
      r = sd_bus_message_append (reply, "s", source_of[i]);
  if (r >= 0)
    r = sd_bus_message_close_container (reply);
  if (r >= 0)
    r = sd_bus_send (NULL, reply, NULL);
  sd_bus_message_unref (reply);
  return r;
}

static int
reload (sd_bus_message *m, void *data, sd_bus_error *err)
{
  int r;
  for (int i = 0; i < MAX; i++)
    {
      free (zone_of[i]);
      free (source_of[i]);
      zone_of[i] = source_of[i] = NULL;
    }
  r = sd_bus_reply_method_return (m, "");
  if (r >= 0)
    r = sd_bus_emit_signal (sd_bus_message_get_bus (m), "/org/fedoraproject/FirewallD1",
                            "org.fedoraproject.FirewallD1", "Reloaded", "");
  return r;
}

static const sd_bus_vtable main_vtable[] = {
  SD_BUS_VTABLE_START (0),
  SD_BUS_METHOD ("reload", "", "", reload, 0),
  SD_BUS_SIGNAL ("Reloaded", "", 0),
  SD_BUS_VTABLE_END,
};

static const sd_bus_vtable zone_vtable[] = {
  SD_BUS_VTABLE_START (0),
  SD_BUS_METHOD ("addSource", "ss", "s", add_source, 0),
  SD_BUS_METHOD ("removeSource", "ss", "s", remove_source, 0),
  SD_BUS_METHOD ("getSources", "s", "as", get_sources, 0),
  SD_BUS_VTABLE_END,
};

int
main (void)
{
  sd_bus *bus = NULL;
  int r = sd_bus_open_system (&bus);
  if (r >= 0)
    r = sd_bus_add_object_vtable (bus, NULL, "/org/fedoraproject/FirewallD1",
                                  "org.fedoraproject.FirewallD1.zone", zone_vtable, NULL);
  if (r >= 0)
    r = sd_bus_add_object_vtable (bus, NULL, "/org/fedoraproject/FirewallD1",
                                  "org.fedoraproject.FirewallD1", main_vtable, NULL);
  if (r >= 0)
    r = sd_bus_request_name (bus, "org.fedoraproject.FirewallD1", 0);
  if (r < 0)
    {
      fprintf (stderr, "fake-firewalld: %s\n", strerror (-r));
      return 1;
    }
  for (;;)
    {
      r = sd_bus_process (bus, NULL);
      if (r < 0)
        return 1;
      if (r == 0 && sd_bus_wait (bus, (uint64_t) -1) < 0)
        return 1;
    }
}
