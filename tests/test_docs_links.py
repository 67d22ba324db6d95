"""The documentation points only at things that exist in this repository.

Checked in README.md, CHANGELOG.md, bench/README.md and every docs/**/*.md:
- every relative link (inline, image or reference definition) resolves to a file or folder of the
  repository, and a `#anchor` into a Markdown file names one of its headings (GitHub's slugs);
- no link leaves the repository by a relative path (`../..`) or names an absolute path;
- every file path written in backticks (`rabta/...`, `tests/...`, `docs/...`...) exists, apart from
  files that are made at run time (var/, tests/artifacts/) and from the changelog, which may name
  files that are gone;
and in code, comments and catalogues: every mention of a Markdown file names one that exists, and
nothing points into a folder beside the repository (`../shared/...`).

Links inside fenced code blocks and code spans are text, not links, and are not followed.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent


def doc_files() -> list[Path]:
    docs = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "bench" / "README.md"]
    docs += sorted((ROOT / "docs").rglob("*.md"))
    return docs


FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(`+)(.+?)\1")
# [text](target) and ![alt](target), with an optional "title"; the text may hold one level of [brackets].
INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$")
HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
HTML_ANCHOR = re.compile(r"<a\s+(?:name|id)=\"([^\"]+)\"")
SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def prose_lines(text: str) -> list[tuple[int, str]]:
    """(line number, line) outside fenced code blocks."""
    lines: list[tuple[int, str]] = []
    fence = ""
    for number, line in enumerate(text.splitlines(), start=1):
        match = FENCE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = ""
            continue
        if match:
            fence = match.group(1)
            continue
        lines.append((number, line))
    return lines


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = CODE_SPAN.sub(lambda m: m.group(2), heading)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)  # a link in a heading keeps its text
    text = re.sub(r"<[^>]+>", "", text).strip().lower()
    kept = [
        ch
        for ch in text
        if ch in "-_ " or unicodedata.category(ch)[0] in ("L", "N") or unicodedata.category(ch) == "Mn"
    ]
    return "".join(kept).replace(" ", "-")


def anchors_of(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    anchors: set[str] = set()
    text = path.read_text(encoding="utf-8")
    for _, line in prose_lines(text):
        anchors.update(HTML_ANCHOR.findall(line))
        match = HEADING.match(line)
        if not match:
            continue
        slug = github_slug(match.group(2))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        anchors.add(slug if count == 0 else f"{slug}-{count}")
    return anchors


def links_in(path: Path) -> list[tuple[int, str]]:
    links: list[tuple[int, str]] = []
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        definition = REFERENCE_DEF.match(line)
        if definition:
            links.append((number, definition.group(1)))
            continue
        bare = CODE_SPAN.sub("", line)
        links.extend((number, target) for target in INLINE_LINK.findall(bare))
    return links


def inside_repository(path: Path) -> bool:
    try:
        path.resolve().relative_to(ROOT)
    except ValueError:
        return False
    return True


def link_problem(doc: Path, target: str) -> str | None:
    """Why `target`, written in `doc`, does not resolve; None when it does (or is not a relative link)."""
    if SCHEME.match(target) or target.startswith("//"):
        return None  # http:, https:, mailto:, tel: are other places, not files of the repository
    if target.startswith("/"):
        return "is an absolute path; write it relative to this file"
    file_part, _, anchor = target.partition("#")
    file_part = unquote(file_part.split("?", 1)[0])
    resolved = (doc.parent / file_part) if file_part else doc
    if not inside_repository(resolved):
        return "points outside the repository"
    if not resolved.exists():
        return "names a file that does not exist"
    if anchor and resolved.suffix == ".md" and unquote(anchor) not in anchors_of(resolved):
        return f"names no heading of {resolved.relative_to(ROOT)} (#{anchor})"
    return None


# Paths made at run time or ignored by git, which a doc may name without them being in a checkout.
GENERATED = ("var/", "tests/artifacts/", ".venv/", "bench/results/*.tmp")
REPO_PATH = re.compile(r"^(?:rabta|tests|bench|docs|\.ci)/[\w./-]*$|^[\w.-]+\.(?:md|toml|lock)$|^Makefile$")


def mentioned_paths(path: Path) -> list[tuple[int, str]]:
    """Repository paths written in code spans, such as `rabta/lib/env.py` or `docs/deploy.md`."""
    found: list[tuple[int, str]] = []
    for number, line in prose_lines(path.read_text(encoding="utf-8")):
        for _, span in CODE_SPAN.findall(line):
            candidate = span.strip().split(" ", 1)[0].rstrip(",.:;")
            if REPO_PATH.match(candidate) and not candidate.startswith(GENERATED):
                found.append((number, candidate))
    return found


# The changelog tells history: it may name files that were removed.
HISTORY = {ROOT / "CHANGELOG.md"}


def doc_id(path: Path) -> str:
    return str(path.relative_to(ROOT))


@pytest.mark.parametrize("doc", doc_files(), ids=doc_id)
def test_every_relative_link_resolves(doc: Path) -> None:
    problems = [
        f"{doc_id(doc)}:{number}: ({target}) {problem}"
        for number, target in links_in(doc)
        if (problem := link_problem(doc, target))
    ]
    assert not problems, "broken links:\n" + "\n".join(problems)


@pytest.mark.parametrize("doc", [d for d in doc_files() if d not in HISTORY], ids=doc_id)
def test_every_file_named_in_the_docs_exists(doc: Path) -> None:
    missing = [
        f"{doc_id(doc)}:{number}: `{name}`"
        for number, name in mentioned_paths(doc)
        if not (ROOT / name.rstrip("/")).exists()
    ]
    assert not missing, "files named in the docs that are not in the repository:\n" + "\n".join(missing)


def test_the_documents_the_suite_checks_exist() -> None:
    for name in ("README.md", "CHANGELOG.md", "bench/README.md", "docs/architecture.md"):
        assert (ROOT / name).is_file(), name


SOURCE_SUFFIXES = {".py", ".po", ".html", ".txt", ".toml", ".cfg", ".css", ".js", ".md"}
SKIP_DIRS = {".git", ".venv", "var", "node_modules", "__pycache__"}
MD_MENTION = re.compile(r"(?<![\w/.-])((?:[\w-]+/)*[\w-]+\.md)\b")
OUTSIDE = re.compile(r"\.\./shared|/work/shared")


def source_files() -> list[Path]:
    files = [ROOT / "Makefile", ROOT / ".ci" / "run"]
    for folder, subfolders, names in os.walk(ROOT):
        subfolders[:] = sorted(d for d in subfolders if d not in SKIP_DIRS and not d.endswith("_cache"))
        files.extend(Path(folder) / name for name in sorted(names) if Path(name).suffix in SOURCE_SUFFIXES)
    return files


def test_code_and_comments_name_only_documents_that_exist() -> None:
    problems = []
    for path in source_files():
        if path == Path(__file__) or path in HISTORY:
            continue  # this file names examples of what it refuses; the changelog names removed files
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                problems.append(f"{doc_id(path)}:{number}: points outside the repository: {line.strip()}")
            for name in MD_MENTION.findall(line):
                if not (ROOT / name).exists() and not (path.parent / name).exists():
                    problems.append(f"{doc_id(path)}:{number}: names {name}, which does not exist")
    assert not problems, "\n".join(problems)
