"""Each record names the organisation that seals each of its slots; three record kinds of their own (the amount
adjustment, the termination, the 特困 care agreement).

Records issued before this migration were sealed, slot by slot, by the office of the slot's level of the record's
jurisdiction (the township government, the county civil-affairs bureau): their seals are filled in so, from the
signatures already made where there are some. Their files are not touched, so they verify as before.
"""

from django.db import migrations, models

# The level digits when these records were issued (settings.ENGINE_LEVEL_DIGITS then): frozen here on purpose.
LEVEL_DIGITS = {"township": 9, "county": 6}


def fill_seals(apps, schema_editor):
    record_model = apps.get_model("records", "Record")
    for record in record_model.objects.filter(seals={}).iterator():
        signed = {revision["field"]: revision["org_code"] for revision in record.revisions}
        seals = {}
        for slot in record.slots:
            digits = LEVEL_DIGITS.get(slot)
            if slot in signed:
                seals[slot] = signed[slot]
            elif digits and len(record.jurisdiction) >= digits:
                seals[slot] = record.jurisdiction[:digits]
        record.seals = seals
        record.save(update_fields=["seals"])


class Migration(migrations.Migration):

    dependencies = [
        ("records", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="record",
            name="seals",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AlterField(
            model_name="record",
            name="kind",
            field=models.CharField(choices=[("approval_form", "审批表"), ("decision_notice", "决定通知书"), ("refusal_notice", "不予批准告知书"), ("public_notice", "公示名单"), ("emergency_aid", "先行救助登记"), ("periodic_report", "统计报表"), ("adjustment_notice", "救助金额调整决定书"), ("termination_notice", "终止救助决定书"), ("care_agreement", "特困人员照料服务协议")], max_length=32, verbose_name="类别"),
        ),
        migrations.RunPython(fill_seals, migrations.RunPython.noop),
    ]
