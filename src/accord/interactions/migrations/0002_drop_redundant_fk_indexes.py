"""Drop single-column foreign-key indexes that a composite index already leads with.

Only the indexes go (DROP INDEX, instant on both databases); changing db_index through
AlterField would make SQLite copy each whole table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0004_drop_redundant_fk_indexes'),
        ('interactions', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='participant',
                    name='customer',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='customers.customer'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "interactions_participant_customer_id_cfff154c"',
                    'CREATE INDEX "interactions_participant_customer_id_cfff154c" ON "interactions_participant" ("customer_id")',
                ),
            ],
        ),
    ]
