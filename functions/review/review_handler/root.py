"""ReviewFunction's composition root: the table's gateway, the evidence bucket's presigner and
the desk, built from validated settings in one place; tests pass their own clients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from botocore.config import Config

from media_callbacks import aws
from media_callbacks.review_storage import ReviewRecords
from media_callbacks.settings import Settings, load_settings
from media_callbacks.storage import ResultsTable
from review_handler.desk import Desk
from review_handler.frames import Frames
from review_handler.page import Page

SIGV4 = Config(signature_version="s3v4")


class Services(NamedTuple):
    config: Settings
    desk: Desk
    page: Page


def settings(environ: Mapping[str, str] | None = None) -> Settings:
    """This function's settings from the environment (default: the process's), validated:
    ConfigError names each variable that is missing or wrong."""
    return load_settings(environ).require("evidence_bucket", "user_pool_client_id")


def build(
    config: Settings, *, dynamodb: Any = None, s3: Any = None, cognito_endpoint: str | None = None
) -> Services:
    assert config.evidence_bucket is not None  # noqa: S101 (settings.require checked it)
    assert config.user_pool_client_id is not None  # noqa: S101
    # presigned URLs signed with SigV4 (botocore's default for S3 may still be SigV2, whose
    # URLs carry no X-Amz-Expires and are refused in the newer regions)
    s3 = s3 or aws.session().create_client("s3", config=aws.CONFIG.merge(SIGV4))
    frames = Frames(s3, config.evidence_bucket)
    table = ResultsTable(config.table_name, client=dynamodb)
    # The page signs in against the user pool's endpoint the SDK resolves here: the region's
    # (its partition's domain included), or AWS_ENDPOINT_URL where one is set.
    endpoint = cognito_endpoint or str(aws.client("cognito-idp").meta.endpoint_url)
    page = Page(
        client_id=config.user_pool_client_id,
        region=str(s3.meta.region_name),
        cognito_endpoint=endpoint,
        frames_origin=frames.origin(),
    )
    return Services(config, Desk(ReviewRecords(table), frames), page)
