"""Seed the four labels (keys 1–4 follow `order`), the rating scale and the role groups."""

from django.db import migrations

LABELS = [
    # slug, name, German name, colour, shortcut, needs_verdict, order
    ("claim", "Claim", "Behauptung", "#ffcc80", "c", True, 1),
    ("opinion", "Opinion", "Meinung", "#b3e5fc", "o", False, 2),
    ("speculation", "Speculation", "Spekulation", "#e1bee7", "s", False, 3),
    ("source", "Source", "Quelle", "#c5e1a5", "q", False, 4),
]

RATINGS = [
    # slug, name, German name, description, German description, claimreview value, colour
    (
        "true",
        "True",
        "Richtig",
        "Accurate, nothing significant missing.",
        "Zutreffend, nichts Wesentliches fehlt.",
        5,
        "#2e7d32",
    ),
    (
        "mostly-true",
        "Mostly true",
        "Größtenteils richtig",
        "Accurate but needs clarification or additional information.",
        "Zutreffend, braucht aber Klarstellung oder Ergänzung.",
        4,
        "#689f38",
    ),
    (
        "half-true",
        "Half true",
        "Teilweise richtig",
        "Partially accurate but leaves out important details or takes things out of context.",
        "Teilweise zutreffend, lässt aber Wichtiges weg oder reißt es aus dem Kontext.",
        3,
        "#f9a825",
    ),
    (
        "missing-context",
        "Missing context",
        "Fehlender Kontext",
        "Could mislead without additional context.",
        "Kann ohne zusätzlichen Kontext in die Irre führen.",
        None,
        "#ef6c00",
    ),
    (
        "mostly-false",
        "Mostly false",
        "Größtenteils falsch",
        "Contains an element of truth but ignores facts that would give a different impression.",
        "Enthält einen wahren Kern, übergeht aber Fakten, die ein anderes Bild ergäben.",
        2,
        "#d84315",
    ),
    ("false", "False", "Falsch", "Not accurate.", "Nicht zutreffend.", 1, "#c62828"),
    (
        "unproven",
        "Unproven",
        "Unbelegt",
        "There is not enough evidence to support or refute it.",
        "Es gibt nicht genug Belege, um es zu bestätigen oder zu widerlegen.",
        None,
        "#546e7a",
    ),
]

GROUPS = ["editor", "reviewer", "chief"]


def seed(apps, schema_editor):
    Label = apps.get_model("annotations", "Label")
    Rating = apps.get_model("annotations", "Rating")
    Group = apps.get_model("auth", "Group")
    for slug, name, name_de, colour, shortcut, needs_verdict, order in LABELS:
        Label.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_de": name_de,
                "colour": colour,
                "shortcut": shortcut,
                "needs_verdict": needs_verdict,
                "order": order,
            },
        )
    for order, (slug, name, name_de, desc, desc_de, value, colour) in enumerate(RATINGS, 1):
        Rating.objects.update_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_de": name_de,
                "description": desc,
                "description_de": desc_de,
                "claimreview_value": value,
                "colour": colour,
                "order": order,
            },
        )
    for name in GROUPS:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
