"""Dish photos: an admin uploads one by API (PUT /dishes/{id}/photo/, multipart: the one body that
is not JSON) or in the admin; too big or not a JPEG, PNG or WebP image is a 400 naming the field;
the URL is in the dish's representation; a replaced or removed photo leaves storage. Files go to
a temporary MEDIA_ROOT."""

from __future__ import annotations

import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from menu import services
from menu.models import Dish
from menu.tests.factories import DishFactory

DISHES = "/api/v1/dishes/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


def image_file(name="dish.png", fmt="PNG", size=(64, 48), noise=False) -> SimpleUploadedFile:
    if noise:  # incompressible: the file is about width × height × 3 bytes
        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (200, 40, 30))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def _files(media):
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


@pytest.mark.django_db
class TestPhotoAPI:
    @pytest.mark.parametrize(("name", "fmt"), [("dish.png", "PNG"), ("dish.jpg", "JPEG"), ("dish.webp", "WEBP")])
    def test_an_admin_uploads_a_photo_and_everyone_reads_its_url(self, actors, client_for, media, name, fmt):
        dish = DishFactory()
        response = client_for(actors.admin).put(
            f"{DISHES}{dish.pk}/photo/", {"photo": image_file(name, fmt)}, format="multipart"
        )
        assert response.status_code == 200, response.content
        url = response.json()["photo"]
        dish.refresh_from_db()
        assert dish.photo.name.startswith("dishes/") and dish.photo.name.endswith(name.rsplit(".", 1)[1])
        assert url == f"http://testserver/media/{dish.photo.name}"
        assert _files(media) == [dish.photo.name]
        assert client_for(actors.staff).get(f"{DISHES}{dish.pk}/").json()["photo"] == url

    def test_a_dish_without_a_photo_reads_null(self, actors, client_for):
        dish = DishFactory()
        assert client_for(actors.staff).get(f"{DISHES}{dish.pk}/").json()["photo"] is None

    def test_too_big_is_400_naming_the_field_and_nothing_is_stored(self, actors, client_for, media, settings):
        dish = DishFactory()
        big = image_file(size=(900, 900), noise=True)
        assert big.size > 2 * 1024 * 1024
        response = client_for(actors.admin).put(f"{DISHES}{dish.pk}/photo/", {"photo": big}, format="multipart")
        assert response.status_code == 400
        assert list(response.json()) == ["photo"]
        assert "2 MB" in response.json()["photo"][0]
        dish.refresh_from_db()
        assert not dish.photo and _files(media) == []

    @pytest.mark.parametrize(
        "upload",
        [
            SimpleUploadedFile("dish.png", b"not an image at all", content_type="image/png"),
            image_file("dish.gif", "GIF"),
            image_file("dish.png", "GIF"),  # a GIF named .png: the content decides
            image_file("dish.bmp", "BMP"),
        ],
        ids=["text", "gif", "gif-named-png", "bmp"],
    )
    def test_not_a_jpeg_png_or_webp_is_400_naming_the_field(self, actors, client_for, media, upload):
        dish = DishFactory()
        response = client_for(actors.admin).put(f"{DISHES}{dish.pk}/photo/", {"photo": upload}, format="multipart")
        assert response.status_code == 400, response.content
        assert list(response.json()) == ["photo"] and response.json()["photo"]
        assert _files(media) == []

    def test_replacing_and_removing_a_photo_delete_the_old_file(
        self, actors, client_for, media, django_capture_on_commit_callbacks
    ):
        dish = DishFactory()
        client = client_for(actors.admin)
        with django_capture_on_commit_callbacks(execute=True):
            client.put(f"{DISHES}{dish.pk}/photo/", {"photo": image_file("a.png")}, format="multipart")
        first = Dish.objects.get(pk=dish.pk).photo.name
        with django_capture_on_commit_callbacks(execute=True):
            response = client.put(f"{DISHES}{dish.pk}/photo/", {"photo": image_file("b.png")}, format="multipart")
        second = Dish.objects.get(pk=dish.pk).photo.name
        assert response.status_code == 200 and first != second
        assert _files(media) == [second]
        with django_capture_on_commit_callbacks(execute=True):
            response = client.delete(f"{DISHES}{dish.pk}/photo/")
        assert response.status_code == 200 and response.json()["photo"] is None
        assert _files(media) == [] and not Dish.objects.get(pk=dish.pk).photo

    def test_a_manager_may_not_upload(self, actors, client_for, media):
        dish = DishFactory()
        response = client_for(actors.manager).patch(f"{DISHES}{dish.pk}/", {"photo": image_file()}, format="multipart")
        assert response.status_code == 403
        assert _files(media) == []

    def test_every_other_body_stays_json_only(self, actors, client_for, media):
        """docs/api.md: the photo upload is the one multipart body; the dish itself is JSON."""
        dish = DishFactory()
        client = client_for(actors.admin)
        response = client.patch(f"{DISHES}{dish.pk}/", {"photo": image_file()}, format="multipart")
        assert response.status_code == 415
        response = client.put(f"{DISHES}{dish.pk}/photo/", {"photo": "x"}, format="json")
        assert response.status_code == 415
        # The URL is read-only on the resource: a JSON write of it changes nothing.
        response = client.patch(f"{DISHES}{dish.pk}/", {"photo": "/media/x.png"}, format="json")
        assert response.status_code == 200 and response.json()["photo"] is None
        assert _files(media) == []


@pytest.mark.django_db
class TestPhotoAdmin:
    def test_the_admin_uploads_a_photo_and_shows_a_thumbnail(self, actors, media):
        dish = services.dish_create(
            code="P002", name_zh="夫妻肺片", name_en="Sliced Beef in Chili Sauce",
            category=DishFactory().category, base_price_cents=42_00,
        )  # fmt: skip
        client = Client()
        client.force_login(actors.admin)
        url = f"/admin/menu/dish/{dish.pk}/change/"
        page = client.get(url)
        assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.content.decode()
        data = {
            "code": "P002", "name_zh": "夫妻肺片", "name_en": "Sliced Beef in Chili Sauce",
            "category": str(dish.category_id), "position": "0", "is_active": "on", "description": "",
            "spice_level": "0", "allergens": "", "base_price_cents": "42.00",
            "photo": image_file("fq.webp", "WEBP"),
        }  # fmt: skip
        for prefix in ("components", "recipe_lines", "modifiers"):
            data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0",
                         f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"})  # fmt: skip
        response = client.post(url, data)
        assert response.status_code == 302, response.context["errors"] if response.context else response
        dish.refresh_from_db()
        assert dish.photo.name.endswith(".webp")
        page = client.get(url).content.decode()
        assert f'<img src="/media/{dish.photo.name}"' in page

        # Too big: the form says so, nothing changes.
        data["photo"] = image_file("big.png", size=(900, 900), noise=True)
        response = client.post(url, data)
        assert response.status_code == 200
        assert "at most 2 MB" in response.content.decode()
        assert Dish.objects.get(pk=dish.pk).photo.name == dish.photo.name
