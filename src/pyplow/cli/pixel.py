"""``pyplow pixel``: print a tracking-pixel URL and its ``<img>`` tag (see ``docs/trackers.md``)."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal, InvalidOperation
from typing import Any

from pyplow.pixel import pixel_img, pixel_url


def register(subparsers: argparse._SubParsersAction[Any]) -> None:
    parser = subparsers.add_parser(
        "pixel",
        help="print a /i tracking-pixel URL and <img> tag (e-mail opens, no-JS pages)",
        description=(
            "Build a GET /i pixel for one page view (default) or structured event. Campaign "
            "parameters are added to --page-url, where campaign attribution reads them."
        ),
    )
    parser.add_argument("--endpoint", default="http://localhost:9090", help="collector base URL")
    parser.add_argument("--event", choices=("pv", "se"), default="pv", help="event kind")
    parser.add_argument("--page-url")
    parser.add_argument("--page-title")
    parser.add_argument("--referrer")
    parser.add_argument("--user-id")
    parser.add_argument("--app-id")
    parser.add_argument("--platform", default="web")
    for name in ("source", "medium", "campaign", "term", "content"):
        parser.add_argument(f"--utm-{name}", help=f"campaign {name} (utm_{name})")
    parser.add_argument("--category", help="structured event category (se_ca)")
    parser.add_argument("--action", help="structured event action (se_ac)")
    parser.add_argument("--label", help="structured event label (se_la)")
    parser.add_argument("--property", help="structured event property (se_pr)")
    parser.add_argument("--value", help="structured event value (se_va), a number")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="another tracker-protocol parameter (repeatable), e.g. tna=email",
    )
    parser.add_argument("--alt", default="", help="alt text of the <img> tag")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    extra: dict[str, str] = {}
    for item in args.param:
        key, sep, text = item.partition("=")
        if not sep or not key:
            print(f"pyplow pixel: --param {item!r} is not KEY=VALUE", file=sys.stderr)
            return 2
        extra[key] = text
    number: Decimal | None = None
    if args.value is not None:
        try:
            number = Decimal(args.value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            print(f"pyplow pixel: --value {args.value!r} is not a finite number", file=sys.stderr)
            return 2
    fields = _fields(args, number)
    try:
        url = pixel_url(args.endpoint, extra=extra, **fields)
    except ValueError as exc:
        print(f"pyplow pixel: {exc}", file=sys.stderr)
        return 2
    print(url)
    print(pixel_img(args.endpoint, alt=args.alt, extra=extra, **fields))
    return 0


def _fields(args: argparse.Namespace, value: Decimal | None) -> dict[str, Any]:
    return {
        "event": args.event,
        "page_url": args.page_url,
        "page_title": args.page_title,
        "referrer": args.referrer,
        "user_id": args.user_id,
        "app_id": args.app_id,
        "platform": args.platform,
        "utm_source": args.utm_source,
        "utm_medium": args.utm_medium,
        "utm_campaign": args.utm_campaign,
        "utm_term": args.utm_term,
        "utm_content": args.utm_content,
        "se_category": args.category,
        "se_action": args.action,
        "se_label": args.label,
        "se_property": args.property,
        "se_value": value,
    }
