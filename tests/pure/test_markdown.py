"""A rationale's Markdown: formatting and absolute links survive; markup, script links and
links that would leave the site without naming a scheme do not."""

from __future__ import annotations

import pytest

from annotations.templatetags.review import render_markdown


def test_formatting_and_an_https_link_survive():
    html = render_markdown("Laut **Haushaltsplan**: [Seite 12](https://example.org/plan#12)")
    assert "<strong>Haushaltsplan</strong>" in html
    assert '<a href="https://example.org/plan#12" rel="noopener noreferrer nofollow">' in html


@pytest.mark.parametrize(
    "link",
    [
        "//evil.example/x",
        "/\\evil.example/x",
        "javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "/articles/1/",
    ],
)
def test_links_without_an_allowed_scheme_lose_their_target(link):
    html = render_markdown(f"[Quelle]({link})")
    assert "href" not in html
    assert "Quelle" in html


def test_raw_html_is_text():
    html = render_markdown('<script>alert(1)</script> <img src=x onerror="alert(1)">')
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
