"""Page routes. Names live in the ``web`` namespace: {% url 'web:customer' id %}."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accord.web.views import attachments, customers, home, sources, timeline, transactions

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
    path("sources/", sources.source_list, name="sources"),
    path("sources/<slug:name>/sync/", sources.source_sync, name="source_sync"),
]
