"""Reading the mails the outbox would send: each row's builder, and the parts of the result."""

from __future__ import annotations

from dataclasses import dataclass

from procurement.core import outbox
from procurement.core.models import OutboxMessage


@dataclass
class Parts:
    to: list[str]
    subject: str
    text: str
    html: str


def mail_parts(row: OutboxMessage) -> Parts:
    """Build the row's mail as the worker would, and split it into its text and HTML parts."""
    mail = outbox._BUILDERS[row.kind](row)
    text = html = ""
    for part in mail.message().walk():
        if part.get_content_type() == "text/plain":
            text = part.get_payload(decode=True).decode()
        elif part.get_content_type() == "text/html":
            html = part.get_payload(decode=True).decode()
    return Parts(to=list(mail.to), subject=mail.subject, text=text, html=html)


def rows(kind: str = "", **filters) -> list[OutboxMessage]:
    qs = OutboxMessage.objects.filter(**filters).order_by("pk")
    return list(qs.filter(kind=kind) if kind else qs)
