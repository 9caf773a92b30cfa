"""Task views: Viewflow's inbox links here; the work itself is done on the case page.

The step forms live with the case (``web.casework.views``) so that a step can be taken from the
inbox or from the case page through the same service. This view only sends the user there.
"""

from django.shortcuts import redirect
from django.views import View


class TaskRedirectView(View):
    def get(self, request, *args, **kwargs):
        case = request.activation.process.artifact
        return redirect(f"{case.get_absolute_url()}#next-step")

    post = get
