"""The public pages (no login) and how much they weigh on a resident's phone.

PUBLIC_PAGES is the list that the page budget (tests/test_page_budget.py) and bench/page_weight.py walk.
A feature that adds a public page appends an entry here: a name, and a function that takes the test
`world` (tests/conftest.py) and returns the page's path. The function is called with each language
active, so `reverse()` gives /en/..., /ur/... and /ps/... by itself.

The rest of the module measures a page as a browser on a slow connection would fetch it: the HTML, every
stylesheet and script it links, and what the stylesheets pull in with url() and @import, each gzipped on
its own (as a server sends them), and lists every URL that points to another host.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
from django.urls import reverse


@dataclass(frozen=True)
class PublicPage:
    name: str
    path: Callable[[Any], str]  # world -> path, called with the page's language active
    status: int = 200


def _search_term(world: Any) -> str:
    """A word a resident would type: the first listed area of the world's first beat, else its name."""
    areas = [a.strip() for a in (world.beat_a.areas or "").split(",") if a.strip()]
    return areas[0] if areas else world.beat_a.name


PUBLIC_PAGES: list[PublicPage] = [
    PublicPage("home", lambda w: reverse("places:home")),
    PublicPage("home-search", lambda w: reverse("places:home") + "?" + urlencode({"q": _search_term(w)})),
    PublicPage("beat", lambda w: reverse("site:beat", args=[w.beat_a.code])),
    PublicPage("location-not-found", lambda w: reverse("places:find") + "?lat=10&lon=10", status=404),
    PublicPage("login", lambda w: reverse("people:login")),
]


def _tracked_report(world: Any) -> str:
    """A report with a public note, tracked by its private link (reports)."""
    from tests import factories

    submission = factories.report("street_lighting", beat_obj=world.beat_a)
    submission.report.acknowledge(by=world.beat_officer, note="An officer will look at the lights this week.")
    return reverse("reports:track", args=[submission.token])


PUBLIC_PAGES += [
    PublicPage("report-form", lambda w: reverse("reports:new") + "?beat=" + w.beat_a.code),
    PublicPage("track-lookup", lambda w: reverse("reports:track_lookup")),
    PublicPage("track", _tracked_report),
]


def _you_said_we_did(world: Any) -> str:
    """A beat's "you said, we did" page with a done, a late and an open action (engagement)."""
    from tests.test_engagement_support import demo_loop

    demo_loop(world)
    return reverse("engagement:you_said_we_did", args=[world.beat_a.code])


PUBLIC_PAGES += [PublicPage("you-said-we-did", _you_said_we_did)]


def _survey_results(world: Any) -> str:
    """A beat's published survey results: a closed round, a finished month, small cells hidden (feedback)."""
    from tests.test_feedback_results import public_results_world

    public_results_world(world)
    return reverse("feedback:public_results", args=[world.beat_a.code])


PUBLIC_PAGES += [PublicPage("survey-results", _survey_results)]

# An address that does not exist: Rabta's own 404 page (tests/test_error_pages.py has 403 and 500).
PUBLIC_PAGES += [PublicPage("not-found", lambda w: reverse("places:home") + "no-such-page/", status=404)]

PAGE_LANGUAGES = ("en", "ur", "ps")

# Budgets in KiB, gzipped. 14 KiB of HTML arrives in the first round trip of a new connection
# (TCP's initial window is about 14.6 kB), which is what a resident on 2G feels.
HTML_BUDGET = 14 * 1024
PAGE_BUDGET = 50 * 1024
GZIP_LEVEL = 6  # what nginx and most servers use for dynamic pages

# Addresses that leave no trace with another host.
LOCAL_SCHEMES = {"tel", "sms", "mailto", "data"}
URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "data",
    "cite",
    "background",
    "manifest",
    "icon",
}
ASSET_LINK_RELS = {"stylesheet", "preload", "modulepreload", "icon", "manifest", "prefetch"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.IGNORECASE)


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0))


@dataclass
class PageWeight:
    name: str
    language: str
    path: str
    status: int
    html_bytes: int
    html_gzip: int
    assets: dict[str, int] = field(default_factory=dict)  # asset URL -> gzipped bytes
    offsite: list[str] = field(default_factory=list)  # "where: url" for every URL pointing elsewhere

    @property
    def total_gzip(self) -> int:
        return self.html_gzip + sum(self.assets.values())

    def line(self) -> str:
        return (
            f"{self.name:<24} {self.language}  HTML {self.html_gzip / 1024:5.1f} KiB gz"
            f" ({self.html_bytes / 1024:5.1f} KiB raw)  with {len(self.assets)} CSS/JS/asset file(s)"
            f" {self.total_gzip / 1024:5.1f} KiB gz  {self.path}"
        )


class _Links(HTMLParser):
    """Every URL in a page: attributes, srcset, inline styles and <style> blocks."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str]] = []  # (where, url)
        self.assets: list[str] = []  # stylesheets, scripts and icons the browser fetches
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            where = f"<{tag} {name}>"
            if name == "xmlns" or name.startswith("xmlns:"):
                continue  # a namespace's name (an inline <svg>'s), never fetched
            if name in URL_ATTRIBUTES:
                self.urls.append((where, value))
            elif name in ("srcset", "imagesrcset"):
                self.urls.extend((where, part.split()[0]) for part in value.split(",") if part.strip())
            elif name == "style":
                self.urls.extend((where, url) for url in css_urls(value))
            elif re.match(r"\s*(https?:)?//", value):
                # data-url="https://..." and the like: a script would fetch it.
                self.urls.append((where, value))
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            target = values.get("content", "").partition("url=")[2]
            if target:
                self.urls.append(("<meta refresh>", target))
        if tag == "script" and values.get("src"):
            self.assets.append(values["src"])
        if (
            tag == "link"
            and values.get("href")
            and ASSET_LINK_RELS & set(values.get("rel", "").lower().split())
        ):
            self.assets.append(values["href"])
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.urls.extend(("<style>", url) for url in css_urls(data))


def css_urls(css: str) -> list[str]:
    return [m.group(2) if m.group(2) is not None else m.group(4) for m in CSS_URL.finditer(css)]


def is_offsite(url: str, host: str) -> bool:
    """True for a URL that reaches another host (or runs code: javascript:)."""
    url = url.strip()
    if not url or url.startswith("#"):
        return False
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme in LOCAL_SCHEMES:
        return False
    if scheme in ("", "http", "https"):
        return bool(parts.netloc) and parts.hostname != host
    return True


def static_bytes(url: str) -> bytes:
    """The content of a same-host static file, as the static files finders (or collectstatic) have it."""
    path = urlsplit(url).path
    if not path.startswith(settings.STATIC_URL):
        raise AssertionError(f"{url} is not a static file; public pages link only static CSS and JS")
    name = path.removeprefix(settings.STATIC_URL)
    found = finders.find(name)
    if isinstance(found, list):
        found = found[0] if found else None
    if found:
        with open(found, "rb") as fh:
            return fh.read()
    if staticfiles_storage.exists(name):  # hashed names after collectstatic
        with staticfiles_storage.open(name) as fh:
            return bytes(fh.read())
    raise AssertionError(f"{url} is linked but no such static file exists")


def _add_assets(urls: list[str], host: str, weight: PageWeight) -> None:
    queue = list(urls)
    while queue:
        url = queue.pop(0)
        if is_offsite(url, host) or url in weight.assets or url.startswith("data:"):
            continue
        content = static_bytes(url)
        weight.assets[url] = gzip_size(content)
        if urlsplit(url).path.endswith(".css"):
            for ref in css_urls(content.decode("utf-8")):
                if is_offsite(ref, host):
                    weight.offsite.append(f"{url}: {ref}")
                elif not ref.startswith(("data:", "#")):
                    queue.append(urljoin(url, ref))


def measure(client: Client, name: str, language: str, path: str, *, host: str = "testserver") -> PageWeight:
    response = client.get(path, secure=getattr(settings, "RABTA_HTTPS", False))
    html = response.content
    weight = PageWeight(
        name=name,
        language=language,
        path=path,
        status=response.status_code,
        html_bytes=len(html),
        html_gzip=gzip_size(html),
    )
    links = _Links()
    links.feed(html.decode(response.charset or "utf-8"))
    links.close()
    weight.offsite.extend(f"{where}: {url}" for where, url in links.urls if is_offsite(url, host))
    _add_assets(links.assets, host, weight)
    return weight


def _transparency(scope: str) -> Callable[[Any], str]:
    """A place's transparency page with a month of figures, some hidden as too small (insights)."""

    def path(world: Any) -> str:
        from tests.test_insights_public import recent_transparency_world

        recent_transparency_world(world)
        code = {"beat": world.beat_a.code, "station": world.station_a.code, "district": world.district.code}
        return reverse("insights:public", args=[scope, code[scope]])

    return path


PUBLIC_PAGES += [
    PublicPage("transparency-home", lambda w: reverse("insights:public_home")),
    PublicPage("transparency-beat", _transparency("beat")),
    PublicPage("transparency-district", _transparency("district")),
    PublicPage("open-data", lambda w: reverse("insights:open_data")),
]
