#!/usr/bin/python3
"""WebSocket peers (Debian's python3-websockets) for the integration tests.

server PORT_FILE:  an echo server on 127.0.0.1 (free port written to PORT_FILE); it answers every
                   message with the same message, and "who" with the request's X-Forwarded-For.
client URL:        connects to URL, then prints one line per step:
                   "text=<echo of hello>", "who=<X-Forwarded-For seen by the server>",
                   "binary=<length> same=<True|False>" for 256 KiB of bytes echoed,
                   "after-pause=<echo>" after --pause seconds of silence, and "closed=<code>".
"""
import asyncio, os, sys

import websockets


async def serve(port_file):
    async def echo(connection, path=None):
        try:
            async for message in connection:
                if message == "who":
                    await connection.send(connection.request_headers.get("X-Forwarded-For", "-"))
                else:
                    await connection.send(message)
        except websockets.ConnectionClosed:
            pass  # the client went away without a close handshake (the idle timeout test)

    async with websockets.serve(echo, "127.0.0.1", 0, max_size=None) as server:
        port = server.sockets[0].getsockname()[1]
        with open(port_file + ".tmp", "w") as f:
            f.write(str(port))
        os.rename(port_file + ".tmp", port_file)
        await asyncio.Future()


async def client(url, pause):
    async with websockets.connect(url, max_size=None, open_timeout=10, close_timeout=10) as connection:
        await connection.send("hello")
        print("text=" + await asyncio.wait_for(connection.recv(), 10), flush=True)
        await connection.send("who")
        print("who=" + await asyncio.wait_for(connection.recv(), 10), flush=True)
        payload = os.urandom(256 * 1024)
        await connection.send(payload)
        echoed = await asyncio.wait_for(connection.recv(), 10)
        print("binary=%d same=%s" % (len(echoed), echoed == payload), flush=True)
        await asyncio.sleep(pause)
        await connection.send("still there")
        print("after-pause=" + await asyncio.wait_for(connection.recv(), 10), flush=True)
    print("closed=%d" % connection.close_code, flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "server":
        asyncio.run(serve(sys.argv[2]))
    else:
        pause = float(sys.argv[sys.argv.index("--pause") + 1]) if "--pause" in sys.argv else 0
        asyncio.run(client(sys.argv[2], pause))
