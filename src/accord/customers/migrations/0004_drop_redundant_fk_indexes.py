"""Drop single-column foreign-key indexes that a composite index already leads with.

Only the indexes go (DROP INDEX, instant on both databases); changing db_index through
AlterField would make SQLite copy each whole table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0001_initial'),
        ('customers', '0003_name_search_keys'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='customer',
                    name='owner',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='owned_customers', to=settings.AUTH_USER_MODEL),
                ),
                migrations.AlterField(
                    model_name='customer',
                    name='team',
                    field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='customers', to='accounts.team'),
                ),
                migrations.AlterField(
                    model_name='namekey',
                    name='customer',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE, related_name='name_keys', to='customers.customer'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_customer_owner_id_fbb2798e"',
                    'CREATE INDEX "customers_customer_owner_id_fbb2798e" ON "customers_customer" ("owner_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_customer_team_id_677425ba"',
                    'CREATE INDEX "customers_customer_team_id_677425ba" ON "customers_customer" ("team_id")',
                ),
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "customers_namekey_customer_id_6d8d49c9"',
                    'CREATE INDEX "customers_namekey_customer_id_6d8d49c9" ON "customers_namekey" ("customer_id")',
                ),
            ],
        ),
    ]
