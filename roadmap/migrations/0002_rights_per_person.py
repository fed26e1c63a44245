import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# Rights per person (issue #15): one group per right, created here and editable in the admin.
# People who held the matching organisation role keep what they could do. Frozen here on purpose
# (migrations do not import application code); the names are the app's permissions.GROUPS.
APP_LABEL = "roadmap"
GROUPS = {
    'Prepare the roadmap': ('roadmap', 'prepare_roadmap', 'Can prepare the roadmap (meeting, compile, edit, propose)', ('reviewer',)),
    'Approve the roadmap': ('roadmap', 'approve_roadmap', 'Can approve the roadmap or send it back', ('approver',)),
}


def create_groups(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    User = apps.get_model("directorates", "User")
    Membership = User.groups.through
    for name, (model, codename, label, org_roles) in GROUPS.items():
        content_type, _ = ContentType.objects.get_or_create(app_label=APP_LABEL, model=model)
        permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                         defaults={"name": label})
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)
        user_ids = User.objects.filter(org_role__in=org_roles).values_list("pk", flat=True)
        Membership.objects.bulk_create([Membership(user_id=pk, group_id=group.pk) for pk in user_ids],
                                       ignore_conflicts=True)


def remove_groups(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name__in=list(GROUPS)).delete()
    Permission.objects.filter(content_type__app_label=APP_LABEL,
                              codename__in=[codename for _, codename, _, _ in GROUPS.values()]).delete()


def fill_proposers(apps, schema_editor):
    """Approved versions record who proposed them: the last proposal of that version before its approval."""
    RoadmapVersion = apps.get_model("roadmap", "RoadmapVersion")
    RoadmapEvent = apps.get_model("roadmap", "RoadmapEvent")
    for version in RoadmapVersion.objects.filter(proposed_by__isnull=True):
        event = (
            RoadmapEvent.objects.filter(roadmap_id=version.roadmap_id, version=version.number, new_state="proposed",
                                        created_at__lte=version.approved_at)
            .order_by("-created_at", "-id").first()
        )
        if event is not None:
            version.proposed_by_id, version.proposed_at = event.actor_id, event.created_at
            version.save(update_fields=["proposed_by", "proposed_at"])


class Migration(migrations.Migration):

    dependencies = [
        ('roadmap', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('directorates', '0003_rights_per_person'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='roadmap',
            options={'ordering': ['-year'], 'permissions': [('prepare_roadmap', 'Can prepare the roadmap (meeting, compile, edit, propose)'), ('approve_roadmap', 'Can approve the roadmap or send it back')], 'verbose_name': 'roadmap', 'verbose_name_plural': 'roadmaps'},
        ),
        migrations.AddField(
            model_name='roadmapversion',
            name='proposed_at',
            field=models.DateTimeField(blank=True, null=True, verbose_name='proposed at'),
        ),
        migrations.AddField(
            model_name='roadmapversion',
            name='proposed_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='proposed by'),
        ),
        migrations.AlterField(
            model_name='roadmapversion',
            name='approved_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='approved by'),
        ),
        migrations.RunPython(create_groups, remove_groups),
        migrations.RunPython(fill_proposers, migrations.RunPython.noop),
    ]
