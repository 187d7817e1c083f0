"""The chat-list and conversation models on a real core: paging, live rows, qtmodeltester."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester

from tests.gui.helpers import inbound_many, running_core, status, until
from wabot_desktop.core.dto import ConversationFilter
from wabot_desktop.gui.monitor.chat_list_model import ChatListModel, ChatRole
from wabot_desktop.gui.monitor.conversation_model import ConversationModel, MessageRole


def _names(model: ChatListModel) -> list[str]:
    return [
        str(model.index(row, 0).data(Qt.ItemDataRole.DisplayRole))
        for row in range(model.rowCount())
    ]


@pytest.mark.asyncio
async def test_chat_list_model_pages_moves_and_removes_rows(
    qtmodeltester: ModelTester, tmp_path: Path
) -> None:
    async with running_core(tmp_path / "data", bot_paused=True) as env:
        for number in range(12):
            await env.customer_says(f"5215500000{number:03d}", f"Cliente {number:02d}", "hola")
        model = ChatListModel(env.service, page_size=5)
        model.set_query(filter=ConversationFilter.ALL, search="", label_id=None)
        await until(lambda: model.rowCount() == 5, what="first page")
        qtmodeltester.check(model)  # keeps watching every change below
        assert model.total == 12
        assert _names(model)[0] == "Cliente 11"  # newest activity first

        model.fetchMore(model.index(0, 0).parent())
        await until(lambda: model.rowCount() >= 10, what="second page")
        root = model.index(0, 0).parent()

        def all_pages() -> bool:
            # qtmodeltester calls fetchMore too, so wait for the end state, not for one page.
            if model.canFetchMore(root):
                model.fetchMore(root)
            return model.rowCount() == 12 and not model.loading

        await until(all_pages, what="all pages")
        assert model.rowCount() == 12
        assert not model.canFetchMore(model.index(0, 0).parent())
        assert _names(model) == [f"Cliente {n:02d}" for n in range(11, -1, -1)]

        # A message to the oldest chat moves just that row to the top.
        await env.customer_says("5215500000000", "Cliente 00", "¿siguen abiertos?")
        model.refresh_conversation(model.ids()[-1])
        await until(lambda: _names(model)[0] == "Cliente 00", what="moved row")
        assert model.index(0, 0).data(ChatRole.PREVIEW) == "¿siguen abiertos?"

        # A brand-new chat is inserted at the top, and the total follows.
        await env.customer_says("5215599999999", "Nueva Clienta", "hola")
        new_id = (await env.service.list_conversations(limit=1))[0].id
        model.refresh_conversation(new_id)
        await until(lambda: _names(model)[0] == "Nueva Clienta", what="inserted row")
        assert model.total == 13

        # Deleting the customer's data removes the row.
        contact_id = model.summary(new_id).contact_id  # type: ignore[union-attr]
        await env.service.delete_contact_data(contact_id)
        model.refresh_conversation(new_id)
        await until(lambda: model.row_of(new_id) == -1, what="removed row")
        assert model.total == 12
        model.close()


@pytest.mark.asyncio
async def test_chat_list_model_filters_and_sticky_selection(
    qtmodeltester: ModelTester, tmp_path: Path
) -> None:
    async with running_core(tmp_path / "data", bot_paused=True) as env:
        await env.customer_says("5215500000001", "Ana Uno", "hola")
        await env.customer_says("5215500000002", "Beto Dos", "hola")
        model = ChatListModel(env.service)
        model.set_query(filter=ConversationFilter.UNREAD, search="", label_id=None)
        await until(lambda: model.rowCount() == 2, what="unread chats")
        qtmodeltester.check(model)
        first, second = model.ids()
        # The selected chat stays while it is read; it leaves when the selection moves on.
        model.set_sticky(first)
        await env.service.mark_conversation_read(first)
        model.refresh_conversation(first)
        await until(lambda: model.summary(first).unread_count == 0, what="read")  # type: ignore[union-attr]
        assert model.row_of(first) >= 0
        model.set_sticky(second)
        assert model.row_of(first) == -1
        assert model.total == 1
        model.close()


@pytest.mark.asyncio
async def test_conversation_model_loads_history_in_pages_and_updates_live(
    qtmodeltester: ModelTester, tmp_path: Path
) -> None:
    async with running_core(tmp_path / "data", bot_paused=True) as env:
        wa_id = "5215512345678"
        bodies = [f"mensaje {n:03d}" for n in range(60)]
        assert await env.post(inbound_many(wa_id, "Lucía", bodies)) == 200
        conversation_id = (await env.service.list_conversations())[0].id
        model = ConversationModel(env.service, page_size=25)
        model.set_conversation(conversation_id)
        await until(lambda: model.rowCount() == 25, what="newest page")
        qtmodeltester.check(model)
        texts = [model.index(r, 0).data(Qt.ItemDataRole.DisplayRole) for r in range(25)]
        assert texts == bodies[-25:]  # oldest first within the page
        assert model.has_older
        assert not model.canFetchMore(model.index(0, 0).parent())  # see the module docstring

        assert model.fetch_older()
        await until(lambda: model.rowCount() == 50, what="older page")
        assert model.fetch_older()
        await until(lambda: model.rowCount() == 60 and not model.loading, what="oldest page")
        assert not model.has_older
        assert not model.fetch_older()
        texts = [model.index(r, 0).data(Qt.ItemDataRole.DisplayRole) for r in range(60)]
        assert texts == bodies

        # A staff message appears at the end; its delivery status updates just that row.
        sent = await env.service.send_staff_message(conversation_id, "hola", staff_name="Ana")
        model.on_message_added(conversation_id, sent.id)
        await until(lambda: model.rowCount() == 61, what="appended")
        await until(lambda: env.graph.sent_wamids, what="sent to the fake Graph")
        changed: list[int] = []
        model.dataChanged.connect(lambda top, _bottom, *_: changed.append(top.row()))
        await env.post(status(env.graph.sent_wamids[-1], wa_id, "read"))
        model.on_message_changed(conversation_id, sent.id)
        await until(
            lambda: model.index(60, 0).data(MessageRole.STATUS) == "read", what="read status"
        )
        assert 60 in changed
        # Messages of other conversations are ignored.
        model.on_message_added(conversation_id + 999, 1)
        assert model.rowCount() == 61
        model.close()


@pytest.mark.asyncio
async def test_conversation_model_holds_a_window_of_pages(
    qtmodeltester: ModelTester, tmp_path: Path
) -> None:
    async with running_core(tmp_path / "data", bot_paused=True) as env:
        wa_id = "5215512340000"
        bodies = [f"mensaje {n:03d}" for n in range(95)]
        assert await env.post(inbound_many(wa_id, "Lucía", bodies)) == 200
        conversation_id = (await env.service.list_conversations())[0].id
        model = ConversationModel(env.service, page_size=10, max_rows=30)
        model.set_conversation(conversation_id)
        await until(lambda: model.rowCount() == 10, what="newest page")
        qtmodeltester.check(model)

        def texts() -> list[str]:
            return [
                str(model.index(r, 0).data(Qt.ItemDataRole.DisplayRole))
                for r in range(model.rowCount())
            ]

        # Paging up past the limit drops the newest rows: a window of 30, never more.
        while model.has_older:
            assert model.fetch_older()
            await until(lambda: not model.loading, what="older page")
            assert model.rowCount() <= 30
        assert texts() == bodies[:30]
        assert model.has_newer

        # A live message beyond the window is not read now; paging down brings it.
        sent = await env.service.send_staff_message(conversation_id, "hola", staff_name="Ana")
        model.on_message_added(conversation_id, sent.id)
        assert model.rowCount() == 30 and sent.id not in model.ids()
        while model.has_newer:
            assert model.fetch_newer()
            await until(lambda: not model.loading, what="newer page")
            assert model.rowCount() <= 30
        assert model.ids()[-1] == sent.id
        assert texts()[:-1] == bodies[-29:]
        assert model.has_older and not model.fetch_newer()

        # Live growth is bounded around the row the view shows.
        for n in range(10):
            sent = await env.service.send_staff_message(
                conversation_id, f"más {n}", staff_name="Ana"
            )
            model.on_message_added(conversation_id, sent.id)
            await until(lambda sent=sent: sent.id in model.ids(), what="appended")
            if n == 8:
                model.trim_around(model.rowCount() - 1)
                assert model.rowCount() == 39  # less than a page over the limit: kept
        model.trim_around(model.rowCount() - 1)
        assert model.rowCount() == 30 and model.ids()[-1] == sent.id and not model.has_newer
        first = model.ids()[0]
        for n in range(10):
            sent = await env.service.send_staff_message(
                conversation_id, f"otro {n}", staff_name="Ana"
            )
            model.on_message_added(conversation_id, sent.id)
            await until(lambda sent=sent: sent.id in model.ids(), what="appended")
        model.trim_around(5)  # the user reads near the top: the newest rows go instead
        assert model.ids()[0] == first and model.rowCount() == 30 and model.has_newer

        # Sending from far up the history jumps back to the newest page.
        while model.has_older:
            assert model.fetch_older()
            await until(lambda: not model.loading, what="older page")
        assert model.has_newer
        assert model.jump_to_newest()
        await until(lambda: model.rowCount() == 10 and not model.loading, what="newest page")
        assert model.ids()[-1] == sent.id and not model.has_newer
        model.close()


@pytest.mark.asyncio
async def test_a_burst_of_live_messages_is_read_together_and_shown_in_order(
    qtmodeltester: ModelTester, tmp_path: Path
) -> None:
    async with running_core(tmp_path / "data", bot_paused=True) as env:
        wa_id = "5215512349999"
        assert await env.post(inbound_many(wa_id, "Lucía", ["primero", "segundo"])) == 200
        conversation_id = (await env.service.list_conversations())[0].id
        model = ConversationModel(env.service, page_size=25)
        model.set_conversation(conversation_id)
        await until(lambda: model.rowCount() == 2, what="first page")
        qtmodeltester.check(model)

        burst = [f"<b>parte</b> {n} &amp; <i>más</i>" for n in range(20)]
        assert await env.post(inbound_many(wa_id, "Lucía", burst)) == 200
        stored = await env.service.get_messages(conversation_id, limit=50)
        new_ids = [m.id for m in stored][2:]
        reads: list[str] = []
        service = env.service
        original_many, original_one = service.get_messages, service.get_message

        async def get_messages(*args: Any, **kwargs: Any) -> Any:
            reads.append("range")
            return await original_many(*args, **kwargs)

        async def get_message(message_id: int) -> Any:
            reads.append("one")
            return await original_one(message_id)

        service.get_messages = get_messages  # type: ignore[method-assign]
        service.get_message = get_message  # type: ignore[method-assign]
        # The events of one webhook arrive together (here even newest first), with a status
        # change of an older row among them.
        for message_id in reversed(new_ids):
            model.on_message_added(conversation_id, message_id)
        model.on_message_changed(conversation_id, stored[0].id)
        await until(lambda: model.rowCount() == 22, what="the burst")
        texts = [str(model.index(r, 0).data(Qt.ItemDataRole.DisplayRole)) for r in range(22)]
        assert texts == ["primero", "segundo", *burst]  # every one, in order, as typed
        assert reads == ["range"]  # one read for the whole frame, not one per message
        qtmodeltester.check(model)
        model.close()
