import django.db.models.deletion
from django.db import migrations, models
from django.utils.text import slugify


def regions_from_names(apps, schema_editor):
    """Each distinct free-text region a store had becomes a Region the store points at."""
    Store = apps.get_model("stores", "Store")
    Region = apps.get_model("stores", "Region")
    names = Store.objects.exclude(region_name="").values_list("region_name", flat=True).distinct()
    for number, name in enumerate(sorted(set(names)), start=1):
        code = slugify(name)[:40] or f"region-{number}"
        if Region.objects.filter(code=code).exists():
            code = f"{code[:30]}-{number}"
        region = Region.objects.create(code=code, name=name[:60])
        Store.objects.filter(region_name=name).update(region=region)


def names_from_regions(apps, schema_editor):
    Store = apps.get_model("stores", "Store")
    for store in Store.objects.exclude(region=None).select_related("region"):
        Store.objects.filter(pk=store.pk).update(region_name=store.region.name)


class Migration(migrations.Migration):
    dependencies = [("stores", "0005_store_target_labor_percent")]

    operations = [
        migrations.CreateModel(
            name="Region",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                ("code", models.SlugField(max_length=40, unique=True, verbose_name="code")),
                ("name", models.CharField(max_length=60, unique=True, verbose_name="name")),
            ],
            options={"verbose_name": "region", "verbose_name_plural": "regions", "ordering": ["name"]},
        ),
        migrations.RenameField("store", "region", "region_name"),
        migrations.AddField(
            model_name="store",
            name="region",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="stores",
                to="stores.region",
                verbose_name="region",
            ),
        ),
        migrations.RunPython(regions_from_names, names_from_regions),
        migrations.RemoveField("store", "region_name"),
    ]
