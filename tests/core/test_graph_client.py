"""GraphClient against the fake Graph API server over real sockets on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import logging
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio

from tests.fakes.graph import FakeGraph, graph_error_body
from wabot_desktop.core.whatsapp.errors import (
    AuthError,
    GraphApiError,
    InvalidRequestError,
    MediaError,
    NetworkError,
    PairRateLimitError,
    PermanentGraphError,
    RateLimitError,
    ReEngagementError,
    ServerError,
    UndeliverableError,
)
from wabot_desktop.core.whatsapp.graph import GraphClient, MediaInfo, SendResult
from wabot_desktop.core.whatsapp.payloads import (
    ListRow,
    ListSection,
    buttons_message,
    list_message,
    reaction_message,
    recipient_fields,
    template_body_components,
    template_message,
    text_message,
)

TOKEN = "EAAtesttoken0123456789"
CUSTOMER = recipient_fields("15555550101", "US.1111222233334444555")


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeGraph]:
    async with FakeGraph(expected_token=TOKEN) as server:
        yield server


@pytest_asyncio.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def make_client(
    http: httpx.AsyncClient, fake: FakeGraph, *, token: Any = TOKEN, **kwargs: Any
) -> GraphClient:
    return GraphClient(
        http,
        base_url=fake.base_url + "/",
        phone_number_id=fake.phone_number_id,
        access_token=token,
        waba_id=fake.waba_id,
        **kwargs,
    )


@pytest.fixture
def client(http: httpx.AsyncClient, fake: FakeGraph) -> GraphClient:
    return make_client(http, fake)


@pytest.mark.asyncio
async def test_send_text_with_reply_context(fake: FakeGraph, client: GraphClient) -> None:
    result = await client.send(text_message(CUSTOMER, "Hola 😊", reply_to="wamid.IN1"))
    assert result == SendResult(wamid="wamid.FAKE1", wa_id="15555550101")
    assert fake.sent_messages == [
        {
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": "+15555550101",
            "type": "text",
            "text": {"body": "Hola 😊"},
            "context": {"message_id": "wamid.IN1"},
        }
    ]
    (request,) = fake.requests
    assert request.method == "POST"
    assert request.path == f"/v25.0/{fake.phone_number_id}/messages"
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["Content-Type"] == "application/json"


@pytest.mark.asyncio
async def test_version_and_token_callable(fake: FakeGraph, http: httpx.AsyncClient) -> None:
    tokens = iter([TOKEN, TOKEN])
    client = make_client(http, fake, token=lambda: next(tokens), api_version="v26.0")
    await client.send(text_message(CUSTOMER, "uno"))
    await client.mark_read("wamid.IN1")
    assert [r.path for r in fake.requests] == [
        f"/v26.0/{fake.phone_number_id}/messages",
        f"/v26.0/{fake.phone_number_id}/messages",
    ]
    assert all(r.headers["Authorization"] == f"Bearer {TOKEN}" for r in fake.requests)


@pytest.mark.asyncio
async def test_missing_token_fails_without_a_request(
    fake: FakeGraph, http: httpx.AsyncClient
) -> None:
    client = make_client(http, fake, token=lambda: None)
    with pytest.raises(AuthError):
        await client.send(text_message(CUSTOMER, "hola"))
    assert fake.requests == []


@pytest.mark.asyncio
async def test_wrong_token_is_auth_error(fake: FakeGraph, http: httpx.AsyncClient) -> None:
    client = make_client(http, fake, token="EAAwrongtoken000000")
    with pytest.raises(AuthError) as info:
        await client.send(text_message(CUSTOMER, "hola"))
    assert info.value.code == 190
    assert info.value.http_status == 401
    assert fake.sent_messages == []


@pytest.mark.asyncio
async def test_send_to_bsuid(fake: FakeGraph, client: GraphClient) -> None:
    result = await client.send(text_message(recipient_fields(None, "US.77"), "hola"))
    assert result.wa_id is None
    assert fake.sent_messages[0]["recipient"] == "US.77"


@pytest.mark.asyncio
async def test_reaction_buttons_list_template(fake: FakeGraph, client: GraphClient) -> None:
    payloads = [
        reaction_message(CUSTOMER, "wamid.IN1", "❤️"),
        buttons_message(CUSTOMER, "¿Confirmas?", [("yes", "Sí"), ("no", "No")], footer="Ana"),
        list_message(
            CUSTOMER,
            "Elige",
            "Ver opciones",
            [ListSection(title="Tallas", rows=[ListRow(id="s", title="S", description="chica")])],
        ),
        template_message(CUSTOMER, "order_ready", "es_MX", template_body_components(["Ana", "42"])),
    ]
    results = [await client.send(payload) for payload in payloads]
    assert [r.wamid for r in results] == [f"wamid.FAKE{i}" for i in range(1, 5)]
    assert fake.sent_wamids == [r.wamid for r in results]
    assert fake.sent_messages == payloads
    reaction, buttons, listing, template = fake.sent_messages
    assert reaction["reaction"] == {"message_id": "wamid.IN1", "emoji": "❤️"}
    assert buttons["interactive"]["action"]["buttons"][0] == {
        "type": "reply",
        "reply": {"id": "yes", "title": "Sí"},
    }
    assert listing["interactive"]["action"]["sections"][0]["rows"] == [
        {"id": "s", "title": "S", "description": "chica"}
    ]
    assert template["template"]["language"] == {"code": "es_MX"}


@pytest.mark.asyncio
async def test_mark_read_with_typing_indicator(fake: FakeGraph, client: GraphClient) -> None:
    await client.mark_read("wamid.IN1", typing=True)
    await client.mark_read("wamid.IN2")
    assert fake.read_receipts == [
        {
            "messaging_product": "whatsapp",
            "status": "read",
            "message_id": "wamid.IN1",
            "typing_indicator": {"type": "text"},
        },
        {"messaging_product": "whatsapp", "status": "read", "message_id": "wamid.IN2"},
    ]
    assert fake.sent_messages == []


ERROR_CASES: list[tuple[int, Any, type[GraphApiError], int | None]] = [
    (429, "", RateLimitError, None),
    (400, graph_error_body(130429), RateLimitError, 130429),
    (400, graph_error_body(131056), PairRateLimitError, 131056),
    (400, graph_error_body(131047), ReEngagementError, 131047),
    (400, graph_error_body(131026), UndeliverableError, 131026),
    (401, graph_error_body(190, http_status=401), AuthError, 190),
    (400, graph_error_body(100), InvalidRequestError, 100),
    (500, graph_error_body(131000, http_status=500), ServerError, 131000),
    (500, "Internal Server Error", ServerError, None),
    (502, b"<html>\xff\xfe bad gateway</html>", ServerError, None),
    (400, '{"error": ', PermanentGraphError, None),
]


@pytest.mark.asyncio
@pytest.mark.parametrize(("status", "body", "expected", "code"), ERROR_CASES)
async def test_error_mapping(
    fake: FakeGraph,
    client: GraphClient,
    status: int,
    body: Any,
    expected: type[GraphApiError],
    code: int | None,
) -> None:
    fake.script_errors("messages", [(status, body)])
    with pytest.raises(GraphApiError) as info:
        await client.send(text_message(CUSTOMER, "hola"))
    assert type(info.value) is expected
    assert info.value.code == code
    assert info.value.http_status == status
    assert fake.sent_messages == []
    # The script is used up: the next send goes through (the client itself never retries).
    assert (await client.send(text_message(CUSTOMER, "hola"))).wamid == "wamid.FAKE1"
    assert len(fake.requests) == 2


@pytest.mark.asyncio
async def test_scripts_for_sends_leave_mark_read_alone(
    fake: FakeGraph, client: GraphClient
) -> None:
    fake.script_errors("messages", [(400, graph_error_body(131047))])
    await client.mark_read("wamid.IN1", typing=True)
    with pytest.raises(ReEngagementError):
        await client.send(text_message(CUSTOMER, "hola"))
    fake.script_errors("messages", [(500, graph_error_body(1, http_status=500))], kind="read")
    with pytest.raises(ServerError):
        await client.mark_read("wamid.IN2")


@pytest.mark.asyncio
async def test_send_without_message_id_is_an_error(fake: FakeGraph, client: GraphClient) -> None:
    fake.script_errors("messages", [(200, {"messaging_product": "whatsapp", "messages": []})])
    with pytest.raises(PermanentGraphError, match="messages"):
        await client.send(text_message(CUSTOMER, "hola"))


@pytest.mark.asyncio
async def test_network_error_when_server_is_gone(http: httpx.AsyncClient) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = GraphClient(
        http, base_url=f"http://127.0.0.1:{port}", phone_number_id="1", access_token=TOKEN
    )
    with pytest.raises(NetworkError) as info:
        await client.send(text_message(CUSTOMER, "hola"))
    assert info.value.is_transient
    assert info.value.http_status is None
    assert TOKEN not in str(info.value)
    assert await client.check_health() is False


@pytest.mark.asyncio
async def test_network_error_after_stop(http: httpx.AsyncClient) -> None:
    async with FakeGraph() as server:
        client = make_client(http, server)
        await client.send(text_message(CUSTOMER, "hola"))
    with pytest.raises(NetworkError):
        await client.send(text_message(CUSTOMER, "hola"))


@pytest.mark.asyncio
async def test_timeout_is_network_error(fake: FakeGraph, http: httpx.AsyncClient) -> None:
    client = make_client(http, fake, timeout=0.2)
    fake.set_delay(5)
    with pytest.raises(NetworkError, match="Timeout"):
        await client.send(text_message(CUSTOMER, "hola"))


@pytest.mark.asyncio
async def test_health(fake: FakeGraph, client: GraphClient, http: httpx.AsyncClient) -> None:
    assert await client.check_health() is True
    request = fake.requests[-1]
    assert request.path == f"/v25.0/{fake.phone_number_id}"
    assert request.query == {"fields": "id"}
    assert await make_client(http, fake, token="EAAbadtoken0000000").check_health() is False


# -- media ------------------------------------------------------------------------------


def b64sha(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


@pytest.mark.asyncio
async def test_get_media(fake: FakeGraph, client: GraphClient) -> None:
    media_id = fake.add_media(b"\x89PNG fake", "image/png")
    info = await client.get_media(media_id)
    assert isinstance(info, MediaInfo)
    assert info.url.startswith(f"{fake.base_url}/media-bin/{media_id}")
    assert info.mime_type == "image/png"
    assert info.sha256 == b64sha(b"\x89PNG fake")
    assert info.file_size == 9
    request = fake.requests[-1]
    assert request.path == f"/v25.0/{media_id}"
    assert request.query == {"phone_number_id": fake.phone_number_id}


@pytest.mark.asyncio
async def test_download_media_with_bearer_and_sha256(fake: FakeGraph, client: GraphClient) -> None:
    payload = bytes(range(256)) * 1000
    media_id = fake.add_media(payload, "audio/ogg; codecs=opus")
    data, mime = await client.download_media(media_id)
    assert data == payload
    assert mime == "audio/ogg; codecs=opus"
    download = fake.requests_to(f"/media-bin/{media_id}")
    assert len(download) == 1
    assert download[0].headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.asyncio
async def test_media_bin_requires_bearer(fake: FakeGraph, http: httpx.AsyncClient) -> None:
    media_id = fake.add_media(b"secret", "image/jpeg")
    response = await http.get(f"{fake.base_url}/media-bin/{media_id}")
    assert response.status_code == 401


@pytest.mark.asyncio
async def test_download_refreshes_an_expired_url_once(fake: FakeGraph, client: GraphClient) -> None:
    media_id = fake.add_media(b"hello", "text/plain")
    fake.script_errors(f"/media-bin/{media_id}", [(404, "Not Found")])
    data, _ = await client.download_media(media_id)
    assert data == b"hello"
    assert len(fake.requests_to(f"/v25.0/{media_id}")) == 2
    assert len(fake.requests_to(f"/media-bin/{media_id}")) == 2

    fake.script_errors(f"/media-bin/{media_id}", [(404, "Not Found"), (404, "Not Found")])
    with pytest.raises(MediaError):
        await client.download_media(media_id)


@pytest.mark.asyncio
async def test_download_rejects_a_wrong_sha256(fake: FakeGraph, client: GraphClient) -> None:
    media_id = fake.add_media(b"real bytes", "image/jpeg")
    fake.script_errors(
        f"/v25.0/{media_id}",
        [
            (
                200,
                {
                    "messaging_product": "whatsapp",
                    "url": f"{fake.base_url}/media-bin/{media_id}",
                    "mime_type": "image/jpeg",
                    "sha256": b64sha(b"other bytes"),
                    "file_size": 10,
                    "id": media_id,
                },
            )
        ],
    )
    with pytest.raises(MediaError, match="sha256"):
        await client.download_media(media_id)


@pytest.mark.asyncio
async def test_download_size_cap(fake: FakeGraph, client: GraphClient) -> None:
    media_id = fake.add_media(b"x" * 5000, "application/pdf")
    with pytest.raises(MediaError, match="limit"):
        await client.download_media(media_id, max_bytes=4999)
    # Refused on the declared size: the bytes were never fetched.
    assert fake.requests_to(f"/media-bin/{media_id}") == []

    # A lying file_size is caught while streaming.
    fake.script_errors(
        f"/v25.0/{media_id}",
        [(200, {"url": f"{fake.base_url}/media-bin/{media_id}", "file_size": 10, "id": media_id})],
    )
    with pytest.raises(MediaError, match="limit"):
        await client.download_media(media_id, max_bytes=4999)
    assert len(fake.requests_to(f"/media-bin/{media_id}")) == 1

    data, mime = await client.download_media(media_id, max_bytes=5000)
    assert len(data) == 5000
    assert mime == "application/pdf"


@pytest.mark.asyncio
async def test_download_refuses_plain_http_with_https_graph(http: httpx.AsyncClient) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.path == "/v25.0/42"
        return httpx.Response(200, json={"url": "http://evil.example/x", "id": "42"})

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as mock_http:
        client = GraphClient(mock_http, phone_number_id="1", access_token=TOKEN)
        with pytest.raises(MediaError, match="unexpected URL"):
            await client.download_media("42")


@pytest.mark.asyncio
async def test_unknown_media_is_invalid_request(fake: FakeGraph, client: GraphClient) -> None:
    with pytest.raises(InvalidRequestError) as info:
        await client.get_media("999")
    assert info.value.subcode == 33


# -- templates --------------------------------------------------------------------------


def _template(name: str, body: str, status: str = "APPROVED") -> dict[str, Any]:
    return {
        "name": name,
        "language": "es_MX",
        "status": status,
        "category": "UTILITY",
        "id": str(abs(hash(name))),
        "components": [{"type": "BODY", "text": body}, {"type": "FOOTER", "text": "Ana"}],
    }


@pytest.mark.asyncio
async def test_list_templates_default(fake: FakeGraph, client: GraphClient) -> None:
    (template,) = await client.list_templates()
    assert template.name == "hello_world"
    assert template.language == "en_US"
    assert template.status == "APPROVED"
    assert template.param_count == 0
    request = fake.requests[-1]
    assert request.path == f"/v25.0/{fake.waba_id}/message_templates"
    assert request.query == {"fields": "name,language,status,category,components", "limit": "100"}


@pytest.mark.asyncio
async def test_list_templates_follows_paging(fake: FakeGraph, client: GraphClient) -> None:
    fake.templates = [
        _template(f"t{i}", f"Hola {{{{1}}}}, pedido {{{{2}}}} #{i}") for i in range(250)
    ]
    fake.templates.append(_template("named", "Hola {{first_name}} {{ first_name }}", "PAUSED"))
    templates = await client.list_templates()
    assert [t.name for t in templates] == [f"t{i}" for i in range(250)] + ["named"]
    assert templates[0].param_count == 2
    assert templates[0].param_names == ("1", "2")
    assert templates[0].body_text == "Hola {{1}}, pedido {{2}} #0"
    assert templates[-1].param_names == ("first_name",)
    assert templates[-1].status == "PAUSED"
    assert len(fake.requests_to("message_templates")) == 3


@pytest.mark.asyncio
async def test_list_templates_ignores_foreign_paging(fake: FakeGraph, client: GraphClient) -> None:
    fake.script_errors(
        "message_templates",
        [
            (
                200,
                {
                    "data": [_template("a", "x")],
                    "paging": {"next": "https://elsewhere.example/v25.0/1/message_templates"},
                },
            )
        ],
    )
    assert [t.name for t in await client.list_templates()] == ["a"]
    assert len(fake.requests) == 1


@pytest.mark.asyncio
async def test_list_templates_needs_waba(fake: FakeGraph, http: httpx.AsyncClient) -> None:
    client = GraphClient(
        http, base_url=fake.base_url, phone_number_id=fake.phone_number_id, access_token=TOKEN
    )
    with pytest.raises(ValueError):
        await client.list_templates()


# -- the fake in its own thread ---------------------------------------------------------


def test_fake_in_thread_blocking_wait() -> None:
    with FakeGraph.in_thread() as server, httpx.Client() as sync_http:
        url = f"{server.base_url}/v25.0/{server.phone_number_id}/messages"
        body = text_message(CUSTOMER, "desde otro hilo")
        response = sync_http.post(url, json=body, headers={"Authorization": "Bearer x"})
        assert response.json()["messages"] == [{"id": "wamid.FAKE1"}]
        assert server.wait_for_sends_blocking(1, timeout=5) == [body]
        with pytest.raises(TimeoutError):
            server.wait_for_sends_blocking(2, timeout=0.05)


@pytest.mark.asyncio
async def test_wait_for_sends(fake: FakeGraph, client: GraphClient) -> None:
    await client.send(text_message(CUSTOMER, "a"))
    assert len(await fake.wait_for_sends(1, timeout=1)) == 1
    with pytest.raises(TimeoutError):
        await fake.wait_for_sends(2, timeout=0.05)


@pytest.mark.asyncio
async def test_fake_accepts_media_upload(fake: FakeGraph, http: httpx.AsyncClient) -> None:
    response = await http.post(
        f"{fake.base_url}/v25.0/{fake.phone_number_id}/media",
        headers={"Authorization": f"Bearer {TOKEN}"},
        data={"messaging_product": "whatsapp", "type": "image/png"},
        files={"file": ("a.png", b"\x89PNG data", "image/png")},
    )
    assert response.status_code == 200
    media_id = response.json()["id"]
    assert fake.media[media_id] == (b"\x89PNG data", "image/png")


@pytest.mark.asyncio
async def test_logs_hold_no_token_body_or_phone(
    fake: FakeGraph, client: GraphClient, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="wabot_desktop")
    await client.send(text_message(CUSTOMER, "mi dirección secreta"))
    await client.mark_read("wamid.IN1", typing=True)
    fake.script_errors("messages", [(400, graph_error_body(131047))])
    with pytest.raises(ReEngagementError):
        await client.send(text_message(CUSTOMER, "otra vez"))
    await client.download_media(fake.add_media(b"bytes", "image/jpeg"))
    ours = [r for r in caplog.records if r.name.startswith("wabot_desktop")]
    assert ours
    text = "\n".join(r.getMessage() for r in ours)
    assert TOKEN not in text
    assert "secreta" not in text
    assert "otra vez" not in text
    assert "15555550101" not in text
    assert "0101" in text  # masked phone keeps the last digits
