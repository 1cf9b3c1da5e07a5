#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Docker Hub's v1 search API as a small HTTP server (test-registry.sh runs
it as index.docker.io inside a network namespace of its own): GET /v2/
answers 200, GET /v1/search?q=TERM&n=LIMIT the canned results for TERM
("busybox"; anything else: none), each query logged to LOG as "q=TERM n=N
host=HOST".

Usage: fake-hub-search.py PORT LOG   (on 127.0.0.1)"""
import http.server
import sys
import urllib.parse

from httpjson import JsonHandler

port, logpath = int(sys.argv[1]), sys.argv[2]
RESULTS = {
    "busybox": [
        {"name": "busybox", "star_count": 3300, "is_official": True, "is_automated": False,
         "description": "Busybox base image.\nThe Swiss army knife of embedded Linux, small."},
        {"name": "progrium/busybox", "star_count": 70, "is_official": False,
         "is_automated": True, "description": ""},
        {"name": "radial/busyboxplus", "star_count": 40, "is_official": False,
         "is_automated": True, "description": "Full-chain, Internet enabled, busybox made from scratch"},
    ],
}


class Handler(JsonHandler):
    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/v2/":
            return self.answer(200, {})
        if url.path == "/v1/search":
            q = urllib.parse.parse_qs(url.query)
            term, n = q.get("q", [""])[0], q.get("n", [""])[0]
            with open(logpath, "a") as f:
                f.write("q=%s n=%s host=%s\n" % (term, n, self.headers.get("Host")))
            return self.answer(200, {"num_results": len(RESULTS.get(term, [])), "query": term,
                                     "results": RESULTS.get(term, [])})
        return self.answer(404, {"errors": [{"code": "NOT_FOUND", "message": "no such page"}]})


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
