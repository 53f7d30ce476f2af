"""Settings that django-stubs loads while type-checking: production settings with a placeholder secret."""

import os

os.environ.setdefault("SECRET_KEY", "type-checking-only")

from dinari_console.settings import *  # noqa: F403
