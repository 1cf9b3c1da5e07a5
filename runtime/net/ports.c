/* SPDX-License-Identifier: Apache-2.0 */
/* podman's -p syntax (see ports.h). */
#include "net/ports.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net/network.h"

static gboolean
bad (GError **error, const char *spec, const char *why)
{
  g_set_error (error, NET_ERROR, NET_ERROR_INVALID, "invalid port mapping %s: %s", spec, why);
  return FALSE;
}

/* "80" or "80-90" -> first, count. */
static gboolean
parse_range (const char *s, guint *first, guint *count)
{
  char *end;
  gulong a, b;
  if (!g_ascii_isdigit (*s))
    return FALSE;
  a = strtoul (s, &end, 10);
  b = a;
  if (*end == '-')
    {
      const char *s2 = end + 1;
      if (!g_ascii_isdigit (*s2))
        return FALSE;
      b = strtoul (s2, &end, 10);
    }
  if (*end || a == 0 || a > 65535 || b < a || b > 65535)
    return FALSE;
  *first = a;
  *count = b - a + 1;
  return TRUE;
}

/* A free host port for @proto, chosen by the kernel. */
static guint
free_port (const char *proto)
{
  int fd = socket (AF_INET, g_str_equal (proto, "udp") ? SOCK_DGRAM : SOCK_STREAM, 0);
  struct sockaddr_in a = { .sin_family = AF_INET };
  socklen_t len = sizeof a;
  guint port = 0;
  if (fd < 0)
    return 0;
  if (bind (fd, (struct sockaddr *) &a, sizeof a) == 0
      && getsockname (fd, (struct sockaddr *) &a, &len) == 0)
    port = ntohs (a.sin_port);
  close (fd);
  return port;
}

gboolean
net_ports_parse (const char *spec, GPtrArray *out, GError **error)
{
  g_autofree char *s = g_strdup (spec);
  g_auto (GStrv) protos = NULL;
  char *slash = strrchr (s, '/'), *ctr, *host = NULL, *ip = NULL;
  guint cfirst, ccount, hfirst = 0, hcount = 0;
  char ipbuf[48] = "";

  if (slash)
    {
      *slash = 0;
      protos = g_strsplit (slash + 1, ",", -1);
    }
  else
    protos = g_strsplit ("tcp", ",", -1);
  for (char **p = protos; *p; p++)
    if (!g_str_equal (*p, "tcp") && !g_str_equal (*p, "udp") && !g_str_equal (*p, "sctp"))
      return bad (error, spec, "the protocol must be tcp, udp or sctp");

  /* [IP:][HOST:]CTR, IPv6 addresses in brackets. */
  ctr = strrchr (s, ':');
  if (!ctr)
    ctr = s;
  else
    {
      *ctr++ = 0;
      host = strrchr (s, ':');
      if (s[0] == '[')
        {
          char *close = strchr (s, ']');
          if (!close || close[1] != ':')
            return bad (error, spec, "expected [IPv6]:HOSTPORT:CONTAINERPORT");
          *close = 0;
          ip = s + 1;
          host = close + 2;
        }
      else if (host)
        {
          *host++ = 0;
          ip = s;
        }
      else
        host = s;
    }
  if (!parse_range (ctr, &cfirst, &ccount))
    return bad (error, spec, "the container port must be a number or range in 1-65535");
  if (host && *host && !parse_range (host, &hfirst, &hcount))
    return bad (error, spec, "the host port must be a number or range in 1-65535");
  if (hcount && hcount != ccount)
    return bad (error, spec, "the host and container port ranges differ in length");
  if (ip && *ip)
    {
      struct in6_addr a6;
      struct in_addr a4;
      if (inet_pton (AF_INET, ip, &a4) == 1)
        g_strlcpy (ipbuf, ip, sizeof ipbuf);
      else if (inet_pton (AF_INET6, ip, &a6) == 1)
        g_snprintf (ipbuf, sizeof ipbuf, "[%s]", ip);
      else
        return bad (error, spec, "the host address is not an IP address");
      if (g_str_equal (ipbuf, "0.0.0.0"))
        ipbuf[0] = 0;
    }
  for (char **p = protos; *p; p++)
    {
      guint h = hfirst;
      if (!hcount)
        {
          if (ccount > 1)
            return bad (error, spec, "a container port range needs a host port range");
          h = free_port (*p);
          if (!h)
            return bad (error, spec, "no free host port");
        }
      if (ccount == 1)
        g_ptr_array_add (out, g_strdup_printf ("%s:%u:%u/%s", ipbuf, h, cfirst, *p));
      else
        g_ptr_array_add (out, g_strdup_printf ("%s:%u-%u:%u-%u/%s", ipbuf, h, h + ccount - 1,
                                               cfirst, cfirst + ccount - 1, *p));
    }
  return TRUE;
}

gboolean
net_port_from_string (const char *s, NetPort *p)
{
  const char *end = s;
  guint hf, hc, cf, cc;
  char hbuf[16], cbuf[16];
  memset (p, 0, sizeof *p);
  if (*s == '[')
    end = strchr (s, ']');
  end = end ? strchr (end, ':') : NULL;
  if (!end || (gsize) (end - s) >= sizeof p->host_ip)
    return FALSE;
  if (*s == '[')
    g_strlcpy (p->host_ip, s + 1, end - s - 1);
  else
    g_strlcpy (p->host_ip, s, end - s + 1);
  if (sscanf (end + 1, "%15[0-9-]:%15[0-9-]/%4s", hbuf, cbuf, p->proto) != 3
      || !parse_range (hbuf, &hf, &hc) || !parse_range (cbuf, &cf, &cc) || hc != cc)
    return FALSE;
  p->host_port = hf;
  p->ctr_port = cf;
  p->count = cc;
  return TRUE;
}

char *
net_port_display (const NetPort *p)
{
  gboolean v6 = strchr (p->host_ip, ':') != NULL;
  g_autofree char *ip = g_strdup_printf (v6 ? "[%s]" : "%s", *p->host_ip ? p->host_ip : "0.0.0.0");
  if (p->count > 1)
    return g_strdup_printf ("%s:%u-%u->%u-%u/%s", ip, p->host_port, p->host_port + p->count - 1,
                            p->ctr_port, p->ctr_port + p->count - 1, p->proto);
  return g_strdup_printf ("%s:%u->%u/%s", ip, p->host_port, p->ctr_port, p->proto);
}
