"""Cases recorded before consent per purpose have only ``Case.consent_given_on``: each becomes a
service-provision consent given that day on the signed paper form, recorded by the case's social
worker, so that the intake guard (which now asks privacy) keeps seeing it.

No history row is written here: the audit chain links history rows as they are saved, and a
history row written by a migration would be unchained (``verify_audit`` reports it as
inserted). The case's own history row ``case.record_consent`` is the record of when and by whom.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    Case = apps.get_model("casework", "Case")
    Consent = apps.get_model("privacy", "Consent")
    existing = set(Consent.objects.filter(purpose="service").values_list("case_id", flat=True))
    Consent.objects.bulk_create(
        Consent(
            case_id=case.pk,
            purpose="service",
            given_on=case.consent_given_on,
            given_how="paper",
            recorded_by_id=case.social_worker_id,
        )
        for case in Case.objects.exclude(consent_given_on=None).only(
            "pk", "consent_given_on", "social_worker_id"
        )
        if case.pk not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("privacy", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
