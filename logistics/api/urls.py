from django.urls import path

from logistics.api import views

urlpatterns = [
    path("shipping/quote/", views.ShippingQuoteView.as_view(), name="api-shipping-quote"),
    path("pickups/", views.PickupListView.as_view(), name="api-pickup-list"),
    path("pickups/<int:pk>/", views.PickupDetailView.as_view(), name="api-pickup-detail"),
    path("pickups/<int:pk>/cancel/", views.PickupCancelView.as_view(), name="api-pickup-cancel"),
    path("tickets/", views.TicketListView.as_view(), name="api-ticket-list"),
    path("tickets/<int:pk>/", views.TicketDetailView.as_view(), name="api-ticket-detail"),
    path("tickets/<int:pk>/reply/", views.TicketReplyView.as_view(), name="api-ticket-reply"),
    path("tickets/<int:pk>/close/", views.TicketCloseView.as_view(), name="api-ticket-close"),
]
