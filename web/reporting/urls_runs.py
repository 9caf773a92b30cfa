"""The pages of generated reports and export jobs (``web.reporting.runs``), added to the
reporting URLs. Their paths start with a word, so they never meet ``<programme>/<indicator>/``."""

from django.urls import path

from . import runs

urlpatterns = [
    path("periods/<int:programme_id>/", runs.periods, name="periods"),
    path("reports/<int:programme_id>/", runs.run_list, name="run_list"),
    path("report/<int:run_id>/", runs.run_detail, name="run_detail"),
    path("report/<int:run_id>/figures.<str:fmt>", runs.run_export, name="run_export"),
    path("exports/<int:programme_id>/", runs.export_list, name="export_list"),
    path("export/<int:job_id>/", runs.export_detail, name="export_detail"),
    path("export/<int:job_id>/status", runs.export_status, name="export_status"),
    path("export/<int:job_id>/download", runs.export_download, name="export_download"),
]
