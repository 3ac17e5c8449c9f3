"""Drop single-column foreign-key indexes that a composite index already leads with.

Only the indexes go (DROP INDEX, instant on both databases); changing db_index through
AlterField would make SQLite copy each whole table."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('customers', '0004_drop_redundant_fk_indexes'),
        ('transactions', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='transaction',
                    name='customer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='customers.customer'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "transactions_transaction_customer_id_a7fa6b0f"',
                    'CREATE INDEX "transactions_transaction_customer_id_a7fa6b0f" ON "transactions_transaction" ("customer_id")',
                ),
            ],
        ),
    ]
