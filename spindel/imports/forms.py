"""Forms of the import page: the file, and the buttons that undo an import."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField


class ImportForm(FlaskForm):
    file = FileField(_l("File (CSV or Excel)"), validators=[
        FileRequired(_l("Choose a file to import.")),
        FileAllowed(["csv", "xlsx", "txt"], _l("Use a .csv or .xlsx file."))])
    add_unknown = BooleanField(_l("Add the unknown districts and professions listed above"))
    # Shown once a file turned out to have answers for a round that is not closed: the
    # ticked box holds for that file only (its SHA-256 comes back in confirmed_file).
    confirm_open = BooleanField(_l("Yes, import these answers into the rounds listed above, "
                                   "although they are not closed"))
    confirmed_file = HiddenField()

    def confirms(self, digest: str) -> bool:
        """Whether the supporter confirmed importing this very file into unclosed rounds."""
        return bool(self.confirm_open.data) and self.confirmed_file.data == digest


class UndoForm(FlaskForm):
    """The button that undoes one import: only the CSRF token travels."""
