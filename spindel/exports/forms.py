"""The filter of the downloads page: the results page's own filter (rounds side by side; all
answers, one profession or one district), so a file shows what the page shows and takes the
same address arguments."""

from __future__ import annotations

from ..results.forms import ResultsFilterForm


class ExportFilterForm(ResultsFilterForm):
    """ResultsFilterForm with what the download links and the 400 page need."""

    def export_selection(self) -> dict:
        """The validated filter as the export services take it: rounds (None = every
        round), at most one of profession and district, and the reader's scope."""
        selection = self.selection()
        return {"rounds": list(selection.rounds) or None, "profession": selection.profession,
                "district": selection.district, "scope": self.scope}

    def query(self) -> dict:
        """The filter as query arguments for the download links."""
        args: dict = {}
        if self.round.data:
            args["round"] = list(self.round.data)
        if self.group.data:
            args["group"] = self.group.data
        return args

    def error_message(self) -> str:
        """The form's errors, one sentence per field, for a 400 page."""
        return " ".join(f"{field.label.text}: {field.errors[0]}" for field in self
                        if field.errors)
