"""Work in a forked process beside the build (``parallel.Background``): its value, its
exception, or BackgroundEnded when the process dies; it ends with the ``with`` block."""

from __future__ import annotations

import multiprocessing as mp
import os
import signal
import time
from concurrent.futures import ProcessPoolExecutor

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


def test_a_task_can_start_workers_when_this_process_has_a_forkserver():
    """The fork inherits this process's forkserver as multiprocessing's state, but not as
    its child: asking whether it still runs (``waitpid``) failed with ECHILD, and MeCab's
    workers with it, whenever a build in the same process had started them before."""
    forkserver = mp.get_context("forkserver")
    with ProcessPoolExecutor(1, mp_context=forkserver) as pool:  # this process's forkserver
        assert pool.submit(abs, -1).result() == 1

    def task() -> int:
        with ProcessPoolExecutor(1, mp_context=forkserver) as pool:
            return pool.submit(abs, -2).result()

    with Background(task) as job:
        assert job.result() == 2
