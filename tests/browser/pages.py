"""Tiny test sites for the browser tests, served by the stdlib on 127.0.0.1 (no demo market needed).

- `/` links to a JS-only listing, a queue page that clears, one that never clears, a login wall.
- `/listing/js`: the listing text exists only after the script runs.
- `/go/js` -> 302 `/go/hop` -> 301 `/listing/js` (not linked: a start path; browser redirect hops).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

JS_TITLE = "Nederwiet Amnesia Haze 5 gram"
JS_LISTING = b"""<!doctype html><html><head><title>loading</title></head><body>
<div id="app">Loading...</div>
<script>
  const parts = ["Nederwiet", "Amnesia", "Haze", "5", "gram"];
  setTimeout(function () {
    document.title = parts.join(" ");
    document.getElementById("app").innerHTML =
      '<article class="listing"><h1 id="title">' + parts.join(" ") + '</h1>' +
      '<p class="vendor">Vendor: <a href="/vendor/groenevingers">groenevingers</a></p>' +
      '<p class="price">Price: 45.00 EUR</p><p>Ships from: Netherlands</p>' +
      '<p class="description">Indoor, lab tested, stealth shipping.</p></article>';
  }, 150);
</script></body></html>"""
INDEX = (b'<html><body><h1>JS market</h1><a href="/listing/js">listing</a> '
         b'<a href="/queue/clears">queue</a> <a href="/queue/forever">forever</a> '
         b'<a href="/members/area">members</a></body></html>')
QUEUE = (b'<html><head><meta http-equiv="refresh" content="1"></head><body><h1>Please wait</h1>'
         b"<p>You are in the queue. DDoS protection is checking your browser.</p></body></html>")
CLEARED = (b"<html><body><h1>Queue cleared listing</h1><p>Speed 10g, 25 EUR, ships from Belgium."
           b"</p></body></html>")
LOGIN = (b'<html><body><h1>Members only</h1><form action="/login" method="post"><input name="u">'
         b'<input type="password" name="p"><button>Log in</button></form></body></html>')

REDIRECTS = {"/go/js": (302, "/go/hop"), "/go/hop": (301, "/listing/js")}


class JsSite:
    """Serve the pages above; records every request path (that is how leaks are seen)."""

    def __init__(self, queue_clears_after: int = 2):
        self.hits: list[str] = []
        self.queue_count = 0
        self.clears_after = queue_clears_after
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                site.hits.append(self.path)
                if self.path in REDIRECTS:
                    self.send_response(REDIRECTS[self.path][0])
                    self.send_header("Location", REDIRECTS[self.path][1])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                status, body = site.render(self.path)
                self.send_response(status)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def render(self, path: str) -> tuple[int, bytes]:
        if path == "/":
            return 200, INDEX
        if path == "/listing/js":
            return 200, JS_LISTING
        if path == "/queue/clears":
            self.queue_count += 1
            return 200, QUEUE if self.queue_count <= self.clears_after else CLEARED
        if path == "/queue/forever":
            return 200, QUEUE
        if path == "/members/area":
            return 200, LOGIN
        return 404, b"<html><body>not found</body></html>"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
