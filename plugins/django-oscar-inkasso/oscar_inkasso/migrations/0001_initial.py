"""The link from an Oscar order to its claim, and the webhook events already applied."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        # The first migration of the order app has the Order table; a later one would tie the plugin to
        # one Oscar release, and shops that fork the order app carry their own later migrations.
        ('order', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='ProcessedEvent',
            fields=[
                ('event_id', models.CharField(max_length=40, primary_key=True, serialize=False)),
                ('event_type', models.CharField(max_length=60)),
                ('received_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'verbose_name': 'processed inkasso event',
            },
        ),
        migrations.CreateModel(
            name='ClaimLink',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('claim_id', models.CharField(blank=True, max_length=40, null=True, unique=True)),
                ('state', models.CharField(blank=True, max_length=20)),
                ('outstanding', models.BigIntegerField(blank=True, help_text='In minor units of `currency`.', null=True)),
                ('currency', models.CharField(blank=True, max_length=3)),
                ('handed_over_at', models.DateTimeField(blank=True, null=True)),
                ('handover_error', models.TextField(blank=True)),
                ('last_event_id', models.CharField(blank=True, max_length=40)),
                ('last_event_type', models.CharField(blank=True, max_length=60)),
                ('last_event_at', models.DateTimeField(blank=True, null=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('order', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='inkasso_claim', to='order.order')),
            ],
            options={
                'verbose_name': 'inkasso claim',
            },
        ),
    ]
