from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import User


class DigestSettingsForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["receives_digest"]
        labels = {"receives_digest": _("Send me the daily digest of my open assignments")}
        # The page explains what is always sent in the paragraph with this id.
        widgets = {"receives_digest": forms.CheckboxInput(attrs={"aria-describedby": "always-sent"})}
