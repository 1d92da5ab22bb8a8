"""The `SparkConnect.ui_url` option: the template of the Spark UI links this process shows.

Set by the notebook's magics, read by every card that links to the UI (the Python API's status
card, the session card, the panel): so it lives here, below all of them.
"""

from __future__ import annotations


class UiLinkOption:
    def __init__(self) -> None:
        self._template = ""

    @property
    def template(self) -> str:
        """A template with `{port}` for the UI's port; "": detected (server/uilink.py)."""
        return self._template

    def follow_option(self, template: str) -> None:
        """The magics' option, as set now (checked there already)."""
        self._template = template


UI_LINK = UiLinkOption()
