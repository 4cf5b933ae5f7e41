"""The real bot, as a separate process: started, killed with SIGKILL, restarted, its log read."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import yaml

READY = "scorebot is ready"


class BotProcess:
    def __init__(self, config_path: Path, module: str = "scorebot"):
        self.config_path = config_path
        self.log_path = config_path.parent / "bot.log"
        self.module = module
        self.process: subprocess.Popen | None = None
        self._ready_before = 0

    @classmethod
    def write_config(cls, folder: Path, config: dict, module: str = "scorebot") -> BotProcess:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "config.yaml"
        path.write_text(yaml.safe_dump(config, sort_keys=False))
        return cls(path, module)

    def start(self) -> None:
        assert self.process is None or self.process.poll() is not None, "already running"
        self._ready_before = self.log().count(READY)
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", self.module, "run", "--config", str(self.config_path)],
                stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"})

    async def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.log().count(READY) > self._ready_before:
                return
            if self.process.poll() is not None:
                raise AssertionError(f"the bot exited with {self.process.returncode}:\n{self.log()[-3000:]}")
            await asyncio.sleep(0.05)
        raise AssertionError(f"the bot was not ready within {timeout} s:\n{self.log()[-3000:]}")

    async def wait_log(self, text: str, timeout: float = 15, count: int = 1) -> None:
        """Until `text` shows in the bot's log `count` times (a file: there is nothing to await)."""
        for _ in range(int(timeout / 0.05)):
            if self.log().count(text) >= count:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"{text!r} not in the bot's log within {timeout} s")

    async def start_ready(self) -> None:
        self.start()
        await self.wait_ready()

    def kill(self) -> None:
        """SIGKILL: no clean-up, as in a crash or an out-of-memory kill."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()

    def stop(self) -> int | None:
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
