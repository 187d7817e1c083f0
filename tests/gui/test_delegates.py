"""The painted views: bubble layout, plain text, media actions, and chat rows in every mode."""

from __future__ import annotations

import time

from PySide6.QtCore import QEvent, QPointF, QRect, QSize, Qt
from PySide6.QtGui import QMouseEvent, QPainter, QPixmap, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QListView, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from wabot_desktop.core.dto import (
    Author,
    ConversationMode,
    ConversationSummary,
    Direction,
    LabelInfo,
    MessageView,
)
from wabot_desktop.gui.monitor.bubble_delegate import BubbleDelegate, BubbleLayout
from wabot_desktop.gui.monitor.chat_list_delegate import ChatListDelegate, initials
from wabot_desktop.gui.monitor.chat_list_model import ChatRole
from wabot_desktop.gui.monitor.conversation_model import MessageRole

NOW = time.time()


def message(**changes: object) -> MessageView:
    values: dict[str, object] = {
        "id": 1,
        "conversation_id": 1,
        "wamid": "wamid.X",
        "direction": Direction.IN,
        "author": Author.CUSTOMER,
        "staff_name": None,
        "type": "text",
        "text": "Hola",
        "status": "received",
        "error_code": None,
        "error_title": None,
        "created_at": NOW,
    }
    values.update(changes)
    return MessageView(**values)  # type: ignore[arg-type]


def _view(qtbot: QtBot, messages: list[MessageView]) -> tuple[QListView, BubbleDelegate]:
    model = QStandardItemModel()
    previous: float | None = None
    for item_message in messages:
        item = QStandardItem(item_message.text or "")
        item.setData(item_message, MessageRole.MESSAGE)
        item.setData(item_message.id, MessageRole.MESSAGE_ID)
        if previous is not None:
            item.setData(previous, MessageRole.PREVIOUS_CREATED_AT)
        previous = item_message.created_at
        model.appendRow(item)
    view = QListView()
    qtbot.addWidget(view)
    delegate = BubbleDelegate(view)
    view.setModel(model)
    view.setItemDelegate(delegate)
    view.resize(800, 600)
    view.show()
    view._model = model  # type: ignore[attr-defined]  # keep the model alive
    return view, delegate


def _layout(view: QListView, delegate: BubbleDelegate, row: int) -> BubbleLayout:
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.widget = view
    option.rect = view.visualRect(view.model().index(row, 0))
    layout = delegate.layout_for(option, view.model().index(row, 0))
    assert layout is not None
    return layout


def test_bubbles_sit_on_their_side_and_wrap(qtbot: QtBot) -> None:
    long_text = "palabra " * 80
    view, delegate = _view(
        qtbot,
        [
            message(id=1, text="Hola"),
            message(id=2, text=long_text),
            message(id=3, direction=Direction.OUT, author=Author.BOT, status="sent"),
            message(id=4, direction=Direction.OUT, author=Author.STAFF, staff_name="Ana"),
        ],
    )
    width = view.viewport().width()
    short, long_, bot, staff = (_layout(view, delegate, row) for row in range(4))
    assert short.day_chip is not None and long_.day_chip is None  # one "Today" chip
    assert long_.bubble.height() > 4 * short.bubble.height()
    assert long_.bubble.width() <= width * 0.75 + 1
    assert short.bubble.left() < width / 2 < bot.bubble.left()
    assert bot.header is not None and bot.header[1] == "Bot"
    assert staff.header is not None and staff.header[1] == "Ana"
    assert short.header is None


def test_markup_in_messages_stays_plain_text(qtbot: QtBot) -> None:
    raw = "<b>negrita</b> <a href='http://x'>enlace</a> &amp;"
    view, delegate = _view(qtbot, [message(text=raw)])
    layout = _layout(view, delegate, 0)
    assert [t.layout.text() for t in layout.texts] == [raw]


def test_failed_message_explains_why_in_words(qtbot: QtBot) -> None:
    failed = message(
        direction=Direction.OUT,
        author=Author.STAFF,
        staff_name="Ana",
        status="failed",
        error_code=131047,
    )
    view, delegate = _view(qtbot, [failed])
    layout = _layout(view, delegate, 0)
    words = [t.layout.text() for t in layout.texts]
    assert any("24 hours" in w or "24 horas" in w for w in words), words
    assert layout.status == "failed"


def test_media_card_action_emits_open_and_map(qtbot: QtBot) -> None:
    view, delegate = _view(
        qtbot,
        [
            message(id=7, type="document", text=None, media_id="m1", media_filename="a.pdf"),
            message(id=8, type="location", text=None, latitude=19.4, longitude=-99.1),
            message(id=9, type="image", text="foto", media_id=None),  # nothing to open
        ],
    )
    for row, expected in ((0, (7, "open")), (1, (8, "map"))):
        layout = _layout(view, delegate, row)
        assert layout.action is not None and layout.card is not None
        rect = view.visualRect(view.model().index(row, 0))
        point = QPointF(rect.topLeft()) + layout.action.center()
        with qtbot.waitSignal(delegate.media_action_requested) as blocker:
            qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=point.toPoint())
        assert tuple(blocker.args) == expected
    assert _layout(view, delegate, 2).action is None


def test_editor_event_ignores_clicks_outside_the_action(qtbot: QtBot) -> None:
    view, delegate = _view(qtbot, [message(id=7, type="document", media_id="m1")])
    option = QStyleOptionViewItem()
    option.initFrom(view)
    option.widget = view
    option.rect = view.visualRect(view.model().index(0, 0))
    event = QMouseEvent(
        QEvent.Type.MouseButtonRelease,
        QPointF(1, 1),
        QPointF(1, 1),
        Qt.MouseButton.LeftButton,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    assert not delegate.editorEvent(event, view.model(), option, view.model().index(0, 0))


def _summary(mode: ConversationMode, **changes: object) -> ConversationSummary:
    values: dict[str, object] = {
        "id": 1,
        "contact_id": 1,
        "display_name": "María Fernanda López de la Vega Hernández",
        "phone": "5215512345678",
        "username": None,
        "mode": mode,
        "staff_name": "Ana" if mode == ConversationMode.HUMAN else None,
        "last_message_preview": "<b>hola</b> " * 20,
        "last_message_at": NOW,
        "last_message_author": Author.CUSTOMER,
        "unread_count": 3,
        "last_customer_message_at": NOW,
        "labels": (LabelInfo(id=1, name="Mayoreo", color="#2f7fd0"),),
    }
    values.update(changes)
    return ConversationSummary(**values)  # type: ignore[arg-type]


def test_chat_rows_paint_in_every_mode(qtbot: QtBot) -> None:
    delegate = ChatListDelegate()
    view = QListView()
    qtbot.addWidget(view)
    model = QStandardItemModel()
    for mode in ConversationMode:
        item = QStandardItem("x")
        item.setData(_summary(mode), ChatRole.SUMMARY)
        model.appendRow(item)
    view.setModel(model)
    option = QStyleOptionViewItem()
    option.initFrom(view)
    heights = set()
    for row in range(model.rowCount()):
        pixmap = QPixmap(QSize(340, 80))
        painter = QPainter(pixmap)
        option.rect = QRect(0, 0, 340, 80)
        delegate.paint(painter, option, model.index(row, 0))
        painter.end()
        heights.add(delegate.sizeHint(option, model.index(row, 0)).height())
    assert len(heights) == 1  # uniform rows: the list can lay out 2,000 chats instantly
    assert initials("María Fernanda") == "MF"
    assert initials("+52 55 1234") == ""
