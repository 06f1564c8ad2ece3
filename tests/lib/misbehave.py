#!/usr/bin/env python3
"""HTTP servers that misbehave on purpose, for the examination tests.

Usage: misbehave.py LOG ADDRESS:PORT[:MODE]...

Each ADDRESS:PORT is a listener. With a MODE the listener always behaves
that way. Without one, the first label of the request's Host header picks
the behaviour, so that one listener serves many test names (slow.test,
endless.test, ...). Every connection is logged to LOG as
"MODE ADDRESS:PORT HOST". Runs until killed.

Modes:
  ok          200 with a short page
  slow        waits SLOW_SECONDS (default 12, longer than the 10 s the
              MDN Observatory waits) before a 200
  endless     200 without Content-Length, then body bytes forever
  huge        200 announcing and sending 64 MiB
  bigheaders  about 100 KB of response headers, then a 200 page
  badutf8     headers whose values are not valid UTF-8
  silent      accepts, reads the request and never answers
  rootsilent  never answers /, answers /.git/HEAD with a Git ref after
              PATH_SECONDS (default 0) and other paths with 404
  midclose    announces 100000 bytes, sends 1000 and closes
  redirmeta   302 to the cloud metadata address 169.254.169.254
  redirprivate 302 to the private address 10.0.0.1
  garbage     answers bytes that are neither HTTP nor TLS
  trap        a 200; any connection here means the guard failed
"""
import asyncio
import os
import sys

SLOW_SECONDS = float(os.environ.get("SLOW_SECONDS", "12"))
PATH_SECONDS = float(os.environ.get("PATH_SECONDS", "0"))
PAGE = b"<!doctype html><title>misbehave</title><p>ok</p>\n"


async def read_head(reader):
    """Reads the request head (at most 64 KiB); returns it as bytes."""
    data = b""
    while b"\r\n\r\n" not in data and len(data) < 65536:
        chunk = await reader.read(4096)
        if not chunk:
            break
        data += chunk
    return data


def path_of(head):
    parts = head.split(b"\r\n", 1)[0].split(b" ")
    return parts[1].decode("latin-1") if len(parts) > 2 else ""


def host_of(head):
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"host":
            return value.strip().decode("latin-1").split(":")[0]
    return ""


def response(status, headers, body):
    lines = [b"HTTP/1.1 " + status]
    lines += headers
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def simple(body=PAGE, extra=()):
    return response(b"200 OK", [b"Content-Type: text/html",
                                b"Content-Length: %d" % len(body),
                                *extra], body)


async def serve_rootsilent(writer, path):
    if path == "/":
        await asyncio.sleep(3600)
    elif path == "/.git/HEAD":
        await asyncio.sleep(PATH_SECONDS)
        body = b"ref: refs/heads/main\n"
        writer.write(response(b"200 OK", [b"Content-Type: text/plain",
                                          b"Content-Length: %d" % len(body)],
                              body))
    else:
        writer.write(response(b"404 Not Found", [b"Content-Length: 0"], b""))


async def serve_mode(mode, writer, path):
    if mode == "rootsilent":
        await serve_rootsilent(writer, path)
    elif mode == "slow":
        await asyncio.sleep(SLOW_SECONDS)
        writer.write(simple())
    elif mode == "endless":
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                     b"Connection: close\r\n\r\n")
        block = b"<p>" + b"x" * 16380 + b"</p>"
        while True:
            writer.write(block)
            await writer.drain()
    elif mode == "huge":
        size = 64 * 1024 * 1024
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                     b"Content-Length: %d\r\nConnection: close\r\n\r\n" % size)
        block = b"y" * 65536
        for _ in range(size // len(block)):
            writer.write(block)
            await writer.drain()
    elif mode == "bigheaders":
        filler = [b"X-Filler-%04d: %s" % (i, b"z" * 90) for i in range(1000)]
        writer.write(simple(extra=filler))
    elif mode == "badutf8":
        writer.write(simple(extra=[
            b"Server: nginx/1.18.0 \xff\xfe\xc3\x28",
            b"X-Powered-By: PHP/7.\xe2\x82",
            b"Content-Security-Policy: default-src 'self' \xc0\xaf",
            b"Set-Cookie: s=\xff\xff; Path=/",
        ]))
    elif mode == "silent":
        await asyncio.sleep(3600)
    elif mode == "midclose":
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                     b"Content-Length: 100000\r\n\r\n" + b"m" * 1000)
    elif mode == "redirmeta":
        writer.write(response(b"302 Found", [
            b"Location: http://169.254.169.254/latest/meta-data/",
            b"Content-Length: 0"], b""))
    elif mode == "redirprivate":
        writer.write(response(b"302 Found", [
            b"Location: http://10.0.0.1/admin", b"Content-Length: 0"], b""))
    elif mode == "garbage":
        writer.write(b"\x00\x01 this is neither HTTP nor TLS \xff" * 50)
    else:
        writer.write(simple())
    await writer.drain()


def listener(log, address, port, fixed_mode):
    async def handle(reader, writer):
        try:
            head = b"" if fixed_mode == "garbage" else await read_head(reader)
            host = host_of(head)
            mode = fixed_mode or (host.split(".")[0] if host else "ok")
            log.write("%s %s:%d %s\n" % (mode, address, port, host))
            log.flush()
            await serve_mode(mode, writer, path_of(head))
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
    return asyncio.start_server(handle, address, port, reuse_address=True,
                                backlog=4096)


async def main():
    log = open(sys.argv[1], "a", buffering=1)
    servers = []
    for spec in sys.argv[2:]:
        parts = spec.split(":")
        mode = parts[2] if len(parts) > 2 else None
        servers.append(await listener(log, parts[0], int(parts[1]), mode))
    log.write("ready\n")
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    asyncio.run(main())
