"""A `chorusbat worker` that kills itself (SIGKILL, no clean-up at all) at one exact point of its work.

Used by test_crashes.py to reproduce each crash deterministically, instead of killing workers at random moments:
    python -m chorusbat.gateway.tests.crashing_worker POINT
POINT is one of ``KILL_POINTS``. The process exits through SIGKILL when it reaches the point; if it never does,
it stops by itself when no task is ready (batch mode), and the test sees a normal exit code.
"""

import os
import signal
import sys

KILL_POINTS = {
    "task_taken": "the task backend handed the task to this worker, which dies before taking the lease",
    "lease_taken": "the worker took the transmission's lease, then dies before doing anything",
    "deposit_answered": "Chorus Pro accepted the deposit, the worker dies before recording the answer",
    "next_step_scheduling": "the step is done, the worker dies while releasing the lease and scheduling the next",
}


def _die(*_args, **_kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


def _install(point: str) -> None:
    from chorusbat.gateway import machine, routes, tasks

    if point == "task_taken":
        from django_tasks.signals import task_started

        def die_on_a_transmission_step(sender, task_result, **kwargs):
            if task_result.task.module_path == "chorusbat.gateway.tasks.advance_transmission":
                _die()  # other tasks (a document build at validation) run normally

        task_started.connect(die_on_a_transmission_step, weak=False)
    elif point == "lease_taken":
        real_claim = machine._claim

        def claim(*args, **kwargs):
            if real_claim(*args, **kwargs):
                _die()
            return False

        machine._claim = claim
    elif point == "deposit_answered":
        real_route_for = routes.route_for

        class DyingRoute:
            def __init__(self, route):
                self._route = route

            def __getattr__(self, name):
                return getattr(self._route, name)

            def deposit(self, *args, **kwargs):
                self._route.deposit(*args, **kwargs)
                _die()

        routes.route_for = lambda market: DyingRoute(real_route_for(market))
    elif point == "next_step_scheduling":
        real_schedule = tasks.schedule

        def schedule(transmission_id, delay=None):
            if delay is not None:  # the follow-up a finished step schedules (inside the step's last transaction)
                _die()
            return real_schedule(transmission_id, delay)

        tasks.schedule = schedule
    else:
        raise SystemExit(f"unknown kill point {point!r}; one of {', '.join(KILL_POINTS)}")


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chorusbat.settings_test")
    import django

    django.setup()
    _install(sys.argv[1])
    from django.core.management import call_command

    call_command("worker", batch=True, max_tasks=20, interval=0.1, verbosity=0)


if __name__ == "__main__":
    main()
