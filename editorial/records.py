"""Append-only records: rows the application writes once and never changes or deletes."""

from django.db import models


class ImmutableRecordError(Exception):
    """Raised on any attempt to change or delete an append-only record."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise ImmutableRecordError(f"{self.model._meta.verbose_name_plural} are append-only; they cannot be updated.")

    def delete(self):
        raise ImmutableRecordError(f"{self.model._meta.verbose_name_plural} are append-only; they cannot be deleted.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecordError(f"This {self._meta.verbose_name} is append-only; it cannot be changed.")
        # A new instance given an existing row's pk would otherwise UPDATE that row.
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError(f"This {self._meta.verbose_name} is append-only; it cannot be deleted.")
