"""Local scrapyd daemons for the tests and bench/scrapyd_scale.py: each on a free port of 127.0.0.1 in a folder
of its own (its scrapyd.conf, eggs, logs, queues), started from the pinned `scrapyd` package and always killed,
with the crawls it started, when the block ends; and the project's egg built by `scrapyd-deploy --build-egg`
and deployed through addversion.json."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PROJECT = "cijobs"
# What the egg is built from: the packages pyproject.toml ships, and the files scrapyd-deploy reads.
EGG_SOURCES = ("cijobs", "crawler", "warehouse", "matching", "dashboard", "advert_text", "scrapy.cfg",
               "pyproject.toml", "README.md")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def build_egg(workdir: Path) -> Path:
    """`scrapyd-deploy --build-egg` on a copy of the project (it writes setup.py and build/ where it runs)."""
    copy = workdir / "project"
    for name in EGG_SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            copy.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, copy / name)
    egg = workdir / f"{PROJECT}.egg"
    subprocess.run([str(BIN / "scrapyd-deploy"), "--build-egg", str(egg)], cwd=copy, check=True,
                   capture_output=True, timeout=120)
    return egg


def deploy(url: str, egg: Path, version: str = "1") -> dict:
    """The egg to one daemon (addversion.json, as scrapyd-deploy does); scrapyd's answer."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in (("project", PROJECT), ("version", version)):
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="egg"; filename="project.egg"\r\n'
                 "Content-Type: application/octet-stream\r\n\r\n".encode() + egg.read_bytes() + b"\r\n")
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    request = urllib.request.Request(f"{url}/addversion.json", data=body,
                                     headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
    with urllib.request.urlopen(request, timeout=120) as response:
        answer = json.loads(response.read())
    if answer.get("status") != "ok":
        raise RuntimeError(f"deploying to {url} failed: {answer}")
    return answer


class ScrapydDaemon:
    """``with ScrapydDaemon(folder) as daemon: daemon.url``; the daemon and its crawls are killed on leaving."""

    def __init__(self, folder: Path, max_proc: int = 1, poll_interval: float = 0.2):
        self.folder = Path(folder)
        self.port = free_port()
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / "scrapyd.conf").write_text(f"""[scrapyd]
bind_address = 127.0.0.1
http_port = {self.port}
eggs_dir = eggs
logs_dir = logs
dbs_dir = dbs
max_proc = {max_proc}
poll_interval = {poll_interval}
runner = cijobs.scrapyd_runner
""", encoding="utf-8")
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ScrapydDaemon:
        log = (self.folder / "scrapyd.out").open("wb")
        # Its own process group, so that stopping it stops the crawls it started too.
        self.process = subprocess.Popen([str(BIN / "scrapyd")], cwd=self.folder, stdout=log, stderr=subprocess.STDOUT,
                                        start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
        log.close()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"scrapyd exited: {(self.folder / 'scrapyd.out').read_text()[-2000:]}")
            try:
                with urllib.request.urlopen(f"{self.url}/daemonstatus.json", timeout=2):
                    return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError(f"scrapyd on {self.url} did not answer within 30 s")

    def __exit__(self, *exc) -> None:
        if self.process is None:
            return
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        try:  # crawls that outlived their daemon (same process group)
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process = None
