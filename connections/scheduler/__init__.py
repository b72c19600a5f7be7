"""The cron scheduler: due ticks of active sources submitted as keyed pulls."""

from connections.scheduler.scheduler import SCHEDULE_TRIGGER, Scheduler, latest_tick

__all__ = ["SCHEDULE_TRIGGER", "Scheduler", "latest_tick"]
