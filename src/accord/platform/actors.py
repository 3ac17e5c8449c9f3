"""The actor for work nobody at a keyboard asked for: imports, capture, the demo.

It passes the same access checks as an administrator and is audited as 'system'."""

from __future__ import annotations


class SystemActor:
    pk = None
    id = None
    username = "system"
    role = "admin"
    is_authenticated = True
    is_active = True

    def __repr__(self) -> str:
        return "<SystemActor>"


SYSTEM = SystemActor()
