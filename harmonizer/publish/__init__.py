"""Publishing figures: aggregate tables, the meeting report (html, xlsx) and their words."""
