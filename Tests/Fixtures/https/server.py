#!/usr/bin/env python3
"""HTTPS test server for archive downloads (certificate: cert.pem, valid for 127.0.0.1 and localhost).

usage: server.py FOLDER — serves FOLDER's files over https on 127.0.0.1, prints the port on the first line,
then runs until killed. Scripted routes (every name ends in .tar.gz so installs treat it as an archive):
  /redirect-https.tar.gz   302 to /good.tar.gz on this server
  /redirect-http.tar.gz    302 to http://127.0.0.1:<port>/good.tar.gz (leaves https)
  /redirect-loop.tar.gz    302 to itself
  /announced-huge.tar.gz   200 announcing 600 MiB, then a few bytes and the connection closes
  /stream-<n>.tar.gz       200 without Content-Length: n bytes, then the connection closes
"""
import http.server
import os
import re
import ssl
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FOLDER = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, *args):
        pass

    def redirect(self, location):
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def do_GET(self):
        port = self.server.server_address[1]
        path = self.path.split("?", 1)[0]
        stream = re.fullmatch(r"/stream-(\d+)\.tar\.gz", path)
        if path == "/redirect-https.tar.gz":
            return self.redirect("/good.tar.gz")
        if path == "/redirect-http.tar.gz":
            return self.redirect("http://127.0.0.1:%d/good.tar.gz" % port)
        if path == "/redirect-loop.tar.gz":
            return self.redirect("/redirect-loop.tar.gz")
        if path == "/announced-huge.tar.gz":
            self.send_response(200)
            self.send_header("Content-Length", str(600 * 1024 * 1024))
            self.end_headers()
            self.wfile.write(b"\x1f\x8b" + b"\0" * 1024)
            return
        if stream:
            self.send_response(200)
            self.end_headers()
            left = int(stream.group(1))
            while left > 0:
                chunk = min(left, 65536)
                self.wfile.write(b"\0" * chunk)
                left -= chunk
            return
        name = os.path.basename(path)
        full = os.path.join(FOLDER, name)
        if not name or not os.path.isfile(full):
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = open(full, "rb").read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(os.path.join(HERE, "cert.pem"), os.path.join(HERE, "key.pem"))
server.socket = context.wrap_socket(server.socket, server_side=True)
print(server.server_address[1], flush=True)
server.serve_forever()
