"""A live page in headless Chromium, driven over the DevTools protocol: what it shows now, as time
passes and the page updates itself (tests/support/browser.py lays out static pages instead)."""

from __future__ import annotations

import asyncio
import base64
import itertools
import json
import subprocess
import tempfile
import time
from pathlib import Path

import aiohttp

from tests.support.browser import chromium


class LivePage:
    def __init__(self, width: int = 1280, height: int = 720):
        self.size = (width, height)
        # Chromium's helper processes may still write to the profile as it exits: never fail on that.
        self._folder = tempfile.TemporaryDirectory(prefix="scorebot-chromium-", ignore_cleanup_errors=True)
        self._process: asyncio.subprocess.Process | None = None
        self._session: aiohttp.ClientSession | None = None
        self._socket = None
        self._ids = itertools.count(1)

    async def open(self, url: str, timeout: float = 30) -> LivePage:
        flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--hide-scrollbars", "--force-device-scale-factor=1",
                 f"--window-size={self.size[0]},{self.size[1]}", f"--user-data-dir={self._folder.name}",
                 "--remote-debugging-port=0", "--remote-allow-origins=*"]
        self._process = await asyncio.create_subprocess_exec(chromium(), *flags, url, stdout=subprocess.DEVNULL,
                                                             stderr=subprocess.DEVNULL)
        port_file = Path(self._folder.name) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline:
                raise AssertionError("Chromium did not open its DevTools port")
            await asyncio.sleep(0.05)  # a file Chromium writes: there is no event to await
        port = port_file.read_text().split()[0]
        self._session = aiohttp.ClientSession()
        while True:
            async with self._session.get(f"http://127.0.0.1:{port}/json/list") as answer:
                pages = [t for t in await answer.json() if t["type"] == "page"]
            if pages or time.monotonic() > deadline:
                break
            await asyncio.sleep(0.05)
        self._socket = await self._session.ws_connect(pages[0]["webSocketDebuggerUrl"], max_msg_size=0)
        await self.call("Emulation.setDeviceMetricsOverride", width=self.size[0], height=self.size[1],
                        deviceScaleFactor=1, mobile=False)  # a projector's 720p, whatever the window
        return self

    async def call(self, method: str, **params) -> dict:
        number = next(self._ids)
        await self._socket.send_str(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads((await self._socket.receive()).data)
            if message.get("id") == number:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})

    async def evaluate(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")

    async def text(self) -> str:
        return await self.evaluate("document.body ? document.body.innerText : ''") or ""

    async def wait_until(self, check, timeout: float = 15, what: str = "the page") -> str:
        """The page's text once `check(text)` holds; the page updates itself, so it is read again."""
        deadline = time.monotonic() + timeout
        while not check(text := await self.text()):
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; the page shows: {text!r}")
            await asyncio.sleep(0.05)
        return text

    async def screenshot(self) -> bytes:
        """The page as a PNG."""
        shot = await self.call("Page.captureScreenshot", format="png")
        return base64.b64decode(shot["data"])

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._session is not None:
            await self._session.close()
        if self._process is not None:
            self._process.terminate()
            await asyncio.wait_for(self._process.wait(), 10)
        self._folder.cleanup()
