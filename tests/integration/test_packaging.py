"""What an admin installs: a non-editable install that finds everything it needs, and the image."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("wheel")
    # Built from a copy, so the build leaves nothing (build/, egg-info) in the checkout.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "scorebot", source / "scorebot", ignore=shutil.ignore_patterns("__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(folder), str(source)],
        check=True, capture_output=True,
    )
    return next(folder.glob("scorebot-*.whl"))


def test_the_wheel_carries_the_seed_glossary(wheel):
    assert "scorebot/seed/glossary.yaml" in zipfile.ZipFile(wheel).namelist()


def test_a_fresh_non_editable_install_finds_the_seed_glossary(wheel, tmp_path):
    """A plain `pip install scorebot` into a new venv: the bot reads its glossary from the package."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", str(wheel)], check=True, capture_output=True)
    config = tmp_path / "config.yaml"
    config.write_text("homeserver: http://localhost:8008\nuser_id: '@bot:localhost'\naccess_token: t\n")
    # The dependencies come from this test run's site-packages, which hold no `scorebot` folder (this
    # run's own copy is editable), so `scorebot` can only be the copy just installed.
    environment = {"PYTHONPATH": sysconfig.get_paths()["purelib"], "PATH": str(venv / "bin")}
    probe = (
        "import sys, scorebot, yaml; from scorebot.config import load_config\n"
        "path = load_config(sys.argv[1]).glossary_seed_path\n"
        "print(scorebot.__file__, len(yaml.safe_load(path.read_text())))\n"
    )
    found = subprocess.run([python, "-c", probe, str(config)], env=environment, cwd=tmp_path,
                           capture_output=True, text=True)
    assert found.returncode == 0, found.stderr
    where, terms = found.stdout.split()
    assert where.startswith(str(venv)), f"scorebot was imported from {where}, not the fresh install"
    assert int(terms) >= 10
    helped = subprocess.run([venv / "bin" / "scorebot", "--help"], env=environment, cwd=tmp_path,
                            capture_output=True, text=True)
    assert "check-config" in helped.stdout, helped.stderr


def _docker_engine() -> str | None:
    if not shutil.which("docker"):
        return "docker is not installed"
    info = subprocess.run(["docker", "info"], capture_output=True, text=True)
    return None if info.returncode == 0 else "no Docker engine runs here (only the docker client)"


def test_the_image_builds_and_runs_as_a_non_root_user():
    missing = _docker_engine()
    if missing:
        pytest.skip(missing)
    subprocess.run(["docker", "build", "-q", "-t", "scorebot:test", str(ROOT)], check=True, capture_output=True)
    helped = subprocess.run(["docker", "run", "--rm", "scorebot:test", "--help"], capture_output=True, text=True)
    assert helped.returncode == 0 and "check-config" in helped.stdout, helped.stderr
    who = subprocess.run(["docker", "run", "--rm", "--entrypoint", "id", "scorebot:test", "-u"],
                         capture_output=True, text=True)
    assert who.stdout.strip() not in ("", "0")
