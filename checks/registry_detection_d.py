"""Checks of the catalogue slice "detection_d" (issue 13): CloudTrail S3 data events for the
buckets the configuration names as sensitive."""
from __future__ import annotations

from .detection import cloudtrail_s3_data_events

CHECKS = (cloudtrail_s3_data_events.CHECK,)
