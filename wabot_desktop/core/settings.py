"""Typed, declared non-secret settings, stored as JSON values in the ``settings`` table.

Each key has one name, type and default here. Labels and help texts belong to the GUI. Empty
canned texts mean "use the default text for the UI language" (resources/prompts/defaults_*.json).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from wabot_desktop.core.store.dialect import insert_for
from wabot_desktop.core.store.models import Setting

logger = logging.getLogger(__name__)

DEFAULT_HANDOFF_KEYWORDS = (
    "humano",
    "persona",
    "agente",
    "asesor",
    "asesora",
    "hablar con alguien",
    "operador",
    "human",
    "agent",
    "real person",
)
DEFAULT_OPT_OUT_KEYWORDS = ("baja", "stop", "parar", "unsubscribe")
DEFAULT_OPT_IN_KEYWORDS = ("alta", "start", "unstop")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _default_hours() -> dict[str, list[list[str]]]:
    weekday = [["09:00", "19:00"]]
    return {
        "mon": weekday,
        "tue": weekday,
        "wed": weekday,
        "thu": weekday,
        "fri": weekday,
        "sat": [["09:00", "14:00"]],
        "sun": [],
    }


@dataclass(frozen=True, slots=True, kw_only=True)
class Settings:
    """Every non-secret setting with its default."""

    # Connections
    graph_base_url: str = "https://graph.facebook.com"
    graph_api_version: str = "v25.0"
    ollama_host: str = "http://127.0.0.1:11434"
    llm_model: str = "qwen2.5:3b"
    llm_timeout_s: float = 60.0
    llm_max_concurrent: int = 1
    llm_keep_alive: str = "30m"
    # No first token within this: the model is stuck (much shorter than llm_timeout_s).
    llm_first_token_timeout_s: float = 15.0
    # What a customer tolerates: a turn waiting this long in total (queue + generation) gets the
    # holding/handoff answer instead of waiting on behind a dead model.
    llm_customer_wait_s: float = 45.0
    llm_num_ctx: int = 8192  # explicit: Ollama defaults to 4k below 24 GiB VRAM and truncates
    # The model server: "ollama" (ollama_host) or "openai" (any OpenAI-compatible server at
    # openai_base_url: LM Studio, llama.cpp, Jan, vLLM, transformers serve, HF router). The API
    # key is a secret (SecretKey.LLM_API_KEY), never a setting.
    llm_provider: str = "ollama"
    openai_base_url: str = "http://127.0.0.1:1234/v1"
    openai_model: str = ""
    llm_context_size: int = 0  # tokens; 0 = the server's own
    # Private (LAN) addresses the owner confirmed as their own: no privacy warning for them.
    llm_confirmed_hosts: tuple[str, ...] = ()
    ngrok_domain: str = ""
    ngrok_agent_path: str = ""  # an ngrok agent the owner installed ("" = pyngrok's default)
    own_public_url: str = ""
    meta_app_id: str = ""
    callback_mode: str = "app"  # "app" (app subscription) | "phone" (phone-number override)
    # UI
    language: str = ""  # "" = follow the system
    staff_name: str = ""
    close_to_tray_hint_shown: bool = False
    # Business facts for the prompt
    business_name: str = "Mi tienda"
    business_hours_text: str = ""
    business_address: str = ""
    payment_methods: str = ""
    extra_facts: str = ""
    faq: tuple[tuple[str, str], ...] = ()
    system_prompt: str = ""  # "" = default template for the language
    history_budget_chars: int = 6000
    # Modes and etiquette
    bot_paused: bool = False
    handoff_keywords: tuple[str, ...] = DEFAULT_HANDOFF_KEYWORDS
    opt_out_keywords: tuple[str, ...] = DEFAULT_OPT_OUT_KEYWORDS
    opt_in_keywords: tuple[str, ...] = DEFAULT_OPT_IN_KEYWORDS
    debounce_quiet_s: float = 3.0
    debounce_max_s: float = 15.0
    human_quiet_minutes: float = 30.0
    needs_human_timeout_minutes: float = 240.0
    max_bot_replies_per_minute: int = 6
    flood_messages_per_minute: int = 20
    stale_backlog_hours: float = 2.0
    typing_refresh_s: float = 20.0
    # Business hours: weekday -> list of [start, end] "HH:MM"; closed_dates "YYYY-MM-DD"
    business_hours: dict[str, list[list[str]]] = field(default_factory=_default_hours)
    closed_dates: tuple[str, ...] = ()
    outside_hours_mode: str = "answer"  # "answer" | "away"
    greeting_enabled: bool = False
    handoff_message: str = ""
    away_message: str = ""
    greeting_message: str = ""
    backlog_apology: str = ""
    opt_out_confirm: str = ""
    opt_in_confirm: str = ""
    # Outbox
    send_gap_s: float = 1.0  # pacing between messages to the same customer
    retry_initial_s: float = 1.0
    retry_max_s: float = 300.0
    retry_attempts_in_process: int = 5
    give_up_after_hours: float = 24.0
    # On stop, sends already on the wire get this long to finish (then they are "in doubt").
    stop_grace_s: float = 5.0
    # On start, a row whose send was started but not confirmed waits this long for its
    # sent/delivered status webhook (matched by biz_opaque_callback_data) before it is resent.
    in_doubt_wait_s: float = 10.0
    # Headless: while sending is blocked by a rejected token (190), check the token this often.
    token_recheck_s: float = 300.0
    # How often the WhatsApp connection state shown to the owner is checked (GUI and serve).
    graph_check_s: float = 300.0
    # Webhook server limits
    http_keepalive_s: float = 5.0  # idle keep-alive and first-request (header) timeout
    http_body_timeout_s: float = 10.0  # a webhook body must arrive within this
    http_max_connections: int = 256
    http_max_buffered_bodies: int = 16  # bodies read at once before their signature is checked
    # Voice notes (core/voice): model name ("small", "base", "large-v3-turbo"), a folder holding a
    # CTranslate2 Whisper model, or "off". Transcribed on this PC, never sent anywhere.
    voice_model: str = "small"
    voice_max_seconds: float = 180.0  # longer audio -> handoff, not minutes of CPU
    voice_timeout_s: float = 120.0
    voice_cpu_threads: int = 0  # 0 = half of the PC's cores
    voice_fallback: str = "reply"  # on failure: "reply" (the "can't listen" text) | "handoff"
    voice_prompt_terms: tuple[str, ...] = ()  # product names that help spelling (price list hook)
    # Staff tools
    quick_replies: tuple[tuple[str, str], ...] = ()
    template_cache: tuple[dict[str, Any], ...] = ()

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)


_FIELDS = {f.name: f for f in fields(Settings)}


def _coerce(name: str, value: Any) -> Any:
    """Turn a JSON-decoded value back into the declared type (lists -> tuples)."""
    default = getattr(Settings(), name)
    if isinstance(default, bool):
        return bool(value)
    if isinstance(default, int) and not isinstance(default, bool):
        return int(value)
    if isinstance(default, float):
        return float(value)
    if isinstance(default, str):
        return str(value)
    if isinstance(default, tuple):
        return tuple(tuple(v) if isinstance(v, list) else v for v in value)
    return value


def is_setting(name: str) -> bool:
    return name in _FIELDS


def load_settings(session: Session) -> Settings:
    """Read every stored setting over the defaults; unknown or broken rows are ignored."""
    values: dict[str, Any] = {}
    for row in session.scalars(select(Setting)):
        if row.key not in _FIELDS:
            continue
        try:
            values[row.key] = _coerce(row.key, json.loads(row.value))
        except (ValueError, TypeError):
            logger.warning("ignoring unreadable setting %s", row.key)
    return Settings(**values)


def save_settings(session: Session, **changes: Any) -> None:
    """Store the given settings (validated by name and type)."""
    for name, value in changes.items():
        if name not in _FIELDS:
            raise KeyError(name)
        coerced = _coerce(name, value)
        encoded = json.dumps(coerced, ensure_ascii=False)
        statement = insert_for(session, Setting).values(key=name, value=encoded)
        session.execute(
            statement.on_conflict_do_update(index_elements=[Setting.key], set_={"value": encoded})
        )
