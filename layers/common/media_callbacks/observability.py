"""Logger, Tracer and Metrics, created once and shared by every module of a function."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

SERVICE = "media-callbacks"
NAMESPACE = "MediaCallbacks"

logger = Logger(service=SERVICE)
tracer = Tracer(service=SERVICE)
metrics = Metrics(namespace=NAMESPACE, service=SERVICE)
