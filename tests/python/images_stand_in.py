"""A local stand-in of the OpenAI Images API on 127.0.0.1 for the try-on example.

It answers `POST /v1/images/edits` the way the real API does (multipart in, `b64_json` out)
with an image it computes from what it was sent: the person (second image) at the requested
size with the dress (first image) composited over the middle. It also serves the example's two
input images over HTTP, so the request can use URLs as the announcement does. Every call is
recorded for the test to check.
"""

import base64
import email.parser
import email.policy
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from PIL import Image, ImageDraw

DRESS_RED = (200, 20, 40)


def dress_png() -> bytes:
    """A red dress on white."""
    image = Image.new("RGB", (300, 400), (255, 255, 255))
    ImageDraw.Draw(image).polygon([(110, 20), (190, 20), (260, 380), (40, 380)], fill=DRESS_RED)
    return png_bytes(image)


def png_bytes(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def parse_multipart(content_type: str, body: bytes):
    """The form's text fields and its `image[]` files, in order."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body
    )
    fields, images = {}, []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if name == "image[]":
            images.append(Image.open(io.BytesIO(payload)).convert("RGB"))
        else:
            fields[name] = payload.decode()
    return fields, images


class ImagesStandIn:
    def __init__(self, person_png: bytes):
        self.files = {"/dress.png": dress_png(), "/person.png": person_png}
        self.edits = []
        self.fetched = []
        self.authorization = []
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                body = stand_in.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                stand_in.fetched.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                if self.path != "/v1/images/edits":
                    self.send_error(404)
                    return
                body = self.rfile.read(int(self.headers["Content-Length"]))
                fields, images = parse_multipart(self.headers["Content-Type"], body)
                stand_in.edits.append((fields, images))
                stand_in.authorization.append(self.headers.get("Authorization"))
                width, height = (int(v) for v in fields["size"].split("x"))
                dress, person = images[0], images[-1]
                out = person.resize((width, height))
                out.paste(dress.resize((width // 2, height // 2)), (width // 4, height // 4))
                reply = json.dumps({"created": 0, "data": [
                    {"b64_json": base64.b64encode(png_bytes(out)).decode()}
                ]}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
