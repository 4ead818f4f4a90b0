from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(label=_("PDF 文书"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.RECORDS_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("文件过大"))
        head = upload.read(5)
        upload.seek(0)
        if head != b"%PDF-":
            raise forms.ValidationError(_("这不是 PDF 文件"))
        return upload
