#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A registry that misbehaves, for test-registry.sh: serves the image of an
OCI layout (LAYOUT, one manifest) as bad/CASE:latest, each CASE breaking
one thing. Usage: registry-misbehave.py LAYOUT PORTFILE (binds 127.0.0.1:0,
writes the port to PORTFILE). Bounded: exits after 10 minutes."""
import http.server
import json
import os
import socketserver
import sys
import threading
import time

layout, portfile = sys.argv[1], sys.argv[2]
index = json.load(open(os.path.join(layout, "index.json")))
mdigest = index["manifests"][0]["digest"]


def blob(digest):
    return open(os.path.join(layout, "blobs", "sha256", digest.split(":")[1]), "rb").read()


manifest = json.loads(blob(mdigest))
layer_digest = manifest["layers"][0]["digest"]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, code, body=b"", ctype="application/octet-stream", length=None, extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        return body

    def do_GET(self):
        p = self.path.split("?")[0]
        if p == "/v2/":
            self.wfile.write(self.send(200, b"{}", "application/json"))
            return
        parts = p.split("/")  # ['', 'v2', 'bad', CASE, kind, ref]
        if len(parts) != 6 or parts[2] != "bad":
            self.wfile.write(self.send(404, b"{}"))
            return
        case, kind, ref = parts[3], parts[4], parts[5]
        if case == "auth":
            self.wfile.write(self.send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}',
                                       "application/json",
                                       extra=[("WWW-Authenticate", 'Basic realm="bad"')]))
            return
        if kind == "manifests":
            body = blob(mdigest)
            if case == "bigmanifest":
                m = dict(manifest)
                m["annotations"] = {"pad": "x" * (5 << 20)}
                body = json.dumps(m).encode()
            self.wfile.write(self.send(200, body, manifest["mediaType"]))
            return
        if kind != "blobs":
            self.wfile.write(self.send(404, b"{}"))
            return
        body = blob(ref)
        if ref != layer_digest:
            self.wfile.write(self.send(200, body))
            return
        if case == "digest":
            body = body[:-1] + bytes([body[-1] ^ 1])
            self.wfile.write(self.send(200, body))
        elif case == "truncated":
            self.send(200, length=len(body))
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
        elif case == "loop":
            self.send(307, extra=[("Location", self.path)])
        elif case == "stallonce":
            # The first download stalls halfway; after that only a Range
            # request from where it stopped is served (a whole download
            # stalls again): the retry must resume, not start over.
            rng = self.headers.get("Range", "")
            start = int(rng[6:-1]) if rng.startswith("bytes=") and rng.endswith("-") else 0
            if start == 0 or start != len(body) // 2:
                self.send(200, length=len(body))
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                time.sleep(20)
                self.close_connection = True
            else:
                self.send(206, length=len(body) - start,
                          extra=[("Content-Range", "bytes %d-%d/%d" % (start, len(body) - 1,
                                                                        len(body)))])
                self.wfile.write(body[start:])
        elif case == "stall":
            self.send(200, length=len(body))
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            time.sleep(20)
            self.close_connection = True
        else:
            self.wfile.write(self.send(200, body))


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # clients hanging up on the bad cases are expected


srv = Server(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
os.rename(portfile + ".tmp", portfile)
threading.Timer(600, lambda: os._exit(0)).start()
srv.serve_forever()
