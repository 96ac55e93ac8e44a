"""The page editor's saving, made predictable for editors.

Wagtail 8 autosaves an open page half a second after each change. Two things go wrong with it
for a newsroom:

- On the Add form, the first keystroke creates the page: every form opened and abandoned
  leaves a draft behind in News. ``NoAutosaveOnNewPagesMiddleware`` turns autosave off on
  Wagtail's "Add page" view only (its ``autosave_enabled`` context, read by the template
  before it is rendered), so a new page exists once the editor saves it.
- On the edit form, an autosave still waiting for its debounce, or already on its way, races
  the editor's own Save: the server can take the autosave after the Save's new version, and
  the reloaded editor then says "You saved a new version in another window" about itself.
  ``core/static/core/admin/autosave.js`` (added to every editor by ``wagtail_hooks``) stops
  autosave the moment the editor saves, and lets an autosave already sent finish first.
"""

ADD_PAGE_VIEW = "wagtailadmin_pages:add"


class NoAutosaveOnNewPagesMiddleware:
    """Render Wagtail's "Add page" form without autosave (it saves when the editor says so)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_template_response(self, request, response):
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name == ADD_PAGE_VIEW and response.context_data:
            response.context_data["autosave_enabled"] = False
            response.context_data["autosave_indicator"] = None
        return response
