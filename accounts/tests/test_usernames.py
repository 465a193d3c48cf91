"""The one username rule (accounts/usernames.py), as properties and at every door.

Properties (hypothesis): whatever the input — zero-width and bidi characters, controls, spaces,
fullwidth forms, Cyrillic and Greek look-alikes, ideographs — a username is either refused or
comes out NFKC-normalized, inside the documented character set, and stable when cleaned again.
Doors: the API register endpoint (signed in and anonymous), the users API (create, rename), the
admin add and change forms, the services and the model manager all refuse the same names and
store the same normalized form, and uniqueness compares that form.
"""

import unicodedata

import pytest
from django.contrib.admin.utils import quote
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from accounts import services
from accounts.models import User
from accounts.tests.factories import TEST_PASSWORD
from accounts.usernames import ASCII_ALLOWED, MAX_LENGTH, clean_username, is_ideograph, normalize_username
from zhilian.errors import InvalidInput

ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u180e"
BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"
CONTROLS = "".join(map(chr, range(0x20))) + "\x7f\x85"
SPACES = " \u00a0\u2009\u3000\u202f"
FULLWIDTH = "".join(chr(c) for c in range(0xFF01, 0xFF5F))
CYRILLIC_LOOKALIKES = "аеорсухіјѕАВЕКМНОРСТХ"
GREEK_LOOKALIKES = "αονρΑΒΕΖΗΙΚΜΝΟΡΤΥΧ"
OTHER_FORMS = "ﬁⓐ𝐚ℌ①¹ａ㎞\uf900\u2f00"  # ligature, circled, math bold, compatibility ideograph, radical
IDEOGRAPHS = "王伟张丽李娜刘洋陈静"
ASCII = "".join(sorted(ASCII_ALLOWED))
INVISIBLE = ZERO_WIDTH + BIDI
LOOKALIKES = CYRILLIC_LOOKALIKES + GREEK_LOOKALIKES

names = st.text(
    alphabet=st.sampled_from(ASCII + IDEOGRAPHS + INVISIBLE + CONTROLS + SPACES + FULLWIDTH + LOOKALIKES + OTHER_FORMS),
    max_size=40,
)
plain_names = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789" + IDEOGRAPHS), min_size=1)


def to_fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


class TestProperties:
    @given(names)
    def test_a_name_is_refused_or_comes_out_normalized_and_inside_the_set(self, raw):
        try:
            name = clean_username(raw)
        except ValidationError:
            return
        assert name == unicodedata.normalize("NFKC", raw).strip()
        assert name == unicodedata.normalize("NFKC", name)
        assert 1 <= len(name) <= MAX_LENGTH
        assert all(c in ASCII_ALLOWED or is_ideograph(c) for c in name)
        assert not any(unicodedata.category(c) in ("Cc", "Cf", "Zs", "Zl", "Zp") for c in name)
        assert clean_username(name) == name

    @given(st.text(alphabet=st.sampled_from(ASCII + IDEOGRAPHS)), st.sampled_from(INVISIBLE), plain_names)
    def test_zero_width_and_bidi_characters_are_refused_anywhere(self, before, invisible, after):
        with pytest.raises(ValidationError) as error:
            clean_username(before + invisible + after)
        assert f"U+{ord(invisible):04X}" in error.value.messages[0]

    @given(plain_names, st.sampled_from(LOOKALIKES), st.text(alphabet=st.sampled_from(ASCII)))
    def test_cyrillic_and_greek_lookalikes_are_refused(self, before, lookalike, after):
        with pytest.raises(ValidationError):
            clean_username(before + lookalike + after)

    @given(plain_names, st.sampled_from(SPACES + CONTROLS), plain_names)
    def test_spaces_and_controls_inside_a_name_are_refused(self, before, char, after):
        with pytest.raises(ValidationError):
            clean_username(before + char + after)

    @given(st.text(alphabet=st.sampled_from(ASCII), min_size=1).filter(lambda s: any(c.isalnum() for c in s)))
    def test_fullwidth_forms_normalize_to_the_ascii_name(self, name):
        assert clean_username(to_fullwidth(name)) == name

    def test_examples(self):
        assert clean_username("王伟.sh01") == "王伟.sh01"
        assert clean_username("  staff1 ") == "staff1"
        assert clean_username("ﬁsh") == "fish"
        assert clean_username("\u2f00号") == "一号"  # a Kangxi radical becomes the ideograph
        for bad in ["", "...", "a" * 151, "a b", "staff\u200b1", "аdmin", "ad\u202emin"]:
            with pytest.raises(ValidationError):
                clean_username(bad)

    def test_logins_are_looked_up_normalized(self):
        assert normalize_username("ｓｔａｆｆ１") == "staff1"


# --- every door applies the same rule -----------------------------------------------------------

BAD = ["staff\u200b9", "аdmin9", "ad\u202emin9", "new cook", "new\x00cook", "ѕtaff9", "ｎｅｗ\u3000cook"]
FULLWIDTH_NEW = to_fullwidth("newcook")  # ｎｅｗｃｏｏｋ -> newcook
FULLWIDTH_TAKEN = to_fullwidth("STAFF1")  # the same name as staff1 once normalized
PASSWORD = "Fresh-pass-2026!"


def api_body(username, **extra):
    return {"username": username, "email": "newcook@example.com", "password": PASSWORD, "store": "STORE001", **extra}


def admin_add_form(username):
    return {
        "username": username,
        "email": "newcook@example.com",
        "full_name": "New Cook",
        "phone": "",
        "role": "staff",
        "store": "STORE001",
        "usable_password": "true",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }


def admin_change_form(user, username):
    return {
        "username": username,
        "email": user.email,
        "full_name": user.full_name,
        "phone": "",
        "role": user.role,
        "store": user.store_id,
        "is_active": "on",
    }


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def via_register(actors, client_for, username):
    response = client_for(actors.admin).post("/api/v1/auth/register/", api_body(username), format="json")
    return response.status_code, response.json()


def via_open_register(actors, client_for, username, settings):
    settings.ZHILIAN_OPEN_REGISTRATION = True
    response = client_for(None).post("/api/v1/auth/register/", api_body(username), format="json")
    return response.status_code, response.json()


def via_users_create(actors, client_for, username):
    response = client_for(actors.admin).post("/api/v1/users/", api_body(username), format="json")
    return response.status_code, response.json()


def via_users_rename(actors, client_for, username):
    url = f"/api/v1/users/{actors.other_staff.pk}/"
    response = client_for(actors.admin).patch(url, {"username": username}, format="json")
    return response.status_code, response.json()


def via_admin_add(actors, client_for, username):
    response = logged_in(actors.admin).post(reverse("admin:accounts_user_add"), admin_add_form(username))
    if response.status_code == 302:
        return 302, {}
    return response.status_code, dict(response.context["adminform"].form.errors)


def via_admin_change(actors, client_for, username):
    user = actors.other_staff
    url = reverse("admin:accounts_user_change", args=[quote(user.pk)])
    response = logged_in(actors.admin).post(url, admin_change_form(user, username))
    if response.status_code == 302:
        return 302, {}
    return response.status_code, dict(response.context["adminform"].form.errors)


def via_service_create(actors, client_for, username):
    try:
        services.user_create(actor=actors.admin, username=username, email="newcook@example.com", store=actors.store)
    except InvalidInput as exc:
        return 400, exc.errors
    return 201, {}


def via_service_rename(actors, client_for, username):
    try:
        services.user_update(actor=actors.admin, user=actors.other_staff, username=username)
    except InvalidInput as exc:
        return 400, exc.errors
    return 200, {}


def via_manager(actors, client_for, username):
    try:
        User.objects.create_user(username, "newcook@example.com", PASSWORD, store=actors.store)
    except ValidationError as exc:
        return 400, exc.message_dict
    return 201, {}


DOORS = {
    "api-register": via_register,
    "api-users-create": via_users_create,
    "api-users-rename": via_users_rename,
    "admin-add": via_admin_add,
    "admin-change": via_admin_change,
    "service-create": via_service_create,
    "service-rename": via_service_rename,
    "model-manager": via_manager,
}
SUCCESS = {200, 201, 202, 302}


def renamed_or_created(actors):
    """The account the door wrote: the renamed other_staff or the new one."""
    actors.other_staff.refresh_from_db()
    created = User.objects.filter(email="newcook@example.com").first()
    return created or actors.other_staff


@pytest.mark.parametrize("door", DOORS)
@pytest.mark.parametrize("username", BAD, ids=lambda u: u.encode("unicode_escape").decode())
def test_every_door_refuses_the_same_names(actors, client_for, door, username):
    status, errors = DOORS[door](actors, client_for, username)
    assert status in (200, 400), (door, status, errors)
    assert "username" in errors, (door, errors)
    assert not User.objects.filter(email="newcook@example.com").exists()
    actors.other_staff.refresh_from_db()
    assert actors.other_staff.username == "staff2"


@pytest.mark.parametrize("door", DOORS)
def test_every_door_stores_the_normalized_form(actors, client_for, door):
    status, errors = DOORS[door](actors, client_for, FULLWIDTH_NEW)
    assert status in SUCCESS, (door, status, errors)
    assert renamed_or_created(actors).username == "newcook"


@pytest.mark.parametrize("door", DOORS)
def test_uniqueness_compares_the_normalized_form(actors, client_for, door):
    status, errors = DOORS[door](actors, client_for, FULLWIDTH_TAKEN)
    assert status in (200, 400), (door, status, errors)
    assert "username" in errors or "__all__" in errors, (door, errors)
    assert User.objects.filter(username__iexact="staff1").count() == 1


@pytest.mark.parametrize("username", BAD, ids=lambda u: u.encode("unicode_escape").decode())
def test_anonymous_sign_up_refuses_the_same_names(actors, client_for, settings, username):
    status, errors = via_open_register(actors, client_for, username, settings)
    assert status == 400
    assert "username" in errors
    assert not User.objects.filter(email="newcook@example.com").exists()


def test_anonymous_sign_up_stores_the_normalized_form(actors, client_for, settings):
    status, _body = via_open_register(actors, client_for, FULLWIDTH_NEW, settings)
    assert status == 202
    assert User.objects.get(email="newcook@example.com").username == "newcook"


def test_a_login_typed_in_fullwidth_finds_the_account(actors, anon_client):
    response = anon_client.post(
        "/api/v1/auth/login/", {"username": to_fullwidth("staff1"), "password": TEST_PASSWORD}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["user"]["username"] == "staff1"
