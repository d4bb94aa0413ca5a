"""Uploaded files into article text (annotations.uploads), and the service boundary that turns
its refusals into the API's 400 and 413. Pure: no database."""

from __future__ import annotations

import pytest

from annotations import services, uploads


def test_an_upload_over_the_limit_is_refused_as_too_large_naming_the_limit():
    with pytest.raises(uploads.UploadError) as refused:
        uploads.decode_upload(filename="lang.txt", payload=b"a" * 12, max_chars=10)

    assert refused.value.too_large is True
    assert refused.value.field == "text"
    assert refused.value.message == "the article has 12 characters; the limit is 10"


def test_an_upload_of_an_unsupported_type_is_refused_naming_the_type():
    with pytest.raises(uploads.UploadError) as refused:
        uploads.decode_upload(filename="bericht.pdf", payload=b"%PDF", max_chars=100)

    assert refused.value.too_large is False
    assert refused.value.field == "file"
    assert refused.value.message == "unsupported file type '.pdf': use .txt, .md or .html"


def test_a_markdown_upload_takes_its_first_line_as_the_title():
    title, body = uploads.decode_upload(
        filename="notiz.md", payload=b"# Haushalt 2024\n\nDer Rat beschloss.\n", max_chars=100
    )

    assert title == "Haushalt 2024"
    assert body.startswith("# Haushalt 2024")


def test_the_service_answers_an_oversized_upload_with_413_and_a_bad_one_with_400(settings):
    settings.FACTCHECK_MAX_ARTICLE_CHARS = 10

    with pytest.raises(services.TooLarge) as too_large:
        services.decode_upload(filename="lang.txt", payload=b"a" * 12)
    with pytest.raises(services.Invalid) as invalid:
        services.decode_upload(filename="leer.txt", payload=b"  \n")

    assert (too_large.value.status_code, too_large.value.field) == (413, "text")
    assert too_large.value.message == "the article has 12 characters; the limit is 10"
    assert (invalid.value.status_code, invalid.value.field) == (400, "file")
    assert invalid.value.message == "the file is empty"
