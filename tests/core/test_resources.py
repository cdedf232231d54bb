import os
import subprocess
import sys
import zipfile
from pathlib import Path

from gradviz.core.resources import resource_dir, resource_path

ROOT = Path(__file__).resolve().parents[2]


def test_found_in_the_source_checkout():
    assert resource_dir() == ROOT / "resources"
    assert resource_path("icons", "gradviz.svg").is_file()


def test_found_in_an_installed_wheel(tmp_path):
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(wheels), str(ROOT)], check=True)
    (wheel,) = wheels.glob("gradviz-*.whl")
    target = tmp_path / "site"
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(target)
    assert (target / "gradviz" / "resources" / "RESOURCES").is_file()
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c",
                          "import gradviz.core.resources as r; print(r.resource_dir())"],
                         env=env, cwd=tmp_path, capture_output=True, text=True, check=True)
    assert Path(out.stdout.strip()) == target / "gradviz" / "resources"
