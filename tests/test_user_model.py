"""The user model: e-mail as the unique, case-insensitive sign-in name; Argon2."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import identify_hasher, make_password
from django.db import IntegrityError, transaction

from priorityvote.models import User

PASSWORD = "purple elephant juggles teacups"


@pytest.mark.django_db
def test_create_user_stores_email_lowercase():
    user = User.objects.create_user(" Grace@Example.COM ", PASSWORD, display_name="G")

    user.refresh_from_db()
    assert user.email == "grace@example.com"


@pytest.mark.django_db
def test_save_stores_email_lowercase():
    user = User(email="Grace@Example.COM", display_name="Grace")

    user.save()

    assert User.objects.filter(email="grace@example.com").count() == 1


@pytest.mark.django_db
def test_create_superuser_stores_email_lowercase():
    user = User.objects.create_superuser("Root@Example.COM", PASSWORD, display_name="R")

    assert user.email == "root@example.com"
    assert user.is_staff
    assert user.is_superuser


def test_email_is_unique_ignoring_case(owner):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(email="ADA@Example.com", display_name="Another Ada")

    assert User.objects.filter(email__iexact="ada@example.com").count() == 1


@pytest.mark.django_db
def test_create_user_requires_email():
    with pytest.raises(ValueError, match="e-mail address is required"):
        User.objects.create_user("", PASSWORD, display_name="Nobody")


def test_natural_key_lookup_ignores_case(owner):
    assert User.objects.get_by_natural_key("ADA@Example.COM") == owner


def test_authenticate_ignores_email_case(db):
    user = User.objects.create_user("grace@example.com", PASSWORD, display_name="G")

    assert authenticate(email="GRACE@example.com", password=PASSWORD) == user


def test_authenticate_rejects_inactive_user(db):
    User.objects.create_user(
        "grace@example.com", PASSWORD, display_name="G", is_active=False
    )

    assert authenticate(email="grace@example.com", password=PASSWORD) is None


@pytest.mark.django_db
def test_new_password_is_hashed_with_argon2():
    user = User.objects.create_user("grace@example.com", PASSWORD, display_name="G")

    assert user.password.startswith("argon2")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password(PASSWORD)


def test_changed_password_is_hashed_with_argon2(owner):
    owner.set_password("another fine passphrase")

    assert owner.password.startswith("argon2")


def test_persona_password_is_argon2(owner):
    assert owner.password.startswith("argon2")


@pytest.mark.django_db
def test_pbkdf2_hash_upgraded_at_sign_in():
    user = User.objects.create(
        email="grace@example.com",
        display_name="Grace",
        password=make_password(PASSWORD, hasher="pbkdf2_sha256"),
    )

    assert authenticate(email="grace@example.com", password=PASSWORD) == user
    user.refresh_from_db()
    assert user.password.startswith("argon2")


def test_user_reads_as_email(owner):
    assert str(owner) == "ada@example.com"
    assert owner.get_full_name() == "Ada"
