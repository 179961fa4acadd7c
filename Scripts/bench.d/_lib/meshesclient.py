"""A minimal Meshes REST client for the benchmarks: a fresh HS256 machine JWT per request (spec 4.1), keep-alive
connections per thread (stdlib only)."""

import base64
import hashlib
import hmac
import os
import sys

# Scripts/bench.d holds a benchmark named `http.py`, and the folder of the running benchmark comes first on sys.path:
# the standard package is imported with that folder left out.
_BENCH_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
_saved_path = sys.path[:]
sys.path = [p for p in sys.path if os.path.abspath(p or ".") != _BENCH_DIR]
import http.client  # noqa: E402
sys.path = _saved_path
import json
import threading
import time
import uuid


def b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(key, lifetime=30, unique=False):
    """A machine token (spec 4.1) valid for `lifetime` seconds; with `unique` it carries a random jti, so no two are
    equal."""
    now = int(time.time())
    header = b64(json.dumps({"alg": "HS256", "typ": "JWT", "kid": key["access_key"]}, separators=(",", ":")).encode())
    payload = {"iss": "urn:meshes:m2m:" + key["access_key"], "aud": "meshes-api", "org": key["org_id"], "iat": now,
               "exp": now + lifetime}
    if unique:
        payload["jti"] = uuid.uuid4().hex
    claims = b64(json.dumps(payload, separators=(",", ":")).encode())
    signature = b64(hmac.new(key["secret_key"].encode(), (header + "." + claims).encode(), hashlib.sha256).digest())
    return header + "." + claims + "." + signature


class Client:
    """Calls 127.0.0.1:port; with `key` (the `meshes keys create --json` object) every request is authenticated."""

    def __init__(self, port, key=None):
        self.port, self.key = port, key
        self.local = threading.local()

    def call(self, method, path, body=None):
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {"Content-Type": "application/json"}
        if self.key:
            headers["Authorization"] = "Bearer " + token(self.key)
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
