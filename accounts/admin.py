from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Professional"), {"fields": ("credentials",)}),
        (_("Email"), {"fields": ("receives_digest",)}),
    )
    list_display = ("username", "email", "first_name", "last_name", "credentials", "is_staff")
    list_filter = (*DjangoUserAdmin.list_filter, "receives_digest")
