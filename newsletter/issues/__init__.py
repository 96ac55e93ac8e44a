"""The daily issue: assembling it (``preparing``) and rendering it as an email, as plain text
and as its archive page, and freezing it into its snapshot (``rendering``). Import from the
submodules: this package re-exports nothing."""
