"""What OpenGL this machine gives us, asked once without showing a window."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def gl_renderer() -> str:
    """"llvmpipe (LLVM …), OpenGL 4.5 …" or "unavailable: <why>"."""
    try:
        from PySide6.QtGui import QGuiApplication, QOffscreenSurface, QOpenGLContext

        if QGuiApplication.platformName() in ("offscreen", "minimal"):
            return f"unavailable: the {QGuiApplication.platformName()!r} Qt platform has no OpenGL"
        ctx = QOpenGLContext()
        if not ctx.create():
            return "unavailable: no OpenGL context could be created"
        surface = QOffscreenSurface()
        surface.setFormat(ctx.format())
        surface.create()
        if not ctx.makeCurrent(surface):
            return "unavailable: the OpenGL context could not be made current"
        try:
            from OpenGL import GL

            renderer = GL.glGetString(GL.GL_RENDERER)
            version = GL.glGetString(GL.GL_VERSION)
            text = f"{renderer.decode(errors='replace')}, OpenGL {version.decode(errors='replace')}"
        finally:
            ctx.doneCurrent()
        return text
    except Exception as exc:  # any driver failure is information, not a crash
        return f"unavailable: {exc}"
