"""import_article refuses bad files and writes nothing; load_demo is idempotent."""

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from annotations.models import Annotation, Article, Event, Verdict

pytestmark = pytest.mark.django_db


def run(*args):
    from io import StringIO

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_import_reads_a_utf8_text_file(editor, tmp_path):
    path = tmp_path / "meldung.txt"
    path.write_text("Die Stadt baut 300 Wohnungen. Größer als je zuvor.\r\n", encoding="utf-8")
    output = run("import_article", str(path), "--title", "Wohnungsbau")
    article = Article.objects.get()
    assert article.title == "Wohnungsbau"
    assert article.text == "Die Stadt baut 300 Wohnungen. Größer als je zuvor.\n"
    assert article.language == "de"
    assert f"imported article {article.pk}" in output


def test_import_reduces_html_to_its_text(editor, tmp_path):
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Wahl in Hessen</title><script>evil()</script></head><body>"
        "<article><h1>Wahl in Hessen</h1><p>Die Wahlbeteiligung lag bei 66 Prozent, "
        "teilte der Landeswahlleiter am Sonntag in Wiesbaden mit.</p>"
        "<p>Das ist der höchste Wert seit 1999.</p></article></body></html>",
        encoding="utf-8",
    )
    run("import_article", str(path))
    article = Article.objects.get()
    assert "Die Wahlbeteiligung lag bei 66 Prozent" in article.text
    assert "evil()" not in article.text


def test_import_refuses_a_file_that_is_not_utf8_and_writes_nothing(editor, tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("Größe".encode("latin-1"))
    with pytest.raises(CommandError, match="is not UTF-8"):
        run("import_article", str(path))
    assert Article.objects.count() == 0
    assert Event.objects.count() == 0


def test_import_refuses_an_empty_file(editor, tmp_path):
    path = tmp_path / "leer.txt"
    path.write_bytes(b"  \n")
    with pytest.raises(CommandError, match="the file is empty"):
        run("import_article", str(path))
    assert Article.objects.count() == 0


@override_settings(FACTCHECK_MAX_ARTICLE_CHARS=50)
def test_import_refuses_a_file_over_the_size_limit(editor, tmp_path):
    path = tmp_path / "lang.md"
    path.write_text("# Titel\n\n" + "x" * 60, encoding="utf-8")
    with pytest.raises(CommandError, match="the limit is 50"):
        run("import_article", str(path))
    assert Article.objects.count() == 0


def test_import_refuses_other_file_types(editor, tmp_path):
    path = tmp_path / "bild.png"
    path.write_bytes(b"\x89PNG\r\n")
    with pytest.raises(CommandError, match=r"unsupported file type '\.png'"):
        run("import_article", str(path))


def test_import_of_a_missing_file_says_so(editor):
    with pytest.raises(CommandError, match="no such file"):
        run("import_article", "/nonexistent/x.txt")


def test_load_demo_creates_users_articles_and_both_verdict_states():
    output = run("load_demo")
    assert "password: demo" in output
    assert Article.objects.count() == 2
    assert set(Annotation.objects.values_list("label__slug", flat=True)) == {
        "claim",
        "opinion",
        "speculation",
        "source",
    }
    assert sorted(Verdict.objects.values_list("status", flat=True)) == ["approved", "proposed"]
    german = Article.objects.get(language="de")
    assert german.text.rstrip().endswith("Source / Quelle: Via")


def test_load_demo_twice_changes_nothing():
    run("load_demo")
    counts = (Article.objects.count(), Annotation.objects.count(), Event.objects.count())
    output = run("load_demo")
    assert (Article.objects.count(), Annotation.objects.count(), Event.objects.count()) == counts
    assert "nothing changed" in output
