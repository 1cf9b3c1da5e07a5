/* SPDX-License-Identifier: Apache-2.0 */
/* rtnetlink requests through libmnl (see netlink.h). Every request asks
 * for an ack, so each step fails with the kernel's errno, naming the link. */
#include "net/netlink.h"
#include "error.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sched.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "net/network.h"

struct _NetLink {
  struct mnl_socket *sock;
  guint32 seq;
  guint32 portid;
  char buf[8192];
};

#define sys_error(error, err, ...) errno_error (error, NET_ERROR, NET_ERROR_SYSTEM, err, __VA_ARGS__)

/* Moves this thread into the network namespace @netns_fd; returns an fd
 * of the one it left (for leave_netns), or -1 with @error. */
static int
enter_netns (int netns_fd, GError **error)
{
  int self = open ("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC), err;
  if (self >= 0 && setns (netns_fd, CLONE_NEWNET) == 0)
    return self;
  err = errno;
  if (self >= 0)
    close (self);
  sys_error (error, err, "entering the container's network namespace");
  return -1;
}

static void
leave_netns (int self)
{
  /* Back home; failing that this process would be lost in there. */
  if (setns (self, CLONE_NEWNET) < 0)
    g_error ("leaving a container's network namespace: %s", g_strerror (errno));
  close (self);
}

NetLink *
netlink_open (int netns_fd, GError **error)
{
  NetLink *nl = g_new0 (NetLink, 1);
  int self = -1, err = 0;

  if (netns_fd >= 0 && (self = enter_netns (netns_fd, error)) < 0)
    {
      g_free (nl);
      return NULL;
    }
  nl->sock = mnl_socket_open2 (NETLINK_ROUTE, SOCK_CLOEXEC);
  if (!nl->sock || mnl_socket_bind (nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
    err = errno;
  if (self >= 0)
    leave_netns (self);
  if (err)
    {
      if (nl->sock)
        mnl_socket_close (nl->sock);
      g_free (nl);
      sys_error (error, err, "netlink socket");
      return NULL;
    }
  nl->portid = mnl_socket_get_portid (nl->sock);
  nl->seq = (guint32) time (NULL);
  return nl;
}

static gboolean
sysctl_set (const char *key, const char *value, GError **error)
{
  g_autofree char *path = g_build_filename ("/proc/sys", key, NULL);
  char cur[16] = "";
  gsize len = strlen (value);
  ssize_t r;
  int fd = open (path, O_RDWR | O_CLOEXEC), err;
  if (fd >= 0 && (r = read (fd, cur, sizeof cur - 1)) > 0 && (gsize) r >= len
      && !strncmp (cur, value, len) && (cur[len] == '\n' || cur[len] == 0))
    {
      close (fd);
      return TRUE;
    }
  if (fd >= 0 && pwrite (fd, value, len, 0) == (ssize_t) len)
    {
      close (fd);
      return TRUE;
    }
  err = errno;
  if (fd >= 0)
    close (fd);
  return sys_error (error, err, "%s", path);
}

gboolean
netlink_sysctls (int netns_fd, const char *const *kv, GError **error)
{
  int self = -1;
  gboolean ok = TRUE;
  if (netns_fd >= 0 && (self = enter_netns (netns_fd, error)) < 0)
    return FALSE;
  for (; ok && kv[0] && kv[1]; kv += 2)
    ok = sysctl_set (kv[0], kv[1], error);
  if (self >= 0)
    leave_netns (self);
  return ok;
}

void
netlink_close (NetLink *nl)
{
  if (!nl)
    return;
  mnl_socket_close (nl->sock);
  g_free (nl);
}

static struct nlmsghdr *
msg_start (NetLink *nl, int type, int flags)
{
  struct nlmsghdr *nlh = mnl_nlmsg_put_header (nl->buf);
  nlh->nlmsg_type = type;
  nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
  nlh->nlmsg_seq = ++nl->seq;
  return nlh;
}

typedef struct {
  int ifindex; /* RTM_NEWLINK replies */
} Reply;

static int
link_cb (const struct nlmsghdr *nlh, void *data)
{
  Reply *r = data;
  if (nlh->nlmsg_type == RTM_NEWLINK)
    r->ifindex = ((struct ifinfomsg *) mnl_nlmsg_get_payload (nlh))->ifi_index;
  return MNL_CB_OK;
}

/* Sends @nlh and reads until the ack; returns 0 or -errno. */
static int
transact (NetLink *nl, struct nlmsghdr *nlh, Reply *reply)
{
  guint32 seq = nlh->nlmsg_seq;
  int ret;
  if (mnl_socket_sendto (nl->sock, nlh, nlh->nlmsg_len) < 0)
    return -errno;
  do
    {
      ret = mnl_socket_recvfrom (nl->sock, nl->buf, sizeof nl->buf);
      if (ret < 0)
        return -errno;
      ret = mnl_cb_run (nl->buf, ret, seq, nl->portid, reply ? link_cb : NULL, reply);
    }
  while (ret > 0);
  return ret < 0 ? -errno : 0;
}

static int
link_index (NetLink *nl, const char *name)
{
  struct nlmsghdr *nlh = msg_start (nl, RTM_GETLINK, 0);
  struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header (nlh, sizeof *ifi);
  Reply r = { 0 };
  int ret;
  ifi->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
  ret = transact (nl, nlh, &r);
  return ret < 0 ? ret : r.ifindex;
}

static int
link_set_up (NetLink *nl, int index)
{
  struct nlmsghdr *nlh = msg_start (nl, RTM_NEWLINK, 0);
  struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header (nlh, sizeof *ifi);
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;
  return transact (nl, nlh, NULL);
}

static int
addr_add (NetLink *nl, int index, guint32 ip, int prefix)
{
  struct nlmsghdr *nlh = msg_start (nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  guint32 be = htonl (ip);
  guint32 bcast = htonl (ip | (prefix ? ~(0xffffffffu << (32 - prefix)) : 0xffffffffu));
  ifa->ifa_family = AF_INET;
  ifa->ifa_prefixlen = prefix;
  ifa->ifa_index = index;
  mnl_attr_put_u32 (nlh, IFA_LOCAL, be);
  mnl_attr_put_u32 (nlh, IFA_ADDRESS, be);
  if (prefix < 31)
    mnl_attr_put_u32 (nlh, IFA_BROADCAST, bcast);
  return transact (nl, nlh, NULL);
}

static int
addr6_add (NetLink *nl, int index, const struct in6_addr *ip, int prefix)
{
  struct nlmsghdr *nlh = msg_start (nl, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
  struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header (nlh, sizeof *ifa);
  ifa->ifa_family = AF_INET6;
  ifa->ifa_prefixlen = prefix;
  ifa->ifa_index = index;
  mnl_attr_put (nlh, IFA_LOCAL, sizeof *ip, ip);
  mnl_attr_put (nlh, IFA_ADDRESS, sizeof *ip, ip);
  return transact (nl, nlh, NULL);
}

gboolean
netlink_address6_add (NetLink *nl, const char *name, const struct in6_addr *ip, int prefix,
                      GError **error)
{
  int index = link_index (nl, name), ret;
  if (index < 0)
    return sys_error (error, -index, "%s", name);
  ret = addr6_add (nl, index, ip, prefix);
  if (ret < 0 && ret != -EEXIST)
    return sys_error (error, -ret, "adding an IPv6 address to %s", name);
  return TRUE;
}

/* A default route of @family through @gw (4 or 16 bytes) on link @index. */
static int
default_route (NetLink *nl, int family, const void *gw, int index)
{
  struct nlmsghdr *nlh = msg_start (nl, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
  struct rtmsg *rtm = mnl_nlmsg_put_extra_header (nlh, sizeof *rtm);
  rtm->rtm_family = family;
  rtm->rtm_dst_len = 0;
  rtm->rtm_table = RT_TABLE_MAIN;
  rtm->rtm_protocol = RTPROT_BOOT;
  rtm->rtm_scope = RT_SCOPE_UNIVERSE;
  rtm->rtm_type = RTN_UNICAST;
  mnl_attr_put (nlh, RTA_GATEWAY, family == AF_INET6 ? 16 : 4, gw);
  mnl_attr_put_u32 (nlh, RTA_OIF, index);
  return transact (nl, nlh, NULL);
}

gboolean
netlink_bridge_ensure (NetLink *nl, const char *name, guint32 gateway, int prefix, int mtu,
                       GError **error)
{
  int index = link_index (nl, name), ret;
  if (index < 0)
    {
      struct nlmsghdr *nlh = msg_start (nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
      struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header (nlh, sizeof *ifi);
      struct nlattr *info;
      ifi->ifi_family = AF_UNSPEC;
      mnl_attr_put_strz (nlh, IFLA_IFNAME, name);
      if (mtu > 0)
        mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
      info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
      mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "bridge");
      mnl_attr_nest_end (nlh, info);
      ret = transact (nl, nlh, NULL);
      if (ret < 0 && ret != -EEXIST)
        return sys_error (error, -ret, "creating bridge %s", name);
      index = link_index (nl, name);
      if (index < 0)
        return sys_error (error, -index, "bridge %s", name);
    }
  ret = gateway ? addr_add (nl, index, gateway, prefix) : 0;
  if (ret < 0 && ret != -EEXIST)
    return sys_error (error, -ret, "adding the gateway address to %s", name);
  ret = link_set_up (nl, index);
  if (ret < 0)
    return sys_error (error, -ret, "setting %s up", name);
  return TRUE;
}

gboolean
netlink_veth_create (NetLink *nl, const char *host_name, const char *bridge,
                     const char *peer_name, int netns_fd, const guint8 *mac, int mtu,
                     GError **error)
{
  int br = link_index (nl, bridge), ret;
  struct nlmsghdr *nlh;
  struct ifinfomsg *ifi, *peer;
  struct nlattr *info, *data, *pattr;

  if (br < 0)
    return sys_error (error, -br, "bridge %s", bridge);
  nlh = msg_start (nl, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL);
  ifi = mnl_nlmsg_put_extra_header (nlh, sizeof *ifi);
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_flags = IFF_UP;
  ifi->ifi_change = IFF_UP;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, host_name);
  mnl_attr_put_u32 (nlh, IFLA_MASTER, br);
  if (mtu > 0)
    mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  info = mnl_attr_nest_start (nlh, IFLA_LINKINFO);
  mnl_attr_put_strz (nlh, IFLA_INFO_KIND, "veth");
  data = mnl_attr_nest_start (nlh, IFLA_INFO_DATA);
  pattr = mnl_attr_nest_start (nlh, VETH_INFO_PEER);
  peer = mnl_nlmsg_put_extra_header (nlh, sizeof *peer);
  peer->ifi_family = AF_UNSPEC;
  mnl_attr_put_strz (nlh, IFLA_IFNAME, peer_name);
  mnl_attr_put_u32 (nlh, IFLA_NET_NS_FD, netns_fd);
  if (mtu > 0)
    mnl_attr_put_u32 (nlh, IFLA_MTU, mtu);
  if (mac)
    mnl_attr_put (nlh, IFLA_ADDRESS, 6, mac);
  mnl_attr_nest_end (nlh, pattr);
  mnl_attr_nest_end (nlh, data);
  mnl_attr_nest_end (nlh, info);
  ret = transact (nl, nlh, NULL);
  if (ret < 0)
    return sys_error (error, -ret, "creating veth pair %s/%s", host_name, peer_name);
  return TRUE;
}

gboolean
netlink_link_delete (NetLink *nl, const char *name, GError **error)
{
  int index = link_index (nl, name), ret;
  struct nlmsghdr *nlh;
  struct ifinfomsg *ifi;
  if (index < 0)
    return TRUE;
  nlh = msg_start (nl, RTM_DELLINK, 0);
  ifi = mnl_nlmsg_put_extra_header (nlh, sizeof *ifi);
  ifi->ifi_family = AF_UNSPEC;
  ifi->ifi_index = index;
  ret = transact (nl, nlh, NULL);
  if (ret < 0 && ret != -ENODEV)
    return sys_error (error, -ret, "deleting %s", name);
  return TRUE;
}

gboolean
netlink_configure (NetLink *nl, const char *ifname, guint32 ip, int prefix, guint32 gateway,
                   const struct in6_addr *ip6, int prefix6, const struct in6_addr *gateway6,
                   GError **error)
{
  int index = link_index (nl, ifname), ret;
  if (index < 0)
    return sys_error (error, -index, "%s in the container", ifname);
  if (ip && (ret = addr_add (nl, index, ip, prefix)) < 0)
    return sys_error (error, -ret, "adding an address to %s", ifname);
  if (ip6 && (ret = addr6_add (nl, index, ip6, prefix6)) < 0)
    return sys_error (error, -ret, "adding an IPv6 address to %s", ifname);
  ret = link_set_up (nl, index);
  if (ret < 0)
    return sys_error (error, -ret, "setting %s up", ifname);
  if (gateway)
    {
      guint32 be = htonl (gateway);
      ret = default_route (nl, AF_INET, &be, index);
      if (ret < 0 && ret != -EEXIST)
        return sys_error (error, -ret, "adding the default route via %s", ifname);
    }
  if (ip6 && gateway6)
    {
      ret = default_route (nl, AF_INET6, gateway6, index);
      if (ret < 0 && ret != -EEXIST)
        return sys_error (error, -ret, "adding the IPv6 default route via %s", ifname);
    }
  return TRUE;
}
