"""Annotation create and list against doccano 1.8.4's span API, same machine, same database.

    .venv/bin/python bench/doccano_bench.py [--spans 1000] [--list-runs 40] [--keep]

DESIGN.md's budget: "Annotation create and list are at least 2× faster than doccano's span
API on the same machine and database". This script measures it over HTTP:

- doccano 1.8.4 from PyPI in its own venv, `var/doccano-venv` (git-ignored), made with
  /usr/bin/python3.11 on first use and re-used after. doccano's own pins no longer resolve to
  a working set on Python 3.11 today, so three extra pins are installed with it (see PINS).
- Each app in its own fresh PostgreSQL database on the server of DATABASE_URL (default
  postgres@127.0.0.1:5432): `fc_doccano` and `fc_doccano_ours`, created here and dropped
  at the end (`--keep` keeps them).
- Each app served by one gunicorn sync worker on loopback with DEBUG off: doccano with the
  gunicorn its venv pins (20.1), ours with the one in requirements.txt. Ours sends its tasks
  to Redis db 7 (CELERY_BROKER_URL=redis://127.0.0.1:6379/7, no worker consumes them; the
  keys this run adds there are deleted at the end).
- The same client code for both: one httpx.Client per app, token auth on both.

Workload, the same for both: one document / article with the same ~10 KB German text, then
SPANS span creates over distinct, non-overlapping word spans (labels claim, opinion,
speculation, source in turn), then reading all SPANS spans of that document. doccano's span
list has no pagination (all rows in one response); ours pages at most 1,000 a page, so "list
all" is the sum of its page requests. Creates of the two apps are interleaved in blocks, and
so are the list runs, so that a change of machine load hits both alike.

Reports p50/p95 per request (warm-ups excluded), the gunicorn worker's CPU time per request
(read from /proc, unaffected by waiting for the CPU), the ratio doccano/ours and the load
average.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
DOCCANO_VENV = VAR / "doccano-venv"
DOCCANO_HOME = VAR / "doccano-home"
PYTHON311 = "/usr/bin/python3.11"
# doccano 1.8.4 pins pandas <2 but not numpy (numpy 2 breaks pandas 1.5's C extension) and
# environs 9.5 but not marshmallow (environs 9.5 fails to import with marshmallow 4); its
# `postgresql` extra lists no driver.
PINS = ["doccano==1.8.4", "numpy<2", "marshmallow<4", "psycopg2-binary"]


def postgres_server() -> str:
    """The server of DATABASE_URL (as `make bench` sets it), without a database name."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgres://postgres@127.0.0.1:5432/"
    return urlunsplit(urlsplit(url)._replace(path="", query=""))


PG = postgres_server()
DOCCANO_DB = "fc_doccano"
OURS_DB = "fc_doccano_ours"
DOCCANO_PORT = 8731
OURS_PORT = 8732
REDIS_DB = 7
PASSWORD = "bench-Passwort-91!"  # a throwaway account in a throwaway database
LABELS = ["claim", "opinion", "speculation", "source"]
WARMUP_CREATES = 20
WARMUP_LISTS = 5
BLOCK = 50
OUR_MAX_PAGE = 1000

SENTENCES = [
    "Die Bundesregierung hat im vergangenen Jahr {n} Millionen Euro für den Ausbau der "
    "Radwege ausgegeben, teilte das Verkehrsministerium am Dienstag mit.",
    "Nach Angaben des Statistischen Bundesamtes stieg die Zahl der Beschäftigten in der "
    "Pflege um {n} Prozent.",
    "Meiner Meinung nach ist das ein überfälliger Schritt, der viel zu spät kommt.",
    "Es könnte sein, dass die Kosten bis zum Jahr 20{n:02d} noch deutlich steigen werden.",
    "„Wir haben alle Zusagen eingehalten“, sagte die Ministerin in einem Interview mit der "
    "Süddeutschen Zeitung.",
    "Laut einer Studie der Universität Köln nutzen inzwischen {n} Prozent der Schüler "
    "täglich ein Tablet im Unterricht.",
    "Kritiker bezweifeln, dass die Maßnahmen ausreichen, um die Klimaziele zu erreichen.",
    "Die Opposition wirft der Regierung vor, wichtige Zahlen bewusst zurückgehalten zu haben.",
    "Vermutlich wird der Bundestag erst nach der Sommerpause über den Entwurf abstimmen.",
    "Der Verband schätzt den Schaden für die Landwirtschaft auf rund {n} Milliarden Euro.",
]


def german_text(size: int = 10_000) -> str:
    parts: list[str] = []
    length = 0
    n = 0
    while length < size:
        sentence = SENTENCES[n % len(SENTENCES)].format(n=n + 3)
        parts.append(sentence)
        length += len(sentence) + 1
        n += 1
    return " ".join(parts) + "\n"


def word_spans(text: str, count: int) -> list[tuple[int, int]]:
    """`count` distinct, non-overlapping word spans spread over the text."""
    words = [(m.start(), m.end()) for m in re.finditer(r"\w+", text)]
    if len(words) < count:
        sys.exit(f"the text has {len(words)} words, fewer than {count} spans")
    step = len(words) / count
    return [words[int(i * step)] for i in range(count)]


# --- setup ------------------------------------------------------------------------------------


def doccano_venv() -> Path:
    doccano = DOCCANO_VENV / "bin" / "doccano"
    probe = [str(DOCCANO_VENV / "bin" / "python"), "-c", "import pandas, environs, psycopg2"]
    if doccano.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
        return doccano
    print(f"installing doccano into {DOCCANO_VENV.relative_to(ROOT)} …", flush=True)
    subprocess.run([PYTHON311, "-m", "venv", str(DOCCANO_VENV)], check=True)
    pip = str(DOCCANO_VENV / "bin" / "pip")
    subprocess.run([pip, "install", "-q", "--upgrade", "pip"], check=True)
    subprocess.run([pip, "install", "-q", *PINS], check=True)
    return doccano


def fresh_database(name: str) -> str:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def drop_database(name: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def doccano_env(database_url: str) -> dict[str, str]:
    DOCCANO_HOME.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DOCCANO_HOME": str(DOCCANO_HOME),
        "MEDIA_ROOT": str(DOCCANO_HOME / "media"),
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DATABASE_URL": database_url + "?sslmode=disable",
        "DEBUG": "False",
        "SECRET_KEY": "bench-only-" + "d" * 50,
        "CELERY_BROKER_URL": "memory://",
    }


def ours_env(database_url: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "factcheck.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-" + "o" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "CONN_MAX_AGE": "60",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{REDIS_DB}",
    }


def setup_doccano(doccano: Path, env: dict[str, str]) -> None:
    print("doccano: init (migrate, roles) and admin user …", flush=True)
    subprocess.run([str(doccano), "init"], env=env, check=True, capture_output=True)
    subprocess.run(
        [str(doccano), "createuser", "--username", "bench", "--password", PASSWORD],
        env=env,
        check=True,
        capture_output=True,
    )


OURS_USER = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
user = get_user_model().objects.create_user("bench", password={password!r})
user.groups.add(Group.objects.get(name="editor"))
"""


def setup_ours(env: dict[str, str]) -> None:
    print("ours: migrate and an editor …", flush=True)
    python = str(Path(sys.executable))
    manage = str(ROOT / "manage.py")
    subprocess.run([python, manage, "migrate", "-v0"], env=env, cwd=ROOT, check=True)
    code = OURS_USER.format(password=PASSWORD)
    subprocess.run([python, manage, "shell", "-c", code], env=env, cwd=ROOT, check=True)


class Server:
    """One gunicorn sync worker on loopback."""

    def __init__(self, name: str, gunicorn: Path, app: str, cwd: Path, port: int, env) -> None:
        self.name = name
        self.port = port
        self.log = open(VAR / f"doccano-bench-{name}.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            [
                str(gunicorn),
                app,
                "--workers",
                "1",
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=cwd,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        self.worker = 0

    def wait(self, probe: str) -> None:
        """Until the worker answers at all: doccano's /v1/health/ answers 500 here (its
        Celery check times out without a worker), which is fine for this purpose."""
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"http://127.0.0.1:{self.port}{probe}", timeout=5)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    sys.exit(f"{self.name}: gunicorn did not start, see var/doccano-bench-*.log")
                time.sleep(0.2)
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        self.worker = int(children.read_text().split()[0])

    def cpu_seconds(self) -> float:
        """User + system CPU time of the worker so far."""
        fields = Path(f"/proc/{self.worker}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


# --- the two clients --------------------------------------------------------------------------


def check(response: httpx.Response, *expected: int) -> httpx.Response:
    if response.status_code not in expected:
        raise SystemExit(
            f"{response.request.method} {response.request.url}: {response.status_code} "
            f"{response.text[:300]}"
        )
    return response


class Doccano:
    name = "doccano"

    def __init__(self, port: int, text: str) -> None:
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        login = {"username": "bench", "password": PASSWORD}
        key = check(self.http.post("/v1/auth/login/", json=login), 200).json()["key"]
        self.http.headers["Authorization"] = f"Token {key}"
        # The login also set a session cookie: with it, SessionAuthentication (doccano's first
        # authentication class) would demand a CSRF token. Token auth alone, as for ours.
        self.http.cookies.clear()
        project = {
            "name": "Bench",
            "description": "doccano_bench.py",
            "guideline": "",
            "project_type": "SequenceLabeling",
            "resourcetype": "SequenceLabelingProject",
        }
        self.project = check(self.http.post("/v1/projects", json=project), 201).json()["id"]
        self.labels = {}
        for n, slug in enumerate(LABELS):
            payload = {"text": slug, "suffix_key": str(n + 1), "background_color": "#ffcc00"}
            path = f"/v1/projects/{self.project}/span-types"
            self.labels[slug] = check(self.http.post(path, json=payload), 201).json()["id"]
        payload = {"text": text, "meta": {}}
        path = f"/v1/projects/{self.project}/examples"
        self.example = check(self.http.post(path, json=payload), 201).json()["id"]
        self.spans = f"/v1/projects/{self.project}/examples/{self.example}/spans"

    def create(self, start: int, end: int, label: str, exact: str) -> float:
        payload = {"label": self.labels[label], "start_offset": start, "end_offset": end}
        started = time.perf_counter()
        check(self.http.post(self.spans, json=payload), 201)
        return time.perf_counter() - started

    def list_all(self) -> tuple[float, int, int]:
        """(seconds, rows, requests) to read every span of the example."""
        started = time.perf_counter()
        rows = check(self.http.get(self.spans), 200).json()
        return time.perf_counter() - started, len(rows), 1

    def sample_row(self) -> dict:
        return check(self.http.get(self.spans), 200).json()[0]


class Ours:
    name = "ours"

    def __init__(self, port: int, text: str) -> None:
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        login = {"username": "bench", "password": PASSWORD}
        token = check(self.http.post("/api/v1/auth/token/", json=login), 200).json()["token"]
        self.http.headers["Authorization"] = f"Token {token}"
        self.http.cookies.clear()
        payload = {"title": "Bench", "text": text, "language": "de"}
        self.article = check(self.http.post("/api/v1/articles/", json=payload), 201).json()["id"]

    def create(self, start: int, end: int, label: str, exact: str) -> float:
        payload = {
            "article": self.article,
            "start": start,
            "end": end,
            "label": label,
            "exact": exact,
        }
        started = time.perf_counter()
        check(self.http.post("/api/v1/annotations/", json=payload), 201)
        return time.perf_counter() - started

    def list_all(self) -> tuple[float, int, int]:
        started = time.perf_counter()
        rows = 0
        page = 1
        requests = 0
        while True:
            params = {"article": self.article, "page_size": OUR_MAX_PAGE, "page": page}
            body = check(self.http.get("/api/v1/annotations/", params=params), 200).json()
            requests += 1
            rows += len(body["results"])
            if not body.get("next"):
                break
            page += 1
        return time.perf_counter() - started, rows, requests

    def list_page(self) -> float:
        started = time.perf_counter()
        check(self.http.get("/api/v1/annotations/", params={"article": self.article}), 200)
        return time.perf_counter() - started

    def sample_row(self) -> dict:
        params = {"article": self.article, "page_size": 1}
        return check(self.http.get("/api/v1/annotations/", params=params), 200).json()["results"][0]


# --- measuring --------------------------------------------------------------------------------


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.1f}"


def redis_keys() -> set[str]:
    import redis

    return {key.decode() for key in redis.Redis(db=REDIS_DB).keys("*")}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--spans", type=int, default=1_000)
    parser.add_argument("--list-runs", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the two databases")
    args = parser.parse_args()

    doccano = doccano_venv()
    text = german_text()
    spans = word_spans(text, args.spans)
    keys_before = redis_keys()

    doccano_environ = doccano_env(fresh_database(DOCCANO_DB))
    ours_environ = ours_env(fresh_database(OURS_DB))
    setup_doccano(doccano, doccano_environ)
    setup_ours(ours_environ)

    backend = next((DOCCANO_VENV / "lib").glob("python3.*/site-packages/backend"))
    servers = [
        Server(
            "doccano",
            DOCCANO_VENV / "bin" / "gunicorn",
            "config.wsgi",
            backend,
            DOCCANO_PORT,
            doccano_environ,
        ),
        Server(
            "ours",
            Path(sys.executable).parent / "gunicorn",
            "factcheck.wsgi",
            ROOT,
            OURS_PORT,
            ours_environ,
        ),
    ]
    try:
        servers[0].wait("/v1/health/")
        servers[1].wait("/healthz")
        return run(args, text, spans, servers)
    finally:
        for server in servers:
            server.stop()
        added = redis_keys() - keys_before
        if added:
            import redis

            redis.Redis(db=REDIS_DB).delete(*added)
        if not args.keep:
            drop_database(DOCCANO_DB)
            drop_database(OURS_DB)


def run(args, text: str, spans: list[tuple[int, int]], servers: list[Server]) -> int:
    load_start = os.getloadavg()
    apps = [Doccano(DOCCANO_PORT, text), Ours(OURS_PORT, text)]
    print(f"text: {len(text):,} characters, {len(text.encode()):,} bytes UTF-8", flush=True)

    # Creates, interleaved in blocks of BLOCK so that both see the same machine load.
    creates: dict[str, list[float]] = {app.name: [] for app in apps}
    by_label: dict[str, dict[str, list[float]]] = {
        app.name: {s: [] for s in LABELS} for app in apps
    }
    cpu: dict[str, float] = {app.name: 0.0 for app in apps}
    cpu_ops = 0  # creates inside the blocks whose worker CPU time is counted
    for first in range(0, len(spans), BLOCK):
        for app, server in zip(apps, servers, strict=True):
            before = server.cpu_seconds()
            for n in range(first, min(first + BLOCK, len(spans))):
                start, end = spans[n]
                label = LABELS[n % len(LABELS)]
                elapsed = app.create(start, end, label, text[start:end])
                if n >= WARMUP_CREATES:
                    creates[app.name].append(elapsed)
                    by_label[app.name][label].append(elapsed)
            if first >= WARMUP_CREATES:
                cpu[app.name] += server.cpu_seconds() - before
        if first >= WARMUP_CREATES:
            cpu_ops += min(BLOCK, len(spans) - first)
    measured_creates = {name: len(samples) for name, samples in creates.items()}
    print("creates done", flush=True)

    # Lists: every run reads all spans; doccano and ours alternate run by run.
    lists: dict[str, list[float]] = {app.name: [] for app in apps}
    list_cpu: dict[str, float] = {app.name: 0.0 for app in apps}
    shape: dict[str, tuple[int, int]] = {}
    for run_no in range(WARMUP_LISTS + args.list_runs):
        for app, server in zip(apps, servers, strict=True):
            before = server.cpu_seconds()
            elapsed, rows, requests = app.list_all()
            if rows != len(spans):
                sys.exit(f"{app.name}: listed {rows} rows, expected {len(spans)}")
            shape[app.name] = (rows, requests)
            if run_no >= WARMUP_LISTS:
                lists[app.name].append(elapsed)
                list_cpu[app.name] += server.cpu_seconds() - before
    ours = apps[1]
    for _ in range(WARMUP_LISTS):
        ours.list_page()
    before = servers[1].cpu_seconds()
    page_of_50 = [ours.list_page() for _ in range(args.list_runs)]
    page_cpu = (servers[1].cpu_seconds() - before) / args.list_runs
    load_end = os.getloadavg()

    # -- report
    def cpu_per_create(name: str) -> float:
        return cpu[name] / max(1, cpu_ops)

    d, o = "doccano", "ours"
    print()
    print(
        f"doccano 1.8.4 vs ours, one gunicorn sync worker each, PostgreSQL on loopback, "
        f"{len(spans):,} spans on one ~10 KB German document"
    )
    print(
        f"load average (1 min) {load_start[0]:.2f} at start, {load_end[0]:.2f} at end, "
        f"{os.cpu_count()} CPUs"
    )
    print()
    print("| request | app | n | p50 ms | p95 ms | worker CPU ms/op | doccano/ours p50 |")
    print("|---|---|---:|---:|---:|---:|---:|")
    rows = [
        ("create one span", creates, cpu_per_create(d), cpu_per_create(o), measured_creates),
        (
            f"list all {len(spans):,}",
            lists,
            list_cpu[d] / args.list_runs,
            list_cpu[o] / args.list_runs,
            {d: args.list_runs, o: args.list_runs},
        ),
    ]
    for name, samples, cpu_d, cpu_o, counts in rows:
        ratio = statistics.median(samples[d]) / statistics.median(samples[o])
        print(
            f"| {name} | doccano | {counts[d]} | {ms(statistics.median(samples[d]))} | "
            f"{ms(p95(samples[d]))} | {ms(cpu_d)} | |"
        )
        print(
            f"| {name} | ours | {counts[o]} | {ms(statistics.median(samples[o]))} | "
            f"{ms(p95(samples[o]))} | {ms(cpu_o)} | **{ratio:.2f}×** |"
        )
    print(
        f"| list, page of 50 | ours | {len(page_of_50)} | {ms(statistics.median(page_of_50))} | "
        f"{ms(p95(page_of_50))} | {ms(page_cpu)} | (doccano cannot paginate spans) |"
    )
    print()
    print(
        f"list all: doccano {shape[d][1]} request(s) of {shape[d][0]} rows; "
        f"ours {shape[o][1]} request(s) of ≤ {OUR_MAX_PAGE} rows"
    )
    print("create p50 by label (ms):")
    for label in LABELS:
        print(
            f"  {label:<12} doccano {ms(statistics.median(by_label[d][label]))}"
            f"  ours {ms(statistics.median(by_label[o][label]))}"
        )
    print()
    for app in apps:
        row = app.sample_row()
        print(f"{app.name} row ({len(row)} fields): {sorted(row)}")
    create_ok = statistics.median(creates[d]) >= 2 * statistics.median(creates[o])
    list_ok = statistics.median(lists[d]) >= 2 * statistics.median(lists[o])
    print()
    print(f"goal ≥ 2× faster (p50): create {'met' if create_ok else 'NOT met'}, ", end="")
    print(f"list {'met' if list_ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
