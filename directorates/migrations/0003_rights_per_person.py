from django.db import migrations, models


# Rights per person (issue #15): one group per right, created here and editable in the admin.
# People who held the matching organisation role keep what they could do. Frozen here on purpose
# (migrations do not import application code); the names are the app's permissions.GROUPS.
APP_LABEL = "directorates"
GROUPS = {
    'Manage cahiers des charges': ('deliverable', 'manage_deliverables', 'Can manage the cahier des charges of any unit', ('reviewer',)),
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


class Migration(migrations.Migration):

    dependencies = [
        ('directorates', '0002_field_labels'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='deliverable',
            options={'ordering': ['directorate__path', 'year', 'due_date', 'id'], 'permissions': [('manage_deliverables', 'Can manage the cahier des charges of any unit')], 'verbose_name': 'deliverable', 'verbose_name_plural': 'cahier des charges (deliverables)'},
        ),
        migrations.AlterField(
            model_name='historicaluser',
            name='org_role',
            field=models.CharField(blank=True, choices=[('', 'None'), ('reviewer', "DG's office"), ('approver', 'Director-General')], help_text="The DG's office and the DG see every unit. What a person may do (review reports, prepare or approve the roadmap, approve the bilan…) is given by their groups and permissions.", max_length=16, verbose_name='organisation-wide role'),
        ),
        migrations.AlterField(
            model_name='user',
            name='org_role',
            field=models.CharField(blank=True, choices=[('', 'None'), ('reviewer', "DG's office"), ('approver', 'Director-General')], help_text="The DG's office and the DG see every unit. What a person may do (review reports, prepare or approve the roadmap, approve the bilan…) is given by their groups and permissions.", max_length=16, verbose_name='organisation-wide role'),
        ),
        migrations.RunPython(create_groups, remove_groups),
    ]
