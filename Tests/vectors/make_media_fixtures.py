#!/usr/bin/env python3
"""Writes the minimal product video and document fixtures under Tests/MallServerTests/Fixtures/media:
an MP4 (ftyp, mdat, then moov/mvhd: 12.5 s), a WebM (EBML header, Segment/Info/Duration: 8 s) and a
PDF. They carry only the structures the server reads; no frames."""
import os
import struct

OUT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "MallServerTests/Fixtures/media")


def box(kind, body):
    return struct.pack("!I", len(body) + 8) + kind + body


def mp4(timescale, duration):
    mvhd = b"\0\0\0\0" + struct.pack("!IIII", 0, 0, timescale, duration) + bytes(80)
    return box(b"ftyp", b"isom" + struct.pack("!I", 512) + b"isomavc1") + box(b"mdat", bytes(range(256)) * 40) + box(b"moov", box(b"mvhd", mvhd))


def ebml(element_id, body):
    return element_id + b"\x01" + len(body).to_bytes(7, "big") + body


def webm(ticks):
    header = ebml(b"\x1a\x45\xdf\xa3", ebml(b"\x42\x86", b"\x01") + ebml(b"\x42\x82", b"webm"))
    info = ebml(b"\x2a\xd7\xb1", struct.pack("!I", 1_000_000)) + ebml(b"\x44\x89", struct.pack("!d", ticks))
    return header + ebml(b"\x18\x53\x80\x67", ebml(b"\x15\x49\xa9\x66", info) + ebml(b"\x1f\x43\xb6\x75", bytes(3000)))


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

os.makedirs(OUT, exist_ok=True)
for name, data in [("clip-12.5s.mp4", mp4(1000, 12_500)), ("clip-8s.webm", webm(8000.0)), ("manual.pdf", PDF),
                   ("clip-600s.mp4", mp4(600, 600 * 600))]:
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    print(name, len(data))
