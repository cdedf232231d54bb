"""Start-up keeps the cyclic garbage collector out of the way, and always gives it back."""

import gc

from gradviz.app import main


def test_the_collector_is_back_after_main_returns(capsys):
    gc.enable()
    assert main(["--version"]) == 0
    assert gc.isenabled()
    assert capsys.readouterr().out.startswith("gradviz ")
    gc.unfreeze()  # frozen objects would otherwise stay out of the collector for later tests
