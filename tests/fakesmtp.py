"""A real SMTP server on loopback for tests: it speaks enough of the protocol for Django's SMTP
backend, records what it delivers, refuses chosen recipients with 550, or accepts a
connection and never answers (a slow server)."""

from __future__ import annotations

import email
import email.message
import socketserver
import threading
from dataclasses import dataclass, field


@dataclass
class Delivered:
    sender: str
    recipients: list[str]
    data: str

    @property
    def message(self) -> email.message.Message:
        return email.message_from_string(self.data)

    @property
    def body(self) -> str:
        return self.message.get_payload(decode=True).decode()


@dataclass
class FakeSMTP:
    refuse: set[str] = field(default_factory=set)
    silent: bool = False
    delivered: list[Delivered] = field(default_factory=list)
    connections: int = 0

    def __enter__(self) -> FakeSMTP:
        fake = self
        self._stop = threading.Event()

        class Handler(socketserver.StreamRequestHandler):
            def say(self, line: str) -> None:
                self.wfile.write(line.encode() + b"\r\n")

            def handle(self) -> None:
                fake.connections += 1
                if fake.silent:
                    fake._stop.wait(30)
                    return
                self.say("220 fake ESMTP")
                sender, recipients = "", []
                while line := self.rfile.readline():
                    command = line.decode().strip()
                    verb = command[:4].upper()
                    if verb in ("EHLO", "HELO"):
                        self.say("250 fake")
                    elif verb == "MAIL":
                        sender, recipients = command.split(":", 1)[1].strip(" <>"), []
                        self.say("250 OK")
                    elif verb == "RCPT":
                        address = command.split(":", 1)[1].strip().split()[0].strip("<>")
                        if address in fake.refuse:
                            self.say("550 5.1.1 No such user here")
                        else:
                            recipients.append(address)
                            self.say("250 OK")
                    elif verb == "DATA":
                        self.say("354 End data with <CR><LF>.<CR><LF>")
                        lines = []
                        while (data := self.rfile.readline()) not in (b".\r\n", b""):
                            lines.append(data.decode())
                        fake.delivered.append(Delivered(sender, recipients, "".join(lines)))
                        self.say("250 OK queued")
                    elif verb == "QUIT":
                        self.say("221 bye")
                        return
                    else:
                        self.say("250 OK")

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    def mailers(self, timeout: float = 5) -> dict:
        """A MAILERS setting that sends through this server."""
        options = {"host": "127.0.0.1", "port": self.port, "use_tls": False, "timeout": timeout}
        return {"default": {"BACKEND": "django.core.mail.backends.smtp.EmailBackend", "OPTIONS": options}}
