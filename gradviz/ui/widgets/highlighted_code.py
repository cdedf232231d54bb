from gradviz.ui.widgets.code_view import QtCodeView as QtHighlightedCode  # noqa: F401 - old name
