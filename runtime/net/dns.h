/* SPDX-License-Identifier: Apache-2.0 */
/* Name resolution on named networks: podman's own resolver, aardvark-dns
 * (Debian: /usr/lib/podman, RHEL: /usr/libexec/podman), fed the plain
 * files it reads, one per network with DNS enabled:
 *
 *   RUNROOT/networks/aardvark-dns/NAME   "GATEWAY[,GATEWAY6]" then "ID IPV4 IPV6 NAME,ALIAS..." lines
 *   RUNROOT/networks/aardvark-dns/aardvark.pid   written by aardvark-dns itself
 *
 * It listens on each network's gateway, port 53, answers names of the
 * containers on the asker's network and forwards the rest to the host's
 * resolvers; SIGHUP makes it read the files again. Without the binary,
 * containers on a network still get addresses but no names (the caller
 * leaves resolv.conf as it was). */
#pragma once

#include <glib.h>

/* The aardvark-dns binary, or NULL when it is not installed. */
const char *dns_server_path (void);

/* Makes the files in @dir exactly @files (network name -> contents) and
 * has aardvark-dns serve them: started when there are files and it is not
 * running, told to reload when it is, stopped when there are none. */
gboolean dns_apply (const char *dir, GHashTable *files, GError **error);
