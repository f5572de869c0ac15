"""The process entry point: metrics and JSON logs first, then Streamlit.

Streamlit runs app.py only when a browser opens a session, so anything app.py starts is missing
from an idle pod: Prometheus would find no /metrics and the logs would not be JSON. This starts
both before Streamlit serves anything, then runs Streamlit in the same process, so the metrics
server (a thread of this process) lives as long as the app.
"""

import sys
from pathlib import Path

import observability

APP = Path(__file__).with_name("app.py")


def main() -> None:
    observability.start()
    # Imported only now: Streamlit creates its loggers on import and formats them its own way.
    from streamlit import logger as streamlit_logger
    from streamlit.web import cli

    observability.use_json_for_streamlit(streamlit_logger)
    # The same as `streamlit run app.py [options]`; exits with Streamlit's exit code.
    cli.main(args=["run", str(APP), *sys.argv[1:]], prog_name="streamlit")


if __name__ == "__main__":
    main()
