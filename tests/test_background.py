"""Work in a forked process beside the build (``parallel.Background``): its value, its
exception, or BackgroundEnded when the process dies; it ends with the ``with`` block."""

from __future__ import annotations

import os
import signal
import time

import pytest

from cio_forum_site.parallel import Background, BackgroundEnded


def test_the_value_of_the_task_comes_back_and_the_fork_sees_this_process_data():
    data = {"記事": list(range(1000))}
    with Background(lambda: (os.getpid(), sum(data["記事"]))) as job:
        pid, total = job.result()
    assert pid != os.getpid() and total == 499500


def test_the_tasks_exception_is_raised_in_the_caller():
    def fail():
        raise ValueError("索引を作れません")

    with Background(fail) as job, pytest.raises(ValueError, match="索引を作れません"):
        job.result()


def test_a_fork_that_dies_is_reported_not_waited_for():
    with Background(lambda: os.kill(os.getpid(), signal.SIGKILL)) as job, \
            pytest.raises(BackgroundEnded):
        job.result()


def test_leaving_the_block_ends_a_fork_that_still_runs():
    with Background(lambda: time.sleep(600)) as job:
        process = job._process
    assert not process.is_alive()
