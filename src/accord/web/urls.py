"""Page routes. Names live in the ``web`` namespace: {% url 'web:customer' id %}."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accord.web.views import analytics as analytics_views
from accord.web.views import (
    attachments,
    customers,
    duplicates,
    home,
    review,
    sources,
    timeline,
    transactions,
)
from accord.web.views import documents as document_views

app_name = "web"

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html",
                                                redirect_authenticated_user=True),
         name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", home.home, name="home"),
    path("customers/", customers.customer_list, name="customers"),
    path("customers/<int:customer_id>/", customers.customer_detail, name="customer"),
    path("customers/<int:customer_id>/timeline/", timeline.timeline_partial, name="timeline"),
    path("customers/<int:customer_id>/transactions/", transactions.transactions_partial,
         name="transactions"),
    path("attachments/<int:attachment_id>/", attachments.attachment_download,
         name="attachment"),
    path("review/", review.review_page, name="review"),
    path("review/upload/", review.upload, name="review_upload"),
    path("review/find/", review.find_customer, name="review_find"),
    path("review/documents/<int:pending_id>/assign/", review.document_assign,
         name="review_document_assign"),
    path("review/documents/<int:pending_id>/new-customer/", review.document_new_customer,
         name="review_document_new"),
    path("review/documents/<int:pending_id>/dismiss/", review.document_dismiss,
         name="review_document_dismiss"),
    path("review/documents/<int:pending_id>/file/", document_views.queued_file,
         name="review_document_file"),
    path("review/documents/<int:pending_id>/preview/", document_views.queued_preview,
         name="review_document_preview"),
    path("review/addresses/<int:address_id>/assign/", review.address_assign,
         name="review_address_assign"),
    path("review/addresses/<int:address_id>/new-customer/", review.address_new_customer,
         name="review_address_new"),
    path("review/addresses/<int:address_id>/dismiss/", review.address_dismiss,
         name="review_address_dismiss"),
    path("interactions/<int:interaction_id>/preview/", document_views.interaction_preview,
         name="interaction_preview"),
    path("sources/", sources.source_list, name="sources"),
    path("sources/<slug:name>/sync/", sources.source_sync, name="source_sync"),
    path("duplicates/", duplicates.duplicate_list, name="duplicates"),
    path("duplicates/find/", duplicates.duplicates_find, name="duplicates_find"),
    path("duplicates/<int:suggestion_id>/", duplicates.duplicate_compare, name="duplicate"),
    path("duplicates/<int:suggestion_id>/merge/", duplicates.duplicate_merge,
         name="duplicate_merge"),
    path("duplicates/<int:suggestion_id>/dismiss/", duplicates.duplicate_dismiss,
         name="duplicate_dismiss"),
    path("merges/<int:merge_id>/undo/", duplicates.merge_undo, name="merge_undo"),
    path("analytics/", analytics_views.company, name="analytics"),
    path("analytics/runs/<int:run_id>/", analytics_views.run_detail, name="analytics_run"),
    path("analytics/scores.csv", analytics_views.scores_csv, name="analytics_scores_csv"),
    path("analytics/scores.parquet", analytics_views.scores_parquet,
         name="analytics_scores_parquet"),
]
