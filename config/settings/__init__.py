# The key dev.py and test.py use when SECRET_KEY is unset; production.py refuses it.
DEV_SECRET_KEY = "django-insecure-development-only-never-in-production"
