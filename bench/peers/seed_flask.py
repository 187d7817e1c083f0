"""The seed's design: a Flask webhook that checks X-Hub-Signature-256 and stores nothing.

Run under gunicorn with 4 sync workers (as bench/compare_peers.py does):

    WABOT_BENCH_SECRET=... gunicorn -w 4 -k sync -b 127.0.0.1:PORT bench.peers.seed_flask:app

It verifies the HMAC-SHA256 of the raw body with the app secret (403 on mismatch), then answers
200 without parsing or storing anything: if the PC dies, the message is gone.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from flask import Flask, Response, request

APP_SECRET = os.environ.get("WABOT_BENCH_SECRET", "").encode("utf-8")

app = Flask(__name__)


@app.post("/webhook")
def webhook() -> Response:
    body = request.get_data()
    signature = request.headers.get("X-Hub-Signature-256", "")
    expected = "sha256=" + hmac.new(APP_SECRET, body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(signature, expected):
        return Response("Forbidden", status=403)
    return Response("OK", status=200)
