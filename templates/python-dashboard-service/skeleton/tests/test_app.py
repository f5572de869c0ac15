"""Runs the dashboard page the way Streamlit does, headless, and checks what it renders."""

import json
from pathlib import Path

from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent


def test_page_renders_the_configured_title_without_errors():
    config = json.loads((ROOT / "dashboard.json").read_text(encoding="utf-8"))
    page = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    assert not page.exception
    assert [title.value for title in page.title] == [config["title"]]


def test_page_survives_a_widget_change():
    page = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30).run()
    page.slider(key="points").set_value(20).run()
    assert not page.exception
