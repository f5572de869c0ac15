"""The dashboard page. Streamlit runs this script again on every interaction."""

import json
import logging
import random
from pathlib import Path

import streamlit as st

import observability

PAGE = "home"
CONFIG = json.loads((Path(__file__).parent / "dashboard.json").read_text(encoding="utf-8"))

# main.py has started it already; this keeps `streamlit run app.py` working on a laptop.
observability.start()
log = logging.getLogger("dashboard")


def record_interaction(widget: str) -> None:
    observability.INTERACTIONS.labels(widget=widget).inc()
    log.info("widget changed", extra={"widget": widget, "value": st.session_state.get(widget)})


def random_walk(points: int, volatility: float, seed: int) -> list[float]:
    rng = random.Random(seed)
    value, series = 100.0, []
    for _ in range(points):
        value += rng.gauss(0, volatility)
        series.append(round(value, 2))
    return series


with observability.RENDER_SECONDS.labels(page=PAGE).time():
    st.set_page_config(page_title=CONFIG["title"], layout="wide")

    if not st.session_state.get("viewed"):
        st.session_state["viewed"] = True
        observability.PAGE_VIEWS.labels(page=PAGE).inc()
        log.info("page viewed", extra={"page": PAGE})

    st.title(CONFIG["title"])
    st.markdown(CONFIG["message"])

    controls, chart = st.columns([1, 3])
    with controls:
        points = st.slider(
            "Data points", 10, 500, 100, key="points",
            on_change=record_interaction, args=("points",),
        )
        volatility = st.select_slider(
            "Volatility", options=[0.5, 1.0, 2.0, 5.0], value=1.0, key="volatility",
            on_change=record_interaction, args=("volatility",),
        )
        seed = st.number_input(
            "Seed", min_value=0, max_value=9999, value=42, step=1, key="seed",
            on_change=record_interaction, args=("seed",),
        )

    series = random_walk(points, volatility, int(seed))
    with chart:
        st.line_chart({"value": series})
        first, last = series[0], series[-1]
        st.metric("Last value", f"{last:.2f}", delta=f"{last - first:.2f}")
