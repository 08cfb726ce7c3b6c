"""Every vendor example and variant in events/ becomes the normalised result users read."""

from __future__ import annotations

from typing import Any

import pytest

from helpers import event_json
from media_callbacks.errors import RejectedPayload
from media_callbacks.normalise import normalise
from media_callbacks.results import CallbackResult
from media_callbacks.thresholds import DEFAULT_THRESHOLDS
from media_callbacks.vendors.base import expand_snapshot_urls


def umedia(name: str, kind: str | None = None) -> CallbackResult:
    return normalise("umedia", kind, event_json(name), DEFAULT_THRESHOLDS)


def ctyun(name: str) -> CallbackResult:
    return normalise("ctyun", None, event_json(name), DEFAULT_THRESHOLDS)


def test_umedia_transcode_doc_example_is_normalised() -> None:
    result = umedia("umedia/transcode", "transcode")
    assert (result.vendor, result.kind, result.task_id, result.status) == (
        "umedia",
        "transcode",
        "1",
        "succeeded",
    )
    assert result.message == "succ"
    assert result.source_url == "http://src.ufile.ucloud.cn/my.mp4"
    assert result.result == {
        "dest_video_name": "my_720p.mp4",
        "dest_video_url": "http://dest.ufile.ucloud.cn/my_720p.mp4",
        "duration": 587,
        "file_size": 587,
        "width": 1280,
        "height": 720,
    }
    assert result.moderation is None
    assert result.flagged is False


def test_sloppy_transcode_numbers_as_strings_and_spaces_in_urls_are_accepted() -> None:
    result = umedia("umedia/transcode-sloppy", "transcode")
    assert result.task_id == "1"  # a number in the payload
    assert result.status == "succeeded"  # retcode "0"
    assert result.source_url == "http://src.ufile.ucloud.cn/my.mp4"
    assert result.result["dest_video_url"] == "http://dest.ufile.ucloud.cn/my_720p.mp4"
    assert result.result["duration"] == 587.4
    assert (result.result["width"], result.result["height"]) == (1280, 720)
    assert result.result["file_size"] == 1048576


def test_umedia_failure_payload_with_only_retcode_task_and_message() -> None:
    result = umedia("umedia/transcode-failed", "transcode")
    assert result.status == "failed"
    assert result.message == "source file not found"
    assert result.source_url is None
    assert result.result["dest_video_url"] is None


def test_umedia_snapshot_urls_lose_their_stray_spaces() -> None:
    result = umedia("umedia/snapshot", "snapshot")
    assert result.result == {
        "image_count": 3,
        "image_urls": [
            "http://dest.ufile.ucloud.cn/my_1.jpg",
            "http://dest.ufile.ucloud.cn/my_2.jpg",
            "http://dest.ufile.ucloud.cn/my_3.jpg",
        ],
    }


def test_umedia_slice_and_its_failure() -> None:
    ok = umedia("umedia/slice", "slice")
    assert ok.result == {
        "dest_video_name": "my.m3u8",
        "dest_video_url": "http://dest.ufile.ucloud.cn/my.m3u8",
        "duration": 587,
    }
    failed = umedia("umedia/slice-failed", "slice")
    assert (failed.status, failed.task_id, failed.source_url) == ("failed", "3", None)


def test_umedia_porn_detection_doc_example_gives_two_block_findings() -> None:
    result = umedia("umedia/moderation", "moderation")
    assert result.moderation is not None
    findings = result.moderation.findings
    assert [f.image_url for f in findings] == [
        "http://dest.ufile.ucloud.cn/my_1.jpg",
        "http://dest.ufile.ucloud.cn/my_2.jpg",
    ]
    assert {(f.category, f.label, f.suggestion, f.vendor_review) for f in findings} == {
        ("porn", "porn", "block", False)
    }
    assert findings[0].score == pytest.approx(0.9999947547912598)
    assert result.moderation.suggestion == "block"
    assert result.moderation.categories == ["porn"]
    assert result.moderation.max_score == pytest.approx(0.9999947547912598)
    assert result.flagged is True
    assert result.result == {"image_count": 5, "flagged_image_count": 2}


def test_umedia_labels_sexy_porn_and_normal_with_the_vendor_review_flag() -> None:
    result = umedia("umedia/moderation-mixed", "moderation")
    assert result.moderation is not None
    by_url = {f.image_url: f for f in result.moderation.findings}
    # label 2 (normal) is no finding at all
    assert set(by_url) == {
        "http://dest.ufile.ucloud.cn/party_1.jpg",
        "http://dest.ufile.ucloud.cn/party_2.jpg",
    }
    sexy = by_url["http://dest.ufile.ucloud.cn/party_1.jpg"]
    assert (sexy.category, sexy.score, sexy.suggestion) == ("sexy", 0.95, "review")
    porn = by_url["http://dest.ufile.ucloud.cn/party_2.jpg"]
    # 0.7 is over porn's review level 0.6 and the vendor asked for review too
    assert (porn.category, porn.vendor_review, porn.suggestion) == ("porn", True, "review")
    assert result.moderation.suggestion == "review"
    assert result.moderation.categories == ["porn", "sexy"]
    assert result.moderation.max_score == 0.95


def test_clean_and_failed_moderation_are_not_flagged() -> None:
    clean = umedia("umedia/moderation-clean", "moderation")
    assert clean.moderation is not None
    assert clean.moderation.findings == []
    assert (clean.moderation.suggestion, clean.flagged) == ("pass", False)
    assert clean.moderation.max_score is None
    failed = umedia("umedia/moderation-failed", "moderation")
    assert (failed.status, failed.flagged) == ("failed", False)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("umedia/moderation", "moderation"),
        ("umedia/moderation-clean", "moderation"),
        ("umedia/snapshot", "snapshot"),
        ("umedia/slice", "slice"),
        ("umedia/transcode", "transcode"),
        ("umedia/transcode-sloppy", "transcode"),
    ],
)
def test_umedia_kind_is_inferred_from_the_payload_shape(name: str, kind: str) -> None:
    assert umedia(name).kind == kind


@pytest.mark.parametrize(
    ("payload", "kind"),
    [
        ({"retcode": 0, "task_id": "x", "dest_video_name": "A.M3U8 "}, "slice"),
        ({"retcode": 0, "task_id": "x", "dest_video_url": "http://h/a.m3u8"}, "slice"),
        ({"retcode": 0, "task_id": "x", "width": 1}, "transcode"),
        ({"retcode": 0, "task_id": "x", "file_size": 1}, "transcode"),
        ({"retcode": 0, "task_id": "x", "image_list": [], "dest_video_url": "a.mp4"}, "snapshot"),
        ({"retcode": 0, "task_id": "x", "invalid_image_list": [], "image_list": []}, "moderation"),
    ],
)
def test_inference_rules_apply_in_order(payload: dict[str, Any], kind: str) -> None:
    assert normalise("umedia", None, payload, DEFAULT_THRESHOLDS).kind == kind


def test_a_failure_payload_cannot_be_inferred_and_the_error_names_the_explicit_route() -> None:
    with pytest.raises(RejectedPayload) as caught:
        umedia("umedia/transcode-failed")
    assert "/callbacks/umedia/{kind}" in caught.value.error


@pytest.mark.parametrize(
    ("name", "kind", "fragment"),
    [
        ("umedia/missing-task-id", "transcode", "task_id: Field required"),
        ("umedia/moderation-bad-rate", "moderation", "invalid_image_list.0.rate:"),
    ],
)
def test_invalid_umedia_payloads_name_the_field(name: str, kind: str, fragment: str) -> None:
    with pytest.raises(RejectedPayload) as caught:
        umedia(name, kind)
    assert fragment in caught.value.error


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"task_id": "1"}, "retcode: Field required"),
        ({"retcode": "zero", "task_id": "1"}, "retcode:"),
        ({"retcode": 0, "task_id": "  "}, "task_id:"),
        ({"retcode": 0, "task_id": "1", "width": "-5"}, "width:"),
        ({"retcode": 0, "task_id": "1", "width": "12.5"}, "width:"),
        ({"retcode": 0, "task_id": "1", "duration": "NaN"}, "duration:"),
    ],
)
def test_strict_where_it_matters(payload: dict[str, Any], fragment: str) -> None:
    with pytest.raises(RejectedPayload) as caught:
        normalise("umedia", "transcode", payload, DEFAULT_THRESHOLDS)
    assert fragment in caught.value.error


def test_unknown_kind_and_non_object_bodies_are_rejected() -> None:
    with pytest.raises(RejectedPayload, match="kind: unknown UMedia kind 'thumbnail'"):
        normalise("umedia", "thumbnail", {"retcode": 0, "task_id": "1"}, DEFAULT_THRESHOLDS)
    with pytest.raises(RejectedPayload, match="expected a JSON object, got list"):
        normalise("umedia", "transcode", [1, 2], DEFAULT_THRESHOLDS)


def test_ctyun_review_doc_example() -> None:
    result = ctyun("ctyun/ai-content-review")
    assert (result.vendor, result.kind, result.status) == ("ctyun", "moderation", "succeeded")
    assert result.task_id == "0003#fgty85118429465b99a794951ffd4310"
    assert result.video_id == "147362d5167641419854b9859c114820"
    assert result.event_time == "2017-03-20T07:49:17Z"
    assert result.message == "写入文件失败"
    assert result.result["snapshot_urls"] == [
        "https://sampleout.gdoss.xstore.ctyun.cn/outputdir/test-video-selfdes-00.0.jpg",
        "https://sampleout.gdoss.xstore.ctyun.cn/outputdir/test-video-selfdes-10.0.jpg",
        "https://sampleout.gdoss.xstore.ctyun.cn/outputdir/test-video-selfdes-20.0.jpg",
    ]
    assert result.moderation is not None
    [finding] = result.moderation.findings  # terrorism "normal" is no finding
    assert finding.category == "sexy"
    assert finding.label == "sexy"
    assert finding.score == 0.98  # confidence 98 on CTyun's 0..100 scale
    assert finding.image_url == "https://sample.gdoss.ctyun.cn/xxx/xxx/xx1.jpg"
    assert finding.suggestion == "review"  # sexy: review 0.9, no block level
    assert result.flagged is True


def test_ctyun_porn_and_terrorism_without_segments() -> None:
    result = ctyun("ctyun/ai-content-review-porn-terrorism")
    assert result.source_url == "https://sample.gdoss.xstore.ctyun.cn/mediatest/clip.mp4"
    assert result.result["snapshot_urls"] == [
        "https://sampleout.gdoss.xstore.ctyun.cn/out/clip-0.jpg",
        "https://sampleout.gdoss.xstore.ctyun.cn/out/clip-5.0.jpg",
    ]
    assert result.moderation is not None
    findings = [(f.category, f.label, f.score, f.suggestion) for f in result.moderation.findings]
    assert findings == [
        ("porn", "porn", 0.95, "block"),
        ("porn", "porn", 0.62, "review"),
        ("terrorism", "bloody", None, "review"),  # judged by the vendor, no score
    ]
    assert result.moderation.suggestion == "block"
    assert result.moderation.categories == ["porn", "terrorism"]
    assert result.moderation.max_score == 0.95  # a null score is not a number


def test_ctyun_failed_review_and_bad_confidence() -> None:
    failed = ctyun("ctyun/ai-content-review-failed")
    assert (failed.status, failed.kind, failed.flagged) == ("failed", "moderation", False)
    with pytest.raises(RejectedPayload, match=r"aiVideoContentReviewInfo\.porn\.output"):
        ctyun("ctyun/ai-content-review-bad-confidence")


def test_other_ctyun_events_are_kept_as_kind_event() -> None:
    result = ctyun("ctyun/other-event")
    assert (result.kind, result.status) == ("event", "succeeded")
    assert result.task_id == "45caa4a6488844a3aaa2ea1334a7b806"  # no taskId: the video id
    assert result.result["event_type"] == "VideoUploadComplete"
    assert result.moderation is None


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"taskId": "1"}, "eventType: Field required"),
        ({"eventType": "AIContentReviewComplete", "status": "SUCCESS"}, "taskId: Field required"),
        ({"eventType": "AIContentReviewComplete", "taskId": "1", "status": "DONE"}, "status:"),
        ({"eventType": "SomethingElse"}, "taskId: Field required (or videoID or workflowId)"),
    ],
)
def test_ctyun_errors_name_the_field(payload: dict[str, Any], fragment: str) -> None:
    with pytest.raises(RejectedPayload) as caught:
        normalise("ctyun", None, payload, DEFAULT_THRESHOLDS)
    assert fragment in caught.value.error


def test_ctyun_other_review_sections_are_judged_by_their_label() -> None:
    payload = {
        "eventType": "AIContentReviewComplete",
        "taskId": "t",
        "status": "success",
        "aiVideoContentReviewInfo": {
            "politics": {
                "status": "SUCCESS",
                "output": {
                    "label": "Politics",
                    "segmentSet": [{"confidence": 81, "label": "leader", "url": "https://x/1.jpg"}],
                },
            },
            "ad": "not a section",
        },
    }
    result = normalise("ctyun", None, payload, DEFAULT_THRESHOLDS)
    assert result.moderation is not None
    [finding] = result.moderation.findings
    assert (finding.category, finding.label, finding.suggestion) == ("politics", "leader", "review")


def test_snapshot_url_expansion() -> None:
    assert expand_snapshot_urls("https://h/a-{time}.jpg", ["1", "2"]) == [
        "https://h/a-1.jpg",
        "https://h/a-2.jpg",
    ]
    assert expand_snapshot_urls("https://h/a.jpg", ["1"]) == ["https://h/a.jpg"]
    assert expand_snapshot_urls(None, ["1"]) == []


def test_ctyun_transcode_complete_on_demand_with_two_outputs() -> None:
    result = ctyun("ctyun/transcode-complete")
    assert (result.kind, result.status, result.task_id) == (
        "transcode",
        "succeeded",
        "0001#tc85118429465b99a794951ffd4310",
    )
    assert result.video_id == "147362d5167641419854b9859c114820"
    outputs = result.result["outputs"]
    assert [o["url"] for o in outputs] == [
        "https://sampleout.gdoss.xstore.ctyun.cn/outputdir/147362d5-720p.mp4",
        "https://sampleout.gdoss.xstore.ctyun.cn/outputdir/147362d5-360p.mp4",
    ]
    assert (outputs[1]["size"], outputs[1]["bitrate"], outputs[1]["duration"]) == (
        4194304,
        600,
        587.2,
    )  # numbers sent as strings
    assert outputs[0]["streams"][0]["width"] == 1280
    assert result.result["dest_video_url"] == outputs[0]["url"]
    assert (result.result["duration"], result.result["file_size"]) == (587.2, 10485760)
    assert result.moderation is None


def test_ctyun_workflow_shape_uses_workflow_id() -> None:
    transcode = ctyun("ctyun/transcode-complete-workflow")
    assert transcode.video_id is None
    assert transcode.result["workflow_id"] == "wf-7f3c2a"
    assert [o["format"] for o in transcode.result["outputs"]] == ["m3u8"]  # one object, not a list
    snapshot = ctyun("ctyun/snapshot-complete-workflow")
    assert snapshot.task_id == "wf-7f3c2a"  # no taskId and no videoID: the workflow id
    review = ctyun("ctyun/ai-content-review-workflow")
    assert review.moderation is not None
    [finding] = review.moderation.findings
    assert (finding.category, finding.label, finding.suggestion) == ("terrorism", "flag", "block")


def test_ctyun_snapshot_complete_expands_time_points() -> None:
    result = ctyun("ctyun/snapshot-complete")
    assert result.kind == "snapshot"
    assert result.result["image_urls"] == [
        "https://sampleout.gdoss.xstore.ctyun.cn/outputdir/shot-0.jpg",
        "https://sampleout.gdoss.xstore.ctyun.cn/outputdir/shot-10.jpg",
        "https://sampleout.gdoss.xstore.ctyun.cn/outputdir/shot-20.jpg",
    ]
    assert result.result["image_count"] == 3
    [shot] = result.result["snapshots"]
    assert shot["web_vtt_url"] == "https://sampleout.gdoss.xstore.ctyun.cn/outputdir/shot.vtt"
    several = ctyun("ctyun/snapshot-complete-workflow")
    assert several.result["image_urls"] == [
        "https://sampleout.gdoss.xstore.ctyun.cn/workflow/clip/sprite-5.jpg",
        "https://sampleout.gdoss.xstore.ctyun.cn/workflow/clip/sprite-15.jpg",
        "https://sampleout.gdoss.xstore.ctyun.cn/workflow/clip/cover.jpg",
    ]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("ctyun/transcode-complete-failed", "transcode"),
        ("ctyun/snapshot-complete-failed", "snapshot"),
    ],
)
def test_ctyun_failed_transcode_and_snapshot(name: str, kind: str) -> None:
    result = ctyun(name)
    assert (result.kind, result.status) == (kind, "failed")
    assert result.message


def test_ctyun_new_events_are_strict_where_it_matters() -> None:
    with pytest.raises(RejectedPayload, match=r"transcodeInfo\.0\.size"):
        normalise(
            "ctyun",
            None,
            {
                "eventType": "TranscodeComplete",
                "taskId": "t",
                "status": "SUCCESS",
                "transcodeInfo": {"size": -1},
            },
            DEFAULT_THRESHOLDS,
        )
    with pytest.raises(RejectedPayload, match="status:"):
        normalise(
            "ctyun", None, {"eventType": "SnapshotComplete", "taskId": "t"}, DEFAULT_THRESHOLDS
        )
