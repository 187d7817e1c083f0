"""``wabot-desktop setup`` as a real process: exit codes, the keyring, then ``serve`` goes live.

The keyring is the real Secret Service (gnome-keyring in a private D-Bus session, as in
tests/core/test_keyring.py); the shop's "own HTTPS address" is a local TLS proxy whose
self-signed certificate the subprocess trusts through SSL_CERT_FILE.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fakes.graph import (
    DEFAULT_APP_ID,
    DEFAULT_APP_SECRET,
    DEFAULT_PHONE_NUMBER_ID,
    FakeGraph,
)
from tests.fakes.ollama import FakeOllama
from tests.fakes.tls_proxy import TlsProxy
from wabot_desktop.core.paths import AppPaths
from wabot_desktop.core.store.db import Database
from wabot_desktop.core.whatsapp.signature import sign

pytestmark = pytest.mark.slow

HAVE_SECRET_SERVICE = bool(
    shutil.which("gnome-keyring-daemon") and shutil.which("dbus-run-session")
)
needs_keyring = pytest.mark.skipif(
    not HAVE_SECRET_SERVICE, reason="gnome-keyring and dbus-run-session needed (.ci/run)"
)
TOKEN = "EAAGcliSystemUserToken9876543210"
PIN = "246810"
DRIVER = Path(__file__).with_name("setup_driver.py")
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def base_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    (home / ".local" / "share").mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DBUS_", "WABOT_", "FAKE_NGROK_"))
        and k not in ("DISPLAY", "WAYLAND_DISPLAY")
    }
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_RUNTIME_DIR=str(tmp_path),
        PYTHON_KEYRING_BACKEND="keyring.backends.SecretService.Keyring",
        PYTHONPATH=str(ROOT),
        LANG="es_MX.UTF-8",
    )
    return env


def setup_args(graph: FakeGraph, data_dir: Path, port: int, *extra: str) -> list[str]:
    return [
        "--data-dir", str(data_dir), "--graph-url", graph.base_url,
        "--ollama-url", "http://127.0.0.1:9",
        "--non-interactive", "--app-id", DEFAULT_APP_ID, "--app-secret", DEFAULT_APP_SECRET,
        "--access-token", TOKEN, "--phone-number-id", DEFAULT_PHONE_NUMBER_ID,
        "--port", str(port), *extra,
    ]  # fmt: skip


def run_in_keyring_session(tmp_path: Path, plan: dict[str, Any], env: dict[str, str]) -> Any:
    plan_file, report_file = tmp_path / "plan.json", tmp_path / "report.json"
    plan_file.write_text(json.dumps(plan))
    inner = (
        "echo -n test-password | gnome-keyring-daemon --unlock --components=secrets "
        f"--daemonize >/dev/null && {sys.executable} {DRIVER} {plan_file} {report_file}"
    )
    result = subprocess.run(
        ["dbus-run-session", "--", "bash", "-c", inner],
        env=env,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(report_file.read_text())


@pytest.fixture
def graph() -> Iterator[FakeGraph]:
    with FakeGraph.in_thread(expected_token=TOKEN) as fake:
        fake.registered = False  # the wizard must register the number with the PIN
        yield fake


def scan_for(paths: AppPaths, values: list[str]) -> list[str]:
    leaks = []
    for folder in (paths.data_dir, paths.config_dir, paths.log_dir, paths.cache_dir):
        for file in folder.rglob("*"):
            if file.is_file():
                data = file.read_bytes()
                leaks += [f"{file}: {v[:4]}..." for v in values if v.encode() in data]
    return leaks


@needs_keyring
def test_success_stores_secrets_then_serve_goes_live(tmp_path: Path, graph: FakeGraph) -> None:
    port = free_port()
    data_dir = tmp_path / "profile"
    proxy = TlsProxy(tmp_path, port)
    env = base_env(tmp_path)
    env["SSL_CERT_FILE"] = str(proxy.cert)
    with proxy.running():
        args = setup_args(graph, data_dir, port, "--public-url", proxy.url, "--pin", PIN)
        plan = {
            "runs": [{"name": "success", "args": args}],
            "serve": {"data_dir": str(data_dir), "port": port},
            "forget": str(data_dir),
        }
        report = run_in_keyring_session(tmp_path, plan, env)
    [run] = report["runs"]
    assert run["exit"] == 0, run["stdout"] + run["stderr"]
    lines = run["stdout"].splitlines()
    for name in ("meta_app/token", "meta_app/phone", "meta_app/in_waba", "meta_app/register",
                 "public_address/self_check", "connect_meta/subscribed_apps",
                 "connect_meta/callback", "done/stored"):  # fmt: skip
        assert any(line.startswith("[ok] " + name) for line in lines), (name, lines)
    callback = f"{proxy.url}/webhook"
    assert f"callback: {callback}" in lines
    assert graph.requests_to(f"{DEFAULT_PHONE_NUMBER_ID}/register", "POST")[0].json["pin"] == PIN
    assert "GET /webhook" in proxy.forwarded  # the self-check went through the HTTPS address

    # serve starts live with no WABOT_* variables, from the keyring and the stored settings.
    serve = report["serve"]
    assert serve["url"] is not None, serve["output"]
    health = serve["health"]
    assert health["simulator"] is False and health["tunnel"] == "up", health
    assert health["public_url"] == proxy.url
    assert f"public URL {proxy.url}" in serve["output"]
    assert serve["exit"] == 0, serve["output"]
    # On start the live app pointed the callback at its public URL again and read it back.
    assert len(graph.requests_to(f"{DEFAULT_APP_ID}/subscriptions", "POST")) == 2
    assert graph.effective_callback() == callback

    stored = report["stored"]
    assert stored["access_token"] == TOKEN and stored["app_secret"] == DEFAULT_APP_SECRET
    assert stored["pin"] == PIN and stored["phone_number_id"] == DEFAULT_PHONE_NUMBER_ID
    verify_token = stored["verify_token"]
    assert verify_token and len(verify_token) >= 24  # generated by the app
    assert graph.app_subscription is not None
    assert graph.app_subscription["verify_token"] == verify_token
    assert all(v is None for v in report["after_delete"].values())

    paths = AppPaths.resolve(data_dir)
    secrets = [TOKEN, DEFAULT_APP_SECRET, verify_token, PIN]
    assert scan_for(paths, secrets) == []
    assert TOKEN not in run["stdout"] + serve["output"]
    db = Database(paths.db_path)
    try:
        with db.engine.connect() as connection:
            keys = {r[0] for r in connection.exec_driver_sql("SELECT key FROM settings")}
    finally:
        db.close()
    assert {"meta_app_id", "own_public_url", "graph_base_url"} <= keys


@needs_keyring
def test_each_failed_check_exits_3_naming_the_step_and_fix(tmp_path: Path) -> None:
    port = free_port()
    env = base_env(tmp_path)
    fakes = {name: FakeGraph.in_thread(expected_token=TOKEN) for name in
             ("expired", "not_in_waba", "unreachable_url", "no_pin", "register_limit", "ngrok")}  # fmt: skip
    graphs = {name: cm.__enter__() for name, cm in fakes.items()}
    try:
        graphs["expired"].token_valid = False
        graphs["not_in_waba"].number_in_waba = False
        graphs["no_pin"].registered = False
        graphs["register_limit"].registered = False
        graphs["register_limit"].register_limit = 0
        agent = tmp_path / "bin" / "ngrok"
        agent.parent.mkdir()
        shutil.copyfile(ROOT / "tests" / "fakes" / "ngrok_agent.py", agent)
        agent.chmod(0o755)
        own = ("--public-url", "https://127.0.0.1:9")
        runs = []
        for name, g in graphs.items():
            extra: tuple[str, ...] = own
            run_env: dict[str, str] = {}
            if name == "register_limit":
                extra = (*own, "--pin", PIN)
            if name == "ngrok":
                extra = ("--ngrok-authtoken", "2badNgrokToken_123")
                run_env = {"PYNGROK_NGROK_PATH": str(agent), "FAKE_NGROK_FAIL": "1"}
            runs.append({"name": name, "env": run_env,
                         "args": setup_args(g, tmp_path / name, port, *extra)})  # fmt: skip
        report = run_in_keyring_session(tmp_path, {"runs": runs}, env)
    finally:
        for cm in fakes.values():
            cm.__exit__(None, None, None)
    by_name = {r["name"]: r for r in report["runs"]}
    expected = {
        "expired": ("[ERROR] meta_app/token", "token permanente"),
        "not_in_waba": ("[ERROR] meta_app/in_waba", "Solución"),
        "no_pin": ("[ERROR] meta_app/register", "PIN de 6 dígitos"),
        "register_limit": ("[ERROR] meta_app/register", "72 horas"),
        "ngrok": ("[ERROR] public_address/tunnel", "authtoken"),
        "unreachable_url": ("[ERROR] public_address/self_check", "Solución"),
    }
    for name, (prefix, fix) in expected.items():
        run = by_name[name]
        assert run["exit"] == 3, (name, run["stdout"], run["stderr"])
        [line] = [line for line in run["stdout"].splitlines() if line.startswith(prefix)]
        assert fix in line, (name, line)
        assert TOKEN not in run["stdout"] + run["stderr"]


@needs_keyring
def test_app_not_subscribed_exits_3(tmp_path: Path, graph: FakeGraph) -> None:
    graph.registered = True
    graph.subscribe_works = False
    port = free_port()
    proxy = TlsProxy(tmp_path, port)
    env = base_env(tmp_path)
    env["SSL_CERT_FILE"] = str(proxy.cert)
    with proxy.running():
        args = setup_args(graph, tmp_path / "p", port, "--public-url", proxy.url)
        report = run_in_keyring_session(tmp_path, {"runs": [{"name": "x", "args": args}]}, env)
    [run] = report["runs"]
    assert run["exit"] == 3, run["stdout"] + run["stderr"]
    [line] = [x for x in run["stdout"].splitlines() if x.startswith("[ERROR] connect_meta/")]
    assert "subscribed_apps" in line and "Solución" in line


def test_no_keyring_stores_nothing_and_says_what_to_install(tmp_path: Path) -> None:
    env = base_env(tmp_path)
    env["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
    with FakeGraph.in_thread(expected_token=TOKEN) as graph:
        result = subprocess.run(
            [sys.executable, "-m", "wabot_desktop", "setup",
             *setup_args(graph, tmp_path / "p", free_port(), "--public-url", "https://127.0.0.1:9")],
            env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
    assert result.returncode == 3, result.stdout + result.stderr
    assert "gnome-keyring" in result.stdout and "[ERROR] welcome/keyring" in result.stdout
    assert graph.requests == []
    paths = AppPaths.resolve(tmp_path / "p")
    assert scan_for(paths, [TOKEN, DEFAULT_APP_SECRET]) == []


@pytest.mark.parametrize(
    ("drop", "extra", "message"),
    [
        ("--app-secret", (), "missing --app-secret"),
        ("", ("--public-url", "https://a.example", "--ngrok-authtoken", "x"), "exactly one"),
        ("", (), "exactly one"),
        ("", ("--public-url", "http://a.example"), "--public-url"),
        ("", ("--public-url", "https://a.example", "--pin", "12ab"), "--pin"),
        ("", ("--ngrok-domain", "a.ngrok.app", "--public-url", "https://a.example"), "needs"),
    ],
)
def test_bad_arguments_exit_2(
    tmp_path: Path, drop: str, extra: tuple[str, ...], message: str
) -> None:
    args = [
        "setup", "--data-dir", str(tmp_path / "p"), "--non-interactive",
        "--app-id", DEFAULT_APP_ID, "--app-secret", DEFAULT_APP_SECRET,
        "--access-token", TOKEN, "--phone-number-id", DEFAULT_PHONE_NUMBER_ID, *extra,
    ]  # fmt: skip
    if drop:
        index = args.index(drop)
        del args[index : index + 2]
    result = subprocess.run(
        [sys.executable, "-m", "wabot_desktop", *args],
        env=base_env(tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert TOKEN not in result.stderr


def test_malformed_port_is_exit_2(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wabot_desktop", "setup", "--non-interactive", "--port", "x"],
        env=base_env(tmp_path), capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2


def _phone_message_body() -> bytes:
    value = {
        "messaging_product": "whatsapp",
        "messages": [
            {
                "from": "5491122334455",
                "id": "wamid.I",
                "timestamp": "1",
                "type": "text",
                "text": {"body": "hola"},
            }
        ],
    }
    body = {
        "object": "whatsapp_business_account",
        "entry": [{"id": "1", "changes": [{"field": "messages", "value": value}]}],
    }
    return json.dumps(body).encode()


def _drive_interactive(proc: subprocess.Popen[str], answers: list[str], proxy: TlsProxy) -> str:
    """Type every answer, wait for "send a message", send it through the public address."""
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write("\n".join(answers) + "\n")
    proc.stdin.flush()
    seen: list[str] = []
    for line in proc.stdout:
        seen.append(line)
        if "Ahora envía un mensaje" in line:
            break
    else:
        raise AssertionError("".join(seen))
    body = _phone_message_body()
    response = httpx.post(
        proxy.url + "/webhook",
        content=body,
        headers={"X-Hub-Signature-256": sign(DEFAULT_APP_SECRET, body)},
        verify=ssl.create_default_context(cafile=str(proxy.cert)),
    )
    assert response.status_code == 200
    rest, _ = proc.communicate(timeout=120)
    return "".join(seen) + rest


@needs_keyring
def test_interactive_run_end_to_end(tmp_path: Path, graph: FakeGraph) -> None:
    port = free_port()
    data_dir = tmp_path / "profile"
    proxy = TlsProxy(tmp_path, port)
    env = base_env(tmp_path)
    env["SSL_CERT_FILE"] = str(proxy.cert)
    models = ("qwen2.5:1.5b", "qwen2.5:3b", "qwen2.5:7b")
    with proxy.running(), FakeOllama.in_thread(models=models, reply="Abrimos a las 9.") as ollama:
        answers = [
            "s",  # go live
            DEFAULT_APP_ID, DEFAULT_APP_SECRET, TOKEN, "", DEFAULT_PHONE_NUMBER_ID,
            PIN,  # asked because the number is not registered
            "s", proxy.url,  # own HTTPS address
            # shop: name, 7 weekdays (one malformed, asked again), address, payments, FAQ, staff
            "Ferretería Don Pepe", "", "", "", "", "10:00-14:00", "9-13", "cerrado", "cerrado",
            "Calle 1 234", "", "s", "n",
        ]  # fmt: skip
        args = [
            "--data-dir", str(data_dir), "--graph-url", graph.base_url,
            "--ollama-url", ollama.host, "--port", str(port),
        ]  # fmt: skip
        inner = (
            "echo -n test-password | gnome-keyring-daemon --unlock --components=secrets "
            f"--daemonize >/dev/null && exec {sys.executable} -m wabot_desktop setup "
            + " ".join(args)
        )
        proc = subprocess.Popen(
            ["dbus-run-session", "--", "bash", "-c", inner],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # its own process group, so a failed test can end it all
        )
        try:
            output = _drive_interactive(proc, answers, proxy)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(10)
    assert proc.returncode == 0, output
    assert "[ok] connect_meta/first_message" in output and "5491122334455" in output
    assert "[ok] model/test_question" in output and "Abrimos a las 9." in output
    assert "[ok] done/stored" in output and "[ok] done/test_reply" in output
    assert [m["to"] for m in graph.sent_messages] == ["5491122334455"]
    assert "Formato: 09:00-13:00" in output  # the malformed hours were asked again
    assert TOKEN not in output and DEFAULT_APP_SECRET not in output
    db = Database(AppPaths.resolve(data_dir).db_path)
    try:
        with db.engine.connect() as connection:
            stored = dict(connection.exec_driver_sql("SELECT key, value FROM settings").all())
    finally:
        db.close()
    assert json.loads(stored["business_name"]) == "Ferretería Don Pepe"
    assert json.loads(stored["bot_paused"]) is True  # staff first
    hours = json.loads(stored["business_hours"])
    assert hours["fri"] == [["10:00", "14:00"]] and hours["sat"] == [] and hours["sun"] == []
    assert json.loads(stored["business_address"]) == "Calle 1 234"
    assert scan_for(AppPaths.resolve(data_dir), [TOKEN, DEFAULT_APP_SECRET, PIN]) == []
