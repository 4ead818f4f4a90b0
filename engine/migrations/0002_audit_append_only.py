"""On PostgreSQL, refuse UPDATE and DELETE on the audit table at the database itself."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION engine_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'engine_auditevent is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS engine_auditevent_no_change ON engine_auditevent;
CREATE TRIGGER engine_auditevent_no_change
    BEFORE UPDATE OR DELETE ON engine_auditevent
    FOR EACH ROW EXECUTE FUNCTION engine_auditevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS engine_auditevent_no_change ON engine_auditevent;
DROP FUNCTION IF EXISTS engine_auditevent_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("engine", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
