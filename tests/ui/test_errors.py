"""An exception in a slot or a worker thread is logged and shown; the app keeps running."""

import logging
import threading

import pytest
from PySide6.QtCore import QTimer

from gradviz.ui.errors import ExceptionReporter, setup_file_logging


@pytest.fixture
def reporter(window, tmp_path):
    path = setup_file_logging(tmp_path)
    rep = ExceptionReporter(window, path).install()
    yield rep
    rep.uninstall()
    for h in list(logging.getLogger().handlers):
        if getattr(h, "baseFilename", "").startswith(str(tmp_path)):
            logging.getLogger().removeHandler(h)
            h.close()


@pytest.mark.qt_no_exception_capture
@pytest.mark.logged_errors_expected
def test_exception_in_a_timer_slot_shows_the_bar_and_is_logged(reporter, qtbot, tmp_path):
    def broken():
        raise ZeroDivisionError("a slot divided by zero")

    QTimer.singleShot(0, broken)
    qtbot.waitUntil(lambda: reporter.bar.isVisible())
    assert "ZeroDivisionError: a slot divided by zero" in reporter.bar.message.text()
    assert "Traceback" in reporter.bar.details
    reporter.bar.copy_details()
    from PySide6.QtWidgets import QApplication

    assert "a slot divided by zero" in QApplication.clipboard().text()
    for h in logging.getLogger().handlers:
        h.flush()
    assert "a slot divided by zero" in (tmp_path / "gradviz.log").read_text()


@pytest.mark.qt_no_exception_capture
@pytest.mark.logged_errors_expected
def test_exception_in_a_worker_thread_reaches_the_gui_thread(reporter, qtbot):
    t = threading.Thread(target=lambda: 1 / 0)
    t.start()
    t.join()
    qtbot.waitUntil(lambda: reporter.bar.isVisible())
    assert "ZeroDivisionError" in reporter.bar.message.text()
    reporter.bar.dismiss_button.click()
    assert not reporter.bar.isVisible()
