"""Pixel URLs and tags: exact parameters, escaping, the CLI, and enrichment end to end."""

from __future__ import annotations

import asyncio
import html
import re
import socket
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pyplow.cli import pixel as pixel_cli
from pyplow.loaders.memory import MemoryLoader
from pyplow.pipeline.embedded import EmbeddedSettings, run_embedded
from pyplow.pixel import pixel_img, pixel_url

ENDPOINT = "https://collector.example.com"


def params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))


def test_page_view_pixel_with_campaign() -> None:
    url = pixel_url(
        ENDPOINT + "/",
        page_url="https://shop.example.com/welcome?ref=1",
        page_title="Welcome",
        user_id="u-1",
        app_id="mail",
        utm_source="newsletter",
        utm_medium="email",
        utm_campaign="spring",
    )
    assert url.startswith("https://collector.example.com/i?")
    assert params(url) == {
        "e": "pv",
        "p": "web",
        "tv": "pyplow-pixel-1",
        "aid": "mail",
        "uid": "u-1",
        "url": "https://shop.example.com/welcome?ref=1&utm_source=newsletter&utm_medium=email"
        "&utm_campaign=spring",
        "page": "Welcome",
    }


def test_structured_pixel_and_extra_params() -> None:
    url = pixel_url(
        ENDPOINT,
        event="se",
        se_category="email",
        se_action="open",
        se_label="spring-2026",
        se_value=1.5,
        extra={"tna": "email", "p": "srv"},
    )
    assert params(url) == {
        "e": "se",
        "p": "srv",
        "tv": "pyplow-pixel-1",
        "se_ca": "email",
        "se_ac": "open",
        "se_la": "spring-2026",
        "se_va": "1.5",
        "tna": "email",
    }


def test_campaign_replaces_existing_utm_values() -> None:
    url = pixel_url(ENDPOINT, page_url="http://a.test/?utm_source=old&x=1", utm_source="new")
    assert params(url)["url"] == "http://a.test/?x=1&utm_source=new"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"event": "tr"}, "event must be 'pv'"),
        ({"event": "se", "se_category": "c"}, "needs a category and an action"),
        ({"se_label": "x"}, "need event='se'"),
        ({"utm_source": "x"}, "give page_url"),
    ],
)
def test_misuse_is_refused(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        pixel_url(ENDPOINT, **kwargs)
    with pytest.raises(ValueError, match="must start with http"):
        pixel_url("collector.example.com")


def test_img_tag_is_escaped() -> None:
    tag = pixel_img(ENDPOINT, page_title='"><script>', user_id="a&b", alt='x"y')
    assert tag.startswith('<img src="https://collector.example.com/i?e=pv&amp;p=web')
    assert "<script>" not in tag
    assert 'alt="x&quot;y"' in tag
    (src,) = re.findall(r'src="([^"]*)"', tag)
    assert params(html.unescape(src))["page"] == '"><script>'
    assert params(html.unescape(src))["uid"] == "a&b"


@settings(max_examples=80, deadline=None)
@given(
    title=st.text(),
    user=st.text(),
    page=st.text().map(lambda s: "http://a.test/" + s),
    source=st.text(min_size=1),
)
def test_values_round_trip_through_url_and_tag(
    title: str, user: str, page: str, source: str
) -> None:
    url = pixel_url(ENDPOINT, page_title=title, user_id=user, page_url=page, utm_source=source)
    got = params(url)
    assert got["page"] == title
    assert got["uid"] == user
    assert dict(parse_qsl(urlsplit(got["url"]).query))["utm_source"] == source
    tag = pixel_img(ENDPOINT, page_title=title, user_id=user, page_url=page, utm_source=source)
    (src,) = re.findall(r'src="([^"]*)"', tag)
    assert html.unescape(src) == url


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    import argparse

    parser = argparse.ArgumentParser()
    pixel_cli.register(parser.add_subparsers())
    args = parser.parse_args(["pixel", *argv])
    status = args.handler(args)
    out, err = capsys.readouterr()
    return status, out, err


def test_cli_prints_url_and_tag(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run_cli(
        [
            "--endpoint",
            ENDPOINT,
            "--event",
            "se",
            "--category",
            "email",
            "--action",
            "open",
            "--value",
            "2",
            "--param",
            "tna=mail",
        ],
        capsys,
    )
    assert status == 0
    url, tag = out.splitlines()
    assert params(url) == {
        "e": "se",
        "p": "web",
        "tv": "pyplow-pixel-1",
        "se_ca": "email",
        "se_ac": "open",
        "se_va": "2",
        "tna": "mail",
    }
    assert tag == pixel_img(
        ENDPOINT,
        event="se",
        se_category="email",
        se_action="open",
        se_value=2,
        extra={"tna": "mail"},
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--value", "lots"], "not a finite number"),
        (["--param", "novalue"], "not KEY=VALUE"),
        (["--utm-source", "x"], "give page_url"),
    ],
)
def test_cli_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run_cli(argv, capsys)
    assert status == 2
    assert out == ""
    assert message in err


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_pixels_are_enriched(tmp_path: Path) -> None:
    async def scenario() -> tuple[list[dict[str, Any]], list[Any]]:
        stop = asyncio.Event()
        urls: list[str] = []
        settings = EmbeddedSettings(port=free_port(), data_dir=str(tmp_path))
        task = asyncio.create_task(
            run_embedded(settings, stop=stop, loader=MemoryLoader(), ready=urls.append)
        )
        while not urls:
            await asyncio.sleep(0.02)
        view = pixel_url(
            urls[0],
            page_url="https://shop.example.com/mail/spring",
            page_title="Spring sale",
            user_id="u-7",
            app_id="mail",
            utm_source="newsletter",
            utm_medium="email",
            utm_campaign="spring",
            utm_content="hero",
        )
        open_ = pixel_url(
            urls[0],
            event="se",
            se_category="email",
            se_action="open",
            se_label="spring",
            se_value=1,
            user_id="u-7",
            app_id="mail",
        )
        async with httpx.AsyncClient() as client:
            for url in (view, open_):
                response = await client.get(url)
                assert response.status_code == 200
                assert response.headers["content-type"] == "image/gif"
            for _ in range(200):
                if (await client.get(urls[0] + "/micro/all")).json()["total"] >= 2:
                    break
                await asyncio.sleep(0.05)
            good = (await client.get(urls[0] + "/micro/good")).json()
            bad = (await client.get(urls[0] + "/micro/bad")).json()
        stop.set()
        await asyncio.wait_for(task, 30)
        return good, bad

    good, bad = asyncio.run(scenario())
    assert bad == []
    events = {g["event"]["event"]: g["event"] for g in good}
    assert set(events) == {"page_view", "struct"}
    pv, se = events["page_view"], events["struct"]
    assert (pv["app_id"], pv["platform"], pv["user_id"], pv["v_tracker"]) == (
        "mail",
        "web",
        "u-7",
        "pyplow-pixel-1",
    )
    assert pv["page_title"] == "Spring sale"
    assert pv["page_urlpath"] == "/mail/spring"
    assert (pv["mkt_source"], pv["mkt_medium"], pv["mkt_campaign"], pv["mkt_content"]) == (
        "newsletter",
        "email",
        "spring",
        "hero",
    )
    assert (se["se_category"], se["se_action"], se["se_label"], se["se_value"]) == (
        "email",
        "open",
        "spring",
        1,
    )
    assert se["user_id"] == "u-7"
