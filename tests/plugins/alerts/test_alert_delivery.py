"""Delivery off the hot path: bounded queues, retries, timeouts, refusals."""

from __future__ import annotations

import pytest
import trio
from receivers import HTTPReceiver, start_http
from sample_events import sample_event
from trio.testing import wait_all_tasks_blocked

from leyden.plugins.alerts import DeliveryPolicy, HandlerQueue
from leyden.plugins.alerts import exec as exec_handler
from leyden.plugins.alerts import post as post_handler
from leyden.plugins.alerts._common import NS, parse_duration


def post_to(url: str, **endpoint):
    """A post handler on a configured endpoint, whose table holds the delivery policy."""
    (spec,) = post_handler.leyden_alert_handlers()
    return spec.build({"endpoint": "e"}, {"httppost": [{"endpoint": "e", "url": url, **endpoint}]})


async def drain(queue: HandlerQueue) -> None:
    queue.close()
    await queue.run()


async def test_retries_until_the_receiver_recovers(mock_clock):
    # time only moves when the test moves it, so every retry is seen at its moment
    async with trio.open_nursery() as nursery:
        receiver = await start_http(nursery, HTTPReceiver(statuses=[500, 502]))
        queue = HandlerQueue(post_to(receiver.url, retries=3, **{"retry-interval": "1s"}), "test")
        nursery.start_soon(queue.run)
        assert queue.offer(sample_event())
        await wait_all_tasks_blocked()
        assert (len(receiver.requests), queue.stats.retried) == (1, 1)
        mock_clock.jump(1)
        await wait_all_tasks_blocked()
        assert (len(receiver.requests), queue.stats.retried) == (2, 2)
        mock_clock.jump(1.9)  # the interval doubles
        await wait_all_tasks_blocked()
        assert len(receiver.requests) == 2
        mock_clock.jump(0.1)
        await wait_all_tasks_blocked()
        assert len(receiver.requests) == 3
        assert (queue.stats.delivered, queue.stats.failed) == (1, 0)
        nursery.cancel_scope.cancel()


async def test_post_events_share_one_connection_closed_with_the_queue():
    async with trio.open_nursery() as nursery:
        receiver = await start_http(nursery, HTTPReceiver(keep_alive=True))
        queue = HandlerQueue(post_to(receiver.url), "test")
        for _ in range(5):
            queue.offer(sample_event())
        await drain(queue)
        # the worker has returned: the handler's connection is closed from its side
        await receiver.wait_until(lambda: receiver.closed_connections == 1)
        nursery.cancel_scope.cancel()
    assert len(receiver.requests) == 5
    assert receiver.connections == 1


async def test_a_cancelled_worker_still_closes_its_handler():
    async with trio.open_nursery() as nursery:
        receiver = await start_http(nursery, HTTPReceiver(keep_alive=True))
        async with trio.open_nursery() as workers:
            queue = HandlerQueue(post_to(receiver.url), "test")
            workers.start_soon(queue.run)
            queue.offer(sample_event())
            await receiver.wait_for(1)
            await wait_all_tasks_blocked()
            workers.cancel_scope.cancel()
        await receiver.wait_until(lambda: receiver.closed_connections == 1)
        nursery.cancel_scope.cancel()


async def test_gives_up_after_the_configured_retries(caplog, autojump_clock):
    async with trio.open_nursery() as nursery:
        receiver = await start_http(nursery, HTTPReceiver(statuses=[500] * 5))
        queue = HandlerQueue(post_to(receiver.url, retries=1), "task t, alert2")
        queue.offer(sample_event())
        await drain(queue)
        nursery.cancel_scope.cancel()
    assert len(receiver.requests) == 2
    assert (queue.stats.delivered, queue.stats.failed) == (0, 1)
    # failures are logged with the alert id
    assert "task t, alert2: gave up on alert 'cpu:nil' after 2 attempts" in caplog.text


async def test_a_handler_that_never_answers_times_out_and_loses_only_its_own_events(mock_clock):
    async with trio.open_nursery() as nursery:
        receiver = await start_http(nursery, HTTPReceiver(hold=trio.Event()))
        policy = {"retries": 0, "timeout": "10s", "queue-size": 2}
        queue = HandlerQueue(post_to(receiver.url, **policy), "test")
        accepted = [queue.offer(sample_event()) for _ in range(5)]
        assert accepted == [True, True, False, False, False]
        nursery.start_soon(queue.run)
        await wait_all_tasks_blocked()
        assert (len(receiver.requests), queue.stats.failed) == (1, 0)
        mock_clock.jump(10)
        await wait_all_tasks_blocked()
        assert (len(receiver.requests), queue.stats.failed) == (2, 1)
        assert queue.offer(sample_event())  # room again
        queue.close()
        mock_clock.jump(10)
        await wait_all_tasks_blocked()
        mock_clock.jump(10)
        await wait_all_tasks_blocked()
        assert (queue.stats.dropped, queue.stats.failed, len(receiver.requests)) == (3, 3, 3)
        nursery.cancel_scope.cancel()


async def test_refused_events_are_not_retried():
    (spec,) = exec_handler.leyden_alert_handlers()
    queue = HandlerQueue(spec.build({"prog": "/bin/true"}, {"exec": {"retries": 5}}), "test")
    queue.offer(sample_event())
    await drain(queue)
    assert (queue.stats.refused, queue.stats.retried, queue.stats.failed) == (1, 0, 0)


def test_policy_from_config_section():
    assert DeliveryPolicy.from_section(None) == DeliveryPolicy()
    policy = DeliveryPolicy.from_section(
        {"retries": 4, "retry-interval": "250ms", "timeout": "1m", "queue-size": 10, "other": 1}
    )
    assert policy == DeliveryPolicy(retries=4, retry_interval_ns=NS // 4, timeout_ns=60 * NS, queue_size=10)
    with pytest.raises(ValueError, match="'retries' must be an integer"):
        DeliveryPolicy.from_section({"retries": "3"})
    with pytest.raises(ValueError, match="queue-size >= 1"):
        DeliveryPolicy.from_section({"queue-size": 0})


@pytest.mark.parametrize(
    ("text", "ns"),
    [("10s", 10 * NS), ("1m30s", 90 * NS), ("250ms", NS // 4), ("1.5h", 5400 * NS), ("0", 0), (7, 7)],
)
def test_parse_duration(text, ns):
    assert parse_duration(text) == ns


@pytest.mark.parametrize("text", ["", "10", "ten s", "1x", "s", True, 1.5])
def test_parse_duration_rejects(text):
    with pytest.raises(ValueError):
        parse_duration(text)


async def test_a_failure_after_a_quiet_interval_is_logged_again(caplog, mock_clock):
    # a burst of two refusals, then one a minute later: the burst's second line is
    # suppressed, the late one is logged (and says what was suppressed)
    (spec,) = exec_handler.leyden_alert_handlers()
    queue = HandlerQueue(spec.build({"prog": "/bin/true"}, {"exec": {}}), "test")
    async with trio.open_nursery() as nursery:
        nursery.start_soon(queue.run)
        for pause in (0, 1, 60):
            mock_clock.jump(pause)
            queue.offer(sample_event())
            await wait_all_tasks_blocked()
        queue.close()
    refusals = [r.getMessage() for r in caplog.records if "refused alert" in r.getMessage()]
    assert len(refusals) == 2
    assert refusals[1].endswith("(1 similar messages suppressed)")
