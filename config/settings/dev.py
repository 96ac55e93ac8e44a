"""Local development: DEBUG on, any host, a throwaway secret key."""

from . import DEV_SECRET_KEY
from .base import *  # noqa: F403
from .base import SECRET_KEY, env_bool

SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = ["*"]
INTERNAL_IPS = ["127.0.0.1"]
