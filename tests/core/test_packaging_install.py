"""install.sh / uninstall.sh from the tarball, on a fake bundle in a throw-away HOME.

The real tarball gets the same round trip in ``make dist-test``; these run in a second and pin
the rules: everything under the user's home, nothing outside it, uninstall removes exactly what
install created, and never a ``gradviz`` command that is not ours.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"

pytestmark = pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell")


@pytest.fixture
def bundle(tmp_path: Path) -> Path:
    """What build.sh puts in the tarball, with a shell script standing in for the binary."""
    b = tmp_path / "unpacked" / "gradviz-0.0.0-linux-x86_64"
    res = b / "_internal" / "resources"
    (res / "icons").mkdir(parents=True)
    shutil.copy(ROOT / "resources" / "gradviz.desktop", res / "gradviz.desktop")
    shutil.copy(ROOT / "resources" / "icons" / "gradviz.svg", res / "icons" / "gradviz.svg")
    shutil.copy(ROOT / "resources" / "icons" / "gradviz-256.png", res / "icons" / "gradviz-256.png")
    (res / "RESOURCES").write_text("marker\n")
    # A symlink inside the bundle, as PyInstaller makes for shared libraries.
    (b / "_internal" / "lib").mkdir()
    (b / "_internal" / "lib" / "libx.so.1").write_text("x")
    (b / "_internal" / "libx.so.1").symlink_to("lib/libx.so.1")
    exe = b / "gradviz"
    exe.write_text("#!/bin/sh\necho gradviz-fake \"$@\"\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    for script in ("install.sh", "uninstall.sh"):
        shutil.copy(PACKAGING / script, b / script)
    return b


@pytest.fixture
def home(tmp_path: Path) -> Path:
    h = tmp_path / "home"
    h.mkdir()
    return h


def run(script: Path, home: Path, **extra) -> subprocess.CompletedProcess:
    env = {"HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin"), **extra}
    return subprocess.run(["sh", str(script)], env=env, capture_output=True, text=True,
                          timeout=60)


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_install_puts_app_command_menu_entry_and_icons_under_home(bundle, home):
    result = run(bundle / "install.sh", home)
    assert result.returncode == 0, result.stderr
    app = home / ".local/opt/gradviz"
    link = home / ".local/bin/gradviz"
    assert (app / "gradviz").is_file() and (app / "_internal/resources/RESOURCES").is_file()
    assert (app / "_internal/libx.so.1").is_symlink()  # the bundle's own links survive the copy
    assert link.is_symlink() and os.readlink(link) == str(app / "gradviz")
    ran = subprocess.run([str(link), "--version"], capture_output=True, text=True, timeout=30)
    assert ran.stdout.strip() == "gradviz-fake --version"
    desktop = (home / ".local/share/applications/gradviz.desktop").read_text()
    assert f'Exec="{app}/gradviz"' in desktop.splitlines()
    assert f"TryExec={app}/gradviz" in desktop.splitlines()
    assert "Icon=gradviz" in desktop.splitlines()
    icons = home / ".local/share/icons/hicolor"
    assert (icons / "scalable/apps/gradviz.svg").read_bytes() == \
        (ROOT / "resources/icons/gradviz.svg").read_bytes()
    assert (icons / "256x256/apps/gradviz.png").is_file()
    assert "not on your PATH" in result.stdout


def test_uninstall_removes_exactly_what_install_created(bundle, home):
    # Things the user had before: they must survive, and so must the folders holding them.
    apps = home / ".local/share/applications"
    apps.mkdir(parents=True)
    (apps / "editor.desktop").write_text("[Desktop Entry]\n")
    (home / ".local/bin").mkdir(parents=True)
    (home / ".local/bin/other-tool").write_text("#!/bin/sh\n")
    before = files_under(home)
    assert run(bundle / "install.sh", home).returncode == 0
    assert files_under(home) > before
    result = run(home / ".local/opt/gradviz/uninstall.sh", home)
    assert result.returncode == 0, result.stderr
    assert files_under(home) == before


def test_uninstall_from_an_empty_home_leaves_it_empty(bundle, home):
    assert run(bundle / "install.sh", home).returncode == 0
    # From the unpacked tarball this time, not from the installed copy.
    assert run(bundle / "uninstall.sh", home).returncode == 0
    assert files_under(home) == set()


def test_install_again_upgrades_in_place(bundle, home):
    assert run(bundle / "install.sh", home).returncode == 0
    (bundle / "_internal" / "resources" / "NEW").write_text("v2")
    stale = home / ".local/opt/gradviz/_internal/stale-file"
    stale.write_text("from v1")
    assert run(bundle / "install.sh", home).returncode == 0
    assert (home / ".local/opt/gradviz/_internal/resources/NEW").read_text() == "v2"
    assert not stale.exists()
    assert run(home / ".local/opt/gradviz/uninstall.sh", home).returncode == 0
    assert files_under(home) == set()


def test_install_refuses_to_replace_a_gradviz_command_that_is_not_ours(bundle, home):
    (home / ".local/bin").mkdir(parents=True)
    theirs = home / ".local/bin/gradviz"
    theirs.write_text("#!/bin/sh\necho pip-installed\n")
    result = run(bundle / "install.sh", home)
    assert result.returncode != 0
    assert "not ours" in result.stderr
    assert theirs.read_text() == "#!/bin/sh\necho pip-installed\n"
    assert not (home / ".local/opt/gradviz").exists()


def test_uninstall_keeps_a_gradviz_link_that_points_elsewhere(bundle, home):
    assert run(bundle / "install.sh", home).returncode == 0
    link = home / ".local/bin/gradviz"
    link.unlink()
    link.symlink_to("/usr/bin/true")
    assert run(home / ".local/opt/gradviz/uninstall.sh", home).returncode == 0
    assert link.is_symlink() and os.readlink(link) == "/usr/bin/true"
    assert not (home / ".local/opt/gradviz").exists()


def test_xdg_data_home_is_honoured_and_cleaned(bundle, home, tmp_path):
    data = tmp_path / "xdg-data"
    assert run(bundle / "install.sh", home, XDG_DATA_HOME=str(data)).returncode == 0
    assert (data / "applications/gradviz.desktop").is_file()
    assert not (home / ".local/share").exists()
    assert run(home / ".local/opt/gradviz/uninstall.sh", home,
               XDG_DATA_HOME=str(data)).returncode == 0
    assert not data.exists() and files_under(home) == set()


def test_install_outside_a_bundle_is_refused(home, tmp_path):
    lone = tmp_path / "lone"
    lone.mkdir()
    shutil.copy(PACKAGING / "install.sh", lone / "install.sh")
    result = run(lone / "install.sh", home)
    assert result.returncode != 0 and "unpacked GradViz folder" in result.stderr
    assert files_under(home) == set()


def test_uninstall_when_nothing_is_installed_is_harmless(bundle, home):
    result = run(bundle / "uninstall.sh", home)
    assert result.returncode == 0 and "nothing to do" in result.stdout
    assert files_under(home) == set()
