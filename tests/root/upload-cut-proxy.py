#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""An HTTP/1.1 proxy in front of a registry on 127.0.0.1 that breaks one
blob upload chunk (test-registry.sh, chunked push): the Nth PATCH it sees
is cut, MODE "before" (its connection closed before anything reaches the
registry: the upload stands where the previous chunk left it) or "middle"
(half its body forwarded, then both connections closed: the registry holds
a broken chunk). Every request is logged to LOG as
"METHOD PATH CONTENT-RANGE STATUS" (CUT for the broken one).

Usage: upload-cut-proxy.py PORTFILE UPSTREAM_PORT LOG MODE N
(listens on a free port of 127.0.0.1 and writes it to PORTFILE)."""
import os
import socket
import socketserver
import sys
import threading

portfile, upstream, logpath, mode, nth = sys.argv[1:6]
upstream, nth = int(upstream), int(nth)
lock = threading.Lock()
patches = 0


def log(line):
    with lock, open(logpath, "a") as f:
        f.write(line + "\n")


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        global patches
        first = self.rfile.readline()
        if not first:
            return
        head = []
        while True:
            line = self.rfile.readline()
            if line in (b"", b"\r\n", b"\n"):
                break
            head.append(line)
        try:
            method, path = first.decode("ascii").split()[:2]
        except (UnicodeDecodeError, ValueError):
            return  # podunit tries TLS first: not HTTP, closed

        headers = {}
        for line in head:
            k, _, v = line.decode().partition(":")
            headers[k.strip().lower()] = v.strip()
        if headers.get("expect", "").lower() == "100-continue":
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.wfile.flush()
        length = int(headers.get("content-length", "0"))
        crange = headers.get("content-range", "-")
        cut = False
        if method == "PATCH":
            with lock:
                patches += 1
                cut = patches == nth
        if cut and mode == "before":
            log("%s %s %s CUT" % (method, path, crange))
            return
        # One request per upstream connection: it answers and closes.
        out = [first] + [l for l in head if not l.lower().startswith((b"expect:", b"connection:"))]
        out.append(b"Connection: close\r\n\r\n")
        up = socket.create_connection(("127.0.0.1", upstream))
        up.sendall(b"".join(out))
        send = length // 2 if cut else length
        while send > 0:
            chunk = self.rfile.read(min(send, 1 << 16))
            if not chunk:
                break
            up.sendall(chunk)
            send -= len(chunk)
        if cut:
            log("%s %s %s CUT" % (method, path, crange))
            up.close()
            return
        resp = b""
        while True:
            b = up.recv(1 << 16)
            if not b:
                break
            resp += b
        up.close()
        status = resp.split(b" ", 2)[1].decode() if resp.startswith(b"HTTP/") else "?"
        log("%s %s %s %s" % (method, path, crange, status))
        self.wfile.write(resp)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


srv = Server(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
srv.serve_forever()
