from django.urls import path

from incidents.views import incidents, oncall, postmortems

app_name = "incidents"

urlpatterns = [
    path("", incidents.incident_list, name="list"),
    path("declare/", incidents.incident_declare, name="declare"),
    path("<int:pk>/", incidents.incident_detail, name="detail"),
    path("<int:pk>/note/", incidents.incident_note, name="note"),
    path("<int:pk>/commander/", incidents.incident_commander, name="commander"),
    path("<int:pk>/join/", incidents.incident_join, name="join"),
    path("<int:pk>/postmortem/", incidents.incident_postmortem, name="start_postmortem"),
    path("<int:pk>/timeline/<int:seq>/pin/", incidents.incident_pin, name="pin"),
    path("<int:pk>/do/<slug:command>/", incidents.incident_command, name="command"),
    path("postmortems/", postmortems.postmortem_list, name="postmortems"),
    path("postmortems/preview/", postmortems.postmortem_preview, name="postmortem_preview"),
    path("postmortems/<int:pk>/", postmortems.postmortem_edit, name="postmortem"),
    path("postmortems/<int:pk>/export.md", postmortems.postmortem_export, name="postmortem_export"),
    path("postmortems/<int:pk>/do/<slug:command>/", postmortems.postmortem_command, name="postmortem_command"),
    path("postmortems/<int:pk>/action-items/", postmortems.action_item_add, name="action_item_add"),
    path("action-items/", postmortems.action_item_list, name="action_items"),
    path("action-items/<int:item_id>/toggle/", postmortems.action_item_toggle, name="action_item_toggle"),
    path("oncall/", oncall.oncall_now, name="oncall"),
    path("checklists/", oncall.checklist_list, name="checklists"),
    path("checklists/<int:pk>/", oncall.checklist_detail, name="checklist"),
    path("checklists/<int:pk>/items/<int:item_id>/tick/", oncall.checklist_tick, name="checklist_tick"),
]
