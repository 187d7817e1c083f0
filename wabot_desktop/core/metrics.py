"""Prometheus metrics for GET /metrics (own registry per core, so tests never collide)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    """The counters and histograms the webhook server and the outbox update."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.webhooks_received = Counter(
            "wabot_webhooks_received",
            "Webhook POSTs accepted (stored, 200).",
            registry=self.registry,
        )
        self.webhooks_rejected = Counter(
            "wabot_webhooks_rejected",
            "Webhook POSTs refused, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.messages_in = Counter(
            "wabot_messages_in", "New inbound customer messages stored.", registry=self.registry
        )
        self.messages_out = Counter(
            "wabot_messages_out",
            "Outbound messages accepted by the Graph API.",
            registry=self.registry,
        )
        self.send_failures = Counter(
            "wabot_send_failures",
            "Outbound send failures by Cloud API error code.",
            ["code"],
            registry=self.registry,
        )
        self.ack_latency = Histogram(
            "wabot_webhook_ack_seconds",
            "Time from request received to 200 sent.",
            buckets=(0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
            registry=self.registry,
        )
        self.outbox_queued = Gauge(
            "wabot_outbox_queued", "Outbound messages waiting to be sent.", registry=self.registry
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
