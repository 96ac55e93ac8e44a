"""The article form's helpers in the admin: a photo's own caption and credit, for the boxes
that override them (``news/static/news/admin/photo-words.js``)."""

from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from wagtail.images import get_image_model
from wagtail.permissions import policy_registry


def photo_words(request, pk):
    """{"caption", "credit"} of a photo the editor may choose; 404 for any other."""
    policy = policy_registry.get_by_type(get_image_model())
    photos = policy.instances_user_has_any_permission_for(request.user, ["choose", "change"])
    photo = get_object_or_404(photos, pk=pk)
    return JsonResponse({"caption": photo.caption, "credit": photo.credit})
