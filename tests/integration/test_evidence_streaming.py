"""Evidence of up to 2 GB is never held in memory (issue: case engine, 7. full-process
record): a 64 MB video sent over real HTTP as a chunked body from a generator goes
through the server into the blob store while Python's allocations and the process's
peak resident memory grow by a small fraction of it, and its SHA-256 is the one the
sender computed."""

from __future__ import annotations

import hashlib
import os
import resource
import tracemalloc
from urllib.parse import quote

import requests

from tests.integration import test_case_lifecycle as lifecycle
from tests.integration.test_case_evidence import filed

desk = lifecycle.desk
MB = 1024 * 1024
SIZE = 64 * MB
MP4_HEAD = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"  # what a phone's MP4 starts with


def _peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


def test_a_64_mb_video_streams_through_without_being_held_in_memory(live_server, client, desk):
    case = filed(client, desk)
    digest, block = hashlib.sha256(), os.urandom(MB)

    def video():
        for n in range(SIZE // MB):
            chunk = MP4_HEAD + block[len(MP4_HEAD) :] if n == 0 else block
            digest.update(chunk)
            yield chunk

    headers = {
        **desk["officer"],
        "Content-Type": "video/mp4",
        "X-Evidence-Kind": "audio_visual",
        "X-Evidence-Title": quote("执法记录仪现场视频"),
    }
    rss_before = _peak_rss_bytes()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        r = requests.post(
            f"{live_server.url}/api/v1/cases/{case.id}/evidence",
            data=video(),  # a generator: requests sends it chunked, no Content-Length
            headers=headers,
            timeout=120,
        )
        _, traced_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    rss_growth = _peak_rss_bytes() - rss_before

    assert r.status_code == 201, r.text
    assert r.json()["size"] == SIZE and r.json()["media_type"] == "video/mp4"
    assert r.json()["sha256"] == digest.hexdigest()
    # Client and server share this process: everything Python allocated meanwhile, for
    # both, stayed under a quarter of the file (about 10 MB: a few 1 MB chunks in flight
    # on each side); the resident peak grew by less than half of it.
    assert traced_peak < SIZE / 4, f"{traced_peak / MB:.1f} MB allocated at the peak"
    assert rss_growth < SIZE / 2, f"peak RSS grew by {rss_growth / MB:.1f} MB"
    listed = client.get(f"/api/v1/cases/{case.id}/evidence", headers=desk["officer"]).json
    assert [e["sha256"] for e in listed["items"]] == [digest.hexdigest()]


def test_a_chunked_file_of_exactly_the_limit_is_kept_and_one_byte_more_is_refused(
    live_server, app, client, desk
):
    """The limit is inclusive over HTTP too, also past the app's general body limit."""
    import dataclasses

    case = filed(client, desk)
    settings = app.extensions["yimen.settings"]
    limit = app.config["MAX_CONTENT_LENGTH"] + MB
    app.extensions["yimen.settings"] = dataclasses.replace(settings, evidence_max_bytes=limit)
    try:
        block = os.urandom(MB)

        def video(size: int):
            sent = 0
            while sent < size:
                chunk = block[: size - sent]
                yield MP4_HEAD + chunk[len(MP4_HEAD) :] if sent == 0 else chunk
                sent += len(chunk)

        headers = {
            **desk["officer"],
            "X-Evidence-Kind": "audio_visual",
            "X-Evidence-Title": quote("现场视频"),
        }
        url = f"{live_server.url}/api/v1/cases/{case.id}/evidence"
        exact = requests.post(url, data=video(limit), headers=headers, timeout=60)
        assert exact.status_code == 201, exact.text
        assert exact.json()["size"] == limit
        over = requests.post(url, data=video(limit + 1), headers=headers, timeout=60)
        assert over.status_code == 413 and over.json()["code"] == "evidence-too-large"
    finally:
        app.extensions["yimen.settings"] = settings
