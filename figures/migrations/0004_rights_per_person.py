from django.db import migrations


# Rights per person (issue #15): one group per right, created here and editable in the admin.
# People who held the matching organisation role keep what they could do. Frozen here on purpose
# (migrations do not import application code); the names are the app's permissions.GROUPS.
APP_LABEL = "figures"
GROUPS = {
    'Prepare the bilan': ('bilan', 'prepare_bilan', 'Can prepare the bilan (national figures, draft, publish)', ('reviewer',)),
    'Approve the bilan': ('bilan', 'approve_bilan', 'Can approve the bilan', ('approver',)),
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
        ('figures', '0003_public_edition'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('directorates', '0003_rights_per_person'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='bilan',
            options={'ordering': ['-year'], 'permissions': [('prepare_bilan', 'Can prepare the bilan (national figures, draft, publish)'), ('approve_bilan', 'Can approve the bilan')], 'verbose_name': 'annual report (bilan)', 'verbose_name_plural': 'annual reports (bilans)'},
        ),
        migrations.RunPython(create_groups, remove_groups),
    ]
