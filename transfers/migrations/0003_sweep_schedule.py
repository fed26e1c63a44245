"""Schedule the import sweeper every two minutes (django-celery-beat), keeping a schedule an
administrator changed. Reversible: the reverse removes the periodic task."""

from django.db import migrations

NAME = "transfers: queue again or fail stuck imports, remove old files"


def create(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    if PeriodicTask.objects.filter(name=NAME).exists():
        return
    schedule, _ = IntervalSchedule.objects.get_or_create(every=2, period="minutes")
    PeriodicTask.objects.create(
        name=NAME, task="transfers.sweep_imports", interval=schedule,
        description="Imports whose task was never queued or was lost are queued again; old files removed.",
    )
    _changed(apps)


def _changed(apps):
    # What PeriodicTask.save() does (not run on migration models): a running beat reloads its schedule.
    from django.utils import timezone

    apps.get_model("django_celery_beat", "PeriodicTasks").objects.update_or_create(
        ident=1, defaults={"last_update": timezone.now()})


def remove(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=NAME).delete()
    _changed(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("transfers", "0002_import_queue_history"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create, remove)]
