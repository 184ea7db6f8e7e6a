"""The app behind the proxy: answers every GET with the Remote-* headers it received, as
JSON, so the proxy tests can see what the proxy passed on. Stops by itself after
--lifetime seconds."""
import argparse
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

parser = argparse.ArgumentParser()
parser.add_argument("--port", type=int, required=True)
parser.add_argument("--lifetime", type=float, default=600)
args = parser.parse_args()


class Echo(BaseHTTPRequestHandler):
    def do_GET(self):
        seen = {
            name: self.headers.get(name)
            for name in ("Remote-User", "Remote-Name", "Remote-Email", "Remote-Groups")
        }
        body = json.dumps({"app": self.headers.get("Host"), "path": self.path, "seen": seen}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_):
        pass


server = ThreadingHTTPServer(("127.0.0.1", args.port), Echo)
threading.Timer(args.lifetime, server.shutdown).start()
server.serve_forever()
