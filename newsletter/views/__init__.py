"""Reader-facing views (``public``) and the admin's extra views (``admin``, ``campaigns``,
``dashboard``)."""
