from django.db import migrations


# ReaderMessage moved to the reader app, which keeps using its table (editorial_readermessage).
class Migration(migrations.Migration):

    dependencies = [
        ('editorial', '0014_claim_review_carried_from'),
        ('reader', '0001_reader_message_from_editorial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name='ReaderMessage')]),
    ]
