"""core.queue: a dead broker is left alone for a while, without holding back any other broker."""

from types import SimpleNamespace

from core import queue


class Task:
    name = "tests.task"

    def __init__(self, broker_url, works):
        self.app = SimpleNamespace(conf=SimpleNamespace(task_always_eager=False, broker_url=broker_url))
        self.works = works
        self.calls = 0

    def delay(self, *args):
        self.calls += 1
        if not self.works:
            raise ConnectionError("broker unreachable")


def test_a_dead_broker_is_not_tried_again_for_a_while_and_holds_back_no_other():
    dead, live = Task("redis://127.0.0.1:1/0", works=False), Task("redis://127.0.0.1:2/0", works=True)

    assert queue.enqueue(dead, 1) is False
    assert queue.enqueue(dead, 2) is False
    assert dead.calls == 1  # the second call did not wait for the dead broker again
    assert queue.enqueue(live, 1) is True and live.calls == 1

    queue.reset(dead.app.conf.broker_url)  # known to be back
    dead.works = True
    assert queue.enqueue(dead, 3) is True and dead.calls == 2
