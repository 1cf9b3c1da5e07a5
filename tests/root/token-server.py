#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""A token server for docker-registry's token auth (the Docker registry v2
bearer-token flow), for test-registry.sh.

GET /token?service=S&scope=repository:NAME:ACTIONS[&scope=…] with HTTP basic
credentials USER:PASSWORD answers {"token": JWT, "access_token": JWT}, the
JWT signed RS256 by KEY (openssl does the signing) with CERT in its x5c
header, granting every scope asked for; wrong credentials get 401; no
credentials get a token granting nothing (as Docker Hub gives anonymous
users), so the registry answers 401 again. Every request's scopes are
appended to LOG, one line each.

Usage: token-server.py KEY CERT ISSUER USER:PASSWORD PORTFILE LOG
(binds 127.0.0.1:0, writes the port to PORTFILE). Bounded: exits after
10 minutes."""
import base64
import http.server
import json
import socketserver
import subprocess
import sys
import threading
import time
import urllib.parse

from httpjson import JsonHandler

key, cert, issuer, creds, portfile, logfile = sys.argv[1:7]
der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"], check=True,
                     capture_output=True).stdout


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(claims):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(der).decode()]}
    signing_input = (b64url(json.dumps(header).encode()) + "." +
                     b64url(json.dumps(claims).encode()))
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", key], input=signing_input.encode(),
                         check=True, capture_output=True).stdout
    return signing_input + "." + b64url(sig)


class Handler(JsonHandler):
    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path != "/token":
            return self.answer(404, {"error": "not found"})
        q = urllib.parse.parse_qs(url.query)
        scopes = q.get("scope", [])
        auth = self.headers.get("Authorization", "")
        user = None
        if auth.startswith("Basic "):
            if base64.b64decode(auth[6:]).decode() != creds:
                with open(logfile, "a") as f:
                    f.write("refused " + " ".join(scopes) + "\n")
                return self.answer(401, {"details": "incorrect username or password"})
            user = creds.split(":")[0]
        with open(logfile, "a") as f:
            f.write(("user " if user else "anonymous ") + " ".join(scopes) + "\n")
        access = []
        for s in scopes if user else []:
            typ, _, rest = s.partition(":")
            name, _, actions = rest.rpartition(":")
            access.append({"type": typ, "name": name,
                           "actions": [a for a in actions.split(",") if a]})
        now = int(time.time())
        token = sign({"iss": issuer, "sub": user or "", "aud": q.get("service", [""])[0],
                      "exp": now + 300, "nbf": now - 10, "iat": now, "jti": str(now) + str(id(self)),
                      "access": access})
        self.answer(200, {"token": token, "access_token": token, "expires_in": 300})


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


srv = Server(("127.0.0.1", 0), Handler)
with open(portfile + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os  # noqa: E402
os.rename(portfile + ".tmp", portfile)
threading.Timer(600, srv.shutdown).start()
srv.serve_forever()
