"""Running a chat scenario in a fresh event loop, as the socket tests do.

The process's relay (messaging/relay.py) listens on the channel layer from a task of the loop
that started it; it is closed before the loop ends, as a server does when it stops.
"""

import asyncio
import json

from messaging.relay import close_relay


def run_chat(coroutine):
    async def and_close():
        try:
            return await coroutine
        finally:
            await close_relay()

    return asyncio.run(and_close())


async def next_frame(communicator, *, skip=("presence",), timeout: float = 5) -> dict:
    """The next frame a WebsocketCommunicator receives, leaving out presence updates (they
    arrive whenever someone comes or goes, and are tested on their own)."""
    while True:
        frame = json.loads(await communicator.receive_from(timeout=timeout))
        if frame["type"] not in skip:
            return frame
