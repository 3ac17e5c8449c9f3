"""One error tree for the whole of Accord, with stable codes the API exposes.

    AccordError                 code           HTTP
    ├── InvalidInput            invalid_input  400  (names the offending field)
    ├── NotFound                not_found      404  ("not yours" answers the same)
    ├── PermissionDenied        forbidden      403  (visible but not writable, e.g. analysts)
    ├── Unauthenticated         unauthenticated 401
    └── Conflict                conflict       409  (state forbids the change, e.g. merge twice)

The API and the pages map these to HTTP in one place each; services raise them.
"""

from __future__ import annotations


class AccordError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def as_dict(self) -> dict[str, str | None]:
        return {"code": self.code, "message": self.message, "field": self.field}


class InvalidInput(AccordError):
    code = "invalid_input"
    status = 400


class NotFound(AccordError):
    code = "not_found"
    status = 404

    def __init__(self, message: str = "Not found.", *, field: str | None = None) -> None:
        super().__init__(message, field=field)


class PermissionDenied(AccordError):
    code = "forbidden"
    status = 403


class Unauthenticated(AccordError):
    code = "unauthenticated"
    status = 401


class Conflict(AccordError):
    code = "conflict"
    status = 409
