"""Alert handlers (one module per handler, each an ``alert.<name>`` entry point) and
what handlers, the alert node and the application share, exported here:

* :class:`AlertEvent` and :class:`Level`, the event every handler receives;
* :class:`Options`, :class:`DeliveryPolicy` and :class:`HandlerRefused` for writing a
  handler (typed options, the retry/timeout/queue policy of its config section);
* :class:`HandlerQueue`, the bounded queue and worker that delivers off the hot path,
  and :class:`RateLimitedLog` for problems that repeat at stream rate;
* :class:`Inhibitor`, :class:`Inhibitors` and :data:`DEFAULT_INHIBITORS` for
  ``.inhibit()``.

Importing this package imports no handler: the alert node looks handlers up in the
plugin registry.
"""

from ._common import DeliveryPolicy as DeliveryPolicy
from ._common import HandlerRefused as HandlerRefused
from ._common import Options as Options
from ._delivery import HandlerQueue as HandlerQueue
from ._delivery import RateLimitedLog as RateLimitedLog
from ._event import AlertEvent as AlertEvent
from ._event import Level as Level
from ._inhibit import DEFAULT_INHIBITORS as DEFAULT_INHIBITORS
from ._inhibit import Inhibitor as Inhibitor
from ._inhibit import Inhibitors as Inhibitors
