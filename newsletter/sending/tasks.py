"""The sending task, on the "default" queue that ``manage.py db_worker`` serves.

It runs ahead of Wagtail's own index updates (priority 10), so a morning send does not wait
behind them. It takes the campaign id only and reads everything else from the database, so
running it twice, or in several workers at once, is harmless: each run claims its own batches.
"""

from django.tasks import task

from newsletter.sending.worker import deliver_campaign


@task(queue_name="default", priority=10)
def send_campaign(campaign_id):
    """Send what can be sent of campaign ``campaign_id`` now; returns how many went out."""
    return deliver_campaign(campaign_id)
