"""The frozen build's configuration: what the spec bundles, what slimming drops, the desktop file.

Building takes minutes (``make dist``; ``make dist-test`` runs the result); these check the
decisions themselves, the measured pitfalls first (../shared/STACK-NOTES.md).
"""

from __future__ import annotations

import ast
import configparser
import importlib.util
import re
import struct
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"


def load_slim():
    spec = importlib.util.spec_from_file_location("gradviz_packaging_slim", PACKAGING / "slim.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


slim = load_slim()


@pytest.mark.parametrize("kept", [
    "torch/bin/torch_shm_manager",  # `import torch` fails without it
    "torch/lib/libtorch_cpu.so", "torch/lib/libgomp.so.1", "torch/testing/_internal/common_utils.pyc",
    "torch/_dynamo/graph_break_registry.json", "torch/_inductor/kernel/flex/templates/common.py.jinja",
    "numpy.libs/libscipy_openblas64_-32a4b2a6.so",
    "PySide6/Qt/plugins/platforms/libqxcb.so",
    "PySide6/Qt/plugins/platforms/libqoffscreen.so",  # the no-display fallback
    "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
    "PySide6/Qt/plugins/imageformats/libqsvg.so", "PySide6/Qt/plugins/iconengines/libqsvgicon.so",
    "PySide6/Qt/plugins/platforminputcontexts/libcomposeplatforminputcontextplugin.so",
    "resources/RESOURCES", "resources/icons/gradviz.svg", "pyqtgraph/colors/maps/CET-L1.csv",
])
def test_keeps_what_the_app_needs(kept):
    assert slim.keep_entry(kept)


@pytest.mark.parametrize("dropped", [
    "torch/test/test_x.py", "torch/include/ATen/ATen.h", "torch/share/cmake/Torch/TorchConfig.cmake",
    "torch/bin/protoc", "torch/lib/libtorchbind_test.so", "torch/_inductor/codecache.py",
    "torch/distributed/fsdp/api.py",
    "PySide6/Qt/translations/qtbase_de.qm",
    "PySide6/Qt/plugins/platforms/libqwayland-egl.so", "PySide6/Qt/plugins/platforms/libqeglfs.so",
    "PySide6/Qt/plugins/platforms/libqvnc.so", "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
    "PySide6/Qt/plugins/wayland-shell-integration/libxdg-shell.so",
    "PySide6/Qt/plugins/tls/libqopensslbackend.so", "PySide6/Qt/plugins/generic/libqtuiotouchplugin.so",
])
def test_drops_what_the_app_never_loads(dropped):
    assert not slim.keep_entry(dropped)


def test_dropped_python_sources_leave_the_compiled_modules():
    """Only .py copies go; the archive's compiled modules (no slash in their names) stay."""
    assert slim.keep_entry("torch._inductor.codecache")
    assert slim.keep_entry("torch.testing._internal")


def test_sources_that_read_themselves_are_kept(tmp_path):
    """torch/distributed/config.py is read with inspect.getsource when torch.utils.data is
    imported: dropping it broke the frozen app's start ("could not get source code")."""
    config = tmp_path / "config.py"
    config.write_text("from torch.utils._config_module import install_config_module\n")
    plain = tmp_path / "plain.py"
    plain.write_text("def f(x):\n    return x\n")
    assert slim.keep_entry("torch/distributed/config.py", str(config))
    assert not slim.keep_entry("torch/distributed/fsdp/api.py", str(plain))
    assert slim.keep_entry("torch/nn/modules/linear.py", str(plain))  # not a droppable package


def test_never_excludes_modules_import_torch_needs():
    excluded = set(slim.EXCLUDED_MODULES)
    for needed in ("torch.testing", "torch.testing._internal", "torch._inductor", "sympy",
                   "torch.onnx", "numpy", "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets",
                   "PySide6.QtSvg", "OpenGL", "pyqtgraph.opengl"):
        assert needed not in excluded


def test_numpy_libraries_are_never_stripped(tmp_path):
    """Stripping numpy's patchelf-relocated OpenBLAS breaks it ("not page-aligned")."""
    internal = tmp_path / "_internal"
    for rel in ("numpy.libs/libscipy_openblas64_.so", "torch/lib/libc10.so",
                "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/plugins/platforms/libqxcb.so",
                "numpy/_core/_multiarray_umath.cpython-311-x86_64-linux-gnu.so"):
        path = internal / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x7fELF" + b"\0" * 60)
    targets = {p.relative_to(internal).as_posix() for p in slim._strip_targets(internal)}
    assert targets == {"torch/lib/libc10.so", "PySide6/Qt/lib/libQt6Core.so.6",
                       "PySide6/Qt/plugins/platforms/libqxcb.so"}


def test_orphan_pruning_never_touches_torch_or_numpy():
    for name in ("libtorch_cpu.so", "libc10.so", "libgomp.so.1", "libscipy_openblas64_.so",
                 "libgfortran-040039e1.so.5.0.0", "libpython3.11.so.1.0", "libGL.so.1",
                 "libEGL.so.1", "libfontconfig.so.1", "libxcb-cursor.so.0", "libdbus-1.so.3"):
        assert not slim._matches(name, slim.ORPHAN_CANDIDATES), name


def _spec_tree():
    return ast.parse((PACKAGING / "gradviz.spec").read_text(encoding="utf-8"))


def _call(tree, name):
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Name) and n.func.id == name]
    assert len(calls) == 1, f"expected one {name}() in the spec"
    return {kw.arg: kw.value for kw in calls[0].keywords}, calls[0]


def test_spec_is_onedir_unstripped_and_bundles_every_gradviz_module_and_resources():
    tree = _spec_tree()
    text = ast.unparse(tree)
    exe, _ = _call(tree, "EXE")
    coll, _ = _call(tree, "COLLECT")
    assert ast.literal_eval(exe["exclude_binaries"]) is True  # onedir
    assert ast.literal_eval(exe["strip"]) is False and ast.literal_eval(coll["strip"]) is False
    assert ast.literal_eval(exe["upx"]) is False
    analysis, call = _call(tree, "Analysis")
    assert "gradviz" in ast.unparse(call.args[0]) and "__main__.py" in ast.unparse(call.args[0])
    assert "collect_submodules('gradviz'" in text
    assert "'resources'), 'resources')" in ast.unparse(analysis["datas"])
    assert ast.unparse(analysis["excludes"]) == "slim.EXCLUDED_MODULES"
    assert "slim.filter_toc(a.binaries" in text and "slim.filter_toc(a.datas" in text


def test_every_panel_view_is_a_module_the_build_collects():
    """Panel views are imported by name at run time, which PyInstaller's scanner cannot follow;
    the spec collects every gradviz submodule, and each declared view must exist."""
    from gradviz.lesson.catalog import panel_infos

    panels = ROOT / "gradviz" / "ui" / "panels"
    for info in panel_infos():
        base = panels.joinpath(*info.view.partition(":")[0].split("."))
        assert base.with_suffix(".py").is_file() or (base / "__init__.py").is_file(), info.view
    spec_text = (PACKAGING / "gradviz.spec").read_text(encoding="utf-8")
    assert 'collect_submodules("gradviz"' in spec_text


def test_desktop_entry_and_icons():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(ROOT / "resources" / "gradviz.desktop", encoding="utf-8")
    d = entry["Desktop Entry"]
    assert d["Type"] == "Application" and d["Name"] == "GradViz"
    assert d["Exec"] == "gradviz" and d["Icon"] == "gradviz" and d["Terminal"] == "false"
    assert d["Categories"].endswith(";") and "Education" in d["Categories"]
    # install.sh rewrites Exec/TryExec to the installed path: both must be one line each.
    text = (ROOT / "resources" / "gradviz.desktop").read_text(encoding="utf-8")
    assert len(re.findall(r"^Exec=", text, re.M)) == 1
    assert len(re.findall(r"^TryExec=", text, re.M)) == 1
    png = (ROOT / "resources" / "icons" / "gradviz-256.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (256, 256)


def test_build_pins_the_torch_the_makefile_uses_and_avoids_pyside_6_12():
    constraints = (PACKAGING / "build-constraints.txt").read_text(encoding="utf-8")
    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", constraints, re.M))
    makefile_torch = re.search(r"torch==(\S+)", (ROOT / "Makefile").read_text()).group(1)
    assert pins["torch"] == makefile_torch
    assert not pins["PySide6-Essentials"].startswith("6.12")
    assert "pyinstaller" in pins


def test_make_targets_are_thin_and_named_as_documented():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^dist:\n\tsh packaging/build\.sh$", makefile, re.M)
    assert re.search(r"^dist-test: dist\n\tsh packaging/smoke_test\.sh$", makefile, re.M)


@pytest.mark.parametrize("script", ["build.sh", "smoke_test.sh", "install.sh", "uninstall.sh"])
def test_shell_scripts_parse(script):
    result = subprocess.run(["sh", "-n", str(PACKAGING / script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_tarball_name_matches_the_version_and_platform():
    build = (PACKAGING / "build.sh").read_text(encoding="utf-8")
    assert "NAME=gradviz-$VERSION-linux-x86_64" in build
    assert 'TARBALL=dist/$NAME.tar.gz' in build
    version = re.search(r'__version__ = "(.+)"', (ROOT / "gradviz/_version.py").read_text()).group(1)
    sed = subprocess.run(["sed", "-n", r's/^__version__ = "\(.*\)"/\1/p', "gradviz/_version.py"],
                         cwd=ROOT, capture_output=True, text=True)
    assert sed.stdout.strip() == version
