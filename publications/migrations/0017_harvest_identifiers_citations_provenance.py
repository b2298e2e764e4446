"""What the harvest reads about publications: OpenAlex ids and DBLP keys (each names one work),
citation counts (in all and per year), notices (retractions, corrections), and where each field's
value came from, with editors' locks.

SQLite rebuilds the publication table to add columns and checks, which the topic-count triggers
of 0015 do not survive: on SQLite they are dropped first and created again after."""

from importlib import import_module

import django.core.validators
import django.db.models.deletion
import django.utils.timezone
import publications.identifiers
from django.conf import settings
from django.db import migrations, models


TOPIC_COUNTS = import_module("publications.migrations.0015_topic_publication_counts")


def sqlite_triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in TOPIC_COUNTS.SQLITE_BACKWARD:
            schema_editor.execute(statement.replace("DROP TRIGGER", "DROP TRIGGER IF EXISTS"))


def sqlite_triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in TOPIC_COUNTS.SQLITE_FORWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('publications', '0016_authorship_author_index'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(sqlite_triggers_drop, sqlite_triggers_create),
        migrations.CreateModel(
            name='FieldSource',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('field_name', models.CharField(max_length=50, verbose_name='field')),
                ('origin', models.CharField(choices=[('editor', 'an editor'), ('import', 'an import'), ('harvest', 'the harvest')], max_length=10, verbose_name='origin')),
                ('source', models.CharField(blank=True, help_text='Such as openalex or bibtex.', max_length=50, verbose_name='source')),
                ('source_id', models.CharField(blank=True, help_text='Such as W2741809807.', max_length=255, verbose_name='id in the source')),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='recorded')),
                ('locked', models.BooleanField(default=False, help_text='The harvest never proposes to change it.', verbose_name='locked')),
            ],
            options={
                'verbose_name': 'field source',
                'verbose_name_plural': 'field sources',
                'ordering': ['publication', 'field_name'],
            },
        ),
        migrations.CreateModel(
            name='PublicationCitationYear',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('year', models.PositiveSmallIntegerField(verbose_name='year')),
                ('count', models.PositiveIntegerField(verbose_name='citations')),
            ],
            options={
                'verbose_name': 'citations in a year',
                'verbose_name_plural': 'citations per year',
                'ordering': ['publication', 'year'],
            },
        ),
        migrations.CreateModel(
            name='PublicationNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('retraction', 'Retraction'), ('correction', 'Correction'), ('expression_of_concern', 'Expression of concern'), ('withdrawal', 'Withdrawal')], max_length=30, verbose_name='kind')),
                ('doi', publications.identifiers.DOIField(blank=True, max_length=255, verbose_name='notice DOI')),
                ('date', models.DateField(blank=True, null=True, verbose_name='date')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created')),
            ],
            options={
                'verbose_name': 'notice',
                'verbose_name_plural': 'notices',
                'ordering': ['publication', 'date', 'pk'],
            },
        ),
        migrations.AddField(
            model_name='publication',
            name='citations_read_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='citations read on'),
        ),
        migrations.AddField(
            model_name='publication',
            name='cited_by_count',
            field=models.PositiveIntegerField(blank=True, editable=False, null=True, verbose_name='citations'),
        ),
        migrations.AddField(
            model_name='publication',
            name='dblp_key',
            field=models.CharField(blank=True, editable=False, max_length=255, validators=[django.core.validators.RegexValidator('^[a-z]+(/[A-Za-z0-9_.+-]+){2,}$', 'Enter a DBLP key such as conf/nips/PascanuMB13.')], verbose_name='DBLP key'),
        ),
        migrations.AddField(
            model_name='publication',
            name='openalex_id',
            field=models.CharField(blank=True, editable=False, max_length=20, validators=[django.core.validators.RegexValidator('^W[1-9][0-9]*$', 'Enter an OpenAlex work id such as W2741809807.')], verbose_name='OpenAlex work id'),
        ),
        migrations.AddConstraint(
            model_name='publication',
            constraint=models.UniqueConstraint(condition=models.Q(('openalex_id', ''), _negated=True), fields=('openalex_id',), name='publications_publication_openalex_id_unique', violation_error_message='Another publication already has this OpenAlex id.'),
        ),
        migrations.AddConstraint(
            model_name='publication',
            constraint=models.CheckConstraint(condition=models.Q(('openalex_id', ''), ('openalex_id__regex', '^W[1-9][0-9]*$'), _connector='OR'), name='publications_publication_openalex_id_format', violation_error_message='Enter an OpenAlex work id such as W2741809807.'),
        ),
        migrations.AddConstraint(
            model_name='publication',
            constraint=models.UniqueConstraint(condition=models.Q(('dblp_key', ''), _negated=True), fields=('dblp_key',), name='publications_publication_dblp_key_unique', violation_error_message='Another publication already has this DBLP key.'),
        ),
        migrations.AddConstraint(
            model_name='publication',
            constraint=models.CheckConstraint(condition=models.Q(('dblp_key', ''), ('dblp_key__regex', '^[a-z]+(/[A-Za-z0-9_.+-]+){2,}$'), _connector='OR'), name='publications_publication_dblp_key_format', violation_error_message='Enter a DBLP key such as conf/nips/PascanuMB13.'),
        ),
        migrations.AddField(
            model_name='fieldsource',
            name='publication',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='field_sources', to='publications.publication', verbose_name='publication'),
        ),
        migrations.AddField(
            model_name='fieldsource',
            name='user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='user'),
        ),
        migrations.AddField(
            model_name='publicationcitationyear',
            name='publication',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='citation_years', to='publications.publication', verbose_name='publication'),
        ),
        migrations.AddField(
            model_name='publicationnotice',
            name='publication',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notices', to='publications.publication', verbose_name='publication'),
        ),
        migrations.AddConstraint(
            model_name='fieldsource',
            constraint=models.UniqueConstraint(fields=('publication', 'field_name'), name='publications_fieldsource_unique', violation_error_message="This field's source is already recorded."),
        ),
        migrations.AddConstraint(
            model_name='fieldsource',
            constraint=models.CheckConstraint(condition=models.Q(('origin__in', ['editor', 'import', 'harvest'])), name='publications_fieldsource_origin_valid', violation_error_message='Choose an origin from the list.'),
        ),
        migrations.AddConstraint(
            model_name='publicationcitationyear',
            constraint=models.UniqueConstraint(fields=('publication', 'year'), name='publications_citationyear_unique', violation_error_message='This publication already has a count for this year.'),
        ),
        migrations.AddConstraint(
            model_name='publicationcitationyear',
            constraint=models.CheckConstraint(condition=models.Q(('year__gte', 1900), ('year__lte', 2100)), name='publications_citationyear_year_range', violation_error_message='The year must be between 1900 and 2100.'),
        ),
        migrations.AddConstraint(
            model_name='publicationnotice',
            constraint=models.UniqueConstraint(fields=('publication', 'kind', 'doi'), name='publications_notice_unique', violation_error_message='This notice is already recorded.'),
        ),
        migrations.AddConstraint(
            model_name='publicationnotice',
            constraint=models.CheckConstraint(condition=models.Q(('kind__in', ['retraction', 'correction', 'expression_of_concern', 'withdrawal'])), name='publications_notice_kind_valid', violation_error_message='Choose a kind of notice from the list.'),
        ),
        migrations.AddConstraint(
            model_name='publicationnotice',
            constraint=models.CheckConstraint(condition=models.Q(('doi', ''), ('doi__regex', '^10\\.\\d{4,9}/\\S+$'), _connector='OR'), name='publications_notice_doi_format', violation_error_message='Enter a DOI such as 10.48550/arXiv.2307.11888.'),
        ),
        migrations.AddIndex(
            model_name='publicationversion',
            index=models.Index(condition=models.Q(('arxiv_id', ''), _negated=True), fields=['arxiv_id'], name='version_arxiv_id_idx'),
        ),
        migrations.RunPython(sqlite_triggers_create, sqlite_triggers_drop),
    ]
