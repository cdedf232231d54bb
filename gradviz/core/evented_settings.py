"""Former home of the settings base; :class:`~gradviz.core.model.SettingsModel` is the one base now.

Kept as a re-export while the sub-models move over, so the old import path still works.
"""

from gradviz.core.model import Setting, SettingsModel

EventedSettings = SettingsModel

__all__ = ["EventedSettings", "Setting", "SettingsModel"]
