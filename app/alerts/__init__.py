"""Kapacitor's alert topics: the latest state of every alert, topic handlers with
match expressions and actions, and their persistence across restarts.

The :class:`AlertService` is the kernel's ``alerts`` service; the HTTP API
(``/kapacitor/v1/alerts/topics``) and the CLI (``leyden list topics``,
``leyden define-topic-handler``) work through it.
"""

from .service import AlertService as AlertService
from .service import HandlerExists as HandlerExists
from .spec import HandlerSpec as HandlerSpec
from .spec import SpecError as SpecError
