"""Database constraints and derived permissions of accounts.User."""

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from accounts.models import User
from accounts.tests.factories import AdminFactory, UserFactory
from zhilian.roles import Role


def _insert(**fields):
    with transaction.atomic():
        User.objects.bulk_create([User(username=fields.pop("username", "raw"), email="raw@example.com", **fields)])


@pytest.mark.django_db
class TestUserConstraints:
    def test_non_admin_without_store_is_rejected_by_the_database(self):
        for role in (Role.STAFF, Role.MANAGER):
            with pytest.raises(IntegrityError):
                _insert(role=role, store=None)

    def test_admin_without_store_is_fine(self):
        _insert(role=Role.ADMIN, store=None)
        assert User.objects.get(username="raw").role == "admin"

    def test_unknown_role_is_rejected_by_the_database(self, store):
        with pytest.raises(IntegrityError):
            _insert(role="emperor", store=store)

    def test_username_and_email_are_unique(self, staff):
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create(username="staff1", email="other@example.com", store=staff.store)
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create(username="other", email="staff1@example.com", store=staff.store)

    def test_a_store_with_users_is_protected(self, staff):
        with pytest.raises(ProtectedError):
            staff.store.delete()

    def test_create_user_validates_the_store_rule(self, db):
        from django.core.exceptions import ValidationError

        with pytest.raises(ValidationError):
            User.objects.create_user("lonely", "lonely@example.com", "x", role=Role.STAFF)

    def test_create_superuser_is_an_admin(self, db):
        user = User.objects.create_superuser("root", "root@example.com", "Very-secret-123")
        assert (user.role, user.is_superuser, user.is_staff) == ("admin", True, True)
        assert user.check_password("Very-secret-123")


@pytest.mark.django_db
class TestDerivedFlags:
    def test_flags_follow_the_role(self, store):
        staff = UserFactory(store=store)
        manager = UserFactory(store=store, role=Role.MANAGER)
        admin = AdminFactory()
        assert (staff.is_staff, staff.is_superuser) == (False, False)
        assert (manager.is_staff, manager.is_superuser) == (True, False)
        assert (admin.is_staff, admin.is_superuser) == (True, True)

    def test_permissions_come_from_the_matrix(self, store):
        manager = UserFactory(store=store, role=Role.MANAGER)
        assert manager.has_perm("stores.change_store")
        assert not manager.has_perm("stores.delete_store")
        assert manager.has_perm("stores.delete_employee")
        assert manager.has_module_perms("stores")

    def test_an_inactive_user_has_no_powers(self, store):
        manager = UserFactory(store=store, role=Role.MANAGER, is_active=False)
        assert not manager.is_staff
        assert not manager.has_perm("stores.view_store")


@pytest.mark.django_db
class TestCaseInsensitiveUniqueness:
    def test_username_and_email_are_unique_ignoring_case(self, staff):
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create(username="STAFF1", email="x@example.com", store=staff.store)
        with pytest.raises(IntegrityError), transaction.atomic():
            User.objects.create(username="x", email="Staff1@Example.com", store=staff.store)

    def test_full_clean_names_the_constraint(self, staff):
        from django.core.exceptions import ValidationError

        user = User(username="Staff1", email="y@example.com", store=staff.store)
        with pytest.raises(ValidationError) as exc:
            user.full_clean(exclude=["password"])
        assert "A user with that username already exists." in str(exc.value)
