"""The playbook's operations checklists and the default escalation policy per severity."""

from django.db import migrations

CHECKLISTS = [
    (
        "Daily Operations",
        "daily",
        [
            ("Review overnight alerts", "overnight-alerts"),
            ("Check system metrics dashboard", ""),
            ("Verify backup completion", "backup-completion"),
            ("Review security logs", ""),
            ("Check peer health", ""),
        ],
    ),
    (
        "Weekly Operations",
        "weekly",
        [
            ("Performance review", ""),
            ("Security audit", ""),
            ("Capacity planning review", ""),
            ("Update documentation", ""),
            ("Team sync meeting", ""),
        ],
    ),
    (
        "Monthly Operations",
        "monthly",
        [
            ("Disaster recovery drill", ""),
            ("Full security audit", ""),
            ("Compliance review", ""),
            ("Infrastructure review", ""),
            ("Cost optimization", ""),
        ],
    ),
]

# severity: (page primary after, page secondary after, page escalation contact after) in minutes.
POLICIES = {"P0": (0, 5, 15), "P1": (5, 15, 30), "P2": (30, 60, None), "P3": (None, None, None)}


def create(apps, schema_editor):
    Template = apps.get_model("incidents", "ChecklistTemplate")
    Item = apps.get_model("incidents", "ChecklistTemplateItem")
    Policy = apps.get_model("incidents", "EscalationPolicy")
    for name, period, items in CHECKLISTS:
        template, _ = Template.objects.get_or_create(name=name, defaults={"period": period})
        if not template.items.exists():
            for position, (text, key) in enumerate(items, start=1):
                Item.objects.create(template=template, position=position, text=text, evidence_key=key)
    for severity, (primary, secondary, escalation) in POLICIES.items():
        Policy.objects.get_or_create(
            severity=severity,
            defaults={
                "enabled": severity != "P3",
                "primary_after_minutes": primary,
                "secondary_after_minutes": secondary,
                "escalation_after_minutes": escalation,
            },
        )


def remove(apps, schema_editor):
    apps.get_model("incidents", "ChecklistTemplate").objects.filter(name__in=[c[0] for c in CHECKLISTS]).delete()
    apps.get_model("incidents", "EscalationPolicy").objects.filter(severity__in=POLICIES).delete()


class Migration(migrations.Migration):
    dependencies = [("incidents", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
