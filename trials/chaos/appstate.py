"""What the application itself says about the trial's send (``trials.chaos.stage.appstate``
runs ``python -m trials.chaos.appstate COMMAND`` with the trial's environment; it prints one
JSON line).

    state      the sent campaign: status, ``newsletter.sending.orchestration.report()``,
               every recipient's address, the deliveries flagged possible duplicates,
               and what each db_worker's send tasks returned (messages sent)
    enqueue    queue one more send task for that campaign (a second worker's)
"""

import json
import sys
from collections import Counter

from trials.project import setup_django

setup_django()

from django_tasks_db.models import DBTaskResult  # noqa: E402

from newsletter.models import Campaign, Delivery  # noqa: E402
from newsletter.sending.orchestration import enqueue, report  # noqa: E402
from newsletter.sending.tasks import send_campaign  # noqa: E402


def campaign():
    return Campaign.objects.filter(snapshot__isnull=False).order_by("-pk").first()


def state():
    sent = campaign()
    figures = report(sent)
    deliveries = Delivery.objects.filter(campaign=sent)
    by_worker = Counter()
    for worker_ids, value in DBTaskResult.objects.filter(
        task_path=send_campaign.module_path, status="SUCCESSFUL"
    ).values_list("worker_ids", "return_value"):
        by_worker[(worker_ids or ["?"])[-1]] += value or 0
    return {
        "status": sent.status,
        "report": {key: value for key, value in figures.items() if isinstance(value, int | str)},
        "recipients": [email.lower() for email in deliveries.values_list("email", flat=True)],
        "flagged": [
            email.lower()
            for email in deliveries.filter(possible_duplicate=True).values_list("email", flat=True)
        ],
        "sent_by_worker": dict(by_worker),
    }


def main():
    command = sys.argv[1]
    if command == "state":
        answer = state()
    elif command == "enqueue":
        answer = {"task": enqueue(campaign().pk).id}
    else:
        raise SystemExit(f"unknown command {command!r}")
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
