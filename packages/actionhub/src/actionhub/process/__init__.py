"""Processing stage: raw harvest shards -> normalized, deduplicated descriptions and their sentences."""

from actionhub.process.stage import PROCESSED, ProcessConfig, ProcessReport, process

__all__ = ["PROCESSED", "ProcessConfig", "ProcessReport", "process"]
