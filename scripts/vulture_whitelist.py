"""Names vulture cannot see used, each with the reason (run by `make lint`; see pyproject.toml).

- Flask-Login and Jinja settings are attributes the libraries read.
- Scheduler jobs are registered by name in app/scheduling/scheduler.py's job table.
- Model columns assigned in services are read by templates, exports and the audit log.
- WTForms fields and dataclass fields are read by templates.
- matching's config helpers and solve report fields are the library's public surface, used by
  tests and the benchmark.
"""

# ruff: noqa
current_password  # unused variable (app/account/forms.py:14)
password2  # unused variable (app/auth/forms.py:30)
accept_terms  # unused variable (app/auth/forms.py:48)
_.login_view  # unused attribute (app/auth/access.py:23)
_.login_message  # unused attribute (app/auth/access.py:24)
_.login_message_category  # unused attribute (app/auth/access.py:25)
_.session_protection  # unused attribute (app/auth/access.py:26)
build_from_migrations  # unused function (app/core/schema.py:25)
connection_record  # unused variable (app/core/sqlite.py:69)
_.isolation_level  # unused attribute (app/core/sqlite.py:75)
executemany  # unused variable (app/core/sqlite.py:108)
parameters  # unused variable (app/core/sqlite.py:108)
_.trim_blocks  # unused attribute (app/core/templating.py:150)
_.lstrip_blocks  # unused attribute (app/core/templating.py:151)
metadata  # unused variable (app/extensions.py:32)
decided_by  # unused variable (app/models/assignments.py:140)
confirmed_at  # unused variable (app/models/hours.py:64)
correction_note  # unused variable (app/models/hours.py:65)
confirmed_by  # unused variable (app/models/hours.py:73)
created_by_id  # unused variable (app/models/hours.py:103)
recorded_by_id  # unused variable (app/models/hours.py:134)
contact_phone  # unused variable (app/models/institutions.py:52)
joined_at  # unused variable (app/models/institutions.py:58)
decided_at  # unused variable (app/models/institutions.py:94)
decided_by  # unused variable (app/models/institutions.py:112)
decided_by  # unused variable (app/models/institutions.py:135)
created_by_id  # unused variable (app/models/matching_runs.py:19)
created_by_id  # unused variable (app/models/needs.py:65)
last_error  # unused variable (app/models/outbox.py:59)
sent_at  # unused variable (app/models/outbox.py:67)
group_id  # unused variable (app/models/skills.py:31)
password_changed_at  # unused variable (app/models/users.py:49)
given_by  # unused variable (app/models/volunteers.py:214)
frame  # unused variable (app/proposals/worker.py:54)
deliver_outbox  # unused function (app/scheduling/jobs.py:85)
morning_digests  # unused function (app/scheduling/jobs.py:111)
hours_confirmation  # unused function (app/scheduling/jobs.py:118)
heartbeat  # unused function (app/scheduling/jobs.py:142)
waitlists  # unused function (app/scheduling/jobs.py)
frame  # unused variable (app/scheduling/scheduler.py:136)
admin  # unused variable (app/seed/demo.py:318)
_.password_changed_at  # unused attribute (app/services/accounts.py:122)
KIND_ORDER  # unused variable (app/services/compliance.py:41)
_.correction_note  # unused attribute (app/services/hours.py:203)
_.confirmed_at  # unused attribute (app/services/hours.py:207)
_.confirmed_at  # unused attribute (app/services/hours.py:281)
_.correction_note  # unused attribute (app/services/hours.py:294)
_.confirmed_at  # unused attribute (app/services/hours.py:296)
per_month  # unused variable (app/services/hours.py:342)
per_institution  # unused variable (app/services/hours.py:343)
deliver  # unused function (app/services/mail.py:295)
DONE  # unused variable (app/services/matching_queue.py:43)
waiting_for  # unused variable (app/services/matching_queue.py:194)
_.decided_at  # unused attribute (app/services/memberships.py:85)
_.decided_at  # unused attribute (app/services/memberships.py:148)
_.last_error  # unused attribute (app/services/mail.py:507)
in_flight  # unused variable (app/services/mail.py:546)
retrying  # unused variable (app/services/mail.py:547)
repeated  # unused variable (app/services/mail.py:548)
drafts  # unused variable (app/services/staff_views.py:67)
published  # unused variable (app/services/staff_views.py:68)
_.drafts  # unused attribute (app/services/staff_views.py:87)
_.published  # unused attribute (app/services/staff_views.py:89)
is_cohosted  # unused variable (app/services/staff_views.py:111)
guardian_consent  # unused variable (app/services/staff_views.py:174)
has_checks  # unused variable (app/services/staff_views.py:175)
confirm  # unused variable (app/volunteers/forms.py:177)
understood  # unused variable (app/volunteers/forms.py:186)
_.fill_value  # unused method (matching/config.py:90)
pair_arcs_total  # unused variable (matching/flow.py:96)
_.pair_arcs_total  # unused attribute (matching/flow.py:449)
_.pair_arcs_total  # unused attribute (matching/solver.py:100)
_.viewer_preferences  # fpdf2 reads it when writing the PDF (app/services/pdf.py)
_.number_format  # openpyxl reads it when writing the cell (app/services/spreadsheets.py)
logs_to_confirm  # unused variable (app/dashboard/panels.py:242); read by templates/dashboard
_.logs_to_confirm  # unused attribute (app/dashboard/panels.py:287); read by templates/dashboard
diagnosis  # unused variable (app/dashboard/panels.py:304); read by templates/dashboard
last_run  # unused variable (app/dashboard/panels.py:314); read by templates/dashboard
_.last_run  # unused attribute (app/dashboard/panels.py:353); read by templates/dashboard
failed_total  # unused variable (app/dashboard/panels.py:375); read by templates/dashboard
repeated_total  # unused variable (app/dashboard/panels.py:377); read by templates/dashboard
unconfirmed_total  # unused variable (app/dashboard/panels.py:379); read by templates/dashboard
author_id  # set when a post is written (app/services/news.py); who wrote it, kept like created_by_id
author  # unused variable (app/models/news.py); read by templates/news/detail.html
news_digests  # a scheduler job, named by its string "app.scheduling.jobs:news_digests"
is_self_check_in  # unused variable (app/models/shift_day.py:47)
