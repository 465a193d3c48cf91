import factory

from accounts.models import User
from zhilian.roles import Role

TEST_PASSWORD = "Zh1lian-test-pass!"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    full_name = factory.Faker("name")
    role = Role.STAFF
    store = factory.SubFactory("stores.tests.factories.StoreFactory")
    is_active = True

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or TEST_PASSWORD)
        if create:
            obj.save(update_fields=["password"])


class AdminFactory(UserFactory):
    role = Role.ADMIN
    store = None


class ManagerFactory(UserFactory):
    role = Role.MANAGER


class AreaManagerFactory(UserFactory):
    """An area manager (no store) of the regions given as `regions=[...]`."""

    role = Role.AREA_MANAGER
    store = None

    @factory.post_generation
    def regions(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.managed_regions.set(extracted)


class FinanceFactory(UserFactory):
    role = Role.FINANCE
    store = None
