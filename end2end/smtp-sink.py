#!/usr/bin/env python3
"""A small SMTP server for the browser tests: a real SMTP conversation on localhost, keeping each
message it is given as a numbered .eml file in a folder, for the tests to read.

    python3 end2end/smtp-sink.py PORT FOLDER
"""

import asyncio
import itertools
import pathlib
import sys

REPLIES = {
    b"EHLO": b"250-sink.test\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
    b"HELO": b"250 sink.test\r\n",
    b"MAIL": b"250 2.1.0 OK\r\n",
    b"RCPT": b"250 2.1.5 OK\r\n",
    b"RSET": b"250 2.0.0 OK\r\n",
    b"NOOP": b"250 2.0.0 OK\r\n",
}


async def read_data(reader: asyncio.StreamReader) -> bytes:
    """The message after DATA, up to the lone dot, with dot-stuffing undone."""
    data = bytearray()
    while True:
        line = await reader.readline()
        if line in (b".\r\n", b""):
            return bytes(data)
        data += line[1:] if line.startswith(b".") else line


def serve(folder: pathlib.Path):
    numbers = itertools.count(1)

    async def converse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        writer.write(b"220 sink.test ESMTP ready\r\n")
        while line := await reader.readline():
            verb = line[:4].upper()
            if verb == b"QUIT":
                writer.write(b"221 2.0.0 Bye\r\n")
                break
            if verb == b"DATA":
                writer.write(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                await writer.drain()
                message = await read_data(reader)
                name = f"{next(numbers):04}.eml"
                # Written whole, then renamed: a reader never sees half a message.
                (folder / f".{name}").write_bytes(message)
                (folder / f".{name}").rename(folder / name)
                writer.write(b"250 2.0.0 Queued\r\n")
            else:
                writer.write(REPLIES.get(verb, b"502 5.5.2 Command not recognised\r\n"))
            await writer.drain()
        writer.close()

    return converse


async def main():
    port, folder = int(sys.argv[1]), pathlib.Path(sys.argv[2])
    folder.mkdir(parents=True, exist_ok=True)
    server = await asyncio.start_server(serve(folder), "127.0.0.1", port)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
