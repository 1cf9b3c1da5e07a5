# SPDX-License-Identifier: Apache-2.0
"""The request handler the tests' small HTTP servers (token-server.py,
fake-hub-search.py) share: HTTP/1.1, quiet, JSON answers."""
import http.server
import json


class JsonHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, code, body):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
