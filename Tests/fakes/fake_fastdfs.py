#!/usr/bin/env python3
"""A FastDFS tracker and storage server in one process, for tests (standard library only).

It speaks the binary protocol the way FastDFS 6 does for the commands ChainMall uses: the
tracker's store query (101), fetch query (102) and update query (103); the storage server's
upload (11), delete (12) and download with offset and length (14); plus active test (111) and
quit (82), which clients send on pooled connections. Every packet is a 10-byte header (body
length, 8 bytes big-endian; command; status) and a body. Files live in memory under ids
`group1/M00/XX/XX/<name>.<ext>`, named from a counter so two runs name files alike.

    fake_fastdfs.py [--record FILE] [--mode MODE] [--ip-width 15|45]

prints `READY <tracker port> <storage port>` once both listen on 127.0.0.1. With --record, each
request packet is appended to FILE as a JSON line {"server", "command", "hex"}. --mode makes the
servers misbehave for robustness tests:
  huge-length      the tracker announces a 1 TiB reply
  wrong-command    the tracker answers with command 99
  short-reply      the tracker's store reply is 20 bytes
  hang             the tracker reads the request and never answers
  hostile-id       the storage server answers an upload with the id `group1/../../etc/passwd`
"""
import argparse
import asyncio
import json
import struct
import sys

GROUP = b"group1"
RESP = 100
ENOENT, EINVAL = 2, 22
files = {}
counter = 0
args = None
storage_port = 0


def header(length, status=0, command=RESP):
    return struct.pack("!QBB", length, command, status)


def record(server, command, packet):
    if args.record:
        with open(args.record, "a") as out:
            out.write(json.dumps({"server": server, "command": command, "hex": packet.hex()}) + "\n")


def padded(text, width):
    return text[:width].ljust(width, b"\0")


async def read_packet(reader):
    head = await reader.readexactly(10)
    length, command, _status = struct.unpack("!QBB", head)
    if length > 64 * 1024 * 1024:
        raise ValueError("request too large")
    body = await reader.readexactly(length)
    return command, head, body


def split_file(body):
    group = body[:16].rstrip(b"\0")
    return group, body[16:].decode()


def tracker_reply(command, body):
    server = padded(GROUP, 16) + padded(b"127.0.0.1", args.ip_width) + struct.pack("!Q", storage_port)
    if command == 101:
        if args.mode == "short-reply":
            return header(20) + bytes(20)
        return header(len(server) + 1) + server + b"\0"
    if command in (102, 103):
        group, _name = split_file(body)
        if group != GROUP:
            return header(0, ENOENT)
        return header(len(server)) + server
    return header(0, EINVAL)


def storage_reply(command, body):
    global counter
    if command == 11:
        path_index = body[0]
        size = struct.unpack("!Q", body[1:9])[0]
        ext = body[9:15].rstrip(b"\0").decode()
        data = body[15:]
        if len(data) != size or path_index != 0:
            return header(0, EINVAL)
        name = "M00/%02X/%02X/fake%022d%s" % (counter // 256 % 256, counter % 256, counter, "." + ext if ext else "")
        counter += 1
        files[name] = data
        if args.mode == "hostile-id":
            name = "../../etc/passwd"
        reply = padded(GROUP, 16) + name.encode()
        return header(len(reply)) + reply
    if command == 12:
        group, name = split_file(body)
        if group != GROUP or name not in files:
            return header(0, ENOENT)
        del files[name]
        return header(0)
    if command == 14:
        offset, length = struct.unpack("!QQ", body[:16])
        group, name = split_file(body[16:])
        data = files.get(name) if group == GROUP else None
        if data is None:
            return header(0, ENOENT)
        if offset > len(data) or offset + length > len(data):
            return header(0, EINVAL)
        part = data[offset:offset + length] if length else data[offset:]
        return header(len(part)) + part
    return header(0, EINVAL)


def serve(server):
    async def handle(reader, writer):
        try:
            while True:
                command, head, body = await read_packet(reader)
                record(server, command, head + body)
                if command == 82:
                    break
                if command == 111:
                    writer.write(header(0))
                elif server == "tracker" and args.mode == "hang":
                    await asyncio.sleep(3600)
                elif server == "tracker" and args.mode == "huge-length":
                    writer.write(header(1 << 40))
                elif server == "tracker" and args.mode == "wrong-command":
                    writer.write(header(0, 0, 99))
                elif server == "tracker":
                    writer.write(tracker_reply(command, body))
                else:
                    writer.write(storage_reply(command, body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
    return handle


async def main():
    global storage_port
    storage = await asyncio.start_server(serve("storage"), "127.0.0.1", 0)
    storage_port = storage.sockets[0].getsockname()[1]
    tracker = await asyncio.start_server(serve("tracker"), "127.0.0.1", args.tracker_port)
    print("READY %d %d" % (tracker.sockets[0].getsockname()[1], storage_port), flush=True)
    # Ends when the test closes our standard input, so no fake outlives its test.
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--record")
    parser.add_argument("--mode", default="normal")
    parser.add_argument("--tracker-port", type=int, default=0)
    # The tracker's address field: 45 bytes since FastDFS 6.12 (IPv6), 15 before.
    parser.add_argument("--ip-width", type=int, choices=(15, 45), default=45)
    args = parser.parse_args()
    asyncio.run(main())
